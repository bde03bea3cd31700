"""Workbooks (.xlsx) and CSV files checked against :class:`FileLimits` before a parser runs.

:func:`check_xlsx` first checks the zip directory (:func:`untrusted.zip_check.check_zip`), then
streams every member once (decompressed 1 MB at a time, capped at its declared size):

* XML entity declarations (``<!DOCTYPE``, ``<!ENTITY``) anywhere are refused: a spreadsheet never
  needs them, and they are how "billion laughs" expansion works.
* A worksheet's declared ``<dimension ref="A1:XFD1048576"/>`` and the range its cells actually
  span must stay within ``max_rows``, ``max_columns`` and ``max_cells`` (rows × columns).
  python-calamine allocates that whole range as one dense block: a 1.7 KB file with cells at A1
  and XFD1048576 asks for 512 GB and aborts the process. The span is read from the ``r``
  references of ``<row>`` and ``<c>`` (``r="XFD1048576"``); rows and cells written without a
  reference (the attribute is optional) are counted and added, so the bound holds for them too.

The scan uses C-level byte counts and two regular expressions anchored on the literal ``' r="'``
(a 50,000 × 70 sheet, 114 MB of XML in a 9 MB file, takes 2.1 s on 2 busy cores; a 1,000,000-row
export about 40 s, far less than loading it), with an exact but slower path for the chunks that
use namespace prefixes, spaces around ``=`` or other attributes starting with ``r``. Tags cut
by a chunk boundary are carried over.

:func:`check_csv` bounds a CSV by its size, the fields of its header record and its line count.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from untrusted.limits import FileLimits, UntrustedFileError, show_bytes
from untrusted.zip_check import Source, iter_member, open_checked_zip, read_source, source_name

__all__ = ["SheetExtent", "check_csv", "check_xlsx", "column_number"]

_WHITESPACE = bytes.maketrans(b"\t\n\r", b"   ")
_ENTITY_TOKENS = (b"<!DOCTYPE", b"<!ENTITY")
_PREFIXED = (b":c", b":row")  # <x:c …>, <x:row …>: namespace prefixes take the exact path
_FAST_LETTERS = re.compile(rb" r=[\"']([A-Za-z]*)")
_FAST_DIGITS = re.compile(rb" r=[\"'][A-Za-z]*+(\d*)")
_ANY_REF = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]*)(\d*)")
_ANY_ROW = re.compile(rb"<(?:[\w.-]+:)?row(?=[\s/>])")
_ANY_CELL = re.compile(rb"<(?:[\w.-]+:)?c(?=[\s/>])")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\s[^<>]*?\bref\s*=\s*[\"']([^\"'<>]{1,40})")
_LAST_CELL = re.compile(rb"([A-Za-z]{1,7})(\d{1,15})$")
_MAX_TAG_BYTES = 8 << 20  # Excel caps a cell at 32,767 characters; no tag comes near 8 MB
_SHEETS = "xl/worksheets/"
_PARTIAL = "≥ "  # counts are refused as soon as they pass a limit, before the member ends
_HUGE = 10**15  # stands for any reference too long to be real (and for int() to parse)
_CSV_HEADER_BYTES_PER_COLUMN = 4096


def column_number(letters: bytes | str) -> int:
    """Spreadsheet column number of ``A`` = 1 … ``XFD`` = 16,384 (bijective base 26); a name of
    more than seven letters gives a number above any limit."""
    text = letters.decode("ascii") if isinstance(letters, bytes) else letters
    if len(text) > 7:
        return _HUGE
    number = 0
    for char in text.upper():
        number = number * 26 + ord(char) - 64
    return number


def _row_number(digits: bytes) -> int:
    return int(digits) if len(digits) <= 15 else _HUGE


@dataclass(frozen=True)
class SheetExtent:
    """What one zip member spans: ``rows`` × ``columns`` (the used range, bounded from above)
    and the ``<c>`` elements it holds (``cells``); ``declared`` is its ``<dimension>`` ref."""

    part: str
    rows: int
    columns: int
    cells: int
    declared: str | None


class _Tally:
    """Running counts over the chunks of one member (see the module docstring)."""

    def __init__(self) -> None:
        self.max_row = self.max_col = 0
        self.rows = self.cells = self.row_refs = self.cell_refs = 0
        self.segment = self.max_segment = 0  # cells per row, tracked where refs are missing
        self.declared: str | None = None

    def add(self, text: bytes) -> None:
        letters = _FAST_LETTERS.findall(text)
        # the fast path holds when every " r" starts a plain r="…" and no element is prefixed;
        # "<c" and "<row" also count <cols>, <cfRule>, <rowBreaks>: a few too many, never fewer
        if text.count(b" r") == len(letters) and not any(p in text for p in _PREFIXED):
            digits = _FAST_DIGITS.findall(text)
            rows, cells = text.count(b"<row"), text.count(b"<c")
        else:
            refs = _ANY_REF.findall(text)
            letters = [pair[0] for pair in refs]
            digits = [pair[1] for pair in refs]
            rows, cells = len(_ANY_ROW.findall(text)), len(_ANY_CELL.findall(text))
        row_refs = letters.count(b"")
        self.row_refs += row_refs
        self.cell_refs += len(letters) - row_refs
        self.rows += rows
        self.cells += cells
        self.max_col = max([self.max_col, *(column_number(x) for x in set(letters) if x)])
        self.max_row = max([self.max_row, *(_row_number(x) for x in set(digits) if x)])
        if cells > len(letters) - row_refs:  # cells without a reference: count them per row
            self._segments(text)
        else:
            self.segment = 0
        if self.declared is None and (found := _DIMENSION.search(text)):
            self.declared = found.group(1).decode("ascii", "replace")

    def _segments(self, text: bytes) -> None:
        pieces = _ANY_ROW.split(text)
        counts = [len(_ANY_CELL.findall(piece)) for piece in pieces]
        self.segment += counts[0]  # the row open at the end of the previous chunk
        for count in counts[1:]:
            self.max_segment = max(self.max_segment, self.segment)
            self.segment = count
        self.max_segment = max(self.max_segment, self.segment)

    def extent(self, part: str) -> SheetExtent:
        rows = self.max_row + max(0, self.rows - self.row_refs)
        columns = self.max_col + self.max_segment
        return SheetExtent(part, rows, columns, self.cells, self.declared)


def _declared_extent(ref: str) -> tuple[int, int] | None:
    """(rows, columns) up to the last cell of a ``<dimension>`` ref such as ``A1:XFD1048576``."""
    found = _LAST_CELL.search(ref.encode("ascii", "replace").split(b":")[-1].replace(b"$", b""))
    return (_row_number(found.group(2)), column_number(found.group(1))) if found else None


def _check_extent(
    rows: int, columns: int, cells: int, limits: FileLimits, what: str, at_least: str = ""
) -> None:
    """Refuse counts over the limits; ``at_least`` ("≥ ") marks counts of a partial scan."""
    if rows > limits.max_rows:
        raise UntrustedFileError("rows", what, f"{at_least}{rows:,}", f"{limits.max_rows:,}")
    if columns > limits.max_columns:
        raise UntrustedFileError(
            "columns", what, f"{at_least}{columns:,}", f"{limits.max_columns:,}"
        )
    if cells > limits.max_cells:
        raise UntrustedFileError("cells", what, f"{at_least}{cells:,}", f"{limits.max_cells:,}")


def _tagged_chunks(chunks: Iterable[bytes], what: str) -> Iterable[bytes]:
    """The chunks with whitespace folded to spaces and cut before a trailing unfinished tag,
    which is carried over to the next chunk (refused past 8 MB)."""
    carry = b""
    for chunk in chunks:
        text = carry + chunk.translate(_WHITESPACE)
        cut = text.rfind(b"<")
        if cut > text.rfind(b">"):
            text, carry = text[:cut], text[cut:]
            if len(carry) > _MAX_TAG_BYTES:
                raise UntrustedFileError("xml_token", what, "", show_bytes(_MAX_TAG_BYTES))
        else:
            carry = b""
        yield text
    yield carry


def _scan_member(
    chunks: Iterable[bytes], limits: FileLimits, what: str, sheet: bool
) -> SheetExtent | None:
    """Scan one member; its cells count once it is known as a worksheet (``sheet``, from its
    name, or a ``sheetData`` element, which is where every reader looks for cells)."""
    tally = _Tally()
    for text in _tagged_chunks(chunks, what):
        if any(token in text for token in _ENTITY_TOKENS):
            raise UntrustedFileError("entities", what)
        tally.add(text)
        sheet = sheet or b"sheetData" in text
        if not sheet:
            continue
        extent = tally.extent(what)
        area = extent.rows * extent.columns
        _check_extent(extent.rows, extent.columns, area, limits, what, _PARTIAL)
        _check_extent(0, 0, extent.cells, limits, what, _PARTIAL)
        declared = _declared_extent(tally.declared) if tally.declared else None
        if declared:
            _check_extent(*declared, declared[0] * declared[1], limits, f"{what} <dimension>")
    return tally.extent(what) if sheet else None


def check_xlsx(
    source: Source, limits: FileLimits | None = None, what: str | None = None
) -> list[SheetExtent]:
    """Check a workbook before any spreadsheet parser reads it; nothing is kept in memory but
    one chunk of one member at a time.

    Refuses (:class:`UntrustedFileError`) what :func:`~untrusted.zip_check.check_zip` refuses,
    a member that unpacks to more than it declares, entity declarations in any member, and a
    sheet whose declared or actual range exceeds ``max_rows``, ``max_columns`` or ``max_cells``
    (rows × columns), or that holds more than ``max_cells`` cells. Returns the extent of each
    worksheet (a member under ``xl/worksheets/`` or holding a ``sheetData`` element).
    """
    limits = limits or FileLimits()
    what = source_name(source, what)
    found: list[SheetExtent] = []
    with open_checked_zip(source, limits, what) as archive:
        for info in archive.infolist():
            part = f"{what}: {info.filename[:80]}"
            chunks = iter_member(archive, info, limits.max_member_bytes, what=part)
            extent = _scan_member(chunks, limits, part, info.filename.startswith(_SHEETS))
            if extent is not None:
                found.append(extent)
    return found


def check_csv(
    source: Source, limits: FileLimits | None = None, what: str | None = None
) -> tuple[int, int]:
    """Check a CSV's size, the fields of its header record and its lines; returns (lines,
    columns), the lines counted as newlines (an upper bound: quoted fields may hold newlines).

    The separator is chosen as the questionnaire loader does (a comma, else a tab or a semicolon
    when the first line has no comma). Quotes and separators are ASCII in UTF-8 and GB18030
    alike, so the bytes are counted without decoding. More columns than ``max_columns`` are
    refused with a message naming the count (without the check, over 18,278 columns, i.e. past
    ``ZZZ``, openpyxl-based code fails with "Invalid column index").
    """
    limits = limits or FileLimits()
    what = source_name(source, what)
    data = read_source(source, limits, what)
    head = data[: (limits.max_columns + 1) * _CSV_HEADER_BYTES_PER_COLUMN]
    first_line = head.split(b"\n", 1)[0]
    separator = ","
    if b"," not in first_line:
        separator = next((s for s in ("\t", ";") if s.encode() in first_line), ",")
    reader = csv.reader(io.StringIO(head.decode("latin-1"), newline=""), delimiter=separator)
    try:
        columns = len(next(reader, []))
    except csv.Error:  # a field over csv's 128 KB limit: count the separators instead
        columns = first_line.count(separator.encode()) + 1
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    _check_extent(max(0, lines - 1), columns, max(0, lines - 1) * columns, limits, what)
    return lines, columns
