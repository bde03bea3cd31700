"""The driver: :func:`monte_carlo` as a short list of named steps (nominal panel and scores,
random streams, weight draws, score draws, summaries)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from ahp.hierarchy import Hierarchy, HierarchyWeights
from ahp.panel import PanelJudgments, PanelOptions, panel_weights
from evaluation.uncertainty.options import PanelSpec, check_settings, sources_frame
from evaluation.uncertainty.panel_draws import expert_counts, level_weights, local_draws
from evaluation.uncertainty.ranking import pairwise
from evaluation.uncertainty.residents import Residents
from evaluation.uncertainty.result import UncertaintyResult
from evaluation.uncertainty.simulate import Sink, simulate
from evaluation.uncertainty.summary import bounds, summary_frame
from i18n import Message
from survey.errors import SurveyError
from survey.responses import Responses
from survey.scoring import POOLED, Aggregation, Scores, score


def monte_carlo(
    responses: Responses,
    hierarchy: Hierarchy,
    judgments: PanelJudgments | None = None,
    *,
    options: PanelOptions | None = None,
    weights: HierarchyWeights | None = None,
    draws: int = 1000,
    panel: bool = True,
    judgment_noise: float = 0.0,
    residents: bool = True,
    min_respondents: int = 10,
    seed: int | None = 0,
    interval: tuple[float, float] = (0.05, 0.95),
    top: int = 3,
    pairwise_max: int = 200,
    chunk_draws: int | None = None,
    progress: Callable[[float], None] | None = None,
    **panel_options: Any,
) -> UncertaintyResult:
    """Monte Carlo uncertainty of every community's goal and dimension scores and ranks.

    Parameters
    ----------
    responses, hierarchy
        Valid questionnaires (after :func:`survey.screen`) and the indicator hierarchy.
    judgments
        The expert panel; the nominal weights are :func:`ahp.panel.panel_weights` with
        ``options`` (:class:`ahp.panel.PanelOptions`; its fields ``aggregation``, ``method``,
        ``threshold``, ``exclude_inconsistent``, ``expert_weights``, ``ri_table`` and
        ``incomplete`` may also be given as keywords, which override ``options``). Without a
        panel pass ``weights`` (then ``panel`` must be False and ``judgment_noise`` 0).
        Experts excluded from a node stay out of it in every draw.
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
    check_settings(draws, judgment_noise, interval, top, pairwise_max)
    draws = int(draws)
    options = PanelOptions.resolve(options, panel_options, "monte_carlo")
    spec, nominal_weights = _nominal_panel(
        hierarchy, judgments, weights, options, varied=panel or judgment_noise > 0
    )
    agg = _score_levels(hierarchy)
    nominal, communities, excluded = _nominal_scores(
        responses, hierarchy, nominal_weights, agg, min_respondents
    )
    panel_rng, noise_rng, resident_rng = _streams(seed)
    codes = [agg.levels[0], *agg.codes[agg.levels[1]]]
    with ThreadPoolExecutor(max_workers=1) as worker:
        if spec is not None and (panel or judgment_noise > 0):
            counts = expert_counts(panel_rng, len(spec.judgments.experts), draws, panel)
            local, fallbacks = local_draws(
                hierarchy, agg, spec, draws, counts, judgment_noise, noise_rng, worker
            )
        else:
            local, fallbacks = agg.local_vector(nominal_weights)[None, :], 0
        sink = _new_sink(hierarchy, agg, local, len(codes), len(communities), draws)
        crowd = Residents.build(responses, agg.items, communities)
        simulate(sink, crowd, resident_rng if residents else None, chunk_draws, worker, progress)
        goal_draws, code_bounds = _draw_bounds(sink, interval, worker)
    if progress is not None:
        progress(1.0)
    summary = summary_frame(
        nominal.table, agg, codes, communities, sink.tallies, code_bounds, interval, top
    )
    notes = _notes(summary, draws, fallbacks)
    return UncertaintyResult(
        summary=summary,
        pairwise=_nominal_order_pairwise(summary, codes[0], goal_draws, communities, pairwise_max),
        sources=sources_frame(panel, judgment_noise, residents, spec, min_respondents),
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


def _nominal_panel(
    hierarchy: Hierarchy,
    judgments: PanelJudgments | None,
    weights: HierarchyWeights | None,
    options: PanelOptions,
    varied: bool,
) -> tuple[PanelSpec | None, HierarchyWeights]:
    """The panel of the run (None without judgments) and the nominal weights."""
    if judgments is None:
        if weights is None:
            raise SurveyError("error.mc.no_weights", function="monte_carlo")
        if varied:
            raise SurveyError("error.mc.needs_judgments", function="monte_carlo",
                              options="judgments=…", off="panel=False, judgment_noise=0")
        return None, weights
    if weights is not None:
        raise SurveyError("error.mc.both", function="monte_carlo", judgments="judgments",
                          weights="weights")
    result = panel_weights(hierarchy, judgments, options)
    return PanelSpec(judgments, result, options), result.weights


def _score_levels(hierarchy: Hierarchy) -> Aggregation:
    """The scoring levels; the Monte Carlo needs a goal, dimensions and items."""
    agg = Aggregation.from_hierarchy(hierarchy)
    if len(agg.levels) < 3:
        raise SurveyError("error.mc.hierarchy", function="monte_carlo")
    return agg


def _nominal_scores(
    responses: Responses,
    hierarchy: Hierarchy,
    weights: HierarchyWeights,
    agg: Aggregation,
    min_respondents: int,
) -> tuple[Scores, tuple[str, ...], pd.DataFrame]:
    """Nominal scores, the communities with a goal score (ranked) and the others, with why."""
    nominal = score(responses, hierarchy, weights, min_respondents, bootstrap=0)
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
        raise SurveyError("error.mc.no_scores", function="monte_carlo",
                          minimum=min_respondents)
    return nominal, communities, excluded


def _streams(seed: int | None) -> tuple[np.random.Generator, ...]:
    """Independent generators of the panel, noise and resident sources."""
    return tuple(np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))


def _new_sink(
    hierarchy: Hierarchy, agg: Aggregation, local: np.ndarray, codes: int, m: int, draws: int
) -> Sink:
    """An empty store of scores and rank tallies, with the weights of every draw."""
    within, dimension_weights, member = level_weights(hierarchy, agg, local)
    return Sink(
        store=np.empty((codes, m, draws), dtype=np.float32),
        tallies=np.zeros((codes, m, m), dtype=np.int64),
        within=within.astype(np.float32),
        dimension_weights=dimension_weights.astype(np.float32),
        member=member,
    )


def _draw_bounds(
    sink: Sink, interval: tuple[float, float], worker: Executor
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]]:
    """The goal draws (copied: the store is reordered) and every code's score statistics,
    every other code computed by ``worker``."""
    codes = sink.store.shape[0]
    later = {t: worker.submit(bounds, sink.store[t], interval, True) for t in range(1, codes, 2)}
    goal_draws = sink.store[0].copy()
    stats = [
        later[t].result() if t in later else bounds(sink.store[t], interval, scratch=True)
        for t in range(codes)
    ]
    return goal_draws, stats


def _notes(summary: pd.DataFrame, draws: int, fallbacks: int) -> list[Message]:
    """Notes on node weights that fell back to nominal and on scores undefined in some
    draws."""
    partial = int((summary["defined_draws"] < draws).sum())
    notes = [Message("note.mc_fallbacks", count=fallbacks)] if fallbacks else []
    return notes + ([Message("note.mc_partial", count=partial)] if partial else [])


def _nominal_order_pairwise(
    summary: pd.DataFrame,
    goal: str,
    goal_draws: np.ndarray,
    communities: tuple[str, ...],
    pairwise_max: int,
) -> pd.DataFrame:
    """Goal-level pairwise probabilities in nominal rank order (empty above
    ``pairwise_max`` communities)."""
    if len(communities) > pairwise_max:
        return pd.DataFrame()
    order = summary.loc[summary["code"] == goal, "community"].tolist()
    position = {name: i for i, name in enumerate(communities)}
    return pairwise(goal_draws[[position[name] for name in order]], order)
