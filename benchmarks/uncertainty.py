"""Speed of the Monte Carlo uncertainty analysis against a straightforward per-draw loop.

Setting (issue 6): 10,000 draws over 1,000 communities with the full 7/22/57 framework and a
panel of 25 experts with random Saaty judgments, all three sources on (expert bootstrap,
judgment noise p = 0.2, resident bootstrap). Residents: ``--per-community`` respondents per
community (default 20; the Hangzhou study had about 13), 1 % of answers missing.

The per-draw loop does, for each draw, what a direct implementation would: per node, the
library's ``aggregate_judgments`` of the resampled, perturbed expert matrices and one
``priorities`` call; ``Hierarchy.weights``; a one-draw ``bootstrap_item_sums`` and
``level_scores`` for the community scores; pandas ranks. It is timed on ``--loop-draws``
draws (default 200) and extrapolated linearly to the full number of draws.

Run from the repository root: ``.venv/bin/python benchmarks/uncertainty.py``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ahp.group import aggregate_judgments  # noqa: E402
from ahp.hierarchy import Hierarchy  # noqa: E402
from ahp.panel import PanelJudgments  # noqa: E402
from ahp.priorities import priorities  # noqa: E402
from ahp.scale import SAATY_VALUES  # noqa: E402
from evaluation.uncertainty import monte_carlo  # noqa: E402
from survey.responses import ColumnMapping, Responses  # noqa: E402
from survey.scoring import Aggregation, bootstrap_item_sums, level_scores  # noqa: E402

FRAMEWORK = Path(__file__).resolve().parent.parent / "data" / "framework.csv"
if not FRAMEWORK.exists():
    FRAMEWORK = ROOT / "data" / "framework.csv"
NOISE = 0.2


def random_panel(hierarchy: Hierarchy, experts: int, rng: np.random.Generator) -> PanelJudgments:
    """Random Saaty judgments for every compared node (upper triangle, long form)."""
    rows = []
    for node in hierarchy.compared_nodes():
        kids = hierarchy.children(node)
        pairs = [(a, b) for i, a in enumerate(kids) for b in kids[i + 1:]]
        values = rng.choice(np.asarray(SAATY_VALUES), size=(experts, len(pairs)))
        for e in range(experts):
            given = zip(pairs, values[e], strict=True)
            rows += [(f"E{e + 1:02d}", node, a, b, v) for (a, b), v in given]
    return PanelJudgments(pd.DataFrame(rows, columns=["expert", "node", "row", "col", "value"]))


def random_responses(
    items: list[str], communities: int, per_community: int, rng: np.random.Generator
) -> Responses:
    """Likert answers with a community effect; 1 % missing."""
    n = communities * per_community
    ids = pd.Index([f"R{i:07d}" for i in range(n)], name="respondent_id")
    group = np.repeat(np.arange(communities), per_community)
    latent = 3.4 + rng.normal(0, 0.3, communities)[group, None] + rng.normal(0, 0.9, (n, 1))
    answers = np.clip(np.rint(latent + rng.normal(0, 0.8, (n, len(items)))), 1, 5)
    answers[rng.random(answers.shape) < 0.01] = np.nan
    community = pd.Series([f"C{g:04d}" for g in group], index=ids, name="community")
    meta = pd.DataFrame(
        {"row": np.arange(2, n + 2), "duration_seconds": np.nan, "submitted_at": pd.NaT,
         "source": ""},
        index=ids,
    )
    cells = pd.DataFrame(columns=["respondent_id", "row", "column", "item", "value", "reason"])
    return Responses(
        answers=pd.DataFrame(answers, index=ids, columns=items),
        community=community,
        meta=meta,
        invalid_cells=cells,
        dropped_columns=[],
        mapping=ColumnMapping(method="codes", columns={i: i for i in items}),
        source="benchmark",
    )


def per_draw_loop(
    hierarchy: Hierarchy, judgments: PanelJudgments, responses: Responses, draws: int, seed: int
) -> np.ndarray:
    """The straightforward implementation: one draw at a time. Returns goal scores."""
    rng = np.random.default_rng(seed)
    agg = Aggregation.from_hierarchy(hierarchy)
    log_scale = np.log(np.asarray(SAATY_VALUES))
    panel = judgments.experts
    stacks = {
        node: judgments.stack(node, hierarchy.children(node))[1]
        for node in hierarchy.compared_nodes()
    }
    values = responses.answers.reindex(columns=list(agg.items)).to_numpy(dtype=float)
    codes, names = pd.factorize(responses.community)
    out = np.empty((draws, len(names)))
    for s in range(draws):
        counts = rng.multinomial(len(panel), np.full(len(panel), 1 / len(panel)))
        local = {}
        for node, stack in stacks.items():
            logs = np.log(stack)
            index = np.argmin(np.abs(logs[..., None] - log_scale), axis=-1)
            u = rng.random(logs.shape)
            step = np.where(u < NOISE / 2, 1, np.where(u < NOISE, -1, 0))
            moved = np.clip(index + step, 0, len(log_scale) - 1)
            noisy = np.triu(log_scale[moved] - log_scale[index] + logs, 1)
            noisy = noisy - np.swapaxes(noisy, 1, 2)
            keep = counts > 0
            group = aggregate_judgments(np.exp(noisy[keep]), counts[keep])
            local[node] = priorities(group)
        weights = hierarchy.weights(local)
        sums, answered = bootstrap_item_sums(values, codes, len(names), 1, rng)
        with np.errstate(invalid="ignore", divide="ignore"):
            scores = level_scores(sums[0] / answered[0], agg, weights)
        levels = pd.DataFrame(np.hstack([scores["A"], scores["B"]]))
        levels.rank(ascending=False, method="min")
        out[s] = scores["A"][:, 0]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--communities", type=int, default=1_000)
    parser.add_argument("--per-community", type=int, default=20)
    parser.add_argument("--experts", type=int, default=25)
    parser.add_argument("--loop-draws", type=int, default=200)
    args = parser.parse_args()

    rng = np.random.default_rng(2026)
    hierarchy = Hierarchy.from_csv(FRAMEWORK)
    judgments = random_panel(hierarchy, args.experts, rng)
    responses = random_responses(hierarchy.items, args.communities, args.per_community, rng)
    print(
        f"framework {FRAMEWORK.name}: {len(hierarchy.codes('B'))}/{len(hierarchy.codes('C'))}/"
        f"{len(hierarchy.items)}; {args.experts} experts; {args.communities} communities × "
        f"{args.per_community} respondents; {args.draws} draws; sources: panel, judgment noise "
        f"p={NOISE}, residents"
    )

    print(f"load average before the run: {os.getloadavg()[0]:.2f} (2 cores)")
    start, cpu = time.perf_counter(), time.process_time()
    result = monte_carlo(
        responses, hierarchy, judgments, draws=args.draws, judgment_noise=NOISE,
        residents=True, panel=True, seed=1,
    )
    vectorized = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"vectorized monte_carlo: {vectorized:.2f} s wall, {time.process_time() - cpu:.2f} s CPU, "
        f"peak RSS {peak:.0f} MB; summary of {len(result.summary)} rows (A and 7 B × "
        f"{len(result.communities)} communities)"
    )

    names = list(result.communities[:100])
    start = time.perf_counter()
    result.pairwise_probabilities(names)
    print(f"pairwise probabilities for 100 chosen communities: {time.perf_counter() - start:.2f} s")

    start = time.perf_counter()
    per_draw_loop(hierarchy, judgments, responses, args.loop_draws, seed=1)
    looped = time.perf_counter() - start
    extrapolated = looped * args.draws / args.loop_draws
    print(
        f"per-draw loop: {looped:.2f} s for {args.loop_draws} draws (timed), extrapolated "
        f"linearly to {args.draws} draws: {extrapolated:.0f} s"
    )
    print(
        f"ratio (extrapolated loop / vectorized): {extrapolated / vectorized:.0f}×; "
        f"target ≤ 5 s: {'met' if vectorized <= 5 else 'not met'} ({vectorized:.2f} s)"
    )


if __name__ == "__main__":
    main()
