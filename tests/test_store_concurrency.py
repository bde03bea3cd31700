"""8 processes write judgments at once for a while, on SQLite and on PostgreSQL: nothing is lost,
nothing fails. ``SHANZHI_CONCURRENCY_SECONDS`` sets the duration (default 15 s per back end)."""

from __future__ import annotations

import os
import sys
import time
import types
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

from panel.store import JudgmentStore

SECRET = "organizer-secret-for-tests"
WRITERS = 8
SECONDS = float(os.environ.get("SHANZHI_CONCURRENCY_SECONDS", "15"))
FRAMEWORK = "level,code,parent,name_zh,name_en\n" + "\n".join(
    f"B,B{i},A,维度{i},Dimension {i}" for i in range(1, 10)
) + "\n" + "\n".join(f"C,C{i},B{1 + (i - 1) % 9},条目{i},Item {i}" for i in range(1, 19)) + "\n"
VALUES = ("1/9", "1/7", "1/5", "1/3", "1", "3", "5", "7", "9")


def writer(target: str, token: str, seconds: float, seed: int) -> tuple[dict, int, list[str]]:
    """Write judgments of node A until time is up; return the last value written per cell,
    the number of writes and the errors."""
    store = JudgmentStore(target)
    expert = store.open_expert("c", token)
    codes = [f"B{i}" for i in range(1, 10)]
    pairs = [(a, b) for i, a in enumerate(codes) for b in codes[i + 1:]]
    last: dict[str, float] = {}
    writes, errors = 0, []
    end = time.monotonic() + seconds
    k = seed
    while time.monotonic() < end:
        row, col = pairs[k % len(pairs)]
        value = VALUES[(k * 7 + seed) % len(VALUES)]
        try:
            expert.set_judgment("A", row, col, value)
            num, _, den = value.partition("/")
            last[f"{row}|{col}"] = float(num) / float(den or 1)
            writes += 1
        except Exception as exc:  # every failure counts
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
        k += 1
    store.db.dispose()
    return last, writes, errors


def run_writers(target: str | Path, seconds: float = SECONDS) -> dict[str, object]:
    """The concurrency run (shared with benchmarks/store_concurrency.py)."""
    store = JudgmentStore(target, organizer_secret=SECRET)
    organizer = store.create_study("并发 Concurrency", SECRET, framework=FRAMEWORK, study_id="c")
    tokens = organizer.create_panel([f"专家{i}" for i in range(WRITERS)])
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")  # spawn: nothing to re-import
    try:
        with ProcessPoolExecutor(WRITERS, mp_context=get_context("spawn")) as pool:
            jobs = {e: pool.submit(writer, str(target), t, seconds, i)
                    for i, (e, t) in enumerate(tokens.items())}
            outcomes = {e: job.result() for e, job in jobs.items()}
    finally:
        sys.modules["__main__"] = main
    stored = organizer.judgments(label="id")
    lost = 0
    for expert_id, (last, _, _) in outcomes.items():
        mine = stored[stored["expert"] == expert_id]
        have = {f"{r}|{c}": v for r, c, v in mine[["row", "col", "value"]].itertuples(index=False)}
        lost += sum(1 for cell, value in last.items() if abs(have.get(cell, -1) - value) > 1e-9)
    edits = (organizer.audit()["action"] == "judgment.set").sum()
    store.db.dispose()
    return {
        "writes": sum(w for _, w, _ in outcomes.values()),
        "errors": [e for _, _, errs in outcomes.values() for e in errs],
        "lost": lost,
        "audited_edits": int(edits),
        "seconds": seconds,
    }


@pytest.mark.slow
def test_eight_processes_write_for_a_while_and_lose_nothing(db_target):
    figures = run_writers(db_target)
    print(f"\n{type(db_target).__name__}: {figures['writes']} writes in {SECONDS:g} s, "
          f"lost {figures['lost']}, errors {len(figures['errors'])}")
    assert figures["errors"] == []
    assert figures["lost"] == 0
    assert figures["writes"] > WRITERS * 10
