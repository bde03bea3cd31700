"""Benchmark: load a 问卷星-like .xlsx export of 5,000 and 50,000 residents × 57 items.

Run by hand: ``.venv/bin/python benchmarks/load_xlsx.py [framework.csv] [--skip-slow]
[--inline-strings]``.

Data (not timed): one sheet as 问卷星 exports it 按选项文本 (option text): 序号, 提交答卷时间
(every other row an Excel datetime, else the 问卷星 string), 所用时间 (``123秒``), 来源,
来源详情, 来自IP, name and community questions, the 57 items as matrix sub-questions
``N、(子题)`` holding labels 非常不同意 … 非常同意 (2 % ``(跳过)``), and a free-text comment;
a short 说明 sheet comes first so the sheet is found by its question headers. Written with
openpyxl in write-only mode into a temporary directory, then its text cells are moved into a
shared-string table as Excel, WPS and 问卷星 write them.

Timed: :func:`survey.loading.load_responses` on the file (best of 3) with the reader it uses
(python-calamine when installed), and in the same run the old path, the loader with its
previous sheet reader: openpyxl in normal (not read-only) mode, ``load_workbook(path,
data_only=True)``, every cell built as an object. When python-calamine is installed the openpyxl
read-only fallback is timed too. At 50,000 respondents the two openpyxl paths take minutes, so
they are run once there (``--skip-slow`` leaves them out at that size). ``--inline-strings``
keeps the text cells inline, as openpyxl writes them (slower for openpyxl to read).
"""

from __future__ import annotations

import io
import re
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from unittest.mock import patch

import numpy as np
import openpyxl

from ahp.hierarchy import Hierarchy
from survey import loading
from survey.loading import load_responses

SIZES = (5_000, 50_000)
REPEATS = 3
SLOW_SINGLE_RUN = 50_000  # from this size the openpyxl paths are run once, not best of 3
LABELS = np.array(["非常不同意", "不同意", "一般", "同意", "非常同意", "(跳过)"], dtype=object)
LABEL_P = (0.08, 0.15, 0.25, 0.30, 0.20, 0.02)
MATRIX_SIZES = (8, 8, 8, 8, 8, 8, 9)  # 57 items in seven matrix questions
DEFAULT_FRAMEWORK = Path(__file__).resolve().parent.parent / "data" / "framework.csv"
_MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_INLINE = re.compile(rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>')


def write_export(path: Path, respondents: int, seed: int = 0, shared: bool = True) -> None:
    """Write the synthetic export (see the module docstring); ``shared=False`` keeps the text
    cells inline as openpyxl writes them (the bundled sample export is written that way)."""
    rng = np.random.default_rng(seed)
    headers = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的姓名",
               "2、您所在的社区是？"]
    question = 3
    for size in MATRIX_SIZES:
        headers += [f"{question}、(子题{question}.{k})" for k in range(1, size + 1)]
        question += 1
    headers.append(f"{question}、您对社区治理有什么建议？")
    answers = LABELS[rng.choice(len(LABELS), size=(respondents, sum(MATRIX_SIZES)), p=LABEL_P)]
    communities = np.array([f"第{c + 1}社区" for c in range(28)], dtype=object)
    where = communities[rng.integers(0, len(communities), respondents)]
    seconds = rng.integers(60, 1200, respondents)
    start = datetime(2024, 5, 1, 8)
    book = openpyxl.Workbook(write_only=True)
    book.create_sheet("说明").append(["说明", "本问卷为合成数据"])
    sheet = book.create_sheet("Sheet1")
    sheet.append(headers)
    for i in range(respondents):
        when = start + timedelta(minutes=i)
        submitted = when if i % 2 else when.strftime("%Y/%-m/%-d %H:%M:%S")
        sheet.append(
            [i + 1, submitted, f"{seconds[i]}秒", "手机提交", "https://example.org",
             "1.2.3.4(浙江-杭州)", "张三", where[i], *answers[i], "无"]
        )
    book.save(path)
    if shared:
        _to_shared_strings(path)


def _to_shared_strings(path: Path) -> None:
    """Move the text cells into a shared-string table, as Excel, WPS and 问卷星 store them
    (openpyxl writes every text cell inline, which is slower to read)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    index: dict[bytes, int] = {}

    def shared(match: re.Match[bytes]) -> bytes:
        number = index.setdefault(match.group(2), len(index))
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match.group(1), number)

    for name in [n for n in parts if n.startswith("xl/worksheets/")]:
        parts[name] = _INLINE.sub(shared, parts[name])
    items = b"".join(b"<si><t>%s</t></si>" % text for text in index)
    parts["xl/sharedStrings.xml"] = b'<sst xmlns="%s" uniqueCount="%d">%s</sst>' % (
        _MAIN_NS, len(index), items)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats'
        b'.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        b"</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def old_read_xlsx(data: bytes, name: str, sheet: str | None, items: list[str]) -> loading._Table:
    """The loader's previous sheet reader: openpyxl in normal mode (the slow path)."""
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    try:
        if sheet is None:
            headers = [[c.value for c in next(w.iter_rows(max_row=1), ())] for w in book.worksheets]
            scores = [loading._looks_like_questions(h, items) for h in headers]
            ws = book.worksheets[int(np.argmax(scores))]
        else:
            ws = book[sheet]
        where = f"{name}, sheet '{ws.title}'"
        if any(r.min_row == 1 for r in ws.merged_cells.ranges):
            raise ValueError(f"{where}: merged header cells")
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    return loading._frame_from_rows(rows, where)


def best_of(run: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Fastest wall time and fastest CPU time (this process) of ``repeats`` runs, in seconds;
    the CPU time is the steadier figure on a machine shared with other jobs."""
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def main(framework: Path, skip_slow: bool, shared: bool) -> None:
    hierarchy = Hierarchy.from_csv(framework)
    current = "python-calamine" if loading.python_calamine is not None else "openpyxl read-only"
    cells = "shared strings" if shared else "inline strings"
    print(f"load_responses reads .xlsx with {current}; text cells as {cells}")
    with tempfile.TemporaryDirectory() as folder:
        for respondents in SIZES:
            path = Path(folder) / f"123_按文本_社区治理问卷_{respondents}_{respondents}.xlsx"
            write_export(path, respondents, shared=shared)
            res = load_responses(path, hierarchy)
            assert res.answers.shape == (respondents, len(hierarchy.items)), res.answers.shape
            assert res.invalid_cells.empty and res.meta["submitted_at"].notna().all()
            new = best_of(lambda p=path: load_responses(p, hierarchy), REPEATS)
            print(f"{respondents:,} respondents × {len(hierarchy.items)} items "
                  f"({path.stat().st_size / 1e6:.1f} MB): {new[0]:.2f} s wall, {new[1]:.2f} s CPU "
                  f"(best of {REPEATS})")
            if skip_slow and respondents >= SLOW_SINGLE_RUN:
                continue
            repeats = 1 if respondents >= SLOW_SINGLE_RUN else REPEATS
            paths = {"old path, openpyxl normal mode": ("_read_xlsx", old_read_xlsx)}
            if loading.python_calamine is not None:
                paths["fallback, openpyxl read-only"] = ("python_calamine", None)
            for label, (name, value) in paths.items():
                with patch.object(loading, name, value):
                    old = best_of(lambda p=path: load_responses(p, hierarchy), repeats)
                print(f"  {label}: {old[0]:.2f} s wall, {old[1]:.2f} s CPU (best of {repeats}) "
                      f"→ now {old[0] / new[0]:.1f}× faster (wall), {old[1] / new[1]:.1f}× (CPU)")


if __name__ == "__main__":
    flags = {"--skip-slow", "--inline-strings"}
    arguments = [a for a in sys.argv[1:] if a not in flags]
    main(Path(arguments[0]) if arguments else DEFAULT_FRAMEWORK, "--skip-slow" in sys.argv,
         "--inline-strings" not in sys.argv)
