"""Item analysis of a questionnaire: critical ratio and corrected item-total correlation.

Missing answers: **listwise deletion** (a respondent enters only when they answered every item),
so the total score T = Σ_i x_i is comparable across respondents.

Critical ratio (CR, 决断值; Kelley's 27 % extreme groups): respondents are ranked by T; the low
group is everyone with T at or below the score of the respondent ranked at 27 % from the bottom
(⌈0.27 n⌉-th lowest), the high group everyone at or above the ⌈0.27 n⌉-th highest score (ties at
the cut-off are included, as in the usual SPSS recoding by cut-off score). For each item an
independent-samples t test compares the high and the low group, t = (x̄_H − x̄_L) / SE. Which t
is the SPSS convention of reading the two rows of its independent-samples table: Levene's test
(mean-centred, α = 0.05) decides; equal variances not rejected → Student's t (pooled SD,
df = n_H + n_L − 2), rejected → Welch's t (Welch–Satterthwaite df). ``variance="student"`` or
``"welch"`` forces one. An item is flagged when p ≥ 0.05 or t < 3 (the customary CR ≥ 3 rule).

Corrected item-total correlation: r between item i and the rest score T − x_i. Flagged weak when
r < 0.4 and poor when r < 0.3 (thresholds configurable; both conventions are in use).

References
----------
Kelley, T. L. (1939). The selection of upper and lower groups for the validation of test items.
*Journal of Educational Psychology*, 30(1), 17–24.
Levene, H. (1960). Robust tests for equality of variances. In I. Olkin (Ed.), *Contributions to
Probability and Statistics* (pp. 278–292). Stanford University Press.
Welch, B. L. (1947). The generalization of "Student's" problem when several different population
variances are involved. *Biometrika*, 34, 28–35.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from survey._lazy import lazy_module
from survey.errors import SurveyError

stats = lazy_module("scipy.stats")  # loaded on first use

VARIANCE_RULES = ("levene", "student", "welch")
COLUMNS = ("mean_high", "mean_low", "t", "df", "pvalue", "test", "cr_flag", "item_rest_r",
           "item_rest_flag")


class ItemAnalysisWarning(UserWarning):
    """A weak item (critical ratio or item-rest correlation); the message names the item."""


@dataclass(frozen=True)
class ItemAnalysis:
    """Item analysis per item (index: item) with ``mean_high``, ``mean_low``, ``t``, ``df``,
    ``pvalue``, ``test`` ("student" / "welch"), ``cr_flag`` (p ≥ α or t < ``min_cr``),
    ``item_rest_r`` and ``item_rest_flag`` ("", "weak", "poor"); ``n`` complete respondents,
    ``n_high``, ``n_low``, ``high_cutoff``, ``low_cutoff`` (total scores), ``dropped``
    (respondents left out for missing answers) and ``warnings`` naming each weak item."""

    table: pd.DataFrame
    n: int
    n_high: int
    n_low: int
    high_cutoff: float
    low_cutoff: float
    dropped: int
    warnings: list[str] = field(default_factory=list)


def _t_tests(high: np.ndarray, low: np.ndarray, variance: str, alpha: float
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    n1, n2 = len(high), len(low)
    v1, v2 = high.var(axis=0, ddof=1), low.var(axis=0, ddof=1)
    diff = high.mean(axis=0) - low.mean(axis=0)
    if variance == "levene":
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lev = np.array([stats.levene(high[:, i], low[:, i], center="mean").pvalue
                            for i in range(high.shape[1])])
        welch = lev < alpha
    else:
        welch = np.full(high.shape[1], variance == "welch")
    pooled = ((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)
    se_student = np.sqrt(pooled * (1.0 / n1 + 1.0 / n2))
    se_welch = np.sqrt(v1 / n1 + v2 / n2)
    with np.errstate(invalid="ignore", divide="ignore"):
        df_welch = (v1 / n1 + v2 / n2) ** 2 / (
            (v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
        t = diff / np.where(welch, se_welch, se_student)
    df = np.where(welch, df_welch, float(n1 + n2 - 2))
    p = 2.0 * stats.t.sf(np.abs(t), df)
    return t, df, p, ["welch" if w else "student" for w in welch]


def item_analysis(
    data: pd.DataFrame,
    *,
    share: float = 0.27,
    variance: str = "levene",
    alpha: float = 0.05,
    min_cr: float = 3.0,
    weak_r: float = 0.4,
    poor_r: float = 0.3,
) -> ItemAnalysis:
    """Critical ratio (27 % extreme groups, t test) and corrected item-total correlation per
    item of ``data`` (respondents × items; formulas and conventions in the module docstring).

    Weak items are named in ``warnings`` and raised as :class:`ItemAnalysisWarning`.
    """
    if variance not in VARIANCE_RULES:
        raise SurveyError("error.arg.one_of", name="variance", choices=str(VARIANCE_RULES),
                          value=repr(variance))
    if not 0 < share <= 0.5:
        raise SurveyError("error.arg.in_range", name="share", interval="(0, 0.5]", value=share)
    if not isinstance(data, pd.DataFrame):
        data = pd.DataFrame(np.asarray(data, dtype=float))
    items = [str(c) for c in data.columns]
    values = data.to_numpy(dtype=float, na_value=np.nan)
    complete = values[~np.isnan(values).any(axis=1)]
    n, k = complete.shape
    if k < 2:
        raise SurveyError("error.items.two_items", count=k)
    if n < 4:
        raise SurveyError("error.items.four_respondents", n=n, total=len(values))
    total = complete.sum(axis=1)
    cut = max(math.ceil(share * n), 2)
    ordered = np.sort(total)
    low_cutoff, high_cutoff = float(ordered[cut - 1]), float(ordered[n - cut])
    low, high = complete[total <= low_cutoff], complete[total >= high_cutoff]
    messages: list[str] = []
    if low_cutoff >= high_cutoff:
        raise SurveyError("error.items.groups_overlap", share=share, low=f"{low_cutoff:g}",
                          high=f"{high_cutoff:g}")
    t, df, p, test = _t_tests(high, low, variance, alpha)
    rest = total[:, None] - complete
    centred_x = complete - complete.mean(axis=0)
    centred_r = rest - rest.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (centred_x * centred_r).sum(axis=0) / np.sqrt(
            (centred_x**2).sum(axis=0) * (centred_r**2).sum(axis=0))
    cr_flag = ~(p < alpha) | ~(t >= min_cr)
    level = np.where(r < poor_r, "poor", np.where(r < weak_r, "weak", ""))
    level = np.where(np.isnan(r), "poor", level)
    table = pd.DataFrame(
        {"mean_high": high.mean(axis=0), "mean_low": low.mean(axis=0), "t": t, "df": df,
         "pvalue": p, "test": test, "cr_flag": cr_flag, "item_rest_r": r,
         "item_rest_flag": level},
        index=pd.Index(items, name="item"),
    )
    for i, item in enumerate(items):
        if complete[:, i].std() == 0:
            messages.append(f"{item}: every respondent gave the same answer; the item cannot "
                            "discriminate / 该题所有样本作答相同，无区分度")
            continue
        if cr_flag[i]:
            messages.append(
                f"{item}: critical ratio t = {t[i]:.2f} (p = {p[i]:.3f}) does not separate the "
                f"high and low {share:.0%} groups (needs p < {alpha:g} and t ≥ {min_cr:g}); "
                "consider dropping it / 该题决断值不达标，建议删除"
            )
        if level[i]:
            bound = poor_r if level[i] == "poor" else weak_r
            messages.append(
                f"{item}: corrected item-total correlation r = {r[i]:.3f} < {bound:g} "
                f"({level[i]}) / 该题校正的题总相关系数偏低"
            )
    for message in messages:
        warnings.warn(message, ItemAnalysisWarning, stacklevel=2)
    return ItemAnalysis(
        table=table[list(COLUMNS)], n=n, n_high=len(high), n_low=len(low),
        high_cutoff=high_cutoff, low_cutoff=low_cutoff, dropped=len(values) - n,
        warnings=messages,
    )
