"""Internal-consistency reliability of the questionnaire: Cronbach's α and item analysis.

For a scale of k items answered by n respondents, with item covariance matrix C (k × k,
sample covariances, ddof = 1):

    α = k / (k − 1) · (1 − Σ_i C_ii / Σ_ij C_ij)                       (Cronbach 1951)

Σ_ij C_ij is the variance of the total score T = Σ_i x_i. Everything else comes from the same
matrix, so each scale needs one covariance computation:

* α if item i is deleted: the same formula on C without row and column i, whose trace is
  tr(C) − C_ii and whose grand sum is ΣC − 2 Σ_j C_ij + C_ii.
* corrected item-total (item-rest) correlation of item i with R_i = T − x_i:
  r_i = (Σ_j C_ij − C_ii) / sqrt(C_ii · var(R_i)), var(R_i) = ΣC − 2 Σ_j C_ij + C_ii.

Confidence interval (Feldt, Woodruff & Salih 1987, p. 95, formulas 6 and 7): with
F_p the p-quantile of the F distribution with n − 1 and (n − 1)(k − 1) degrees of freedom and
γ = 1 − confidence,

    lower = 1 − (1 − α) · F_{1−γ/2},    upper = 1 − (1 − α) · F_{γ/2}.

Missing answers: **listwise deletion** per scale. A respondent enters a scale's α only when they
answered every item of that scale, so each scale has its own n (a sub-indicator with 2 items
keeps more respondents than the 57-item overall scale). Items nobody answered are left out of a
scale with a warning. Pairwise covariances (pingouin's default) mix different samples and can
give a covariance matrix that is not positive semi-definite; listwise deletion keeps one sample
per scale, and that sample's n is the n of the Feldt interval.

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
*Psychometrika*, 16(3), 297–334.
Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for coefficient
alpha. *Applied Psychological Measurement*, 11(1), 93–103.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from i18n import Message, Term
from survey.errors import SurveyError

if TYPE_CHECKING:
    from ahp.hierarchy import Hierarchy
    from survey.responses import Responses

MIN_COMPLETE_CASES = 10
"""Below this many complete cases a scale's α is reported with a warning (too few to trust)."""

SCOPES: dict[str, str] = {"A": "overall", "B": "dimension", "C": "sub-indicator"}
"""Scope label of a scale by hierarchy level: the whole questionnaire, a B dimension, a C."""



class ReliabilityWarning(UserWarning):
    """A reliability problem that must not pass silently: a negative item-rest correlation, a
    negative α or an item with zero variance. Raised with :func:`warnings.warn` by
    :func:`reliability` (and kept in :attr:`ReliabilityResult.warnings`); the message names the
    item or scale (in English; the :class:`~i18n.Message` kept in the result gives either
    language)."""


SCALE_COLUMNS = ("scope", "code", "k", "n", "alpha", "ci_low", "ci_high")
ITEM_COLUMNS = ("scope", "code", "item", "alpha_if_deleted", "item_rest_r")


@dataclass(frozen=True)
class Alpha:
    """Cronbach's α of one scale with its Feldt confidence interval.

    ``n`` is the number of complete cases used (after listwise deletion), ``k`` the number of
    items. ``alpha``, ``ci_low`` and ``ci_high`` are NaN when fewer than 2 complete cases remain
    or the total score has zero variance.
    """

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    k: int


@dataclass(frozen=True)
class ReliabilityResult:
    """Reliability of the overall scale, of each dimension (B) and each sub-indicator (C).

    ``scales``: one row per scale with columns ``scope`` (``overall`` / ``dimension`` /
    ``sub-indicator``), ``code``, ``k``, ``n`` (complete cases), ``alpha``, ``ci_low``,
    ``ci_high``. ``items``: one row per item and scale with ``scope``, ``code``, ``item``,
    ``alpha_if_deleted`` (NaN for a 2-item scale) and ``item_rest_r`` (corrected item-total
    correlation). ``warnings``: :class:`~i18n.Message` s naming the item or scale (code and
    name); as a ``str`` each is the English line, ``localized(w, lang)`` gives it in ``lang``.
    """

    scales: pd.DataFrame
    items: pd.DataFrame
    warnings: list[Message] = field(default_factory=list)


def feldt_interval(
    alpha: float, n: int, k: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Feldt, Woodruff & Salih (1987) confidence interval for coefficient α.

    lower = 1 − (1 − α)·F_{1−γ/2}(n − 1, (n − 1)(k − 1)), upper = 1 − (1 − α)·F_{γ/2}(same df),
    γ = 1 − ``confidence`` (Feldt et al. 1987, p. 95, formulas 6 and 7). Returns NaNs when
    n < 2, k < 2 or α is NaN.
    """
    if not 0 < confidence < 1:
        raise SurveyError("error.arg.open_unit", name="confidence", value=confidence)
    if n < 2 or k < 2 or not np.isfinite(alpha):
        return float("nan"), float("nan")
    gamma = 1.0 - confidence
    dfn, dfd = n - 1, (n - 1) * (k - 1)
    from scipy import stats  # here, not at import: the app's first page needs no scipy.stats

    lower = 1.0 - (1.0 - alpha) * stats.f.ppf(1.0 - gamma / 2.0, dfn, dfd)
    upper = 1.0 - (1.0 - alpha) * stats.f.ppf(gamma / 2.0, dfn, dfd)
    return float(lower), float(upper)


def _as_matrix(matrix: np.ndarray | pd.DataFrame) -> np.ndarray:
    values = np.asarray(matrix, dtype=float)
    if values.ndim != 2:
        raise SurveyError("error.reliability.not_2d", function="cronbach_alpha", ndim=values.ndim)
    if values.shape[1] < 2:
        raise SurveyError("error.reliability.two_items", function="cronbach_alpha",
                          count=values.shape[1])
    return values


def _alpha_from_cov(
    k: np.ndarray | int, trace: np.ndarray | float, total: np.ndarray | float
) -> np.ndarray:
    """α = k/(k−1)·(1 − trace/total), NaN where total ≤ 0 or k < 2 (vectorized)."""
    k = np.asarray(k, dtype=float)
    trace = np.asarray(trace, dtype=float)
    total = np.asarray(total, dtype=float)
    ok = (total > 0) & (k >= 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = k / (k - 1.0) * (1.0 - trace / total)
    return np.where(ok, value, np.nan)


def cronbach_alpha(matrix: np.ndarray | pd.DataFrame, confidence: float = 0.95) -> Alpha:
    """Cronbach's α of a respondents × items matrix, with its Feldt confidence interval.

    α = k/(k − 1)·(1 − Σσ²_i / σ²_T) with sample variances (ddof = 1) (Cronbach 1951); the
    interval follows Feldt, Woodruff & Salih (1987), see :func:`feldt_interval`. Rows with a
    missing value (NaN) in any column are dropped first (listwise deletion); ``n`` counts the
    rows kept.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika*, 16(3), 297–334.
    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for coefficient
    alpha. *Applied Psychological Measurement*, 11(1), 93–103.
    """
    values = _as_matrix(matrix)
    complete = values[~np.isnan(values).any(axis=1)]
    n, k = complete.shape
    if n < 2:
        return Alpha(float("nan"), float("nan"), float("nan"), n, k)
    cov = np.cov(complete, rowvar=False)
    alpha = float(_alpha_from_cov(k, np.trace(cov), cov.sum()))
    low, high = feldt_interval(alpha, n, k, confidence)
    return Alpha(alpha, low, high, n, k)


@dataclass(frozen=True)
class _ItemStats:
    alpha: float
    n: int
    alpha_if_deleted: np.ndarray
    item_rest_r: np.ndarray


def _item_stats(values: np.ndarray) -> _ItemStats:
    """α, α-if-deleted and item-rest r of a complete-case matrix, from one covariance matrix."""
    n, k = values.shape
    if n < 2:
        empty = np.full(k, np.nan)
        return _ItemStats(float("nan"), n, empty, empty)
    cov = np.cov(values, rowvar=False)
    diag = np.diag(cov)
    total = cov.sum()
    row = cov.sum(axis=1)
    rest_var = total - 2.0 * row + diag  # var(T − x_i) = grand sum of C without item i
    alpha = float(_alpha_from_cov(k, diag.sum(), total))
    deleted = _alpha_from_cov(k - 1, diag.sum() - diag, rest_var)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (row - diag) / np.sqrt(diag * rest_var)
    r = np.where((diag > 0) & (rest_var > 0), r, np.nan)
    return _ItemStats(alpha, n, deleted, r)


def _scales(hierarchy: Hierarchy, present: list[str]) -> list[tuple[str, str, list[str]]]:
    """(scope, code, items) for the overall scale, each B and each C with ≥ 2 present items
    (α needs at least two items)."""
    present_set = set(present)
    scales = [(SCOPES["A"], hierarchy.root, list(present))] if len(present) >= 2 else []
    for level in ("B", "C"):
        if level not in hierarchy.levels or level == hierarchy.leaf_level:
            continue
        for code in hierarchy.codes(level):
            items = [
                item
                for item in hierarchy.items
                if item in present_set and hierarchy.ancestor(item, level) == code
            ]
            if len(items) >= 2:
                scales.append((SCOPES[level], code, items))
    return scales


def _label(hierarchy: Hierarchy, code: str) -> Term:
    """The node's code and name, in either language (``D4 题四`` / ``D4 Item four``; the code
    alone when the node has no name)."""
    en, zh = (hierarchy.name(code, lang) for lang in ("en", "zh"))
    return Term(f"{code} {en}" if en != code else code, f"{code} {zh}" if zh != code else code)


def _left_out(messages: list[Message], labels: list[Term], why: str) -> None:
    """Record items left out of every scale: one line per item, or one line for several
    (a partial column mapping can leave out dozens); ``why`` is ``absent`` or ``silent``."""
    if len(labels) == 1:
        messages.append(Message("reliability.left_out.one", item=labels[0],
                                why=Message(f"reliability.why.{why}")))
    elif labels:
        messages.append(Message("reliability.left_out.many", count=len(labels),
                                why=Message(f"reliability.why.{why}"), items=tuple(labels)))


def _loud(messages: list[Message], message: Message) -> None:
    """Record ``message`` and raise it as a :class:`ReliabilityWarning`.

    Called only by helpers that :func:`reliability` calls directly, so ``stacklevel=4``
    (this function, the helper, :func:`reliability`, its caller) points the warning at the
    caller of :func:`reliability`."""
    messages.append(message)
    warnings.warn(message, ReliabilityWarning, stacklevel=4)


def _answer_matrix(answers: pd.DataFrame, hierarchy: Hierarchy) -> tuple[list[str], np.ndarray]:
    """The framework's items that are columns of ``answers`` (framework order) and their
    respondents × items matrix of floats, NaN where unanswered; SurveyError when no item is."""
    known = [item for item in hierarchy.items if item in answers.columns]
    if not known:
        raise SurveyError("error.reliability.no_items", first=hierarchy.items[0],
                          last=hierarchy.items[-1])
    return known, answers[known].to_numpy(dtype=float, na_value=np.nan)


def _no_answers(respondents: int) -> ReliabilityResult:
    """Empty tables and one warning: nobody answered any item, so no α is computed."""
    return ReliabilityResult(
        scales=pd.DataFrame(columns=list(SCALE_COLUMNS)),
        items=pd.DataFrame(columns=list(ITEM_COLUMNS)),
        warnings=[Message("reliability.no_answers", count=respondents)],
    )


def _note_left_out_items(
    messages: list[Message],
    hierarchy: Hierarchy,
    columns: pd.Index,
    known: list[str],
    answered: np.ndarray,
) -> None:
    """Record the framework's items left out of every scale: those not among ``columns`` (the
    answers' columns), then those of ``known`` that nobody answered (``answered`` counts the
    answers of each)."""
    absent = [_label(hierarchy, item) for item in hierarchy.items if item not in columns]
    silent = [_label(hierarchy, i) for i, count in zip(known, answered, strict=True) if count == 0]
    _left_out(messages, absent, "absent")
    _left_out(messages, silent, "silent")


def _warn_zero_variance(
    messages: list[Message],
    hierarchy: Hierarchy,
    known: list[str],
    values: np.ndarray,
    answered: np.ndarray,
) -> None:
    """Loudly (:func:`_loud`) name every answered item whose answers are all the same
    (highest answer = lowest answer, i.e. sample variance 0): it adds nothing to α and its
    item-rest correlation is undefined (0/0)."""
    has_answers = answered > 0
    highest = np.full(len(known), np.nan)
    lowest = np.full(len(known), np.nan)
    highest[has_answers] = np.nanmax(values[:, has_answers], axis=0)
    lowest[has_answers] = np.nanmin(values[:, has_answers], axis=0)
    for item, top, bottom in zip(known, highest, lowest, strict=True):
        if top == bottom:
            _loud(messages, Message("reliability.zero_variance", item=_label(hierarchy, item),
                                    value=f"{top:g}"))


def _complete_cases(values: np.ndarray, columns: list[int]) -> np.ndarray:
    """The ``columns`` of the answer matrix, without the rows that miss any of them (listwise
    deletion per scale, see the module docstring)."""
    block = values[:, columns]
    return block[~np.isnan(block).any(axis=1)]


def _scale_row(
    scope: str, code: str, k: int, res: _ItemStats, confidence: float
) -> dict[str, object]:
    """One row of the scales table: ``scope``, ``code``, ``k`` items, ``n`` complete cases, α
    and its Feldt, Woodruff & Salih (1987) interval at ``confidence``
    (:func:`feldt_interval`: 1 − (1 − α)·F_{1−γ/2} and 1 − (1 − α)·F_{γ/2} with
    n − 1 and (n − 1)(k − 1) degrees of freedom)."""
    low, high = feldt_interval(res.alpha, res.n, k, confidence)
    return {"scope": scope, "code": code, "k": k, "n": res.n,
            "alpha": res.alpha, "ci_low": low, "ci_high": high}


def _item_rows(scope: str, code: str, items: list[str], res: _ItemStats) -> pd.DataFrame:
    """The items table's rows of one scale: α if item deleted and item-rest r of each item."""
    return pd.DataFrame(
        {"scope": scope, "code": code, "item": items,
         "alpha_if_deleted": res.alpha_if_deleted, "item_rest_r": res.item_rest_r}
    )


def _check_scale(
    messages: list[Message],
    hierarchy: Hierarchy,
    scope: str,
    code: str,
    items: list[str],
    res: _ItemStats,
) -> None:
    """Warnings of one scale, in this order: fewer than :data:`MIN_COMPLETE_CASES` complete
    cases (recorded only); then, loudly (:func:`_loud`), a negative α (naming the items with a
    negative item-rest r) and each item with a negative item-rest correlation."""
    where = Message(f"reliability.scale.{scope}", label=_label(hierarchy, code))
    if res.n < MIN_COMPLETE_CASES:
        messages.append(Message("reliability.few_cases", scale=where, n=res.n, k=len(items)))
    if np.isfinite(res.alpha) and res.alpha < 0:
        against = [item for item, r in zip(items, res.item_rest_r, strict=True) if r < 0]
        suspects = Message("reliability.suspects", items=tuple(against)) if against else ""
        _loud(messages, Message("reliability.negative_alpha", scale=where,
                                alpha=float(res.alpha), suspects=suspects))
    for item, r in zip(items, res.item_rest_r, strict=True):
        if np.isfinite(r) and r < 0:
            _loud(messages, Message("reliability.negative_r", item=_label(hierarchy, item),
                                    r=float(r), scale=where))


def _result(
    scale_rows: list[dict[str, object]], item_frames: list[pd.DataFrame],
    messages: list[Message],
) -> ReliabilityResult:
    """Assemble the scales table (``k`` and ``n`` as int), the items table (empty, with its
    columns, when no scale has 2 items) and the warnings."""
    scales = pd.DataFrame(scale_rows, columns=list(SCALE_COLUMNS))
    scales["k"] = scales["k"].astype(int)
    scales["n"] = scales["n"].astype(int)
    items_table = (
        pd.concat(item_frames, ignore_index=True)
        if item_frames
        else pd.DataFrame(columns=list(ITEM_COLUMNS))
    )
    return ReliabilityResult(scales=scales, items=items_table, warnings=messages)


def reliability(
    responses: Responses, hierarchy: Hierarchy, confidence: float = 0.95
) -> ReliabilityResult:
    """Cronbach's α with Feldt CI for the whole questionnaire, each dimension B and each C.

    Scales: all items (scope ``overall``, code = the goal), the items under each B
    (``dimension``) and under each C with at least 2 items (``sub-indicator``). Per scale,
    listwise deletion (see the module docstring), one covariance matrix C, and from it
    α = k/(k − 1)·(1 − tr C / ΣC) (Cronbach 1951), α if item deleted and the corrected
    item-total (item-rest) correlation; the interval is Feldt, Woodruff & Salih (1987),
    :func:`feldt_interval`.

    Warnings (``ReliabilityResult.warnings``), each naming the item or scale: negative
    item-rest correlation (a reversed item not recoded?), negative α, an item with zero variance
    (everyone gave the same answer), an item missing from the data or nobody answered, and a
    scale with fewer than :data:`MIN_COMPLETE_CASES` complete cases. The first three are also
    raised as :class:`ReliabilityWarning` (common implementations stay silent about them).
    """
    answers = responses.answers
    known, values = _answer_matrix(answers, hierarchy)
    answered = (~np.isnan(values)).sum(axis=0)
    messages: list[Message] = []
    if not answered.any():
        return _no_answers(len(answers))
    _note_left_out_items(messages, hierarchy, answers.columns, known, answered)
    present = [item for item, count in zip(known, answered, strict=True) if count > 0]
    column = {item: i for i, item in enumerate(known)}
    _warn_zero_variance(messages, hierarchy, known, values, answered)

    scale_rows: list[dict[str, object]] = []
    item_frames: list[pd.DataFrame] = []
    for scope, code, items in _scales(hierarchy, present):
        res = _item_stats(_complete_cases(values, [column[i] for i in items]))
        scale_rows.append(_scale_row(scope, code, len(items), res, confidence))
        item_frames.append(_item_rows(scope, code, items, res))
        _check_scale(messages, hierarchy, scope, code, items, res)
    return _result(scale_rows, item_frames, messages)
