"""shanzhi AHP library: judgment matrices, priorities, consistency, diagnosis, group decisions.

Core engine (this block): errors, Saaty scale, matrices, priorities, consistency, diagnosis.
"""

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
from ahp.errors import HierarchyError, JudgmentError, WorkbookError
from ahp.matrix import JudgmentMatrix, as_array, validate_array
from ahp.priorities import METHODS, Eigen, harker_matrix, principal_eigen, priorities
from ahp.scale import (
    SAATY_VALUES,
    nearest_saaty,
    off_scale,
    parse_judgment,
    snap_to_scale,
    verbal_label,
)

# Group decisions, hierarchy, panels and workbooks are imported below this line.
# isort: split
from ahp.group import (
    CONSENSUS_WORDS,
    Consensus,
    ExpertScreen,
    aggregate_judgments,
    aggregate_priorities,
    consensus,
    screen_cr,
    screen_experts,
)
from ahp.hierarchy import Hierarchy, HierarchyWeights, Node
from ahp.panel import PanelJudgments, PanelResult, panel_weights
from ahp.workbook import (
    read_judgments_csv,
    read_judgments_xlsx,
    write_judgments_csv,
    write_judgments_xlsx,
    write_template,
)
from ahp.xlsx_safety import safe_cell_text, safe_sheet_names

__all__ = [
    "METHODS",
    "RI_SOURCES",
    "RI_TABLES",
    "SAATY_VALUES",
    "Consistency",
    "Eigen",
    "Evaluation",
    "HierarchyError",
    "JudgmentError",
    "JudgmentMatrix",
    "Revision",
    "WorkbookError",
    "as_array",
    "consistency",
    "evaluate",
    "harker_matrix",
    "nearest_saaty",
    "off_scale",
    "parse_judgment",
    "principal_eigen",
    "priorities",
    "random_index",
    "snap_to_scale",
    "suggest_revision",
    "validate_array",
    "verbal_label",
]
__all__ += [
    "CONSENSUS_WORDS",
    "Consensus",
    "ExpertScreen",
    "Hierarchy",
    "HierarchyWeights",
    "Node",
    "PanelJudgments",
    "PanelResult",
    "aggregate_judgments",
    "aggregate_priorities",
    "consensus",
    "panel_weights",
    "read_judgments_csv",
    "read_judgments_xlsx",
    "safe_cell_text",
    "safe_sheet_names",
    "screen_cr",
    "screen_experts",
    "write_judgments_csv",
    "write_judgments_xlsx",
    "write_template",
]
