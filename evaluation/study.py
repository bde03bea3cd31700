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
from typing import Any

import pandas as pd

from ahp.hierarchy import Hierarchy
from ahp.panel import PanelJudgments, PanelResult, panel_weights
from evaluation.validity import ValidityReport, assess_validity
from i18n import Message, t
from survey.errors import SurveyError
from survey.loading import load_responses
from survey.reliability import ReliabilityResult, reliability
from survey.responses import Responses
from survey.scoring import Scores, score
from survey.screening import ScreeningReport, ScreeningRules, screen

Progress = Callable[[str, float], None]
"""Called with a step name and the fraction of the pipeline done (0..1)."""


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

    def panel_options(self) -> dict[str, Any]:
        """Keyword arguments of :func:`ahp.panel.panel_weights` (and of the Monte Carlo's
        panel) set by these settings."""
        return {
            "aggregation": self.aggregation,
            "method": self.method,
            "threshold": self.threshold,
            "exclude_inconsistent": self.exclude_inconsistent,
            "ri_table": self.ri_table,
            "incomplete": self.incomplete_judgments,
        }

    def as_record(self) -> dict[str, object]:
        """Flat mapping of the settings (screening rules prefixed ``screen.``)."""
        record = {k: v for k, v in asdict(self).items() if k != "rules"}
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
    validity: ValidityReport | None = None
    """Construct validity and item analysis (:mod:`evaluation.validity`); its ``error`` says
    why a statistic could not be computed."""

    @property
    def dimension_weights(self) -> Mapping[str, float]:
        """Global weights of the level below the goal, in framework order."""
        level = self.hierarchy.children(self.hierarchy.root)
        table = self.panel.weights.table
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
        raise SurveyError(f"no such judgments file or folder: {source}")
    suffix = source.suffix.lower()
    if suffix == ".csv":
        return read_judgments_csv(source, hierarchy)
    if suffix == ".xlsx":
        return read_judgments_xlsx(source, hierarchy)
    raise SurveyError(
        f"judgments file {source}: expected a .csv file, an .xlsx workbook or a folder of "
        f"workbooks, got '{suffix or 'no suffix'}'"
    )


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
    steps: list[StepRecord] = []
    notify = progress or (lambda _step, _done: None)

    def timed(
        name: str, done: float, work: Callable[[], Any], fields: Callable[[Any], dict[str, Any]]
    ):
        notify(name, done)
        start = time.perf_counter()
        value = work()
        steps.append(StepRecord(name, fields(value), time.perf_counter() - start))
        return value

    hierarchy = framework if isinstance(framework, Hierarchy) else Hierarchy.from_csv(framework)
    loaded = timed(
        "load",
        0.0,
        lambda: responses
        if isinstance(responses, Responses)
        else load_responses(responses, hierarchy, community_column=settings.community_column),
        lambda r: {"n": len(r.answers), "source": r.source, "method": r.mapping.method,
                   "dropped": tuple(r.dropped_columns) or "-"},
    )
    valid, report = timed(
        "screen",
        0.15,
        lambda: screen(loaded, settings.rules),
        lambda vr: {"received": vr[1].received, "valid": vr[1].valid, "rate": vr[1].rate},
    )
    panel_input = (
        judgments
        if isinstance(judgments, PanelJudgments)
        else read_judgments(judgments, hierarchy)
    )
    panel = timed(
        "weights",
        0.3,
        lambda: panel_weights(hierarchy, panel_input, **settings.panel_options()),
        lambda p: {"experts": len(panel_input.experts), "aggregation": settings.aggregation,
                   "method": settings.method, "excluded": len(p.excluded)},
    )
    rel = timed(
        "reliability",
        0.45,
        lambda: reliability(valid, hierarchy),
        lambda r: {"scales": len(r.scales), "warnings": len(r.warnings)},
    )
    validity = timed(
        "validity",
        0.52,
        lambda: assess_validity(valid, hierarchy, seed=settings.seed),
        lambda v: {"line": v.summary()},
    )
    empty = _without_valid_questionnaires(loaded, valid)
    listed = [*pd.unique(valid.community.dropna()), *empty] if empty else None
    scores = timed(
        "score",
        0.6,
        lambda: score(
            valid,
            hierarchy,
            panel.weights,
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
    notify("done", 1.0)
    return StudyResult(
        hierarchy=hierarchy,
        settings=settings,
        responses=loaded,
        screening=report,
        valid=valid,
        panel=panel,
        reliability=rel,
        scores=scores,
        steps=steps,
        judgments=panel_input,
        synthetic=synthetic,
        validity=validity,
    )


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

    monte_carlo: Any
    one_at_a_time: Any
    tornado: Any
    tornado_community: str
    drop_one: Any
    schemes: Any


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
        raise SurveyError(
            "uncertainty: no community has enough respondents to be ranked "
            f"(minimum {s.min_respondents})"
        )
    mc = monte_carlo(
        result.valid,
        result.hierarchy,
        result.judgments,
        draws=draws,
        panel=panel,
        judgment_noise=judgment_noise,
        residents=residents,
        **s.panel_options(),
        min_respondents=s.min_respondents,
        seed=s.seed if seed is None else seed,
        progress=progress,
    )
    weights = result.panel.weights
    leader = str(result.scores.ranking.sort_values("rank")["community"].iloc[0])
    options = {k: v for k, v in s.panel_options().items() if k != "aggregation"}
    schemes = weighting_schemes(result.hierarchy, result.judgments, **options)
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
