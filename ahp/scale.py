"""Saaty's fundamental scale of absolute numbers: values, parsing and verbal labels.

The scale runs over the integers 1..9 and their reciprocals 1/2..1/9 (17 values):
1 equal, 3 moderate, 5 strong, 7 very strong, 9 extreme importance, 2/4/6/8 intermediate.

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

import numpy as np

from ahp.errors import JudgmentError

__all__ = ["SAATY_VALUES", "nearest_saaty", "parse_judgment", "verbal_label"]

SAATY_VALUES: tuple[float, ...] = tuple(
    [1.0 / k for k in range(9, 1, -1)] + [float(k) for k in range(1, 10)]
)
"""The 17 values of Saaty's scale in increasing order: 1/9, 1/8, ..., 1/2, 1, 2, ..., 9."""

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
        raise JudgmentError(f"judgment {text!r} is not a number")
    if isinstance(text, int | float | np.integer | np.floating):
        return float(text)
    if not isinstance(text, str):
        raise JudgmentError(f"judgment {text!r} is not a number or a text like '1/3'")
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
            raise JudgmentError(f"judgment {text!r} divides by zero")
        return float(fraction.group(1)) / denominator
    raise JudgmentError(f"judgment {text!r} is not a number or a fraction like '1/3'")


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
        raise JudgmentError(f"judgment {x!r} is not a positive number")
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
