"""The study pipeline: load → screen → weights → reliability → scores (→ uncertainty).

A study is one object flowing through pure steps, in the manner of COINr's composite-indicator
pipeline (Becker et al. 2022): each step takes the inputs of the previous ones and adds one
result, and records its parameters and duration so that the run can be explained on the report's
About sheet and replayed. The CLI, the notebook and the app all run studies through
:func:`run_study`, so the three give the same numbers.

References
----------
Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E., & Saisana, M. (2022).
COINr: an R package for developing composite indicators. *Journal of Open Source Software*,
7(78), 4567.
Zheng, C., & Lu, Y. (2022). 基于善治理论的基层智治平台绩效评价:以杭州为例. 社科纵横 (5).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from ahp.hierarchy import Hierarchy, HierarchyWeights
from ahp.panel import PanelJudgments, PanelOptions, PanelResult, panel_weights
from evaluation.grades import StudyGrades, grades_text, parse_grades, study_grades
from evaluation.groups import GroupResults, group_comparisons
from evaluation.ipa_study import StudyIPA, study_ipa
from evaluation.methods import (
    DEFAULT_GRADES,
    OPERATORS,
    GradeSet,
    MethodError,
    TopsisResult,
    topsis,
)
from evaluation.methods.group_comparison import TESTS
from evaluation.schemes import (
    COMBINATIONS,
    OBJECTIVE_METHODS,
    WEIGHT_SCHEMES,
    SchemeWeights,
    scheme_weights,
)
from evaluation.validity import ValidityReport, assess_validity
from i18n import Message, t
from survey.errors import SurveyError
from survey.loading import load_responses
from survey.reliability import ReliabilityResult, reliability
from survey.responses import Responses
from survey.scoring import Scores, score
from survey.screening import ScreeningReport, ScreeningRules, screen

if TYPE_CHECKING:  # imported when used: a study run without uncertainty does not load them
    from evaluation.sensitivity import DropOne, OneAtATime, SchemeComparison
    from evaluation.uncertainty import UncertaintyResult

Progress = Callable[[str, float], None]
"""Called with a step name and the fraction of the pipeline done (0..1)."""

T = TypeVar("T")


@dataclass(frozen=True)
class StudySettings:
    """Every parameter of a run; printed on the report's About sheet."""

    min_respondents: int = 10
    bootstrap: int = 1000
    seed: int = 0
    aggregation: str = "AIJ"
    method: str = "eigenvector"
    threshold: float = 0.10
    exclude_inconsistent: bool = False
    ri_table: str = "saaty"
    incomplete_judgments: str = "error"
    community_column: str = "社区"
    rules: ScreeningRules = field(default_factory=ScreeningRules)
    weights: str = "ahp"
    """Weights of the scores: ``"ahp"``, ``"entropy"``, ``"critic"`` or ``"combined"``
    (:mod:`evaluation.schemes`: objective weights are global item weights)."""
    objective: str = "entropy"
    """Objective method combined with AHP under ``weights="combined"``."""
    combination: str = "multiplicative"
    """``"multiplicative"`` (AHP × objective, renormalised) or ``"linear"`` (α·AHP + (1−α)·obj.)."""
    alpha: float = 0.5
    grades: GradeSet = DEFAULT_GRADES
    fuzzy_operator: str = "M(·,+)"
    group_by: tuple[str, ...] = ()
    """Demographic columns to compare groups on; empty = every column kept."""
    group_test: str = "kruskal"
    min_group_size: int = 10

    def __post_init__(self) -> None:
        # settings rebuilt from a stored record (:meth:`as_record`) carry text here
        if isinstance(self.grades, str):
            object.__setattr__(self, "grades", parse_grades(self.grades))
        if isinstance(self.group_by, str):
            parts = [p.strip() for p in self.group_by.split(",")]
            object.__setattr__(self, "group_by", tuple(p for p in parts if p and p != "-"))
        checks = (
            ("weights", self.weights, WEIGHT_SCHEMES),
            ("objective", self.objective, OBJECTIVE_METHODS),
            ("combination", self.combination, COMBINATIONS),
            ("fuzzy_operator", self.fuzzy_operator, OPERATORS),
            ("group_test", self.group_test, TESTS),
        )
        for name, value, allowed in checks:
            if value not in allowed:
                raise MethodError(f"{name} must be one of {', '.join(allowed)}, got '{value}'")
        if not 0.0 <= self.alpha <= 1.0:
            raise MethodError(f"alpha must lie in [0, 1], got {self.alpha}")
        if self.min_group_size < 2:
            raise MethodError(f"min_group_size must be at least 2, got {self.min_group_size}")

    def panel_options(self) -> PanelOptions:
        """The :class:`ahp.panel.PanelOptions` of these settings (for
        :func:`ahp.panel.panel_weights`, the Monte Carlo and the weighting schemes)."""
        return PanelOptions(
            aggregation=self.aggregation,
            method=self.method,
            threshold=self.threshold,
            exclude_inconsistent=self.exclude_inconsistent,
            ri_table=self.ri_table,
            incomplete=self.incomplete_judgments,
        )

    def as_record(self) -> dict[str, object]:
        """Flat mapping of the settings (screening rules prefixed ``screen.``)."""
        record = {k: v for k, v in asdict(self).items() if k not in ("rules", "grades")}
        record["grades"] = grades_text(self.grades)
        record["group_by"] = ", ".join(self.group_by) or "-"
        record.update({f"screen.{k}": v for k, v in asdict(self.rules).items()})
        return record


@dataclass(frozen=True)
class StepRecord:
    """What one pipeline step did: its name, the figures of its summary and its duration."""

    name: str
    fields: Mapping[str, Any]
    seconds: float

    def label(self, lang: str = "en") -> str:
        """The step's name in ``lang`` (locale key ``step.<name>.name``)."""
        return t(f"step.{self.name}.name", lang)

    def summary(self, lang: str = "en") -> str:
        """One line on what the step did, in ``lang`` (locale key ``step.<name>``)."""
        return Message(f"step.{self.name}", **self.fields).text(lang)


@dataclass(frozen=True)
class StudyResult:
    """All results of a study run, in pipeline order."""

    hierarchy: Hierarchy
    settings: StudySettings
    responses: Responses
    screening: ScreeningReport
    valid: Responses
    panel: PanelResult
    reliability: ReliabilityResult
    scores: Scores
    steps: list[StepRecord]
    judgments: PanelJudgments
    synthetic: bool = False
    scheme: SchemeWeights | None = None
    grades: StudyGrades | None = None
    ipa: StudyIPA | None = None
    topsis: TopsisResult | None = None
    groups: GroupResults | None = None
    method_notes: list[Any] = field(default_factory=list)

    @property
    def weights(self) -> HierarchyWeights:
        """The weights the scores use (``settings.weights``; the AHP panel's by default)."""
        return self.scheme.weights if self.scheme is not None else self.panel.weights

    @property
    def published(self) -> list[str]:
        """Ranked communities, best first."""
        return self.scores.ranking.sort_values("rank")["community"].astype(str).tolist()
    validity: ValidityReport | None = None
    """Construct validity and item analysis (:mod:`evaluation.validity`); its ``error`` says
    why a statistic could not be computed."""

    @property
    def dimension_weights(self) -> Mapping[str, float]:
        """Global weights of the level below the goal, in framework order (of the weights the
        scores use)."""
        level = self.hierarchy.children(self.hierarchy.root)
        table = self.weights.table
        return {code: float(table.loc[code, "global"]) for code in level}

    @property
    def overall_score(self) -> float:
        """Goal score over all valid respondents (the pooled row)."""
        from survey.scoring import POOLED

        table = self.scores.table
        row = table[(table["community"] == POOLED) & (table["code"] == self.hierarchy.root)]
        return float(row["score"].iloc[0])


def read_judgments(path: str | PathLike[str], hierarchy: Hierarchy) -> PanelJudgments:
    """Expert judgments from a long CSV, an expert workbook (``.xlsx``) or a folder of expert
    workbooks; CSV lines are checked against the framework (node, row and col codes)."""
    from ahp.io.workbook import read_judgments_csv, read_judgments_xlsx

    source = Path(path)
    if source.is_dir():
        return read_judgments_xlsx(source, hierarchy)
    if not source.exists():
        raise SurveyError("error.study.no_judgments", path=str(source))
    suffix = source.suffix.lower()
    if suffix == ".csv":
        return read_judgments_csv(source, hierarchy)
    if suffix == ".xlsx":
        return read_judgments_xlsx(source, hierarchy)
    raise SurveyError("error.study.judgments_type", path=str(source),
                      suffix=suffix or Message("error.study.no_suffix"))


def _without_valid_questionnaires(responses: Responses, valid: Responses) -> list[str]:
    """Communities with questionnaires received but none valid, in file order: scored with
    n = 0 (suppressed) so that they do not vanish from the report."""
    received = pd.unique(responses.community.dropna())
    kept = set(valid.community.dropna())
    return [str(c) for c in received if c not in kept]


def _empty_community_note(report: ScreeningReport, names: list[str]) -> Message:
    """One note listing the communities whose questionnaires were all excluded."""
    counts = report.by_community["received"]
    listed = tuple(f"{name} ({int(counts.get(name, 0))})" for name in names)
    return Message("note.no_valid_questionnaire", count=len(names), listed=listed)


class _Steps:
    """The pipeline's steps as they run: each one reports progress, is timed and recorded."""

    def __init__(self, progress: Progress | None) -> None:
        self.records: list[StepRecord] = []
        self.notify: Progress = progress or (lambda _step, _done: None)

    def run(
        self,
        name: str,
        done: float,
        work: Callable[[], T],
        fields: Callable[[T], dict[str, Any]],
    ) -> T:
        """Run ``work`` as step ``name`` (``done``: the fraction of the pipeline before it) and
        record the ``fields`` of its value and its duration."""
        self.notify(name, done)
        start = time.perf_counter()
        value = work()
        self.records.append(StepRecord(name, fields(value), time.perf_counter() - start))
        return value


def _load_and_screen(
    steps: _Steps,
    hierarchy: Hierarchy,
    responses: Responses | str | PathLike[str],
    settings: StudySettings,
) -> tuple[Responses, Responses, ScreeningReport]:
    """Steps ``load`` and ``screen``: the questionnaire as loaded, its valid respondents and the
    screening report."""
    loaded = steps.run(
        "load",
        0.0,
        lambda: responses
        if isinstance(responses, Responses)
        else load_responses(responses, hierarchy, community_column=settings.community_column),
        lambda r: {"n": len(r.answers), "source": r.source, "method": r.mapping.method,
                   "dropped": tuple(r.dropped_columns) or "-"},
    )
    valid, report = steps.run(
        "screen",
        0.15,
        lambda: screen(loaded, settings.rules),
        lambda vr: {"received": vr[1].received, "valid": vr[1].valid, "rate": vr[1].rate},
    )
    return loaded, valid, report


def _expert_weights(
    steps: _Steps,
    hierarchy: Hierarchy,
    judgments: PanelJudgments | str | PathLike[str],
    settings: StudySettings,
) -> tuple[PanelJudgments, PanelResult]:
    """Step ``weights``: the expert judgments (read when given as a path) and the panel's group
    weights."""
    panel_input = (
        judgments
        if isinstance(judgments, PanelJudgments)
        else read_judgments(judgments, hierarchy)
    )
    panel = steps.run(
        "weights",
        0.3,
        lambda: panel_weights(hierarchy, panel_input, settings.panel_options()),
        lambda p: {"experts": len(panel_input.experts), "aggregation": settings.aggregation,
                   "method": settings.method, "excluded": len(p.excluded)},
    )
    return panel_input, panel


def _score_weights(
    hierarchy: Hierarchy, panel: PanelResult, valid: Responses, settings: StudySettings
) -> SchemeWeights:
    """The weights the scores use (``settings.weights``); the community × item matrix behind
    objective weights has the communities with at least ``settings.min_respondents`` valid
    respondents."""
    counts = valid.community.value_counts()
    eligible = [str(c) for c in pd.unique(valid.community.dropna())
                if counts.get(c, 0) >= settings.min_respondents]
    return scheme_weights(
        hierarchy, panel.weights, valid, eligible, settings.weights,
        objective=settings.objective, combination=settings.combination, alpha=settings.alpha,
    )


def _community_scores(
    steps: _Steps,
    hierarchy: Hierarchy,
    loaded: Responses,
    valid: Responses,
    report: ScreeningReport,
    scheme: SchemeWeights,
    settings: StudySettings,
) -> Scores:
    """Step ``score``: scores at every level per community; communities whose questionnaires
    were all excluded are listed (n = 0, suppressed) with a note."""
    empty = _without_valid_questionnaires(loaded, valid)
    listed = [*pd.unique(valid.community.dropna()), *empty] if empty else None
    scores = steps.run(
        "score",
        0.6,
        lambda: score(
            valid,
            hierarchy,
            scheme.weights,
            min_respondents=settings.min_respondents,
            bootstrap=settings.bootstrap,
            seed=settings.seed,
            communities=listed,
        ),
        lambda s: {"ranked": len(s.ranking), "suppressed": len(s.suppressed),
                   "minimum": settings.min_respondents},
    )
    if empty:
        scores.notes.append(_empty_community_note(report, empty))
    return scores


def run_study(
    framework: Hierarchy | str | PathLike[str],
    responses: Responses | str | PathLike[str],
    judgments: PanelJudgments | str | PathLike[str],
    settings: StudySettings | None = None,
    *,
    synthetic: bool = False,
    progress: Progress | None = None,
) -> StudyResult:
    """Run the whole evaluation and return every intermediate result.

    Steps: load the framework and questionnaire (identifiers dropped), screen respondents
    (every exclusion reported), group weights from the expert panel (AIJ or AIP, consistency
    per expert and node), reliability (Cronbach's α with Feldt intervals), validity (KMO,
    Bartlett, EFA with parallel analysis against the framework's dimensions, item analysis; a
    statistic that cannot be computed is reported in ``validity.error``, the study goes on),
    scores at every level per community with bootstrap intervals and small-cell suppression.
    """
    settings = settings or StudySettings()
    steps = _Steps(progress)
    hierarchy = framework if isinstance(framework, Hierarchy) else Hierarchy.from_csv(framework)
    loaded, valid, report = _load_and_screen(steps, hierarchy, responses, settings)
    panel_input, panel = _expert_weights(steps, hierarchy, judgments, settings)
    rel = steps.run(
        "reliability",
        0.45,
        lambda: reliability(valid, hierarchy),
        lambda r: {"scales": len(r.scales), "warnings": len(r.warnings)},
    )
    scheme = _score_weights(hierarchy, panel, valid, settings)
    validity = steps.run(
        "validity",
        0.52,
        lambda: assess_validity(valid, hierarchy, seed=settings.seed),
        lambda v: {"line": v.summary()},
    )
    scores = _community_scores(steps, hierarchy, loaded, valid, report, scheme, settings)
    methods = steps.run(
        "methods",
        0.85,
        lambda: _methods(hierarchy, valid, scheme, scores, settings),
        lambda m: {"weights": settings.weights, "graded": len(m["grades"].fuzzy.communities)
                   if m["grades"] is not None else 0,
                   "columns": len(valid.demographics.columns)},
    )
    steps.notify("done", 1.0)
    return StudyResult(
        hierarchy=hierarchy,
        settings=settings,
        responses=loaded,
        screening=report,
        valid=valid,
        panel=panel,
        reliability=rel,
        scores=scores,
        steps=steps.records,
        judgments=panel_input,
        synthetic=synthetic,
        scheme=scheme,
        grades=methods["grades"],
        ipa=methods["ipa"],
        topsis=methods["topsis"],
        groups=methods["groups"],
        method_notes=[*scheme.notes, *methods["notes"]],
        validity=validity,
    )


def _methods(
    hierarchy: Hierarchy,
    valid: Responses,
    scheme: SchemeWeights,
    scores: Scores,
    settings: StudySettings,
) -> dict[str, Any]:
    """Fuzzy grades, IPA, TOPSIS and group comparisons with the study's weights. A method that
    cannot run on these data (too few communities, no demographic column) leaves its result
    ``None`` and a note; explicitly requested group columns that are not kept raise."""
    published = scores.ranking.sort_values("rank")["community"].astype(str).tolist()
    notes: list[Any] = []
    out: dict[str, Any] = {"grades": None, "ipa": None, "topsis": None, "groups": None}
    if published:
        try:
            out["grades"] = study_grades(valid, hierarchy, scheme.weights, published,
                                         settings.grades, settings.fuzzy_operator)
            notes += out["grades"].notes
        except MethodError as exc:
            notes.append(f"fuzzy grades: {exc}")
        try:
            out["ipa"] = study_ipa(valid, hierarchy, scheme.weights, published)
        except MethodError as exc:
            notes.append(f"IPA: {exc}")
        matrix = scheme.matrix.reindex([c for c in published if c in scheme.matrix.index])
        if len(matrix) >= 2:
            try:
                out["topsis"] = topsis(matrix, scheme.weights.item_weights.reindex(matrix.columns))
            except MethodError as exc:
                notes.append(f"TOPSIS: {exc}")
    if settings.group_by or len(valid.demographics.columns):
        out["groups"] = group_comparisons(
            valid, hierarchy, scheme.weights, list(settings.group_by) or None,
            test=settings.group_test, min_group_size=settings.min_group_size,
        )
    out["notes"] = notes
    return out


@dataclass(frozen=True)
class StudyUncertainty:
    """How sure each community's rank is: Monte Carlo and weight sensitivity of a study run.

    Attributes
    ----------
    monte_carlo
        :class:`evaluation.uncertainty.UncertaintyResult` (score intervals, rank bands, P(top 3),
        pairwise probabilities; which sources each draw varied).
    one_at_a_time
        :class:`evaluation.sensitivity.OneAtATime`: each dimension's weight moved over 0..1.
    tornado
        Tornado frame (``parameter, low, high, base, …``) of the leading community's score.
    tornado_community
        The community the tornado is about (nominal rank 1).
    drop_one
        :class:`evaluation.sensitivity.DropOne`: each dimension left out in turn.
    schemes
        :class:`evaluation.sensitivity.SchemeComparison`: AHP (AIJ), AHP (AIP), equal weights.
    """

    monte_carlo: UncertaintyResult
    one_at_a_time: OneAtATime
    tornado: pd.DataFrame
    tornado_community: str
    drop_one: DropOne
    schemes: SchemeComparison


def analyse_uncertainty(
    result: StudyResult,
    draws: int = 1000,
    *,
    panel: bool = True,
    judgment_noise: float = 0.0,
    residents: bool = True,
    seed: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> StudyUncertainty:
    """Monte Carlo over the study's expert panel, judgment noise and residents, plus weight
    sensitivity (one at a time, drop one dimension, weighting schemes), with the study's
    settings (aggregation, method, CR threshold, minimum respondents; ``seed`` defaults to the
    study's seed). See :mod:`evaluation.uncertainty` and :mod:`evaluation.sensitivity` for the
    methods.
    """
    from evaluation.sensitivity import (
        compare_schemes,
        drop_one,
        one_at_a_time,
        tornado,
        weighting_schemes,
    )
    from evaluation.uncertainty import monte_carlo

    s = result.settings
    if result.scores.ranking.empty:
        raise SurveyError("error.study.nothing_to_rank", minimum=s.min_respondents)
    fixed = s.weights != "ahp"  # data-driven weights: no expert panel to resample
    mc = monte_carlo(
        result.valid,
        result.hierarchy,
        None if fixed else result.judgments,
        weights=result.weights if fixed else None,
        draws=draws,
        panel=panel and not fixed,
        judgment_noise=0.0 if fixed else judgment_noise,
        residents=residents,
        options=s.panel_options(),
        min_respondents=s.min_respondents,
        seed=s.seed if seed is None else seed,
        progress=progress,
    )
    weights = result.weights
    leader = str(result.scores.ranking.sort_values("rank")["community"].iloc[0])
    schemes = weighting_schemes(result.hierarchy, result.judgments, s.panel_options())
    return StudyUncertainty(
        monte_carlo=mc,
        one_at_a_time=one_at_a_time(result.scores, weights, community=leader),
        tornado=tornado(result.scores, weights, leader),
        tornado_community=leader,
        drop_one=drop_one(result.scores, weights, level="B"),
        schemes=compare_schemes(
            result.valid, result.hierarchy, schemes, min_respondents=s.min_respondents
        ),
    )
