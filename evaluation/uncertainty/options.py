"""Settings of a Monte Carlo run: checked once, with the working-memory budget and the
table of sources each draw varied."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ahp.panel import PanelJudgments, PanelOptions, PanelResult
from i18n import Message
from survey.errors import SurveyError

CHUNK_BYTES = 1 << 26
"""Working memory per chunk of draws (about 64 MB; 64 draws in the benchmark setting: smaller
chunks pay per-chunk overhead, larger ones fall out of cache)."""


@dataclass(frozen=True)
class PanelSpec:
    """The panel part of a run: the judgments, their nominal result and the options used."""

    judgments: PanelJudgments
    result: PanelResult
    options: PanelOptions


def check_settings(
    draws: int, noise: float, interval: tuple[float, float], top: int, pairwise_max: int
) -> None:
    """Every setting of :func:`monte_carlo` in range (a :class:`SurveyError` naming it)."""
    if int(draws) != draws or draws < 1:
        raise SurveyError("error.arg.positive_int", name="monte_carlo: draws", value=draws)
    if not 0.0 <= noise <= 1.0:
        raise SurveyError("error.arg.probability", name="monte_carlo: judgment_noise",
                          value=noise)
    low, high = interval
    if not 0.0 <= low < high <= 1.0:
        raise SurveyError("error.arg.interval", name="monte_carlo: interval", value=interval)
    if int(top) != top or top < 1:
        raise SurveyError("error.arg.positive_int", name="monte_carlo: top", value=top)
    if int(pairwise_max) != pairwise_max or pairwise_max < 0:
        raise SurveyError("error.arg.non_negative_int", name="monte_carlo: pairwise_max",
                          value=pairwise_max)


def sources_frame(
    panel: bool, noise: float, residents: bool, spec: PanelSpec | None, min_respondents: int
) -> pd.DataFrame:
    """What each draw varied: one row per source, its detail a :class:`Message`."""
    experts = len(spec.judgments.experts) if spec is not None else 0
    how = f"{spec.options.aggregation}, {spec.options.method}" if spec is not None else "-"
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
