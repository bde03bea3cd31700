"""Sensitivity of community scores and ranks to the weights.

Everything here is exact arithmetic on the nominal scores of :func:`survey.scoring.score`
(published communities only: suppressed ones and the pooled row are left out), using that a
composite score is linear in the weights (Zheng & Lu 2022; Saaty 1980):

* **One at a time** (:func:`one_at_a_time`): the weight of dimension b moves to x while the
  other dimensions keep their proportions, ``w_j(x) = w_j (1 − x) / (1 − w_b)``, so every
  community's goal score is a straight line in x,

      S_A(c; x) = x S_b(c) + (1 − x) R_b(c),    R_b(c) = (S_A(c) − w_b S_b(c)) / (1 − w_b).

  The leading community over a range of x is the upper envelope of these lines; its
  breakpoints (where the top rank changes) are found exactly, as are the weights where a
  chosen community's rank changes (where its line crosses another). The smallest weight change
  that alters the top rank is the distance from ``w_b`` to the nearest breakpoint.
* **Tornado** (:func:`tornado`): a community's score or rank with each dimension's weight at
  ``w_b (1 − spread)`` and ``w_b (1 + spread)`` (clipped to [0, 1]), others rescaled as above.
* **Drop one** (:func:`drop_one`): leave out one node (a dimension, a sub-indicator or an
  item) and renormalize its siblings, ``S'_p = (S_p − w_x S_x) / (1 − w_x)`` for its parent p;
  by linearity the goal moves by ``S'_A = S_A + g_p (S'_p − S_p)`` with ``g_p`` the global
  weight of p. A node that is its parent's only child drops the parent instead.
* **Weighting schemes** (:func:`compare_schemes`): the same responses scored with several
  weight sets, e.g. :func:`weighting_schemes` (AHP with AIJ, AHP with AIP, equal weights;
  Forman & Peniwati 1998), with the Spearman correlation of the rankings.

Ranks: 1 is the highest score; ties share the smaller rank (as in :func:`survey.scoring.score`).

References
----------
Saltelli, A., et al. (2008). *Global Sensitivity Analysis: The Primer*. Wiley (ch. 1,
one-at-a-time designs and their limits).
OECD & JRC (2008). *Handbook on Constructing Composite Indicators*, step 7 (uncertainty and
sensitivity analysis: excluding one indicator at a time, alternative weighting schemes).
Forman, E., & Peniwati, K. (1998). Aggregating individual judgments and priorities with the
analytic hierarchy process. *European Journal of Operational Research*, 108(1), 165-169.
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
郑春勇、陆妍妍 (2022). 基于善治理论的基层智治平台绩效评价：以杭州为例. 社科纵横, 2022(5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ahp.hierarchy import Hierarchy, HierarchyWeights
from ahp.panel import PanelJudgments, PanelOptions, panel_weights
from survey.errors import SurveyError
from survey.responses import Responses
from survey.scoring import POOLED, Scores, score

__all__ = [
    "DropOne",
    "OneAtATime",
    "SchemeComparison",
    "compare_schemes",
    "drop_one",
    "equal_weights",
    "one_at_a_time",
    "tornado",
    "weighting_schemes",
]

_TIE = 1e-12


# ---------------------------------------------------------------------------- inputs
def _published(scores: Scores, level: str) -> pd.DataFrame:
    """Scores of one level for the published communities (rows with a goal score)."""
    goal_level = scores.table["level"].iloc[0]
    goal = scores.wide(goal_level).drop(index=POOLED, errors="ignore").iloc[:, 0]
    names = goal.index[goal.notna()]
    if len(names) == 0:
        raise SurveyError("error.sensitivity.no_scores")
    return scores.wide(level).reindex(names)


def _goal_code(weights: HierarchyWeights) -> str:
    return str(weights.table.index[0])


def _dimensions(
    scores: Scores, weights: HierarchyWeights
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Dimension scores (community × dimension), dimension weights and goal scores."""
    root = _goal_code(weights)
    dimension_weights = weights.local(root)
    level = weights.table.loc[dimension_weights.index[0], "level"]
    frame = _published(scores, level).reindex(columns=dimension_weights.index)
    goal = _published(scores, weights.table.loc[root, "level"]).iloc[:, 0]
    return frame, dimension_weights, goal


def _min_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks along the last axis: 1 = highest, ties share the smaller rank."""
    from scipy.stats import rankdata  # scipy.stats loads on first use, not with the module

    return rankdata(-np.asarray(values, dtype=float), method="min", axis=-1).astype(np.int64)


def _check_community(community: str | None, names: pd.Index) -> None:
    if community is not None and community not in names:
        raise SurveyError("error.sensitivity.community", community=repr(community),
                          published=len(names))


# ---------------------------------------------------------------------------- one at a time
@dataclass(frozen=True)
class OneAtATime:
    """One-at-a-time weight sensitivity of the goal ranking.

    Attributes
    ----------
    curves
        Tidy ``dimension, weight, community, score, rank`` on an even grid of weights per
        dimension (for line charts).
    leader_changes
        Exact breakpoints of the top rank over the range: ``dimension, weight, leader_before,
        leader_after``.
    thresholds
        Per dimension: ``dimension, weight`` (nominal), ``leader``, ``lower`` / ``upper`` (the
        nearest weights below / above the nominal one where the top rank changes; NaN when it
        does not change in the range), ``leader_lower`` / ``leader_upper`` (who leads beyond
        them), ``min_change`` (smallest absolute weight change that alters the top rank) and
        ``relative_change`` (that change divided by the nominal weight).
    smallest_change, smallest_change_dimension
        The overall smallest weight change that alters the top rank, and its dimension (NaN
        and None when no change in the range alters it).
    community_ranks
        For the chosen ``community``: ``dimension, weight_from, weight_to, rank`` (its rank on
        each interval of the weight); empty when no community was chosen.
    weight_range
        The range each weight was moved over.
    """

    curves: pd.DataFrame
    leader_changes: pd.DataFrame
    thresholds: pd.DataFrame
    smallest_change: float
    smallest_change_dimension: str | None
    community_ranks: pd.DataFrame
    weight_range: tuple[float, float]


def _lines(
    frame: pd.DataFrame, dimension_weights: pd.Series, goal: pd.Series, b: str
) -> tuple[np.ndarray, np.ndarray]:
    """Intercept and slope of every community's goal score as a function of w_b."""
    w = float(dimension_weights[b])
    own = frame[b].to_numpy(dtype=float)
    rest = (goal.to_numpy(dtype=float) - w * own) / (1.0 - w)
    return rest, own - rest


def _envelope(
    intercept: np.ndarray, slope: np.ndarray, low: float, high: float
) -> list[tuple[float, int, int]]:
    """Breakpoints (x, before, after) of the upper envelope of lines on [low, high).

    Ties at ``low`` go to the steeper line (it leads just after ``low``), then to the first;
    a tie reached only at ``high`` is no change.
    """
    value = intercept + slope * low
    top = np.flatnonzero(value >= value.max() - _TIE)
    leader = int(top[np.argmax(slope[top])])
    x = low
    changes = []
    while True:
        gaining = slope > slope[leader] + _TIE
        if not gaining.any():
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            cross = (intercept[leader] - intercept) / (slope - slope[leader])
        cross = np.where(gaining & (cross >= x - _TIE), cross, np.inf)
        nearest = cross.min()
        if not nearest < high - _TIE:
            break
        tied = np.flatnonzero(cross <= nearest + _TIE)
        after = int(tied[np.argmax(slope[tied])])
        changes.append((float(max(nearest, low)), leader, after))
        leader, x = after, nearest
    return changes


def one_at_a_time(
    scores: Scores,
    weights: HierarchyWeights,
    *,
    community: str | None = None,
    weight_range: tuple[float, float] = (0.0, 1.0),
    steps: int = 101,
) -> OneAtATime:
    """Move each dimension's weight over ``weight_range`` (others rescaled to keep the sum 1).

    ``scores`` are the nominal scores computed with ``weights``. See the module docstring for
    the formulas; breakpoints are exact, ``curves`` is sampled at ``steps`` even points.
    """
    low, high = (float(v) for v in weight_range)
    if not 0.0 <= low < high <= 1.0:
        raise SurveyError("error.arg.in_range", name="one_at_a_time: weight_range",
                          interval="[0, 1]", value=weight_range)
    if int(steps) != steps or steps < 2:
        raise SurveyError("error.arg.integer_at_least", name="one_at_a_time: steps", minimum=2,
                          value=steps)
    frame, dimension_weights, goal = _dimensions(scores, weights)
    names = frame.index
    _check_community(community, names)
    grid = np.linspace(low, high, int(steps))
    curve_parts, change_rows, threshold_rows, rank_rows = [], [], [], []
    for b in dimension_weights.index:
        w = float(dimension_weights[b])
        if w >= 1.0 - _TIE:
            continue  # a single dimension cannot move
        intercept, slope = _lines(frame, dimension_weights, goal, b)
        values = intercept[None, :] + slope[None, :] * grid[:, None]
        curve_parts.append(pd.DataFrame({
            "dimension": b,
            "weight": np.repeat(grid, len(names)),
            "community": np.tile(names.to_numpy(dtype=object), len(grid)),
            "score": values.ravel(),
            "rank": _min_ranks(values).ravel(),
        }))
        changes = _envelope(intercept, slope, low, high)
        change_rows += [(b, x, names[i], names[j]) for x, i, j in changes]
        leader = names[int(np.argmax(goal.to_numpy(dtype=float)))]
        below = [c for c in changes if c[0] < w]
        above = [c for c in changes if c[0] >= w]
        lower, lead_lower = (below[-1][0], names[below[-1][1]]) if below else (np.nan, None)
        upper, lead_upper = (above[0][0], names[above[0][2]]) if above else (np.nan, None)
        distances = [d for d in (w - lower, upper - w) if np.isfinite(d)]
        change = min(distances) if distances else np.nan
        threshold_rows.append((b, w, leader, lower, lead_lower, upper, lead_upper, change,
                               change / w if w > 0 else np.nan))
        if community is not None:
            rank_rows += _rank_steps(b, intercept, slope, names.get_loc(community), low, high)
    thresholds = pd.DataFrame(threshold_rows, columns=[
        "dimension", "weight", "leader", "lower", "leader_lower", "upper", "leader_upper",
        "min_change", "relative_change",
    ])
    finite = thresholds["min_change"].dropna()
    best = thresholds.loc[finite.idxmin()] if not finite.empty else None
    return OneAtATime(
        curves=pd.concat(curve_parts, ignore_index=True) if curve_parts else pd.DataFrame(
            columns=["dimension", "weight", "community", "score", "rank"]),
        leader_changes=pd.DataFrame(
            change_rows, columns=["dimension", "weight", "leader_before", "leader_after"]
        ),
        thresholds=thresholds,
        smallest_change=float(best["min_change"]) if best is not None else float("nan"),
        smallest_change_dimension=str(best["dimension"]) if best is not None else None,
        community_ranks=pd.DataFrame(
            rank_rows, columns=["dimension", "weight_from", "weight_to", "rank"]
        ),
        weight_range=(low, high),
    )


def _rank_steps(
    dimension: str, intercept: np.ndarray, slope: np.ndarray, c: int, low: float, high: float
) -> list[tuple[str, float, float, int]]:
    """Rank of community ``c`` on the intervals between its crossings with the others."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = (intercept[c] - intercept) / (slope - slope[c])
    inner = np.unique(cross[np.isfinite(cross) & (cross > low) & (cross < high)])
    edges = np.concatenate(([low], inner, [high]))
    middle = (edges[:-1] + edges[1:]) / 2
    values = intercept[None, :] + slope[None, :] * middle[:, None]
    ranks = (values > values[:, [c]] + _TIE).sum(axis=1) + 1
    rows: list[tuple[str, float, float, int]] = []
    for start, end, rank in zip(edges[:-1], edges[1:], ranks, strict=True):
        if rows and rows[-1][3] == rank:
            rows[-1] = (dimension, rows[-1][1], float(end), int(rank))
        else:
            rows.append((dimension, float(start), float(end), int(rank)))
    return rows


# ---------------------------------------------------------------------------- tornado
def tornado(
    scores: Scores,
    weights: HierarchyWeights,
    community: str,
    *,
    outcome: str = "score",
    spread: float = 0.5,
) -> pd.DataFrame:
    """Tornado-ready frame for one community: ``parameter, low, high, base, weight_low,
    weight_high, weight``.

    For each dimension b the weight is set to ``weight_low = w_b (1 − spread)`` and
    ``weight_high = min(1, w_b (1 + spread))``, the others rescaled proportionally, and the
    community's goal ``outcome`` (``"score"`` or ``"rank"``) is reported at both settings
    (``low``, ``high``) and at the nominal weights (``base``). Rows are sorted by the width
    ``|high − low|``, widest first.
    """
    if outcome not in ("score", "rank"):
        raise SurveyError("error.arg.one_of", name="tornado: outcome",
                          choices="('score', 'rank')", value=repr(outcome))
    if not 0.0 < spread <= 1.0:
        raise SurveyError("error.arg.in_range", name="tornado: spread", interval="(0, 1]",
                          value=spread)
    frame, dimension_weights, goal = _dimensions(scores, weights)
    _check_community(community, frame.index)
    c = frame.index.get_loc(community)
    rows = []
    for b in dimension_weights.index:
        w = float(dimension_weights[b])
        if w >= 1.0 - _TIE:
            continue
        intercept, slope = _lines(frame, dimension_weights, goal, b)
        settings = np.array([w * (1 - spread), min(1.0, w * (1 + spread)), w])
        values = intercept[None, :] + slope[None, :] * settings[:, None]
        result = values[:, c] if outcome == "score" else _min_ranks(values)[:, c]
        rows.append((b, *result.astype(float), *settings))
    table = pd.DataFrame(rows, columns=[
        "parameter", "low", "high", "base", "weight_low", "weight_high", "weight",
    ])
    width = (table["high"] - table["low"]).abs()
    return table.loc[width.sort_values(ascending=False, kind="stable").index].reset_index(
        drop=True
    )


# ---------------------------------------------------------------------------- drop one
@dataclass(frozen=True)
class DropOne:
    """Goal scores and ranks with one node left out at a time.

    Attributes
    ----------
    ranks
        Tidy ``dropped, community, score, rank, base_score, base_rank, rank_change``
        (``rank − base_rank``: positive = a worse rank without the node).
    summary
        Per dropped node: ``dropped, mean_abs_rank_change, max_abs_rank_change, leader,
        leader_changed`` (ranked by the mean absolute rank change, largest first).
    level
        The level whose nodes were dropped.
    """

    ranks: pd.DataFrame
    summary: pd.DataFrame
    level: str


def drop_one(scores: Scores, weights: HierarchyWeights, *, level: str = "B") -> DropOne:
    """Leave out each node of ``level`` in turn and renormalize its siblings' weights.

    ``S'_p = (S_p − w_x S_x) / (1 − w_x)`` for the parent p of the dropped node x, and the
    goal moves by ``g_p (S'_p − S_p)`` (``g_p`` the global weight of p); a node that is its
    parent's only child drops the parent instead (module docstring).
    """
    table = weights.table
    codes = table.index[table["level"] == level].tolist()
    root = _goal_code(weights)
    if not codes or level == table.loc[root, "level"]:
        raise SurveyError("error.sensitivity.nothing_to_drop", function="drop_one",
                          level=repr(level))
    goal = _published(scores, table.loc[root, "level"]).iloc[:, 0]
    names = goal.index
    base = goal.to_numpy(dtype=float)
    base_rank = _min_ranks(base)
    by_level: dict[str, pd.DataFrame] = {}

    def level_scores(code: str) -> np.ndarray:
        lv = table.loc[code, "level"]
        if lv not in by_level:
            by_level[lv] = _published(scores, lv).reindex(names)
        return by_level[lv][code].to_numpy(dtype=float)

    parts, summary_rows = [], []
    for code in codes:
        node = code
        while table.loc[node, "parent"] != root and table.loc[node, "local"] >= 1.0 - _TIE:
            node = table.loc[node, "parent"]
        w = float(table.loc[node, "local"])
        if w >= 1.0 - _TIE:
            continue  # the only dimension: nothing would remain
        parent = table.loc[node, "parent"]
        parent_scores = base if parent == root else level_scores(parent)
        renormalized = (parent_scores - w * level_scores(node)) / (1.0 - w)
        moved = base + float(table.loc[parent, "global"]) * (renormalized - parent_scores)
        rank = _min_ranks(moved)
        change = rank - base_rank
        parts.append(pd.DataFrame({
            "dropped": code,
            "community": names.to_numpy(dtype=object),
            "score": moved,
            "rank": rank,
            "base_score": base,
            "base_rank": base_rank,
            "rank_change": change,
        }))
        leader = names[int(np.argmin(rank))]
        summary_rows.append((code, float(np.abs(change).mean()), int(np.abs(change).max()),
                             leader, leader != names[int(np.argmin(base_rank))]))
    summary = pd.DataFrame(summary_rows, columns=[
        "dropped", "mean_abs_rank_change", "max_abs_rank_change", "leader", "leader_changed",
    ]).sort_values("mean_abs_rank_change", ascending=False, kind="stable")
    return DropOne(
        ranks=pd.concat(parts, ignore_index=True),
        summary=summary.reset_index(drop=True),
        level=level,
    )


# ---------------------------------------------------------------------------- schemes
def equal_weights(hierarchy: Hierarchy) -> HierarchyWeights:
    """Equal local weights ``1 / n`` for the children of every node."""
    return hierarchy.weights({
        code: np.full(len(hierarchy.children(code)), 1.0 / len(hierarchy.children(code)))
        for code in hierarchy.parents_with_children()
    })


def weighting_schemes(
    hierarchy: Hierarchy,
    judgments: PanelJudgments,
    options: PanelOptions | None = None,
    **panel_options: Any,
) -> dict[str, HierarchyWeights]:
    """The three schemes to compare: ``"AHP (AIJ)"``, ``"AHP (AIP)"`` and ``"equal"``.

    ``options`` (or its fields as keywords) set the panel's other options; the aggregation is
    the scheme's.
    """
    options = PanelOptions.resolve(options, panel_options, "weighting_schemes")
    return {
        "AHP (AIJ)": panel_weights(
            hierarchy, judgments, options.replace(aggregation="AIJ")
        ).weights,
        "AHP (AIP)": panel_weights(
            hierarchy, judgments, options.replace(aggregation="AIP")
        ).weights,
        "equal": equal_weights(hierarchy),
    }


@dataclass(frozen=True)
class SchemeComparison:
    """Scores and ranks of the communities under several weighting schemes.

    Attributes
    ----------
    table
        Tidy ``scheme, community, score, rank`` (goal level, published communities).
    scores, ranks
        Wide views: community × scheme.
    weights
        Dimension × scheme: the dimensions' weights in each scheme.
    rank_correlation
        Scheme × scheme Spearman correlation of the goal scores.
    """

    table: pd.DataFrame
    scores: pd.DataFrame
    ranks: pd.DataFrame
    weights: pd.DataFrame
    rank_correlation: pd.DataFrame


def compare_schemes(
    responses: Responses,
    hierarchy: Hierarchy,
    schemes: Mapping[str, HierarchyWeights],
    *,
    min_respondents: int = 10,
) -> SchemeComparison:
    """Score the same responses with each weight set of ``schemes`` (name → weights)."""
    if not schemes:
        raise SurveyError("error.sensitivity.no_scheme", function="compare_schemes")
    parts, dimension_weights = [], {}
    for name, weights in schemes.items():
        scored = score(responses, hierarchy, weights, min_respondents, bootstrap=0)
        goal = _published(scored, hierarchy.levels[0]).iloc[:, 0]
        values = goal.to_numpy(dtype=float)
        parts.append(pd.DataFrame({
            "scheme": name,
            "community": goal.index.to_numpy(dtype=object),
            "score": values,
            "rank": _min_ranks(values),
        }))
        dimension_weights[name] = weights.local(hierarchy.root)
    table = pd.concat(parts, ignore_index=True)
    order = list(schemes)
    scores_wide = table.pivot(index="community", columns="scheme", values="score")
    scores_wide = scores_wide.reindex(index=parts[0]["community"], columns=order)
    ranks_wide = table.pivot(index="community", columns="scheme", values="rank")
    ranks_wide = ranks_wide.reindex(index=parts[0]["community"], columns=order)
    return SchemeComparison(
        table=table,
        scores=scores_wide,
        ranks=ranks_wide,
        weights=pd.DataFrame(dimension_weights).reindex(columns=order),
        rank_correlation=scores_wide.corr(method="spearman"),
    )
