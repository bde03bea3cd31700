"""survey.validity against published R psych printouts, plus properties and bad input.

Published values reproduced (data in tests/data/validity/, provenance in tests/data/README.md):

* KMO: psych::KMO(Thurstone) in the psych reference manual (KMO help page):
  Overall MSA = 0.88; per item 0.86 0.86 0.90 0.86 0.88 0.92 0.85 0.93 0.87.
* Bartlett + minres: psych::cortest.bartlett help page (psych 2.5.x reference):
  ``f3 <- fa(Thurstone, 3); cortest.bartlett(f3$resid, n = 213, diag = TRUE)`` →
  $chisq 0.256498, $df 36, $p.value 1. The residuals of the 3-factor minres fit with a unit
  diagonal, so this checks the minres solution and the Bartlett formula together.
* Principal axis with varimax and promax: Kabacoff, *R in Action* (2nd ed., 2015), listings
  14.6–14.8, ``fa(cov2cor(ability.cov$cov), nfactors = 2, fm = "pa", rotate = "none" /
  "varimax" / "promax")`` on R's ability.cov (n = 112):
  unrotated PA1 0.75 0.52 0.75 0.39 0.81 0.73, PA2 0.07 0.32 0.52 0.22 −0.51 −0.39,
  u2 0.432 0.623 0.166 0.798 0.089 0.313, SS loadings 2.75 0.83, cumulative 0.46 0.60;
  varimax PA1 0.49 0.16 0.18 0.13 0.93 0.80, PA2 0.57 0.59 0.89 0.43 0.20 0.23,
  SS loadings 1.83 1.75; promax PA1 0.37 −0.03 −0.10 0.00 1.00 0.84,
  PA2 0.48 0.63 0.97 0.45 −0.09 −0.01, factor correlation 0.55, SS loadings 1.83 1.75.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey.errors import SurveyError
from survey.validity import (
    ValidityError,
    bartlett_sphericity,
    compare_with_framework,
    efa,
    kmo,
    parallel_analysis,
)

DATA = Path(__file__).parent / "data" / "validity"
THURSTONE = pd.read_csv(DATA / "thurstone.csv", index_col=0)
_COV = pd.read_csv(DATA / "ability_cov.csv", index_col=0)
_SD = np.sqrt(np.diag(_COV))
ABILITY = _COV / np.outer(_SD, _SD)


def _two_factor_data(n=400, seed=3):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    lam = np.array([[0.8, 0], [0.7, 0], [0.75, 0], [0, 0.8], [0, 0.7], [0, 0.6]])
    x = f @ lam.T + rng.normal(size=(n, 6)) * 0.55
    return pd.DataFrame(x, columns=["a1", "a2", "a3", "b1", "b2", "b3"])


def test_kmo_thurstone():
    result = kmo(corr=THURSTONE)
    assert round(result.overall, 2) == 0.88
    assert result.per_item.round(2).tolist() == [0.86, 0.86, 0.90, 0.86, 0.88, 0.92, 0.85,
                                                 0.93, 0.87]
    assert list(result.per_item.index) == list(THURSTONE.columns)


def test_bartlett_on_minres_residuals_thurstone():
    fit = efa(corr=THURSTONE, n_obs=213, n_factors=3, rotation=None, method="minres")
    lam = fit.loadings.to_numpy()
    resid = THURSTONE.to_numpy() - lam @ lam.T
    np.fill_diagonal(resid, 1.0)
    result = bartlett_sphericity(corr=resid, n_obs=213)
    assert result.statistic == pytest.approx(0.256498, rel=1e-5)
    assert result.df == 36
    assert round(result.pvalue, 6) == 1.0


@pytest.mark.parametrize(
    ("rotation", "pa1", "pa2", "ss"),
    [
        (None, [0.75, 0.52, 0.75, 0.39, 0.81, 0.73], [0.07, 0.32, 0.52, 0.22, -0.51, -0.39],
         [2.75, 0.83]),
        ("varimax", [0.49, 0.16, 0.18, 0.13, 0.93, 0.80], [0.57, 0.59, 0.89, 0.43, 0.20, 0.23],
         [1.83, 1.75]),
        ("promax", [0.37, -0.03, -0.10, 0.00, 1.00, 0.84], [0.48, 0.63, 0.97, 0.45, -0.09, -0.01],
         [1.83, 1.75]),
    ],
)
def test_principal_axis_ability_r_in_action(rotation, pa1, pa2, ss):
    fit = efa(corr=ABILITY, n_obs=112, n_factors=2, method="pa", rotation=rotation)
    assert fit.loadings["PA1"].round(2).tolist() == pytest.approx(pa1, abs=1e-9)
    assert fit.loadings["PA2"].round(2).tolist() == pytest.approx(pa2, abs=1e-9)
    assert fit.uniquenesses.round(3).tolist() == [0.432, 0.623, 0.166, 0.798, 0.089, 0.313]
    assert fit.variance.loc["ss_loadings"].round(2).tolist() == ss
    assert fit.variance.loc["cumulative"].round(2).tolist() == [0.30 if rotation else 0.46, 0.60]
    if rotation == "promax":
        assert round(fit.factor_correlations.iloc[0, 1], 2) == 0.55
    else:
        assert fit.factor_correlations is None


def test_promax_stats_variant_keeps_communalities():
    normalized = efa(corr=ABILITY, n_obs=112, n_factors=2, method="pa")
    plain = efa(corr=ABILITY, n_obs=112, n_factors=2, method="pa", kaiser_normalize=False)
    assert plain.communalities.to_numpy() == pytest.approx(normalized.communalities.to_numpy())
    assert not np.allclose(plain.loadings, normalized.loadings, atol=1e-3)


def test_rotation_preserves_communalities_and_minres_fits():
    data = _two_factor_data()
    fits = {rot: efa(data, n_factors=2, rotation=rot) for rot in ("varimax", "promax", None)}
    h2 = fits[None].communalities.to_numpy()
    for fit in fits.values():
        assert fit.communalities.to_numpy() == pytest.approx(h2, abs=1e-8)
        assert fit.converged
        assert (fit.loadings.sum(axis=0) > 0).all()
        assert fit.variance.loc["ss_loadings"].is_monotonic_decreasing
    assert fits["varimax"].variance.loc["ss_loadings"].sum() == pytest.approx(h2.sum())


def test_kmo_and_bartlett_invariant_to_column_scaling():
    data = _two_factor_data()
    scaled = data * np.array([1, 10, 0.1, 3, 7, 0.5]) + 4
    assert kmo(scaled).overall == pytest.approx(kmo(data).overall)
    assert bartlett_sphericity(scaled).statistic == pytest.approx(
        bartlett_sphericity(data).statistic)


def test_bartlett_formula_and_listwise_deletion():
    data = _two_factor_data(n=200)
    data.iloc[0, 2] = np.nan
    result = bartlett_sphericity(data)
    complete = data.dropna()
    r = np.corrcoef(complete.to_numpy(), rowvar=False)
    expected = -(199 - 1 - (2 * 6 + 5) / 6) * np.log(np.linalg.det(r))
    assert (result.n, result.p, result.df) == (199, 6, 15)
    assert result.statistic == pytest.approx(expected)
    assert result.pvalue < 1e-10


def test_parallel_analysis_finds_two_factors_and_is_reproducible():
    data = _two_factor_data()
    first = parallel_analysis(data, seed=1)
    assert first.n_factors == 2 and first.kaiser == 2
    assert parallel_analysis(data, seed=1).random_quantile.equals(first.random_quantile)
    fit = efa(data)
    assert (fit.n_factors, fit.n_factors_from, fit.kaiser) == (2, "parallel analysis", 2)


def test_compare_with_framework_names_off_dimension_splits_and_merges():
    loadings = pd.DataFrame(
        {"F1": [0.8, 0.7, 0.1, 0.7, 0.6, 0.1], "F2": [0.1, 0.2, 0.8, 0.1, 0.2, 0.9]},
        index=["a1", "a2", "a3", "b1", "b2", "c1"],
    )
    result = compare_with_framework(loadings, {"a1": "A", "a2": "A", "a3": "A", "b1": "B",
                                               "b2": "B", "c1": "C", "zz": "C"})
    assert result.off_dimension == ["a3"]
    assert result.splits == {"A": ["F1", "F2"]}
    assert result.merges == {"F1": ["A", "B"]}
    assert result.dimension_factor == {"A": "F1", "B": "F1", "C": "F2"}
    assert result.missing == ["zz"] and result.unmapped == []
    assert result.items.loc["a3", "dimension_loading"] == pytest.approx(0.1)


def test_duplicated_item_is_named():
    data = _two_factor_data()
    data["a1_copy"] = data["a1"] * 2 + 1
    with pytest.raises(ValidityError, match="a1 = a1_copy"):
        kmo(data)


def test_linear_dependence_is_named():
    data = _two_factor_data()
    data["sum"] = data["a1"] + data["b1"]
    with pytest.raises(ValidityError, match=r"a1, b1, sum") as info:
        efa(data, n_factors=2)
    assert "a2" not in str(info.value)


def test_more_items_than_respondents():
    data = _two_factor_data(n=5)
    with pytest.raises(ValidityError, match="6 items but only 5 complete respondents"):
        bartlett_sphericity(data)


def test_constant_item_and_tiny_samples_are_named():
    data = _two_factor_data()
    data["b2"] = 3.0
    with pytest.raises(ValidityError, match="b2"):
        kmo(data)
    with pytest.raises(ValidityError, match="at least 3 respondents"):
        kmo(_two_factor_data().iloc[:2])
    with pytest.raises(ValidityError, match="at least 2 items"):
        kmo(_two_factor_data()[["a1"]])
    assert issubclass(ValidityError, SurveyError)


def test_speed_57_items_5000_respondents():
    import time

    rng = np.random.default_rng(0)
    x = rng.normal(size=(5000, 7)) @ rng.normal(size=(7, 57)) + 2 * rng.normal(size=(5000, 57))
    data = pd.DataFrame(x, columns=[f"D{i:02d}" for i in range(57)])
    start = time.perf_counter()
    kmo(data)
    efa(data, n_iter=100)
    # a guard against a pathological slowdown (e.g. a loop over item pairs), not a speed
    # target: ~0.3 s here, loose for a busy CI machine
    assert time.perf_counter() - start < 20
