"""How sure a ranking is without a Monte Carlo run: the ranks each community can take given the
95 % score intervals of all communities, and the communities that cannot be told apart.

Two communities are *told apart* when their 95 % intervals do not overlap (a conservative
reading: overlapping intervals do not prove equal scores, but non-overlapping ones are a clear
difference). A community's plausible ranks then run from 1 + the number of communities clearly
above it to the number of communities not clearly below it. The Monte Carlo rank bands of
:mod:`evaluation.uncertainty` are the full analysis; this is the cheap default an official sees
first.
"""

from __future__ import annotations

import pandas as pd


def interval_rank_range(ranking: pd.DataFrame) -> pd.DataFrame:
    """``ranking`` (columns ``community, score, ci_low, ci_high``) with ``best`` and ``worst``:
    the plausible ranks from the 95 % intervals, and ``ties``: how many other communities
    cannot be told apart from it. A community without an interval is taken at its score."""
    low = ranking["ci_low"].fillna(ranking["score"]).to_numpy(float)
    high = ranking["ci_high"].fillna(ranking["score"]).to_numpy(float)
    above = low[None, :] > high[:, None]  # [i, j]: j clearly above i
    below = high[None, :] < low[:, None]  # [i, j]: j clearly below i
    count = len(ranking)
    return ranking.assign(
        best=1 + above.sum(axis=1),
        worst=count - below.sum(axis=1),
        ties=count - 1 - above.sum(axis=1) - below.sum(axis=1),
    )


def leading_group(ranking: pd.DataFrame) -> list[str]:
    """The communities that cannot be told apart from the best ranked one (itself first)."""
    ranged = interval_rank_range(ranking).sort_values("score", ascending=False, kind="stable")
    return ranged.loc[ranged["best"] == 1, "community"].tolist()


def trailing_group(ranking: pd.DataFrame) -> list[str]:
    """The communities that could be ranked last (the lowest scored last)."""
    ranged = interval_rank_range(ranking).sort_values("score", ascending=False, kind="stable")
    return ranged.loc[ranged["worst"] == len(ranged), "community"].tolist()


def distinguishable_share(ranking: pd.DataFrame) -> float:
    """The share of community pairs whose 95 % intervals do not overlap."""
    count = len(ranking)
    if count < 2:
        return float("nan")
    ranged = interval_rank_range(ranking)
    return float((count - 1 - ranged["ties"]).sum() / (count * (count - 1)))


__all__ = ["distinguishable_share", "interval_rank_range", "leading_group", "trailing_group"]
