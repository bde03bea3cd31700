"""One Delphi consultation round: indicator statistics, authority, concordance, keep/drop.

Ratings are importance ratings on a 1–5 scale, one column per expert and one row per indicator
(``ratings.loc[indicator, expert]``); blank (NaN) means not rated.

Per indicator (over the experts who rated it):
* mean; SD with ddof = 1 (sample SD, as SPSS and the Chinese Delphi literature report it);
* coefficient of variation CV = SD / mean;
* 满分比 (full-mark share) = share of ratings equal to 5;
* rank by mean, highest first; ties share the smallest rank (1, 2, 2, 4).

Per round:
* response rate (专家积极系数, positive coefficient) = experts who rated at least one indicator /
  experts invited;
* authority Cr = (Ca + Cs) / 2 per expert (专家权威系数), Ca the basis-of-judgment coefficient
  (sum over the four bases of the weight of the influence the expert ticked), Cs the familiarity
  coefficient, and the mean Cr;
* Kendall's W over the indicators with the tie correction (:func:`delphi.kendall.kendall_w`):
  experts who left any indicator blank are left out of W (named in the result).

The self-rating tables are the ones used throughout the Chinese Delphi literature (e.g. 曾光
《现代流行病学方法与应用》, 1994; 王春枝 & 斯琴, 德尔菲法中的数据统计处理方法及其应用研究,
《内蒙古财经学院学报》2011(4)): familiarity 很熟悉 1.0, 熟悉 0.8, 较熟悉 0.6, 一般 0.4,
较不熟悉 0.2, 不熟悉 0.0; basis of judgment, influence 大 / 中 / 小: 理论分析 0.3 / 0.2 / 0.1,
实践经验 0.5 / 0.4 / 0.3, 同行了解 0.1 / 0.1 / 0.1, 直觉 0.1 / 0.1 / 0.1 (so Ca = 1.0 when all
four are 大). Studies that use other tables can pass numeric Ca and Cs directly.

The keep rule (:class:`KeepRule`) is a conjunction: mean ≥ ``min_mean`` and CV ≤ ``max_cv`` and,
when set, full-mark share ≥ ``min_full_mark`` (the "界值法" thresholds 3.5 and 0.25 are common).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from delphi.errors import DelphiError
from delphi.kendall import KendallW, kendall_w
from i18n import Message, Term, t

SCALE = (1, 2, 3, 4, 5)
FULL_MARK = 5

FAMILIARITY: dict[str, tuple[float, str, str]] = {
    "very_familiar": (1.0, "很熟悉", "very familiar"),
    "familiar": (0.8, "熟悉", "familiar"),
    "fairly_familiar": (0.6, "较熟悉", "fairly familiar"),
    "moderate": (0.4, "一般", "moderately familiar"),
    "fairly_unfamiliar": (0.2, "较不熟悉", "fairly unfamiliar"),
    "unfamiliar": (0.0, "不熟悉", "unfamiliar"),
}
"""Familiarity Cs: key → (coefficient, zh label, en label)."""

BASIS: dict[str, tuple[dict[str, float], str, str]] = {
    "theory": ({"large": 0.3, "medium": 0.2, "small": 0.1}, "理论分析", "theoretical analysis"),
    "practice": ({"large": 0.5, "medium": 0.4, "small": 0.3}, "实践经验", "practical experience"),
    "peers": ({"large": 0.1, "medium": 0.1, "small": 0.1}, "同行了解", "knowledge of peers' work"),
    "intuition": ({"large": 0.1, "medium": 0.1, "small": 0.1}, "直觉", "intuition"),
}
"""Basis of judgment Ca: key → (weight by influence level, zh label, en label)."""

INFLUENCE: dict[str, tuple[str, str]] = {
    "large": ("大", "large"), "medium": ("中", "medium"), "small": ("小", "small"),
}
"""Influence levels of a basis of judgment: key → (zh label, en label)."""

TABLE_COLUMNS = ("n", "mean", "sd", "cv", "full_mark_share", "rank", "keep", "reason")


@dataclass(frozen=True)
class KeepRule:
    """Keep an indicator when mean ≥ ``min_mean`` and CV ≤ ``max_cv`` and (if set) full-mark
    share ≥ ``min_full_mark``; ``None`` switches a condition off."""

    min_mean: float | None = 3.5
    max_cv: float | None = 0.25
    min_full_mark: float | None = None

    def apply(self, table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        """(keep, reason) per indicator row of a table with mean, cv, full_mark_share."""
        reasons = pd.Series("", index=table.index, dtype=object)
        failed = pd.Series(False, index=table.index)
        checks = [
            (self.min_mean, table["mean"] < (self.min_mean or 0), "mean", "均值", "<"),
            (self.max_cv, table["cv"] > (self.max_cv or 0), "CV", "变异系数", ">"),
            (self.min_full_mark, table["full_mark_share"] < (self.min_full_mark or 0),
             "full-mark share", "满分比", "<"),
        ]
        column = {"mean": "mean", "CV": "cv", "full-mark share": "full_mark_share"}
        for threshold, bad, label, label_zh, op in checks:
            if threshold is None:
                continue
            bad = bad | table[column[label]].isna()
            failed |= bad
            for code in table.index[bad]:
                value = table.at[code, column[label]]
                text = f"{label} {value:.3f} {op} {threshold:g} / {label_zh}不达标"
                reasons[code] = f"{reasons[code]}; {text}" if reasons[code] else text
        return ~failed, reasons


@dataclass(frozen=True)
class DelphiRound:
    """Statistics of one round.

    ``indicators``: per indicator ``n`` (ratings), ``mean``, ``sd`` (ddof = 1), ``cv``,
    ``full_mark_share``, ``rank``, ``keep``, ``reason`` (why dropped; empty when kept).
    ``ratings``: the validated ratings (indicators × responding experts). ``invited``,
    ``responded``, ``response_rate``; ``non_respondents`` (experts in the table who rated
    nothing). ``authority``: per expert ``ca``, ``cs``, ``cr`` (None without self-ratings),
    ``mean_cr``. ``kendall``: :class:`KendallW` (None when fewer than 2 experts rated every
    indicator). ``rule``; ``warnings``: messages naming experts and indicators.
    """

    indicators: pd.DataFrame
    ratings: pd.DataFrame
    invited: int
    responded: int
    response_rate: float
    non_respondents: list[str]
    authority: pd.DataFrame | None
    mean_cr: float | None
    kendall: KendallW | None
    rule: KeepRule
    warnings: list[str] = field(default_factory=list)

    @property
    def kept(self) -> list[str]:
        """Indicators the rule keeps, in table order."""
        return [str(code) for code in self.indicators.index[self.indicators["keep"]]]


@dataclass(frozen=True)
class NextRound:
    """What the next round carries: ``indicators`` (kept codes) and ``feedback`` per kept
    indicator: ``n``, ``mean``, ``sd``, counts ``rated_1`` … ``rated_5`` and ``comments`` (list of
    comment texts, without expert names, sorted so their order reveals nobody)."""

    indicators: list[str]
    feedback: pd.DataFrame


def _validate(ratings: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(ratings, pd.DataFrame):
        raise DelphiError("error.delphi.ratings_type")
    values = ratings.apply(pd.to_numeric, errors="coerce")
    text = ratings.notna() & values.isna()
    off = values.notna() & ~values.isin(SCALE)
    bad = text | off
    if bad.to_numpy().any():
        rows, cols = np.nonzero(bad.to_numpy())
        cells = [{"expert": ratings.columns[c], "indicator": ratings.index[r],
                  "value": repr(ratings.iat[r, c])}
                 for r, c in zip(rows[:10], cols[:10], strict=True)]
        more = (Message("error.delphi.and_more", count=len(rows) - 10) if len(rows) > 10
                else "")
        raise DelphiError("error.delphi.ratings_scale", more=more,
                          cells=Term("; ".join(t("error.delphi.cell", "en", **c) for c in cells),
                                     "；".join(t("error.delphi.cell", "zh", **c) for c in cells)))
    values.index = values.index.map(str)
    values.columns = values.columns.map(str)
    if values.index.duplicated().any() or values.columns.duplicated().any():
        dup = list(values.index[values.index.duplicated()]) + list(
            values.columns[values.columns.duplicated()])
        raise DelphiError("error.delphi.duplicated_labels", labels=dup)
    return values.astype(float)


def _familiarity(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 0 <= value <= 1:
            raise DelphiError("error.delphi.familiarity_range", value=value)
        return float(value)
    for key, (coef, zh, en) in FAMILIARITY.items():
        if value in (key, zh, en):
            return coef
    raise DelphiError("error.delphi.familiarity_unknown", value=repr(value),
                      names=[zh for _, zh, _ in FAMILIARITY.values()])


def _basis(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 0 <= value <= 1:
            raise DelphiError("error.delphi.basis_range", value=value)
        return float(value)
    if not isinstance(value, Mapping):
        raise DelphiError("error.delphi.basis_type", value=repr(value))
    total = 0.0
    for basis, level in value.items():
        key = next((k for k, (_, zh, en) in BASIS.items() if basis in (k, zh, en)), None)
        lvl = next((k for k, (zh, en) in INFLUENCE.items() if level in (k, zh, en)), None)
        if key is None or lvl is None:
            raise DelphiError("error.delphi.basis_unknown", basis=repr(basis),
                              level=repr(level), levels="大/中/小",
                              bases=[zh for _, zh, _ in BASIS.values()])
        total += BASIS[key][0][lvl]
    return total


def _authority(
    experts: list[str],
    familiarity: Mapping[str, object] | None,
    basis: Mapping[str, object] | None,
    messages: list[str],
) -> tuple[pd.DataFrame | None, float | None]:
    if familiarity is None or basis is None:
        return None, None
    rows = {}
    for expert in experts:
        if expert not in familiarity or expert not in basis:
            messages.append(Message("delphi.warning.no_self_rating", expert=expert))
            continue
        ca, cs = _basis(basis[expert]), _familiarity(familiarity[expert])
        rows[expert] = {"ca": ca, "cs": cs, "cr": (ca + cs) / 2.0}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["ca", "cs", "cr"])
    table.index.name = "expert"
    return table, float(table["cr"].mean()) if len(table) else None


def delphi_round(
    ratings: pd.DataFrame,
    familiarity: Mapping[str, object] | None = None,
    basis: Mapping[str, object] | None = None,
    experts_invited: int | None = None,
    rule: KeepRule | None = None,
) -> DelphiRound:
    """Statistics of one Delphi round (formulas and tables in the module docstring).

    ``ratings``: indicators × experts, values 1–5 or blank. ``familiarity``: expert → a key,
    Chinese or English label of :data:`FAMILIARITY` or a number Cs. ``basis``: expert → mapping
    basis → influence (keys or labels of :data:`BASIS` and :data:`INFLUENCE`) or a number Ca.
    ``experts_invited`` defaults to the number of expert columns. Experts who rated nothing are
    left out and named in ``warnings``; fewer than 2 responding experts raise DelphiError.
    """
    rule = rule or KeepRule()
    values = _validate(ratings)
    messages: list[str] = []
    silent = [e for e in values.columns if values[e].isna().all()]
    if silent:
        messages.append(Message("delphi.warning.silent", names=silent))
    values = values.drop(columns=silent)
    if values.shape[1] < 2:
        if values.shape[1]:
            raise DelphiError("error.delphi.few_experts_named", count=values.shape[1],
                              names=list(values.columns))
        raise DelphiError("error.delphi.few_experts", count=0)
    if values.shape[0] < 1:
        raise DelphiError("error.delphi.no_indicators")
    invited = values.shape[1] + len(silent) if experts_invited is None else int(experts_invited)
    if invited < values.shape[1]:
        raise DelphiError("error.delphi.invited", invited=invited, rated=values.shape[1])
    n = values.notna().sum(axis=1)
    mean = values.mean(axis=1)
    sd = values.std(axis=1, ddof=1)
    table = pd.DataFrame(
        {"n": n, "mean": mean, "sd": sd, "cv": sd / mean,
         "full_mark_share": (values == FULL_MARK).sum(axis=1) / n.where(n > 0)},
        index=values.index,
    )
    table.index.name = "indicator"
    unrated = list(table.index[table["n"] == 0])
    if unrated:
        messages.append(f"indicator(s) nobody rated: {', '.join(unrated)} / 以下指标无人评分")
    table["rank"] = table["mean"].rank(ascending=False, method="min").astype("Int64")
    table["keep"], table["reason"] = rule.apply(table)
    table["keep"] = table["keep"].astype(bool)
    constant = list(table.index[(table["n"] > 1) & (table["sd"] == 0)])
    if constant:
        messages.append(Message("delphi.warning.constant", codes=constant))
    kendall = None
    complete = values.dropna(axis=1, how="any")
    blanks = [e for e in values.columns if e not in complete.columns]
    if blanks:
        messages.append(Message("delphi.warning.blanks", names=blanks))
    if complete.shape[1] >= 2 and complete.shape[0] >= 2:
        kendall = kendall_w(complete)
        if kendall.note:
            messages.append(kendall.note)
    else:
        messages.append(Message("delphi.warning.no_w", experts=complete.shape[1],
                                indicators=complete.shape[0]))
    authority, mean_cr = _authority(list(values.columns), familiarity, basis, messages)
    return DelphiRound(
        indicators=table[list(TABLE_COLUMNS)],
        ratings=values,
        invited=invited,
        responded=values.shape[1],
        response_rate=values.shape[1] / invited if invited else float("nan"),
        non_respondents=silent,
        authority=authority,
        mean_cr=mean_cr,
        kendall=kendall,
        rule=rule,
        warnings=messages,
    )


def next_round(delphi: DelphiRound, comments: pd.DataFrame | None = None) -> NextRound:
    """The kept indicators and each one's anonymised group feedback for the next round.

    ``comments``: optional long table with columns ``indicator``, ``expert``, ``comment``; the
    feedback keeps the text only (sorted), never the expert.
    """
    kept = delphi.kept
    values = delphi.ratings.loc[kept]
    counts = {f"rated_{s}": (values == s).sum(axis=1).astype(int) for s in SCALE}
    feedback = pd.DataFrame(
        {"n": delphi.indicators.loc[kept, "n"], "mean": delphi.indicators.loc[kept, "mean"],
         "sd": delphi.indicators.loc[kept, "sd"], **counts},
        index=pd.Index(kept, name="indicator"),
    )
    texts: dict[str, list[str]] = {code: [] for code in kept}
    if comments is not None:
        missing = {"indicator", "comment"} - set(comments.columns)
        if missing:
            raise DelphiError("error.delphi.comment_columns", missing=sorted(missing))
        for code, text in zip(comments["indicator"].astype(str), comments["comment"],
                              strict=True):
            if code in texts and isinstance(text, str) and text.strip():
                texts[code].append(text.strip())
    feedback["comments"] = [sorted(texts[code]) for code in kept]
    return NextRound(indicators=kept, feedback=feedback)


FRAMEWORK_COLUMNS = ("level", "code", "parent", "name_zh", "name_en", "source", "reverse")


def kept_framework(framework_frame: pd.DataFrame, delphi: DelphiRound) -> pd.DataFrame:
    """Framework CSV rows (columns of data/framework.csv) of the indicators the round keeps.

    A row stays when its code was kept by the rule, or was not rated in the round, and none of
    its ancestors was dropped (children of a dropped parent go with it). Row order is kept.
    """
    missing = [c for c in FRAMEWORK_COLUMNS if c not in framework_frame.columns]
    if missing:
        raise DelphiError("error.delphi.framework_columns", missing=missing)
    frame = framework_frame.copy()
    frame["code"] = frame["code"].astype(str)
    parent = dict(zip(frame["code"], frame["parent"].astype(str), strict=True))
    dropped = set(delphi.indicators.index[~delphi.indicators["keep"]])

    def survives(code: str) -> bool:
        seen = set()
        while code in parent and code not in seen:
            if code in dropped:
                return False
            seen.add(code)
            code = parent[code]
        return code not in dropped

    keep = frame["code"].map(survives)
    return frame.loc[keep, list(FRAMEWORK_COLUMNS)].reset_index(drop=True)
