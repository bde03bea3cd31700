"""Benchmark: load a 问卷星-like .xlsx export of 5,000 and 50,000 residents × 57 items.

Run by hand: ``.venv/bin/python benchmarks/load_xlsx.py [framework.csv]``.

Data (not timed): one sheet as 问卷星 exports it 按选项文本 (option text): 序号, 提交答卷时间
(every other row an Excel datetime, else the 问卷星 string), 所用时间 (``123秒``), 来源,
来源详情, 来自IP, name and community questions, the 57 items as matrix sub-questions
``N、(子题)`` holding labels 非常不同意 … 非常同意 (2 % ``(跳过)``), and a free-text comment;
a short 说明 sheet comes first so the sheet is found by its question headers. Written with
openpyxl in write-only mode into a temporary directory.

Timed (best of 3): :func:`survey.loading.load_responses` on the file, and the old read path
for comparison: openpyxl in normal (not read-only) mode, ``load_workbook(path, data_only=True)``
then every row's values, which the loader used before it switched to the read-only reader.
The old figure is that parse plus the rest of the current loader (the current total minus its
own sheet read), so both totals include the same column matching and scoring.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import openpyxl

from ahp.hierarchy import Hierarchy
from survey.loading import load_responses, read_xlsx_rows

SIZES = (5_000, 50_000)
REPEATS = 3
OLD_PATH_MAX = 5_000  # the old path takes minutes at 50,000 rows: timed on the first size only
LABELS = np.array(["非常不同意", "不同意", "一般", "同意", "非常同意", "(跳过)"], dtype=object)
LABEL_P = (0.08, 0.15, 0.25, 0.30, 0.20, 0.02)
MATRIX_SIZES = (8, 8, 8, 8, 8, 8, 9)  # 57 items in seven matrix questions
DEFAULT_FRAMEWORK = Path("/work/shared/framework/good_governance_framework.csv")


def write_export(path: Path, respondents: int, seed: int = 0) -> None:
    """Write the synthetic export (see the module docstring)."""
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
    guide = book.create_sheet("说明")
    guide.append(["说明", "本问卷为合成数据"])
    sheet = book.create_sheet("Sheet1")
    sheet.append(headers)
    for i in range(respondents):
        when = start + timedelta(minutes=int(i))
        submitted = when if i % 2 else when.strftime("%Y/%-m/%-d %H:%M:%S")
        sheet.append(
            [i + 1, submitted, f"{seconds[i]}秒", "手机提交", "https://example.org", "1.2.3.4(浙江-杭州)",
             "张三", where[i], *answers[i], "无"]
        )
    book.save(path)


def old_rows(path: Path) -> list[list[object]]:
    """The old read path: openpyxl normal mode, every row of the response sheet."""
    book = openpyxl.load_workbook(path, data_only=True)
    try:
        return [list(r) for r in book["Sheet1"].iter_rows(values_only=True)]
    finally:
        book.close()


def best_of(run: Callable[[], object]) -> float:
    """Fastest wall time of REPEATS runs, in seconds."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main(framework: Path) -> None:
    hierarchy = Hierarchy.from_csv(framework)
    with tempfile.TemporaryDirectory() as folder:
        for respondents in SIZES:
            path = Path(folder) / f"123_按文本_社区治理问卷_{respondents}_{respondents}.xlsx"
            write_export(path, respondents)
            res = load_responses(path, hierarchy)
            assert res.answers.shape == (respondents, len(hierarchy.items)), res.answers.shape
            assert res.invalid_cells.empty and res.meta["submitted_at"].notna().all()
            size_mb = path.stat().st_size / 1e6
            total = best_of(lambda p=path: load_responses(p, hierarchy))
            print(f"{respondents:,} respondents × {len(hierarchy.items)} items "
                  f"({size_mb:.1f} MB): load_responses {total:.2f} s (best of {REPEATS})")
            if respondents > OLD_PATH_MAX:
                continue
            read_new = best_of(lambda p=path: read_xlsx_rows(p, "Sheet1"))
            read_old = best_of(lambda p=path: old_rows(p))
            old_total = read_old + total - read_new
            print(f"  sheet read: {read_new:.2f} s now, {read_old:.2f} s with openpyxl normal "
                  f"mode; old load_responses ≈ {old_total:.2f} s → {old_total / total:.1f}× faster")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FRAMEWORK)
