"""Composite scores per community: item means rolled up the hierarchy with the AHP weights.

Scoring rule (Zheng & Lu 2022, following the usual AHP composite): the score of a node is the
weighted sum of its children's scores with the children's local weights,

    S(x) = Σ_{c ∈ children(x)} w_local(c) · S(c),

computed level by level D → C → B → A, where the score of an item D is its mean answer. Because
global weights are products of local weights, this equals S(A) = Σ_i w_global(i) · mean_i when
no item mean is missing.

Item means use **available cases**: a missing answer is left out of that item's mean only
(the respondent still counts for the other items). An item nobody in a community answered has
no mean; then every node above it gets **no score (NaN)** for that community and
:attr:`Scores.notes` says which item and community. The weights are never silently
re-normalized over the children that remain, since that would change the meaning of the score.

Everything works on plain arrays so that Monte Carlo code can reuse it: :func:`level_scores`
broadcasts stacked item means ``(..., m, k)`` against stacked local weights ``(..., n_nodes)``;
:func:`item_sums_by_group` and :func:`bootstrap_item_sums` give group sums without a Python loop
over groups or draws.

References
----------
郑春勇、陆妍妍 (Zheng Chunyong & Lu Yanyan) (2022). 基于善治理论的基层智治平台绩效评价：以杭州为例
(Performance evaluation of grassroots smart-governance platforms based on good-governance theory:
the case of Hangzhou). 社科纵横, 2022(5).
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill (hierarchic composition).
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall
(percentile intervals, ch. 13).
Davison, A. C., & Hinkley, D. V. (1997). *Bootstrap Methods and their Application*. Cambridge
University Press (several samples: resampling within each stratum, ch. 3).
"""

from __future__ import annotations

import contextlib
import itertools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse

from i18n import Message
from survey.errors import SurveyError

if TYPE_CHECKING:
    from ahp.hierarchy import Hierarchy, HierarchyWeights
    from survey.responses import Responses

POOLED = "全部 All"
"""Community label of the pooled row (all respondents of the study, see :func:`score`)."""

TABLE_COLUMNS = ("community", "level", "code", "score", "n", "ci_low", "ci_high", "suppressed")
RANKING_COLUMNS = ("community", "score", "ci_low", "ci_high", "rank", "n")
STRENGTH_COLUMNS = ("community", "strongest", "strongest_gap", "weakest", "weakest_gap")

_BLOCK_CELLS = 1 << 20
"""Answer cells per block in :func:`item_sums_by_group` (8 MB of float64)."""

_MAX_RESAMPLED = 1 << 22
"""Resample-count cells (draws × respondents of one group) held at once by the bootstrap
(draws are chunked above it)."""


# ---------------------------------------------------------------------------- aggregation
@dataclass(frozen=True, eq=False)
class _Step:
    """One roll-up from ``child_level`` to ``parent_level``."""

    parent_level: str
    child_level: str
    order: np.ndarray  # child positions grouped by parent (stable), for np.add.reduceat
    starts: np.ndarray  # start of each parent's segment in ``order``
    local_index: np.ndarray  # positions of the children in the local-weight vector


@dataclass(frozen=True, eq=False)
class Aggregation:
    """Index arrays that roll item scores up a hierarchy (build with :meth:`from_hierarchy`).

    ``nodes`` fixes the order of a local-weight vector: every node except the goal, level by
    level top-down, each level in hierarchy order. ``codes[level]`` lists one level's codes.
    """

    levels: tuple[str, ...]
    codes: Mapping[str, tuple[str, ...]]
    nodes: tuple[str, ...]
    steps: tuple[_Step, ...] = field(repr=False)

    @classmethod
    def from_hierarchy(cls, hierarchy: Hierarchy) -> Aggregation:
        """Index the hierarchy once; reuse the result for many weight vectors or draws."""
        levels = tuple(hierarchy.levels)
        if len(levels) < 2:
            raise SurveyError("error.score.hierarchy")
        codes = {level: tuple(hierarchy.codes(level)) for level in levels}
        nodes = tuple(code for level in levels[1:] for code in codes[level])
        node_pos = {code: i for i, code in enumerate(nodes)}
        steps = []
        for parent_level, child_level in itertools.pairwise(levels):
            parent_pos = {code: i for i, code in enumerate(codes[parent_level])}
            children = codes[child_level]
            parent_of = np.array(
                [parent_pos[hierarchy.nodes[c].parent] for c in children], dtype=np.intp
            )
            order = np.argsort(parent_of, kind="stable")
            sizes = np.bincount(parent_of, minlength=len(parent_pos))
            starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.intp)
            local_index = np.array([node_pos[c] for c in children], dtype=np.intp)
            steps.append(_Step(parent_level, child_level, order, starts, local_index))
        return cls(levels=levels, codes=codes, nodes=nodes, steps=tuple(steps))

    @property
    def items(self) -> tuple[str, ...]:
        """Codes of the leaf level, in the column order :func:`level_scores` expects."""
        return self.codes[self.levels[-1]]

    def local_vector(self, weights: HierarchyWeights) -> np.ndarray:
        """The local weights of ``weights`` as a vector in :attr:`nodes` order."""
        table = weights.table
        missing = [code for code in self.nodes if code not in table.index]
        if missing:
            raise SurveyError("error.score.no_local_weight", nodes=tuple(missing[:10]))
        return table.loc[list(self.nodes), "local"].to_numpy(dtype=float)


def _aggregation(hierarchy: Hierarchy | Aggregation) -> Aggregation:
    if isinstance(hierarchy, Aggregation):
        return hierarchy
    return Aggregation.from_hierarchy(hierarchy)


def level_scores(
    item_means: np.ndarray,
    hierarchy: Hierarchy | Aggregation,
    local: np.ndarray | HierarchyWeights,
) -> dict[str, np.ndarray]:
    """Scores of every level from item means: S(x) = Σ_children w_local(c) · S(c), D → C → B → A.

    Parameters
    ----------
    item_means
        ``(..., m, k)``: k item means (leaf order of the hierarchy) for m groups; leading axes
        (e.g. bootstrap draws) are broadcast. NaN (an item without answers) propagates to every
        ancestor: no re-normalization over the remaining children.
    hierarchy
        A :class:`~ahp.hierarchy.Hierarchy` or a prebuilt :class:`Aggregation` (faster in loops).
    local
        Local weights ``(..., n_nodes)`` in :attr:`Aggregation.nodes` order (leading axes, e.g.
        weight draws, broadcast against those of ``item_means``), or a ``HierarchyWeights``.

    Returns
    -------
    dict level → array ``(..., m, n_level)`` for every level, the goal included (n = 1); the
    leaf level holds ``item_means`` broadcast to the common shape.
    """
    agg = _aggregation(hierarchy)
    if not isinstance(local, np.ndarray):
        local = agg.local_vector(local)
    means = np.asarray(item_means, dtype=float)
    if means.ndim < 2 or means.shape[-1] != len(agg.items):
        raise SurveyError("error.score.shape", name="item_means", size=len(agg.items),
                          what=Message("error.score.items"), shape=str(means.shape))
    if local.shape[-1] != len(agg.nodes):
        raise SurveyError("error.score.shape", name=Message("error.score.local_weights"),
                          size=len(agg.nodes), what=Message("error.score.nodes"),
                          shape=str(local.shape))
    batch = np.broadcast_shapes(means.shape[:-2], local.shape[:-1])
    scores = {agg.levels[-1]: np.broadcast_to(means, (*batch, *means.shape[-2:]))}
    current = means
    for step in reversed(agg.steps):
        weighted = current * local[..., None, step.local_index]
        current = np.add.reduceat(weighted[..., step.order], step.starts, axis=-1)
        scores[step.parent_level] = current
    return {level: scores[level] for level in agg.levels}


# ---------------------------------------------------------------------------- group sums
def item_sums_by_group(
    values: np.ndarray, groups: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-group sums and answer counts of each item, missing answers left out.

    ``values`` is ``(N, k)`` (NaN = missing), ``groups`` ``(N,)`` integer codes in
    ``[0, n_groups)``. Returns ``sums`` (float) and ``counts`` (int), both ``(n_groups, k)``;
    the available-case mean is ``sums / counts``. The sums are a sparse (n_groups × N)
    membership matrix times the answers with NaN read as 0; the counts are the group sizes minus
    a ``np.bincount`` of the missing cells by (group, item). Linear in N, no loop over groups or
    items; rows are taken in blocks of about :data:`_BLOCK_CELLS` cells so that the temporaries
    stay small.
    """
    values = np.asarray(values, dtype=float)
    groups = np.asarray(groups, dtype=np.intp)
    n, n_items = values.shape
    sums = np.zeros((n_groups, n_items))
    missed = np.zeros(n_groups * n_items, dtype=np.int64)
    step = max(1, _BLOCK_CELLS // max(n_items, 1))
    for first in range(0, n, step):
        block, block_groups = values[first:first + step], groups[first:first + step]
        missing = np.isnan(block)
        miss_rows, miss_items = np.nonzero(missing)
        membership = sparse.csr_array(
            (np.ones(len(block)), (block_groups, np.arange(len(block)))),
            shape=(n_groups, len(block)),
        )
        sums += membership @ np.where(missing, 0.0, block)
        missed += np.bincount(
            block_groups[miss_rows] * n_items + miss_items, minlength=n_groups * n_items
        )
    counts = np.bincount(groups, minlength=n_groups)[:, None] - missed.reshape(n_groups, n_items)
    return sums, counts


def single_threaded_blas() -> contextlib.AbstractContextManager:
    """Limit BLAS to one thread (``threadpoolctl``; a no-op without it).

    The bootstrap multiplies many small matrices (one per group and chunk); multi-threaded BLAS
    costs more in thread wake-ups than it gains there, badly so on a busy machine (measured:
    publish of 200,000 respondents 18 s with 2 BLAS threads on a loaded 2-core box, 3 s with 1).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional speed-up
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def _index_dtype(n: int) -> type[np.integer]:
    """The smallest unsigned integer type holding ``0..n-1`` (fewer random bits to draw)."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if n <= np.iinfo(dtype).max + 1:
            return dtype
    return np.uint64


def resample_counts(n: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """``(draws, n)`` float counts: how often each of ``n`` units is drawn when ``n`` are drawn
    with replacement, per draw (one ``rng.integers(0, n, (draws, n))`` call, tallied by
    ``np.bincount``: the multinomial counts of the ordinary nonparametric bootstrap)."""
    if n == 0 or draws == 0:
        return np.zeros((draws, n))
    picks = rng.integers(0, n, size=(draws, n), dtype=_index_dtype(n)).astype(np.int64)
    picks += (np.arange(draws, dtype=np.int64) * n)[:, None]
    return np.bincount(picks.ravel(), minlength=draws * n).reshape(draws, n).astype(float)


def bootstrap_item_sums(
    values: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    draws: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Item sums and counts per group for ``draws`` resamples of respondents within each group.

    Each draw replaces every group's respondents by as many drawn with replacement from the
    same group (stratified nonparametric bootstrap, Davison & Hinkley 1997). Draw convention
    (deterministic for a given ``rng`` state): groups are visited in code order 0..n_groups−1
    (empty groups draw nothing); for each, :func:`resample_counts` draws the resample counts of
    its respondents (in their original order) for all draws at once, chunked by draws to hold
    at most :data:`_MAX_RESAMPLED` cells; the item sums of a draw are those counts times the
    group's answers, one dense matrix product per group and chunk (answers are whole numbers on
    the Likert scale, so the sums and counts are exact). No Python loop over draws or respondents.

    Returns ``sums`` (float) and ``counts`` (float), both ``(draws, n_groups, k)``.
    """
    values = np.asarray(values, dtype=float)
    groups = np.asarray(groups, dtype=np.intp)
    n_items = values.shape[1]
    order = np.argsort(groups, kind="stable")
    sizes = np.bincount(groups, minlength=n_groups)
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    stacked = values[order]
    missing = np.isnan(stacked)
    has_missing = bool(missing.any())
    if has_missing:
        stacked[missing] = 0.0
        stacked = np.hstack([stacked, (~missing).astype(float)])
    del missing
    sums = np.zeros((draws, n_groups, n_items))
    counts = np.zeros((draws, n_groups, n_items))
    with single_threaded_blas():
        for g in np.flatnonzero(sizes):
            block = stacked[bounds[g]:bounds[g + 1]]
            size = int(sizes[g])
            chunk = max(1, _MAX_RESAMPLED // size)
            for first in range(0, draws, chunk):
                last = min(draws, first + chunk)
                tallied = resample_counts(size, last - first, rng) @ block
                sums[first:last, g] = tallied[:, :n_items]
                counts[first:last, g] = tallied[:, n_items:] if has_missing else size
    return sums, counts


def _means(sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.where(counts > 0, counts, 1), np.nan)


def percentile_interval(samples: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over axis 0, ignoring draws where the score is undefined (NaN).

    The numbers of ``np.nanquantile`` (linear interpolation; equal up to rounding): slices
    without NaN go through one vectorised ``np.quantile``, all-NaN slices give NaN, and only
    slices with some NaN draws take the per-slice ``np.nanquantile`` path."""
    tail = (1.0 - level) / 2.0
    qs = [tail, 1.0 - tail]
    samples = np.asarray(samples, dtype=float)
    out = np.full((2, *samples.shape[1:]), np.nan)
    if samples.shape[0] == 0 or out.size == 0:
        return out[0], out[1]
    nan = np.isnan(samples)
    any_nan = nan.any(axis=0)
    full = ~any_nan
    if full.any():
        out[:, full] = np.quantile(samples[:, full], qs, axis=0)
    partial = any_nan & ~nan.all(axis=0)
    if partial.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out[:, partial] = np.nanquantile(samples[:, partial], qs, axis=0)
    return out[0], out[1]


# ---------------------------------------------------------------------------- result
@dataclass(frozen=True)
class Scores:
    """Scores of every node for every community, with bootstrap intervals and a ranking.

    Attributes
    ----------
    table
        Tidy: ``community, level, code, score, n, ci_low, ci_high, suppressed``; one row per
        community (the pooled row :data:`POOLED` last) and node, levels top-down. ``n`` is the
        number of respondents of the community; on item rows of published communities it is the
        number who answered that item. Suppressed communities have NaN scores and intervals.
    ranking
        Published communities by goal score: ``community, score, ci_low, ci_high, rank, n``;
        rank 1 is the best, ties share the smaller rank, no rank without a score.
    strengths
        Per published community its strongest and weakest dimension (level below the goal):
        the largest and smallest ``score − mean of that dimension over published communities``
        (``strongest_gap``, ``weakest_gap``). Suppressed communities enter neither the rows nor
        the means. ``strongest``/``weakest`` are empty when no dimension stands out (all gaps
        equal, e.g. a single published community, or no dimension score).
    suppressed
        Communities with fewer than ``min_respondents`` respondents (0 included).
    min_respondents, bootstrap, seed
        The settings used.
    notes
        What the reader must know (English / Chinese): which communities are suppressed, that
        nothing (or only the pooled row) is published, items without answers, respondents
        without a community, how the pooled row was formed.
    """

    table: pd.DataFrame
    ranking: pd.DataFrame
    strengths: pd.DataFrame
    suppressed: list[str]
    min_respondents: int
    bootstrap: int = 0
    seed: int | None = 0
    notes: list[str] = field(default_factory=list)

    def wide(self, level: str) -> pd.DataFrame:
        """Scores of one level: communities (pooled row last) × codes, NaN where suppressed."""
        rows = self.table[self.table["level"] == level]
        if rows.empty:
            raise SurveyError("error.score.no_level", function="Scores.wide", level=level)
        communities = pd.unique(rows["community"])
        codes = pd.unique(rows["code"])
        frame = rows.pivot(index="community", columns="code", values="score")
        frame = frame.reindex(index=communities, columns=codes)
        frame.index.name = "community"
        frame.columns.name = "code"
        return frame


# ---------------------------------------------------------------------------- score()
def _community_codes(
    community: pd.Series, communities: Sequence[str] | None
) -> tuple[np.ndarray, list[str]]:
    """Integer code per respondent (−1 = no community) and the community names in order."""
    if isinstance(community.dtype, pd.CategoricalDtype):
        names = [str(c) for c in community.cat.categories]
        codes = community.cat.codes.to_numpy(dtype=np.intp)
    else:
        raw_codes, uniques = pd.factorize(community, use_na_sentinel=True)
        names = [str(u) for u in uniques]
        codes = raw_codes.astype(np.intp)
    if communities is not None:
        wanted = [str(c) for c in communities]
        if len(set(wanted)) != len(wanted):
            raise SurveyError("error.score.duplicate_communities", name="communities")
        order = wanted + [name for name in names if name not in set(wanted)]
        position = {name: i for i, name in enumerate(order)}
        remap = np.array([position[name] for name in names] or [-1], dtype=np.intp)
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        names = order
    if POOLED in names:
        raise SurveyError("error.score.pooled_name", pooled=POOLED)
    return codes, names


def _check_range(values: np.ndarray, answers: pd.DataFrame, items: Sequence[str]) -> None:
    """Raise naming respondent and item when an answer lies outside 1..5."""
    if values.size == 0:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low = np.nanmin(values, axis=0)
        high = np.nanmax(values, axis=0)
    bad_items = np.flatnonzero((low < 1) | (high > 5))
    if bad_items.size:
        j = int(bad_items[0])
        i = int(np.flatnonzero((values[:, j] < 1) | (values[:, j] > 5))[0])
        raise SurveyError("error.score.off_scale", respondent=answers.index[i], item=items[j],
                          value=f"{values[i, j]:g}")


def score(
    responses: Responses,
    hierarchy: Hierarchy,
    weights: HierarchyWeights,
    min_respondents: int = 10,
    bootstrap: int = 1000,
    seed: int | None = 0,
    *,
    communities: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> Scores:
    """Item, C, B and goal scores per community, with bootstrap intervals and a ranking.

    Item means are available-case means (a missing answer leaves only that item); node scores
    are Σ local weight × child score, level by level (Zheng & Lu 2022; see module docstring).

    Small-cell suppression: a community with fewer than ``min_respondents`` respondents
    (0 included) gets no score: its rows have NaN scores and ``suppressed=True``; it is in
    :attr:`Scores.suppressed`, and it is not ranked. The pooled row :data:`POOLED` covers all
    respondents with a community, except when the suppressed communities together hold between
    1 and ``min_respondents − 1`` respondents: then pooled minus the published communities would
    reveal them, so the pooled row covers the published communities only (complementary
    suppression) and a note says so. Respondents without a community are left out (noted).
    A note names the suppressed communities; when nothing at all is published (no respondents,
    or every community and the pooled row below the threshold) a note says so and the ranking
    and strengths are empty: small or empty data never raise.

    Bootstrap (``bootstrap`` draws, 0 = none): respondents are resampled with replacement within
    each community (the pooled row is resampled within communities as well), seeded by
    ``seed``; ``ci_low``/``ci_high`` are the percentile interval at ``confidence`` (Efron &
    Tibshirani 1993, ch. 13), over the draws where the score is defined.

    ``communities`` (keyword) lists communities to report in this order, including ones with no
    respondents (then suppressed with n = 0); others found in the data follow in order of
    appearance. A categorical community column contributes its categories the same way.
    """
    _check_score_settings(min_respondents, bootstrap, confidence)
    min_respondents, bootstrap = int(min_respondents), int(bootstrap)
    agg = Aggregation.from_hierarchy(hierarchy)
    local = agg.local_vector(weights)
    items = list(agg.items)
    values, absent = _item_values(responses, items)
    codes, names = _community_codes(
        responses.community.reindex(responses.answers.index), communities
    )
    notes: list[str] = []
    values, codes = _drop_without_community(values, codes, notes)
    cells = _Cells.of(codes, names, min_respondents, notes)
    sums, counts = _with_pooled_row(*item_sums_by_group(values, codes, len(names)), cells)
    point = level_scores(_means(sums, counts), agg, local)
    _publication_notes(cells, min_respondents, notes)
    intervals = _bootstrap_intervals(
        values, codes, cells, agg, local, point, bootstrap, seed, confidence
    )
    labels = [*names, POOLED]
    if absent:
        notes.insert(0, Message("note.items_absent", items=tuple(absent)))
    notes += _unanswered_notes(counts, items, absent, labels, cells.hide)
    table = _tidy(agg, labels, point, intervals, cells.sizes_all, counts, cells.hide)
    hide = cells.hide[:-1]
    return Scores(
        table=table,
        ranking=_ranking(table, agg.levels[0], hide),
        strengths=_strengths(point[agg.levels[1]][:-1], agg.codes[agg.levels[1]], names, hide),
        suppressed=[name for name, s in zip(names, cells.suppressed, strict=True) if s],
        min_respondents=min_respondents,
        bootstrap=bootstrap,
        seed=seed,
        notes=notes,
    )


def _check_score_settings(min_respondents: int, bootstrap: int, confidence: float) -> None:
    """The settings of :func:`score` in range (a :class:`SurveyError` naming the one out)."""
    if int(min_respondents) != min_respondents or min_respondents < 1:
        raise SurveyError("error.arg.positive_int", name="score: min_respondents",
                          value=min_respondents)
    if int(bootstrap) != bootstrap or bootstrap < 0:
        raise SurveyError("error.arg.non_negative_int", name="score: bootstrap",
                          value=bootstrap)
    if not 0 < confidence < 1:
        raise SurveyError("error.arg.open_unit", name="score: confidence", value=confidence)


def _item_values(responses: Responses, items: list[str]) -> tuple[np.ndarray, list[str]]:
    """Answers as a float array respondent × item (framework order; checked on the scale)
    and the items absent from the answers."""
    answers = responses.answers
    absent = [item for item in items if item not in answers.columns]
    values = answers.reindex(columns=items).to_numpy(dtype=float, na_value=np.nan)
    _check_range(values, answers, items)
    return values, absent


def _drop_without_community(
    values: np.ndarray, codes: np.ndarray, notes: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Leave out respondents without a community (noted)."""
    has_community = codes >= 0
    if has_community.all():
        return values, codes
    notes.append(Message("note.no_community", count=int((~has_community).sum())))
    return values[has_community], codes[has_community]


@dataclass(frozen=True)
class _Cells:
    """Community sizes and small-cell suppression: which rows are hidden and which
    communities the pooled row covers (complementary suppression)."""

    sizes: np.ndarray  # (m,) respondents per community
    suppressed: np.ndarray  # (m,) below min_respondents
    pooled_members: np.ndarray  # (m,) communities the pooled row covers
    sizes_all: np.ndarray  # (m + 1,) with the pooled row
    hide: np.ndarray  # (m + 1,) rows without a published score

    @classmethod
    def of(
        cls, codes: np.ndarray, names: list[str], min_respondents: int, notes: list[str]
    ) -> _Cells:
        """Sizes and suppression of the communities ``names`` (notes the suppressed ones)."""
        m = len(names)
        sizes = np.bincount(codes, minlength=m)
        suppressed = sizes < min_respondents
        if suppressed.any():
            hidden_names = [name for name, s in zip(names, suppressed, strict=True) if s]
            notes.append(Message("note.suppressed", hidden=len(hidden_names), total=m,
                                 minimum=min_respondents, names=tuple(hidden_names)))
        hidden = int(sizes[suppressed].sum())
        pool_all = hidden == 0 or hidden >= min_respondents
        pooled_members = np.ones(m, bool) if pool_all else ~suppressed
        if not pool_all and not suppressed.all():
            notes.append(Message("note.pooled_restricted", pooled=POOLED, hidden=hidden,
                                 minimum=min_respondents))
        sizes_all = np.append(sizes, sizes[pooled_members].sum())
        hide = np.append(suppressed, sizes_all[-1] < min_respondents)
        return cls(sizes, suppressed, pooled_members, sizes_all, hide)


def _with_pooled_row(
    sums: np.ndarray, counts: np.ndarray, cells: _Cells
) -> tuple[np.ndarray, np.ndarray]:
    """Item sums and answer counts per community with the pooled row appended."""
    members = cells.pooled_members
    return (
        np.vstack([sums, sums[members].sum(axis=0)]),
        np.vstack([counts, counts[members].sum(axis=0)]),
    )


def _publication_notes(cells: _Cells, min_respondents: int, notes: list[str]) -> None:
    """Note when nothing, or only the pooled row, is published."""
    if cells.hide.all():
        notes.append(Message("note.nothing_published", minimum=min_respondents))
    elif cells.hide[:-1].all():
        notes.append(Message("note.only_pooled", pooled=POOLED, minimum=min_respondents))


def _bootstrap_intervals(
    values: np.ndarray,
    codes: np.ndarray,
    cells: _Cells,
    agg: Aggregation,
    local: np.ndarray,
    point: dict[str, np.ndarray],
    bootstrap: int,
    seed: int | None,
    confidence: float,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Percentile intervals per level from the stratified respondent bootstrap (NaN when
    ``bootstrap`` is 0)."""
    if not bootstrap:
        return {
            lv: (np.full_like(point[lv], np.nan), np.full_like(point[lv], np.nan))
            for lv in agg.levels
        }
    rng = np.random.default_rng(seed)
    members = cells.pooled_members
    boot_sums, boot_counts = bootstrap_item_sums(values, codes, len(members), bootstrap, rng)
    boot_sums = np.concatenate(
        [boot_sums, boot_sums[:, members].sum(axis=1, keepdims=True)], axis=1
    )
    boot_counts = np.concatenate(
        [boot_counts, boot_counts[:, members].sum(axis=1, keepdims=True)], axis=1
    )
    drawn = level_scores(_means(boot_sums, boot_counts), agg, local)
    return {lv: percentile_interval(drawn[lv], confidence) for lv in agg.levels}


def _unanswered_notes(
    counts: np.ndarray, items: list[str], absent: list[str], labels: list[str], hide: np.ndarray
) -> list[Message]:
    """One note per published row with items nobody answered (absent items aside)."""
    unanswered = (counts == 0) & ~np.isin(items, absent)
    return [
        Message("note.items_unanswered", community=labels[row],
                items=tuple(items[j] for j in np.flatnonzero(unanswered[row])))
        for row in np.flatnonzero(unanswered.any(axis=1) & ~hide)
    ]

def _tidy(
    agg: Aggregation,
    labels: list[str],
    point: dict[str, np.ndarray],
    intervals: dict[str, tuple[np.ndarray, np.ndarray]],
    sizes: np.ndarray,
    counts: np.ndarray,
    hide: np.ndarray,
) -> pd.DataFrame:
    """The long table: communities × (levels top-down × codes), suppressed cells blanked."""
    levels = agg.levels
    codes = [code for lv in levels for code in agg.codes[lv]]
    level_of = [lv for lv in levels for _ in agg.codes[lv]]
    values = np.hstack([point[lv] for lv in levels])
    low = np.hstack([intervals[lv][0] for lv in levels])
    high = np.hstack([intervals[lv][1] for lv in levels])
    n_nodes = len(codes)
    n = np.repeat(sizes[:, None], n_nodes, axis=1)
    n[:, n_nodes - counts.shape[1]:] = np.where(hide[:, None], sizes[:, None], counts)
    for block in (values, low, high):
        block[hide] = np.nan
    rows = len(labels)
    return pd.DataFrame(
        {
            "community": np.repeat(np.array(labels, dtype=object), n_nodes),
            "level": np.tile(np.array(level_of, dtype=object), rows),
            "code": np.tile(np.array(codes, dtype=object), rows),
            "score": values.ravel(),
            "n": n.ravel().astype(np.int64),
            "ci_low": low.ravel(),
            "ci_high": high.ravel(),
            "suppressed": np.repeat(hide, n_nodes),
        },
        columns=list(TABLE_COLUMNS),
    )


def _ranking(table: pd.DataFrame, goal_level: str, hide: np.ndarray) -> pd.DataFrame:
    """Published communities by goal score, best first; no rank without a score."""
    goal = table[(table["level"] == goal_level) & (table["community"] != POOLED)]
    goal = goal[~hide].loc[:, ["community", "score", "ci_low", "ci_high", "n"]]
    goal = goal.assign(rank=goal["score"].rank(ascending=False, method="min").astype("Int64"))
    goal = goal.sort_values(["rank", "community"], na_position="last", kind="stable")
    return goal.loc[:, list(RANKING_COLUMNS)].reset_index(drop=True)


def _strengths(
    dimension_scores: np.ndarray, codes: Sequence[str], names: list[str], hide: np.ndarray
) -> pd.DataFrame:
    """Largest and smallest gap to the mean over published communities, per community."""
    shown = dimension_scores[~hide]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        gaps = shown - np.nanmean(shown, axis=0)
    frame = pd.DataFrame(gaps, index=[n for n, h in zip(names, hide, strict=True) if not h],
                         columns=list(codes))
    # A dimension stands out only when the gaps differ (one published community: all are 0).
    defined = frame.max(axis=1) > frame.min(axis=1)
    strongest = frame[defined].idxmax(axis=1).reindex(frame.index)
    weakest = frame[defined].idxmin(axis=1).reindex(frame.index)
    return pd.DataFrame(
        {
            "community": frame.index.to_numpy(dtype=object),
            "strongest": strongest.to_numpy(dtype=object),
            "strongest_gap": frame.max(axis=1).to_numpy(),
            "weakest": weakest.to_numpy(dtype=object),
            "weakest_gap": frame.min(axis=1).to_numpy(),
        },
        columns=list(STRENGTH_COLUMNS),
    )
