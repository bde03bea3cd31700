"""Change between two survey waves per community and node, with a bootstrap interval.

Method
------
Both waves are scored with the **same** weights (those of the later publication), so the change
measures the residents' answers, not a change of the expert panel. For a community present (and
published, i.e. with at least ``min_respondents`` valid respondents) in both waves and a node
``v`` (a dimension, or the goal):

* item means are available-case means over the community's respondents (as
  :func:`survey.score` computes them);
* the node score is ``s_v = Σ_i (g_i / g_v) · m_i`` over the items ``i`` below ``v`` (``g`` the
  global weights: ``g_i / g_v`` is the product of the local weights on the path from ``v`` down
  to ``i``, so this equals the level-by-level sum of :func:`survey.score`); an item nobody
  answered in a draw is left out and the weights of the others are rescaled;
* the change is ``Δ = s_v(after) − s_v(before)``.

The interval is a percentile bootstrap (Efron & Tibshirani 1993, ch. 13) of Δ: in each of
``draws`` replicates the residents are resampled with replacement **within the community, in
each wave independently** (the waves are independent samples of residents), the node scores of
both resamples are recomputed and differenced; the interval is the 2.5 and 97.5 percentiles of
the replicates (for ``confidence = 0.95``). ``excludes_zero`` flags an interval that lies wholly
above or below 0. The resampling uses multinomial counts (a replicate's item sums are the counts
times the answer matrix), which is the same draw as indexing but needs no n × k copy per draw.

Communities present (or published) in one wave only are listed in ``only_before`` /
``only_after`` (and those under the minimum in either wave in ``suppressed``), never dropped
silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ahp.hierarchy import Hierarchy, HierarchyWeights
from survey.responses import Responses

__all__ = ["WaveChanges", "wave_changes"]

CHANGE_COLUMNS = ("community", "code", "before", "after", "change", "ci_low", "ci_high",
                  "excludes_zero", "n_before", "n_after")


@dataclass(frozen=True)
class WaveChanges:
    """``table``: one row per community in both waves and node (goal first, then the level
    below it): ``community, code, before, after, change, ci_low, ci_high, excludes_zero,
    n_before, n_after``. ``only_before`` / ``only_after``: communities with respondents in one
    wave only; ``suppressed``: in both waves but under ``min_respondents`` in one of them.
    ``draws``, ``seed``, ``confidence`` as used."""

    table: pd.DataFrame
    only_before: list[str]
    only_after: list[str]
    suppressed: list[str]
    draws: int
    seed: int
    confidence: float
    notes: list[str] = field(default_factory=list)


def _item_weights(hierarchy: Hierarchy, weights: HierarchyWeights, items: list[str]
                  ) -> tuple[list[str], np.ndarray]:
    """Nodes (goal, then its children) and the (nodes × items) matrix of g_i / g_v."""
    table = weights.table
    goal = hierarchy.root
    nodes = [goal, *hierarchy.children(goal)]
    matrix = np.zeros((len(nodes), len(items)))
    for row, node in enumerate(nodes):
        below = set(_leaves(hierarchy, node))
        g_node = 1.0 if node == goal else float(table.loc[node, "global"])
        for col, item in enumerate(items):
            if item in below:
                matrix[row, col] = float(table.loc[item, "global"]) / g_node
    return nodes, matrix


def _leaves(hierarchy: Hierarchy, node: str) -> list[str]:
    children = hierarchy.children(node)
    if not children:
        return [node]
    return [leaf for child in children for leaf in _leaves(hierarchy, child)]


def _node_scores(sums: np.ndarray, counts: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Node scores from item sums and answer counts (… × items) → (… × nodes)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    have = counts > 0
    filled = np.where(have, means, 0.0)
    num = filled @ matrix.T
    den = have.astype(float) @ matrix.T
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _draws(x: np.ndarray, draws: int, rng: np.random.Generator, matrix: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    """Point node scores and (draws × nodes) bootstrap node scores of one community-wave."""
    answered = ~np.isnan(x)
    values = np.where(answered, x, 0.0)
    point = _node_scores(values.sum(0), answered.sum(0), matrix)
    n = len(x)
    picks = rng.integers(0, n, size=(draws, n))
    offsets = (picks + (np.arange(draws) * n)[:, None]).ravel()
    counts = np.bincount(offsets, minlength=draws * n).reshape(draws, n).astype(float)
    return point, _node_scores(counts @ values, counts @ answered, matrix)


def wave_changes(
    hierarchy: Hierarchy,
    weights: HierarchyWeights,
    before: Responses,
    after: Responses,
    *,
    min_respondents: int = 10,
    draws: int = 500,
    seed: int = 0,
    confidence: float = 0.95,
) -> WaveChanges:
    """Change per community and node between two waves with a bootstrap interval (see the
    module docstring for the method). Pure computation: no storage, no screen."""
    items = [c for c in before.answers.columns if c in set(after.answers.columns)]
    nodes, matrix = _item_weights(hierarchy, weights, items)
    groups = []
    for wave in (before, after):
        frame = wave.answers[items].astype(float)
        community = wave.community.reindex(frame.index)
        known = community.notna().to_numpy()
        groups.append({str(k): v.to_numpy() for k, v in frame[known].groupby(
            community[known].astype(str).to_numpy(), sort=False)})
    first, second = groups
    only_before = sorted(set(first) - set(second))
    only_after = sorted(set(second) - set(first))
    both = sorted(set(first) & set(second))
    suppressed = [c for c in both
                  if len(first[c]) < min_respondents or len(second[c]) < min_respondents]
    rng = np.random.default_rng(seed)
    tail = (1 - confidence) / 2 * 100
    rows = []
    for community in both:
        if community in suppressed:
            continue
        p0, d0 = _draws(first[community], draws, rng, matrix)
        p1, d1 = _draws(second[community], draws, rng, matrix)
        delta = d1 - d0
        low, high = np.nanpercentile(delta, [tail, 100 - tail], axis=0)
        for k, node in enumerate(nodes):
            rows.append((community, node, p0[k], p1[k], p1[k] - p0[k], low[k], high[k],
                         bool(low[k] > 0 or high[k] < 0), len(first[community]),
                         len(second[community])))
    table = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    notes = []
    if only_before or only_after:
        notes.append(
            f"{len(only_before)} community(ies) only in the earlier wave, {len(only_after)} "
            f"only in the later one: listed, no change computed / "
            "仅出现在一期的社区已列出，未计算变化"
        )
    return WaveChanges(table, only_before, only_after, suppressed, int(draws), int(seed),
                       float(confidence), notes)
