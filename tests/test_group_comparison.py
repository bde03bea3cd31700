"""Group comparisons against R and PMCMR printouts; suppression of small groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import DATA

from evaluation.methods import MethodError, compare_groups, holm

METHODS = DATA / "methods"


@pytest.fixture(scope="module")
def airquality() -> pd.DataFrame:
    return pd.read_csv(METHODS / "airquality.csv")


@pytest.fixture(scope="module")
def plants() -> pd.DataFrame:
    return pd.read_csv(METHODS / "plant_growth.csv")


def test_kruskal_airquality_ozone_by_month(airquality):
    # R: kruskal.test(Ozone ~ Month, data = airquality)
    # Kruskal-Wallis chi-squared = 29.267, df = 4, p-value = 6.901e-06
    res = compare_groups(airquality["Ozone"], airquality["Month"], "kruskal", min_group_size=5)
    assert round(res.statistic, 3) == 29.267
    assert res.df == (4.0,)
    assert f"{res.pvalue:.3e}" == "6.901e-06"
    assert res.n == 116  # 37 missing Ozone values dropped
    assert res.effect_name == "epsilon_squared"
    assert res.effect_size == pytest.approx(res.statistic / (res.n - 1))
    # June has only 9 Ozone values: with the default minimum of 10 it is left out
    assert compare_groups(airquality["Ozone"], airquality["Month"]).suppressed == ("6",)


def test_anova_plant_growth(plants):
    # R: summary(aov(weight ~ group, data = PlantGrowth)): F = 4.846 on 2 and 27 df, p = 0.01591
    # TukeyHSD: trt1-ctrl p 0.3908711, trt2-ctrl 0.1979960, trt2-trt1 0.0120064
    res = compare_groups(plants["weight"], plants["group"], "anova", min_group_size=5)
    assert round(res.statistic, 3) == 4.846 and res.df == (2.0, 27.0)
    assert round(res.pvalue, 5) == 0.01591
    assert res.effect_name == "eta_squared" and round(res.effect_size, 4) == 0.2641
    assert np.round(res.posthoc["p_adj"], 7).tolist() == [0.3908711, 0.1979960, 0.0120064]
    assert np.round(res.posthoc["estimate"], 3).tolist() == [-0.371, 0.494, 0.865]


def test_welch_plant_growth(plants):
    # R: oneway.test(weight ~ group, data = PlantGrowth)
    # F = 5.181, num df = 2.000, denom df = 17.128, p-value = 0.01739
    res = compare_groups(plants["weight"], plants["group"], "welch", min_group_size=5)
    assert round(res.statistic, 3) == 5.181
    assert res.df[0] == 2.0 and round(res.df[1], 3) == 17.128
    assert round(res.pvalue, 5) == 0.01739


def test_welch_and_anova_wear_data():
    # Verzani, Using R for Introductory Statistics, problem 11.12 (UsingR): tyre wear by type.
    # oneway.test(values ~ ind)$p.value = 0.0001522; lm F-statistic 31 on 2 and 12 DF,
    # p-value 1.81e-05.
    wear = [303, 293, 296, 299, 298, 322, 326, 315, 318, 320, 320, 309, 327, 317, 315]
    kind = ["type1"] * 5 + ["type2"] * 6 + ["type3"] * 4
    welch = compare_groups(wear, kind, "welch", min_group_size=4)
    assert f"{welch.pvalue:.4g}" == "0.0001522"
    anova = compare_groups(wear, kind, "anova", min_group_size=4)
    assert round(anova.statistic) == 31 and anova.df == (2.0, 12.0)
    assert f"{anova.pvalue:.3g}" == "1.81e-05"


def test_dunn_holm_exercise_pulse():
    # PMCMR (R) Dunn test with Holm adjustment on seaborn's `exercise` data, pulse ~ kind, as
    # recorded in scikit-posthocs' test-suite: rest–running 9.570998e-09, rest–walking
    # 4.390066e-02, running–walking 1.873208e-04.
    ex = pd.read_csv(METHODS / "exercise.csv")
    res = compare_groups(ex["pulse"], ex["kind"], "kruskal")
    p = res.posthoc.set_index(["group1", "group2"])["p_adj"]
    assert p["rest", "running"] == pytest.approx(9.570998e-09, rel=1e-6)
    assert p["rest", "walking"] == pytest.approx(4.390066e-02, rel=1e-6)
    assert p["running", "walking"] == pytest.approx(1.873208e-04, rel=1e-6)


def test_games_howell_against_pmcmrplus():
    # PMCMRplus::gamesHowellTest on three small groups (scikit-posthocs' test-suite reference):
    # p = 0.0785989 (1–2), 0.3573167 (1–3), 0.7701901 (2–3).
    x = [[1, 2, 3, 5, 1], [12, 31, 54, 62, 12], [10, 12, 6, 74, 11]]
    values = [v for group in x for v in group]
    labels = [f"g{i + 1}" for i, group in enumerate(x) for _ in group]
    res = compare_groups(values, labels, "welch", min_group_size=5)
    assert np.round(res.posthoc["p_adj"], 7).tolist() == [0.0785989, 0.3573167, 0.7701901]


def test_holm_matches_r_p_adjust():
    # p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02])


def test_small_groups_are_suppressed_without_their_values(plants):
    values = pd.concat([plants["weight"], pd.Series([9.9, 9.8])], ignore_index=True)
    groups = pd.concat([plants["group"], pd.Series(["rare", "rare"])], ignore_index=True)
    res = compare_groups(values, groups, "kruskal", min_group_size=5)
    assert res.suppressed == ("rare",)
    assert "rare" not in res.groups.index
    assert not res.posthoc[["group1", "group2"]].isin(["rare"]).any().any()
    assert list(res.groups.columns) == ["n", "mean", "sd", "median"]
    assert res.n == 30


def test_bad_input(plants):
    with pytest.raises(MethodError, match="fewer than 2 groups"):
        compare_groups(plants["weight"], plants["group"], min_group_size=11)
    with pytest.raises(MethodError, match="30 values but 2"):
        compare_groups(plants["weight"], ["a", "b"])
    with pytest.raises(MethodError, match="test must be"):
        compare_groups(plants["weight"], plants["group"], "ttest")
