"""Kendall's W (delphi.kendall) against published values.

* irr's ``anxiety`` data (20 subjects × 3 raters, ratings 1–6, with ties), as printed in the
  examples of DescTools::KendallW / kendallW (the function formerly irr::kendall, "integrated
  without logical changes"): ``KendallW(anxiety, TRUE, test=TRUE)`` → W = 0.5396569,
  Kendall χ² = 30.76, df = 19, p-value = 0.04288.
* Siegel & Castellan (1988) holiday-attribute example (8 objects × 3 raters, no ties), as
  printed by the same examples: W = 0.6560847, χ² = 13.778, df = 7, p-value = 0.05528 (equal to
  friedman.test).
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from delphi import DelphiError, kendall_w

ANXIETY = pd.DataFrame({
    "rater1": [3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3],
    "rater2": [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4],
    "rater3": [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2],
})
ATTRIBUTES = np.array([[5, 1, 4], [6, 7, 5], [7, 6, 1], [1, 2, 3], [2, 3, 2], [4, 5, 7],
                       [3, 4, 6], [8, 8, 8]])


def test_anxiety_with_tie_correction():
    result = kendall_w(ANXIETY, ties=True)
    assert round(result.w, 7) == 0.5396569
    assert round(result.statistic, 2) == 30.76
    assert result.df == 19
    assert round(result.pvalue, 5) == 0.04288
    assert (result.n, result.m) == (20, 3)


def test_anxiety_without_correction_is_smaller():
    corrected, plain = kendall_w(ANXIETY), kendall_w(ANXIETY, ties=False)
    assert plain.w < corrected.w
    assert plain.statistic == pytest.approx(3 * 19 * plain.w)


def test_siegel_castellan_attributes():
    result = kendall_w(ATTRIBUTES)
    assert round(result.w, 7) == 0.6560847
    assert round(result.statistic, 3) == 13.778
    assert result.df == 7
    assert round(result.pvalue, 5) == 0.05528
    assert kendall_w(ATTRIBUTES, ties=False).w == pytest.approx(result.w)


def test_blank_rater_is_dropped_and_named():
    ratings = ANXIETY.astype(float).assign(rater4=np.nan)
    ratings.loc[3, "rater4"] = 2.0
    result = kendall_w(ratings)
    assert result.dropped == ("rater4",)
    assert result.w == pytest.approx(kendall_w(ANXIETY).w)


def test_single_rater_is_an_error():
    with pytest.raises(DelphiError, match="at least 2 raters"):
        kendall_w(ANXIETY[["rater1"]])


def test_constant_ratings_have_undefined_w():
    result = kendall_w(np.full((5, 4), 3.0))
    assert np.isnan(result.w) and "undefined" in result.note


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 12), st.integers(2, 8), st.integers(0, 10_000))
def test_identical_rankings_give_w_one(n, m, seed):
    column = np.random.default_rng(seed).permutation(n).astype(float)
    result = kendall_w(np.tile(column[:, None], (1, m)))
    assert result.w == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 10), st.integers(2, 6), st.integers(0, 10_000))
def test_w_is_between_zero_and_one_and_invariant_to_monotone_rescaling(n, m, seed):
    ratings = np.random.default_rng(seed).integers(1, 6, size=(n, m)).astype(float)
    result = kendall_w(ratings)
    if np.isnan(result.w):
        return
    assert -1e-12 <= result.w <= 1 + 1e-12
    assert kendall_w(np.exp(ratings)).w == pytest.approx(result.w)
