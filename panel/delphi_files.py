"""Delphi file formats: the long ratings CSV, one workbook per expert, and the analysis of rounds.

The statistics are :mod:`delphi` (pure math); this module reads and writes the files experts
and organizers exchange, in the style and with the guards of :mod:`ahp.io.workbook`.

**Long CSV** (UTF-8 or GB18030), one line per expert and indicator:

* required ``expert``, ``indicator`` (a framework code, e.g. ``B2``, ``C07``, ``D31``) and
  ``rating`` (importance 1–5, whole numbers; blank = not rated);
* optional ``comment`` (free text), ``round`` (1, 2, …; without it every line is round
  ``--round`` or 1);
* optional expert-level self-rating, on any of the expert's lines of the round (the others may
  stay blank, but two different values are an error): ``familiarity`` (很熟悉 / 熟悉 / 较熟悉
  / 一般 / 较不熟悉 / 不熟悉, the English labels or keys such as ``very_familiar``, or a number
  Cs in [0, 1]); ``basis_theory``, ``basis_practice``, ``basis_peers``, ``basis_intuition``
  (influence 大 / 中 / 小 or large / medium / small); or numeric ``cs`` and ``ca`` directly.

**Workbook** (one per expert; ``write_delphi_template``): sheet ``说明 Guide`` (instructions,
the 1–5 scale, the self-rating tables), sheet ``评分 Ratings`` with ``A1`` = ``专家 Expert``,
``B1`` = the expert, ``A2`` = ``轮次 Round``, ``B2`` = the round, and from row 5 one row per
indicator: code, level, Chinese name, English name, importance (1–5, a drop-down), comment, and
for rounds after the first the group's anonymised feedback of the previous round (mean, SD,
count of each rating). Sheet ``自评 Self-rating``: ``B2`` familiarity, ``B5:B8`` the influence
(大/中/小) of the four bases of judgment. Text cells are guarded against formula injection
(:func:`ahp.io.xlsx_safety.safe_cell_text`); a formula saved without its value is refused.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ahp.errors import WorkbookError
from ahp.hierarchy import Hierarchy
from ahp.io.workbook import EXPERT_NAME_MAX_CHARS, _open, workbook_limits, workbook_sources
from ahp.io.xlsx_safety import restore_cell_text, safe_cell_text
from delphi import BASIS, FAMILIARITY, INFLUENCE, DelphiError, DelphiRound, KeepRule
from delphi import delphi_round as _delphi_round
from delphi import kept_framework as _kept_framework
from i18n import Message
from untrusted import FileLimits, check_csv, check_label_length

__all__ = [
    "BASIS_COLUMNS",
    "LONG_COLUMNS",
    "RATINGS_SHEET",
    "SELF_SHEET",
    "DelphiAnalysis",
    "DelphiRatings",
    "analyse_rounds",
    "delphi_indicators",
    "read_delphi_csv",
    "read_delphi_ratings",
    "read_delphi_xlsx",
    "write_delphi_template",
]

Target = str | PathLike[str] | BinaryIO

LONG_COLUMNS = ("round", "expert", "indicator", "rating", "comment")
BASIS_COLUMNS = {f"basis_{key}": key for key in BASIS}
EXPERT_COLUMNS = ("familiarity", *BASIS_COLUMNS, "cs", "ca")
GUIDE_SHEET = "说明 Guide"
RATINGS_SHEET = "评分 Ratings"
SELF_SHEET = "自评 Self-rating"
FIRST_ROW = 5

_BOLD = Font(bold=True)
_INPUT = PatternFill("solid", fgColor="FFF9DB")
_GREY = Font(italic=True, color="666666")


def delphi_indicators(hierarchy: Hierarchy) -> list[str]:
    """The indicators a Delphi round rates: every node below the goal, in framework order."""
    return [code for code in hierarchy.nodes if code != hierarchy.root]


@dataclass(frozen=True)
class DelphiRatings:
    """Ratings of one or more Delphi rounds.

    ``ratings``: long table ``round, expert, indicator, rating, comment`` (rating float 1–5 or
    NaN); ``experts``: per ``round, expert`` the self-ratings ``familiarity`` (a label or number,
    None when not given) and ``basis`` (mapping basis → influence, or a number Ca, or None).
    """

    ratings: pd.DataFrame
    experts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["round", "expert", "familiarity", "basis"]))

    @property
    def rounds(self) -> list[int]:
        return sorted(int(r) for r in self.ratings["round"].unique())

    def wide(self, number: int, indicators: Sequence[str] | None = None) -> pd.DataFrame:
        """Indicators × experts ratings of round ``number`` (every expert of the round)."""
        lines = self.ratings[self.ratings["round"] == number]
        wide = lines.pivot_table(index="indicator", columns="expert", values="rating",
                                 aggfunc="first", dropna=False)
        experts = list(dict.fromkeys(lines["expert"]))
        order = list(indicators) if indicators is not None else list(dict.fromkeys(
            lines["indicator"]))
        return wide.reindex(index=order, columns=experts).astype(float)

    def self_ratings(self, number: int) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """(familiarity, basis) mappings expert → value of round ``number``; ``None`` when
        nobody gave them."""
        rows = self.experts[self.experts["round"] == number]
        fam = {r.expert: r.familiarity for r in rows.itertuples() if r.familiarity is not None}
        basis = {r.expert: r.basis for r in rows.itertuples() if r.basis is not None}
        return (fam or None), (basis or None)

    def comments(self, number: int) -> pd.DataFrame:
        """``indicator, expert, comment`` of round ``number`` (non-blank comments)."""
        lines = self.ratings[(self.ratings["round"] == number)]
        lines = lines[lines["comment"].fillna("").astype(str).str.strip() != ""]
        return lines[["indicator", "expert", "comment"]].reset_index(drop=True)


@dataclass(frozen=True)
class DelphiAnalysis:
    """Statistics of successive rounds: ``numbers`` (round numbers), ``rounds``
    (:class:`delphi.DelphiRound` each), ``kept`` (framework rows that survive every round, the
    columns of ``data/framework.csv``)."""

    numbers: list[int]
    rounds: list[DelphiRound]
    kept: pd.DataFrame
    problem: str = ""
    """Why ``kept`` is not yet a usable framework for the AHP panel (empty when it is)."""


# ---------------------------------------------------------------------------- CSV
def _csv_frame(path: Target) -> tuple[pd.DataFrame, str]:
    if isinstance(path, str | PathLike):
        label = str(path)
        file = Path(path)
        if not file.is_file():
            raise DelphiError("error.delphi.no_file", path=label)
        data = file.read_bytes()
    else:
        label = str(getattr(path, "name", "")) or "Delphi ratings upload"
        data = path.read()
        data = data.encode("utf-8") if isinstance(data, str) else data
    check_csv(data, FileLimits.from_env(), what=Path(label).name)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DelphiError("error.delphi.encoding", file=label)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DelphiError("error.delphi.csv_unreadable", file=label,
                          detail=" ".join(str(exc).split())) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame, label


def _rating(raw: object, where: str) -> float:
    """A 1–5 whole-number rating from a cell (blank → NaN); DelphiError naming ``where``."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return float("nan")
    text = str(raw).strip()
    if text == "":
        return float("nan")
    try:
        value = float(text)
    except ValueError:
        raise DelphiError("error.delphi.rating_text", where=where, value=repr(text)) from None
    if value not in (1, 2, 3, 4, 5):
        raise DelphiError("error.delphi.rating_scale", where=where, value=repr(text))
    return value


def _number_or_text(raw: str) -> object:
    try:
        return float(raw)
    except ValueError:
        return raw


def _one_value(values: list[str], what: str, where: str) -> str | None:
    found = sorted({v.strip() for v in values if v and v.strip()})
    if len(found) > 1:
        raise DelphiError("error.delphi.self_differs", where=where, column=what,
                          values=found)
    return found[0] if found else None


def _expert_rows(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    rows = []
    for (number, expert), group in frame.groupby(["round", "expert"], sort=False):
        where = Message("error.delphi.place.expert_round", file=label, expert=expert,
                        round=number)
        fam = _one_value(group["familiarity"].tolist(), "familiarity", where) \
            if "familiarity" in group else None
        if fam is None and "cs" in group:
            cs = _one_value(group["cs"].tolist(), "cs", where)
            fam = cs
        familiarity = _number_or_text(fam) if fam is not None else None
        basis: object = None
        levels = {key: _one_value(group[col].tolist(), col, where)
                  for col, key in BASIS_COLUMNS.items() if col in group}
        levels = {k: v for k, v in levels.items() if v is not None}
        if levels:
            missing = [k for k in BASIS if k not in levels]
            if missing:
                raise DelphiError("error.delphi.basis_missing", where=where,
                                  columns=["basis_" + m for m in missing])
            basis = levels
        elif "ca" in group:
            ca = _one_value(group["ca"].tolist(), "ca", where)
            basis = _number_or_text(ca) if ca is not None else None
        rows.append({"round": int(number), "expert": str(expert), "familiarity": familiarity,
                     "basis": basis})
    return pd.DataFrame(rows, columns=["round", "expert", "familiarity", "basis"])


def _check_codes(frame: pd.DataFrame, hierarchy: Hierarchy, label: str, line: pd.Series) -> None:
    known = set(delphi_indicators(hierarchy))
    unknown = ~frame["indicator"].isin(known)
    if unknown.any():
        first = frame.index[unknown][0]
        raise DelphiError("error.delphi.csv_code", file=label, line=line[first],
                          code=repr(frame.at[first, "indicator"]))


def read_delphi_csv(
    path: Target, hierarchy: Hierarchy, round_number: int | None = None
) -> DelphiRatings:
    """Read the long Delphi CSV (format in the module docstring); errors name the line."""
    frame, label = _csv_frame(path)
    missing = [c for c in ("expert", "indicator", "rating") if c not in frame.columns]
    if missing:
        raise DelphiError("error.delphi.csv_columns", file=label, missing=missing,
                          columns="expert,indicator,rating[,comment,round,familiarity,"
                          "basis_theory,basis_practice,basis_peers,basis_intuition]")
    line = pd.Series(np.arange(2, len(frame) + 2), index=frame.index)
    for column in ("expert", "indicator"):
        frame[column] = frame[column].astype(str).str.strip()
        blank = frame[column] == ""
        if blank.any():
            raise DelphiError("error.delphi.csv_blank", file=label,
                                  line=line[frame.index[blank][0]], column=column)
    if "round" in frame.columns:
        try:
            frame["round"] = frame["round"].astype(str).str.strip().replace("", "1").astype(int)
        except ValueError:
            raise DelphiError("error.delphi.csv_round", file=label) from None
    else:
        frame["round"] = round_number or 1
    if "comment" not in frame.columns:
        frame["comment"] = ""
    _check_codes(frame, hierarchy, label, line)
    frame["rating"] = [
        _rating(v, Message("error.delphi.place.line", file=label, line=line[i],
                           expert=frame.at[i, "expert"], indicator=frame.at[i, "indicator"]))
        for i, v in frame["rating"].items()
    ]
    dup = frame.duplicated(["round", "expert", "indicator"], keep="first")
    if dup.any():
        i = frame.index[dup][0]
        raise DelphiError("error.delphi.csv_twice", file=label, line=line[i],
                          expert=frame.at[i, "expert"], indicator=frame.at[i, "indicator"],
                          round=frame.at[i, "round"])
    frame["comment"] = frame["comment"].map(lambda v: restore_cell_text(str(v).strip()))
    for column in EXPERT_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].astype(str)
    experts = _expert_rows(frame, label)
    return DelphiRatings(frame[list(LONG_COLUMNS)].reset_index(drop=True), experts)


# ---------------------------------------------------------------------------- workbooks
def _levels_text() -> str:
    return " / ".join(f"{zh} {en}" for zh, en in INFLUENCE.values())


def _guide_lines(round_number: int, with_feedback: bool) -> list[tuple[str, Font | None]]:
    """The paragraphs of the Guide sheet, each (text, font or None): title, round, how to rate,
    how to self-rate, and with ``with_feedback`` what the grey feedback columns show."""
    lines: list[tuple[str, Font | None]] = [
        ("德尔菲专家咨询表 Delphi consultation", _BOLD),
        (f"第 {round_number} 轮 Round {round_number}", None),
        ("请在「评分 Ratings」表的“重要性”列为每个指标打分：5 很重要，4 重要，3 一般，2 不太重要，"
         "1 不重要；可在“意见”列写修改意见。", None),
        ("Rate every indicator's importance on the Ratings sheet: 5 very important, 4 important, "
         "3 moderately important, 2 of little importance, 1 unimportant; add a comment if you "
         "wish.", None),
        ("请在「自评 Self-rating」表填写您对本指标体系的熟悉程度和判断依据（每轮一次）。", None),
        ("On the Self-rating sheet, give your familiarity with the indicators and the basis of "
         "your judgment (once per round).", None),
    ]
    if with_feedback:
        lines.append(("右侧灰色列为上一轮全体专家的匿名反馈（均值、标准差、各分值人数）。 "
                      "The grey columns show the previous round's anonymised group feedback "
                      "(mean, SD, count of each rating).", None))
    return lines


def _write_guide_sheet(guide: Worksheet, round_number: int, with_feedback: bool) -> None:
    """Name the workbook's first sheet ``说明 Guide`` and write :func:`_guide_lines` down
    column A (100 wide, wrapped)."""
    guide.title = GUIDE_SHEET
    guide.column_dimensions["A"].width = 100
    for row, (text, font) in enumerate(_guide_lines(round_number, with_feedback), start=1):
        guide.cell(row=row, column=1, value=text).alignment = Alignment(wrap_text=True)
        if font is not None:
            guide.cell(row=row, column=1).font = font


def _ratings_headers(with_feedback: bool) -> list[str]:
    """Column headers of the Ratings sheet: code, level, names, importance, comment, and with
    ``with_feedback`` the previous round's mean, SD and count of each rating 1–5."""
    headers = ["代码 Code", "层级 Level", "指标 Indicator", "Indicator (English)",
               "重要性 Importance (1–5)", "意见 Comment"]
    if with_feedback:
        headers += ["上轮均值 Mean", "上轮标准差 SD"] + [f"评 {s} 分人数 n({s})"
                                                   for s in range(1, 6)]
    return headers


def _write_ratings_heading(sheet: Worksheet, expert: str, round_number: int,
                           with_feedback: bool) -> None:
    """Expert (``B1``, an input cell) and round (``B2``) of the Ratings sheet, and the bold
    column headers on the row above ``FIRST_ROW``."""
    sheet["A1"], sheet["A2"] = "专家 Expert", "轮次 Round"
    sheet["B1"] = safe_cell_text(expert)
    sheet["B1"].fill = _INPUT
    sheet["B2"] = round_number
    for col, text in enumerate(_ratings_headers(with_feedback), start=1):
        cell = sheet.cell(row=FIRST_ROW - 1, column=col, value=text)
        cell.font = _BOLD


def _add_importance_validation(sheet: Worksheet) -> DataValidation:
    """Add to ``sheet`` (and return) the whole-number 1–5 rule of the importance cells."""
    valid = DataValidation(type="whole", operator="between", formula1="1", formula2="5",
                           allow_blank=True, showErrorMessage=True,
                           error="1–5", errorTitle="重要性 Importance")
    sheet.add_data_validation(valid)
    return valid


def _feedback_values(fb: pd.Series) -> list[float | int]:
    """One indicator's group feedback cells: mean and SD rounded to 2 decimals, then the
    count of experts who gave each rating 1–5 (``rated_1`` … ``rated_5``)."""
    return [round(float(fb["mean"]), 2), round(float(fb["sd"]), 2)] + [
        int(fb[f"rated_{s}"]) for s in range(1, 6)]


def _write_indicator_row(
    sheet: Worksheet,
    row: int,
    code: str,
    hierarchy: Hierarchy,
    valid: DataValidation,
    ratings: Mapping[str, float] | None,
    comments: Mapping[str, str] | None,
    feedback: pd.DataFrame | None,
) -> None:
    """One indicator's row of the Ratings sheet: code, level, Chinese and English names, the
    importance input (the expert's rating when given and not NaN; validated 1–5), the comment
    input, and the grey feedback cells (:func:`_feedback_values`) when ``feedback`` has the
    indicator."""
    node = hierarchy.nodes[code]
    sheet.cell(row=row, column=1, value=safe_cell_text(code))
    sheet.cell(row=row, column=2, value=node.level)
    sheet.cell(row=row, column=3, value=safe_cell_text(node.name_zh or ""))
    sheet.cell(row=row, column=4, value=safe_cell_text(node.name_en or ""))
    rating = sheet.cell(row=row, column=5)
    if ratings and code in ratings and not math.isnan(float(ratings[code])):
        rating.value = int(ratings[code])
    rating.fill = _INPUT
    valid.add(rating)
    note = sheet.cell(row=row, column=6, value=safe_cell_text((comments or {}).get(code)))
    note.fill = _INPUT
    if feedback is not None and code in feedback.index:
        for j, value in enumerate(_feedback_values(feedback.loc[code]), start=7):
            sheet.cell(row=row, column=j, value=value).font = _GREY


def _write_ratings_sheet(
    sheet: Worksheet,
    hierarchy: Hierarchy,
    codes: Sequence[str],
    expert: str,
    round_number: int,
    feedback: pd.DataFrame | None,
    ratings: Mapping[str, float] | None,
    comments: Mapping[str, str] | None,
) -> None:
    """The Ratings sheet: heading, one row per indicator of ``codes`` from ``FIRST_ROW``,
    column widths of A–F, and panes frozen at ``C{FIRST_ROW}``."""
    _write_ratings_heading(sheet, expert, round_number, feedback is not None)
    valid = _add_importance_validation(sheet)
    for offset, code in enumerate(codes):
        _write_indicator_row(sheet, FIRST_ROW + offset, code, hierarchy, valid, ratings,
                             comments, feedback)
    for letter, width in zip("ABCDEF", (8, 6, 28, 36, 18, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = f"C{FIRST_ROW}"


def _write_familiarity(own: Worksheet, familiarity: str | None) -> None:
    """Rows 1–2 of the Self-rating sheet: the familiarity input ``B2`` (a drop-down of the
    Chinese labels of :data:`delphi.FAMILIARITY`) and, in ``C2``, every label with its Cs."""
    own["A1"] = "熟悉程度 Familiarity (Cs)"
    own["A1"].font = _BOLD
    own["A2"] = "您对本指标体系的熟悉程度 Your familiarity"
    own["B2"] = familiarity or None
    own["B2"].fill = _INPUT
    fam_choices = ",".join(zh for _, zh, _ in FAMILIARITY.values())
    fam_valid = DataValidation(type="list", formula1=f'"{fam_choices}"', allow_blank=True)
    own.add_data_validation(fam_valid)
    fam_valid.add("B2")
    own["C2"] = " / ".join(f"{zh} {en} ({c:g})" for c, zh, en in FAMILIARITY.values())


def _write_basis(own: Worksheet, basis: Mapping[str, str] | None) -> None:
    """Rows 4–8 of the Self-rating sheet: for each basis of judgment of :data:`delphi.BASIS`,
    its name, the influence input in column B (a 大/中/小 drop-down) and in column C the Ca
    weight of each influence level."""
    own["A4"] = f"判断依据 Basis of judgment (Ca): 影响程度 influence {_levels_text()}"
    own["A4"].font = _BOLD
    level_valid = DataValidation(type="list", formula1='"大,中,小"', allow_blank=True)
    own.add_data_validation(level_valid)
    for offset, (key, (weights, zh, en)) in enumerate(BASIS.items()):
        row = 5 + offset
        own.cell(row=row, column=1, value=f"{zh} {en}")
        cell = own.cell(row=row, column=2, value=(basis or {}).get(key))
        cell.fill = _INPUT
        level_valid.add(cell)
        own.cell(row=row, column=3, value=" / ".join(
            f"{INFLUENCE[k][0]} {v:g}" for k, v in weights.items()))


def _write_self_rating_sheet(own: Worksheet, familiarity: str | None,
                             basis: Mapping[str, str] | None) -> None:
    """The Self-rating sheet: familiarity (:func:`_write_familiarity`), the bases of judgment
    (:func:`_write_basis`) and the widths of columns A–C."""
    _write_familiarity(own, familiarity)
    _write_basis(own, basis)
    own.column_dimensions["A"].width = 44
    own.column_dimensions["B"].width = 12
    own.column_dimensions["C"].width = 70


def write_delphi_template(
    hierarchy: Hierarchy,
    path: Target,
    expert: str = "",
    *,
    round_number: int = 1,
    indicators: Sequence[str] | None = None,
    feedback: pd.DataFrame | None = None,
    ratings: Mapping[str, float] | None = None,
    comments: Mapping[str, str] | None = None,
    familiarity: str | None = None,
    basis: Mapping[str, str] | None = None,
) -> None:
    """Write an expert's Delphi workbook (layout in the module docstring).

    ``indicators`` default to every node below the goal (round 1); ``feedback`` (the
    :class:`delphi.NextRound` table: mean, sd, rated_1..rated_5 by indicator) adds the
    previous round's anonymised group feedback; ``ratings``/``comments``/``familiarity``/
    ``basis`` fill in what the expert already entered (export from the app)."""
    codes = list(indicators) if indicators is not None else delphi_indicators(hierarchy)
    book = Workbook()
    _write_guide_sheet(book.active, round_number, feedback is not None)
    _write_ratings_sheet(book.create_sheet(RATINGS_SHEET), hierarchy, codes, expert,
                         round_number, feedback, ratings, comments)
    _write_self_rating_sheet(book.create_sheet(SELF_SHEET), familiarity, basis)
    book.save(path)


def _value(book: Any, sheet: str, ref: str, label: str) -> Any:
    value = book.values[sheet][ref].value
    if value is None and book.formulas is not None:
        formula = book.formulas[sheet][ref].value
        if isinstance(formula, str) and formula.startswith("="):
            raise DelphiError("error.delphi.formula", file=label, sheet=sheet, cell=ref)
    return value


def _read_delphi_book(opened: Any, hierarchy: Hierarchy, round_number: int | None
                      ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    label = opened.label
    for name in (RATINGS_SHEET, SELF_SHEET):
        if name not in opened.values.sheetnames:
            raise DelphiError("error.delphi.no_sheet", file=label, sheet=name,
                              command="shanzhi template delphi")
    expert = restore_cell_text(_value(opened, RATINGS_SHEET, "B1", label))
    expert = str(expert).strip() if expert not in (None, "") else label
    check_label_length(expert, f"{label}, sheet {RATINGS_SHEET!r}, cell B1 (expert)",
                       EXPERT_NAME_MAX_CHARS)
    number = _value(opened, RATINGS_SHEET, "B2", label)
    try:
        number = int(number) if number not in (None, "") else (round_number or 1)
    except (TypeError, ValueError):
        raise DelphiError("error.delphi.book_round", file=label, sheet=RATINGS_SHEET,
                          value=repr(number)) from None
    if round_number is not None:
        number = round_number
    known = set(delphi_indicators(hierarchy))
    ws = opened.values[RATINGS_SHEET]
    lines = []
    for row in range(FIRST_ROW, ws.max_row + 1):
        code = restore_cell_text(ws.cell(row=row, column=1).value)
        if code in (None, ""):
            continue
        code = str(code).strip()
        where = Message("error.delphi.place.cell", file=label, sheet=RATINGS_SHEET,
                        cell=f"E{row}", expert=expert, indicator=code)
        if code not in known:
            raise DelphiError("error.delphi.book_code", file=label, sheet=RATINGS_SHEET,
                              cell=f"A{row}", code=repr(code))
        rating = _rating(_value(opened, RATINGS_SHEET, f"E{row}", label), where)
        comment = restore_cell_text(ws.cell(row=row, column=6).value)
        lines.append({"round": number, "expert": expert, "indicator": code, "rating": rating,
                      "comment": str(comment).strip() if comment not in (None, "") else ""})
    fam = _value(opened, SELF_SHEET, "B2", label)
    levels = {key: _value(opened, SELF_SHEET, f"B{5 + i}", label)
              for i, key in enumerate(BASIS)}
    levels = {k: str(v).strip() for k, v in levels.items() if v not in (None, "")}
    if levels and len(levels) < len(BASIS):
        raise DelphiError("error.delphi.book_basis", file=label, sheet=SELF_SHEET,
                          levels="大/中/小")
    own = {"round": number, "expert": expert,
           "familiarity": str(fam).strip() if fam not in (None, "") else None,
           "basis": levels or None}
    return lines, own


def read_delphi_xlsx(
    path: Target | Sequence[Target], hierarchy: Hierarchy, round_number: int | None = None
) -> DelphiRatings:
    """Read Delphi workbooks (a file, buffers, or a folder of .xlsx, one per expert).

    The expert is cell B1 of the Ratings sheet (the file name when blank), the round cell B2
    (``round_number`` overrides it). Errors name the workbook, sheet and cell."""
    lines: list[dict[str, Any]] = []
    experts: list[dict[str, Any]] = []
    seen: dict[tuple[int, str], str] = {}
    limits = workbook_limits()
    sources = workbook_sources(path, error=DelphiError, kind="Delphi workbook")
    for number, source in enumerate(sources, start=1):
        try:
            opened = _open(source, number, limits)
        except WorkbookError as exc:
            raise DelphiError(exc.message) from None
        book_lines, own = _read_delphi_book(opened, hierarchy, round_number)
        key = (own["round"], own["expert"])
        if key in seen:
            raise DelphiError("error.delphi.expert_twice", expert=repr(own["expert"]),
                              first=seen[key], second=opened.label, round=own["round"])
        seen[key] = opened.label
        lines += book_lines
        experts.append(own)
    if not lines:
        raise DelphiError("error.delphi.books_empty")
    return DelphiRatings(pd.DataFrame(lines, columns=list(LONG_COLUMNS)),
                         pd.DataFrame(experts, columns=["round", "expert", "familiarity",
                                                        "basis"]))


def read_delphi_ratings(
    path: str | PathLike[str], hierarchy: Hierarchy, round_number: int | None = None
) -> DelphiRatings:
    """A long CSV, one Delphi workbook or a folder of them (by the file's suffix)."""
    source = Path(path)
    if source.is_dir() or source.suffix.lower() == ".xlsx":
        return read_delphi_xlsx(source, hierarchy, round_number)
    if not source.exists():
        raise DelphiError("error.delphi.no_source", path=str(source))
    if source.suffix.lower() == ".csv":
        return read_delphi_csv(source, hierarchy, round_number)
    if not source.suffix:
        raise DelphiError("error.delphi.source_no_suffix", path=str(source))
    raise DelphiError("error.delphi.source_type", path=str(source), suffix=source.suffix)


# ---------------------------------------------------------------------------- analysis
def analyse_rounds(
    data: DelphiRatings,
    hierarchy: Hierarchy,
    *,
    rule: KeepRule | None = None,
    upto: int | None = None,
    experts_invited: int | Mapping[int, int] | None = None,
) -> DelphiAnalysis:
    """Statistics of every round of ``data`` (up to round ``upto``) and the framework rows that
    survive them all (each round drops its indicators, children going with their parent).

    ``experts_invited``: one number for every round, or round → number (default: the experts
    of the round in the data)."""
    numbers = [n for n in data.rounds if upto is None or n <= upto]
    if not numbers:
        if not data.rounds:
            raise DelphiError("error.delphi.no_rounds_none", upto=upto)
        raise DelphiError("error.delphi.no_rounds", upto=upto, rounds=list(data.rounds))
    order = delphi_indicators(hierarchy)
    frame = hierarchy.to_frame()
    rounds = []
    for number in numbers:
        lines = data.ratings[data.ratings["round"] == number]
        codes = [c for c in order if c in set(lines["indicator"])]
        familiarity, basis = data.self_ratings(number)
        invited = experts_invited.get(number) if isinstance(experts_invited, Mapping) \
            else experts_invited
        try:
            result = _delphi_round(data.wide(number, codes), familiarity, basis,
                                   experts_invited=invited, rule=rule)
        except DelphiError as exc:
            raise DelphiError("error.delphi.in_round", round=number,
                              reason=exc.message) from None
        rounds.append(result)
        frame = _kept_framework(frame, result)
    return DelphiAnalysis(numbers, rounds, frame, framework_problem(frame))


def framework_problem(frame: pd.DataFrame) -> str:
    """Why the kept framework rows do not form a valid framework ("" when they do)."""
    from ahp.errors import HierarchyError

    try:
        Hierarchy.from_frame(frame.copy())
    except (HierarchyError, ValueError) as exc:
        return " ".join(str(exc).split())
    return ""
