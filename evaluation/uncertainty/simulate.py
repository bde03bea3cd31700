"""The draws themselves: chunk by chunk, item means (resampled or fixed) become dimension
scores in the caller's thread while a worker thread stores, weighs and ranks them."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field

import numpy as np

from evaluation.uncertainty.options import CHUNK_BYTES
from evaluation.uncertainty.ranking import count_cells, rank_cells
from evaluation.uncertainty.residents import Residents


@dataclass
class Sink:
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
        return dimension_scores(means, self.within[part].T, self.member, undefined)

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
            rank_cells(scores, out=self.cells[t, self.pending:self.pending + size])
        self.pending += size
        if self.pending >= self.batch or first + size == draws:
            for t in range(len(block)):
                self.tallies[t] += count_cells(self.cells[t, :self.pending], m)
            self.pending = 0



def simulate(
    sink: Sink,
    crowd: Residents,
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
    chunk = int(chunk_draws) if chunk_draws else max(1, min(draws, CHUNK_BYTES // per_draw))
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


def dimension_scores(
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
