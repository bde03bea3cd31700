"""Study-level methods: weighting schemes, fuzzy grades, IPA, TOPSIS, group comparisons and
every scheme side by side, on the bundled sample study."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS, SAMPLE_RESPONSES

from ahp.hierarchy import Hierarchy
from evaluation.grades import parse_grades, study_grades
from evaluation.groups import effect_word, group_comparisons
from evaluation.methods import MethodError
from evaluation.schemes import hierarchy_from_item_weights, scheme_weights, study_schemes
from evaluation.study import StudySettings, run_study
from survey.scoring import POOLED


@pytest.fixture(scope="module")
def result():
    return run_study(SAMPLE_FRAMEWORK, SAMPLE_RESPONSES, SAMPLE_JUDGMENTS,
                     StudySettings(bootstrap=0))


@pytest.fixture(scope="module")
def schemes(result):
    return study_schemes(result, 50)


def test_default_scores_are_unchanged(result):
    assert round(result.overall_score, 4) == 3.7804
    assert result.weights is result.panel.weights
    assert result.scheme.scheme == "ahp"


def test_item_weights_map_into_the_hierarchy():
    h = Hierarchy.from_csv(SAMPLE_FRAMEWORK)
    g = pd.Series(np.arange(1, len(h.items) + 1, dtype=float), index=list(h.items))
    g /= g.sum()
    w = hierarchy_from_item_weights(h, g)
    assert np.allclose(w.item_weights.reindex(h.items), g)
    b = w.global_("B")
    first = h.codes("B")[0]
    assert b[first] == pytest.approx(sum(g[d] for d in h.items if h.ancestor(d, "B") == first))
    with pytest.raises(MethodError, match="sum"):
        hierarchy_from_item_weights(h, g * 2)


@pytest.mark.parametrize("scheme", ["entropy", "critic", "combined"])
def test_objective_schemes_score_with_their_weights(result, scheme):
    other = run_study(SAMPLE_FRAMEWORK, SAMPLE_RESPONSES, SAMPLE_JUDGMENTS,
                      StudySettings(bootstrap=0, weights=scheme))
    assert other.settings.weights == scheme
    items = other.scheme.items
    assert items["used"].sum() == pytest.approx(1.0)
    assert np.allclose(other.weights.item_weights.reindex(items.index), items["used"])
    assert sum(other.dimension_weights.values()) == pytest.approx(1.0)
    assert other.overall_score != pytest.approx(result.overall_score, abs=1e-6)
    # goal score = objective-weighted mean of the pooled item means
    pooled = other.valid.answers.mean().reindex(items.index)
    assert other.overall_score == pytest.approx(float((pooled * items["used"]).sum()))


def test_linear_combination_mixes_with_alpha(result):
    mixed = scheme_weights(result.hierarchy, result.panel.weights, result.valid,
                           result.published, "combined", combination="linear", alpha=0.25)
    expected = 0.25 * mixed.items["ahp"] + 0.75 * mixed.items["objective"]
    assert np.allclose(mixed.items["used"], expected)


def test_settings_refuse_bad_values():
    with pytest.raises(MethodError, match="weights must be one of"):
        StudySettings(weights="topsis")
    with pytest.raises(MethodError, match="alpha"):
        StudySettings(alpha=1.5)
    with pytest.raises(MethodError, match="group_test"):
        StudySettings(group_test="t")


def test_constant_item_is_named_by_critic(result):
    valid = result.valid
    answers = valid.answers.copy()
    answers["D01"] = 4.0
    from dataclasses import replace
    flat = replace(valid, answers=answers)
    with pytest.raises(MethodError, match="D01"):
        scheme_weights(result.hierarchy, result.panel.weights, flat, result.published, "critic")


def test_parse_grades():
    g = parse_grades("优:100,良:80,中:60,较差:40,差:20")
    assert g.labels_zh == ("差", "较差", "中", "良", "优")
    assert g.labels_en[-1] == "Excellent"
    assert parse_grades("A/Top:5, B:4, C:3, D:2, E:1").labels_en[-1] == "Top"
    for bad, message in (("优:100,良:80", "give 5 grades"), ("优:x,良:80,中:60,较差:40,差:20",
                         "not a number"), ("优:100,良:100,中:60,较差:40,差:20", "same score"),
                         ("优100,良:80,中:60,较差:40,差:20", "label:score")):
        with pytest.raises(MethodError, match=message):
            parse_grades(bad)


def test_grades_per_community_and_dimension(result):
    table = result.grades.table("en")
    assert {POOLED, *result.published} == set(table["community"])
    labels = list(result.grades.grades.labels("en"))
    assert np.allclose(table[labels].sum(axis=1), 1.0)
    assert (table["grade_label"] == [labels[i] for i in table["grade"]]).all()
    grade, score = result.grades.of(POOLED, "A", "zh")
    assert grade == "良" and 70 < score < 80
    other = study_grades(result.valid, result.hierarchy, result.weights, result.published,
                         operator="M(∧,∨)")
    assert other.operator == "M(∧,∨)"


def test_ipa_lists_what_to_improve_first(result):
    ipa = result.ipa
    assert ipa.communities[0] == POOLED
    first = ipa.improve_first(POOLED)
    assert (first["quadrant"] == "II").all()
    assert first["weighted_gap"].is_monotonic_decreasing
    assert ipa.improve_first(POOLED).index[0] == "D12"


def test_topsis_ranks_every_published_community(result):
    assert set(result.topsis.rank.index) == set(result.published)
    assert sorted(result.topsis.rank) == list(range(1, len(result.published) + 1))


def test_groups_never_show_small_groups(result):
    table = result.groups.table
    years = table[(table["column"] == "您在本地居住的年限") & (table["code"] == "A")].iloc[0]
    assert years["hidden"] == 1 and years["groups"] == 3 and years["p"] < 0.05
    shown = set(result.groups.groups["group"])
    assert "不满1年" not in shown
    assert "不满1年" not in set(result.groups.posthoc[["group1", "group2"]].to_numpy().ravel())
    assert effect_word(0.2) == "large" and effect_word(0.001) == "negligible"


def test_group_comparison_tests_and_bad_column(result):
    for test in ("anova", "welch"):
        out = group_comparisons(result.valid, result.hierarchy, result.weights, ["性别"],
                                test=test)
        assert set(out.table["test"]) == {test}
        assert out.table["df2"].notna().all()
    with pytest.raises(ValueError, match="not found"):
        group_comparisons(result.valid, result.hierarchy, result.weights, ["学历"])


def test_every_scheme_side_by_side(schemes):
    names = ["AHP (AIJ)", "AHP (AIP)", "equal", "entropy", "CRITIC", "combined", "TOPSIS"]
    assert list(schemes.ranks.columns) == names
    for matrix in (schemes.spearman, schemes.kendall):
        assert np.allclose(np.diag(matrix), 1.0)
        assert np.allclose(matrix, matrix.T)
    assert len(schemes.pairs()) == 21
    assert schemes.ranks["AHP (AIJ)"].is_monotonic_increasing
    bands = schemes.bands
    assert set(bands["scheme"]) == set(names)
    assert (bands["rank_low"] <= bands["rank_high"]).all()
    assert np.allclose(schemes.item_weights.sum(), 1.0)
