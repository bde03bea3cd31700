"""Importance–performance analysis: quadrants, cuts, the improve-first list."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.methods import MethodError, improve_first, ipa

IMPORTANCE = pd.Series({"D1": 0.30, "D2": 0.25, "D3": 0.10, "D4": 0.05, "D5": 0.30})
PERFORMANCE = pd.Series({"D1": 4.2, "D2": 3.1, "D3": 3.0, "D4": 4.5, "D5": 3.4})


def test_quadrants_with_mean_cuts():
    table = ipa(IMPORTANCE, PERFORMANCE)
    # importance mean 0.2, performance mean 3.64
    assert table["importance_cut"].iloc[0] == pytest.approx(0.2)
    assert table["performance_cut"].iloc[0] == pytest.approx(3.64)
    assert table["quadrant"].to_dict() == {
        "D1": "I",
        "D2": "II",
        "D3": "III",
        "D4": "IV",
        "D5": "II",
    }
    assert table.loc["D2", "label_zh"] == "重点改进"
    assert table.loc["D4", "label_en"] == "Possible overkill"


def test_improve_first_ordered_by_weighted_gap():
    first = improve_first(ipa(IMPORTANCE, PERFORMANCE))
    # weighted gaps: D2 0.25 × 0.54 = 0.135, D5 0.30 × 0.24 = 0.072
    assert list(first.index) == ["D2", "D5"]
    assert first.loc["D2", "weighted_gap"] == pytest.approx(0.135)


def test_cut_at_value_counts_as_high_and_numeric_or_median_cuts():
    table = ipa(IMPORTANCE, PERFORMANCE, importance_cut=0.3, performance_cut="median")
    assert table.loc["D1", "quadrant"] == "I"  # 0.30 ≥ 0.3, 4.2 ≥ median 3.4
    assert table.loc["D5", "quadrant"] == "I"  # on both cuts


def test_per_community_blocks():
    values = PERFORMANCE.to_numpy()
    perf = pd.DataFrame(
        [values, values[::-1]], index=["甲社区", "乙社区"], columns=PERFORMANCE.index
    )
    table = ipa(IMPORTANCE, perf)
    assert table.index.names == ["community", "item"]
    assert set(table.index.get_level_values(0)) == {"甲社区", "乙社区"}
    first = improve_first(table)
    assert set(first["quadrant"]) == {"II"}
    assert list(pd.unique(first.index.get_level_values(0))) == ["甲社区", "乙社区"]


def test_bad_input():
    with pytest.raises(MethodError, match="no performance for"):
        ipa(IMPORTANCE, PERFORMANCE.drop("D3"))
    with pytest.raises(MethodError, match="performance_cut"):
        ipa(IMPORTANCE, PERFORMANCE, performance_cut="mode")
    with pytest.raises(MethodError, match="item 'D2'"):
        ipa(IMPORTANCE, PERFORMANCE.mask(PERFORMANCE.index == "D2"))
