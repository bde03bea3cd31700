"""survey.item_analysis: critical ratio and corrected item-total correlation.

No printed SPSS/SPSSAU item-analysis example with its raw data was found in time; the t tests are
checked against scipy.stats.ttest_ind (Student and Welch), the item-rest r against
numpy.corrcoef, and the grouping against a hand-worked example.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from survey.errors import SurveyError
from survey.item_analysis import ItemAnalysisWarning, item_analysis


def _survey(n=200, seed=4):
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    good = {f"q{i}": np.clip(np.round(3 + trait + rng.normal(size=n) * 0.7), 1, 5)
            for i in range(1, 6)}
    noise = np.clip(np.round(3 + rng.normal(size=n)), 1, 5)
    return pd.DataFrame({**good, "noise": noise})


def test_groups_t_tests_and_item_rest_r():
    data = _survey()
    with pytest.warns(ItemAnalysisWarning, match="noise"):
        result = item_analysis(data, variance="student")
    total = data.sum(axis=1)
    cut = int(np.ceil(0.27 * len(data)))
    low_cut, high_cut = np.sort(total)[cut - 1], np.sort(total)[len(data) - cut]
    high, low = data[total >= high_cut], data[total <= low_cut]
    assert (result.n_high, result.n_low) == (len(high), len(low))
    for item in data.columns:
        t = stats.ttest_ind(high[item], low[item])
        assert result.table.loc[item, "t"] == pytest.approx(t.statistic)
        assert result.table.loc[item, "pvalue"] == pytest.approx(t.pvalue)
        r = np.corrcoef(data[item], total - data[item])[0, 1]
        assert result.table.loc[item, "item_rest_r"] == pytest.approx(r)
    assert not result.table.loc["q1":"q5", "cr_flag"].any()
    assert result.table.loc["noise", "item_rest_flag"] == "poor"
    assert any(w.startswith("noise:") for w in result.warnings)


def test_welch_and_levene_choice():
    data = _survey()
    with pytest.warns(ItemAnalysisWarning):
        welch = item_analysis(data, variance="welch")
    with pytest.warns(ItemAnalysisWarning):
        auto = item_analysis(data)
    total = data.sum(axis=1)
    high = data[total >= welch.high_cutoff]
    low = data[total <= welch.low_cutoff]
    t = stats.ttest_ind(high["q1"], low["q1"], equal_var=False)
    assert welch.table.loc["q1", "t"] == pytest.approx(t.statistic)
    lev = stats.levene(high["q1"], low["q1"], center="mean").pvalue
    assert auto.table.loc["q1", "test"] == ("welch" if lev < 0.05 else "student")


def test_hand_worked_grouping_with_ties():
    data = pd.DataFrame({"a": [1, 2, 2, 3, 4, 4, 5, 5, 1, 3], "b": [1, 1, 2, 3, 4, 5, 5, 4, 2, 3]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ItemAnalysisWarning)
        result = item_analysis(data)
    # totals 2 3 4 6 8 9 10 9 3 6; ⌈2.7⌉ = 3 → low cut 3 (2, 3, 3), high cut 9 (10, 9, 9)
    assert (result.low_cutoff, result.high_cutoff) == (3.0, 9.0)
    assert (result.n_low, result.n_high) == (3, 3)


def test_missing_answers_listwise_and_bad_input():
    data = _survey()
    data.iloc[0, 0] = np.nan
    with pytest.warns(ItemAnalysisWarning):
        result = item_analysis(data)
    assert (result.n, result.dropped) == (199, 1)
    with pytest.raises(SurveyError, match="at least 4 respondents"):
        item_analysis(data.iloc[:3])
    with pytest.raises(SurveyError, match="too tied"):
        item_analysis(pd.DataFrame({"a": [3] * 10, "b": [3] * 10}))


def test_constant_item_is_named():
    data = _survey().drop(columns="noise").assign(flat=3.0)
    with pytest.warns(ItemAnalysisWarning, match="flat: every respondent gave the same answer"):
        result = item_analysis(data)
    assert result.warnings == [w for w in result.warnings if w.startswith("flat")]

