"""Streamlit side of the app: language, the current study, cached library calls, the store.

Everything here calls :mod:`ahp` and :mod:`survey` and caches what they return; nothing is
computed here. Study runs and loaded files are cached with ``st.cache_resource`` (the same
object is handed to every rerun, never copied; the pages only read it); images and report bytes
with ``st.cache_data``. Uploads are kept as bytes in the session so that every result can be
rebuilt, and are written to disk only inside a temporary folder that is removed at once (the
loader reads paths).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import streamlit as st

from ahp.errors import JudgmentError, PanelNotReadyError
from ahp.hierarchy import Hierarchy
from ahp.panel import PanelJudgments, PanelResult, panel_weights
from ahp.store import (
    ORGANIZER_SECRET_ENV,
    JudgmentStore,
    OrganizerSession,
    default_db_path,
    organizer_secret_from_env,
)
from ahp.workbook import write_judgments_xlsx, write_template
from survey import charts
from survey.cli import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS, SAMPLE_RESPONSES
from survey.i18n import join_list, localized, t
from survey.loading import load_responses
from survey.outputs import (
    names,
    study_figures,
    synthetic_note,
    uncertainty_figures,
    write_study_report,
)
from survey.questionnaire import write_questionnaire_template
from survey.reliability import ReliabilityResult, reliability
from survey.responses import Responses
from survey.screening import ScreeningReport, screen
from survey.sensitivity import DropOne, drop_one, tornado
from survey.study import (
    StudyResult,
    StudySettings,
    StudyUncertainty,
    analyse_uncertainty,
    read_judgments,
    run_study,
)

LANG_KEY = "lang"
LANG_NAMES = {"zh": "中文", "en": "English"}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_LIMIT_MB = 20
"""Largest questionnaire or workbook accepted, in MB (10,000 问卷星 answers are ~5 MB)."""
SURVEY_TYPES = ("xlsx", "csv")


# ------------------------------------------------------------------------------ language
def lang() -> str:
    """The language chosen in the sidebar (``"zh"`` until one is chosen)."""
    value = st.session_state.get(LANG_KEY)
    return value if value in LANG_NAMES else "zh"


def tr(key: str, **fields: object) -> str:
    """``t(key, lang())``: the text of ``key`` in the current language."""
    return t(key, lang(), **fields)


def joined(names: Iterable[object]) -> str:
    """Names listed as the page's language lists them: ``甲、乙`` or ``A, B``."""
    return join_list(names, lang())


def _language_chosen() -> None:
    st.session_state[LANG_KEY] = st.session_state[f"{LANG_KEY}_switch"]


def language_switch() -> None:
    """The 中文 / English switch. The choice lives in the session and in the URL (``?lang=``),
    so a reload or a shared link keeps the language."""
    if LANG_KEY not in st.session_state:
        wanted = st.query_params.get(LANG_KEY)
        st.session_state[LANG_KEY] = wanted if wanted in LANG_NAMES else "zh"
    st.sidebar.segmented_control(
        "语言 · Language",
        list(LANG_NAMES),
        format_func=LANG_NAMES.__getitem__,
        default=lang(),
        key=f"{LANG_KEY}_switch",
        required=True,
        on_change=_language_chosen,
    )
    if st.query_params.get(LANG_KEY) != lang():
        st.query_params[LANG_KEY] = lang()


def headers(frame: pd.DataFrame, columns: Mapping[str, str]) -> pd.DataFrame:
    """``frame`` restricted to ``columns`` (column → ``col.*`` key) with translated headers."""
    return frame.loc[:, list(columns)].rename(columns={c: tr(k) for c, k in columns.items()})


# ------------------------------------------------------------------------------ files
def digest(*parts: bytes | str) -> str:
    """A short content hash: the cache key of uploaded files and of judgment tables."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Upload:
    """An uploaded file kept in the session: name, bytes and their digest."""

    name: str
    data: bytes

    @property
    def key(self) -> str:
        return digest(self.name, self.data)

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower().lstrip(".")


def check_upload(upload: Upload, types: tuple[str, ...]) -> str | None:
    """The message to show for a file of the wrong type or over the size limit, else None."""
    if upload.suffix not in types:
        return tr("app.upload.wrong_type", name=upload.name, types=", ".join(types))
    size_mb = len(upload.data) / 2**20
    if size_mb > UPLOAD_LIMIT_MB:
        return tr("app.upload.too_large", name=upload.name, size=size_mb, limit=UPLOAD_LIMIT_MB)
    return None


# ------------------------------------------------------------------------------ cached loads
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
    return load_responses(
        _upload.data,
        _hierarchy,
        name=_upload.name,
        community_column=community_column,
        mapping=dict(mapping) if mapping else None,
    )


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
    return panel_weights(_hierarchy, _judgments, **_settings.panel_options())


@st.cache_resource(show_spinner=False, max_entries=8)
def study(key: str, _hierarchy: Hierarchy, _responses: Responses, _judgments: PanelJudgments,
          _settings: StudySettings, synthetic: bool) -> StudyResult:
    """One run of :func:`survey.study.run_study` (``key`` identifies all inputs)."""
    return run_study(_hierarchy, _responses, _judgments, _settings, synthetic=synthetic)


@st.cache_resource(show_spinner=False, max_entries=8)
def left_out(key: str, level: str, _result: StudyResult) -> DropOne:
    """Each indicator of ``level`` left out in turn (``key`` identifies the study run)."""
    return drop_one(_result.scores, _result.panel.weights, level=level)


@st.cache_data(show_spinner=False, max_entries=32)
def figure_pngs(key: str, lang: str, _result: StudyResult) -> dict[str, bytes]:
    """PNG bytes of the standard chart set of a study run in ``lang`` (the radar chart shows
    :func:`survey.outputs.default_radar_communities`)."""
    figures = study_figures(_result, lang)
    return {name: charts.figure_png(fig) for name, fig in figures.items()}


@st.cache_data(show_spinner=False, max_entries=64)
def radar_png(key: str, lang: str, communities: tuple[str, ...], _result: StudyResult) -> bytes:
    """PNG of the radar chart for the chosen communities."""
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
    labels, note = _chart_text(_hierarchy, lang, synthetic)
    return charts.figure_png(charts.sunburst_chart(_panel.weights.table, names=labels,
                                                   lang=lang, note=note))


@st.cache_data(show_spinner=False, max_entries=8)
def report_xlsx(key: str, lang: str, _result: StudyResult,
                _uncertainty: StudyUncertainty | None = None) -> bytes:
    """The Excel report of a study run, as bytes, with the uncertainty sheet when
    ``_uncertainty`` is given (``key`` then identifies the uncertainty run too)."""
    buffer = BytesIO()
    write_study_report(_result, buffer, lang, uncertainty=_uncertainty)
    return buffer.getvalue()


@st.cache_data(show_spinner=False, max_entries=8)
def template_xlsx(framework_key: str, kind: str, lang: str, _hierarchy: Hierarchy) -> bytes:
    """A blank expert workbook (``kind="judgments"``) or questionnaire (``"questionnaire"``)."""
    buffer = BytesIO()
    if kind == "judgments":
        write_template(_hierarchy, buffer)
    else:
        write_questionnaire_template(_hierarchy, buffer, lang=lang)
    return buffer.getvalue()


def expert_workbook(hierarchy: Hierarchy, table: pd.DataFrame, expert: str) -> bytes:
    """One expert's filled workbook (blank template when nothing is entered yet)."""
    buffer = BytesIO()
    if table.empty:
        write_template(hierarchy, buffer, expert=expert)
    else:
        write_judgments_xlsx(PanelJudgments(table), hierarchy, buffer, expert=expert)
    return buffer.getvalue()


# ------------------------------------------------------------------------------ store
def organizer_secret() -> str | None:
    """The configured organizer secret: ``SHANZHI_ORGANIZER_SECRET`` or
    ``organizer_secret`` in ``.streamlit/secrets.toml`` (``None`` when neither is set)."""
    value = organizer_secret_from_env()
    if value:
        return value
    try:
        configured = st.secrets.get("organizer_secret")
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None
    return str(configured).strip() or None if configured else None


@st.cache_resource(show_spinner=False)
def _store(path: str, secret: str | None) -> JudgmentStore:
    return JudgmentStore(path, organizer_secret=secret)


def store() -> JudgmentStore:
    """The judgment store at ``SHANZHI_DB`` (default ``~/.shanzhi/shanzhi.sqlite3``)."""
    return _store(str(default_db_path()), organizer_secret())


ORGANIZER_KEY = "organizer_secret"


def sign_in(secret: str) -> bool:
    """Keep ``secret`` in the session if it is the configured organizer secret."""
    configured = organizer_secret()
    ok = configured is not None and hmac.compare_digest(
        secret.strip().encode("utf-8"), configured.encode("utf-8")
    )
    if ok:
        st.session_state[ORGANIZER_KEY] = secret.strip()
    return ok


def signed_in() -> str | None:
    """The organizer secret of this session, if the organizer has signed in."""
    secret = st.session_state.get(ORGANIZER_KEY)
    configured = organizer_secret()
    if secret and configured and hmac.compare_digest(secret.encode(), configured.encode()):
        return secret
    return None


def secret_help() -> None:
    """How to switch organizer access on (shown when no secret is configured)."""
    st.warning(tr("app.organizer.no_secret", env=ORGANIZER_SECRET_ENV))
    st.code(f"export {ORGANIZER_SECRET_ENV}='…'\nstreamlit run app.py", language="bash")


def organizer_for(study_id: str) -> OrganizerSession | None:
    """The organizer's session for a study (``None`` when not signed in)."""
    secret = signed_in()
    return None if secret is None else store().open_organizer(study_id, secret)


def app_origin() -> str:
    """``scheme://host:port`` of the app as the browser sees it."""
    url = st.context.url or ""
    parts = urlsplit(url)
    if parts.scheme and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return "http://localhost:8501"


# ------------------------------------------------------------------------------ current study
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
    def key(self) -> str:
        return "|".join((self.framework_key, self.responses_key, self.judgments_key,
                         repr(sorted(self.settings.as_record().items()))))


def survey_key(choice: SurveyChoice, framework_key: str) -> str:
    """Cache key of an uploaded questionnaire read against a framework."""
    return digest(choice.upload.key, choice.community_column, repr(choice.mapping),
                  framework_key)


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
    if study_id is None:
        hierarchy, framework_key = sample_hierarchy(), "sample"
        title, synthetic = tr("app.sample_study"), True
        judgments, judgments_key = sample_judgments(), "sample"
    else:
        info = store().study(study_id)
        text = info.framework_csv or SAMPLE_FRAMEWORK.read_text("utf-8")
        hierarchy, framework_key = hierarchy_from_csv(text), digest(text)
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
                judgments_key = digest(table.to_csv(index=False))
    survey: SurveyChoice | None = st.session_state.get(SURVEY_KEY)
    responses: Responses | None
    if survey is not None and survey.study_id == study_id:
        responses_key, responses = survey_key(survey, framework_key), load_survey(
            survey, hierarchy, framework_key)
        synthetic = False
        if study_id is None:  # the sample panel's weights with the user's questionnaire
            title = tr("app.sample_panel_with_upload", name=survey.upload.name)
    elif study_id is None:
        responses, responses_key = sample_responses(), "sample"
    else:
        responses, responses_key = None, "none"
        problem = problem or ("app.survey.upload_first", {})
    return Current(study_id, title, hierarchy, framework_key, responses, responses_key,
                   judgments, judgments_key, chosen, synthetic, problem)


def current_result(cur: Current) -> StudyResult | None:
    """The run of the current study (``None`` while its questionnaire or judgments are
    missing)."""
    if cur.responses is None or cur.judgments is None:
        return None
    try:
        return study(cur.key, cur.hierarchy, cur.responses, cur.judgments, cur.settings,
                     cur.synthetic)
    except JudgmentError as exc:
        weights_not_ready(exc)
        return None


def weights_not_ready(exc: JudgmentError) -> None:
    """Say, in the page language, why the panel's weights cannot be computed."""
    if isinstance(exc, PanelNotReadyError):
        st.warning(tr("app.weights.not_ready_nodes", nodes=joined(exc.nodes)),
                   icon=":material/hourglass:")
    else:
        st.warning(tr("app.weights.not_ready", reason=str(exc)), icon=":material/hourglass:")


def current_screening(cur: Current) -> tuple[Responses, ScreeningReport, ReliabilityResult]:
    """Screening and reliability of the current questionnaire (which must be loaded)."""
    if cur.responses is None:
        raise ValueError("current_screening: the study has no questionnaire yet")
    key = f"{cur.framework_key}|{cur.responses_key}|{cur.settings.rules!r}"
    return screened(key, cur.responses, cur.hierarchy, cur.settings)


def weights_key(cur: Current) -> str:
    """Cache key of the current panel's weights: framework, judgments and settings."""
    return f"{cur.framework_key}|{cur.judgments_key}|{cur.settings!r}"


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
        st.caption(localized(note, lang()))
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


@st.cache_data(show_spinner=False, max_entries=8)
def file_headers(key: str, _upload: Upload) -> list[str]:
    """The column headers of an uploaded table (every sheet of a workbook), for the mapping
    step; empty when the file cannot be read."""
    buffer = BytesIO(_upload.data)
    try:
        if _upload.suffix == "xlsx":
            sheets = pd.read_excel(buffer, sheet_name=None, nrows=0)
            found = [str(c) for frame in sheets.values() for c in frame.columns]
        else:
            found = []
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    found = [str(c) for c in pd.read_csv(BytesIO(_upload.data), nrows=0,
                                                         encoding=encoding).columns]
                    break
                except UnicodeDecodeError:
                    continue
    except (ValueError, OSError):
        return []
    return list(dict.fromkeys(found))


# ------------------------------------------------------------------------------ uncertainty
UNCERTAINTY_KEY = "uncertainty_run"
"""Session key: ``(study key, UncertaintyControls)`` of the last uncertainty run."""
UNCERTAINTY_RUNS = 8
"""Uncertainty runs kept in memory for all sessions (the least recently used goes first)."""
PAIRWISE_DEFAULT = 5
"""Communities in the pairwise matrix until others are chosen (the best ranked)."""


@dataclass(frozen=True)
class UncertaintyControls:
    """What the comparison page's uncertainty controls ask for: the number of Monte Carlo
    draws and the sources (see :func:`survey.study.analyse_uncertainty`)."""

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
    return f"{cur.key}|{controls!r}"


def run_uncertainty(cur: Current, result: StudyResult, controls: UncertaintyControls,
                    progress: Callable[[float], None] | None = None) -> StudyUncertainty:
    """:func:`survey.study.analyse_uncertainty` of the current study with ``controls``, kept
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
    """PNG bytes of :func:`survey.outputs.uncertainty_figures` (ranking with rank bands,
    the leader's tornado, the pairwise matrix of the :data:`PAIRWISE_DEFAULT` best ranked);
    ``key`` identifies the uncertainty run."""
    figures = uncertainty_figures(_result, _uncertainty, lang, pairwise_top=PAIRWISE_DEFAULT)
    return {name: charts.figure_png(fig) for name, fig in figures.items()}


@st.cache_data(show_spinner=False, max_entries=64)
def tornado_png(key: str, lang: str, community: str, _result: StudyResult) -> bytes:
    """PNG of the weight tornado of ``community``'s score (each dimension's weight ±50 %,
    :func:`survey.sensitivity.tornado`; ``key`` identifies the study run)."""
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
    fig = charts.pairwise_probability_chart(
        _uncertainty.monte_carlo.pairwise_probabilities(list(communities)), lang=lang,
        note=synthetic_note(_result, lang),
    )
    return charts.figure_png(fig)
