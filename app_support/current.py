"""The current study of a browser session: which framework, panel and questionnaire, the
settings, and the results built from them."""


from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import streamlit as st
from sample_data import SAMPLE_FRAMEWORK

from ahp.errors import JudgmentError, PanelNotReadyError
from ahp.hierarchy import Hierarchy
from ahp.panel import PanelJudgments, PanelResult
from app_support import guarded
from app_support.access import organizer_for, store
from app_support.cached import (
    cache_key,
    hierarchy_from_csv,
    sample_hierarchy,
    sample_judgments,
    sample_responses,
    screened,
    study,
    uploaded_responses,
    weights,
)
from app_support.files import Upload
from app_support.language import joined, lang, tr
from app_support.text import error_text, literal
from evaluation.study import (
    StudyResult,
    StudySettings,
)
from i18n import localized
from survey.loading import read_headers
from survey.reliability import ReliabilityResult
from survey.responses import Responses
from survey.screening import ScreeningReport
from untrusted import UntrustedFileError

ACTIVE_KEY = "active_study"
"""Session key: ``None`` for the bundled sample, else the store's study id."""
SURVEY_KEY = "survey_upload"
"""Session key: the uploaded questionnaire (:class:`SurveyChoice`) or ``None`` (sample)."""
SETTINGS_KEY = "study_settings"


@dataclass(frozen=True)
class SurveyChoice:
    """An uploaded questionnaire and how to read it."""

    upload: Upload
    study_id: str | None
    community_column: str = "社区"
    mapping: tuple[tuple[str, str], ...] | None = None


@dataclass(frozen=True)
class Current:
    """What the pages show: the study's framework, questionnaire and judgments.

    ``responses``/``judgments`` are ``None`` while missing; ``problem`` says why (a message
    key and its fields); ``key`` identifies all inputs for the caches.
    """

    study_id: str | None
    title: str
    hierarchy: Hierarchy
    framework_key: str
    responses: Responses | None
    responses_key: str
    judgments: PanelJudgments | None
    judgments_key: str
    settings: StudySettings
    synthetic: bool
    problem: tuple[str, dict[str, object]] | None = None

    @property
    def is_sample(self) -> bool:
        """The bundled sample study itself (its result is kept on disk across restarts)."""
        return self.framework_key == self.responses_key == self.judgments_key == "sample"

    @property
    def key(self) -> str:
        return cache_key(self.framework_key, self.responses_key, self.judgments_key,
                         sorted(self.settings.as_record().items()))


def survey_key(choice: SurveyChoice, framework_key: str) -> str:
    """Cache key of an uploaded questionnaire read against a framework."""
    return cache_key(choice.upload.key, choice.community_column, choice.mapping, framework_key)


def load_survey(choice: SurveyChoice, hierarchy: Hierarchy, framework_key: str) -> Responses:
    """The uploaded questionnaire, loaded (cached); :class:`SurveyError` when unreadable."""
    return uploaded_responses(survey_key(choice, framework_key), choice.upload, hierarchy,
                              choice.community_column, choice.mapping)


def settings() -> StudySettings:
    """The study settings chosen on the weights page (defaults until changed)."""
    return st.session_state.get(SETTINGS_KEY) or StudySettings()


def set_settings(**changes: object) -> None:
    """Change study settings (e.g. ``aggregation="AIP"``) for this session."""
    st.session_state[SETTINGS_KEY] = replace(settings(), **changes)


def current() -> Current:
    """The study the pages show: the bundled sample, or the organizer's study from the store,
    with the uploaded questionnaire if there is one."""
    chosen = settings()
    study_id = st.session_state.get(ACTIVE_KEY)
    if study_id is not None:  # a panel still entering judgments: leave unfinished matrices out
        chosen = replace(chosen, incomplete_judgments="exclude")
    problem: tuple[str, dict[str, object]] | None = None
    survey: SurveyChoice | None = st.session_state.get(SURVEY_KEY)
    uploaded = survey is not None and survey.study_id == study_id
    if study_id is None and not uploaded:
        return sample_current(chosen, tr("app.sample_study"))
    if study_id is None:
        hierarchy, framework_key = sample_hierarchy(), "sample"
        title, synthetic = tr("app.sample_study"), True
        judgments, judgments_key = sample_judgments(), "sample"
    else:
        info = store().study(study_id)
        text = info.framework_csv or SAMPLE_FRAMEWORK.read_text("utf-8")
        hierarchy, framework_key = hierarchy_from_csv(text), cache_key(text)
        title, synthetic = info.name, False
        organizer = organizer_for(study_id)
        judgments, judgments_key = None, "none"
        if organizer is None:
            problem = ("app.organizer.sign_in_first", {})
        else:
            table = organizer.judgments()
            if table.empty:
                problem = ("app.weights.no_judgments", {})
            else:
                judgments = PanelJudgments(table, extended_scale=info.extended_scale)
                judgments_key = cache_key(table.to_csv(index=False))
    responses: Responses | None
    if uploaded:
        responses_key, responses = survey_key(survey, framework_key), load_survey(
            survey, hierarchy, framework_key)
        synthetic = False
        if study_id is None:  # the sample panel's weights with the user's questionnaire
            title = tr("app.sample_panel_with_upload", name=survey.upload.name)
    else:
        responses, responses_key = None, "none"
        problem = problem or ("app.survey.upload_first", {})
    return Current(study_id, title, hierarchy, framework_key, responses, responses_key,
                   judgments, judgments_key, chosen, synthetic, problem)


def sample_current(chosen: StudySettings, title: str) -> Current:
    """The bundled sample study (its framework, questionnaire and panel) with ``chosen``
    settings; the server's warm-up runs it before the first visit (:mod:`app_server.warm`)."""
    return Current(None, title, sample_hierarchy(), "sample", sample_responses(), "sample",
                   sample_judgments(), "sample", chosen, synthetic=True)


def current_result(cur: Current) -> StudyResult | None:
    """The run of the current study (``None`` while its questionnaire or judgments are
    missing)."""
    if cur.responses is None or cur.judgments is None:
        return None
    try:
        return study(cur.key, cur.hierarchy, cur.responses, cur.judgments, cur.settings,
                     cur.synthetic, sample=cur.is_sample)
    except JudgmentError as exc:
        weights_not_ready(exc)
        return None


def weights_not_ready(exc: JudgmentError) -> None:
    """Say, in the page language, why the panel's weights cannot be computed."""
    if isinstance(exc, PanelNotReadyError):
        st.warning(tr("app.weights.not_ready_nodes", nodes=joined(map(literal, exc.nodes))),
                   icon=":material/hourglass:")
    else:
        st.warning(tr("app.weights.not_ready", reason=error_text(exc, lang())),
                   icon=":material/hourglass:")


def current_screening(cur: Current) -> tuple[Responses, ScreeningReport, ReliabilityResult]:
    """Screening and reliability of the current questionnaire (which must be loaded)."""
    if cur.responses is None:
        raise ValueError("current_screening: the study has no questionnaire yet")
    return screened(screening_key(cur), cur.responses, cur.hierarchy, cur.settings)


def screening_key(cur: Current) -> str:
    """Cache key of the current questionnaire's screening: framework, answers and rules."""
    return cache_key(cur.framework_key, cur.responses_key, cur.settings.rules)


def weights_key(cur: Current) -> str:
    """Cache key of the current panel's weights: framework, judgments and settings."""
    return cache_key(cur.framework_key, cur.judgments_key, cur.settings)


def current_weights(cur: Current) -> PanelResult | None:
    """Group weights of the current panel (whose judgments must be loaded); ``None``, with a
    warning saying why, while some node has no expert whose judgments link all its elements."""
    if cur.judgments is None:
        raise ValueError("current_weights: the study has no judgments yet")
    try:
        return weights(weights_key(cur), cur.hierarchy, cur.judgments, cur.settings)
    except JudgmentError as exc:
        weights_not_ready(exc)
        return None


def nothing_ranked(result: StudyResult) -> bool:
    """When no community has a published score, say why (with the scoring notes) and return
    True; the pages then show no ranking, charts or ``nan``."""
    scores = result.scores
    if not scores.ranking.empty:
        return False
    st.warning(tr("app.compare.none_ranked", n=scores.min_respondents,
                  valid=result.screening.valid), icon=":material/visibility_off:")
    for note in scores.notes:
        st.caption(literal(localized(note, lang())))
    return True


def score_text(value: float) -> str:
    """A score for a metric: three decimals, or – when there is none."""
    return f"{value:.3f}" if np.isfinite(value) else "–"


def show_problem(cur: Current) -> None:
    """Explain what is missing before results can be shown."""
    if cur.problem is not None:
        message, fields = cur.problem
        st.info(tr(message, **fields))


def synthetic_banner(cur: Current) -> None:
    """The warning every page of the sample study carries."""
    if cur.synthetic:
        st.warning(tr("app.synthetic_banner"), icon=":material/warning:")


def ranked_result(cur: Current, title_key: str) -> StudyResult:
    """The head of a page about the ranked communities: its title, the sample banner and the
    current result; the page stops (after saying why) when there is no result or no community
    is ranked."""
    st.title(tr(title_key))
    synthetic_banner(cur)
    result = current_result(cur)
    if result is None:
        show_problem(cur)
        st.stop()
    if nothing_ranked(result):
        st.stop()
    return result


@st.cache_data(show_spinner=False, max_entries=8)
def file_headers(key: str, _upload: Upload) -> list[str]:
    """The column headers of an uploaded table (every sheet of a workbook), for the mapping
    step; empty when the file cannot be read."""
    try:  # read in the sandbox, after the file's checks
        return guarded.bounded(read_headers, _upload.data, _upload.name, guarded.app_limits(),
                               what=_upload.name)
    except UntrustedFileError:
        return []


