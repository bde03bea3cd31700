"""Construct validity of a study's questionnaire, next to its reliability: one call, one result.

:func:`assess_validity` runs, on the valid questionnaires (listwise deletion inside each
statistic): the KMO measure of sampling adequacy (overall and per item), Bartlett's test of
sphericity, an exploratory factor analysis whose number of factors comes from Horn's parallel
analysis (the Kaiser count shown too), the comparison of the factors with the framework's
dimensions (items off their dimension, dimensions that split or merge) and the item analysis
(critical ratio, corrected item-total r). The formulas are in :mod:`survey.validity` and
:mod:`survey.item_analysis`.

Validity never stops a study: when a statistic cannot be computed (a constant item, a singular
correlation matrix, fewer respondents than items, ...), :class:`ValidityReport` carries the
error's message (which names the items) in ``error`` / ``item_error`` — an :class:`~i18n.Message`,
English as a ``str``, either language with ``localized`` — and the rest of the study goes on.

KMO verdict: the labels of Kaiser (1974), "An index of factorial simplicity", *Psychometrika*
39, 31–36: ≥ 0.90 marvelous, ≥ 0.80 meritorious, ≥ 0.70 middling, ≥ 0.60 mediocre, ≥ 0.50
miserable, below unacceptable; below 0.60 the items are treated as unsuitable for factor
analysis.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import pandas as pd

from ahp.hierarchy import Hierarchy
from i18n import Message
from survey.errors import SurveyError
from survey.item_analysis import ItemAnalysis, item_analysis
from survey.responses import Responses
from survey.validity import (
    BartlettResult,
    EFAResult,
    FrameworkComparison,
    KMOResult,
    bartlett_sphericity,
    compare_with_framework,
    efa,
    kmo,
)

KMO_LABELS: tuple[tuple[float, str], ...] = (
    (0.90, "marvelous"),
    (0.80, "meritorious"),
    (0.70, "middling"),
    (0.60, "mediocre"),
    (0.50, "miserable"),
    (-math.inf, "unacceptable"),
)
"""Kaiser's (1974) labels of the KMO: lower bound → label (locale key ``validity.kmo.<label>``)."""

KMO_SUITABLE = 0.60
"""KMO below this: the items are not suitable for factor analysis."""

BARTLETT_ALPHA = 0.05


def kmo_label(value: float) -> str:
    """Kaiser's (1974) label of a KMO value (``"marvelous"`` … ``"unacceptable"``)."""
    return next(label for bound, label in KMO_LABELS if value >= bound)


@dataclass(frozen=True)
class ValidityReport:
    """Validity and item analysis of a questionnaire, set against its framework.

    ``kmo``, ``bartlett``, ``efa`` (None when ``error``), ``comparison`` (factors against the
    dimensions of ``level``), ``items`` (item analysis; None when ``item_error``), ``error`` /
    ``item_error`` the message of the error that stopped them ("" when none; a
    :class:`~i18n.Message`, see the module docstring), ``dimension`` item → its dimension code,
    ``rotation``, ``method``, ``notes`` (:class:`~i18n.Message` s: items left out).
    """

    kmo: KMOResult | None
    bartlett: BartlettResult | None
    efa: EFAResult | None
    comparison: FrameworkComparison | None
    items: ItemAnalysis | None
    dimension: dict[str, str]
    level: str = "B"
    rotation: str | None = "promax"
    method: str = "minres"
    error: str = ""
    item_error: str = ""
    notes: list[Message] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """KMO, Bartlett and the EFA were computed."""
        return self.efa is not None

    # ------------------------------------------------------------------ sentences
    def verdict(self) -> Message:
        """The plain verdict on KMO and Bartlett (or why they could not be computed)."""
        if self.kmo is None or self.bartlett is None:
            return Message("validity.failed", reason=self.error)
        value = self.kmo.overall
        key = "validity.verdict.suitable" if value >= KMO_SUITABLE else \
            "validity.verdict.unsuitable"
        bartlett = "validity.bartlett.reject" if self.bartlett.pvalue < BARTLETT_ALPHA else \
            "validity.bartlett.keep"
        return Message(key, kmo=value, label=Message(f"validity.kmo.{kmo_label(value)}"),
                       bartlett=Message(bartlett, chi2=self.bartlett.statistic,
                                        df=self.bartlett.df, p=_p_text(self.bartlett.pvalue)))

    def findings(self) -> list[Message]:
        """What the factor analysis says about the framework: number of factors (parallel
        analysis, Kaiser), variance explained, items off their dimension, splits, merges."""
        if self.efa is None or self.comparison is None:
            return []
        e, c = self.efa, self.comparison
        out = [Message(
            "validity.factors", k=e.n_factors, source=Message(
                "validity.source.parallel" if e.n_factors_from == "parallel analysis"
                else "validity.source.given"),
            kaiser=e.kaiser, dims=len(c.dimension_factor),
            cumulative=float(e.variance.loc["cumulative"].iloc[-1]),
            method=e.method, rotation=e.rotation or "none", n=e.n_obs or 0, dropped=e.dropped,
        )]
        if c.off_dimension:
            out.append(Message("validity.off_dimension", count=len(c.off_dimension),
                               items=tuple(self._off_text(i) for i in c.off_dimension)))
        else:
            out.append(Message("validity.all_on_dimension"))
        for dim, factors in c.splits.items():
            out.append(Message("validity.split", dimension=dim, factors=tuple(factors)))
        for factor, dims in c.merges.items():
            out.append(Message("validity.merge", factor=factor, dimensions=tuple(dims)))
        out += [Message("validity.note", note=n) for n in e.notes]
        return out

    def _off_text(self, item: str) -> str:
        assert self.comparison is not None
        row = self.comparison.items.loc[item]
        return (f"{item} ({row['dimension']}: {row['factor']} {row['loading']:.2f} > "
                f"{row['dimension_factor']} {row['dimension_loading']:.2f})")

    def item_warnings(self) -> list[Message]:
        """One loud line per weak item: critical ratio not significant or below 3, corrected
        item-total r below 0.4 (weak) or 0.3 (poor), constant answers."""
        if self.items is None:
            return [Message("validity.items.failed", reason=self.item_error)] \
                if self.item_error else []
        out = []
        for item, row in self.items.table.iterrows():
            if math.isnan(row["t"]) or math.isnan(row["item_rest_r"]):
                out.append(Message("validity.items.constant", item=item))
                continue
            if row["cr_flag"]:
                out.append(Message("validity.items.cr", item=item, t=row["t"],
                                   p=_p_text(row["pvalue"])))
            if row["item_rest_flag"]:
                out.append(Message(f"validity.items.r_{row['item_rest_flag']}", item=item,
                                   r=row["item_rest_r"]))
        return out

    def summary(self) -> Message:
        """One line for the CLI and the pipeline step."""
        if self.efa is None or self.kmo is None or self.bartlett is None:
            return Message("validity.failed", reason=self.error)
        assert self.comparison is not None
        return Message(
            "validity.line", kmo=self.kmo.overall,
            label=Message(f"validity.kmo.{kmo_label(self.kmo.overall)}"),
            chi2=self.bartlett.statistic, df=self.bartlett.df, p=_p_text(self.bartlett.pvalue),
            k=self.efa.n_factors, kaiser=self.efa.kaiser,
            cumulative=float(self.efa.variance.loc["cumulative"].iloc[-1]),
            off=len(self.comparison.off_dimension),
        )

    # ------------------------------------------------------------------ tables
    def statistics_table(self) -> pd.DataFrame:
        """KMO and Bartlett as rows ``statistic, value`` (for the report)."""
        if self.kmo is None or self.bartlett is None:
            return pd.DataFrame(columns=["statistic", "value"])
        b = self.bartlett
        rows = [("KMO", self.kmo.overall), ("Bartlett χ²", b.statistic), ("df", b.df),
                ("p", f"p {_p_text(b.pvalue)}"), ("n", b.n), ("items 题目", b.p)]
        if self.efa is not None:
            rows += [("factors 因子 (parallel analysis 平行分析)", self.efa.n_factors),
                     ("Kaiser (eigenvalue > 1 特征根>1)", self.efa.kaiser)]
        return pd.DataFrame(rows, columns=["statistic", "value"])

    def loadings_table(self) -> pd.DataFrame:
        """Item, dimension, loadings per factor, communality h², the factor the item loads
        on, its dimension's factor, ``off_dimension`` and MSA (one row per item)."""
        if self.efa is None or self.comparison is None or self.kmo is None:
            return pd.DataFrame()
        e, c = self.efa, self.comparison
        frame = e.loadings.copy()
        frame.insert(0, "dimension", [self.dimension.get(i, "") for i in frame.index])
        frame["h2"] = e.communalities
        frame["factor"] = c.items["factor"].reindex(frame.index)
        frame["dimension_factor"] = c.items["dimension_factor"].reindex(frame.index)
        frame["off_dimension"] = c.items["off_dimension"].reindex(frame.index).fillna(False)
        frame["msa"] = self.kmo.per_item.reindex(frame.index)
        return frame.rename_axis("item").reset_index()

    def variance_table(self) -> pd.DataFrame:
        """SS loadings, proportion and cumulative proportion of variance per factor."""
        if self.efa is None:
            return pd.DataFrame()
        return self.efa.variance.rename_axis("statistic").reset_index()

    def parallel_table(self) -> pd.DataFrame:
        """Observed eigenvalues against the random (95th percentile and mean) ones."""
        if self.efa is None or self.efa.parallel is None:
            return pd.DataFrame()
        pa = self.efa.parallel
        frame = pd.concat([pa.eigenvalues, pa.random_quantile, pa.random_mean], axis=1)
        frame.columns = ["observed", "random_q95", "random_mean"]
        return frame.head(max(pa.n_factors, pa.kaiser) + 3).rename_axis("component") \
            .reset_index()

    def item_table(self) -> pd.DataFrame:
        """The item analysis per item (index moved to the column ``item``)."""
        if self.items is None:
            return pd.DataFrame()
        return self.items.table.rename_axis("item").reset_index()


def _reason(exc: SurveyError) -> str:
    """Why a statistic could not be computed: the error's :class:`~i18n.Message` (shown later
    in the reader's language), or its text on one line."""
    message = exc.message
    return message if isinstance(message, Message) else " ".join(str(exc).split())


def _p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def assess_validity(
    answers: Responses | pd.DataFrame,
    hierarchy: Hierarchy,
    *,
    n_factors: int | None = None,
    rotation: str | None = "promax",
    method: str = "minres",
    level: str = "B",
    seed: int = 0,
) -> ValidityReport:
    """KMO, Bartlett, EFA (factors from parallel analysis unless ``n_factors``), comparison
    with the dimensions of ``level`` and item analysis of the framework's items in ``answers``
    (valid questionnaires). Errors are kept in the result, never raised (see module docstring);
    a bad ``rotation``/``method``/``n_factors`` is reported the same way."""
    data = answers.answers if isinstance(answers, Responses) else answers
    items = [i for i in hierarchy.items if i in data.columns]
    data = data[items].astype(float)
    answered = [i for i in items if data[i].notna().any()]
    notes = []
    if len(answered) < len(items):
        unanswered = [i for i in items if i not in answered]
        notes.append(Message("validity.unanswered", items=tuple(unanswered)))
        data = data[answered]
    dimension = {i: hierarchy.ancestor(i, level) for i in answered}
    k = b = e = c = None
    error = ""
    try:
        k = kmo(data)
        b = bartlett_sphericity(data)
        e = efa(data, n_factors=n_factors, rotation=rotation, method=method, seed=seed)
        c = compare_with_framework(e.loadings, dimension)
    except SurveyError as exc:
        error = _reason(exc)
    ia = None
    item_error = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ia = item_analysis(data)
    except SurveyError as exc:
        item_error = _reason(exc)
    return ValidityReport(
        kmo=k, bartlett=b, efa=e, comparison=c, items=ia, dimension=dimension, level=level,
        rotation=rotation, method=method, error=error, item_error=item_error, notes=notes,
    )
