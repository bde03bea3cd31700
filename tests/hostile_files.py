"""The hostile-file corpus of issue 14, built at test time into a folder (nothing big committed).

``build(folder)`` writes every file and returns ``{name: path}``. Large members are written
without compressing gigabytes: a block of sheet rows is deflated once, ending with a full flush
(byte-aligned, no reference to earlier data), and the compressed block is repeated; the CRC-32 of
the repeated data is combined arithmetically (zlib's ``crc32_combine``). The whole corpus
(about 60 MB on disk, most of it ``total_bomb.xlsx``) is built in about a second.

Run ``python tests/hostile_files.py FOLDER`` to build it by hand. The functions at the end are
parsers that misbehave, for the sandbox tests (importable by name in a child process).
"""

from __future__ import annotations

import csv
import os
import random
import struct
import sys
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "synthetic_wjx_export.xlsx"
FRAMEWORK = SAMPLE.parents[1] / "framework.csv"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
REGEX_BOMB_RUNS = 70_000  # "<c " repeats: about 50 s for the old regex, 1 ms for the new one
HEADER = ("序号", "3、您所在的社区是？", "4、社区服务满意度")


# --- CRC-32 of repeated data (zlib's crc32_combine, in GF(2)) --------------------------------


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """CRC-32 of ``A + B`` from ``crc32(A)``, ``crc32(B)`` and ``len(B)`` (zlib's algorithm)."""
    if length2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if length2 & 1:
            crc1 = _gf2_times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = _gf2_square(even)
        if length2 & 1:
            crc1 = _gf2_times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


def _crc_repeated(block: bytes, times: int) -> int:
    crc, crc_block, size = 0, zlib.crc32(block), len(block)
    while times:  # binary exponentiation: crc of block * times
        if times & 1:
            crc = crc32_combine(crc, crc_block, size)
        crc_block = crc32_combine(crc_block, crc_block, size)
        size *= 2
        times >>= 1
    return crc


# --- a zip writer for members given as head + block × times + tail ---------------------------


@dataclass(frozen=True)
class Member:
    """A zip member whose data is ``head + block * times + tail``, deflated (or stored)."""

    name: str
    head: bytes
    block: bytes = b""
    times: int = 0
    tail: bytes = b""
    declared_size: int | None = None  # a lie in the directory, when set
    stored: bool = False


def _raw_deflate(data: bytes, final: bool) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def _parts(member: Member) -> tuple[list[tuple[bytes, int]], int, int]:
    """(compressed pieces with their repeat counts, CRC-32, uncompressed size)."""
    size = len(member.head) + len(member.block) * member.times + len(member.tail)
    crc = zlib.crc32(member.head)
    crc = crc32_combine(crc, _crc_repeated(member.block, member.times),
                        len(member.block) * member.times)
    crc = crc32_combine(crc, zlib.crc32(member.tail), len(member.tail))
    if member.stored:
        return [(member.head, 1), (member.block, member.times), (member.tail, 1)], crc, size
    pieces = [(_raw_deflate(member.head, False), 1)]
    if member.times:
        pieces.append((_raw_deflate(member.block, False), member.times))
    pieces.append((_raw_deflate(member.tail, True), 1))
    return pieces, crc, size


def write_zip(path: Path, members: Iterable[Member]) -> Path:
    """Write a zip archive (no zip64: every member stays below 4 GB)."""
    directory = []
    with path.open("wb") as out:
        for member in members:
            pieces, crc, size = _parts(member)
            packed = sum(len(piece) * times for piece, times in pieces)
            size = size if member.declared_size is None else member.declared_size
            name = member.name.encode()
            method = 0 if member.stored else 8
            offset = out.tell()
            out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0x800, method, 0, 0x21,
                                  crc, packed, size, len(name), 0) + name)
            for piece, times in pieces:
                for _ in range(times):
                    out.write(piece)
            directory.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0x800, method,
                                         0, 0x21, crc, packed, size, len(name), 0, 0, 0, 0, 0,
                                         offset) + name)
        start = out.tell()
        out.write(b"".join(directory))
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(directory), len(directory),
                              out.tell() - start, start, 0))
    return path


def _book_members(sheets: list[Member], strings: bytes | None = None) -> list[Member]:
    """The parts of a minimal workbook around the given sheet members."""
    overrides = "".join(
        f'<Override PartName="/{s.name}" ContentType="{SHEET_TYPE}"/>' for s in sheets
    )
    if strings is not None:
        overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>'
    types = (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{PKG}/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_TYPE}"/>{overrides}</Types>'
    )
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    entries = "".join(
        f'<sheet name="Sheet{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, len(sheets) + 1)
    )
    book = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
        f"<sheets>{entries}</sheets></workbook>"
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="{s.name[3:]}"/>'
        for i, s in enumerate(sheets, start=1)
    )
    if strings is not None:
        rels += f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    book_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}/relationships">'
        f"{rels}</Relationships>"
    )
    parts = [
        Member("[Content_Types].xml", types.encode()),
        Member("_rels/.rels", root_rels.encode()),
        Member("xl/workbook.xml", book.encode()),
        Member("xl/_rels/workbook.xml.rels", book_rels.encode()),
        *sheets,
    ]
    if strings is not None:
        parts.append(Member("xl/sharedStrings.xml", strings))
    return parts


def _sheet_head(dimension: str | None = None) -> bytes:
    tag = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{tag}'.encode()


def _text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _answer_rows(first: int, last: int) -> str:
    return "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r - 1}</v></c>{_text_cell(f"B{r}", "翠苑")}'
        f'<c r="C{r}"><v>{1 + r % 5}</v></c></row>'
        for r in range(first, last + 1)
    )


def _header_row() -> str:
    cells = "".join(_text_cell(f"{'ABC'[i]}1", h) for i, h in enumerate(HEADER))
    return f'<row r="1">{cells}</row>'


def _sheet(name: str, body: str, dimension: str | None = None) -> Member:
    return Member(name, _sheet_head(dimension) + body.encode() + b"</worksheet>")


def _rows_block(target: int, random_share: float, seed: int) -> bytes:
    """About ``target`` bytes of r-less rows of 70 cells; a share of the values is random (this
    sets how well the block compresses)."""
    rng = random.Random(seed)
    rows = []
    size = 0
    while size < target:
        values = (rng.randint(1, 5) if rng.random() < random_share else 3 for _ in range(70))
        row = "<row>" + "".join(f"<c><v>{v}</v></c>" for v in values) + "</row>"
        rows.append(row)
        size += len(row)
    return "".join(rows).encode()


def _big_sheet(name: str, block: bytes, size: int) -> Member:
    head = _sheet_head() + b"<sheetData>" + _header_row().encode()
    return Member(name, head, block, size // len(block), b"</sheetData></worksheet>")


# --- the corpus --------------------------------------------------------------------------------


def sparse_dimension(path: Path) -> Path:
    """Cells at A1 and XFD1048576 only (≈1.7 KB): python-calamine asks for 512 GB and aborts."""
    body = (
        f'<sheetData>{_header_row()}<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        "</sheetData>"
    )
    return write_zip(path, _book_members([_sheet("xl/worksheets/sheet1.xml", body,
                                                 "A1:XFD1048576")]))


def regex_bomb(path: Path) -> Path:
    """A valid questionnaire whose sheet ends with a comment of ``<c <c <c … <f>``: every
    ``<c`` made the old ``_UNCACHED_FORMULA`` scan to the comment's end (quadratic)."""
    comment = "<!--" + "<c " * REGEX_BOMB_RUNS + "<f>-->"
    body = f"<sheetData>{_header_row()}{_answer_rows(2, 5)}</sheetData>{comment}"
    return write_zip(path, _book_members([_sheet("xl/worksheets/sheet1.xml", body)]))


def ratio_bomb(path: Path) -> Path:
    """≈300 KB unpacking to 100 MB of identical rows (ratio ≈ 330 : 1; deflate cannot pass
    1032 : 1, so more per kilobyte would take overlapping members)."""
    block = _rows_block(1 << 20, 0.0, 1)
    return write_zip(path, _book_members([_big_sheet("xl/worksheets/sheet1.xml", block,
                                                     100 << 20)]))


def big_sheet(path: Path) -> Path:
    """≈6 MB holding a 1 GB sheet (ratio ≈ 170 : 1, as in the review's 5.8 MB file)."""
    block = _rows_block(1 << 20, 0.016, 2)
    return write_zip(path, _book_members([_big_sheet("xl/worksheets/sheet1.xml", block,
                                                     1 << 30)]))


def total_bomb(path: Path) -> Path:
    """Five 1 GB sheets each compressed below the ratio limit (≈ 90 : 1): only the total
    (5 GB) gives it away."""
    block = _rows_block(1 << 20, 0.1, 3)
    sheets = [_big_sheet(f"xl/worksheets/sheet{i}.xml", block, 1 << 30) for i in range(1, 6)]
    return write_zip(path, _book_members(sheets))


def billion_laughs(path: Path) -> Path:
    """Entity expansion in sharedStrings.xml (ten levels of ten: 10^10 "lol")."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    strings = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]><sst xmlns="{MAIN}" count="1" '
        'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    ).encode()
    body = '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>'
    return write_zip(path, _book_members([_sheet("xl/worksheets/sheet1.xml", body)], strings))


def rless_wide(path: Path) -> Path:
    """16,384 cells without references in row 1 and one cell at A100000: the references alone
    span one column, the cells 16,384 × 100,000."""
    body = (
        "<sheetData><row>" + "<c><v>1</v></c>" * 16384 + "</row>"
        '<row r="100000"><c r="A100000"><v>1</v></c></row></sheetData>'
    )
    return write_zip(path, _book_members([_sheet("xl/worksheets/sheet1.xml", body)]))


def lying_sizes(path: Path) -> Path:
    """A sheet declaring 1,000 bytes that unpacks to 10 MB."""
    sheet = _big_sheet("xl/worksheets/sheet1.xml", _rows_block(1 << 20, 0.0, 4), 10 << 20)
    sheet = Member(sheet.name, sheet.head, sheet.block, sheet.times, sheet.tail, 1000)
    return write_zip(path, _book_members([sheet]))


def corrupt(path: Path) -> Path:
    """The sample questionnaire with its central directory overwritten."""
    data = bytearray(SAMPLE.read_bytes())
    start = data.rfind(b"PK\x01\x02")
    data[start: start + 200] = os.urandom(200)
    path.write_bytes(bytes(data))
    return path


def corrupt_member(path: Path) -> Path:
    """The sample questionnaire with bytes in the middle of its sheet's deflate data flipped."""
    data = bytearray(SAMPLE.read_bytes())
    middle = len(data) // 3
    data[middle: middle + 64] = bytes(b ^ 0xFF for b in data[middle: middle + 64])
    path.write_bytes(bytes(data))
    return path


def truncated(path: Path) -> Path:
    """The first half of the sample questionnaire."""
    data = SAMPLE.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def wide_csv(path: Path) -> Path:
    """A questionnaire CSV with 20,000 columns (past ``ZZZ`` = 18,278)."""
    header = ",".join(f"Q{i}" for i in range(1, 20_001))
    row = ",".join("3" for _ in range(20_000))
    path.write_text(f"{header}\n{row}\n{row}\n", encoding="utf-8")
    return path


def long_label_csv(path: Path) -> Path:
    """A questionnaire CSV where one respondent's community name has 40,000 characters."""
    rows = [",".join(HEADER), "1,翠苑,4", "2,文新,5", f"3,{'长' * 40_000},3"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


FORMULA_ANSWER = "=cmd|' /C calc'!A0"
"""The classic DDE payload ("CSV injection"): a spreadsheet opening it would run a program."""


def formula_likert_csv(path: Path, respondents: int = 80) -> Path:
    """A questionnaire CSV that loads (item codes in the headers, three communities; answers
    that hang together, so that the reliability and validity tables have something to show)
    but holds two bad answers: D05 of respondent 3 is :data:`FORMULA_ANSWER`, D12 of
    respondent 7 is ``7`` (off the 1–5 scale). Not in :data:`BUILDERS`: the file is not
    refused, its two cells are read as invalid answers."""
    with FRAMEWORK.open(encoding="utf-8") as file:
        items = [row for row in csv.DictReader(file) if row["level"] == "D"]
    codes = [row["code"] for row in items]
    reversed_ = [row["reverse"] == "1" for row in items]  # worded negatively: 6 − x
    rng = random.Random(14)
    rows = [",".join(["序号", "社区", *codes])]
    for respondent in range(1, respondents + 1):
        level = rng.choice((2, 3, 3, 4, 4, 5))
        scores = [min(5, max(1, level + rng.choice((-1, 0, 0, 1)))) for _ in codes]
        answers = [str(6 - x if flip else x) for x, flip in zip(scores, reversed_, strict=True)]
        if respondent == 3:
            answers[4] = '"' + FORMULA_ANSWER.replace('"', '""') + '"'
        if respondent == 7:
            answers[11] = "7"
        community = ("翠苑", "文新", "古荡")[respondent % 3]
        rows.append(",".join([str(respondent), community, *answers]))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def dense_range(path: Path) -> Path:
    """Cells at A1 and ALL200000 (≈1.7 KB): 1,000 columns × 200,000 rows is exactly the default
    ``max_cells`` (200,000,000), so every check passes, and python-calamine then allocates the
    whole range (6.4 GB): more than a sandboxed parse may use, so the parser child aborts."""
    body = (
        f'<sheetData>{_header_row()}<row r="200000"><c r="ALL200000"><v>1</v></c></row>'
        "</sheetData>"
    )
    return write_zip(path, _book_members([_sheet("xl/worksheets/sheet1.xml", body,
                                                 "A1:ALL200000")]))


BUILDERS = {
    "sparse_dimension.xlsx": sparse_dimension,
    "regex_bomb.xlsx": regex_bomb,
    "ratio_bomb.xlsx": ratio_bomb,
    "big_sheet.xlsx": big_sheet,
    "total_bomb.xlsx": total_bomb,
    "billion_laughs.xlsx": billion_laughs,
    "rless_wide.xlsx": rless_wide,
    "lying_sizes.xlsx": lying_sizes,
    "corrupt.xlsx": corrupt,
    "corrupt_member.xlsx": corrupt_member,
    "truncated.xlsx": truncated,
    "wide.csv": wide_csv,
    "long_label.csv": long_label_csv,
}
"""File name → builder; each writes one file and returns its path."""


def build(folder: Path) -> dict[str, Path]:
    """Write the whole corpus into ``folder``; returns {file name: path}."""
    folder.mkdir(parents=True, exist_ok=True)
    return {name: builder(folder / name) for name, builder in BUILDERS.items()}


# --- parsers that misbehave (for the sandbox tests; run in a child process) ------------------


def parser_aborts() -> None:
    """Dies like python-calamine on a failed allocation (SIGABRT, exit 134)."""
    os.abort()


def parser_allocates(megabytes: int = 2048) -> int:
    """Asks for ``megabytes`` of memory and touches it."""
    return len(bytearray(megabytes << 20))


def parser_loops() -> None:
    """Never returns."""
    while True:
        time.sleep(0.01)


def parser_raises(message: str) -> None:
    """Raises the loader's own error with a good message."""
    from survey.errors import SurveyError

    raise SurveyError(message)


def parser_returns(value: object) -> object:
    return value


if __name__ == "__main__":
    for name, file in build(Path(sys.argv[1])).items():
        print(f"{file.stat().st_size:>12,}  {name}")
