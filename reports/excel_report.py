"""The study's Excel report (openpyxl): method, validity, reliability, weights, scores, ranking.

Two entry points:

* :func:`write_report` takes the result objects of the pipeline (hierarchy, screening report,
  reliability result, panel result, scores, optional uncertainty tables) — this is what
  ``evaluation.study`` and the CLI call;
* :func:`write_report_tables` takes a :class:`ReportInputs` of plain DataFrames, which
  :meth:`ReportInputs.from_results` builds from those objects (and tests build by hand).

Layout. Sheets ``说明 About``, ``有效性 Validity``, ``信度 Reliability``, ``权重 Weights``,
``效度 Validity`` and ``项目分析 Item analysis`` (construct validity and item analysis, when
given), ``专家一致性 Expert CR``, ``得分 Scores`` (every level, one column per community, n in the
second header line; the scoring notes under the table), ``得分明细 Score detail`` (the
tidy table with confidence intervals), ``排名 Ranking`` and, when uncertainty tables are
given, ``不确定性 Uncertainty``; a sheet whose input is missing is left out. Every table has
two header lines: the column name in the report language, then in the other language. Panes
are frozen below the headers; scores and weights use the number format ``0.0000``. A
community with fewer respondents than ``min_respondents`` shows "n<10 不报告 / not reported"
in place of any number (small-cell suppression).

Formula injection (CWE-1236): every text cell passes through
:func:`ahp.io.xlsx_safety.safe_cell_text`, so a community named ``=HYPERLINK(...)`` is stored as
text, never as a formula.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from os import PathLike
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ahp.io.xlsx_safety import safe_cell_text
from i18n import LANGS, Message, bilingual, catalog, localized, other_lang, t
from survey.errors import SurveyError
from survey.scoring import POOLED

if TYPE_CHECKING:
    from ahp.hierarchy import Hierarchy
    from ahp.panel import PanelResult
    from survey.reliability import ReliabilityResult
    from survey.scoring import Scores
    from survey.screening import ScreeningReport

__all__ = [
    "SHEETS",
    "ReportError",
    "ReportInputs",
    "safe_cell_text",
    "write_report",
    "write_report_tables",
]

SHEETS: Mapping[str, str] = {
    "about": "说明 About",
    "validity": "有效性 Validity",
    "reliability": "信度 Reliability",
    "construct_validity": "效度 Validity",
    "item_analysis": "项目分析 Item analysis",
    "weights": "权重 Weights",
    "expert_cr": "专家一致性 Expert CR",
    "scores": "得分 Scores",
    "score_detail": "得分明细 Score detail",
    "ranking": "排名 Ranking",
    "uncertainty": "不确定性 Uncertainty",
    "grades": "等级 Grades",
    "ipa": "重点改进 IPA",
    "schemes": "权重方案 Schemes",
    "groups": "群体比较 Groups",
    "delphi": "德尔菲 Delphi",
    "changes": "变化 Changes",
    "audit": "审计 Audit",
}
"""Sheet key → sheet name (bilingual, at most 31 characters, none of ``[]:*?/\\``)."""

SCORE_FORMAT = "0.0000"
RATIO_FORMAT = "0.000"
PERCENT_FORMAT = "0.0%"
COUNT_FORMAT = "0"

_FORMATS: Mapping[str, str] = {
    "score": SCORE_FORMAT,
    "ci_low": SCORE_FORMAT,
    "ci_high": SCORE_FORMAT,
    "mean": SCORE_FORMAT,
    "median": SCORE_FORMAT,
    "nominal_score": SCORE_FORMAT,
    "mean_score": SCORE_FORMAT,
    "score_low": SCORE_FORMAT,
    "score_high": SCORE_FORMAT,
    "strongest_gap": SCORE_FORMAT,
    "weakest_gap": SCORE_FORMAT,
    "local": SCORE_FORMAT,
    "global": SCORE_FORMAT,
    "low": SCORE_FORMAT,
    "high": SCORE_FORMAT,
    "base": SCORE_FORMAT,
    "alpha": RATIO_FORMAT,
    "alpha_if_deleted": RATIO_FORMAT,
    "item_rest_r": RATIO_FORMAT,
    "cr": RATIO_FORMAT,
    "group_cr": RATIO_FORMAT,
    "consensus": RATIO_FORMAT,
    "rate": PERCENT_FORMAT,
    "p_top": PERCENT_FORMAT,
    "p_bottom": PERCENT_FORMAT,
    "mean_rank": "0.0",
    "median_rank": "0.0",
    "rank_low": "0",
    "rank_high": "0",
    "nominal_rank": COUNT_FORMAT,
    "received": COUNT_FORMAT,
    "valid": COUNT_FORMAT,
    "defined_draws": COUNT_FORMAT,
    "n": COUNT_FORMAT,
    "k": COUNT_FORMAT,
    "rank": COUNT_FORMAT,
    "count": COUNT_FORMAT,
    "h2": RATIO_FORMAT,
    "msa": RATIO_FORMAT,
    "t": "0.00",
    "df": "0.0",
    "pvalue": "0.0000",
    "mean_high": RATIO_FORMAT,
    "mean_low": RATIO_FORMAT,
    "observed": RATIO_FORMAT,
    "random_q95": RATIO_FORMAT,
    "random_mean": RATIO_FORMAT,
    "sd": RATIO_FORMAT,
    "cv": RATIO_FORMAT,
    "full_mark_share": PERCENT_FORMAT,
    "response_rate": PERCENT_FORMAT,
    "mean_cr": RATIO_FORMAT,
    "ca": RATIO_FORMAT,
    "cs": RATIO_FORMAT,
    "cr_authority": RATIO_FORMAT,
    "w": "0.0000",
    "chi2": "0.00",
}
"""Number format by column name."""

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_SECTION = Font(bold=True, size=12)
_SECOND_HEADER = Font(italic=True, color="666666", size=9)
_WARNING = Font(bold=True, color="C00000")
_HEADER_FILL = PatternFill("solid", fgColor="E7EEF7")
_FLAG_FILL = PatternFill("solid", fgColor="F8CBAD")
_SUPPRESSED_FILL = PatternFill("solid", fgColor="EDEDED")
_WRAP = Alignment(wrap_text=True, vertical="top")
_MAX_WIDTH = 60
_VALUE_KEYS = ("rule", "scope", "source")


class ReportError(SurveyError):
    """The report cannot be written from the inputs given (names the sheet and table)."""


# ----------------------------------------------------------------------------- inputs
def _with_index(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """Move a meaningful (named or non-range) index into the columns."""
    if frame is None:
        return None
    if isinstance(frame.index, pd.RangeIndex) and frame.index.name is None:
        return frame
    return frame.reset_index(names=frame.index.name or "")


@dataclass(frozen=True)
class ReportInputs:
    """Everything the report shows, as plain tables (any table may be ``None`` to omit it).

    Attributes
    ----------
    indicators
        The framework: ``code, level, parent, name_zh, name_en`` in hierarchy order, goal
        included (``Hierarchy.nodes``).
    received, valid
        Questionnaires received and valid (``ScreeningReport.received/.valid``).
    screening_counts, screening_by_community, screening_reasons, screening_notes
        ``ScreeningReport.counts`` (per rule), ``.by_community``, ``.reasons``
        (respondent_id, row, community, rule, detail) and ``.notes``.
    reliability_scales, reliability_items, reliability_warnings
        ``ReliabilityResult.scales``, ``.items``, ``.warnings``.
    weights
        ``HierarchyWeights.table`` (index code; level, parent, local, global).
    expert_cr, group_cr, consensus, excluded
        From ``PanelResult``: expert × node CR table, group CR per node, consensus (S*) per
        node, excluded experts (node, expert, reason).
    scores, ranking, strengths, suppressed, min_respondents, score_notes
        From ``Scores``: the tidy table (community, level, code, score, n, ci_low, ci_high,
        suppressed), the ranking (community, score, ci_low, ci_high, rank, n, optionally
        rank_low, rank_high), strongest/weakest dimension per community, the suppressed
        communities, the threshold used and the scoring notes (``Scores.notes``: suppressed
        communities, items without answers, ...), listed under the scores table.
    uncertainty
        Section title → table for the optional ``不确定性 Uncertainty`` sheet.
    settings
        Parameters of the run (setting → value), listed on the About sheet.
    synthetic
        The data are synthetic: a warning heads the About sheet.
    cr_threshold
        CR at or above which an expert's cell is highlighted.
    """

    indicators: pd.DataFrame
    received: int | None = None
    valid: int | None = None
    screening_counts: pd.DataFrame | None = None
    screening_by_community: pd.DataFrame | None = None
    screening_reasons: pd.DataFrame | None = None
    screening_notes: tuple[str, ...] = ()
    reliability_scales: pd.DataFrame | None = None
    reliability_items: pd.DataFrame | None = None
    reliability_warnings: tuple[str, ...] = ()
    weights: pd.DataFrame | None = None
    expert_cr: pd.DataFrame | None = None
    group_cr: pd.Series | None = None
    consensus: pd.Series | None = None
    excluded: pd.DataFrame | None = None
    scores: pd.DataFrame | None = None
    ranking: pd.DataFrame | None = None
    strengths: pd.DataFrame | None = None
    suppressed: tuple[str, ...] = ()
    min_respondents: int = 10
    score_notes: tuple[str, ...] = ()
    uncertainty: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    methods: Mapping[str, Mapping[str, pd.DataFrame]] = field(default_factory=dict)
    settings: Mapping[str, object] = field(default_factory=dict)
    synthetic: bool = False
    cr_threshold: float = 0.10
    construct_validity: Any = None
    """``evaluation.validity.ValidityReport``: the 效度 Validity and 项目分析 Item analysis
    sheets (left out when ``None``)."""
    delphi: Sequence[Any] = ()
    """``delphi.DelphiRound`` of each round, in order: the 德尔菲 Delphi sheet."""
    changes: pd.DataFrame | None = None
    """Change between two waves (:func:`evaluation.waves.wave_changes` ``.table``): the
    变化 Changes sheet, with ``changes_from``/``changes_to`` and the communities of one wave only
    (``only_before``, ``only_after``)."""
    changes_from: str = ""
    changes_to: str = ""
    only_before: tuple[str, ...] = ()
    only_after: tuple[str, ...] = ()
    audit: pd.DataFrame | None = None
    """The study's audit log (``seq, at, actor, action, detail``): the 审计 Audit sheet."""

    @classmethod
    def from_results(
        cls,
        hierarchy: Hierarchy,
        *,
        screening: ScreeningReport | None = None,
        reliability: ReliabilityResult | None = None,
        panel: PanelResult | None = None,
        scores: Scores | None = None,
        uncertainty: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
        settings: Mapping[str, object] | None = None,
        synthetic: bool = False,
        cr_threshold: float = 0.10,
        methods: Mapping[str, Mapping[str, pd.DataFrame]] | None = None,
        validity: Any = None,
        delphi: Sequence[Any] = (),
    ) -> ReportInputs:
        """Collect the tables from the pipeline's result objects (see :func:`write_report`)."""
        indicators = pd.DataFrame(
            [
                {"code": n.code, "level": n.level, "parent": n.parent,
                 "name_zh": n.name_zh, "name_en": n.name_en}
                for n in hierarchy.nodes.values()
            ]
        )
        parts: dict[str, Any] = {}
        if screening is not None:
            parts.update(
                received=int(screening.received),
                valid=int(screening.valid),
                screening_counts=pd.DataFrame({
                    "rule": screening.counts.index.astype(object),
                    "count": screening.counts.to_numpy(),
                }),
                screening_by_community=_with_index(screening.by_community),
                screening_reasons=screening.reasons,
                screening_notes=tuple(screening.notes),
            )
        if reliability is not None:
            parts.update(
                reliability_scales=reliability.scales,
                reliability_items=reliability.items,
                reliability_warnings=tuple(reliability.warnings),
            )
        if panel is not None:
            parts.update(
                weights=panel.weights.table,
                expert_cr=panel.expert_cr,
                group_cr=panel.group_cr,
                consensus=panel.consensus,
                excluded=panel.excluded,
            )
        if scores is not None:
            parts.update(
                scores=scores.table,
                ranking=scores.ranking,
                strengths=_with_index(scores.strengths),
                suppressed=tuple(scores.suppressed),
                min_respondents=int(scores.min_respondents),
                score_notes=tuple(scores.notes),
            )
        if isinstance(uncertainty, pd.DataFrame):
            uncertainty = {"": uncertainty}
        return cls(
            indicators=indicators,
            uncertainty=dict(uncertainty or {}),
            methods=dict(methods or {}),
            settings=dict(settings or {}),
            synthetic=synthetic,
            cr_threshold=cr_threshold,
            construct_validity=validity,
            delphi=tuple(delphi),
            **parts,
        )


# ----------------------------------------------------------------------------- writing
def write_report(
    target: str | PathLike[str] | BinaryIO,
    hierarchy: Hierarchy,
    *,
    screening: ScreeningReport | None = None,
    reliability: ReliabilityResult | None = None,
    panel: PanelResult | None = None,
    scores: Scores | None = None,
    uncertainty: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
    lang: str = "zh",
    synthetic: bool = False,
    settings: Mapping[str, object] | None = None,
    cr_threshold: float = 0.10,
    created: datetime | None = None,
    methods: Mapping[str, Mapping[str, pd.DataFrame]] | None = None,
    validity: Any = None,
    delphi: Sequence[Any] = (),
) -> None:
    """Write the study's Excel report to ``target`` (a path or a binary buffer such as BytesIO).

    Parameters
    ----------
    target
        ``.xlsx`` path or writable binary file object.
    hierarchy
        ``ahp.Hierarchy`` (uses ``.nodes``: code → Node with level, parent, name_zh, name_en).
    screening
        ``survey.screening.ScreeningReport`` (received, valid, counts, by_community, reasons)
        or ``None`` to leave out the validity sheet.
    reliability
        ``survey.reliability.ReliabilityResult`` (scales, items, warnings) or ``None``.
    panel
        ``ahp.panel.PanelResult`` (weights.table, expert_cr, group_cr, consensus, excluded) or
        ``None`` (no weights and expert sheets).
    scores
        ``survey.scoring.Scores`` (table, ranking, strengths, suppressed, min_respondents,
        notes) or ``None``.
    uncertainty
        One DataFrame, or section title → DataFrame (e.g. rank statistics, pairwise
        probabilities, sensitivity), written to the ``不确定性 Uncertainty`` sheet; ``None``
        leaves the sheet out.
    lang
        ``"zh"`` or ``"en"``: language of the first header line and the texts; the second
        header line is in the other language. Sheet names are always bilingual.
    synthetic
        Mark the report as built from synthetic data (a warning at the top of the About sheet).
    settings
        Parameters of the run (e.g. ``{"aggregation": "AIJ", "bootstrap": 1000}``), listed on
        the About sheet.
    cr_threshold
        Expert CR values at or above it are highlighted.
    created
        Time stamp printed on the About sheet (default: now, UTC).
    methods
        Sheet key (``"grades"``, ``"ipa"``, ``"schemes"``, ``"groups"``) → section title →
        table (:func:`reports.methods_report.method_tables`): the other evaluation methods.
    validity
        ``evaluation.validity.ValidityReport`` (KMO, Bartlett, EFA against the framework, item
        analysis): the ``效度 Validity`` and ``项目分析 Item analysis`` sheets.
    delphi
        ``delphi.DelphiRound`` per round: the ``德尔菲 Delphi`` sheet (per round: response rate,
        authority Cr, Kendall's W, χ², df, p; per indicator: mean, SD, CV, 满分比, rank, keep or
        drop and why).

    Example
    -------
    >>> write_report("report.xlsx", hierarchy, screening=report, reliability=rel,
    ...              panel=panel, scores=scores, lang="zh", synthetic=True)  # doctest: +SKIP
    """
    inputs = ReportInputs.from_results(
        hierarchy,
        screening=screening,
        reliability=reliability,
        panel=panel,
        scores=scores,
        uncertainty=uncertainty,
        settings=settings,
        synthetic=synthetic,
        cr_threshold=cr_threshold,
        methods=methods,
        validity=validity,
        delphi=delphi,
    )
    write_report_tables(inputs, target, lang=lang, created=created)


def write_report_tables(
    inputs: ReportInputs,
    target: str | PathLike[str] | BinaryIO,
    *,
    lang: str = "zh",
    created: datetime | None = None,
) -> None:
    """Write the report from plain tables (see :class:`ReportInputs` and :func:`write_report`)."""
    if lang not in LANGS:
        raise ReportError("error.arg.one_of", name="lang", choices=str(LANGS), value=repr(lang))
    writer = _Writer(inputs, lang)
    wb = Workbook()
    about = wb.active
    about.title = SHEETS["about"]
    writer.about(about, created or datetime.now(UTC))
    if inputs.received is not None or inputs.screening_counts is not None:
        writer.validity(wb.create_sheet(SHEETS["validity"]))
    if inputs.reliability_scales is not None:
        writer.reliability(wb.create_sheet(SHEETS["reliability"]))
    if inputs.construct_validity is not None:
        writer.construct_validity(wb.create_sheet(SHEETS["construct_validity"]))
        writer.item_analysis(wb.create_sheet(SHEETS["item_analysis"]))
    if inputs.delphi:
        writer.delphi(wb.create_sheet(SHEETS["delphi"]))
    if inputs.weights is not None:
        writer.weights(wb.create_sheet(SHEETS["weights"]))
    if inputs.expert_cr is not None:
        writer.expert_cr(wb.create_sheet(SHEETS["expert_cr"]))
    if inputs.scores is not None:
        writer.scores(wb.create_sheet(SHEETS["scores"]))
        writer.score_detail(wb.create_sheet(SHEETS["score_detail"]))
    if inputs.ranking is not None:
        writer.ranking(wb.create_sheet(SHEETS["ranking"]))
    if inputs.uncertainty:
        writer.uncertainty(wb.create_sheet(SHEETS["uncertainty"]))
    for key, sections in inputs.methods.items():
        if sections:
            writer.sections(wb.create_sheet(SHEETS[key]), sections)
    if inputs.changes is not None or inputs.only_before or inputs.only_after:
        writer.changes(wb.create_sheet(SHEETS["changes"]))
    if inputs.audit is not None:
        writer.audit(wb.create_sheet(SHEETS["audit"]))
    for ws in wb.worksheets[1:]:
        _fit_columns(ws)
    wb.save(target)


# ----------------------------------------------------------------------------- cells
def _cell_value(value: Any) -> Any:
    """A value openpyxl stores as data: numbers as numbers, text made formula-safe."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return safe_cell_text(str(value))


def _display_width(value: Any) -> int:
    text = f"{value:.4f}" if isinstance(value, float) else str(value)
    longest = max((len(line) + sum(ord(ch) > 0x2E7F for ch in line)
                   for line in text.splitlines()), default=0)
    return longest


def _fit_columns(ws: Worksheet) -> None:
    """Set each column's width to its longest value (CJK counted double), within 8..60."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows(values_only=True):
        for column, value in enumerate(row, start=1):
            if value is not None:
                widths[column] = max(widths.get(column, 0), _display_width(value))
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), _MAX_WIDTH)


class _Writer:
    """Writes the sheets; holds the inputs, the language and the indicator names."""

    def __init__(self, inputs: ReportInputs, lang: str):
        self.inputs = inputs
        self.lang = lang
        self.other = other_lang(lang)
        frame = inputs.indicators.set_index("code")
        self.names = {lg: frame[f"name_{lg}"].astype(object).where(
            frame[f"name_{lg}"].notna(), "").to_dict() for lg in LANGS}
        self.order = {code: i for i, code in enumerate(frame.index)}
        self.suppressed_text = t("report.suppressed_cell", lang, n=inputs.min_respondents)

    # -- helpers
    def name(self, code: Any, lang: str | None = None) -> str:
        lang = lang or self.lang
        text = self.names[lang].get(code, "") or self.names[other_lang(lang)].get(code, "")
        return str(text) if text else ("" if code is None else str(code))

    def header(self, column: str) -> tuple[str, str]:
        key = f"col.{column}"
        if key in catalog(self.lang):
            return t(key, self.lang), t(key, self.other)
        return str(column), ""

    @staticmethod
    def put(ws: Worksheet, row: int, col: int, value: Any, number_format: str | None = None,
            font: Font | None = None, fill: PatternFill | None = None) -> None:
        cell = ws.cell(row=row, column=col, value=_cell_value(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever the text
        if number_format and isinstance(cell.value, int | float):
            cell.number_format = number_format
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill

    def text(self, ws: Worksheet, row: int, key: str, font: Font | None = None,
             **fields: object) -> int:
        """A line of text: ``key`` in the report language, then in the other; next free row."""
        self.put(ws, row, 1, t(key, self.lang, **fields), font=font)
        self.put(ws, row + 1, 1, t(key, self.other, **fields), font=_SECOND_HEADER)
        return row + 2

    def table(
        self,
        ws: Worksheet,
        row: int,
        frame: pd.DataFrame,
        *,
        headers: Sequence[tuple[str, str]] | None = None,
        formats: Mapping[str, str] | None = None,
        flags: Mapping[str, Iterable[bool]] | None = None,
        freeze: bool = False,
        freeze_columns: int = 0,
    ) -> int:
        """Write ``frame`` with two header lines at ``row``; return the next free row.

        ``flags`` marks, per column, the cells to highlight. ``freeze`` freezes the panes under
        the headers (and ``freeze_columns`` columns on the left).
        """
        frame = self.readable(frame)
        columns = list(frame.columns)
        headers = headers or [self.header(str(c)) for c in columns]
        for j, (first, second) in enumerate(headers, start=1):
            self.put(ws, row, j, first, font=_BOLD, fill=_HEADER_FILL)
            self.put(ws, row + 1, j, second, font=_SECOND_HEADER, fill=_HEADER_FILL)
        formats = {**_FORMATS, **(formats or {})}
        marks = {c: np.asarray(list(v), dtype=bool) for c, v in (flags or {}).items()}
        values = frame.astype(object).to_numpy()
        for i, record in enumerate(values):
            for j, (column, value) in enumerate(zip(columns, record, strict=True), start=1):
                flagged = column in marks and bool(marks[column][i])
                is_suppressed = isinstance(value, str) and value == self.suppressed_text
                self.put(ws, row + 2 + i, j, value, formats.get(str(column)),
                         fill=_FLAG_FILL if flagged else
                         (_SUPPRESSED_FILL if is_suppressed else None))
        if freeze:
            ws.freeze_panes = ws.cell(row=row + 2, column=freeze_columns + 1)
        return row + 2 + len(values) + 1

    def section(self, ws: Worksheet, row: int, key: str, **fields: object) -> int:
        self.put(ws, row, 1, bilingual(key, self.lang, **fields), font=_SECTION)
        return row + 1

    def with_names(self, frame: pd.DataFrame, column: str = "code") -> pd.DataFrame:
        """Insert the indicator name in the report language after ``column``."""
        names = frame[column].map(lambda c: self.name(c)).astype(object)
        position = list(frame.columns).index(column) + 1
        out = frame.copy()
        out.insert(position, "name", names)
        return out

    # -- sheets
    def about(self, ws: Worksheet, created: datetime) -> None:
        inputs = self.inputs
        ws.column_dimensions["A"].width = 100
        row = 1
        self.put(ws, row, 1, t("report.title", self.lang), font=_TITLE)
        self.put(ws, row + 1, 1, t("report.title", self.other), font=_SECOND_HEADER)
        row += 3
        if inputs.synthetic:
            self.put(ws, row, 1, t("report.synthetic", self.lang), font=_WARNING)
            self.put(ws, row + 1, 1, t("report.synthetic", self.other), font=_WARNING)
            row += 3
        try:
            version = metadata.version("shanzhi")
        except metadata.PackageNotFoundError:
            version = "?"
        stamp = created.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        row = self.text(ws, row, "report.generated", stamp=stamp, version=version)
        row = self.text(ws, row, "report.what") + 1
        row = self.section(ws, row, "report.method")
        for key in ("report.method.weights", "report.method.validity",
                    "report.method.reliability", "report.method.scores",
                    "report.method.suppression", "report.method.uncertainty"):
            if key == "report.method.uncertainty" and not inputs.uncertainty:
                continue
            if inputs.delphi and inputs.weights is None and inputs.received is None:
                break  # a Delphi report: the study's methods do not apply
            if key == "report.method.validity" and inputs.construct_validity is not None:
                self.put(ws, row, 1, t("report.method.construct_validity", self.lang))
                ws.cell(row=row, column=1).alignment = _WRAP
                row += 1
            self.put(ws, row, 1, t(key, self.lang, n=inputs.min_respondents,
                                  cr=inputs.cr_threshold))
            ws.cell(row=row, column=1).alignment = _WRAP
            row += 1
        if inputs.delphi:
            self.put(ws, row, 1, t("report.method.delphi", self.lang))
            ws.cell(row=row, column=1).alignment = _WRAP
            row += 1
        row += 1
        summary = []
        if inputs.received is not None and inputs.valid is not None:
            rate = inputs.valid / inputs.received if inputs.received else float("nan")
            summary.append(t("report.summary.validity", self.lang, received=inputs.received,
                             valid=inputs.valid, rate=rate))
        if inputs.expert_cr is not None:
            summary.append(t("report.summary.experts", self.lang,
                             experts=len(inputs.expert_cr)))
        if inputs.ranking is not None:
            reported = int((inputs.ranking["community"] != POOLED).sum()
                           - inputs.ranking["community"].isin(inputs.suppressed).sum())
            summary.append(t("report.summary.communities", self.lang, reported=reported,
                             suppressed=len(inputs.suppressed), n=inputs.min_respondents))
        if summary:
            row = self.section(ws, row, "report.summary")
            for line in summary:
                self.put(ws, row, 1, line)
                row += 1
            row += 1
        if inputs.settings:
            row = self.section(ws, row, "report.settings")
            strings = catalog(self.lang)
            settings = pd.DataFrame({
                "setting": [strings.get(f"setting.{k}", k) for k in inputs.settings],
                "value": [strings.get(f"setting.value.{v}", _setting_text(v))
                          if isinstance(v, str | bool) else _setting_text(v)
                          for v in inputs.settings.values()]})
            row = self.table(ws, row, settings)
        row = self.section(ws, row, "report.sheets")
        for key, sheet in SHEETS.items():
            if key == "about":
                continue
            if (key in ("construct_validity", "item_analysis") and \
                    inputs.construct_validity is None) or (key == "delphi" and not inputs.delphi):
                continue
            self.put(ws, row, 1, f"{sheet}: {t(f'report.sheet.{key}', self.lang)}")
            row += 1

    def validity(self, ws: Worksheet) -> None:
        inputs = self.inputs
        row = self.section(ws, 1, "report.validity.title")
        if inputs.received is not None and inputs.valid is not None:
            rate = inputs.valid / inputs.received if inputs.received else float("nan")
            summary = pd.DataFrame({"received": [inputs.received], "valid": [inputs.valid],
                                    "rate": [rate]})
            row = self.table(ws, row, summary, freeze=False)
        if inputs.screening_notes:
            row = self.notes(ws, row, inputs.screening_notes) + 1
        if inputs.screening_counts is not None:
            row = self.section(ws, row, "report.validity.by_rule")
            row = self.table(ws, row, inputs.screening_counts)
        if inputs.screening_by_community is not None:
            row = self.section(ws, row, "report.validity.by_community")
            row = self.table(ws, row, inputs.screening_by_community)
        if inputs.screening_reasons is not None:
            row = self.section(ws, row, "report.validity.reasons")
            self.table(ws, row, inputs.screening_reasons)

    def lines(self, ws: Worksheet, row: int, texts: Sequence[str], font: Font | None = None
              ) -> int:
        """Each text (a :class:`~i18n.Message` in the report language) on its own row, wrapped
        across the sheet's width; next free row."""
        for text in texts:
            self.put(ws, row, 1, localized(text, self.lang), font=font)
            row += 1
        return row

    def construct_validity(self, ws: Worksheet) -> None:
        v = self.inputs.construct_validity
        row = self.section(ws, 1, "validity.title")
        row = self.lines(ws, row, [v.verdict()], font=_BOLD if v.ok else _WARNING)
        findings = v.findings()
        row = self.lines(ws, row, findings[:1])
        row = self.lines(ws, row, findings[1:], font=_WARNING if v.comparison is not None and (
            v.comparison.off_dimension or v.comparison.splits or v.comparison.merges) else None)
        row = self.lines(ws, row, v.notes) + 1
        if not v.ok:
            return
        row = self.section(ws, row, "validity.statistics")
        row = self.table(ws, row, v.statistics_table(), formats={"value": "0.000"})
        row = self.section(ws, row, "validity.variance")
        row = self.table(ws, row, v.variance_table(),
                         formats=dict.fromkeys(v.efa.loadings.columns, RATIO_FORMAT))
        row = self.section(ws, row, "validity.parallel")
        row = self.table(ws, row, v.parallel_table())
        row = self.section(ws, row, "validity.loadings")
        row = self.lines(ws, row, [t("validity.loadings_help", self.lang)])
        table = self.with_names(v.loadings_table(), "item")
        off = table["off_dimension"].astype(bool).to_numpy()
        factors = list(v.efa.loadings.columns)
        flags = {c: off for c in ("item", "factor", "off_dimension")}
        msa = table["msa"].astype(float) < 0.6
        flags["msa"] = msa.to_numpy()
        self.table(ws, row, table, formats=dict.fromkeys(factors, "0.000"), flags=flags,
                   freeze=True, freeze_columns=2)

    def item_analysis(self, ws: Worksheet) -> None:
        v = self.inputs.construct_validity
        row = self.section(ws, 1, "validity.items.title")
        warnings = v.item_warnings()
        if v.items is not None:
            ia = v.items
            row = self.lines(ws, row, [t("validity.items.summary", self.lang, n=ia.n,
                                         n_high=ia.n_high, high=ia.high_cutoff,
                                         n_low=ia.n_low, low=ia.low_cutoff,
                                         flagged=len(warnings))])
        if not warnings and v.items is not None:
            row = self.lines(ws, row, [t("validity.items.ok", self.lang)])
        row = self.lines(ws, row, warnings, font=_WARNING) + 1
        if v.items is None:
            return
        table = self.with_names(v.item_table(), "item")
        self.table(ws, row, table, flags={
            "cr_flag": table["cr_flag"].astype(bool).to_numpy(),
            "item_rest_r": (table["item_rest_flag"] != "").to_numpy(),
        }, freeze=True, freeze_columns=2)

    def delphi(self, ws: Worksheet) -> None:
        rounds = self.inputs.delphi
        row = self.section(ws, 1, "delphi.report.rounds")
        summary = []
        for number, r in enumerate(rounds, start=1):
            k = r.kendall
            summary.append({
                "round": number, "indicators": len(r.indicators), "invited": r.invited,
                "responded": r.responded, "response_rate": r.response_rate,
                "mean_cr": r.mean_cr, "w": k.w if k else None, "chi2": k.statistic if k else None,
                "df": k.df if k else None, "pvalue": k.pvalue if k else None,
                "n_kept": len(r.kept), "n_dropped": len(r.indicators) - len(r.kept),
            })
        row = self.table(ws, row, pd.DataFrame(summary), formats={"df": COUNT_FORMAT})
        rule = rounds[-1].rule
        row = self.lines(ws, row, [t("delphi.report.rule", self.lang,
                                     rule=_rule_text(rule, self.lang))]) + 1
        for number, r in reversed(list(enumerate(rounds, start=1))):
            row = self.section(ws, row, "delphi.report.round", number=number)
            warnings = [*r.warnings]
            row = self.lines(ws, row, warnings, font=_WARNING)
            table = r.indicators.rename_axis("code").reset_index()
            table = self.with_names(table)
            table["keep"] = [t("delphi.keep" if k else "delphi.drop", self.lang)
                             for k in r.indicators["keep"]]
            row = self.table(ws, row, table, flags={
                "keep": (~r.indicators["keep"]).to_numpy(),
                "reason": (~r.indicators["keep"]).to_numpy()}, freeze=number == len(rounds),
                freeze_columns=2)
            if r.authority is not None and len(r.authority):
                row = self.section(ws, row, "delphi.report.authority", number=number)
                authority = r.authority.rename(columns={"cr": "cr_authority"})
                row = self.table(ws, row, authority.reset_index())

    def notes(self, ws: Worksheet, row: int, notes: Sequence[str]) -> int:
        """A "notes" heading and one note per line in the report language; next free row."""
        row = self.section(ws, row, "report.scores.notes")
        for offset, note in enumerate(notes):
            self.put(ws, row + offset, 1, localized(note, self.lang))
        return row + len(notes)

    def readable(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Replace identifiers in the columns ``rule``, ``scope`` and ``source`` by their text in
        the report language (``rule.too_fast`` → 用时过短), unknown values staying as they are,
        and :class:`~i18n.Message` cells (e.g. screening details) by their text."""
        strings = catalog(self.lang)
        out = frame
        for column in [c for c in frame.columns if pd.api.types.is_object_dtype(frame[c])]:
            out = out.assign(**{column: frame[column].map(
                lambda v: v.text(self.lang) if isinstance(v, Message) else v)})
        for column in _VALUE_KEYS:
            if column in frame.columns:
                text = frame[column].astype(object).map(
                    lambda v, c=column: strings.get(f"{c}.{v}", v) if isinstance(v, str) else v)
                out = out.assign(**{column: text})
        return out

    def reliability(self, ws: Worksheet) -> None:
        inputs = self.inputs
        row = 1
        if inputs.reliability_warnings:
            row = self.section(ws, row, "report.reliability.warnings")
            for warning in inputs.reliability_warnings:  # a Message: in the report language
                self.put(ws, row, 1, localized(warning, self.lang), font=_WARNING)
                row += 1
            row += 1
        row = self.section(ws, row, "report.reliability.scales")
        scales = inputs.reliability_scales
        assert scales is not None
        if "code" in scales.columns:
            scales = self.with_names(scales)
        alpha = scales["alpha"].astype(float) if "alpha" in scales.columns else None
        row = self.table(ws, row, scales,
                         flags={"alpha": (alpha < 0.6).fillna(False)} if alpha is not None
                         else None)
        if inputs.reliability_items is not None:
            row = self.section(ws, row, "report.reliability.items")
            items = inputs.reliability_items
            if "item" in items.columns:
                items = self.with_names(items, "item")
            rest = items["item_rest_r"].astype(float) if "item_rest_r" in items.columns else None
            self.table(ws, row, items,
                       flags={"item_rest_r": (rest < 0).fillna(False)} if rest is not None
                       else None)

    def weights(self, ws: Worksheet) -> None:
        weights = self.inputs.weights
        assert weights is not None
        frame = weights.reset_index() if "code" not in weights.columns else weights
        frame = frame.assign(
            name=frame["code"].map(lambda c: self.name(c)).astype(object),
            name_other=frame["code"].map(lambda c: self.name(c, self.other)).astype(object),
        )
        frame = frame[["code", "level", "parent", "name", "name_other", "local", "global"]]
        headers = [self.header(c) for c in frame.columns]
        headers[4] = (t("col.name", self.other), "")
        row = self.section(ws, 1, "report.weights.title")
        self.table(ws, row, frame, headers=headers, freeze=True, freeze_columns=1)

    def expert_cr(self, ws: Worksheet) -> None:
        inputs = self.inputs
        cr = inputs.expert_cr
        assert cr is not None
        frame = cr.astype(float)
        frame.index = frame.index.astype(object)
        extra = []
        if inputs.group_cr is not None:
            extra.append(inputs.group_cr.reindex(frame.columns).rename(
                bilingual("report.expert.group", self.lang)))
        if inputs.consensus is not None:
            extra.append(inputs.consensus.reindex(frame.columns).rename(
                bilingual("report.expert.consensus", self.lang)))
        body = frame.reset_index(names="expert")
        if extra:
            rows = pd.DataFrame(extra).reset_index(names="expert")
            body = pd.concat([body, rows], ignore_index=True)
        nodes = list(frame.columns)
        headers = [self.header("expert")] + [
            (f"{c} {self.name(c)}", self.name(c, self.other)) for c in nodes
        ]
        flags = {c: np.r_[(frame[c] >= inputs.cr_threshold).to_numpy(), [False] * len(extra)]
                 for c in nodes}
        row = self.section(ws, 1, "report.expert.title", cr=inputs.cr_threshold)
        formats = dict.fromkeys(map(str, nodes), RATIO_FORMAT)
        row = self.table(ws, row, body, headers=headers, formats=formats, flags=flags,
                         freeze=True, freeze_columns=1)
        if inputs.excluded is not None and len(inputs.excluded):
            row = self.section(ws, row, "report.expert.excluded")
            reasons = inputs.excluded["reason"].map(lambda why: localized(why, self.lang))
            self.table(ws, row, inputs.excluded.assign(reason=reasons))

    def communities(self) -> list[str]:
        """Pooled row first, then communities by overall score, suppressed ones last."""
        scores = self.inputs.scores
        assert scores is not None
        ranking = self.inputs.ranking
        seen = list(dict.fromkeys(scores["community"]))
        if ranking is not None:
            ordered = ranking.sort_values("score", ascending=False, kind="stable")
            ranked = [c for c in ordered["community"] if c in seen]
            seen = ranked + [c for c in seen if c not in ranked]
        hidden = self.hidden()
        pooled = [c for c in seen if c == POOLED]
        rest = [c for c in seen if c != POOLED]
        return pooled + [c for c in rest if c not in hidden] + [c for c in rest if c in hidden]

    def hidden(self) -> set[str]:
        scores = self.inputs.scores
        assert scores is not None
        hidden = set(self.inputs.suppressed)
        if "suppressed" in scores.columns:
            hidden |= set(scores.loc[scores["suppressed"].astype(bool), "community"])
        return hidden

    def scores(self, ws: Worksheet) -> None:
        scores = self.inputs.scores
        assert scores is not None
        communities = self.communities()
        hidden = self.hidden()
        wide = scores.pivot_table(index="code", columns="community", values="score",
                                  aggfunc="first", dropna=False).astype(float)
        codes = sorted(wide.index, key=lambda c: self.order.get(c, len(self.order)))
        level = scores.drop_duplicates("code").set_index("code")["level"]
        n = scores.groupby("community")["n"].max() if "n" in scores.columns else pd.Series()
        frame = pd.DataFrame({"code": codes, "level": level.reindex(codes).to_numpy(),
                              "name": [self.name(c) for c in codes]})
        for community in communities:
            column = wide[community].reindex(codes).astype(object) if community in wide \
                else pd.Series([None] * len(codes))
            if community in hidden:
                column = pd.Series([self.suppressed_text] * len(codes))
            frame[community] = column.to_numpy()
        headers = [self.header(c) for c in ("code", "level", "name")] + [
            (c, f"n={int(n[c])}" if c in n.index and pd.notna(n[c]) else "")
            for c in communities
        ]
        row = self.section(ws, 1, "report.scores.title", n=self.inputs.min_respondents)
        # community columns may share names with standard columns: write by position
        frame.columns = [f"c{i}" for i in range(len(frame.columns))]
        formats = {f"c{i + 3}": SCORE_FORMAT for i in range(len(communities))}
        row = self.table(ws, row, frame, headers=headers, formats=formats, freeze=True,
                         freeze_columns=3)
        if self.inputs.score_notes:
            self.notes(ws, row, self.inputs.score_notes)

    def score_detail(self, ws: Worksheet) -> None:
        scores = self.inputs.scores
        assert scores is not None
        hidden = self.hidden()
        frame = self.with_names(scores)
        # sorted: all communities first, then by rank (not reported last); codes top-down
        order = {POOLED: -1.0}
        if self.inputs.ranking is not None and "rank" in self.inputs.ranking.columns:
            order |= dict(zip(self.inputs.ranking["community"],
                              self.inputs.ranking["rank"].astype(float), strict=True))
        nodes = {code: i for i, code in enumerate(self.inputs.indicators["code"])}
        if "community" in frame.columns and "code" in frame.columns:
            frame = frame.assign(
                _c=frame["community"].map(order).fillna(float("inf")),
                _n=frame["code"].map(nodes).fillna(float("inf")) if nodes else 0,
            ).sort_values(["_c", "community", "_n"], kind="stable").drop(columns=["_c", "_n"])
        frame = frame.astype(object)
        mask = frame["community"].isin(hidden).to_numpy()
        for column in ("score", "ci_low", "ci_high"):
            if column in frame.columns:
                frame.loc[mask, column] = self.suppressed_text
        row = self.section(ws, 1, "report.score_detail.title")
        self.table(ws, row, frame, freeze=True, freeze_columns=1)

    def ranking(self, ws: Worksheet) -> None:
        inputs = self.inputs
        ranking = inputs.ranking
        assert ranking is not None
        frame = ranking[ranking["community"] != POOLED]
        hidden = set(inputs.suppressed)
        shown = frame[~frame["community"].isin(hidden)].sort_values(
            ["rank", "score"] if "rank" in frame.columns else ["score"],
            ascending=[True, False] if "rank" in frame.columns else [False], kind="stable")
        columns = [c for c in ("rank", "community", "score", "ci_low", "ci_high", "n",
                               "rank_low", "rank_high") if c in shown.columns]
        columns += [c for c in shown.columns if c not in columns]
        shown = shown[columns]
        if inputs.strengths is not None and {"community", "strongest", "weakest"} <= set(
            inputs.strengths.columns
        ):
            extra = inputs.strengths.set_index("community")[["strongest", "weakest"]]
            label = extra.map(lambda c: f"{c} {self.name(c)}" if isinstance(c, str) else c)
            shown = shown.join(label, on="community")
        others = [c for c in dict.fromkeys([*frame["community"], *inputs.suppressed])
                  if c in hidden]
        if others:
            blank = pd.DataFrame({c: [None] * len(others) for c in shown.columns}, dtype=object)
            blank["community"] = others
            blank["score"] = self.suppressed_text
            shown = pd.concat([shown.astype(object), blank], ignore_index=True)
        row = self.section(ws, 1, "report.ranking.title")
        self.table(ws, row, shown, freeze=True, freeze_columns=2)

    def suppress_rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Replace the numbers on rows of suppressed communities by the "not reported" text."""
        hidden = set(self.inputs.suppressed)
        if "community" not in frame.columns or not hidden:
            return frame
        mask = frame["community"].isin(hidden).to_numpy()
        if not mask.any():
            return frame
        out = frame.astype(object)
        numeric = [c for c in frame.columns
                   if c != "community" and pd.api.types.is_numeric_dtype(frame[c])]
        out.loc[mask, numeric] = self.suppressed_text
        return out

    def uncertainty(self, ws: Worksheet) -> None:
        row = 1
        for title, frame in self.inputs.uncertainty.items():
            self.put(ws, row, 1, title or bilingual("report.uncertainty.title", self.lang),
                     font=_SECTION)
            table = _with_index(frame)
            assert table is not None
            table = self.suppress_rows(table)
            row = self.table(ws, row + 1, table, freeze=row == 1, freeze_columns=1)

    def changes(self, ws: Worksheet) -> None:
        """Per community and node: before, after, change, its bootstrap interval and whether
        the interval excludes 0 (highlighted); then the communities of one wave only."""
        inputs = self.inputs
        row = self.section(ws, 1, "report.changes.title", before=inputs.changes_from,
                           after=inputs.changes_to)
        if inputs.changes is not None and not inputs.changes.empty:
            table = self.with_names(inputs.changes.reset_index(drop=True))
            row = self.table(ws, row, table, freeze=True, freeze_columns=3,
                             flags={"change": table["excludes_zero"].astype(bool).tolist()})
        for key, names, wave in (("report.changes.only_before", inputs.only_before,
                                  inputs.changes_from),
                                 ("report.changes.only_after", inputs.only_after,
                                  inputs.changes_to)):
            row = self.section(ws, row, key, wave=wave, count=len(names))
            for name in names:
                self.put(ws, row, 1, name)
                row += 1
            row += 1

    def audit(self, ws: Worksheet) -> None:
        assert self.inputs.audit is not None
        self.table(ws, 1, self.inputs.audit.reset_index(drop=True), freeze=True)

    def sections(self, ws: Worksheet, sections: Mapping[str, pd.DataFrame]) -> None:
        """Titled tables one under the other (the other methods' sheets)."""
        row = 1
        for title, frame in sections.items():
            self.put(ws, row, 1, title, font=_SECTION)
            table = _with_index(frame)
            assert table is not None
            row = self.table(ws, row + 1, self.suppress_rows(table), formats=_METHOD_FORMATS,
                             freeze=row == 1, freeze_columns=1)



def published_inputs(published: Any, hierarchy: Any, *, audit: pd.DataFrame | None = None
                     ) -> ReportInputs:
    """Report tables of a published snapshot (:class:`panel.publish.Published`): weights, group
    and expert CRs, scores, ranking, the change between waves and, when given, the audit log.
    Nothing is recomputed."""
    tables, lists, summary = published.tables, published.lists, published.summary
    base = ReportInputs.from_results(hierarchy, settings={
        **{k: _setting_text(v) for k, v in summary.get("settings", {}).items()},
        "wave": published.wave, "result": published.result_id,
        "published_at": published.published_at, "payload_sha256": published.payload_sha256,
        "code_version": summary.get("code_version")})
    screening = summary.get("screening") or {}
    parts: dict[str, Any] = {
        "weights": tables["weights"].set_index("code"),
        "group_cr": tables["group_cr"].set_index("node")["cr"],
        "scores": tables["scores"], "ranking": tables["ranking"],
        "suppressed": tuple(lists.get("suppressed", ())),
        "min_respondents": int(summary.get("settings", {}).get("min_respondents", 10)),
        "score_notes": tuple(lists.get("notes", ())),
        "changes_from": str(lists.get("changes_from", "")), "changes_to": published.wave,
        "only_before": tuple(lists.get("only_before", ())),
        "only_after": tuple(lists.get("only_after", ())), "audit": audit,
    }
    if "strengths" in tables:
        parts["strengths"] = tables["strengths"]
    if "expert_cr" in tables:
        parts["expert_cr"] = tables["expert_cr"].set_index("expert")
    if "excluded" in tables:
        parts["excluded"] = tables["excluded"]
    if screening.get("received") is not None:
        parts.update(received=int(screening["received"]), valid=int(screening["valid"]))
        counts = screening.get("counts") or {}
        parts["screening_counts"] = pd.DataFrame({"rule": list(counts),
                                                  "count": list(counts.values())})
    if "changes" in tables:
        parts["changes"] = tables["changes"]
    return replace(base, **parts)


def published_report(target: str | PathLike[str] | BinaryIO, published: Any, hierarchy: Any, *,
                     audit: pd.DataFrame | None = None, lang: str = "zh") -> None:
    """The Excel report of a published snapshot (see :func:`published_inputs`), with the
    变化 Changes sheet when the snapshot has a change table and the 审计 Audit sheet when
    ``audit`` is given."""
    write_report_tables(published_inputs(published, hierarchy, audit=audit), target, lang=lang)


_METHOD_FORMATS: Mapping[str, str] = {
    "importance": SCORE_FORMAT, "performance": SCORE_FORMAT, "importance_cut": SCORE_FORMAT,
    "performance_cut": SCORE_FORMAT, "weighted_gap": "0.000000", "closeness": SCORE_FORMAT,
    "statistic": SCORE_FORMAT, "estimate": SCORE_FORMAT, "df1": "0.##", "df2": "0.##",
    "p": "0.0000", "p_adj": "0.0000", "effect_size": SCORE_FORMAT, "spearman": RATIO_FORMAT,
    "kendall": RATIO_FORMAT, "sd": SCORE_FORMAT, "grade_score": "0.00", "ahp": SCORE_FORMAT,
    "objective": SCORE_FORMAT, "used": SCORE_FORMAT,
}


def _rule_text(rule: Any, lang: str) -> str:
    """The keep rule in words: mean ≥ 3.5, CV ≤ 0.25, full-mark share ≥ x."""
    parts = []
    if rule.min_mean is not None:
        parts.append(f"{t('col.mean', lang)} ≥ {rule.min_mean:g}")
    if rule.max_cv is not None:
        parts.append(f"{t('col.cv', lang)} ≤ {rule.max_cv:g}")
    if rule.min_full_mark is not None:
        parts.append(f"{t('col.full_mark_share', lang)} ≥ {rule.min_full_mark:g}")
    return (" 且 " if lang == "zh" else " and ").join(parts) or "-"


def _setting_text(value: object) -> object:
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)
