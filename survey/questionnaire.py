"""A blank questionnaire workbook for a framework: the items to ask and a sheet to enter answers.

Sheet ``问卷 Questionnaire`` lists every item (code, dimension, sub-indicator, statement in
Chinese and English, reverse-coded flag) with the 5-point scale (1 = 非常不同意 / strongly
disagree … 5 = 非常同意 / strongly agree; Zheng & Lu 2022). Sheet ``数据 Data`` has the headers
``序号, 社区, D01 … Dnn`` that :func:`survey.load_responses` matches by item code, so answers typed
there load without a mapping file.
"""

from __future__ import annotations

from os import PathLike
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ahp.hierarchy import Hierarchy
from ahp.io.xlsx_safety import safe_cell_text

SCALE = (
    (1, "非常不同意", "strongly disagree"),
    (2, "不同意", "disagree"),
    (3, "一般", "neutral"),
    (4, "同意", "agree"),
    (5, "非常同意", "strongly agree"),
)


def write_questionnaire_template(
    hierarchy: Hierarchy, target: str | PathLike[str] | BinaryIO, lang: str = "zh"
) -> None:
    """Write the blank questionnaire workbook for ``hierarchy`` to ``target``."""
    wb = Workbook()
    items_ws = wb.active
    items_ws.title = "问卷 Questionnaire"
    headers = ["代码 Code", "维度 Dimension", "二级指标 Sub-indicator", "题目", "Statement",
               "反向计分 Reverse-coded"]
    items_ws.append(headers)
    for code in hierarchy.items:
        node = hierarchy.nodes[code]
        sub = node.parent
        dim = hierarchy.nodes[sub].parent if sub else None
        items_ws.append([
            code,
            safe_cell_text(hierarchy.name(dim, lang)) if dim else "",
            safe_cell_text(hierarchy.name(sub, lang)) if sub else "",
            safe_cell_text(node.name_zh),
            safe_cell_text(node.name_en),
            "是 yes" if node.reverse else "",
        ])
    items_ws.append([])
    items_ws.append(["量表 Scale"])
    for value, zh, en in SCALE:
        items_ws.append([value, zh, en])
    for cell in items_ws[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEF", (8, 14, 22, 40, 48, 14), strict=True):
        items_ws.column_dimensions[column].width = width
    for row in items_ws.iter_rows(min_row=2, max_col=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    items_ws.freeze_panes = "A2"

    data_ws = wb.create_sheet("数据 Data")
    data_ws.append(["序号", "社区", *hierarchy.items])
    for cell in data_ws[1]:
        cell.font = Font(bold=True)
    data_ws.freeze_panes = "C2"
    wb.save(target)
