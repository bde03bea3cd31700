"""Load a residents' questionnaire (CSV or .xlsx, 问卷星 layout) into :class:`Responses`.

What the loader does, in order:

1. Read the file without modifying it. CSV bytes are decoded as UTF-8 with BOM when a BOM is
   present, else UTF-8, else GB18030 (older 问卷星 downloads): the order utf-8, utf-8-sig,
   gb18030, without leaving a BOM glued to the first header; a header line without a comma
   but with tabs or semicolons is split on those. In a workbook the sheet whose
   headers look like questions (``1、…``, ``Q1``, ``第1题…``, item codes) is used unless
   ``sheet=`` names one; merged cells in the header row are refused. Workbooks are parsed by
   python-calamine (Rust; a dependency), or, on a platform without its wheel, by openpyxl in
   read-only mode, which streams the cell values but does not see merged cells: those are then
   read from the ``<mergeCell ref=…>`` tags of the sheet's XML. Excel error values (``#N/A``)
   and formulas saved without a computed value are refused (both readers would see them as
   empty cells, i.e. as missing answers).
2. Recognize the 问卷星 metadata columns by name: ``序号`` (respondent id),
   ``提交答卷时间`` (kept as a date only), ``所用时间`` (``120秒``, ``2分30秒``,
   ``mm:ss`` or ``h:mm:ss`` → seconds) and ``来源``.
3. Find the community column (by name or question stem, else a question asking which community
   the resident lives in, else a non-Likert header containing 社区) and drop direct identifiers
   (:func:`survey.identifiers.is_identifier`); the community and item columns are never dropped.
4. Match columns to framework items: an explicit ``mapping`` (file or dict header → code), else
   item codes in the headers (``D01``, ``D1``, ``d01 …``), else question order (the Likert columns,
   in file order, when their number equals the number of framework items).
5. Turn answers into scores 1..5: numbers, or option labels (:data:`DEFAULT_LABELS` or the
   user's ``labels``). Missing markers (empty, ``(跳过)``, ``(空)``, ``（空）``, ``-2``,
   ``-3``) become NaN. Anything else (``7``, ``0``, ``2.5``, ``maybe``) becomes NaN and a row of
   ``invalid_cells``, or a :class:`SurveyError` with ``strict=True``. Reverse-coded items are
   recoded as ``6 − x`` (Likert 1932 scoring of negatively worded statements).

The 问卷星 export conventions follow the public parsers summarized in the project's field notes
(reportgen ``wenjuanxing()``: ``(跳过)``/``(空)`` and ``-3``/``-2`` as missing).

References
----------
Likert, R. (1932). A technique for the measurement of attitudes. *Archives of Psychology*, 140.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from ahp.hierarchy import Hierarchy
from i18n import Message
from survey.demographics import demographic_frame, is_demographic
from survey.errors import ColumnMatchError, SurveyError
from survey.identifiers import fold_header, is_identifier
from survey.responses import INVALID_CELL_COLUMNS, ColumnMapping, Responses
from untrusted import FileLimits, check_csv, check_label_length, check_xlsx

try:
    import python_calamine
except ImportError:  # optional: without it workbooks are read by openpyxl (about 25× slower)
    python_calamine = None

SCALE_MIN, SCALE_MAX = 1, 5
SCALE_VALUES: tuple[float, ...] = tuple(float(v) for v in range(SCALE_MIN, SCALE_MAX + 1))

DEFAULT_LABELS: dict[str, int] = {
    **dict.fromkeys(
        ("非常不同意", "完全不同意", "很不同意", "非常不满意", "很不满意", "完全不满意",
         "strongly disagree", "very dissatisfied"),
        1,
    ),
    **dict.fromkeys(
        ("不同意", "比较不同意", "较不同意", "不太同意", "不满意", "比较不满意", "不太满意",
         "disagree", "somewhat disagree", "dissatisfied"),
        2,
    ),
    **dict.fromkeys(
        ("一般", "不确定", "中立", "说不清", "neutral", "neither agree nor disagree", "not sure"),
        3,
    ),
    **dict.fromkeys(
        ("同意", "比较同意", "较同意", "满意", "比较满意", "agree", "somewhat agree", "satisfied"),
        4,
    ),
    **dict.fromkeys(
        ("非常同意", "完全同意", "很同意", "非常满意", "很满意", "完全满意", "strongly agree",
         "very satisfied"),
        5,
    ),
}
"""Option text → score. Keys are compared folded (NFKC, trimmed, lower case, single spaces).

``比较不同意``/``比较同意`` count as 2/4 and ``不确定``/``中立`` as 3; the 满意 (satisfaction)
wording maps the same way (非常不满意 1 … 非常满意 5). Pass ``labels=`` to replace this
table, e.g. for a 按序号 export whose option 1 is 非常同意:
``{"1": 5, "2": 4, "3": 3, "4": 2, "5": 1}``.
"""

MISSING_MARKERS: frozenset[str] = frozenset({"", "(跳过)", "(空)", "-2", "-3"})
"""Folded cells read as a missing answer (``（空）`` folds to ``(空)``); -2/-3 also as numbers."""

META_HEADERS: dict[str, frozenset[str]] = {
    "respondent_id": frozenset({"序号", "respondent_id", "respondent id", "id"}),
    "submitted_at": frozenset({"提交答卷时间", "提交时间", "submitted_at", "submission time"}),
    "duration": frozenset({"所用时间", "答题时长", "用时", "duration", "duration_seconds"}),
    "source": frozenset({"来源", "source"}),
}
"""Folded metadata headers by role; ``来源详情`` and ``来自IP`` are identifiers and are dropped."""

COMMUNITY_CANDIDATES: tuple[str, ...] = ("社区", "所在社区", "社区名称", "community")

QUESTION_HEADER = re.compile(r"^(?:\d+[、:.\s]|q\d+(?![0-9])|第\d+题)")
MATRIX_HEADER = re.compile(r"^(?:\d+[、:.\s]\s*\(|第\d+题\s*\()")
_QUESTION_PREFIX = re.compile(r"^(?:\d+[、:.\s]\s*|q\d+[、:.\s]*|第\d+题\s*)")
_COMMUNITY_WORD = re.compile(r"社区|community")
_COMMUNITY_QUESTION = re.compile(r"(?:所在|所属|居住|哪).{0,6}社区|社区名")
_CODE = re.compile(r"(?<![a-z0-9])([a-z]+)0*(\d+)(?![0-9])")
_BOM = b"\xef\xbb\xbf"
_ENCODINGS = ("utf-8", "gb18030")
_LIKERT_SHARE = 0.5
_DURATION_UNITS = re.compile(
    r"^(?:(\d+(?:\.\d+)?)\s*(?:小时|时|h))?\s*(?:(\d+(?:\.\d+)?)\s*(?:分钟|分|min|m))?"
    r"\s*(?:(\d+(?:\.\d+)?)\s*(?:秒|sec|s))?$"
)
_DURATION_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\s[^<>]*?\bref=([\"'])([^<>]*?)\1")
# Linear time: a tag's attributes stop at the next '<' or '>' and the possessive quantifiers
# (*+) never give back, so no match attempt scans past the next tag (with [^>]* a run of
# "<c <c <c …" in a comment made the search quadratic, and error cells cubic).
_ERROR_CELL = re.compile(
    rb"<(?:\w+:)?c\s(?=[^<>]*+>)([^<>]*?\bt=[\"']e[\"'][^<>]*+)>\s*+"
    rb"(?:<(?:\w+:)?f\b[^<>]*?(?:/>|>[^<]*+</(?:\w+:)?f>)\s*+)?<(?:\w+:)?v>([^<]*+)</(?:\w+:)?v>"
)
_UNCACHED_FORMULA = re.compile(
    rb"<(?:\w+:)?c\s([^<>]*+)>\s*+<(?:\w+:)?f\b[^<>]*?(?:/>|>[^<]*+</(?:\w+:)?f>)\s*+"
    rb"(?:<(?:\w+:)?v\s*+/>|<(?:\w+:)?v>\s*+</(?:\w+:)?v>|</(?:\w+:)?c>)"
)
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_REF = re.compile(rb"\br=[\"']([A-Za-z]+[0-9]+)[\"']")
_SHOWN_CELLS = 5
COMMUNITY_MAX_CHARS = 100
"""Longest community name accepted (real ones, e.g. ``翠苑街道翠苑一区社区居民委员会``, have
under 30 characters); a longer one is refused naming its row (it would also make every chart
that names communities unreadable). Lowered further by ``SHANZHI_MAX_LABEL_CHARS``."""
HEADER_MAX_CHARS = 500
"""Longest column header accepted (a 问卷星 matrix header repeats the question stem, so headers
are longer than labels); a longer one is refused naming its column."""
_EXACT_INT = 2.0**53  # whole numbers below this are exact as floats
_UNREADABLE_XLSX: tuple[type[Exception], ...] = (
    zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ElementTree.ParseError,
) + ((python_calamine.CalamineError,) if python_calamine is not None else ())


@dataclass(frozen=True)
class _Table:
    """A sheet as text cells: ``frame`` (columns = headers), ``rows`` spreadsheet row numbers."""

    frame: pd.DataFrame
    rows: np.ndarray
    where: str  # the file name, or "file, sheet 'name'" (a Message, shown in either language)


def _fold_text(values: pd.Series) -> pd.Series:
    """Cells as folded text: NFKC, trimmed, lower case, inner whitespace collapsed; None → ''."""
    text = values.astype(str).fillna("")
    return text.str.normalize("NFKC").str.strip().str.lower().str.replace(r"\s+", " ", regex=True)


def _cell_text(value: object) -> str:
    """A cell as trimmed text; a whole number read as a float (``5.0``) is written ``5``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _frame_from_rows(rows: list[list[object]], where: str) -> _Table:
    """Build the text table from raw rows (first row = header); drop empty rows and columns."""
    if not rows:
        raise SurveyError("error.load.empty", where=where)
    width = max(len(r) for r in rows)
    cells = np.empty((len(rows), width), dtype=object)
    for i, r in enumerate(rows):
        cells[i, : len(r)] = r
    codes, uniques = pd.factorize(cells.ravel())  # each distinct value converted once
    distinct = np.asarray([_cell_text(u) for u in uniques] + [""], dtype=object)
    text = distinct[codes].reshape(cells.shape)
    blank = (distinct == "")[codes].reshape(cells.shape)
    grid = pd.DataFrame(text, dtype=object)
    header = grid.iloc[0].tolist()
    body = grid.iloc[1:]
    used = ~blank.all(axis=0)
    keep_cols = [j for j, u in zip(grid.columns, used, strict=True) if u]
    if not keep_cols:
        raise SurveyError("error.load.empty", where=where)
    _check_header_row([header[j] for j in keep_cols], where)
    headers = [header[j] or f"(column {get_column_letter(j + 1)})" for j in keep_cols]
    seen: dict[str, str] = {}
    for j, h in zip(keep_cols, headers, strict=True):
        letter = get_column_letter(j + 1)
        if h in seen:
            raise SurveyError("error.load.header_twice", where=where, header=h, first=seen[h],
                              second=letter)
        seen[h] = letter
    body = body[keep_cols]
    body.columns = headers
    row_numbers = np.arange(2, len(body) + 2)
    filled = ~blank[1:, used].all(axis=1)
    if not filled.any():
        raise SurveyError("error.load.no_responses", where=where)
    return _Table(body[filled].reset_index(drop=True), row_numbers[filled], where)


def _check_header_row(header: list[str], where: str) -> None:
    """Refuse a row 1 that is mostly blank over the used columns: a title above the headers."""
    blank = sum(not h for h in header)
    if len(header) > 2 and blank * 2 > len(header):
        shown = ", ".join(f"'{h}'" for h in header if h)[:80] or Message("error.load.nothing")
        raise SurveyError("error.load.title_row", where=where, shown=shown, blank=blank,
                          used=len(header))


def _decode_csv(data: bytes, name: str) -> str:
    """Decode CSV bytes: UTF-8 with BOM when present, else UTF-8, else GB18030."""
    if data.startswith(_BOM):
        return data[len(_BOM):].decode("utf-8")
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SurveyError("error.load.encoding", name=name)


def _read_csv(data: bytes, name: str) -> _Table:
    if not data.strip(_BOM + b" \r\n\t"):
        raise SurveyError("error.load.empty", where=name)
    text = _decode_csv(data, name)
    first_line = text.split("\n", 1)[0]
    separator = ","
    if "," not in first_line:  # Excel in some locales writes ';'; a tab-separated export
        separator = next((s for s in ("\t", ";") if s in first_line), ",")
    try:
        raw = pd.read_csv(
            io.StringIO(text), header=None, dtype=str, keep_default_na=False,
            skip_blank_lines=False, sep=separator,
        )
    except pd.errors.ParserError as exc:
        raise SurveyError(_parser_message(exc, name)) from exc
    return _frame_from_rows(raw.to_numpy(dtype=object).tolist(), name)


_FIELD_COUNT = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _parser_message(exc: Exception, name: str) -> Message:
    """One line for a pandas CSV parser error, naming the file and, when known, the row (the
    parser's own words, in English, only when it names no row)."""
    text = " ".join(str(exc).split())  # pandas' messages end with a newline
    counts = _FIELD_COUNT.search(text)
    if counts:
        expected, line, seen = counts.groups()
        return Message("error.load.csv_cells", name=name, line=line, seen=seen,
                       expected=expected)
    return Message("error.load.csv_unreadable", name=name, detail=text)


def _looks_like_questions(headers: list[object], items: list[str]) -> int:
    """Number of headers that look like question columns or contain item codes."""
    codes = {fold_header(c) for c in items}
    folded = [fold_header(h) for h in headers if h is not None]
    return sum(bool(QUESTION_HEADER.match(h)) or h.split(" ")[0] in codes for h in folded)


@dataclass(frozen=True)
class _Sheet:
    """A worksheet as read: its title, merged ranges touching row 1, and its rows from A1
    (left empty when the header row has merged cells, which the loader refuses)."""

    title: str
    merged_header: list[str]
    rows: list[list[object]]


def _pick_sheet(
    names: list[str], sheet: str | None, items: list[str], file_name: str,
    header: Callable[[str], Sequence[object]],
) -> str:
    """The sheet named ``sheet``, else the first sheet whose row 1 (``header(name)``) has the
    most question-like headers."""
    if sheet is not None:
        if sheet not in names:
            raise SurveyError("error.load.no_sheet", name=file_name, sheet=sheet,
                              sheets=tuple(names))
        return sheet
    scores = [_looks_like_questions(list(header(name)), items) for name in names]
    return names[int(np.argmax(scores))]


def _read_calamine(data: bytes, name: str, sheet: str | None, items: list[str]) -> _Sheet:
    """Read the sheet with python-calamine (Rust parser, about 25× faster than openpyxl)."""
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        names = [m.name for m in book.sheets_metadata
                 if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
        loaded = {}

        def header(name: str) -> list[object]:
            loaded[name] = book.get_sheet_by_name(name)
            return next(iter(loaded[name].to_python(skip_empty_area=False, nrows=1)), [])

        title = _pick_sheet(names, sheet, items, name, header)
        ws = loaded[title] if title in loaded else book.get_sheet_by_name(title)
        merged = [
            f"{get_column_letter(c0 + 1)}{r0 + 1}:{get_column_letter(c1 + 1)}{r1 + 1}"
            for (r0, c0), (r1, c1) in ws.merged_cell_ranges if r0 == 0
        ]
        rows = [] if merged else ws.to_python(skip_empty_area=False)
    finally:
        book.close()
    return _Sheet(title, merged, rows)


def _sheet_part(archive: zipfile.ZipFile, title: str) -> str:
    """Zip member holding the worksheet ``title``: ``xl/workbook.xml`` gives its relationship
    id, ``xl/_rels/workbook.xml.rels`` the part it points to (KeyError when either is absent)."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    ids = {s.get("name"): s.get(_REL_ID) for s in book.iter(f"{_MAIN_NS}sheet")}
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(_RELATIONSHIP)}
    target = targets[ids[title]]
    return target[1:] if target.startswith("/") else posixpath.normpath(f"xl/{target}")


def _merged_header_cells(data: bytes, title: str) -> list[str]:
    """Merged ranges touching row 1, from the ``<mergeCell ref=…>`` tags of the sheet XML
    (openpyxl's read-only mode does not report merged cells)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(_sheet_part(archive, title))
    start = xml.find(b"mergeCells")  # the <mergeCells> element follows the cell data
    if start < 0:
        return []
    refs = (m.group(2).decode() for m in _MERGE_REF.finditer(xml, start))
    return [ref for ref in refs if range_boundaries(ref)[1] == 1]


def _cell_refs(matches: list[re.Match[bytes]]) -> dict[str, object]:
    """The fields ``cells`` (the first few cell references of the matched ``<c …>`` elements)
    and ``more`` (how many others, or "") of a message."""
    refs = []
    for match in matches[:_SHOWN_CELLS]:
        ref = _CELL_REF.search(match.group(1))
        refs.append(ref.group(1).decode() if ref else "?")
    more = (Message("error.load.and_more", count=len(matches) - _SHOWN_CELLS)
            if len(matches) > _SHOWN_CELLS else "")
    return {"cells": tuple(refs), "more": more}


def _check_cell_values(data: bytes, title: str, where: str) -> None:
    """Refuse Excel error cells (``#N/A``, ``#DIV/0!``) and formulas saved without a computed
    value: both readers would see them as empty cells, i.e. as missing answers, silently."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(_sheet_part(archive, title))
    # cheap substring tests first: exports rarely hold error cells or formulas at all
    errors = list(_ERROR_CELL.finditer(xml)) if re.search(rb"t=[\"']e[\"']", xml) else []
    if errors:
        value = errors[0].group(2).decode(errors="replace")
        raise SurveyError("error.load.error_cells", where=where, count=len(errors), value=value,
                          **_cell_refs(errors))
    uncached = list(_UNCACHED_FORMULA.finditer(xml)) if _FORMULA_TAG.search(xml) else []
    if uncached:
        raise SurveyError("error.load.uncached_formulas", where=where, count=len(uncached),
                          **_cell_refs(uncached))


def _read_openpyxl(data: bytes, name: str, sheet: str | None, items: list[str]) -> _Sheet:
    """Read the sheet with openpyxl in read-only mode (values only, rows streamed)."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets = {ws.title: ws for ws in book.worksheets}
        for ws in sheets.values():
            ws.reset_dimensions()  # do not trust the <dimension> tag some writers get wrong

        def header(name: str) -> Sequence[object]:
            return next(sheets[name].iter_rows(max_row=1, values_only=True), ())

        title = _pick_sheet(list(sheets), sheet, items, name, header)
        merged = _merged_header_cells(data, title)
        rows = [] if merged else [list(r) for r in sheets[title].iter_rows(values_only=True)]
    finally:
        book.close()
    return _Sheet(title, merged, rows)


def _read_xlsx(data: bytes, name: str, sheet: str | None, items: list[str]) -> _Table:
    """Read the response sheet: python-calamine when installed, else openpyxl (read-only)."""
    read = _read_openpyxl if python_calamine is None else _read_calamine
    try:
        found = read(data, name, sheet, items)
    except _UNREADABLE_XLSX as exc:
        raise SurveyError("error.load.not_xlsx", name=name, error=type(exc).__name__) from exc
    where = Message("error.place.sheet", file=name, sheet=found.title)
    try:
        _check_cell_values(data, found.title, where)
    except _UNREADABLE_XLSX as exc:
        raise SurveyError("error.load.not_xlsx", name=name, error=type(exc).__name__) from exc
    if found.merged_header:
        raise SurveyError("error.load.merged_header", where=where,
                          cells=tuple(found.merged_header))
    return _frame_from_rows(found.rows, where)


def _source_bytes(
    source: str | PathLike[str] | bytes | BinaryIO, name: str | None
) -> tuple[bytes, str]:
    """The file's content and the name used in messages (and whose suffix gives the type).

    A path is read once (the file is never written); bytes or a binary buffer (an upload) are
    used as they are, so an upload never has to touch the disk.
    """
    if isinstance(source, bytes | bytearray):
        return bytes(source), name or "upload"
    if hasattr(source, "read"):
        return source.read(), name or str(getattr(source, "name", "upload"))
    path = Path(source)
    if path.is_dir():
        raise SurveyError("error.load.folder", path=str(path))
    if not path.is_file():
        raise SurveyError("error.load.no_file", path=str(path))
    try:
        return path.read_bytes(), name or path.name
    except OSError as exc:
        raise SurveyError("error.load.unreadable", path=str(path),
                          reason=exc.strerror or str(exc)) from exc


def _read_table(data: bytes, name: str, sheet: str | None, items: list[str]) -> _Table:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        if sheet is not None:
            raise SurveyError("error.load.sheet_on_csv", name=name, option="sheet=")
        return _read_csv(data, name)
    if suffix in (".xlsx", ".xlsm"):
        if not data:
            raise SurveyError("error.load.empty_xlsx", name=name)
        return _read_xlsx(data, name, sheet, items)
    raise SurveyError("error.load.file_type", name=name,
                      suffix=suffix or Message("error.load.no_suffix"),
                      hint=Message("error.load.xls_hint") if suffix == ".xls" else "")


def _find_meta(headers: list[str]) -> dict[str, str]:
    """Role → header for the metadata columns found (first match per role)."""
    found: dict[str, str] = {}
    for header in headers:
        folded = fold_header(header)
        for role, names in META_HEADERS.items():
            if folded in names and role not in found:
                found[role] = header
    return found


def _question_stem(header: str) -> str:
    """Folded header without its question number (``5、您所在的社区`` → ``您所在的社区``)."""
    return _QUESTION_PREFIX.sub("", fold_header(header)).strip()


def _find_community(
    headers: list[str], wanted: str, excluded: set[str], likert: set[str], where: str
) -> str:
    """The community column.

    ``wanted`` is matched against the whole header, then against the question stem. With the
    default name the loader then tries :data:`COMMUNITY_CANDIDATES`, a header asking where the
    resident lives (``您所在的社区是？``, ``居住在哪个社区``), and finally the first header
    containing 社区 or community whose answers are not on the Likert scale.
    """
    default = wanted == COMMUNITY_CANDIDATES[0]
    names = [fold_header(wanted)] + (
        [fold_header(c) for c in COMMUNITY_CANDIDATES[1:]] if default else []
    )
    pool = [h for h in headers if h not in excluded]
    for name in names:
        for key in (fold_header, _question_stem):
            hit = next((h for h in pool if key(h) == name), None)
            if hit is not None:
                return hit
    if default:
        loose = [h for h in pool if h not in likert and _COMMUNITY_WORD.search(fold_header(h))]
        hit = next((h for h in loose if _COMMUNITY_QUESTION.search(fold_header(h))), None)
        if hit is not None or loose:
            return hit if hit is not None else loose[0]
    searched = (Message("error.load.community_searched_default", wanted=wanted,
                        candidates=tuple(COMMUNITY_CANDIDATES[1:]))
                if default else Message("error.load.community_searched", wanted=wanted))
    raise SurveyError("error.load.no_community", where=where, searched=searched,
                      headers=tuple(headers), option="community_column=")


def _read_mapping(mapping: Mapping[str, str] | str | PathLike[str]) -> dict[str, str]:
    """Header → item code from a dict or a two-column CSV (header row, then header,code lines)."""
    if isinstance(mapping, Mapping):
        return {str(k): str(v).strip() for k, v in mapping.items()}
    path = Path(mapping)
    if not path.is_file():
        raise SurveyError("error.load.no_mapping_file", path=str(path))
    text = _decode_csv(path.read_bytes(), path.name)
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        table = pd.DataFrame()
    except pd.errors.ParserError as exc:
        raise SurveyError(_parser_message(
            exc, Message("error.load.mapping_file", file=path.name))) from exc
    if table.shape[1] < 2 or table.empty:
        raise SurveyError("error.load.mapping_columns", file=path.name)
    return dict(zip(table.iloc[:, 0], table.iloc[:, 1].str.strip(), strict=True))


def _explicit_columns(
    mapping: Mapping[str, str] | str | PathLike[str], headers: list[str], items: list[str],
    where: str,
) -> dict[str, str]:
    """Header → code from the user's mapping, checked against the file and the framework."""
    given = _read_mapping(mapping)
    unknown = sorted({code for code in given.values() if code not in items})
    if unknown:
        raise SurveyError("error.load.mapping_codes", codes=tuple(unknown), first=items[0],
                          last=items[-1])
    by_fold = {fold_header(h): h for h in headers}
    columns = {
        by_fold[fold_header(k)]: code for k, code in given.items() if fold_header(k) in by_fold
    }
    if not columns:
        raise SurveyError("error.load.mapping_headers", where=where, count=len(given),
                          first=next(iter(given)), headers=tuple(headers))
    _check_one_column_per_item(columns, where)
    return columns


def _check_one_column_per_item(columns: dict[str, str], where: str) -> None:
    by_code = pd.Series(list(columns), index=list(columns.values()), dtype=object)
    twice = by_code[by_code.index.duplicated(keep=False)]
    if not twice.empty:
        code = twice.index[0]
        raise SurveyError("error.load.item_twice", where=where, code=code,
                          columns=tuple(f"'{h}'" for h in twice[code]))


def _code_columns(headers: list[str], items: list[str], where: str) -> dict[str, str]:
    """Header → code for headers containing a framework item code (``D01``, ``D1``, ``d01 …``)."""
    lookup: dict[tuple[str, int], str] = {}
    for code in items:
        match = _CODE.fullmatch(fold_header(code))
        if match:
            lookup[(match.group(1), int(match.group(2)))] = code
    columns: dict[str, str] = {}
    for header in headers:
        for letters, number in _CODE.findall(fold_header(header)):
            code = lookup.get((letters, int(number)))
            if code is not None:
                columns[header] = code
                break
    _check_one_column_per_item(columns, where)
    return columns


@dataclass(frozen=True)
class _Scored:
    """A block of answer cells read as scores (arrays of the block's shape)."""

    score: np.ndarray  # float 1..5, NaN when missing or invalid
    missing: np.ndarray  # bool: a missing marker
    invalid: np.ndarray  # bool: neither a score nor a missing marker
    numeric: np.ndarray  # bool: the cell is a number or a known label


def _canonical(folded: pd.Series, number: pd.Series) -> pd.Series:
    """Folded text with whole numbers written without decimals (``5.0`` → ``5``)."""
    whole = number.notna() & (number % 1 == 0) & (number.abs() < _EXACT_INT)
    return folded.mask(whole, number.where(whole, 0).astype("int64").astype(str))


def _score_cells(block: pd.DataFrame, labels: Mapping[str, float]) -> _Scored:
    """Read a block of answer cells: label (folded text) → score, else the number itself.

    Each distinct cell text is parsed once (``pd.factorize``), then broadcast back to the block.
    A missing marker is never a score, even when ``labels`` maps it.
    """
    codes, uniques = pd.factorize(block.to_numpy(dtype=object).ravel())
    folded = _fold_text(pd.Series(uniques, dtype=object))
    number = pd.to_numeric(folded, errors="coerce").astype(float)
    key = _canonical(folded, number)
    label = key.map(labels).astype(float)
    score = label.fillna(number)
    missing = key.isin(MISSING_MARKERS) | number.isin([-2.0, -3.0])
    valid = score.isin(SCALE_VALUES) & ~missing
    parts = (
        score.where(valid).to_numpy(dtype=float),
        missing.to_numpy(dtype=bool),
        (~missing & ~valid).to_numpy(dtype=bool),
        (number.notna() | label.notna()).to_numpy(dtype=bool),
    )
    return _Scored(*(part[codes].reshape(block.shape) for part in parts))


def _fold_labels(labels: Mapping[str, int] | None) -> dict[str, float]:
    table = DEFAULT_LABELS if labels is None else labels
    folded = {}
    for key, value in table.items():
        if float(value) not in SCALE_VALUES:
            raise SurveyError("error.load.label_off_scale", option="labels", label=key,
                              value=value, low=SCALE_MIN, high=SCALE_MAX)
        folded[re.sub(r"\s+", " ", fold_header(key))] = float(value)
    keys = pd.Series(list(folded), dtype=object)
    canonical = _canonical(keys, pd.to_numeric(keys, errors="coerce").astype(float))
    return dict(zip(canonical, folded.values(), strict=True))


def _respondent_ids(frame: pd.DataFrame, id_column: str | None, rows: np.ndarray, where: str):
    """Respondent ids: the 序号 column (integers shown without .0), else the spreadsheet row."""
    if id_column is None:
        return pd.Index([str(r) for r in rows], name="respondent_id")
    text = frame[id_column].astype(str).str.strip()
    number = pd.to_numeric(text, errors="coerce").astype(float)
    # an id too long for a float (a phone-like 序号) is kept as typed, never rounded
    whole = number.notna() & (number % 1 == 0) & (number.abs() < _EXACT_INT)
    text = text.where(~whole, number.where(whole, 0).astype("int64").astype(str))
    empty = rows[(text == "").to_numpy()]
    if empty.size:
        raise SurveyError("error.load.id_empty", where=where, column=id_column,
                          rows=tuple(map(str, empty[:10])))
    dup = text.duplicated(keep=False).to_numpy()
    if dup.any():
        first = text[dup].iloc[0]
        on_rows = rows[(text == first).to_numpy()]
        raise SurveyError("error.load.id_repeated", where=where, column=id_column, id=first,
                          rows=tuple(map(str, on_rows)), count=int(dup.sum()))
    return pd.Index(text.tolist(), name="respondent_id")


def parse_duration(values: pd.Series) -> pd.Series:
    """Completion time in seconds from ``120秒``, ``2分30秒``, ``1小时2分``, ``mm:ss``, ``h:mm:ss``
    or a plain number of seconds; NaN when empty or unreadable."""
    text = _fold_text(values)
    units = text.str.extract(_DURATION_UNITS).astype(float)
    by_units = (units * [3600.0, 60.0, 1.0]).sum(axis=1, min_count=1)
    clock = text.str.extract(_DURATION_CLOCK).astype(float)
    by_clock = (clock.fillna({0: 0.0}) * [3600.0, 60.0, 1.0]).sum(axis=1, min_count=3)
    by_clock = by_clock.where(clock[1].notna())
    return by_units.fillna(by_clock).fillna(pd.to_numeric(text, errors="coerce"))


def normalize_community(values: pd.Series) -> pd.Series:
    """Community names trimmed, NFKC-folded (full-width → half-width), inner spaces collapsed;
    empty cells and missing markers → NaN."""
    text = values.astype(str).fillna("").str.normalize("NFKC").str.strip()
    text = text.str.replace(r"\s+", " ", regex=True)
    return text.where(~text.isin(MISSING_MARKERS)).astype(object)


def _likert_columns(table: _Table, headers: list[str], labels: dict[str, float]) -> list[str]:
    """Headers whose non-missing cells are mostly (≥ 50 %) answers on the scale."""
    if not headers:
        return []
    scored = _score_cells(table.frame[headers], labels)
    answered = (~scored.missing).sum(axis=0)
    share = np.isfinite(scored.score).sum(axis=0) / np.where(answered > 0, answered, np.nan)
    return [h for h, s in zip(headers, share, strict=True) if s >= _LIKERT_SHARE]


def _order_columns(
    candidates: list[str], likert: list[str], items: list[str], where: str
) -> dict[str, str]:
    """Likert columns in file order → items in framework order, when the counts agree."""
    matrix = [h for h in likert if MATRIX_HEADER.match(fold_header(h)) and h in candidates]
    # Matrix sub-item columns, when present, are the items: never fall back to other Likert
    # columns then, which would silently shift every item by the extra column(s).
    pool = matrix or [h for h in likert if h in candidates]
    if len(pool) == len(items):
        return dict(zip(pool, items, strict=True))
    shown = Message("error.load.shown_columns", columns=tuple(f"'{h}'" for h in pool[:5]),
                    more=" …" if len(pool) > 5 else "") if pool else ""
    raise ColumnMatchError("error.load.columns_unmatched", items=len(items), found=len(pool),
                           where=where, first=items[0], second=items[1], shown=shown,
                           option="mapping=")


def _invalid_table(
    raw: pd.DataFrame, scored: _Scored, columns: dict[str, str], ids: pd.Index, rows: np.ndarray
) -> pd.DataFrame:
    """One row per invalid cell, in file order (row, then column)."""
    position = np.argwhere(scored.invalid)
    if position.size == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in INVALID_CELL_COLUMNS})
    r, c = position[:, 0], position[:, 1]
    headers = np.asarray(raw.columns, dtype=object)[c]
    is_number = scored.numeric[r, c]
    reason = np.where(
        is_number,
        f"off the {SCALE_MIN}..{SCALE_MAX} scale (whole numbers {SCALE_MIN}–{SCALE_MAX})",
        "not a number nor a known answer label",
    )
    return pd.DataFrame(
        {
            "respondent_id": np.asarray(ids, dtype=object)[r],
            "row": rows[r],
            "column": headers,
            "item": [columns[h] for h in headers],
            "value": raw.to_numpy(dtype=object)[r, c],
            "reason": reason,
        }
    )


def load_responses(
    path: str | PathLike[str] | bytes | BinaryIO,
    framework: Hierarchy | str | PathLike[str],
    *,
    name: str | None = None,
    community_column: str = "社区",
    mapping: Mapping[str, str] | str | PathLike[str] | None = None,
    sheet: str | None = None,
    labels: Mapping[str, int] | None = None,
    strict: bool = False,
    limits: FileLimits | None = None,
) -> Responses:
    """Load a questionnaire export into :class:`Responses` (see the module docstring for steps).

    Before any parser runs, the file is checked against ``limits`` (default
    ``FileLimits.from_env()``): a workbook's zip directory, sheet extents and entity
    declarations (:func:`untrusted.check_xlsx`), a CSV's size, columns and lines
    (:func:`untrusted.check_csv`). Community names longer than :data:`COMMUNITY_MAX_CHARS` and
    headers longer than :data:`HEADER_MAX_CHARS` are refused naming their row or column.

    Parameters
    ----------
    path
        ``.csv`` (UTF-8, UTF-8 with BOM or GB18030) or ``.xlsx``: a path (the file is only
        read), or the file's bytes / a binary buffer such as an upload (then give ``name``).
    name
        File name for messages and for the type (its suffix); default: the path's name.
    framework
        A :class:`~ahp.hierarchy.Hierarchy` or the path of its framework CSV; gives the item
        codes (leaf level, in order) and the reverse-coded items.
    community_column
        Header (or question stem, e.g. ``所在社区`` for ``5、所在社区``) of the community column.
        With the default ``"社区"`` the loader also tries ``所在社区``, ``社区名称``, ``community``
        and then the first non-Likert header containing 社区 or community.
    mapping
        Column header → item code, as a dict or a CSV file with two columns; overrides the
        matching by codes or order.
    sheet
        Worksheet name for a workbook; by default the sheet whose headers look like questions.
    labels
        Option text → score, replacing :data:`DEFAULT_LABELS`.
    strict
        Raise :class:`SurveyError` at the first invalid answer instead of recording it in
        ``invalid_cells``.
    limits
        Limits for the file (see :class:`untrusted.FileLimits`).

    Raises
    ------
    untrusted.UntrustedFileError
        The file exceeds a limit (the message names it), or is not a valid .xlsx archive.
    SurveyError
        Empty, unreadable or unsupported file; merged header cells; duplicate headers; no
        community column; duplicate or empty 序号; columns that match no items; an invalid
        answer with ``strict=True``. The message names the file, sheet, row, column and
        respondent id where they apply.
    """
    hierarchy = framework if isinstance(framework, Hierarchy) else Hierarchy.from_csv(framework)
    data, file_name = _source_bytes(path, name)
    limits = limits or FileLimits.from_env()
    _check_file(data, file_name, limits)
    table = _read_table(data, file_name, sheet, hierarchy.items)
    _check_headers(table, limits)
    folded_labels = _fold_labels(labels)
    meta_columns = _find_meta(list(table.frame.columns))
    mapping_used, dropped = _match_columns(
        table, hierarchy.items, meta_columns, mapping, community_column, folded_labels
    )
    ids = _respondent_ids(table.frame, meta_columns.get("respondent_id"), table.rows, table.where)
    answers, invalid_cells = _answers(table, hierarchy, mapping_used, ids, folded_labels, strict)
    return Responses(
        answers=answers,
        community=_communities(table, mapping_used.community_column, ids,
                               min(COMMUNITY_MAX_CHARS, limits.max_label_chars)),
        meta=_meta(table, meta_columns, ids),
        invalid_cells=invalid_cells,
        dropped_columns=dropped,
        mapping=mapping_used,
        source=str(table.where),
        reversed_items=tuple(c for c in hierarchy.reverse_items if c in answers.columns),
        demographics=_demographics(table, mapping_used, ids, folded_labels),
    )


def _check_file(data: bytes, name: str, limits: FileLimits) -> None:
    """Refuse a file over the limits before any parser reads it (an unsupported or empty file
    is left to :func:`_read_table`, which names the problem)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        check_csv(data, limits, what=name)
    elif suffix in (".xlsx", ".xlsm") and data:
        check_xlsx(data, limits, what=name)


def _check_headers(table: _Table, limits: FileLimits) -> None:
    """Refuse a header longer than :data:`HEADER_MAX_CHARS`, naming its column."""
    cap = max(HEADER_MAX_CHARS, limits.max_label_chars)
    for number, header in enumerate(table.frame.columns, start=1):
        if len(str(header)) > cap:
            check_label_length(
                header, Message("error.place.header", where=table.where,
                                column=get_column_letter(number)), cap
            )


def _check_community_names(
    communities: pd.Series, table: _Table, column: str, cap: int
) -> None:
    """Refuse a community name longer than ``cap`` characters, naming its row."""
    lengths = communities.fillna("").str.len().to_numpy()
    too_long = np.flatnonzero(lengths > cap)
    if too_long.size:
        first = int(too_long[0])
        check_label_length(
            communities.iloc[first],
            Message("error.place.community", where=table.where, row=table.rows[first],
                    column=column[:40]),
            cap,
        )


def read_headers(data: bytes, name: str, limits: FileLimits | None = None) -> list[str]:
    """The column headers of a questionnaire file (every sheet of a workbook), for a mapping
    step; the file is checked first (:func:`untrusted.check_xlsx` / ``check_csv``); empty when
    it cannot be read."""
    _check_file(data, name, limits or FileLimits.from_env())
    try:
        if Path(name).suffix.lower() in (".xlsx", ".xlsm"):
            sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, nrows=0)
            found = [str(c) for frame in sheets.values() for c in frame.columns]
        else:
            found = []
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    found = [str(c) for c in pd.read_csv(io.BytesIO(data), nrows=0,
                                                         encoding=encoding).columns]
                    break
                except UnicodeDecodeError:
                    continue
    except (ValueError, OSError):
        return []
    return list(dict.fromkeys(found))


def _demographics(
    table: _Table, mapping_used: ColumnMapping, ids: pd.Index, folded_labels: dict[str, float]
) -> pd.DataFrame:
    """The demographic columns among those left unmatched (never identifiers: those are dropped
    already; never a column of answers on the scale)."""
    candidates = [h for h in mapping_used.unmatched_columns if is_demographic(h)]
    likert = set(_likert_columns(table, candidates, folded_labels)) if candidates else set()
    return demographic_frame(table.frame, [h for h in candidates if h not in likert], ids)


def _match_columns(
    table: _Table,
    items: list[str],
    meta_columns: dict[str, str],
    mapping: Mapping[str, str] | str | PathLike[str] | None,
    community_column: str,
    folded_labels: dict[str, float],
) -> tuple[ColumnMapping, list[str]]:
    """Which column answers which item (by ``mapping``, item codes or order), the community
    column, and the identifier columns dropped."""
    where = table.where
    headers = list(table.frame.columns)
    others = [h for h in headers if h not in meta_columns.values()]
    if mapping is not None:
        method, columns = "file", _explicit_columns(mapping, others, items, where)
    else:
        method, columns = "codes", _code_columns(others, items, where)
    likert = _likert_columns(table, [h for h in others if h not in columns], folded_labels)
    community = _find_community(headers, community_column, set(columns), set(likert), where)
    kept = {community, *columns}
    # a column of answers on the scale is a question (say "通过微信群发布通知"), not an identifier
    dropped = [h for h in headers if h not in kept and h not in likert and is_identifier(h)]
    rest = [h for h in others if h not in kept and h not in dropped]
    if not columns:
        method, columns = "order", _order_columns(rest, likert, items, where)
    mapping_used = ColumnMapping(
        method=method,
        community_column=community,
        columns=columns,
        missing_items=[c for c in items if c not in set(columns.values())],
        unmatched_columns=[h for h in rest if h not in columns],
    )
    return mapping_used, dropped


def _answers(
    table: _Table,
    hierarchy: Hierarchy,
    mapping: ColumnMapping,
    ids: pd.Index,
    folded_labels: dict[str, float],
    strict: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scores 1..5 per respondent × item (framework order, reverse-coded items turned) and
    the invalid cells (with ``strict``, the first one is an error)."""
    items, columns = hierarchy.items, mapping.columns
    ordered = sorted(columns, key=lambda h: items.index(columns[h]))
    raw = table.frame[ordered]
    scored = _score_cells(raw, folded_labels)
    invalid_cells = _invalid_table(raw, scored, columns, ids, table.rows)
    if strict and not invalid_cells.empty:
        first = invalid_cells.iloc[0]
        more = len(invalid_cells) - 1
        raise SurveyError(
            "error.load.invalid_answer", where=table.where, row=first["row"],
            column=first["column"], item=first["item"], respondent=first["respondent_id"],
            value=first["value"],
            reason=Message("error.load.off_scale", low=SCALE_MIN, high=SCALE_MAX)
            if str(first["reason"]).startswith("off the") else Message("error.load.not_a_score"),
            more=Message("error.load.more_invalid", count=more) if more else "",
        )
    answers = pd.DataFrame(scored.score, index=ids, columns=[columns[h] for h in ordered])
    reverse = [c for c in hierarchy.reverse_items if c in answers.columns]
    answers[reverse] = (SCALE_MIN + SCALE_MAX) - answers[reverse]
    return answers, invalid_cells


def _communities(table: _Table, community: str, ids: pd.Index, cap: int) -> pd.Series:
    """The normalised community of every respondent; an all-empty column, or a name longer
    than ``cap`` characters, is an error."""
    communities = normalize_community(table.frame[community]).set_axis(ids).rename("community")
    _check_community_names(communities, table, community, cap)
    if communities.isna().all():
        raise SurveyError("error.load.community_empty", where=table.where, column=community,
                          option="community_column=", cli_option="--community-column")
    return communities


def _meta(table: _Table, meta_columns: dict[str, str], ids: pd.Index) -> pd.DataFrame:
    """File row, duration, submission date and source channel of every respondent."""
    frame = table.frame

    def column(role: str) -> pd.Series:
        header = meta_columns.get(role)
        values = frame[header] if header else pd.Series("", index=frame.index)
        return values.set_axis(ids)

    return pd.DataFrame(
        {
            "row": table.rows,
            "duration_seconds": parse_duration(column("duration")).to_numpy(),
            "submitted_at": pd.to_datetime(column("submitted_at"), errors="coerce", format="mixed")
            .dt.normalize()
            .to_numpy(),
            "source": normalize_community(column("source")).to_numpy(),
        },
        index=ids,
    )
