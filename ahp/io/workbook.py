"""Expert workbooks (Excel, openpyxl) and the long judgment CSV.

**One workbook per expert.** Sheet ``说明 Guide`` comes first (instructions, the expert, the
list of sheets, the Saaty scale), then one sheet per node with two or more children, named by
its code (made a valid sheet name if needed). On every node sheet:

* ``A1`` = ``专家 Expert``, ``B1`` = the expert's name; ``C1``/``D1`` = node code, ``E1`` = its
  names in Chinese / English;
* row 3 from column B and column A from row 4 hold the compared child codes; the column after
  the matrix holds each child's Chinese / English name (the note column);
* the cell in the row of element i and the column of element j holds a_ij = how many times i is
  more important than j; the upper triangle is filled (numbers or text like ``1/3``), the
  diagonal is 1, the lower triangle is left blank (derived as 1/a_ij);
* the legend of Saaty's scale in Chinese and English sits under the matrix.

Text taken from user files (names, codes, the expert) is guarded against formula injection with
:func:`ahp.io.xlsx_safety.safe_cell_text`. Upper-triangle cells are formatted as text so that Excel
does not turn ``1/3`` into a date.

The long CSV has the columns ``expert,node,row,col,value`` with one line per upper-triangle
judgment (blank cells are left out).

References
----------
Saaty, T. L. (2008). Decision making with the analytic hierarchy process. *International
Journal of Services Sciences*, 1(1), 83-98 (Table 1, the fundamental scale).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from os import PathLike
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ahp.errors import JudgmentError, WorkbookError
from ahp.hierarchy import Hierarchy
from ahp.io.xlsx_safety import restore_cell_text, safe_cell_text, safe_sheet_names
from ahp.panel import COLUMNS, PanelJudgments
from ahp.scale import off_scale, parse_judgment, verbal_label
from i18n.messages import Message, Term
from untrusted import FileLimits, check_csv, check_label_length, check_xlsx

__all__ = [
    "GUIDE_SHEET",
    "node_sheet_names",
    "read_judgments_csv",
    "read_judgments_xlsx",
    "write_judgments_csv",
    "write_judgments_xlsx",
    "write_template",
]

GUIDE_SHEET = "说明 Guide"
EXPERT_LABEL = "专家 Expert"
NODE_LABEL = "节点 Node"
HEADER_ROW = 3
FIRST_ROW = 4
FIRST_COL = 2
_GREY = PatternFill("solid", fgColor="DDDDDD")
_INPUT = PatternFill("solid", fgColor="FFF9DB")
_BOLD = Font(bold=True)
_CHOICES = [f"1/{k}" for k in range(9, 1, -1)] + [str(k) for k in range(1, 10)]

Target = str | PathLike[str] | BinaryIO


def node_sheet_names(hierarchy: Hierarchy) -> dict[str, str]:
    """Sheet name of every node that gets a matrix (its code, made valid and unique)."""
    names = safe_sheet_names([GUIDE_SHEET, *hierarchy.compared_nodes()])
    del names[GUIDE_SHEET]
    return names


def _bilingual(hierarchy: Hierarchy, code: str) -> str:
    zh, en = hierarchy.name(code, "zh"), hierarchy.name(code, "en")
    return zh if zh == en else f"{zh} / {en}"


def _legend_rows() -> list[tuple[str, str, str]]:
    rows = [(str(v), verbal_label(v, "zh"), verbal_label(v, "en")) for v in (1, 3, 5, 7, 9)]
    rows.append(("2, 4, 6, 8", "相邻判断的中间值", "intermediate values between the above"))
    rows.append(
        (
            "1/2 … 1/9",
            "倒数：列元素比行元素重要（如 1/3 = 列元素稍微重要）",
            "reciprocals: the column element is the more important (1/3 = moderately)",
        )
    )
    return rows


def _write_legend(sheet: Worksheet, top: int) -> None:
    sheet.cell(top, 1, "Saaty 标度 / Saaty scale").font = _BOLD
    sheet.cell(top + 1, 1, "数值 Value").font = _BOLD
    sheet.cell(top + 1, 2, "含义").font = _BOLD
    sheet.cell(top + 1, 3, "Meaning").font = _BOLD
    for offset, (value, zh, en) in enumerate(_legend_rows(), start=2):
        sheet.cell(top + offset, 1, value)
        sheet.cell(top + offset, 2, zh)
        sheet.cell(top + offset, 3, en)


def _write_guide(book: Workbook, hierarchy: Hierarchy, expert: str, sheets: dict[str, str]):
    guide = book.active
    guide.title = GUIDE_SHEET
    guide["A1"], guide["B1"] = EXPERT_LABEL, safe_cell_text(expert)
    guide["A1"].font = _BOLD
    lines = [
        "请在每个工作表中填写对角线右上方的黄色单元格：行元素相对列元素的重要程度（1/9 … 9）。",
        "Fill the yellow cells above the diagonal on every sheet: how much more important the "
        "row element is than the column element (1/9 … 9).",
        "对角线为 1；左下方留空（自动取倒数）。可填写数字或 1/3 这样的分数。",
        "The diagonal is 1; leave the lower triangle blank (it is the reciprocal). Type numbers "
        "or fractions like 1/3.",
    ]
    for row, text in enumerate(lines, start=3):
        guide.cell(row, 1, text)
    top = 3 + len(lines) + 1
    guide.cell(top, 1, "工作表 Sheet").font = _BOLD
    guide.cell(top, 2, "节点 Node").font = _BOLD
    guide.cell(top, 3, "比较的要素 Compared elements").font = _BOLD
    for offset, (code, sheet) in enumerate(sheets.items(), start=1):
        guide.cell(top + offset, 1, safe_cell_text(sheet))
        guide.cell(top + offset, 2, safe_cell_text(f"{code} {_bilingual(hierarchy, code)}"))
        guide.cell(top + offset, 3, safe_cell_text(", ".join(hierarchy.children(code))))
    _write_legend(guide, top + len(sheets) + 2)
    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["B"].width = 40
    guide.column_dimensions["C"].width = 60


def _write_node_sheet(
    book: Workbook,
    hierarchy: Hierarchy,
    code: str,
    sheet_name: str,
    expert: str,
    matrix: np.ndarray | None,
) -> None:
    sheet = book.create_sheet(sheet_name)
    children = hierarchy.children(code)
    n = len(children)
    sheet["A1"], sheet["B1"] = EXPERT_LABEL, safe_cell_text(expert)
    sheet["C1"], sheet["D1"] = NODE_LABEL, safe_cell_text(code)
    sheet["E1"] = safe_cell_text(_bilingual(hierarchy, code))
    sheet["A1"].font = sheet["C1"].font = _BOLD
    sheet["A2"] = (
        "行元素相对列元素的重要程度 / importance of the row element over the column element"
    )
    note_col = FIRST_COL + n
    sheet.cell(HEADER_ROW, note_col, "名称 Name").font = _BOLD
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(_CHOICES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        error="请填写 1/9 … 9 / Use a value from 1/9 to 9",
    )
    sheet.add_data_validation(validation)
    for i, child in enumerate(children):
        head = sheet.cell(HEADER_ROW, FIRST_COL + i, safe_cell_text(child))
        side = sheet.cell(FIRST_ROW + i, 1, safe_cell_text(child))
        head.font = side.font = _BOLD
        sheet.cell(FIRST_ROW + i, note_col, safe_cell_text(_bilingual(hierarchy, child)))
        for j in range(n):
            cell = sheet.cell(FIRST_ROW + i, FIRST_COL + j)
            if i == j:
                cell.value = 1
                cell.fill = _GREY
            elif i > j:
                cell.fill = _GREY
            else:
                cell.fill = _INPUT
                cell.number_format = "@"
                cell.alignment = Alignment(horizontal="center")
                validation.add(cell)
                if matrix is not None and not math.isnan(matrix[i, j]):
                    cell.value = _as_text(matrix[i, j])
    sheet.column_dimensions[get_column_letter(note_col)].width = 48
    _write_legend(sheet, FIRST_ROW + n + 1)


def _as_text(value: float) -> str:
    """A judgment as typed by a person: '3', '1/3' (Saaty values) or a short decimal."""
    if value >= 1 and abs(value - round(value)) < 1e-9:
        return str(round(value))
    if value < 1 and abs(1 / value - round(1 / value)) < 1e-9:
        return f"1/{round(1 / value)}"
    return f"{value:.6g}"


def _save(book: Workbook, path: Target) -> None:
    if isinstance(path, str | PathLike):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _expert_workbook(
    hierarchy: Hierarchy, expert: str, judgments: PanelJudgments | None
) -> Workbook:
    sheets = node_sheet_names(hierarchy)
    book = Workbook()
    _write_guide(book, hierarchy, expert, sheets)
    nodes = set(judgments.nodes) if judgments is not None else set()
    for code, sheet_name in sheets.items():
        matrix = None
        if judgments is not None and code in nodes:
            experts, stack = judgments.stack(code, hierarchy.children(code))
            if expert in experts:
                matrix = stack[experts.index(expert)]
        _write_node_sheet(book, hierarchy, code, sheet_name, expert, matrix)
    return book


def write_template(hierarchy: Hierarchy, path: Target, expert: str = "") -> None:
    """Write a blank expert workbook (one sheet per node with ≥ 2 children) to a path or buffer."""
    _save(_expert_workbook(hierarchy, expert, None), path)


def _file_stem(expert: str) -> str:
    cleaned = "".join("_" if ch in '<>:"/\\|?*' or ord(ch) < 32 else ch for ch in expert)
    return cleaned.strip(" .") or "expert"


def write_judgments_xlsx(
    judgments: PanelJudgments,
    hierarchy: Hierarchy,
    path: Target,
    expert: str | None = None,
) -> list[Path]:
    """Write filled expert workbooks, one per expert.

    * ``expert`` given: that expert's workbook is written to ``path`` (a file or a buffer).
    * a panel of one expert and ``path`` a ``.xlsx`` file or a buffer: written there.
    * otherwise ``path`` is a directory; one ``<expert>.xlsx`` per expert is written in it.

    Returns the files written (empty for a buffer).
    """
    experts = judgments.experts
    if expert is not None:
        if expert not in experts:
            raise WorkbookError("ahp.workbook.no_judgments", expert=expert)
        chosen: list[str] = [expert]
    else:
        chosen = experts
    to_buffer = not isinstance(path, str | PathLike)
    single_file = to_buffer or Path(path).suffix.lower() == ".xlsx"
    if single_file:
        if len(chosen) != 1:
            raise WorkbookError("ahp.workbook.need_folder", count=len(chosen), experts=chosen)
        _save(_expert_workbook(hierarchy, chosen[0], judgments), path)
        return [] if to_buffer else [Path(path)]
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    taken: set[str] = set()
    for name in chosen:
        stem, number = _file_stem(name), 1
        while (stem if number == 1 else f"{stem}~{number}").casefold() in taken:
            number += 1
        stem = stem if number == 1 else f"{stem}~{number}"
        taken.add(stem.casefold())
        target = folder / f"{stem}.xlsx"
        _save(_expert_workbook(hierarchy, name, judgments), target)
        written.append(target)
    return written


# ---------------------------------------------------------------- reading
def _cell_value(raw: Any, where: Message) -> float:
    """Parse one cell into a Saaty value (NaN when blank); errors name the cell."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return math.nan
    if isinstance(raw, dt.datetime | dt.date | dt.time):
        raise WorkbookError("ahp.workbook.date", where=where, raw=str(raw))
    if isinstance(raw, bool):
        raise WorkbookError("ahp.workbook.off_scale", where=where, raw=str(raw))
    try:
        value = parse_judgment(raw if isinstance(raw, str) else float(raw))
    except (JudgmentError, TypeError, ValueError):
        raise WorkbookError("ahp.workbook.off_scale", where=where, raw=str(raw)) from None
    if math.isnan(value):
        return value
    if off_scale(value):
        raise WorkbookError("ahp.workbook.off_scale", where=where, raw=str(raw))
    return value


def _display(raw: Any) -> str:
    return f"{raw:g}" if isinstance(raw, float) else str(raw)


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the .xlsx bytes holds a formula (an ``<f>`` element)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        return any(_FORMULA_TAG.search(archive.read(n)) for n in parts if n.endswith(".xml"))


@dataclass(frozen=True)
class _Book:
    """An opened expert workbook: cell values, the formulas (only when it has any) and the
    label used in messages (the file name stem)."""

    values: Any
    formulas: Any | None
    label: str


EXPERT_NAME_MAX_CHARS = 100
"""Longest expert name (cell B1, or a CSV's ``expert``) accepted; a longer one is refused."""


def workbook_limits(limits: FileLimits | None = None) -> FileLimits:
    """``limits`` (default ``FileLimits.from_env()``) tightened for an expert workbook, which
    holds a few small matrices: at most 10,000 rows, 1,000,000 cells and 256 MB unpacked
    (openpyxl keeps every cell as an object, about 1 KB each)."""
    limits = limits or FileLimits.from_env()
    return replace(
        limits,
        max_rows=min(limits.max_rows, 10_000),
        max_cells=min(limits.max_cells, 1_000_000),
        max_unzipped_mb=min(limits.max_unzipped_mb, 256),
        max_member_mb=min(limits.max_member_mb, 256),
    )


def _open(source: Target, number: int, limits: FileLimits) -> _Book:
    """Open a workbook; its label is the file name stem (``workbook N`` for a nameless buffer).
    The zip directory and the sheets' extents are checked first (:func:`untrusted.check_xlsx`)."""
    named = source if isinstance(source, str | PathLike) else getattr(source, "name", "")
    label = Path(str(named)).stem or f"workbook {number}"
    if isinstance(source, str | PathLike):
        check_xlsx(source, limits, what=Path(source).name)  # refuses a huge file unread
        data = Path(source).read_bytes()
    else:
        if source.seekable():  # openpyxl read a buffer from its start: keep doing so
            source.seek(0)
        data = source.read()
        check_xlsx(data, limits, what=Path(str(named)).name or label)
    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
        formulas = load_workbook(io.BytesIO(data)) if _has_formulas(data) else None
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise WorkbookError("ahp.workbook.cannot_open", label=label, reason=reason) from None
    return _Book(book, formulas, label)


def _check_merged(sheet: Worksheet, n: int, place: Message) -> None:
    """Merged cells over the matrix or its element codes hide judgments: refuse them."""
    last = FIRST_ROW + n - 1
    for merged in sheet.merged_cells.ranges:
        if merged.max_row >= HEADER_ROW and merged.min_row <= last and merged.min_col <= n + 1:
            raise WorkbookError("ahp.workbook.merged", place=place, cells=merged.coord)


def _check_uncached(book: _Book, sheet_name: str, cell: Any, place: Message) -> None:
    """A blank cell that holds a formula was saved without its value (e.g. written by a
    script): it must not be read as a missing judgment."""
    if cell.value is not None or book.formulas is None:
        return
    formula = book.formulas[sheet_name][cell.coordinate].value
    if isinstance(formula, str) and formula.startswith("="):
        raise WorkbookError("ahp.workbook.formula", place=place, cell=cell.coordinate,
                            formula=formula)


def _expert_name(book: Any, sheets: dict[str, str], fallback: str) -> str:
    found: dict[str, str] = {}
    for sheet_name in [GUIDE_SHEET, *sheets.values()]:
        if sheet_name in book.sheetnames:
            value = restore_cell_text(book[sheet_name]["B1"].value)
            if value is not None and str(value).strip():
                found[sheet_name] = str(value).strip()
    for sheet_name, value in found.items():
        check_label_length(value, f"workbook '{fallback}', sheet '{sheet_name}', cell B1 (expert)",
                           EXPERT_NAME_MAX_CHARS)
    names = set(found.values())
    if len(names) > 1:
        detail = [Message("ahp.workbook.sheet_name", sheet=s, name=x) for s, x in found.items()]
        raise WorkbookError("ahp.workbook.names_differ", book=fallback, detail=detail)
    return names.pop() if names else fallback


def _read_book(opened: _Book, hierarchy: Hierarchy) -> list[dict[str, Any]]:
    book, label = opened.values, opened.label
    sheets = node_sheet_names(hierarchy)
    expert = _expert_name(book, sheets, label)
    lines: list[dict[str, Any]] = []
    for code, sheet_name in sheets.items():
        place = Message("ahp.workbook.place", expert=expert, sheet=sheet_name)
        if sheet_name not in book.sheetnames:
            name = Term(hierarchy.name(code, "en"), hierarchy.name(code, "zh"))
            raise WorkbookError("ahp.workbook.sheet_missing", place=place, code=code, name=name)
        sheet = book[sheet_name]
        children = hierarchy.children(code)
        n = len(children)
        _check_merged(sheet, n, place)
        for i, child in enumerate(children):
            for cell in (sheet.cell(HEADER_ROW, FIRST_COL + i), sheet.cell(FIRST_ROW + i, 1)):
                text = restore_cell_text(cell.value)
                if str(text).strip() != child:
                    raise WorkbookError("ahp.workbook.code", place=place, cell=cell.coordinate,
                                        child=child, found="" if text is None else str(text))
        for i in range(n):
            diagonal = sheet.cell(FIRST_ROW + i, FIRST_COL + i)
            value = _cell_value(diagonal.value, Message("ahp.workbook.cell", place=place,
                                                        cell=diagonal.coordinate))
            if not math.isnan(value) and abs(value - 1) > 1e-9:
                raise WorkbookError("ahp.workbook.diagonal", place=place,
                                    cell=diagonal.coordinate, value=_display(diagonal.value))
            for j in range(i + 1, n):
                upper = sheet.cell(FIRST_ROW + i, FIRST_COL + j)
                lower = sheet.cell(FIRST_ROW + j, FIRST_COL + i)
                for cell in (upper, lower):
                    _check_uncached(opened, sheet_name, cell, place)
                a_ij = _cell_value(upper.value, Message("ahp.workbook.cell", place=place,
                                                        cell=upper.coordinate))
                a_ji = _cell_value(lower.value, Message("ahp.workbook.cell", place=place,
                                                        cell=lower.coordinate))
                if not math.isnan(a_ij) and not math.isnan(a_ji) and abs(a_ij * a_ji - 1) > 0.1:
                    raise WorkbookError("ahp.workbook.contradicts", place=place,
                                        lower=lower.coordinate, lower_value=_display(lower.value),
                                        upper=upper.coordinate, upper_value=_display(upper.value),
                                        expected=_as_text(1 / a_ij))
                if math.isnan(a_ij) and not math.isnan(a_ji):
                    a_ij = 1 / a_ji
                if not math.isnan(a_ij):
                    lines.append(
                        {
                            "expert": expert,
                            "node": code,
                            "row": children[i],
                            "col": children[j],
                            "value": a_ij,
                        }
                    )
    return lines


def workbook_sources(path_or_paths: Target | Sequence[Target], *,
                     error: type[Exception] = WorkbookError,
                     kind: str = "workbook") -> list[Target]:
    """The workbooks behind a path, a folder (its ``*.xlsx`` files, Excel's ``~$`` lock files
    left out), an open file or a sequence of them; ``error`` (naming the ``kind`` of workbook)
    when a folder has none or a path does not exist."""
    if isinstance(path_or_paths, str | PathLike):
        path = Path(path_or_paths)
        if path.is_dir():
            found = sorted(p for p in path.glob("*.xlsx") if not p.name.startswith("~$"))
            if not found:
                raise error(f"no .xlsx workbooks in folder {path}")
            return list(found)
        if not path.exists():
            raise error(f"no such {kind} or folder: {path}")
        return [path]
    if isinstance(path_or_paths, io.IOBase):
        return [path_or_paths]
    return list(path_or_paths)


def read_judgments_xlsx(
    path_or_paths: Target | Sequence[Target], hierarchy: Hierarchy,
    limits: FileLimits | None = None,
) -> PanelJudgments:
    """Read filled expert workbooks (files, buffers, a list of them, or a folder of .xlsx).

    The expert is the name in cell B1 (the file name when B1 is blank everywhere). Blank upper
    cells are missing judgments; a lower-triangle value is used when its upper cell is blank and
    must be the reciprocal (±10 %) when both are filled.

    Raises
    ------
    WorkbookError
        Naming the expert, sheet and cell, e.g. ``expert 'E03', sheet 'B2', cell D5: '0' is not
        on the Saaty scale 1/9..9``; a missing sheet; a contradicting lower triangle; the same
        expert in two workbooks; merged cells over a matrix; a formula saved without its value
        (it would otherwise read as a blank, i.e. missing, judgment).
    untrusted.UntrustedFileError
        A workbook over :func:`workbook_limits` (checked before openpyxl reads it), or an
        expert name over :data:`EXPERT_NAME_MAX_CHARS` characters.
    """
    limits = workbook_limits(limits)
    lines: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    blank: list[str] = []
    for number, source in enumerate(workbook_sources(path_or_paths), start=1):
        opened = _open(source, number, limits)
        label = opened.label
        book_lines = _read_book(opened, hierarchy)
        if not book_lines:
            blank.append(label)
            continue
        expert = book_lines[0]["expert"]
        if expert in seen:
            raise WorkbookError("ahp.workbook.expert_twice", expert=expert,
                                first=seen[expert], second=label)
        seen[expert] = label
        lines += book_lines
    if not lines:
        raise WorkbookError("ahp.workbook.all_blank", books=blank)
    return PanelJudgments(pd.DataFrame(lines, columns=list(COLUMNS)))


def _csv_text(path: Target, limits: FileLimits | None = None) -> tuple[str, str]:
    """The CSV's text (UTF-8 with or without BOM, else GB18030) and its label for messages;
    its size, columns and lines checked first (:func:`untrusted.check_csv`)."""
    if isinstance(path, str | PathLike):
        label = str(path)
        file = Path(path)
        if file.is_dir():
            raise WorkbookError("ahp.csv.folder", label=label)
        if not file.is_file():
            raise WorkbookError("ahp.csv.no_file", label=label)
        data = file.read_bytes()
    else:
        label = str(getattr(path, "name", "")) or "judgment upload"
        data = path.read()
        data = data.encode("utf-8") if isinstance(data, str) else data
    check_csv(data, limits or FileLimits.from_env(), what=Path(label).name)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), label
        except UnicodeDecodeError:
            continue
    raise WorkbookError("ahp.csv.encoding", label=label)


def _check_blank_fields(frame: pd.DataFrame, label: str) -> None:
    """Expert, node, row and col must be filled on every line (header = line 1)."""
    for column in ("expert", "node", "row", "col"):
        empty = frame[column].astype(str).str.strip() == ""
        if empty.any():
            offset = int(np.flatnonzero(empty.to_numpy())[0])
            expert = str(frame["expert"].iloc[offset]).strip()
            if expert:
                raise WorkbookError("ahp.csv.empty_field_expert", label=label, line=offset + 2,
                                    column=column, expert=expert)
            raise WorkbookError("ahp.csv.empty_field", label=label, line=offset + 2,
                                column=column)


def _check_expert_names(frame: pd.DataFrame, label: str) -> None:
    """An expert name longer than :data:`EXPERT_NAME_MAX_CHARS` is refused, naming its line."""
    lengths = frame["expert"].astype(str).str.len().to_numpy()
    too_long = np.flatnonzero(lengths > EXPERT_NAME_MAX_CHARS)
    if too_long.size:
        offset = int(too_long[0])
        check_label_length(frame["expert"].iloc[offset],
                           f"judgment file {label}, line {offset + 2} (expert)",
                           EXPERT_NAME_MAX_CHARS)


def _check_lines(frame: pd.DataFrame, hierarchy: Hierarchy, label: str) -> None:
    """Every line's node compares two or more children, and its row and col are among them;
    errors name the CSV line (header = line 1) and the expert."""
    compared = set(hierarchy.compared_nodes())
    for offset, line in enumerate(frame.itertuples(index=False)):
        node, row, col = (str(x).strip() for x in (line.node, line.row, line.col))
        where = Message("ahp.csv.where", label=label, line=offset + 2,
                        expert=str(line.expert).strip())
        if node not in hierarchy:
            raise WorkbookError("ahp.csv.unknown_node", where=where, node=node)
        if node not in compared:
            raise WorkbookError("ahp.csv.leaf_node", where=where, node=node)
        children = hierarchy.children(node)
        for element in (row, col):
            if element and element not in children:
                raise WorkbookError("ahp.csv.not_child", where=where, element=element,
                                    node=node, children=list(children))


def read_judgments_csv(
    path: Target, hierarchy: Hierarchy | None = None, limits: FileLimits | None = None
) -> PanelJudgments:
    """Read the long CSV ``expert,node,row,col,value`` (UTF-8, BOM allowed, or GB18030; values
    as numbers or text like ``1/3``; header names in any case).

    With ``hierarchy`` every line is also checked against the framework (known node with two
    or more children; row and col among its children), naming the CSV line.
    """
    text, label = _csv_text(path, limits)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise WorkbookError("ahp.csv.empty", label=label) from None
    except pd.errors.ParserError as exc:
        raise WorkbookError("ahp.csv.unreadable", label=label,
                            detail=" ".join(str(exc).split())) from None
    frame = frame.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise WorkbookError("ahp.csv.missing_columns", label=label, missing=missing,
                            header=[str(c) for c in frame.columns], expected=",".join(COLUMNS))
    if frame.empty:
        raise WorkbookError("ahp.csv.no_judgments", label=label)
    frame = frame.fillna("").map(restore_cell_text)  # a short line leaves NaN cells
    _check_blank_fields(frame, label)
    _check_expert_names(frame, label)
    if hierarchy is not None:
        _check_lines(frame, hierarchy, label)
    frame["value"] = frame["value"].replace("", np.nan)
    try:
        return PanelJudgments(frame)
    except JudgmentError as exc:
        raise WorkbookError("ahp.csv.invalid", label=label, reason=exc.message) from None


def write_judgments_csv(judgments: PanelJudgments, path: Target) -> None:
    """Write the long CSV (UTF-8); text that starts like a formula is prefixed with ``'``."""
    frame = judgments.table.copy()
    for column in ("expert", "node", "row", "col"):
        frame[column] = frame[column].map(safe_cell_text)
    frame.to_csv(path, index=False, encoding="utf-8", float_format="%.12g")
