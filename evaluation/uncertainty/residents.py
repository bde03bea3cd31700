"""Source (c) of the Monte Carlo: the stratified resident bootstrap, as exact
multinomial-weighted item means per community and draw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from survey.responses import Responses


@dataclass(frozen=True)
class Residents:
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
    ) -> Residents:
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
