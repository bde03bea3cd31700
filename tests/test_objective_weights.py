"""Entropy, CRITIC and combined weights: published examples, properties and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.methods import (
    MethodError,
    MethodWarning,
    combine_weights,
    critic_weights,
    entropy_weights,
)

# Elsayed, Dawood & Karthikeyan (2017), Int. J. Eng. Trends Technol. 46(2), 60-66: 12 × 5 matrix,
# entropy weights computed on the raw data (share convention).
ELSAYED = np.array(
    [
        [7, 312, 1891, 6613, 163],
        [72, 88, 728, 941804, 1078],
        [10, 252, 2594, 3466, 117471],
        [10, 145, 980, 2371, 86329],
        [65, 54, 350, 501, 29897],
        [29, 48, 380, 912, 34051],
        [7, 476, 3300, 78470, 2212],
        [70, 87, 650, 733, 819000],
        [4, 86, 591, 3015, 103],
        [12, 79, 579, 3240, 96098],
        [21, 45, 261, 1253, 453],
        [1, 72, 530, 4333, 0.104800],
    ]
)
ELSAYED_WEIGHTS = [0.104991, 0.069124, 0.071373, 0.449937, 0.304575]

# Tuş & Adalı (2019), Opsearch 56(2), 528-538: time-and-attendance software, 5 × 6 matrix
# (first column: price), CRITIC weights as printed (3 decimals).
TUS_ADALI = np.array(
    [
        [5000, 3, 3, 4, 3, 2],
        [680, 5, 3, 2, 2, 1],
        [2000, 3, 2, 3, 4, 3],
        [600, 4, 3, 1, 2, 2],
        [800, 2, 4, 3, 3, 4],
    ],
    dtype=float,
)
TUS_ADALI_WEIGHTS = [0.157, 0.249, 0.168, 0.121, 0.154, 0.151]


def test_entropy_share_reproduces_elsayed_2017():
    w = entropy_weights(ELSAYED, normalization="share")
    assert np.round(w, 6).tolist() == ELSAYED_WEIGHTS


def test_critic_reproduces_tus_adali_2019_and_hinges_on_the_cost_convention():
    w = critic_weights(TUS_ADALI)
    assert np.round(w, 3).tolist() == TUS_ADALI_WEIGHTS
    # Declaring price a cost criterion reflects its column: the conflict term changes sign for
    # every pair with price, so the printed weights are those of min–max with all benefit.
    cost = critic_weights(TUS_ADALI, benefit=[False, True, True, True, True, True])
    assert np.round(cost, 3).tolist() == [0.184, 0.213, 0.142, 0.158, 0.168, 0.134]


def test_critic_ddof_does_not_change_weights():
    np.testing.assert_allclose(critic_weights(TUS_ADALI, ddof=0), critic_weights(TUS_ADALI))


def test_entropy_minmax_by_hand():
    x = np.array([[1.0, 10.0], [2.0, 30.0], [4.0, 20.0], [3.0, 40.0], [5.0, 50.0]])
    r = (x - x.min(0)) / np.ptp(x, axis=0)
    p = r / r.sum(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = -np.where(p > 0, p * np.log(p), 0).sum(0) / np.log(5)
    expected = (1 - e) / (1 - e).sum()
    np.testing.assert_allclose(entropy_weights(x), expected)


def test_dataframe_in_series_out():
    frame = pd.DataFrame(TUS_ADALI, columns=list("abcdef"), index=list("vwxyz"))
    w = critic_weights(frame)
    assert isinstance(w, pd.Series) and list(w.index) == list("abcdef")
    assert isinstance(entropy_weights(frame), pd.Series)
    assert isinstance(critic_weights(TUS_ADALI), np.ndarray)


rng = np.random.default_rng(7)
MATRICES = [rng.uniform(1, 10, size=(m, n)) for m, n in [(6, 3), (10, 5), (28, 7)]]


@pytest.mark.parametrize("x", MATRICES)
@pytest.mark.parametrize("method", [entropy_weights, critic_weights])
def test_weights_sum_to_one_and_invariant_under_positive_scaling(x, method):
    w = method(x)
    assert w.sum() == pytest.approx(1.0)
    assert np.all(w >= 0)
    scale = np.arange(1, x.shape[1] + 1) * 3.7
    np.testing.assert_allclose(method(x * scale), w)
    np.testing.assert_allclose(method(x + 11.0), w)  # min–max: shift-invariant too


@pytest.mark.parametrize("x", MATRICES)
def test_share_entropy_is_scale_invariant(x):
    np.testing.assert_allclose(
        entropy_weights(x * 5.0, normalization="share"), entropy_weights(x, normalization="share")
    )


@pytest.mark.parametrize("x", MATRICES)
@pytest.mark.parametrize("method", [entropy_weights, critic_weights])
def test_cost_flag_equals_benefit_on_reflected_column(x, method):
    flags = [True] * x.shape[1]
    flags[1] = False
    reflected = x.copy()
    reflected[:, 1] = -reflected[:, 1]
    np.testing.assert_allclose(method(x, benefit=flags), method(reflected))


def test_constant_column_entropy_weight_zero_with_warning():
    x = np.column_stack([np.arange(6.0), np.full(6, 3.0), [1, 5, 2, 8, 3, 4]])
    with pytest.warns(MethodWarning, match="column 2"):
        w = entropy_weights(x)
    assert w[1] == 0.0 and w.sum() == pytest.approx(1.0)


def test_all_constant_entropy_is_an_error():
    with pytest.raises(MethodError, match="every column is constant"):
        entropy_weights(np.ones((6, 3)))


def test_critic_constant_column_is_an_error_naming_it():
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "flat": [2.0] * 5, "c": [5.0, 3, 4, 1, 2]})
    with pytest.raises(MethodError, match="'flat' is constant"):
        critic_weights(frame)


def test_few_alternatives_warn():
    with pytest.warns(MethodWarning, match="only 4 alternatives"):
        critic_weights(TUS_ADALI[:4])


def test_share_refuses_zero_negative_and_cost():
    x = ELSAYED.copy()
    x[3, 2] = 0
    with pytest.raises(MethodError, match="column 'column 3', row 4"):
        entropy_weights(x, normalization="share")
    with pytest.raises(MethodError, match="cost column"):
        entropy_weights(ELSAYED, benefit=[True, False, True, True, True], normalization="share")


def test_nan_is_refused_naming_the_cell():
    frame = pd.DataFrame({"a": [1.0, np.nan, 3, 4, 5], "b": [2.0, 1, 3, 5, 4]}, index=list("pqrst"))
    with pytest.raises(MethodError, match="q, column 'a'"):
        entropy_weights(frame)


def test_bad_flags_and_normalization():
    with pytest.raises(MethodError, match="3 benefit/cost flags for 6"):
        critic_weights(TUS_ADALI, benefit=[True, True, False])
    with pytest.raises(MethodError, match="normalization"):
        entropy_weights(TUS_ADALI, normalization="zscore")


def test_combine_multiplicative_and_linear():
    s = np.array([0.5, 0.3, 0.2])
    o = np.array([0.2, 0.2, 0.6])
    np.testing.assert_allclose(combine_weights(s, o), s * o / (s * o).sum())
    np.testing.assert_allclose(combine_weights(s, o, "linear", alpha=0.7), 0.7 * s + 0.3 * o)
    ss = pd.Series(s, index=["B1", "B2", "B3"])
    oo = pd.Series(o[::-1], index=["B3", "B2", "B1"])
    out = combine_weights(ss, oo)
    assert list(out.index) == ["B1", "B2", "B3"]
    np.testing.assert_allclose(out.to_numpy(), s * o / (s * o).sum())


def test_combine_bad_input():
    with pytest.raises(MethodError, match=r"sum to 0\.9"):
        combine_weights([0.5, 0.4], [0.5, 0.5])
    with pytest.raises(MethodError, match="2 subjective weights but 3"):
        combine_weights([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(MethodError, match="alpha"):
        combine_weights([0.5, 0.5], [0.5, 0.5], "linear", alpha=1.5)
    with pytest.raises(MethodError, match="only subjective"):
        combine_weights(pd.Series([0.5, 0.5], index=["a", "b"]), pd.Series([1.0], index=["a"]))
