"""shanzhi AHP library: judgment matrices, priorities, consistency, diagnosis, group decisions,
panels of experts and the indicator hierarchy.

Pure math on numpy and pandas. The judgment file formats (expert workbooks, long CSV) live in
:mod:`ahp.io` and load openpyxl only when one of their names is first used.
"""

from importlib import import_module
from typing import Any

from ahp.consistency import (
    RI_SOURCES,
    RI_TABLES,
    Consistency,
    Evaluation,
    consistency,
    evaluate,
    random_index,
)
from ahp.diagnosis import Revision, suggest_revision
from ahp.errors import HierarchyError, JudgmentError, PanelNotReadyError, WorkbookError
from ahp.group import (
    CONSENSUS_WORDS,
    Consensus,
    ExpertScreen,
    aggregate_judgments,
    aggregate_priorities,
    consensus,
    group_log_judgments,
    group_priority_draws,
    reciprocal_matrices,
    screen_cr,
    screen_experts,
)
from ahp.hierarchy import LEVELS, Hierarchy, HierarchyWeights, Node
from ahp.matrix import JudgmentMatrix, MatrixLike, as_array, validate_array
from ahp.panel import PanelJudgments, PanelOptions, PanelResult, panel_weights
from ahp.priorities import METHODS, Eigen, harker_matrix, principal_eigen, priorities
from ahp.scale import (
    EXTENDED_BOUNDS,
    SAATY_VALUES,
    SCALE_TOL,
    nearest_saaty,
    off_scale,
    parse_judgment,
    snap_to_scale,
    verbal_label,
)

_LAZY: dict[str, str] = {
    "GUIDE_SHEET": "ahp.io.workbook",
    "node_sheet_names": "ahp.io.workbook",
    "read_judgments_csv": "ahp.io.workbook",
    "read_judgments_xlsx": "ahp.io.workbook",
    "write_judgments_csv": "ahp.io.workbook",
    "write_judgments_xlsx": "ahp.io.workbook",
    "write_template": "ahp.io.workbook",
    "safe_cell_text": "ahp.io.xlsx_safety",
    "safe_sheet_names": "ahp.io.xlsx_safety",
}
"""Names of the file-format modules, imported on first use (PEP 562) so that ``import ahp``
does not load openpyxl."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ahp' has no attribute {name!r}")


__all__ = [
    "CONSENSUS_WORDS",
    "EXTENDED_BOUNDS",
    "LEVELS",
    "METHODS",
    "RI_SOURCES",
    "RI_TABLES",
    "SAATY_VALUES",
    "SCALE_TOL",
    "Consensus",
    "Consistency",
    "Eigen",
    "Evaluation",
    "ExpertScreen",
    "Hierarchy",
    "HierarchyError",
    "HierarchyWeights",
    "JudgmentError",
    "JudgmentMatrix",
    "MatrixLike",
    "Node",
    "PanelJudgments",
    "PanelNotReadyError",
    "PanelOptions",
    "PanelResult",
    "Revision",
    "WorkbookError",
    "aggregate_judgments",
    "aggregate_priorities",
    "as_array",
    "consensus",
    "consistency",
    "evaluate",
    "group_log_judgments",
    "group_priority_draws",
    "harker_matrix",
    "nearest_saaty",
    "off_scale",
    "panel_weights",
    "parse_judgment",
    "principal_eigen",
    "priorities",
    "random_index",
    "reciprocal_matrices",
    "screen_cr",
    "screen_experts",
    "snap_to_scale",
    "suggest_revision",
    "validate_array",
    "verbal_label",
    *_LAZY,
]
