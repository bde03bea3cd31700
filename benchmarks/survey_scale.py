"""Benchmark: all item, C, B and A scores for 1,000,000 respondents in 1,000 communities.

Run by hand: ``.venv/bin/python benchmarks/survey_scale.py [framework.csv]``.

Data: 57 items with random answers 1..5 and 5 % missing, communities drawn uniformly, random
valid AHP weights (Dirichlet local vectors) on the good-governance framework. Timed:
``survey.scoring.score`` without bootstrap (best of 3; data generation excluded). Compared with
a straightforward per-community pandas loop (``df[df.community == c].mean()`` then the weighted
roll-up), timed on a subset of communities and extrapolated linearly to all of them; the two
must agree on that subset.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ahp.hierarchy import Hierarchy
from survey.responses import ColumnMapping, Responses
from survey.scoring import score

RESPONDENTS = 1_000_000
COMMUNITIES = 1_000
MISSING_RATE = 0.05
LOOP_SUBSET = 50
TARGET_SECONDS = 1.0
DEFAULT_FRAMEWORK = Path(__file__).resolve().parent.parent / "data" / "framework.csv"


def make_study(hierarchy: Hierarchy, seed: int = 0):
    """Random answers, communities and valid weights (not timed)."""
    rng = np.random.default_rng(seed)
    items = hierarchy.items
    values = rng.integers(1, 6, size=(RESPONDENTS, len(items))).astype(float)
    values[rng.random(values.shape) < MISSING_RATE] = np.nan
    ids = pd.Index([f"r{i:07d}" for i in range(RESPONDENTS)], name="respondent_id")
    names = np.array([f"社区{c:04d}" for c in range(COMMUNITIES)], dtype=object)
    community = pd.Series(names[rng.integers(0, COMMUNITIES, RESPONDENTS)], index=ids)
    answers = pd.DataFrame(values, index=ids, columns=items)
    meta = pd.DataFrame({"row": np.arange(2, RESPONDENTS + 2)}, index=ids)
    cells = pd.DataFrame(columns=["respondent_id", "row", "column", "item", "value", "reason"])
    mapping = ColumnMapping(method="codes", columns={i: i for i in items})
    responses = Responses(answers, community, meta, cells, [], mapping, "benchmark")
    local = {
        parent: rng.dirichlet(np.ones(len(hierarchy.children(parent))))
        for parent in hierarchy.compared_nodes()
    }
    return responses, hierarchy.weights(local)


def pandas_loop(responses: Responses, hierarchy: Hierarchy, weights, communities) -> pd.DataFrame:
    """The straightforward way: one community at a time, pandas means and group sums."""
    frame = responses.answers.assign(community=responses.community)
    table = weights.table
    out = {}
    for name in communities:
        node = frame[frame["community"] == name][hierarchy.items].mean()
        scores = [node]
        for _ in hierarchy.levels[:-1]:  # D → C → B → A
            rows = table.loc[node.index]
            node = (node * rows["local"]).groupby(rows["parent"], sort=False).sum(min_count=1)
            scores.append(node)
        out[name] = pd.concat(scores)
    return pd.DataFrame(out).T


def best_of(repeats: int, func, *args, **kwargs):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, result


def main(framework: Path = DEFAULT_FRAMEWORK) -> None:
    hierarchy = Hierarchy.from_csv(framework)
    start = time.perf_counter()
    responses, weights = make_study(hierarchy)
    generated = time.perf_counter() - start
    print(
        f"data: {RESPONDENTS:,} respondents × {len(hierarchy.items)} items, {COMMUNITIES:,} "
        f"communities, {MISSING_RATE:.0%} missing (generated in {generated:.1f} s, not timed)"
    )
    seconds, result = best_of(3, score, responses, hierarchy, weights, bootstrap=0)
    verdict = "met" if seconds <= TARGET_SECONDS else "MISSED"
    print(
        f"score(): {seconds:.3f} s for {len(result.table):,} scores "
        f"(target ≤ {TARGET_SECONDS:g} s, {verdict})"
    )

    subset = [f"社区{c:04d}" for c in range(LOOP_SUBSET)]
    loop_seconds, looped = best_of(1, pandas_loop, responses, hierarchy, weights, subset)
    extrapolated = loop_seconds * COMMUNITIES / LOOP_SUBSET
    wide = result.table.pivot(index="community", columns="code", values="score")
    diff = np.abs(wide.loc[subset, looped.columns].to_numpy() - looped.to_numpy()).max()
    print(
        f"pandas per-community loop: {loop_seconds:.2f} s for {LOOP_SUBSET} communities → "
        f"{extrapolated:.1f} s for {COMMUNITIES:,} (extrapolated linearly); max |difference| "
        f"on the subset {diff:.1e}"
    )
    print(f"speed-up: {extrapolated / seconds:.0f}×")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FRAMEWORK)
