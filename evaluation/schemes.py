r"""Weighting schemes of a study: AHP, objective (entropy, CRITIC), combined, and all of them side
by side with TOPSIS, rank correlations and Monte Carlo rank bands.

**The decision matrix.** Objective weights are computed on the community × item matrix of item
means ``x̄_cd`` (available cases, as in :mod:`survey.scoring`) of the *published* communities
(those ranked: at least ``min_respondents`` valid questionnaires). A community with an item
nobody answered is left out of the matrix (named in the notes). Every item is a benefit
criterion: negatively worded items are already recoded ``6 − x`` on import.

**From item weights to the hierarchy.** Entropy and CRITIC give one weight per item; they are
read as *global* item weights ``g_d`` (summing to 1). The hierarchy's weights follow by summing
up: the global weight of a node is the sum of the global weights of the items below it,
``G(x) = Σ_{d under x} g_d``, and the local weight of a child is ``G(child) / G(parent)``
(children of a node whose items all weigh 0 get equal local weights). With these weights the
hierarchic composite of :func:`survey.scoring.score` equals ``S_A = Σ_d g_d x̄_d``: the goal
score is the objective-weighted mean of the item means, and a dimension's score is the weighted
mean of its own items with weights ``g_d / G(b)``.

**Combined weights** (主客观组合赋权) combine the AHP global item weights ``s_d`` with the objective
ones ``o_d`` at the item level, multiplicatively ``s_d o_d / Σ s o`` or linearly
``α s_d + (1 − α) o_d`` (:func:`evaluation.methods.combine_weights`), then are mapped into the
hierarchy as above.

**Side by side** (:func:`compare_all_schemes`): goal scores and ranks under AHP (AIJ), AHP (AIP),
equal weights, entropy, CRITIC and combined weights
(:func:`evaluation.sensitivity.compare_schemes`),
plus TOPSIS closeness on the same matrix with the study's item weights; Spearman's ρ and Kendall's
τ-b between every pair of rankings; and rank bands under each scheme from a resident bootstrap
(:func:`evaluation.uncertainty.monte_carlo` with the scheme's weights held fixed; for TOPSIS the
same stratified resident bootstrap of the item means, TOPSIS recomputed per draw). Weights are
held fixed in the draws: the bands show how much the residents' sample moves the ranking under
each scheme, not how much the objective weights themselves would move.

References
----------
Zeleny, M. (1982). *Multiple Criteria Decision Making*. McGraw-Hill (entropy weights).
Diakoulaki, D., Mavrotas, G., & Papayannakis, L. (1995). The CRITIC method. *Computers &
Operations Research*, 22(7), 763–770.
Hwang, C.-L., & Yoon, K. (1981). *Multiple Attribute Decision Making*. Springer (TOPSIS).
OECD & JRC (2008). *Handbook on Constructing Composite Indicators*, step 7 (alternative weighting
schemes; rank correlations).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ahp.hierarchy import Hierarchy, HierarchyWeights
from evaluation.methods import (
    MethodError,
    MethodWarning,
    combine_weights,
    critic_weights,
    entropy_weights,
    topsis,
)
from i18n import Message
from survey.responses import Responses

if TYPE_CHECKING:
    from evaluation.study import StudyResult

__all__ = [
    "COMBINATIONS",
    "OBJECTIVE_METHODS",
    "SCHEME_LABELS",
    "WEIGHT_SCHEMES",
    "AllSchemes",
    "SchemeWeights",
    "community_item_means",
    "compare_all_schemes",
    "hierarchy_from_item_weights",
    "objective_item_weights",
    "scheme_weights",
    "study_schemes",
]

WEIGHT_SCHEMES = ("ahp", "entropy", "critic", "combined")
"""Values of ``StudySettings.weights``: which weights the study's scores use."""
OBJECTIVE_METHODS = ("entropy", "critic")
COMBINATIONS = ("multiplicative", "linear")
SCHEME_LABELS: Mapping[str, str] = {
    "AHP (AIJ)": "AHP (AIJ)",
    "AHP (AIP)": "AHP (AIP)",
    "equal": "等权 Equal",
    "entropy": "熵权 Entropy",
    "CRITIC": "CRITIC",
    "combined": "组合 Combined",
    "TOPSIS": "TOPSIS",
}
"""Scheme name → bilingual label used in tables and charts."""


def community_item_means(
    responses: Responses, communities: Sequence[str], items: Sequence[str]
) -> tuple[pd.DataFrame, list[str]]:
    """Community × item matrix of item means (available cases) for ``communities``.

    Returns the matrix (rows in ``communities`` order) and the communities left out because an
    item has no answer there.
    """
    answers = responses.answers.reindex(columns=list(items))
    means = answers.groupby(responses.community, sort=False).mean()
    means = means.reindex(list(communities))
    incomplete = [str(c) for c in means.index[means.isna().any(axis=1)]]
    return means.drop(index=incomplete), incomplete


def objective_item_weights(matrix: pd.DataFrame, method: str) -> pd.Series:
    """Entropy (min–max normalised, :func:`~evaluation.methods.entropy_weights`) or CRITIC
    weights of the items (columns of ``matrix``), every item a benefit criterion."""
    if method not in OBJECTIVE_METHODS:
        raise MethodError(f"objective weights: method must be one of {OBJECTIVE_METHODS}, "
                          f"got '{method}'")
    if method == "entropy":
        return entropy_weights(matrix)
    return critic_weights(matrix)


def hierarchy_from_item_weights(hierarchy: Hierarchy, item_weights: pd.Series) -> HierarchyWeights:
    """Hierarchy weights whose global item weights are ``item_weights`` (module docstring:
    a node's global weight is the sum over its items, a local weight the ratio to the parent's).
    """
    items = list(hierarchy.items)
    missing = [d for d in items if d not in item_weights.index]
    if missing:
        raise MethodError(f"item weights: no weight for item(s) {', '.join(missing)}")
    g = item_weights.reindex(items).to_numpy(dtype=float)
    if np.any(~np.isfinite(g)) or np.any(g < 0) or abs(g.sum() - 1.0) > 1e-6:
        raise MethodError(f"item weights must be non-negative and sum to 1, got sum {g.sum():.9g}")
    total: dict[str, float] = dict(zip(items, g, strict=True))
    for parent in reversed(hierarchy.parents_with_children()):
        total[parent] = sum(total[c] for c in hierarchy.children(parent))
    for code in hierarchy.nodes:  # single-child chains
        if code not in total:
            total[code] = sum(total.get(c, 0.0) for c in hierarchy.children(code))
    local = {}
    for parent in hierarchy.parents_with_children():
        kids = hierarchy.children(parent)
        values = np.array([total[c] for c in kids], dtype=float)
        local[parent] = (
            values / values.sum() if values.sum() > 0 else np.full(len(kids), 1.0 / len(kids))
        )
    return hierarchy.weights(local)


@dataclass(frozen=True)
class SchemeWeights:
    """The weights a study's scores use and where they come from.

    ``scheme`` (``"ahp"``, ``"entropy"``, ``"critic"``, ``"combined"``); ``weights`` the
    :class:`~ahp.hierarchy.HierarchyWeights` used; ``items`` a table item × (ahp, objective,
    used) of global item weights (objective NaN for ``"ahp"``); ``matrix`` the community × item
    matrix of means the objective weights were computed on; ``notes`` what was left out and the
    methods' warnings.
    """

    scheme: str
    weights: HierarchyWeights
    items: pd.DataFrame
    matrix: pd.DataFrame
    objective: str = "entropy"
    combination: str = "multiplicative"
    alpha: float = 0.5
    notes: list[Message | str] = field(default_factory=list)


def scheme_weights(
    hierarchy: Hierarchy,
    ahp_weights: HierarchyWeights,
    responses: Responses,
    communities: Sequence[str],
    scheme: str = "ahp",
    *,
    objective: str = "entropy",
    combination: str = "multiplicative",
    alpha: float = 0.5,
) -> SchemeWeights:
    """The study's weights under ``scheme`` (see the module docstring for the mapping of item
    weights into the hierarchy). ``communities`` are the published ones (matrix rows)."""
    if scheme not in WEIGHT_SCHEMES:
        raise MethodError(f"weights must be one of {', '.join(WEIGHT_SCHEMES)}, got '{scheme}'")
    if objective not in OBJECTIVE_METHODS:
        raise MethodError(f"objective must be one of {', '.join(OBJECTIVE_METHODS)}, "
                          f"got '{objective}'")
    if combination not in COMBINATIONS:
        raise MethodError(f"combination must be one of {', '.join(COMBINATIONS)}, "
                          f"got '{combination}'")
    if not 0.0 <= alpha <= 1.0:
        raise MethodError(f"alpha must lie in [0, 1], got {alpha}")
    items = list(hierarchy.items)
    matrix, incomplete = community_item_means(responses, communities, items)
    notes: list[Message | str] = []
    if incomplete:
        notes.append(Message("methods.note.matrix_incomplete", listed=tuple(incomplete)))
    ahp_items = ahp_weights.item_weights.reindex(items)
    table = pd.DataFrame({"ahp": ahp_items.to_numpy(dtype=float)},
                         index=pd.Index(items, name="item"))
    if scheme == "ahp":
        table["objective"] = np.nan
        table["used"] = table["ahp"]
        return SchemeWeights(scheme, ahp_weights, table, matrix, objective, combination, alpha,
                             notes)
    method = scheme if scheme in OBJECTIVE_METHODS else objective
    if (len(matrix) < 3 and method == "critic") or len(matrix) < 2:
        raise MethodError(
            f"{method} weights need at least {3 if method == 'critic' else 2} published "
            f"communities with an answer to every item, got {len(matrix)}"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MethodWarning)
        obj = objective_item_weights(matrix, method)
    notes += [str(w.message) for w in caught if issubclass(w.category, MethodWarning)]
    table["objective"] = obj.reindex(items).to_numpy(dtype=float)
    if scheme == "combined":
        used = combine_weights(ahp_items, obj.reindex(items), method=combination, alpha=alpha)
    else:
        used = obj.reindex(items)
    table["used"] = used.to_numpy(dtype=float)
    weights = hierarchy_from_item_weights(hierarchy, table["used"])
    return SchemeWeights(scheme, weights, table, matrix, objective, combination, alpha, notes)


# ---------------------------------------------------------------------------- side by side
@dataclass(frozen=True)
class AllSchemes:
    """Every scheme side by side (goal level, published communities).

    Attributes
    ----------
    scores
        community × scheme: goal score (TOPSIS: closeness C ∈ [0, 1]).
    ranks
        community × scheme: rank (1 = best, ties share the smaller rank).
    spearman, kendall
        scheme × scheme rank correlations (Spearman's ρ, Kendall's τ-b) of the rankings.
    item_weights, dimension_weights
        item × scheme and dimension × scheme global weights (TOPSIS uses the study's weights).
    bands
        Tidy ``scheme, community, rank, rank_low, rank_high, p_top`` from ``draws`` resident
        bootstrap draws (empty when ``draws`` is 0).
    draws, notes
    """

    scores: pd.DataFrame
    ranks: pd.DataFrame
    spearman: pd.DataFrame
    kendall: pd.DataFrame
    item_weights: pd.DataFrame
    dimension_weights: pd.DataFrame
    bands: pd.DataFrame
    draws: int
    notes: list[Message | str] = field(default_factory=list)

    def pairs(self) -> pd.DataFrame:
        """One row per pair of schemes: ``scheme1, scheme2, spearman, kendall``."""
        names = list(self.spearman.columns)
        rows = [
            (a, b, float(self.spearman.loc[a, b]), float(self.kendall.loc[a, b]))
            for i, a in enumerate(names) for b in names[i + 1:]
        ]
        return pd.DataFrame(rows, columns=["scheme1", "scheme2", "spearman", "kendall"])


def _min_ranks(values: pd.Series) -> pd.Series:
    return values.rank(ascending=False, method="min").astype("Int64")


def _rank_band(ranks: np.ndarray, interval: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    low = np.quantile(ranks, interval[0], axis=0, method="inverted_cdf")
    high = np.quantile(ranks, interval[1], axis=0, method="inverted_cdf")
    return low, high


def _topsis_bands(
    responses: Responses,
    communities: Sequence[str],
    items: Sequence[str],
    weights: pd.Series,
    draws: int,
    seed: int | None,
    interval: tuple[float, float],
    top: int,
) -> pd.DataFrame:
    """Rank bands of TOPSIS under a stratified resident bootstrap of the item means."""
    rng = np.random.default_rng(seed)
    answers = responses.answers.reindex(columns=list(items)).to_numpy(dtype=float)
    labels = responses.community.to_numpy(dtype=object)
    cube = np.empty((draws, len(communities), len(items)))
    for c, name in enumerate(communities):
        block = answers[labels == name]
        picks = rng.integers(0, block.shape[0], (draws, block.shape[0]))
        sample = block[picks]  # draws × n_c × items
        given = ~np.isnan(sample)
        with np.errstate(invalid="ignore", divide="ignore"):
            cube[:, c, :] = np.nansum(sample, axis=1) / given.sum(axis=1)
    ranks = np.full((draws, len(communities)), np.nan)
    for s in range(draws):
        frame = cube[s]
        if np.isnan(frame).any():
            continue
        try:
            ranks[s] = topsis(frame, weights.to_numpy(dtype=float)).rank
        except MethodError:
            continue
    defined = ranks[~np.isnan(ranks).any(axis=1)]
    if defined.size == 0:
        return pd.DataFrame(columns=["community", "rank_low", "rank_high", "p_top"])
    low, high = _rank_band(defined, interval)
    return pd.DataFrame({
        "community": list(communities),
        "rank_low": low.astype(int),
        "rank_high": high.astype(int),
        "p_top": (defined <= top).mean(axis=0),
    })


def compare_all_schemes(
    responses: Responses,
    hierarchy: Hierarchy,
    schemes: Mapping[str, HierarchyWeights],
    topsis_weights: pd.Series,
    communities: Sequence[str],
    *,
    min_respondents: int = 10,
    draws: int = 200,
    seed: int | None = 0,
    interval: tuple[float, float] = (0.05, 0.95),
    top: int = 3,
) -> AllSchemes:
    """Scores, ranks, rank correlations and rank bands under every scheme (module docstring).

    ``schemes``: name → hierarchy weights (e.g. AHP (AIJ), AHP (AIP), equal, entropy, CRITIC,
    combined); ``topsis_weights``: global item weights for TOPSIS (the study's); ``communities``:
    the published ones. ``draws = 0`` skips the rank bands.
    """
    from evaluation.sensitivity import compare_schemes
    from evaluation.uncertainty import monte_carlo

    comparison = compare_schemes(responses, hierarchy, schemes, min_respondents=min_respondents)
    scores = comparison.scores.copy()
    items = list(hierarchy.items)
    matrix, incomplete = community_item_means(responses, communities, items)
    notes: list[Message | str] = []
    if incomplete:
        notes.append(Message("methods.note.matrix_incomplete", listed=tuple(incomplete)))
    closeness = topsis(matrix, topsis_weights.reindex(items)).closeness
    scores["TOPSIS"] = closeness.reindex(scores.index)
    ranks = scores.apply(_min_ranks)
    order = ranks.iloc[:, 0].sort_values(kind="stable").index
    scores, ranks = scores.loc[order], ranks.loc[order]
    spearman = scores.corr(method="spearman")
    kendall = scores.corr(method="kendall")
    item_weights = pd.DataFrame(
        {name: w.item_weights.reindex(items) for name, w in schemes.items()}
    )
    item_weights["TOPSIS"] = topsis_weights.reindex(items).to_numpy(dtype=float)
    item_weights.index.name = "item"
    dims = hierarchy.children(hierarchy.root)
    dimension_weights = pd.DataFrame(
        {name: w.table.loc[dims, "global"].to_numpy(dtype=float) for name, w in schemes.items()},
        index=pd.Index(dims, name="code"),
    )
    dimension_weights["TOPSIS"] = [
        float(topsis_weights.reindex([d for d in items if hierarchy.ancestor(d, hierarchy.levels[1])
                                      == b]).sum())
        for b in dims
    ]
    parts = []
    if draws > 0:
        for name, w in schemes.items():
            mc = monte_carlo(
                responses, hierarchy, weights=w, draws=draws, panel=False, residents=True,
                min_respondents=min_respondents, seed=seed, interval=interval, top=top,
                pairwise_max=0,
            )
            band = mc.level(hierarchy.root).reset_index()
            parts.append(pd.DataFrame({
                "scheme": name,
                "community": band["community"].to_numpy(dtype=object),
                "rank_low": band["rank_low"].to_numpy(dtype=int),
                "rank_high": band["rank_high"].to_numpy(dtype=int),
                "p_top": band["p_top"].to_numpy(dtype=float),
            }))
        band = _topsis_bands(
            responses, list(matrix.index), items, topsis_weights.reindex(items), draws, seed,
            interval, top,
        )
        parts.append(band.assign(scheme="TOPSIS"))
    if parts:
        bands = pd.concat(parts, ignore_index=True)
        long_ranks = ranks.rename_axis("community").reset_index().melt(
            id_vars="community", var_name="scheme", value_name="rank"
        )
        bands = long_ranks.merge(bands, on=["scheme", "community"], how="left")
        bands = bands[["scheme", "community", "rank", "rank_low", "rank_high", "p_top"]]
    else:
        bands = pd.DataFrame(columns=["scheme", "community", "rank", "rank_low", "rank_high",
                                      "p_top"])
    return AllSchemes(
        scores=scores,
        ranks=ranks,
        spearman=spearman,
        kendall=kendall,
        item_weights=item_weights,
        dimension_weights=dimension_weights,
        bands=bands,
        draws=int(draws),
        notes=notes,
    )


def study_schemes(
    result: StudyResult, draws: int = 200, *, seed: int | None = None, **_: Any
) -> AllSchemes:
    """Every scheme side by side for a study run: AHP (AIJ), AHP (AIP), equal, entropy, CRITIC,
    combined (with the study's objective method, combination and α) and TOPSIS (with the weights
    the study's scores use), ``draws`` resident-bootstrap draws for the rank bands (0 = none).
    A scheme the data cannot give (say CRITIC with a constant item) is left out with a note."""
    from evaluation.sensitivity import weighting_schemes

    s = result.settings
    schemes: dict[str, HierarchyWeights] = dict(
        weighting_schemes(result.hierarchy, result.judgments, s.panel_options())
    )
    published = result.published
    notes: list[Message | str] = []
    for name, scheme in (("entropy", "entropy"), ("CRITIC", "critic"), ("combined", "combined")):
        try:
            schemes[name] = scheme_weights(
                result.hierarchy, result.panel.weights, result.valid, published, scheme,
                objective=s.objective, combination=s.combination, alpha=s.alpha,
            ).weights
        except MethodError as exc:
            notes.append(f"{name}: {exc}")
    comparison = compare_all_schemes(
        result.valid, result.hierarchy, schemes, result.weights.item_weights, published,
        min_respondents=s.min_respondents, draws=draws, seed=s.seed if seed is None else seed,
    )
    comparison.notes.extend(notes)
    return comparison
