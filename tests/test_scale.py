"""Tests of ahp.scale: Saaty's scale values, parsing, nearest value and verbal labels."""

import math

import numpy as np
import pytest

from ahp import JudgmentError
from ahp.scale import (
    EXTENDED_BOUNDS,
    SAATY_VALUES,
    SCALE_TOL,
    nearest_saaty,
    off_scale,
    parse_judgment,
    snap_to_scale,
    verbal_label,
)


def test_saaty_values_are_the_17_scale_values() -> None:
    assert len(SAATY_VALUES) == 17
    assert list(SAATY_VALUES) == sorted(SAATY_VALUES)
    assert SAATY_VALUES[0] == pytest.approx(1 / 9)
    assert SAATY_VALUES[8] == 1.0
    assert SAATY_VALUES[-1] == 9.0
    for low, high in zip(SAATY_VALUES[:8], SAATY_VALUES[::-1][:8], strict=True):
        assert low * high == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3.0),
        (" 1/3 ", 1 / 3),
        ("1 / 7", 1 / 7),
        ("１／３", 1 / 3),
        ("１/５", 1 / 5),
        ("５", 5.0),
        ("0.5", 0.5),
        ("2.", 2.0),
        (".25", 0.25),
        ("1÷4", 0.25),
        (7, 7.0),
        (0.2, 0.2),
    ],
)
def test_parse_judgment_values(text: str | float, expected: float) -> None:
    assert parse_judgment(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", [None, "", "  ", "-", "?", "NA", "nan", math.nan])
def test_parse_judgment_missing_gives_nan(text: object) -> None:
    assert math.isnan(parse_judgment(text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", r"judgment 'abc' is not a number or a fraction like '1/3'"),
        ("1/0", r"judgment '1/0' divides by zero"),
        ("3/", r"judgment '3/' is not a number"),
        ("-3", r"judgment '-3' is not a number"),
        ("1/3/4", r"judgment '1/3/4' is not a number"),
        (True, r"judgment True is not a number"),
        ([3], r"judgment \[3\] is not a number or a text like '1/3'"),
    ],
)
def test_parse_judgment_rejects_bad_text(text: object, message: str) -> None:
    with pytest.raises(JudgmentError, match=message):
        parse_judgment(text)


@pytest.mark.parametrize(
    ("x", "expected"),
    [(3.0, 3.0), (2.9, 3.0), (0.3, 1 / 3), (0.9, 1.0), (12.0, 9.0), (0.01, 1 / 9), (1.4, 1.0),
     (1.45, 2.0)],
)
def test_nearest_saaty_uses_log_distance(x: float, expected: float) -> None:
    assert nearest_saaty(x) == pytest.approx(expected)


@pytest.mark.parametrize("x", [0.0, -2.0, math.nan, math.inf])
def test_nearest_saaty_rejects_non_positive(x: float) -> None:
    with pytest.raises(JudgmentError, match="is not a positive number"):
        nearest_saaty(x)


def test_verbal_labels_in_both_languages() -> None:
    assert verbal_label(1) == "同等重要"
    assert verbal_label(9) == "极端重要"
    assert verbal_label(5, "en") == "strong importance"
    assert verbal_label(4, "en") == "between moderate and strong importance"
    assert verbal_label(1 / 7, "en") == (
        "very strong importance of the column element over the row element"
    )
    assert verbal_label(1 / 3, "zh") == "（列元素相对行元素）稍微重要"


def test_verbal_label_rejects_unknown_language() -> None:
    with pytest.raises(ValueError, match="lang must be one of"):
        verbal_label(3, "fr")


CANDIDATES = [1 / 9.5, 1 / 9, 0.115, 0.14, 0.2, 0.33, 0.45, 0.75, 1, 1.04, 1.06, 1.3, 2.08,
              2.5, 3.3, 8.6, 9, 9.2, 9.4, 10, 0, -1, math.inf]


@pytest.mark.parametrize("value", CANDIDATES)
def test_off_scale_within_five_percent_of_a_saaty_value(value: float) -> None:
    close = value > 0 and math.isfinite(value) and min(
        abs(math.log(value / v)) for v in SAATY_VALUES
    ) <= SCALE_TOL
    assert bool(off_scale(value)) is not close
    inside = EXTENDED_BOUNDS[0] <= value <= EXTENDED_BOUNDS[1]
    assert bool(off_scale(value, extended_scale=True)) is not inside


def test_off_scale_masks_arrays_and_ignores_missing() -> None:
    values = np.array([[3, 2.5, np.nan], [0.33, 12, 1 / 7]])
    assert off_scale(values).tolist() == [[False, True, False], [False, True, False]]
    assert off_scale(values, extended_scale=True).tolist() == [
        [False, False, False],
        [False, True, False],
    ]


def test_snap_to_scale() -> None:
    values = np.array([0.33, 0.14, 0.17, 0.11, 8.6, 9.4, 2.5, 1.06, np.nan, 0.0])
    snapped = snap_to_scale(values)
    expected = [1 / 3, 1 / 7, 1 / 6, 1 / 9, 9, 9, 2.5, 1.06, np.nan, 0.0]
    np.testing.assert_array_equal(snapped, expected)
    np.testing.assert_array_equal(snap_to_scale(np.asarray(SAATY_VALUES)), SAATY_VALUES)
    assert [float(snap_to_scale(x)) for x in (2.9, 0.32)] == [nearest_saaty(2.9), 1 / 3]
