"""Monte Carlo runs of the current study, kept per session, and their charts."""


from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st

from app_support.cached import cache_key
from app_support.current import Current
from evaluation.study import (
    StudyResult,
    StudyUncertainty,
    analyse_uncertainty,
)
from i18n import t
from reports.outputs import (
    names,
    synthetic_note,
    uncertainty_figures,
)

UNCERTAINTY_KEY = "uncertainty_run"
"""Session key: ``(study key, UncertaintyControls)`` of the last uncertainty run."""
UNCERTAINTY_RUNS = 8
"""Uncertainty runs kept in memory for all sessions (the least recently used goes first)."""
PAIRWISE_DEFAULT = 5
"""Communities in the pairwise matrix until others are chosen (the best ranked)."""


@dataclass(frozen=True)
class UncertaintyControls:
    """What the comparison page's uncertainty controls ask for: the number of Monte Carlo
    draws and the sources (see :func:`evaluation.study.analyse_uncertainty`)."""

    draws: int = 1000
    panel: bool = True
    judgment_noise: float = 0.0
    residents: bool = True

    @property
    def any_source(self) -> bool:
        """Whether any source varies (with none, every draw equals the nominal result)."""
        return self.panel or self.judgment_noise > 0 or self.residents


@dataclass
class _Runs:
    """Finished uncertainty runs by key, shared by every session (least recently used out)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    runs: OrderedDict[str, StudyUncertainty] = field(default_factory=OrderedDict)


@st.cache_resource(show_spinner=False)
def _uncertainty_runs() -> _Runs:
    return _Runs()


def uncertainty_key(cur: Current, controls: UncertaintyControls) -> str:
    """Cache key of an uncertainty run: the study's inputs and the controls."""
    return cache_key(cur.key, controls)


def run_uncertainty(cur: Current, result: StudyResult, controls: UncertaintyControls,
                    progress: Callable[[float], None] | None = None) -> StudyUncertainty:
    """:func:`evaluation.study.analyse_uncertainty` of the current study with ``controls``, kept
    for every session under :func:`uncertainty_key` (the study's seed makes a run
    repeatable). ``progress`` (fraction done) is called only when the analysis runs.

    The runs are kept in a ``st.cache_resource`` store rather than by decorating this
    function: Streamlit replays the elements a cached function updates, and a progress bar
    made outside the function cannot be replayed.
    """
    store = _uncertainty_runs()
    key = uncertainty_key(cur, controls)
    with store.lock:
        found = store.runs.get(key)
        if found is not None:
            store.runs.move_to_end(key)
            return found
    found = analyse_uncertainty(result, controls.draws, panel=controls.panel,
                                judgment_noise=controls.judgment_noise,
                                residents=controls.residents, progress=progress)
    with store.lock:
        store.runs[key] = found
        while len(store.runs) > UNCERTAINTY_RUNS:
            store.runs.popitem(last=False)
    return found


def remember_uncertainty(cur: Current, controls: UncertaintyControls) -> None:
    """Show the run with ``controls`` for the current study from now on in this session."""
    st.session_state[UNCERTAINTY_KEY] = (cur.key, controls)


def current_uncertainty(
    cur: Current, result: StudyResult
) -> tuple[UncertaintyControls, StudyUncertainty] | None:
    """The controls and result of this session's last uncertainty run of the current study
    (``None`` before a run, or after the study's inputs or settings changed). A run dropped
    from the store is run again (same seed, same numbers)."""
    remembered = st.session_state.get(UNCERTAINTY_KEY)
    if remembered is None or remembered[0] != cur.key:
        return None
    controls = remembered[1]
    return controls, run_uncertainty(cur, result, controls)


@st.cache_data(show_spinner=False, max_entries=16)
def uncertainty_pngs(key: str, lang: str, _result: StudyResult,
                     _uncertainty: StudyUncertainty) -> dict[str, bytes]:
    """PNG bytes of :func:`reports.outputs.uncertainty_figures` (ranking with rank bands,
    the leader's tornado, the pairwise matrix of the :data:`PAIRWISE_DEFAULT` best ranked);
    ``key`` identifies the uncertainty run."""
    from reports import charts

    figures = uncertainty_figures(_result, _uncertainty, lang, pairwise_top=PAIRWISE_DEFAULT)
    return {name: charts.figure_png(fig) for name, fig in figures.items()}


@st.cache_data(show_spinner=False, max_entries=64)
def tornado_png(key: str, lang: str, community: str, _result: StudyResult) -> bytes:
    """PNG of the weight tornado of ``community``'s score (each dimension's weight ±50 %,
    :func:`evaluation.sensitivity.tornado`; ``key`` identifies the study run)."""
    from evaluation.sensitivity import tornado
    from reports import charts

    fig = charts.tornado_chart(
        tornado(_result.scores, _result.panel.weights, community),
        names=names(_result, lang), lang=lang, note=synthetic_note(_result, lang),
        title=t("chart.tornado.community_title", lang, community=community),
    )
    return charts.figure_png(fig)


@st.cache_data(show_spinner=False, max_entries=64)
def pairwise_png(key: str, lang: str, communities: tuple[str, ...], _result: StudyResult,
                 _uncertainty: StudyUncertainty) -> bytes:
    """PNG of P(row community scores higher than column community) for ``communities``."""
    from reports import charts

    fig = charts.pairwise_probability_chart(
        _uncertainty.monte_carlo.pairwise_probabilities(list(communities)), lang=lang,
        note=synthetic_note(_result, lang),
    )
    return charts.figure_png(fig)
