"""Add and publish a 1,000,000-respondent wave (1,000 communities × 57 items) in the study store,
then open the published result as the comparison page does. Run by hand:

    python benchmarks/store_wave.py [--db URL] [--respondents N]

Prints seconds per step and the peak memory (ru_maxrss). The wave is built as loaded
``Responses`` (file parsing is measured by benchmarks/load_xlsx.py).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS

from ahp.hierarchy import Hierarchy
from evaluation.study import StudySettings
from panel.store import JudgmentStore
from survey.responses import INVALID_CELL_COLUMNS, ColumnMapping, Responses


def synthetic(n: int, communities: int, items: list[str], seed: int) -> Responses:
    rng = np.random.default_rng(seed)
    index = pd.Index([f"r{i}" for i in range(n)], name="respondent_id")
    values = rng.integers(1, 6, size=(n, len(items))).astype(float)
    names = np.array([f"社区{k:04d}" for k in range(communities)], dtype=object)
    return Responses(
        answers=pd.DataFrame(values, index=index, columns=items),
        community=pd.Series(names[rng.integers(0, communities, n)], index=index),
        meta=pd.DataFrame({"row": np.arange(n) + 2, "duration_seconds": np.full(n, 300.0),
                           "submitted_at": pd.NaT, "source": ""}, index=index),
        invalid_cells=pd.DataFrame(columns=list(INVALID_CELL_COLUMNS)),
        dropped_columns=[], mapping=ColumnMapping("codes", {c: c for c in items}),
        source=f"synthetic-{seed}.csv",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None)
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--communities", type=int, default=1000)
    args = parser.parse_args()
    db = args.db or str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    items = Hierarchy.from_csv(SAMPLE_FRAMEWORK).items
    store = JudgmentStore(db, organizer_secret="bench")
    org = store.create_study("bench", "bench", framework=SAMPLE_FRAMEWORK)
    org.import_judgments(pd.read_csv(SAMPLE_JUDGMENTS, dtype=str), add_experts=True)
    org.set_settings(StudySettings(bootstrap=200))
    wave = synthetic(args.respondents, args.communities, items, 1)
    start = time.perf_counter()
    org.add_wave("W1", wave)
    added = time.perf_counter() - start
    start = time.perf_counter()
    org.publish("W1")
    published = time.perf_counter() - start
    print(f"{args.respondents:,} respondents: add wave {added:.1f} s, publish {published:.1f} s, "
          f"total {added + published:.1f} s")
    org.add_wave("W2", synthetic(args.respondents, args.communities, items, 2))
    start = time.perf_counter()
    org.publish("W2")
    print(f"publish of a second wave with changes: {time.perf_counter() - start:.1f} s")
    reads = []
    for _ in range(5):
        start = time.perf_counter()
        result = org.result()
        _ = result.ranking, result.changes
        reads.append(time.perf_counter() - start)
    print(f"open the published snapshot ({args.communities} communities, 2 waves): "
          f"median {np.median(reads) * 1000:.0f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"peak memory {peak:.2f} GB")


if __name__ == "__main__":
    main()
