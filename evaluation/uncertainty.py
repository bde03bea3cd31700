"""Monte Carlo uncertainty of community scores and ranks: expert panel, judgments, residents.

A composite score depends on two samples: the expert panel that set the weights and the
residents who answered the questionnaire. Each draw of :func:`monte_carlo` varies any of three
switchable sources and recomputes every community's goal (A) and dimension (B) scores:

(a) **panel** (expert bootstrap): the K experts are resampled with replacement, the same draw
    for every node, so draw s gives expert k a count ``c_sk`` (multinomial(K, 1/K)). The group
    matrix of a node is the AIJ of the resampled experts, i.e. the counts-weighted geometric mean

        ln a_ij^(s) = Σ_k c_sk ω_k δ_kij ln a_ij^(k) / Σ_k c_sk ω_k δ_kij,

    (ω expert weights, δ = 1 where the expert judged the pair), one matrix product per node
    over all draws, then **one** batched priorities call per node over all draws. Under AIP
    the individual priority vectors are combined by the same counts-weighted geometric mean.
    Experts excluded from a node by the CR rule of :func:`ahp.panel.panel_weights` stay
    excluded (Efron & Tibshirani 1993, nonparametric bootstrap).
(b) **judgment noise** with probability ``p``: each judgment of each expert independently
    moves one step on Saaty's 17-value scale (1/9, …, 1/2, 1, 2, …, 9), up or down with equal
    chance (at 9 or 1/9 to the only neighbour), i.e. ``ln a + (ln v_{i±1} − ln v_i)`` where
    ``v_i`` is the scale value nearest to ``a``; the reciprocal judgment moves with it.
    Experts are then aggregated as in (a) (with equal counts when the panel source is off).
(c) **residents** (stratified bootstrap): within each community the respondents are drawn
    with replacement, as many as it has. The bootstrap item mean is the multinomial-weighted
    mean ``x̄*_cd = Σ_r K_sr x_rd / Σ_r K_sr δ_rd`` with ``K_s·`` ~ multinomial(n_c, 1/n_c) over
    the community's respondents (δ_rd = 1 where r answered d: available-case means, as in
    :func:`survey.scoring.score`). This is the exact respondent bootstrap, so the items of a
    respondent stay together and their correlation carries into the composite; no normal
    approximation is made. An item with no answer in a resample leaves the scores above it
    undefined in that draw, as in :func:`survey.scoring.score`.

Scores follow the rule of :mod:`survey.scoring`: dimension ``S_b = Σ_{d ∈ b} r_d x̄_d`` with
``r_d`` the product of the local weights below b, goal ``S_A = Σ_b w_b S_b``.

Summaries (per community and code A, B1, …): the nominal score and rank (from
:func:`survey.scoring.score`; rank 1 is the best, ties share the smaller rank), the mean score,
the percentile interval (default 5–95 %), the mean and median rank and the rank band (5th and
95th percentile of the rank, inverted empirical CDF), the probability of ranking in the top
``top`` or the bottom ``top``, and for the goal the probability that community i scores higher
than j. This follows the rank statistics of composite-indicator uncertainty analysis (Saisana,
Saltelli & Tarantola 2005; OECD/JRC 2008, step 7). Communities under ``min_respondents`` are
excluded, never ranked.

Speed: draws are computed in float32 (relative precision 1e-7), in chunks of draws that bound
the memory (10,000 draws × 1,000 communities × 57 items never exist at once); there is no
Python loop over draws, matrices or communities (only over the hierarchy's nodes and over
chunks). Two threads share the work: one draws the residents and computes item means and
dimension scores, the other stores the scores and ranks the draws (numpy releases the GIL in
both). Resident resampling picks each respondent by ``floor(u · n_c)`` from a float32 uniform
u (a bias below n_c · 2^-24). Ranks use one sort per draw and code.

References
----------
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
Forman, E., & Peniwati, K. (1998). Aggregating individual judgments and priorities with the
analytic hierarchy process. *European Journal of Operational Research*, 108(1), 165-169.
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
Saisana, M., Saltelli, A., & Tarantola, S. (2005). Uncertainty and sensitivity analysis
techniques as tools for the quality assessment of composite indicators. *Journal of the Royal
Statistical Society A*, 168(2), 307-323.
OECD & JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*.
OECD Publishing.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from ahp.hierarchy import Hierarchy, HierarchyWeights
from ahp.panel import PanelJudgments, PanelResult, panel_weights
from ahp.priorities import priorities
from ahp.scale import SAATY_VALUES
from i18n import Message
from survey.errors import SurveyError
from survey.responses import Responses
from survey.scoring import POOLED, Aggregation, Scores, score

__all__ = ["SUMMARY_COLUMNS", "UncertaintyResult", "monte_carlo"]

SUMMARY_COLUMNS: tuple[str, ...] = (
    "community", "level", "code", "n", "nominal_score", "nominal_rank", "mean_score",
    "score_low", "score_high", "mean_rank", "median_rank", "rank_low", "rank_high",
    "p_top", "p_bottom", "defined_draws",
)

_LOG_SAATY = np.log(np.asarray(SAATY_VALUES))
_CHUNK_BYTES = 1 << 26
"""Working memory per chunk of draws (about 64 MB; 64 draws in the benchmark setting: smaller
chunks pay per-chunk overhead, larger ones fall out of cache)."""


# ---------------------------------------------------------------------------- result
@dataclass(frozen=True)
class UncertaintyResult:
    """Monte Carlo summaries of scores and ranks.

    Attributes
    ----------
    summary
        Tidy, one row per code (goal first, then the dimensions) and ranked community, sorted
        by code then nominal rank: ``community, level, code, n`` (respondents),
        ``nominal_score, nominal_rank, mean_score, score_low, score_high`` (percentile
        interval), ``mean_rank, median_rank, rank_low, rank_high`` (rank band), ``p_top``,
        ``p_bottom`` (probability of a rank in the top / bottom ``top``) and ``defined_draws``
        (draws where the score was defined; the statistics use those).
    pairwise
        Goal level: ``P(row community scores higher than column community)`` over the draws,
        communities in nominal order; empty when more than ``pairwise_max`` communities were
        ranked (use :meth:`pairwise_probabilities` for a chosen subset).
    sources
        What every draw varied: ``source`` (panel, judgment_noise, residents), ``varied``
        (bool) and ``detail`` (the parameters, in words).
    excluded
        Communities not ranked: ``community, n, reason``.
    draws, seed, interval, top
        The settings used.
    goal_draws
        float32 array (communities, draws) of the goal scores, communities in
        :attr:`communities` order.
    communities
        The ranked communities, in the order of :func:`survey.scoring.score`.
    nominal
        The nominal :class:`~survey.scoring.Scores` (no bootstrap).
    notes
        What the reader must know (fallbacks, undefined draws).
    """

    summary: pd.DataFrame
    pairwise: pd.DataFrame
    sources: pd.DataFrame
    excluded: pd.DataFrame
    draws: int
    seed: int | None
    interval: tuple[float, float]
    top: int
    goal_draws: np.ndarray = field(repr=False)
    communities: tuple[str, ...]
    nominal: Scores = field(repr=False)
    notes: list[str] = field(default_factory=list)

    def level(self, code: str = "A") -> pd.DataFrame:
        """Summary rows of one code, indexed by community, in nominal rank order."""
        rows = self.summary[self.summary["code"] == code]
        if rows.empty:
            raise SurveyError(f"UncertaintyResult.level: no code '{code}' in the summary")
        return rows.drop(columns=["level", "code"]).set_index("community")

    def pairwise_probabilities(self, communities: Sequence[str] | None = None) -> pd.DataFrame:
        """P(row community's goal score > column community's) over the draws.

        ``communities`` picks and orders the communities (default: all ranked ones, nominal
        order). Ties and undefined draws count as "not higher".
        """
        names = (
            list(self.level(self.summary["code"].iloc[0]).index) if communities is None
            else list(communities)
        )
        position = {name: i for i, name in enumerate(self.communities)}
        unknown = [name for name in names if name not in position]
        if unknown:
            raise SurveyError(
                f"pairwise_probabilities: community {unknown[0]!r} was not ranked "
                f"(ranked: {len(self.communities)} communities)"
            )
        return _pairwise(self.goal_draws[[position[name] for name in names]], names)


# ---------------------------------------------------------------------------- weights
def _judgment_logs(
    judgments: PanelJudgments, node: str, children: list[str]
) -> tuple[list[str], np.ndarray]:
    """Experts of a node and their upper-triangle log judgments ``(k, P)`` (NaN = missing)."""
    experts, stack = judgments.stack(node, children)
    rows, cols = np.triu_indices(len(children), 1)
    return experts, np.log(stack[:, rows, cols])


def _noise_steps(logs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log-scale moves one step up / down Saaty's scale from each judgment ``(k, P)``.

    The step is taken from the nearest scale value; at 9 (1/9) "up" ("down") goes to the only
    neighbour.
    """
    top = len(_LOG_SAATY) - 1
    nearest = np.argmin(np.abs(np.nan_to_num(logs)[..., None] - _LOG_SAATY), axis=-1)
    up = np.where(nearest < top, nearest + 1, top - 1)
    down = np.where(nearest > 0, nearest - 1, 1)
    here = _LOG_SAATY[nearest]
    return _LOG_SAATY[up] - here, _LOG_SAATY[down] - here


def _noise(
    rng: np.random.Generator, draws: int, logs: np.ndarray, probability: float
) -> np.ndarray:
    """Per-draw log perturbations ``(draws, k, P)`` float32: one uniform per judgment and draw.

    u < p/2 moves up, p/2 ≤ u < p moves down, otherwise the judgment is kept; a missing
    judgment never moves.
    """
    up, down = _noise_steps(logs)
    given = ~np.isnan(logs)
    up = np.where(given, up, 0.0).astype(np.float32)
    down = np.where(given, down, 0.0).astype(np.float32)
    u = rng.random((draws, *logs.shape), dtype=np.float32)
    half = np.float32(probability / 2)
    shift = np.where(u < half, up, down)
    shift *= u < 2 * half
    return shift


def _matrices(upper_logs: np.ndarray, n: int) -> np.ndarray:
    """Reciprocal matrices ``(draws, n, n)`` from upper-triangle logs ``(draws, P)``."""
    rows, cols = np.triu_indices(n, 1)
    out = np.ones((upper_logs.shape[0], n, n))
    out[:, rows, cols] = np.exp(upper_logs)
    out[:, cols, rows] = np.exp(-upper_logs)
    return out


@dataclass(frozen=True)
class _PanelSpec:
    """Settings of the panel part of a run."""

    judgments: PanelJudgments
    result: PanelResult
    aggregation: str
    method: str
    expert_weights: Mapping[str, float] | None


def _local_draws(
    hierarchy: Hierarchy,
    agg: Aggregation,
    spec: _PanelSpec,
    draws: int,
    counts: np.ndarray | None,
    noise: float,
    noise_rng: np.random.Generator,
    worker: Executor,
) -> tuple[np.ndarray, int]:
    """Local weights ``(draws, n_nodes)`` in ``agg.nodes`` order, and the fallback count.

    ``counts`` (draws, K) are the expert bootstrap counts (None: every expert once). A node
    whose resampled experts are all excluded keeps its nominal weights in that draw (counted).
    The noise is drawn node by node in hierarchy order; every other node is solved by
    ``worker`` while this thread solves the rest.
    """
    panel = spec.judgments.experts
    column = {name: i for i, name in enumerate(panel)}
    weight_of = (
        np.ones(len(panel)) if spec.expert_weights is None
        else np.array([float(dict(spec.expert_weights).get(name, 0.0)) for name in panel])
    )
    excluded = spec.result.excluded
    nominal = agg.local_vector(spec.result.weights)
    local = np.broadcast_to(nominal, (draws, len(agg.nodes))).copy()
    position = {code: i for i, code in enumerate(agg.nodes)}
    solved = []
    for i, node in enumerate(hierarchy.compared_nodes()):
        children = hierarchy.children(node)
        experts, logs = _judgment_logs(spec.judgments, node, children)
        out = set(excluded.loc[excluded["node"] == node, "expert"])
        kept = [i for i, x in enumerate(experts) if x not in out]
        experts, logs = [experts[i] for i in kept], logs[kept]
        base = np.array([weight_of[column[x]] for x in experts])
        picked = [column[x] for x in experts]
        v = base[None, :] if counts is None else counts[:, picked] * base[None, :]
        v = np.broadcast_to(v, (draws, len(experts)))
        shift = _noise(noise_rng, draws, logs, noise) if noise > 0 else None
        task = (v, logs, shift, len(children), spec.aggregation, spec.method)
        solved.append((children, worker.submit(_node_weights, *task) if i % 2 else task))
    fallbacks = 0
    for children, job in solved:
        weights, empty = job.result() if isinstance(job, Future) else _node_weights(*job)
        fallbacks += int(empty.sum())
        weights[empty] = nominal[[position[c] for c in children]]
        local[:, [position[c] for c in children]] = weights
    return local, fallbacks


def _node_weights(
    v: np.ndarray,
    logs: np.ndarray,
    shift: np.ndarray | None,
    n: int,
    aggregation: str,
    method: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Group priorities of one node in every draw ``(draws, n)`` and the draws without any
    contributing expert (``empty``)."""
    if aggregation == "AIP":
        return _aip(v, logs, shift, n, method)
    group = _aij(v, logs, ~np.isnan(logs), shift)
    empty = np.all(np.isnan(group), axis=1)
    weights = np.empty((len(group), n))
    if (~empty).any():
        weights[~empty] = priorities(_matrices(group[~empty], n), method)
    return weights, empty


def _aij(
    v: np.ndarray, logs: np.ndarray, given: np.ndarray, shift: np.ndarray | None
) -> np.ndarray:
    """Counts-weighted geometric mean of upper-triangle judgments, ``(draws, P)`` logs."""
    filled = np.where(given, logs, 0.0)
    total = v @ given.astype(float)
    log_sum = v @ filled
    if shift is not None:
        log_sum = log_sum + np.einsum("sk,skp->sp", v.astype(np.float32), shift)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, log_sum / np.where(total > 0, total, 1.0), np.nan)


def _aip(
    v: np.ndarray, logs: np.ndarray, shift: np.ndarray | None, n: int, method: str
) -> tuple[np.ndarray, np.ndarray]:
    """Counts-weighted geometric mean of the experts' priority vectors, ``(draws, n)``."""
    k = logs.shape[0]
    if shift is None:
        individual = priorities(_matrices(logs, n), method)[None]
    else:
        noisy = (logs[None] + shift).reshape(-1, logs.shape[1])
        individual = priorities(_matrices(noisy, n), method).reshape(-1, k, n)
    total = v.sum(axis=1)
    empty = total <= 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_log = np.einsum("sk,skn->sn", v, np.log(individual)) / total[:, None]
    combined = np.exp(mean_log - mean_log.max(axis=1, keepdims=True))
    return combined / combined.sum(axis=1, keepdims=True), empty


def _level_weights(
    hierarchy: Hierarchy, agg: Aggregation, local: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Item weights within their dimension ``(…, k)``, dimension weights ``(…, B)`` and the
    item → dimension membership ``(k, B)``.

    ``r_d`` is the product of the local weights on the path strictly below the dimension.
    """
    levels = agg.levels
    dimensions = list(agg.codes[levels[1]])
    position = {code: i for i, code in enumerate(agg.nodes)}
    items = list(agg.items)
    depth = len(levels) - 2
    path = np.empty((len(items), depth), dtype=np.intp)
    member = np.zeros((len(items), len(dimensions)), dtype=np.float32)
    for d, item in enumerate(items):
        chain = hierarchy.path(item)
        member[d, dimensions.index(chain[1])] = 1.0
        path[d] = [position[code] for code in chain[2:]]
    within = local[..., path].prod(axis=-1) if depth else np.ones((*local.shape[:-1], len(items)))
    return within, local[..., [position[b] for b in dimensions]], member


# ---------------------------------------------------------------------------- residents
@dataclass(frozen=True)
class _Residents:
    """Answers of the ranked communities, padded to ``(m, k, n_max)`` float32.

    ``answers`` holds 0 where an answer is missing or a slot is padding. ``gaps`` marks, for
    every (community, item) with a missing answer, the respondents who skipped it, so that a
    resample's answer count is ``n_c`` minus their draws, without a second dense product.
    """

    answers: np.ndarray  # (m, k, n_max)
    scaled_answers: np.ndarray  # answers / n_c
    sizes: np.ndarray  # (m,)
    slot_community: np.ndarray  # (N,) community of each respondent slot
    slot_size: np.ndarray  # (N,) float32 size of that community
    slot_last: np.ndarray  # (N,) int32 size - 1
    means: np.ndarray  # (m, k) nominal available-case means (NaN: no answer)
    gaps: sparse.csr_array  # (G, m * n_max): 1 where a respondent skipped the group's item
    gap_community: np.ndarray  # (G,) community of each (community, item) group with a gap
    gap_item: np.ndarray  # (G,) its item
    offsets: dict[int, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(
        cls, responses: Responses, items: Sequence[str], communities: Sequence[str]
    ) -> _Residents:
        label = responses.community.reindex(responses.answers.index)
        label = label.where(label.isin(list(communities)))
        code = pd.Categorical(label, categories=list(communities)).codes
        keep = code >= 0
        order = np.argsort(code[keep], kind="stable")
        group = code[keep][order].astype(np.intp)
        answers = responses.answers.reindex(columns=list(items))
        values = answers.to_numpy(dtype=float, na_value=np.nan)[keep][order]
        m, k = len(communities), len(items)
        sizes = np.bincount(group, minlength=m)
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        slot = np.arange(len(group)) - starts[group]
        padded = np.zeros((m, k, max(int(sizes.max(initial=0)), 1)))
        missing = np.isnan(values)
        padded[group, :, slot] = np.where(missing, 0.0, values)
        answered = np.zeros((m, k))
        np.add.at(answered, group, ~missing)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = padded.sum(axis=2) / answered
        respondent, item = np.nonzero(missing)
        key = group[respondent] * k + item
        groups, row = np.unique(key, return_inverse=True)
        n_max = padded.shape[2]
        column = group[respondent] * n_max + slot[respondent]
        gaps = sparse.csr_array(
            (np.ones(key.size, dtype=np.float32), (row, column)), shape=(groups.size, m * n_max)
        )
        return cls(
            answers=padded.astype(np.float32),
            scaled_answers=(padded / np.maximum(sizes, 1)[:, None, None]).astype(np.float32),
            sizes=sizes,
            slot_community=group,
            slot_size=sizes[group].astype(np.float32),
            slot_last=(sizes[group] - 1).astype(np.int32),
            means=means,
            gaps=gaps,
            gap_community=groups // k,
            gap_item=groups % k,
        )

    def _offsets(self, draws: int) -> np.ndarray:
        """Flat index of (draw, community, slot 0) in a ``(draws, m, n_max)`` tally for every
        draw and slot ``(draws, N)`` (int32 when it fits; kept for the chunk size in use)."""
        if draws not in self.offsets:
            m, _, n_max = self.answers.shape
            kind = np.int32 if m * n_max * draws < np.iinfo(np.int32).max else np.intp
            self.offsets.clear()
            self.offsets[draws] = (
                np.arange(draws, dtype=kind)[:, None] * kind(m * n_max)
                + (self.slot_community * n_max).astype(kind)[None, :]
            )
        return self.offsets[draws]

    def picks(self, rng: np.random.Generator, draws: int) -> np.ndarray:
        """Position within its community of the respondent drawn into each slot ``(draws, N)``."""
        u = rng.random((draws, self.slot_size.size), dtype=np.float32)
        u *= self.slot_size
        picked = u.astype(np.int32)
        np.minimum(picked, self.slot_last, out=picked)
        return picked

    def resampled_means(
        self, picks: np.ndarray
    ) -> tuple[np.ndarray, tuple[np.ndarray, ...] | None]:
        """Bootstrap item means ``(m, k, draws)`` from :meth:`picks` (multinomial weights),
        and the cells ``(community, item, draw)`` where nobody drawn answered (None if none).

        ``K`` (m, n_max, draws) counts how often each respondent was drawn (counted draw by
        draw, so that one draw's counts stay in cache, then transposed); the answers times
        ``K / n_c`` give the means in one batched matrix product. Items with missing answers
        are rescaled by ``n_c / (n_c − draws of those who skipped it)`` (one sparse product).
        A mean without answers is undefined: it is left at 0 and listed.
        """
        draws = picks.shape[0]
        m, _, n_max = self.answers.shape
        counts = np.bincount((self._offsets(draws) + picks).ravel(), minlength=m * n_max * draws)
        tally = np.empty((m, n_max, draws), dtype=np.float32)
        tally[...] = counts.reshape(draws, m, n_max).transpose(1, 2, 0)
        means = np.matmul(self.scaled_answers, tally)
        if not self.gap_item.size:
            return means, None
        skipped = self.gaps @ tally.reshape(m * n_max, draws)
        size = self.sizes[self.gap_community].astype(np.float32)[:, None]
        answered = size - skipped
        empty = answered <= 0
        means[self.gap_community, self.gap_item] *= size / np.where(empty, size, answered)
        if not empty.any():
            return means, None
        group, draw = np.nonzero(empty)
        return means, (self.gap_community[group], self.gap_item[group], draw)


# ---------------------------------------------------------------------------- ranks
_INDEX_BITS = 29
"""Low mantissa bits of a float64 that are zero for every float32 value: room for an index."""


def _rank_cells(scores: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Tally cells ``community · m + rank − 1`` of every community in every draw ``(draws, m)``
    (written into ``out``, int64 of that shape, when given).

    ``scores`` is ``(draws, m)``; rank 1 is the highest score, ties share the smaller rank
    (as :func:`survey.scoring.score`), undefined scores (NaN) get the cell ``m²`` (not counted)
    and do not take a rank from the others. Sorting is done once per draw on float64 keys:
    ``−score`` widened from float32 carries the community index in its 29 low mantissa bits,
    which keeps distinct float32 values in order and gives the sorted order and values together.
    """
    draws, m = scores.shape
    if m >= 1 << _INDEX_BITS:
        raise SurveyError(f"monte_carlo: too many communities to rank ({m})")
    mask = np.uint64((1 << _INDEX_BITS) - 1)
    keys = np.negative(scores, dtype=np.float64)
    bits = keys.view(np.uint64)
    bits |= np.arange(m, dtype=np.uint64)
    keys.sort(axis=1)
    cell = np.bitwise_and(bits, mask, out=None if out is None else out.view(np.uint64))
    cell = cell.view(np.int64)
    bits &= ~mask
    cell *= m
    same = keys[:, 1:] == keys[:, :-1]
    if same.any():
        start = np.broadcast_to(np.arange(m), (draws, m)).copy()
        start[:, 1:][same] = 0
        cell += np.maximum.accumulate(start, axis=1)
    else:
        cell += np.arange(m)
    if np.isnan(keys[:, -1]).any():  # NaN sorts last
        cell[np.isnan(keys)] = m * m
    return cell


def _count_cells(cells: np.ndarray, m: int) -> np.ndarray:
    """Rank tally ``(m, m)`` (community × rank − 1) of :func:`_rank_cells` output."""
    return np.bincount(cells.ravel(), minlength=m * m + 1)[: m * m].reshape(m, m)


def _rank_quantile(tally: np.ndarray, q: float) -> np.ndarray:
    """Smallest rank r with P(rank ≤ r) ≥ q per community (inverted empirical CDF)."""
    cumulative = np.cumsum(tally, axis=1)
    total = cumulative[:, -1:]
    reached = cumulative >= q * total - 1e-9 * total
    ranks = np.argmax(reached, axis=1).astype(float) + 1
    ranks[total[:, 0] == 0] = np.nan
    return ranks


def _pairwise(goal_draws: np.ndarray, names: Sequence[str]) -> pd.DataFrame:
    """``P(x_i > x_j)`` over draws for goal draws ``(m, draws)``; blocks bound the memory."""
    m, draws = goal_draws.shape
    out = np.zeros((m, m))
    block = max(1, _CHUNK_BYTES // max(m * draws, 1))
    for first in range(0, m, block):
        part = goal_draws[first:first + block, None, :] > goal_draws[None, :, :]
        out[first:first + block] = part.mean(axis=2, dtype=np.float64)
    index = pd.Index(list(names), name="community")
    return pd.DataFrame(out, index=index, columns=pd.Index(list(names), name="versus"))


@dataclass
class _Sink:
    """Scores and rank tallies of the draws, filled chunk by chunk (by one worker thread).

    :meth:`dimensions` turns a chunk's item means into dimension scores (caller's thread);
    :meth:`add` stores them with the goal scores and ranks the chunk while it is still in
    cache; the rank cells are counted into the m × m tallies in batches of at least
    max(m, 256) draws, so that one bincount over m² cells serves many draws.
    """

    store: np.ndarray  # (codes, m, draws) float32; code 0 is the goal
    tallies: np.ndarray  # (codes, m, m) int64 rank counts
    within: np.ndarray  # (draws|1, k) item weights within their dimension
    dimension_weights: np.ndarray  # (draws|1, B)
    member: np.ndarray  # (k, B)
    batch: int = field(init=False)  # draws counted at once: max(m, 256)
    cells: np.ndarray = field(init=False)  # (codes, ≥ pending, m) rank cells not yet counted
    pending: int = 0  # draws in ``cells``

    def __post_init__(self) -> None:
        codes, m, _ = self.store.shape
        self.batch = max(m, 256)
        self.cells = np.empty((codes, 0, m), dtype=np.int64)

    def dimensions(
        self,
        first: int,
        size: int,
        means: np.ndarray,
        undefined: tuple[np.ndarray, ...] | None,
    ) -> np.ndarray:
        """Dimension scores ``(m, B, size)`` of draws ``first …`` from their item means."""
        part = slice(first, first + size) if self.within.shape[0] > 1 else slice(0, 1)
        return _dimension_scores(means, self.within[part].T, self.member, undefined)

    def add(self, first: int, size: int, dims: np.ndarray) -> None:
        """Store a chunk's dimension and goal scores, rank them, count ranks in batches."""
        part = slice(first, first + size) if self.within.shape[0] > 1 else slice(0, 1)
        block = np.empty((1 + dims.shape[1], size, dims.shape[0]), dtype=np.float32)
        block[1:] = dims.transpose(1, 2, 0)  # (code, draw, community): rows to rank
        block[0] = np.einsum("bsm,sb->sm", block[1:], self.dimension_weights[part])
        self.store[:, :, first:first + size] = block.transpose(0, 2, 1)
        m, draws = self.store.shape[1:]
        if self.cells.shape[1] < self.pending + size:
            grown = np.empty((len(block), self.batch + size, m), dtype=np.int64)
            grown[:, :self.pending] = self.cells[:, :self.pending]
            self.cells = grown
        for t, scores in enumerate(block):
            _rank_cells(scores, out=self.cells[t, self.pending:self.pending + size])
        self.pending += size
        if self.pending >= self.batch or first + size == draws:
            for t in range(len(block)):
                self.tallies[t] += _count_cells(self.cells[t, :self.pending], m)
            self.pending = 0


# ---------------------------------------------------------------------------- driver
def _check_settings(
    draws: int, noise: float, interval: tuple[float, float], top: int, pairwise_max: int
) -> None:
    if int(draws) != draws or draws < 1:
        raise SurveyError(f"monte_carlo: draws must be a positive integer, got {draws}")
    if not 0.0 <= noise <= 1.0:
        raise SurveyError(
            f"monte_carlo: judgment_noise is a probability in [0, 1], got {noise}"
        )
    low, high = interval
    if not 0.0 <= low < high <= 1.0:
        raise SurveyError(
            f"monte_carlo: interval must be two probabilities low < high, got {interval}"
        )
    if int(top) != top or top < 1:
        raise SurveyError(f"monte_carlo: top must be a positive integer, got {top}")
    if int(pairwise_max) != pairwise_max or pairwise_max < 0:
        raise SurveyError(
            f"monte_carlo: pairwise_max must be a non-negative integer, got {pairwise_max}"
        )


def _sources_frame(
    panel: bool, noise: float, residents: bool, spec: _PanelSpec | None, min_respondents: int
) -> pd.DataFrame:
    """What each draw varied: one row per source, its detail a :class:`Message`."""
    experts = len(spec.judgments.experts) if spec is not None else 0
    how = f"{spec.aggregation}, {spec.method}" if spec is not None else "-"
    details = [
        Message("source.detail.panel", experts=experts, how=how) if panel
        else Message("source.detail.panel_off"),
        Message("source.detail.noise", p=f"{noise:g}") if noise > 0
        else Message("source.detail.noise_off"),
        Message("source.detail.residents", minimum=min_respondents) if residents
        else Message("source.detail.residents_off"),
    ]
    return pd.DataFrame({
        "source": ["panel", "judgment_noise", "residents"],
        "varied": [panel, noise > 0, residents],
        "detail": pd.Series(details, dtype=object),  # object keeps the Messages
    })


def monte_carlo(
    responses: Responses,
    hierarchy: Hierarchy,
    judgments: PanelJudgments | None = None,
    *,
    weights: HierarchyWeights | None = None,
    draws: int = 1000,
    panel: bool = True,
    judgment_noise: float = 0.0,
    residents: bool = True,
    aggregation: str = "AIJ",
    method: str = "eigenvector",
    threshold: float = 0.10,
    exclude_inconsistent: bool = False,
    expert_weights: Mapping[str, float] | None = None,
    ri_table: str = "saaty",
    incomplete: str = "error",
    min_respondents: int = 10,
    seed: int | None = 0,
    interval: tuple[float, float] = (0.05, 0.95),
    top: int = 3,
    pairwise_max: int = 200,
    chunk_draws: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> UncertaintyResult:
    """Monte Carlo uncertainty of every community's goal and dimension scores and ranks.

    Parameters
    ----------
    responses, hierarchy
        Valid questionnaires (after :func:`survey.screen`) and the indicator hierarchy.
    judgments
        The expert panel; the nominal weights are :func:`ahp.panel.panel_weights` with
        ``aggregation``, ``method``, ``threshold``, ``exclude_inconsistent``,
        ``expert_weights``, ``ri_table`` and ``incomplete``. Without a panel pass ``weights``
        (then ``panel`` must be False and ``judgment_noise`` 0). Experts excluded from a node
        stay out of it in every draw.
    panel, judgment_noise, residents
        The sources (module docstring): expert bootstrap on/off, the probability ``p`` of a
        one-step move of each judgment (0 = off), resident bootstrap on/off. With every source
        off all draws equal the nominal scores.
    min_respondents
        Communities with fewer respondents are excluded (listed in ``excluded``), as in
        :func:`survey.scoring.score`.
    seed
        Seed of ``numpy.random.default_rng``; the three sources use independent streams
        (``SeedSequence.spawn``), so switching one source off leaves the others' draws alone.
    interval, top
        Percentile levels of the score interval and rank band; size of the top/bottom group.
    pairwise_max
        Fill :attr:`UncertaintyResult.pairwise` only up to this many ranked communities
        (the matrix costs draws × m² comparisons).
    chunk_draws
        Draws per chunk (default: sized to about 64 MB of working memory); the numbers do
        not depend on it beyond float32 rounding.
    progress
        Optional ``callable(fraction)`` called as chunks finish (fraction in (0, 1]).
    """
    _check_settings(draws, judgment_noise, interval, top, pairwise_max)
    draws = int(draws)
    if judgments is None:
        if weights is None:
            raise SurveyError("monte_carlo: give the expert judgments or the weights")
        if panel or judgment_noise > 0:
            raise SurveyError(
                "monte_carlo: panel resampling and judgment noise need the expert judgments; "
                "pass judgments=… or panel=False, judgment_noise=0"
            )
        spec = None
        nominal_weights = weights
    else:
        if weights is not None:
            raise SurveyError(
                "monte_carlo: give either judgments (weights are computed from them) or weights"
            )
        result = panel_weights(
            hierarchy, judgments, aggregation=aggregation, method=method, threshold=threshold,
            exclude_inconsistent=exclude_inconsistent, expert_weights=expert_weights,
            ri_table=ri_table, incomplete=incomplete,
        )
        spec = _PanelSpec(judgments, result, aggregation, method, expert_weights)
        nominal_weights = result.weights

    agg = Aggregation.from_hierarchy(hierarchy)
    if len(agg.levels) < 3:
        raise SurveyError("monte_carlo: the hierarchy needs a goal, dimensions and items")
    nominal = score(responses, hierarchy, nominal_weights, min_respondents, bootstrap=0)
    table = nominal.table
    goal = table[(table["level"] == agg.levels[0]) & (table["community"] != POOLED)]
    scored = goal["score"].notna().to_numpy()
    communities = tuple(goal.loc[scored, "community"])
    excluded = pd.DataFrame(
        {
            "community": goal.loc[~scored, "community"].to_numpy(dtype=object),
            "n": goal.loc[~scored, "n"].to_numpy(dtype=np.int64),
            "reason": np.where(
                goal.loc[~scored, "suppressed"].to_numpy(dtype=bool),
                f"fewer than {min_respondents} respondents / 样本不足",
                "no score: an item has no answers / 有题目无人作答",
            ),
        },
        columns=["community", "n", "reason"],
    )
    if not communities:
        raise SurveyError(
            f"monte_carlo: no community has a score (min_respondents = {min_respondents})"
        )

    panel_rng, noise_rng, resident_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
    )
    notes: list[str] = []
    codes = [agg.levels[0], *agg.codes[agg.levels[1]]]
    with ThreadPoolExecutor(max_workers=1) as worker:
        if spec is not None and (panel or judgment_noise > 0):
            k = len(spec.judgments.experts)
            counts = (
                panel_rng.multinomial(k, np.full(k, 1.0 / k), size=draws).astype(float)
                if panel else None
            )
            local, fallbacks = _local_draws(
                hierarchy, agg, spec, draws, counts, judgment_noise, noise_rng, worker
            )
            if fallbacks:
                notes.append(Message("note.mc_fallbacks", count=fallbacks))
        else:
            local = agg.local_vector(nominal_weights)[None, :]
        within, dimension_weights, member = _level_weights(hierarchy, agg, local)
        sink = _Sink(
            store=np.empty((len(codes), len(communities), draws), dtype=np.float32),
            tallies=np.zeros((len(codes), len(communities), len(communities)), dtype=np.int64),
            within=within.astype(np.float32),
            dimension_weights=dimension_weights.astype(np.float32),
            member=member,
        )
        crowd = _Residents.build(responses, agg.items, communities)
        _simulate(sink, crowd, resident_rng if residents else None, chunk_draws, worker, progress)
        later = {t: worker.submit(_bounds, sink.store[t], interval, True)
                 for t in range(1, len(codes), 2)}
        goal_draws = sink.store[0].copy()  # kept for pairwise queries; the store is reordered
        bounds = [
            later[t].result() if t in later else _bounds(sink.store[t], interval, scratch=True)
            for t in range(len(codes))
        ]
    if progress is not None:
        progress(1.0)
    tallies = sink.tallies
    m = len(communities)

    summary = _summary(table, agg, codes, communities, tallies, bounds, interval, top)
    partial = int((summary["defined_draws"] < draws).sum())
    if partial:
        notes.append(Message("note.mc_partial", count=partial))
    order = summary.loc[summary["code"] == codes[0], "community"].tolist()
    position = {name: i for i, name in enumerate(communities)}
    pairwise = (
        _pairwise(goal_draws[[position[name] for name in order]], order)
        if m <= pairwise_max else pd.DataFrame()
    )
    return UncertaintyResult(
        summary=summary,
        pairwise=pairwise,
        sources=_sources_frame(panel, judgment_noise, residents, spec, min_respondents),
        excluded=excluded,
        draws=draws,
        seed=seed,
        interval=(float(interval[0]), float(interval[1])),
        top=int(top),
        goal_draws=goal_draws,
        communities=communities,
        nominal=nominal,
        notes=notes,
    )


def _simulate(
    sink: _Sink,
    crowd: _Residents,
    resident_rng: np.random.Generator | None,
    chunk_draws: int | None,
    worker: Executor,
    progress: Callable[[float], None] | None,
) -> None:
    """Fill ``sink`` chunk by chunk: item means (resampled when ``resident_rng`` is given)
    and dimension scores in this thread, storing and ranking in ``worker``."""
    codes, m, draws = sink.store.shape
    items = sink.member.shape[0]
    per_draw = 4 * m * (3 * crowd.answers.shape[2] + 3 * items + 4 * codes)
    chunk = int(chunk_draws) if chunk_draws else max(1, min(draws, _CHUNK_BYTES // per_draw))
    fixed_means = crowd.means.astype(np.float32)[:, :, None]
    pending: list[Future[None]] = []
    for first in range(0, draws, chunk):
        size = min(chunk, draws - first)
        means, undefined = (
            crowd.resampled_means(crowd.picks(resident_rng, size))
            if resident_rng is not None else (fixed_means, None)
        )
        dims = sink.dimensions(first, size, means, undefined)
        pending.append(worker.submit(sink.add, first, size, dims))
        if len(pending) > 16:  # dimension scores are small; bound the queue anyway
            pending.pop(0).result()
        if progress is not None:
            progress(0.9 * (first + size) / draws)
    for job in pending:
        job.result()


def _dimension_scores(
    means: np.ndarray,
    within: np.ndarray,
    member: np.ndarray,
    undefined: tuple[np.ndarray, ...] | None = None,
) -> np.ndarray:
    """Dimension scores ``(m, B, draws)`` from item means ``(m, k, draws|1)`` and the item
    weights within their dimension ``(k, draws|1)``: ``S_b = Σ_{d ∈ b} r_d x̄_d``.

    ``undefined`` lists (community, item, draw) cells without a mean: their dimension is
    undefined (NaN) in that draw, the other dimensions are not affected.
    """
    dims = np.matmul(member.T, means * within)
    if undefined is not None:
        community, item, draw = undefined
        dims[community, np.argmax(member[item], axis=1), draw] = np.nan
    if dims.shape[2] < within.shape[1]:
        dims = np.broadcast_to(dims, (*dims.shape[:2], within.shape[1]))
    return dims


def _bounds(
    values: np.ndarray, interval: tuple[float, float], scratch: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mean, percentile interval and number of defined draws of ``values`` (m, draws).

    With ``scratch`` the rows of ``values`` are reordered in place (no copy).
    """
    defined = values.shape[1] - np.isnan(values).sum(axis=1)
    if (defined < values.shape[1]).any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows give NaN
            mean = np.nanmean(values, axis=1, dtype=np.float64)
            low, high = np.nanquantile(values, interval, axis=1, overwrite_input=scratch)
    else:
        mean = values.mean(axis=1, dtype=np.float64)
        low, high = np.quantile(values, interval, axis=1, overwrite_input=scratch)
    return mean, low.astype(float), high.astype(float), defined


def _summary(
    table: pd.DataFrame,
    agg: Aggregation,
    codes: list[str],
    communities: tuple[str, ...],
    tallies: np.ndarray,
    bounds: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    interval: tuple[float, float],
    top: int,
) -> pd.DataFrame:
    """One tidy frame of nominal values and draw statistics, per code then nominal rank."""
    m = len(communities)
    frames = []
    nominal = table[table["community"].isin(communities)].set_index(["code", "community"])
    level_of = {code: lv for lv in agg.levels for code in agg.codes[lv]}
    ranks = np.arange(1, m + 1)
    for t, code in enumerate(codes):
        mean, low, high, defined = bounds[t]
        tally = tallies[t]
        counted = tally.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_rank = (tally @ ranks) / counted
            p_top = tally[:, :top].sum(axis=1) / counted
            p_bottom = tally[:, max(m - top, 0):].sum(axis=1) / counted
        rows = nominal.loc[code].reindex(list(communities))
        nominal_score = rows["score"].to_numpy(dtype=float)
        frame = pd.DataFrame(
            {
                "community": np.array(communities, dtype=object),
                "level": level_of[code],
                "code": code,
                "n": rows["n"].to_numpy(dtype=np.int64) if code == codes[0] else 0,
                "nominal_score": nominal_score,
                "nominal_rank": pd.Series(nominal_score).rank(
                    ascending=False, method="min"
                ).to_numpy(dtype=np.int64),
                "mean_score": mean,
                "score_low": low.astype(float),
                "score_high": high.astype(float),
                "mean_rank": mean_rank,
                "median_rank": _rank_quantile(tally, 0.5),
                "rank_low": _rank_quantile(tally, interval[0]),
                "rank_high": _rank_quantile(tally, interval[1]),
                "p_top": p_top,
                "p_bottom": p_bottom,
                "defined_draws": defined.astype(np.int64),
            }
        )
        frames.append(frame.sort_values(["nominal_rank"], kind="stable"))
    summary = pd.concat(frames, ignore_index=True)
    respondents = dict(zip(frames[0]["community"], frames[0]["n"], strict=True))
    summary["n"] = summary["community"].map(respondents).astype(np.int64)
    return summary.loc[:, list(SUMMARY_COLUMNS)]
