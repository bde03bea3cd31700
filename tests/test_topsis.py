"""TOPSIS: a published example, hand computation, properties and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.methods import MethodError, topsis

# Opricovic & Tzeng (2004), EJOR 156(2), 445-455, numerical example: three alternatives,
# f1 to be minimised, f2 maximised, equal weights; printed TOPSIS closeness 0.500, 0.617, 0.500
# (as also used by the pymcdm test-suite), reproduced with linear (min–max) normalisation.
OT = np.array([[1.0, 3000.0], [2.0, 3750.0], [5.0, 4500.0]])


def test_opricovic_tzeng_2004_minmax():
    res = topsis(OT, [0.5, 0.5], benefit=[False, True], normalization="minmax")
    assert np.round(res.closeness, 3).tolist() == [0.5, 0.617, 0.5]
    assert res.rank.tolist() == [2, 1, 2]


def test_vector_normalisation_by_hand():
    x = np.array([[7.0, 9, 9, 8], [8, 7, 8, 7], [9, 6, 8, 9], [6, 7, 8, 6]])
    w = np.array([0.1, 0.4, 0.3, 0.2])
    benefit = [True, True, True, False]
    v = x / np.sqrt((x**2).sum(0)) * w
    ideal = np.array([v[:, 0].max(), v[:, 1].max(), v[:, 2].max(), v[:, 3].min()])
    anti = np.array([v[:, 0].min(), v[:, 1].min(), v[:, 2].min(), v[:, 3].max()])
    dp = np.sqrt(((v - ideal) ** 2).sum(1))
    dm = np.sqrt(((v - anti) ** 2).sum(1))
    res = topsis(x, w, benefit)
    np.testing.assert_allclose(res.closeness, dm / (dp + dm))
    np.testing.assert_allclose(res.d_plus, dp)
    np.testing.assert_allclose(res.ideal, ideal)
    assert res.normalization == "vector"


def test_dataframe_gives_series_and_scale_invariance():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.uniform(1, 5, (8, 4)), columns=list("abcd"), index=list("pqrstuvw"))
    w = pd.Series([0.4, 0.3, 0.2, 0.1], index=list("dcba"))
    res = topsis(frame, w, benefit=[True, False, True, True])
    assert isinstance(res.closeness, pd.Series) and list(res.closeness.index) == list("pqrstuvw")
    assert ((res.closeness >= 0) & (res.closeness <= 1)).all()
    scaled = topsis(frame * [2, 3, 4, 5], w, benefit=[True, False, True, True])
    np.testing.assert_allclose(scaled.closeness, res.closeness)


def test_best_everywhere_gets_one():
    res = topsis(np.array([[5.0, 5], [1, 2], [2, 1]]), [0.5, 0.5])
    assert res.closeness[0] == pytest.approx(1.0) and res.rank[0] == 1


def test_bad_input():
    with pytest.raises(MethodError, match=r"sum to 0\.9"):
        topsis(OT, [0.5, 0.4])
    with pytest.raises(MethodError, match="3 weights for 2"):
        topsis(OT, [0.2, 0.3, 0.5])
    with pytest.raises(MethodError, match="'column 1' is constant"):
        topsis(np.array([[1.0, 2], [1, 3], [1, 4]]), [0.5, 0.5], normalization="minmax")
    with pytest.raises(MethodError, match="identical"):
        topsis(np.ones((3, 2)), [0.5, 0.5])
    with pytest.raises(MethodError, match="normalization"):
        topsis(OT, [0.5, 0.5], normalization="sum")
