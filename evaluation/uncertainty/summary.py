"""Per-code statistics of the draws (mean, percentile interval, rank band, P(top), P(bottom))
joined with the nominal scores into the tidy summary frame."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from evaluation.uncertainty.ranking import rank_quantile
from evaluation.uncertainty.result import SUMMARY_COLUMNS
from survey.scoring import Aggregation


def bounds(
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


def summary_frame(
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
    nominal = table[table["community"].isin(communities)].set_index(["code", "community"])
    level_of = {code: lv for lv in agg.levels for code in agg.codes[lv]}
    frames = [
        _code_frame(
            code, level_of[code], nominal.loc[code].reindex(list(communities)), communities,
            tallies[t], bounds[t], interval, top, goal=t == 0,
        ).sort_values(["nominal_rank"], kind="stable")
        for t, code in enumerate(codes)
    ]
    summary = pd.concat(frames, ignore_index=True)
    respondents = dict(zip(frames[0]["community"], frames[0]["n"], strict=True))
    summary["n"] = summary["community"].map(respondents).astype(np.int64)
    return summary.loc[:, list(SUMMARY_COLUMNS)]


def _code_frame(
    code: str,
    level: str,
    rows: pd.DataFrame,
    communities: tuple[str, ...],
    tally: np.ndarray,
    stats: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    interval: tuple[float, float],
    top: int,
    goal: bool,
) -> pd.DataFrame:
    """Summary rows of one code: nominal score and rank, score interval, rank statistics."""
    m = len(communities)
    mean, low, high, defined = stats
    counted = tally.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_rank = (tally @ np.arange(1, m + 1)) / counted
        p_top = tally[:, :top].sum(axis=1) / counted
        p_bottom = tally[:, max(m - top, 0):].sum(axis=1) / counted
    nominal_score = rows["score"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "community": np.array(communities, dtype=object),
            "level": level,
            "code": code,
            "n": rows["n"].to_numpy(dtype=np.int64) if goal else 0,
            "nominal_score": nominal_score,
            "nominal_rank": pd.Series(nominal_score).rank(
                ascending=False, method="min"
            ).to_numpy(dtype=np.int64),
            "mean_score": mean,
            "score_low": low.astype(float),
            "score_high": high.astype(float),
            "mean_rank": mean_rank,
            "median_rank": rank_quantile(tally, 0.5),
            "rank_low": rank_quantile(tally, interval[0]),
            "rank_high": rank_quantile(tally, interval[1]),
            "p_top": p_top,
            "p_bottom": p_bottom,
            "defined_draws": defined.astype(np.int64),
        }
    )
