"""What a Monte Carlo run returns: :class:`UncertaintyResult` and its summary columns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluation.uncertainty.ranking import pairwise
from survey.errors import SurveyError
from survey.scoring import Scores

SUMMARY_COLUMNS: tuple[str, ...] = (
    "community", "level", "code", "n", "nominal_score", "nominal_rank", "mean_score",
    "score_low", "score_high", "mean_rank", "median_rank", "rank_low", "rank_high",
    "p_top", "p_bottom", "defined_draws",
)


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
            raise SurveyError("error.mc.no_code", function="UncertaintyResult.level", code=code)
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
            raise SurveyError("error.mc.not_ranked", function="pairwise_probabilities",
                              community=repr(unknown[0]), ranked=len(self.communities))
        return pairwise(self.goal_draws[[position[name] for name in names]], names)
