"""Ranks of every draw (one sort per draw and code), rank tallies, rank quantiles and
pairwise probabilities."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from evaluation.uncertainty.options import CHUNK_BYTES
from survey.errors import SurveyError

INDEX_BITS = 29
"""Low mantissa bits of a float64 that are zero for every float32 value: room for an index."""


def rank_cells(scores: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Tally cells ``community · m + rank − 1`` of every community in every draw ``(draws, m)``
    (written into ``out``, int64 of that shape, when given).

    ``scores`` is ``(draws, m)``; rank 1 is the highest score, ties share the smaller rank
    (as :func:`survey.scoring.score`), undefined scores (NaN) get the cell ``m²`` (not counted)
    and do not take a rank from the others. Sorting is done once per draw on float64 keys:
    ``−score`` widened from float32 carries the community index in its 29 low mantissa bits,
    which keeps distinct float32 values in order and gives the sorted order and values together.
    """
    draws, m = scores.shape
    if m >= 1 << INDEX_BITS:
        raise SurveyError("error.mc.too_many", function="monte_carlo", count=m)
    mask = np.uint64((1 << INDEX_BITS) - 1)
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


def count_cells(cells: np.ndarray, m: int) -> np.ndarray:
    """Rank tally ``(m, m)`` (community × rank − 1) of :func:`rank_cells` output."""
    return np.bincount(cells.ravel(), minlength=m * m + 1)[: m * m].reshape(m, m)


def rank_quantile(tally: np.ndarray, q: float) -> np.ndarray:
    """Smallest rank r with P(rank ≤ r) ≥ q per community (inverted empirical CDF)."""
    cumulative = np.cumsum(tally, axis=1)
    total = cumulative[:, -1:]
    reached = cumulative >= q * total - 1e-9 * total
    ranks = np.argmax(reached, axis=1).astype(float) + 1
    ranks[total[:, 0] == 0] = np.nan
    return ranks


def pairwise(goal_draws: np.ndarray, names: Sequence[str]) -> pd.DataFrame:
    """``P(x_i > x_j)`` over draws for goal draws ``(m, draws)``; blocks bound the memory."""
    m, draws = goal_draws.shape
    out = np.zeros((m, m))
    block = max(1, CHUNK_BYTES // max(m * draws, 1))
    for first in range(0, m, block):
        part = goal_draws[first:first + block, None, :] > goal_draws[None, :, :]
        out[first:first + block] = part.mean(axis=2, dtype=np.float64)
    index = pd.Index(list(names), name="community")
    return pd.DataFrame(out, index=index, columns=pd.Index(list(names), name="versus"))
