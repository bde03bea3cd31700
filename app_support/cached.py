"""Cached calls into the libraries: sample data, loaded questionnaires, weights, study runs,
charts and report bytes (``st.cache_resource`` for objects, ``st.cache_data`` for bytes)."""


from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st
from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS, SAMPLE_RESPONSES

from ahp.hierarchy import Hierarchy
from ahp.panel import PanelJudgments, PanelResult, panel_weights
from app_support import guarded
from app_support.files import Upload, digest
from app_support.sample_cache import cached_sample
from evaluation.study import (
    StudyResult,
    StudySettings,
    StudyUncertainty,
    read_judgments,
    run_study,
)
from i18n import t
from reports.outputs import (
    names,
    study_figures,
    synthetic_note,
    write_study_report,
)
from survey.loading import load_responses
from survey.reliability import ReliabilityResult, reliability
from survey.responses import Responses
from survey.screening import ScreeningReport, screen

if TYPE_CHECKING:  # scipy.stats, matplotlib and openpyxl load when first used, not at start
    from evaluation.sensitivity import DropOne


def cache_key(*parts: object) -> str:
    """The cache key of the calls below, made in this one place: a digest of ``parts`` (text
    and bytes as they are, anything else, e.g. settings dataclasses, by its ``repr``). Keys
    are opaque: combine existing keys by passing them as parts, never by string formatting."""
    return digest(*(part if isinstance(part, bytes | str) else repr(part) for part in parts))


@st.cache_resource(show_spinner=False)
def sample_hierarchy() -> Hierarchy:
    """The bundled framework (7 dimensions, 22 sub-indicators, 57 items)."""
    return Hierarchy.from_csv(SAMPLE_FRAMEWORK)


@st.cache_resource(show_spinner=False)
def sample_responses() -> Responses:
    """The bundled synthetic 问卷星 export, loaded."""
    return load_responses(SAMPLE_RESPONSES, sample_hierarchy())


@st.cache_resource(show_spinner=False)
def sample_judgments() -> PanelJudgments:
    """The bundled synthetic expert panel's judgments."""
    return read_judgments(SAMPLE_JUDGMENTS, sample_hierarchy())


@st.cache_resource(show_spinner=False)
def hierarchy_from_csv(text: str) -> Hierarchy:
    """A framework from its CSV text (as stored with a study)."""
    return Hierarchy.from_csv(BytesIO(text.encode("utf-8")))


@st.cache_resource(show_spinner=False, max_entries=8)
def uploaded_responses(
    key: str,
    _upload: Upload,
    _hierarchy: Hierarchy,
    community_column: str,
    mapping: tuple[tuple[str, str], ...] | None,
) -> Responses:
    """Load an uploaded questionnaire (``key`` identifies bytes, framework and options)."""
    return guarded.load_survey(_upload, _hierarchy, community_column,
                               dict(mapping) if mapping else None)  # checked, sandboxed


@st.cache_resource(show_spinner=False, max_entries=8)
def screened(key: str, _responses: Responses, _hierarchy: Hierarchy,
             _settings: StudySettings) -> tuple[Responses, ScreeningReport, ReliabilityResult]:
    """Screening and reliability of a questionnaire (``key`` identifies responses + rules)."""
    valid, report = screen(_responses, _settings.rules)
    return valid, report, reliability(valid, _hierarchy)


@st.cache_resource(show_spinner=False, max_entries=8)
def weights(key: str, _hierarchy: Hierarchy, _judgments: PanelJudgments,
            _settings: StudySettings) -> PanelResult:
    """Group weights of a panel (``key`` identifies framework, judgments and settings)."""
    return panel_weights(_hierarchy, _judgments, _settings.panel_options())


@st.cache_resource(show_spinner=False, max_entries=8)
def study(key: str, _hierarchy: Hierarchy, _responses: Responses, _judgments: PanelJudgments,
          _settings: StudySettings, synthetic: bool, sample: bool = False) -> StudyResult:
    """One run of :func:`evaluation.study.run_study` (``key`` identifies all inputs); the
    bundled ``sample``'s run is kept on disk across restarts (:mod:`app_support.sample_cache`)."""

    def compute() -> StudyResult:
        return run_study(_hierarchy, _responses, _judgments, _settings, synthetic=synthetic)

    if sample:
        return cached_sample(key, compute)
    return compute()


@st.cache_resource(show_spinner=False, max_entries=8)
def left_out(key: str, level: str, _result: StudyResult) -> DropOne:
    """Each indicator of ``level`` left out in turn (``key`` identifies the study run)."""
    from evaluation.sensitivity import drop_one

    return drop_one(_result.scores, _result.panel.weights, level=level)


@st.cache_data(show_spinner=False, max_entries=32)
def figure_pngs(key: str, lang: str, _result: StudyResult) -> dict[str, bytes]:
    """PNG bytes of the standard chart set of a study run in ``lang`` (the radar chart shows
    :func:`reports.outputs.default_radar_communities`)."""
    from reports import charts

    figures = study_figures(_result, lang)
    return {name: charts.figure_png(fig) for name, fig in figures.items()}


@st.cache_data(show_spinner=False, max_entries=64)
def radar_png(key: str, lang: str, communities: tuple[str, ...], _result: StudyResult) -> bytes:
    """PNG of the radar chart for the chosen communities."""
    from reports import charts

    fig = charts.radar_chart(
        _result.scores.table,
        list(communities),
        names=names(_result, lang),
        min_respondents=_result.scores.min_respondents,
        lang=lang,
        note=synthetic_note(_result, lang),
    )
    return charts.figure_png(fig)


@st.cache_data(show_spinner=False, max_entries=8)
def weights_png(key: str, lang: str, _hierarchy: Hierarchy, _panel: PanelResult,
                synthetic: bool) -> bytes:
    """PNG of the weights chart of a panel result."""
    from reports import charts

    labels, note = _chart_text(_hierarchy, lang, synthetic)
    fig = charts.weights_chart(_panel.weights.table, level="C", names=labels, lang=lang,
                               note=note)
    return charts.figure_png(fig)


def _chart_text(hierarchy: Hierarchy, lang: str, synthetic: bool) -> tuple[dict[str, str], str]:
    """Indicator names in ``lang`` and the synthetic-data footnote (empty for real data)."""
    labels = {code: hierarchy.name(code, lang) for code in hierarchy.nodes}
    return labels, t("chart.synthetic_note", lang) if synthetic else ""


@st.cache_data(show_spinner=False, max_entries=8)
def sunburst_png(key: str, lang: str, _hierarchy: Hierarchy, _panel: PanelResult,
                 synthetic: bool) -> bytes:
    """PNG of the weight hierarchy as a sunburst."""
    from reports import charts

    labels, note = _chart_text(_hierarchy, lang, synthetic)
    return charts.figure_png(charts.sunburst_chart(_panel.weights.table, names=labels,
                                                   lang=lang, note=note))


@st.cache_data(show_spinner=False, max_entries=8)
def report_xlsx(key: str, lang: str, _result: StudyResult,
                _uncertainty: StudyUncertainty | None = None) -> bytes:
    """The Excel report of a study run, as bytes, with the uncertainty sheet when
    ``_uncertainty`` is given (``key`` then identifies the uncertainty run too)."""
    from evaluation.schemes import study_schemes

    buffer = BytesIO()
    write_study_report(_result, buffer, lang, uncertainty=_uncertainty,
                       schemes=study_schemes(_result, 200))
    return buffer.getvalue()


@st.cache_data(show_spinner=False, max_entries=8)
def template_xlsx(framework_key: str, kind: str, lang: str, _hierarchy: Hierarchy) -> bytes:
    """A blank expert workbook (``kind="judgments"``) or questionnaire (``"questionnaire"``)."""
    from ahp.io.workbook import write_template
    from survey.questionnaire import write_questionnaire_template

    buffer = BytesIO()
    if kind == "judgments":
        write_template(_hierarchy, buffer)
    else:
        write_questionnaire_template(_hierarchy, buffer, lang=lang)
    return buffer.getvalue()


def expert_workbook(hierarchy: Hierarchy, table: pd.DataFrame, expert: str) -> bytes:
    """One expert's filled workbook (blank template when nothing is entered yet)."""
    from ahp.io.workbook import write_judgments_xlsx, write_template

    buffer = BytesIO()
    if table.empty:
        write_template(hierarchy, buffer, expert=expert)
    else:
        write_judgments_xlsx(PanelJudgments(table), hierarchy, buffer, expert=expert)
    return buffer.getvalue()


