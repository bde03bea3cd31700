"""Saaty's fundamental scale of absolute numbers: values, parsing and verbal labels.

The scale runs over the integers 1..9 and their reciprocals 1/2..1/9 (17 values):
1 equal, 3 moderate, 5 strong, 7 very strong, 9 extreme importance, 2/4/6/8 intermediate.

Which entered judgments are admissible is decided here, once, for every entry point
(:class:`ahp.matrix.JudgmentMatrix` / :func:`ahp.matrix.validate_array`,
:class:`ahp.panel.PanelJudgments`, the expert workbooks and the judgment store):

* Saaty's scale (the default): a value within :data:`SCALE_TOL` (5 % on the log scale) of one
  of the 17 values, so that decimals typed for reciprocals (0.33, 0.17, 0.14, 0.11) pass;
* the extended scale (``extended_scale=True``): any value in [1/9, 9] (relative tolerance
  1e-6 at the bounds), e.g. 2.5 or 3/4.

Layers that store judgments (the panel, the store) also snap an admissible value to the scale
value within 5 % (:func:`snap_to_scale`, 0.33 → 1/3); a :class:`~ahp.matrix.JudgmentMatrix`
keeps its values as given. Computations on plain arrays (:func:`ahp.matrix.as_array`, used by
priorities, consistency and aggregation) check no scale at all, since a group mean or a
perturbed matrix need not lie on it.

References
----------
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
Saaty, T. L. (2008). Decision making with the analytic hierarchy process.
*International Journal of Services Sciences*, 1(1), 83-98, Table 1.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

import numpy as np

from ahp.errors import JudgmentError

__all__ = [
    "EXTENDED_BOUNDS",
    "SAATY_VALUES",
    "SCALE_TOL",
    "nearest_saaty",
    "off_scale",
    "parse_judgment",
    "snap_to_scale",
    "verbal_label",
]

SAATY_VALUES: tuple[float, ...] = tuple(
    [1.0 / k for k in range(9, 1, -1)] + [float(k) for k in range(1, 10)]
)
"""The 17 values of Saaty's scale in increasing order: 1/9, 1/8, ..., 1/2, 1, 2, ..., 9."""

SCALE_TOL = 0.05
"""Largest distance ``|ln a - ln v|`` at which a judgment ``a`` counts as the scale value ``v``.
Neighbouring scale values are at least ``ln(9/8) ≈ 0.118`` apart, so at most one matches."""

EXTENDED_BOUNDS: tuple[float, float] = ((1.0 / 9.0) * (1 - 1e-6), 9.0 * (1 + 1e-6))
"""Admissible range of the extended scale: [1/9, 9] with a relative tolerance of 1e-6."""

_LOG_SAATY = np.log(np.asarray(SAATY_VALUES))

_MISSING_TEXT = frozenset({"", "nan", "none", "na", "n/a", "-", "?"})
_NUMBER = r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+"
_FRACTION = re.compile(rf"^\s*({_NUMBER})\s*/\s*({_NUMBER})\s*$")
_PLAIN = re.compile(rf"^\s*({_NUMBER})\s*$")

_LABELS: dict[str, tuple[str, ...]] = {
    "zh": (
        "同等重要",
        "介于同等重要与稍微重要之间",
        "稍微重要",
        "介于稍微重要与明显重要之间",
        "明显重要",
        "介于明显重要与强烈重要之间",
        "强烈重要",
        "介于强烈重要与极端重要之间",
        "极端重要",
    ),
    "en": (
        "equal importance",
        "between equal and moderate importance",
        "moderate importance",
        "between moderate and strong importance",
        "strong importance",
        "between strong and very strong importance",
        "very strong importance",
        "between very strong and extreme importance",
        "extreme importance",
    ),
}
_REVERSED = {"zh": "（列元素相对行元素）{}", "en": "{} of the column element over the row element"}


def parse_judgment(text: str | float | int | None) -> float:
    """Parse one pairwise judgment such as ``"3"``, ``"1/3"``, ``"0.5"`` or ``"１／３"``.

    Full-width digits and slashes (common in Chinese input) are normalised with Unicode NFKC.
    Numbers pass through as floats. ``None``, NaN and blank text (also ``"-"``, ``"?"``,
    ``"NA"``) mean a missing judgment and give NaN. The value is not checked against the
    scale here (see :func:`ahp.matrix.validate_array`).

    Raises
    ------
    JudgmentError
        If the text is not a number or a fraction ``p/q``, or ``q`` is zero.
    """
    if text is None:
        return math.nan
    if isinstance(text, bool):
        raise JudgmentError("ahp.scale.not_number", value=repr(text))
    if isinstance(text, int | float | np.integer | np.floating):
        return float(text)
    if not isinstance(text, str):
        raise JudgmentError("ahp.scale.not_text", value=repr(text))
    normalised = unicodedata.normalize("NFKC", text).replace("÷", "/").strip()
    if normalised.lower() in _MISSING_TEXT:
        return math.nan
    plain = _PLAIN.match(normalised)
    if plain:
        return float(plain.group(1))
    fraction = _FRACTION.match(normalised)
    if fraction:
        denominator = float(fraction.group(2))
        if denominator == 0:
            raise JudgmentError("ahp.scale.zero_division", value=repr(text))
        return float(fraction.group(1)) / denominator
    raise JudgmentError("ahp.scale.not_fraction", value=repr(text))


def nearest_saaty(x: float) -> float:
    """The value of Saaty's scale nearest to ``x`` on the logarithmic scale.

    Distances are measured between ``log x`` and ``log v`` (judgments are ratios, so 1/2 and 2
    are equally far from 1).

    Raises
    ------
    JudgmentError
        If ``x`` is not a positive finite number.
    """
    value = float(x)
    if not (math.isfinite(value) and value > 0):
        raise JudgmentError("ahp.scale.not_positive", value=repr(x))
    return SAATY_VALUES[int(np.argmin(np.abs(_LOG_SAATY - math.log(value))))]


def verbal_label(value: float, lang: str = "zh") -> str:
    """Saaty's verbal description of a judgment value (Saaty 2008, Table 1).

    ``value`` is rounded to the nearest scale value first (:func:`nearest_saaty`). Values below
    one describe the importance of the column element over the row element. ``lang`` is
    ``"zh"`` (同等重要 … 极端重要) or ``"en"`` (equal … extreme importance).
    """
    if lang not in _LABELS:
        raise ValueError(f"lang must be one of {sorted(_LABELS)}, not {lang!r}")
    nearest = nearest_saaty(value)
    if nearest >= 1:
        return _LABELS[lang][round(nearest) - 1]
    return _REVERSED[lang].format(_LABELS[lang][round(1 / nearest) - 1])


def _nearest_and_close(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest scale value (by rounding ``max(a, 1/a)`` to an integer 1..9) and whether it is
    within :data:`SCALE_TOL`. A value within 5 % of an integer ``m <= 9`` lies within
    ``0.46`` of it, so rounding finds ``m``; NaN and non-positive values are never close."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(values >= 1, values, 1.0 / values)
        whole = np.clip(np.rint(ratio), 1.0, 9.0)
        close = np.abs(np.log(ratio / whole)) <= SCALE_TOL
        nearest = np.where(values >= 1, whole, 1.0 / whole)
    return nearest, close


def off_scale(values: Any, extended_scale: bool = False) -> np.ndarray:
    """Boolean mask of the given judgments that are not admissible (NaN = missing, never off).

    Without ``extended_scale`` a judgment is admissible when ``|ln a - ln v| <=``
    :data:`SCALE_TOL` for one of the 17 values ``v`` of Saaty's scale; with it, when
    ``1/9 <= a <= 9`` (:data:`EXTENDED_BOUNDS`). Zero, negative and infinite values are off.
    """
    array = np.asarray(values, dtype=float)
    given = ~np.isnan(array)
    if extended_scale:
        low, high = EXTENDED_BOUNDS
        return given & ~((array >= low) & (array <= high))
    return given & ~_nearest_and_close(array)[1]


def snap_to_scale(values: Any) -> np.ndarray:
    """Replace each value within :data:`SCALE_TOL` of a Saaty value by that value (0.33 → 1/3,
    8.6 → 9); other values, NaN included, are returned unchanged."""
    array = np.asarray(values, dtype=float)
    nearest, close = _nearest_and_close(array)
    return np.where(close, nearest, array)
