"""Fuzzy comprehensive evaluation: SPSSAU's example, operators, grades, the hierarchy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ahp.hierarchy import Hierarchy
from evaluation.methods import (
    DEFAULT_GRADES,
    GradeSet,
    MethodError,
    fuzzy_evaluation,
    fuzzy_hierarchy,
    grade_score,
    membership_from_answers,
)

# SPSSAU help, 模糊综合评价 case: a clothing style judged on 5 factors (花色, 式样, 价格, 耐用度,
# 舒适度) with weights (0.1, 0.1, 0.15, 0.3, 0.35) and 4 comments (很欢迎, 欢迎, 一般, 不欢迎);
# M(·,+) gives 0.205, 0.320, 0.390, 0.085, so 一般 by maximum membership.
SPSSAU_A = [0.1, 0.1, 0.15, 0.3, 0.35]
SPSSAU_R = np.array(
    [
        [0.2, 0.5, 0.3, 0.0],
        [0.1, 0.3, 0.5, 0.1],
        [0.0, 0.1, 0.6, 0.3],
        [0.0, 0.4, 0.5, 0.1],
        [0.5, 0.3, 0.2, 0.0],
    ]
)


def test_spssau_weighted_average():
    res = fuzzy_evaluation(SPSSAU_A, SPSSAU_R)
    assert np.round(res.vector, 3).tolist() == [0.205, 0.32, 0.39, 0.085]
    assert res.grade == 2 and res.operator == "M(·,+)"


def test_other_operators_by_hand_and_normalised():
    a = np.array(SPSSAU_A)[:, None]
    expected = {
        "M(∧,∨)": np.minimum(a, SPSSAU_R).max(0),
        "M(·,∨)": (a * SPSSAU_R).max(0),
        "M(∧,⊕)": np.minimum(1, np.minimum(a, SPSSAU_R).sum(0)),
    }
    for op, raw in expected.items():
        res = fuzzy_evaluation(SPSSAU_A, SPSSAU_R, op)
        np.testing.assert_allclose(res.raw, raw)
        np.testing.assert_allclose(res.vector, raw / raw.sum())
        assert res.vector.sum() == pytest.approx(1.0)
    assert fuzzy_evaluation(SPSSAU_A, SPSSAU_R, "M(^,v)").grade == 0  # ASCII alias, 很欢迎


def test_stack_is_vectorised():
    stack = np.stack([SPSSAU_R, SPSSAU_R[::-1]])
    res = fuzzy_evaluation(SPSSAU_A, stack)
    assert res.vector.shape == (2, 4)
    np.testing.assert_allclose(res.vector[0], fuzzy_evaluation(SPSSAU_A, SPSSAU_R).vector)


def test_grade_set_and_score():
    assert DEFAULT_GRADES.labels("zh") == ("差", "较差", "中", "良", "优")
    assert DEFAULT_GRADES.labels("en")[-1] == "Excellent"
    assert grade_score([0, 0, 0.5, 0.5, 0]) == pytest.approx(70.0)
    with pytest.raises(MethodError, match="must agree"):
        GradeSet(labels_zh=("好", "差"), labels_en=("Good",), scores=(1, 0), levels=(2, 1))


def test_membership_from_answers_ignores_nan():
    answers = pd.DataFrame({"D1": [5, 4, np.nan, 5], "D2": [1, 1, 2, np.nan]})
    shares = membership_from_answers(answers, ["甲", "甲", "甲", "乙"])
    assert shares.loc[("甲", "D1")].tolist() == [0, 0, 0, 0.5, 0.5]
    assert shares.loc[("甲", "D2")].tolist() == pytest.approx([2 / 3, 1 / 3, 0, 0, 0])
    assert shares.loc[("乙", "D2")].isna().all()  # nobody in 乙 answered D2
    with pytest.raises(MethodError, match="item 'D1'"):
        membership_from_answers(answers.replace(4, 7), ["甲"] * 4)


def test_bad_input_names_the_row():
    bad = SPSSAU_R.copy()
    bad[3, 0] = 0.3
    with pytest.raises(MethodError, match=r"row 4 sums to 1\.3"):
        fuzzy_evaluation(SPSSAU_A, bad)
    with pytest.raises(MethodError, match=r"sum to 0\.9"):
        fuzzy_evaluation([0.1, 0.1, 0.15, 0.2, 0.35], SPSSAU_R)
    with pytest.raises(MethodError, match="4 weights for 5"):
        fuzzy_evaluation([0.25] * 4, SPSSAU_R)
    with pytest.raises(MethodError, match="operator"):
        fuzzy_evaluation(SPSSAU_A, SPSSAU_R, "M(max,min)")


def _answers(hierarchy: Hierarchy) -> tuple[pd.DataFrame, list[str]]:
    rng = np.random.default_rng(11)
    items = hierarchy.items
    answers = pd.DataFrame(rng.integers(1, 6, size=(60, len(items))), columns=items).astype(float)
    answers.iloc[3, 2] = np.nan
    return answers, ["甲"] * 30 + ["乙"] * 30


def test_hierarchy_matches_level_by_level_evaluation(hierarchy):
    local = {
        p: np.full(len(hierarchy.children(p)), 1 / len(hierarchy.children(p)))
        for p in hierarchy.compared_nodes()
    }
    local["B1"] = np.array([0.7, 0.3])
    weights = hierarchy.weights(local)
    answers, groups = _answers(hierarchy)
    membership = membership_from_answers(answers, groups)
    res = fuzzy_hierarchy(membership, hierarchy, weights)
    # C1 of 甲 by hand = its items' membership composed with C1's local weights
    kids = hierarchy.children("C1")
    by_hand = fuzzy_evaluation(weights.local("C1"), membership.loc["甲"].loc[kids]).vector
    np.testing.assert_allclose(res.table.loc[("甲", "C1"), list(DEFAULT_GRADES.labels_zh)], by_hand)
    # M(·,+) is linear: the goal's membership is the global-weighted item membership
    items = hierarchy.items
    goal = weights.item_weights.loc[items].to_numpy() @ membership.loc["甲"].loc[items].to_numpy()
    np.testing.assert_allclose(res.membership["A"][0], goal)
    row = res.table.loc[("甲", "A")]
    assert row["score"] == pytest.approx(grade_score(goal))
    assert row["grade_label"] == DEFAULT_GRADES.labels_zh[int(np.argmax(goal))]
    assert set(res.level("B").index.get_level_values(1)) == {"B1", "B2", "B3"}


def test_hierarchy_array_input_and_mapping_weights(hierarchy):
    answers, groups = _answers(hierarchy)
    membership = membership_from_answers(answers, groups)
    cube = membership.to_numpy().reshape(2, len(hierarchy.items), 5)
    local = {
        p: pd.Series(1 / len(hierarchy.children(p)), index=hierarchy.children(p))
        for p in hierarchy.compared_nodes()
    }
    res = fuzzy_hierarchy(
        cube, hierarchy, local, communities=["甲", "乙"], operator="M(∧,⊕)", lang="en"
    )
    assert "Excellent" in res.table.columns
    sums = res.table[list(DEFAULT_GRADES.labels_en)].sum(axis=1)
    np.testing.assert_allclose(sums, 1.0)


def test_hierarchy_bad_input(hierarchy):
    answers, groups = _answers(hierarchy)
    membership = membership_from_answers(answers, groups)
    weights = hierarchy.weights(
        {
            p: np.full(len(hierarchy.children(p)), 1 / len(hierarchy.children(p)))
            for p in hierarchy.compared_nodes()
        }
    )
    with pytest.raises(MethodError, match=r"no membership for \(community, item\)"):
        fuzzy_hierarchy(membership.drop(("乙", "D4")), hierarchy, weights)
    broken = membership.copy()
    broken.loc[("乙", "D4"), 1] = 0.9
    with pytest.raises(MethodError, match=r"row \(乙, D4\) sums to"):
        fuzzy_hierarchy(broken, hierarchy, weights)
    with pytest.raises(MethodError, match=r"node 'B1' weights sum to 0\.9"):
        fuzzy_hierarchy(
            membership,
            hierarchy,
            {"B1": pd.Series({"C1": 0.5, "C2": 0.4})}
            | {
                p: pd.Series(1 / len(hierarchy.children(p)), index=hierarchy.children(p))
                for p in hierarchy.compared_nodes()
                if p != "B1"
            },
        )
