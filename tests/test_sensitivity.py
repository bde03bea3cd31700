"""Tests of evaluation.sensitivity against a hand-computed three-community case.

Dimension scores (every item of a dimension answered alike, so lower weights do not matter):
X = (5, 1, 3), Y = (2, 4, 3), Z = (3, 3, 1) for (B1, B2, B3); dimension weights (.5, .3, .2).
Goal: X 3.4, Y 2.8, Z 2.6.

Moving w_B1 = x (others scaled by (1 − x)/0.5): X = 1.8 + 3.2x, Y = 3.6 − 1.6x, Z = 2.2 + 0.8x.
Y leads until X overtakes it at x = 1.8/4.8 = 0.375 → smallest change for B1: 0.125.
Z's rank: 2 on [0, 1/6), 3 on [1/6, 7/12), 2 on [7/12, 1].
Moving w_B2 = x: X = 4.4286 − 3.4286x, Y = 2.2857 + 1.7143x, Z = 2.4286 + 0.5714x; Y overtakes
X at x = 5/12 → smallest change 5/12 − 0.3 = 7/60 (the overall smallest).
Moving w_B3 = x: X = 3.5 − 0.5x, Y = 2.75 + 0.25x, Z = 3 − 2x; X and Y tie only at x = 1.
Dropping B1 leaves (X, Y, Z) = (1.8, 3.6, 2.2): ranks 3, 1, 2.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ahp.panel import PanelJudgments, panel_weights
from evaluation.sensitivity import (
    compare_schemes,
    drop_one,
    equal_weights,
    one_at_a_time,
    tornado,
    weighting_schemes,
)
from survey.errors import SurveyError
from survey.responses import ColumnMapping, Responses
from survey.scoring import score

FIXTURES = Path(__file__).parent / "fixtures"
DIMENSIONS = {"X": (5, 1, 3), "Y": (2, 4, 3), "Z": (3, 3, 1)}
LOCAL = {
    "A": [0.5, 0.3, 0.2], "B1": [0.6, 0.4], "B3": [0.5, 0.5], "C1": [0.5, 0.5],
    "C2": [1 / 3, 1 / 3, 1 / 3], "C4": [0.5, 0.5], "C5": [0.5, 0.5],
}


def make_responses(answers: np.ndarray, communities: list[str], items: list[str]) -> Responses:
    ids = pd.Index([f"r{i:04d}" for i in range(len(answers))], name="respondent_id")
    return Responses(
        answers=pd.DataFrame(np.asarray(answers, dtype=float), index=ids, columns=items),
        community=pd.Series(list(communities), index=ids, name="community"),
        meta=pd.DataFrame({"row": np.arange(2, len(ids) + 2)}, index=ids),
        invalid_cells=pd.DataFrame(columns=["respondent_id", "row", "column", "item", "value",
                                            "reason"]),
        dropped_columns=[],
        mapping=ColumnMapping(method="codes", columns={i: i for i in items}),
        source="test",
    )


def random_study(items: list[str], sizes: dict[str, int], seed: int) -> Responses:
    rng = np.random.default_rng(seed)
    labels = np.repeat(list(sizes), list(sizes.values()))
    answers = np.clip(np.rint(3 + rng.normal(0, 1, (len(labels), len(items)))), 1, 5)
    return make_responses(answers, list(labels), items)


@pytest.fixture(scope="module")
def weights(hierarchy):
    return hierarchy.weights({k: np.array(v) for k, v in LOCAL.items()})


@pytest.fixture(scope="module")
def scores(hierarchy, weights):
    dimension_of = {item: hierarchy.path(item)[1] for item in hierarchy.items}
    rows, labels = [], []
    for name, values in [*DIMENSIONS.items(), ("W", (5, 5, 5))]:
        by_dimension = dict(zip(["B1", "B2", "B3"], values, strict=True))
        answer = [by_dimension[dimension_of[item]] for item in hierarchy.items]
        copies = 1 if name == "W" else 2  # W is suppressed (fewer than 2 respondents)
        rows += [answer] * copies
        labels += [name] * copies
    responses = make_responses(np.array(rows), labels, hierarchy.items)
    return score(responses, hierarchy, weights, min_respondents=2, bootstrap=0)


def test_hand_case_goal_scores(scores):
    assert scores.suppressed == ["W"]
    goal = scores.wide("A")["A"]
    np.testing.assert_allclose(goal[["X", "Y", "Z"]], [3.4, 2.8, 2.6])


def test_one_at_a_time_finds_the_exact_leader_changes(scores, weights):
    result = one_at_a_time(scores, weights, community="Z")
    changes = result.leader_changes
    assert changes[["dimension", "leader_before", "leader_after"]].values.tolist() == [
        ["B1", "Y", "X"], ["B2", "X", "Y"],
    ]
    np.testing.assert_allclose(changes["weight"], [0.375, 5 / 12])
    t = result.thresholds.set_index("dimension")
    assert t.loc["B1", "lower"] == pytest.approx(0.375) and np.isnan(t.loc["B1", "upper"])
    assert t.loc["B1", "leader_lower"] == "Y" and t.loc["B1", "leader"] == "X"
    assert t.loc["B1", "min_change"] == pytest.approx(0.125)
    assert t.loc["B1", "relative_change"] == pytest.approx(0.25)
    assert t.loc["B2", "upper"] == pytest.approx(5 / 12)
    assert t.loc["B2", "leader_upper"] == "Y"
    assert np.isnan(t.loc["B3", "min_change"])  # a tie only at w = 1 is no change
    assert result.smallest_change == pytest.approx(7 / 60)
    assert result.smallest_change_dimension == "B2"
    steps = result.community_ranks[result.community_ranks["dimension"] == "B1"]
    np.testing.assert_allclose(steps["weight_from"], [0, 1 / 6, 7 / 12])
    np.testing.assert_allclose(steps["weight_to"], [1 / 6, 7 / 12, 1])
    assert steps["rank"].tolist() == [2, 3, 2]


def test_one_at_a_time_curves_reproduce_the_nominal_point(scores, weights):
    result = one_at_a_time(scores, weights, steps=11)
    curves = result.curves
    assert set(curves["community"]) == {"X", "Y", "Z"}  # the suppressed W is left out
    at = curves[(curves["dimension"] == "B1") & np.isclose(curves["weight"], 0.5)]
    np.testing.assert_allclose(at.set_index("community")["score"][["X", "Y", "Z"]],
                               [3.4, 2.8, 2.6])
    ends = curves[(curves["dimension"] == "B1") & (curves["weight"] == 0.0)]
    assert ends.set_index("community")["rank"].to_dict() == {"X": 3, "Y": 1, "Z": 2}
    assert result.community_ranks.empty


def test_narrow_range_has_no_change(scores, weights):
    result = one_at_a_time(scores, weights, weight_range=(0.1, 0.35))
    assert result.leader_changes.empty or set(result.leader_changes["dimension"]) == {"B1"}
    b2 = result.thresholds.set_index("dimension").loc["B2"]
    assert np.isnan(b2["min_change"])


def test_tornado_for_score_and_rank(scores, weights):
    frame = tornado(scores, weights, "Z")
    assert list(frame.columns) == [
        "parameter", "low", "high", "base", "weight_low", "weight_high", "weight",
    ]
    assert frame["parameter"].tolist() == ["B1", "B3", "B2"]
    by = frame.set_index("parameter")
    np.testing.assert_allclose(by.loc["B1", ["low", "high", "base"]], [2.4, 2.8, 2.6])
    np.testing.assert_allclose(by.loc["B3", ["low", "high"]], [2.8, 2.4])
    np.testing.assert_allclose(by.loc["B2", ["weight_low", "weight_high"]], [0.15, 0.45])
    ranks = tornado(scores, weights, "Z", outcome="rank").set_index("parameter")
    assert ranks.loc["B1", ["low", "high", "base"]].tolist() == [3, 2, 3]


def test_drop_one_dimension(scores, weights):
    result = drop_one(scores, weights, level="B")
    b1 = result.ranks[result.ranks["dropped"] == "B1"].set_index("community")
    np.testing.assert_allclose(b1["score"][["X", "Y", "Z"]], [1.8, 3.6, 2.2])
    assert b1["rank"].to_dict() == {"X": 3, "Y": 1, "Z": 2}
    assert b1["rank_change"].to_dict() == {"X": 2, "Y": -1, "Z": -1}
    summary = result.summary.set_index("dropped")
    assert summary.loc["B1", "mean_abs_rank_change"] == pytest.approx(4 / 3)
    assert summary.loc["B1", "max_abs_rank_change"] == 2
    assert summary.loc["B1", "leader"] == "Y" and summary.loc["B1", "leader_changed"]
    assert summary.loc["B2", "mean_abs_rank_change"] == pytest.approx(2 / 3)
    assert result.summary["dropped"].iloc[0] == "B1"


def test_drop_one_sub_indicator(scores, weights):
    result = drop_one(scores, weights, level="C")
    summary = result.summary.set_index("dropped")
    # Inside a dimension every sub-indicator has the same score here: nothing moves ...
    assert summary.loc[["C1", "C2", "C4", "C5"], "mean_abs_rank_change"].eq(0).all()
    # ... except C3, the only child of B2: dropping it drops B2.
    by_b = drop_one(scores, weights, level="B").ranks
    c3 = result.ranks[result.ranks["dropped"] == "C3"].reset_index(drop=True)
    b2 = by_b[by_b["dropped"] == "B2"].reset_index(drop=True)
    pd.testing.assert_series_equal(c3["score"], b2["score"])


def test_drop_one_matches_rescoring_with_renormalized_weights(hierarchy):
    responses = random_study(hierarchy.items, {"a": 10, "b": 10, "c": 10, "d": 10}, seed=8)
    local = {k: np.array(v) for k, v in LOCAL.items()}
    weights = hierarchy.weights(local)
    scores = score(responses, hierarchy, weights, bootstrap=0)
    result = drop_one(scores, weights, level="C")
    changed = dict(local, B1=np.array([0.0, 1.0]))  # C1 dropped, C2 takes B1's weight
    rescored = score(responses, hierarchy, hierarchy.weights(changed), bootstrap=0)
    expected = rescored.wide("A")["A"].drop(index="全部 All")
    got = result.ranks[result.ranks["dropped"] == "C1"].set_index("community")["score"]
    np.testing.assert_allclose(got, expected.reindex(got.index))
    items = drop_one(scores, weights, level="D")
    assert set(items.summary["dropped"]) == set(hierarchy.items)


def test_weighting_schemes_side_by_side(hierarchy):
    panel = PanelJudgments(pd.read_csv(FIXTURES / "small_panel.csv", dtype=str))
    responses = random_study(hierarchy.items, {"a": 12, "b": 15, "c": 11, "d": 4}, seed=3)
    schemes = weighting_schemes(hierarchy, panel)
    assert list(schemes) == ["AHP (AIJ)", "AHP (AIP)", "equal"]
    result = compare_schemes(responses, hierarchy, schemes)
    assert list(result.scores.columns) == ["AHP (AIJ)", "AHP (AIP)", "equal"]
    assert list(result.scores.index) == ["a", "b", "c"]  # d is suppressed
    aij = score(responses, hierarchy, panel_weights(hierarchy, panel).weights, bootstrap=0)
    np.testing.assert_allclose(result.scores["AHP (AIJ)"], aij.wide("A")["A"][["a", "b", "c"]])
    np.testing.assert_allclose(result.weights["equal"], [1 / 3] * 3)
    for scheme in result.ranks:
        assert sorted(result.ranks[scheme]) == [1, 2, 3]
    assert np.allclose(np.diag(result.rank_correlation), 1.0)
    assert len(result.table) == 9


def test_equal_weights(hierarchy):
    weights = equal_weights(hierarchy)
    np.testing.assert_allclose(weights.local("C2"), [1 / 3] * 3)
    np.testing.assert_allclose(weights.local("B2"), [1.0])


def test_errors_name_the_argument(scores, weights, hierarchy):
    with pytest.raises(SurveyError, match="weight_range"):
        one_at_a_time(scores, weights, weight_range=(0.5, 0.2))
    with pytest.raises(SurveyError, match="steps"):
        one_at_a_time(scores, weights, steps=1)
    with pytest.raises(SurveyError, match="'W' has no published score"):
        tornado(scores, weights, "W")
    with pytest.raises(SurveyError, match="outcome"):
        tornado(scores, weights, "Z", outcome="median")
    with pytest.raises(SurveyError, match="no droppable nodes"):
        drop_one(scores, weights, level="A")
    with pytest.raises(SurveyError, match="no weighting scheme"):
        compare_schemes(None, hierarchy, {})
