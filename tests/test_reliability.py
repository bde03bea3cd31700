"""Tests of survey.reliability against published examples, plus its warnings.

Published examples used (numbers only):
* Denis, D. J. *Applied Univariate, Bivariate, and Multivariate Statistics* (Wiley), section on
  Cronbach's alpha: 10 cases × 5 items analysed with SPSS RELIABILITY; printed α = 0.633,
  Item_1 corrected item-total correlation 0.712, item standard deviations 2.71006 … 3.80058.
* pingouin documentation, examples of ``pingouin.cronbach_alpha`` on the dataset
  ``cronbach_wide_missing`` (12 respondents × 11 binary items, 3 rows with a missing answer):
  listwise α = 0.801695; Feldt 95 % intervals [0.435, 0.909] for α = 0.732661 and
  [0.581, 0.933] for α = 0.801695, both computed by pingouin with n = 12, k = 11.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from ahp.hierarchy import Hierarchy
from i18n import localized
from survey.errors import SurveyError
from survey.reliability import (
    MIN_COMPLETE_CASES,
    ReliabilityWarning,
    cronbach_alpha,
    feldt_interval,
    reliability,
)
from survey.responses import ColumnMapping, Responses

DENIS = np.array(
    [
        [10, 12, 15, 11, 12],
        [12, 18, 12, 12, 1],
        [8, 16, 14, 14, 4],
        [6, 8, 16, 8, 6],
        [4, 7, 8, 7, 5],
        [6, 6, 3, 7, 3],
        [3, 4, 6, 5, 8],
        [7, 3, 7, 9, 9],
        [8, 9, 4, 10, 10],
        [9, 5, 6, 11, 12],
    ],
    dtype=float,
)

N = np.nan
WIDE_MISSING = np.array(
    [
        [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0],
        [N, 0, 1, 1, N, 1, 1, 1, 1, 0, 0],
        [1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0],
        [1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0],
        [0, 1, N, 0, 1, 1, 1, 1, 0, 0, 0],
        [1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
        [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
        [0, 1, 0, 1, 1, 0, 0, 0, 0, 1, 0],
        [1, 0, 0, 1, 0, 1, 0, 0, N, 0, 0],
        [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
        [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
    ]
)

FRAMEWORK_CSV = """level,code,parent,name_zh,name_en
B,B1,A,科学,Soundness
B,B2,A,参与,Participation
C,C1,B1,目标,Goals
C,C2,B1,流程,Process
C,C3,B2,途径,Channels
D,D1,C1,题一,Item one
D,D2,C1,题二,Item two
D,D3,C1,题三,Item three
D,D4,C2,题四,Item four
D,D5,C2,题五,Item five
D,D6,C3,题六,Item six
D,D7,C3,题七,Item seven
"""
ITEMS = [f"D{i}" for i in range(1, 8)]


def test_alpha_matches_textbook_example():
    printed_sd = [2.71006, 5.05085, 4.74810, 2.71621, 3.80058]  # guards the data entry
    np.testing.assert_allclose(DENIS.std(axis=0, ddof=1), printed_sd, atol=5e-6)
    result = cronbach_alpha(DENIS)
    assert round(result.alpha, 3) == 0.633
    assert (result.n, result.k) == (10, 5)
    assert result.ci_low < result.alpha < result.ci_high


def test_alpha_accepts_dataframe_and_drops_incomplete_rows_listwise():
    frame = pd.DataFrame(WIDE_MISSING, columns=[f"Q{i}" for i in range(1, 12)])
    result = cronbach_alpha(frame)
    assert result.alpha == pytest.approx(0.801695, abs=1e-6)
    assert (result.n, result.k) == (9, 11)
    # The interval uses the 9 complete cases (pingouin's listwise example still uses n = 12).
    low, high = feldt_interval(result.alpha, 9, 11)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high))
    assert np.round([result.ci_low, result.ci_high], 3).tolist() == [0.533, 0.947]


def test_feldt_interval_matches_published_values():
    assert np.round(feldt_interval(0.732661, 12, 11), 3).tolist() == [0.435, 0.909]
    assert np.round(feldt_interval(0.801695, 12, 11), 3).tolist() == [0.581, 0.933]
    # A 90 % interval is inside the 95 % one.
    low95, high95 = feldt_interval(0.8, 50, 6)
    low90, high90 = feldt_interval(0.8, 50, 6, confidence=0.90)
    assert low95 < low90 < 0.8 < high90 < high95


def test_feldt_interval_degenerate_and_bad_confidence():
    assert np.isnan(feldt_interval(0.5, 1, 5)).all()
    assert np.isnan(feldt_interval(float("nan"), 30, 5)).all()
    with pytest.raises(SurveyError, match="confidence"):
        feldt_interval(0.5, 30, 5, confidence=1.5)


def test_alpha_bad_shapes_and_too_few_rows():
    with pytest.raises(SurveyError, match="at least 2 items"):
        cronbach_alpha(np.ones((5, 1)))
    with pytest.raises(SurveyError, match="2-D"):
        cronbach_alpha(np.ones(5))
    result = cronbach_alpha(np.array([[1.0, 2.0], [np.nan, 3.0]]))
    assert result.n == 1 and np.isnan(result.alpha)


def make_responses(values: np.ndarray, columns=ITEMS) -> Responses:
    ids = pd.Index([f"r{i}" for i in range(len(values))], name="respondent_id")
    answers = pd.DataFrame(values, index=ids, columns=columns, dtype=float)
    community = pd.Series("甲", index=ids)
    meta = pd.DataFrame({"row": np.arange(2, len(ids) + 2)}, index=ids)
    cells = pd.DataFrame(columns=["respondent_id", "row", "column", "item", "value", "reason"])
    mapping = ColumnMapping(method="codes", columns={c: c for c in columns})
    return Responses(
        answers=answers, community=community, meta=meta, invalid_cells=cells,
        dropped_columns=[], mapping=mapping, source="test.csv",
    )


@pytest.fixture
def framework(tmp_path) -> Hierarchy:
    path = tmp_path / "framework.csv"
    path.write_text(FRAMEWORK_CSV, encoding="utf-8")
    return Hierarchy.from_csv(path)


def consistent_answers(n: int = 60, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    trait = rng.normal(0, 1, (n, 1))
    return np.clip(np.round(3 + trait + rng.normal(0, 0.6, (n, len(ITEMS)))), 1, 5)


def test_reliability_tables_match_direct_computation(framework):
    values = consistent_answers()
    values[0, 0] = np.nan  # r0 leaves the overall, B1 and C1 scales only
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReliabilityWarning)  # sound data: silent
        result = reliability(make_responses(values), framework)
    scales = result.scales.set_index("code")
    assert scales["scope"].to_dict() == {
        "A": "overall", "B1": "dimension", "B2": "dimension",
        "C1": "sub-indicator", "C2": "sub-indicator", "C3": "sub-indicator"}
    assert scales.loc["A", "k"] == 7 and scales.loc["A", "n"] == 59
    assert scales.loc["C2", "n"] == 60 and scales.loc["B2", "k"] == 2
    direct = cronbach_alpha(values[:, :5])
    assert scales.loc["B1", "alpha"] == pytest.approx(direct.alpha)
    assert scales.loc["B1", "ci_low"] == pytest.approx(direct.ci_low)
    items = result.items[result.items["code"] == "B1"].set_index("item")
    complete = values[~np.isnan(values[:, :5]).any(axis=1), :5]
    for j, item in enumerate(ITEMS[:5]):
        rest = np.delete(complete, j, axis=1)
        assert items.loc[item, "alpha_if_deleted"] == pytest.approx(cronbach_alpha(rest).alpha)
        r = np.corrcoef(complete[:, j], rest.sum(axis=1))[0, 1]
        assert items.loc[item, "item_rest_r"] == pytest.approx(r)
    two_items = result.items[result.items["code"] == "C3"]
    assert two_items["alpha_if_deleted"].isna().all()  # one item left: no α
    assert result.warnings == []


def test_item_statistics_match_textbook(tmp_path):
    csv = "level,code,parent,name_zh,name_en\nB,B1,A,量表,Scale\nC,C1,B1,分量表,Sub\n" + "".join(
        f"D,Item_{i},C1,题{i},Item {i}\n" for i in range(1, 6))
    path = tmp_path / "denis.csv"
    path.write_text(csv, encoding="utf-8")
    framework = Hierarchy.from_csv(path)
    columns = [f"Item_{i}" for i in range(1, 6)]
    with pytest.warns(ReliabilityWarning) as raised:
        result = reliability(make_responses(DENIS, columns), framework)
    overall = result.items[result.items["code"] == "A"].set_index("item")
    assert round(overall.loc["Item_1", "item_rest_r"], 3) == 0.712
    # Item_5 correlates negatively with the rest: the warning names it, loudly.
    assert overall.loc["Item_5", "item_rest_r"] < 0
    flagged = [w for w in result.warnings if "negative item-rest correlation" in w]
    assert len(flagged) == 3  # overall, B1 and C1 hold the same five items
    assert all(w.startswith("Item_5 Item 5: negative item-rest correlation r = -") for w in flagged)
    assert all(w.text("zh").startswith("Item_5 题5：在") for w in flagged)
    assert [str(w.message) for w in raised] == flagged
    assert not any("complete cases" in w for w in result.warnings)  # n = 10 is enough


def test_reversed_item_not_recoded_is_flagged(framework):
    values = consistent_answers(seed=2)
    values[:, 3] = 6 - values[:, 3]  # D4 left reversed
    with pytest.warns(ReliabilityWarning) as raised:
        result = reliability(make_responses(values), framework)
    assert [str(w.message) for w in raised] == result.warnings
    assert result.warnings[0].startswith("D4 Item four: negative item-rest correlation r = -")
    assert result.warnings[0].text("zh").startswith(
        "D4 题四：在总量表 A 目标中与其余题目总分负相关（r = -")
    flagged = {
        (w.split()[0], w.split(" in scale ")[1].split()[0])
        for w in result.warnings
        if "negative item-rest correlation" in w
    }
    # D4 is against every scale holding it; in the 2-item C2 its partner D5 gets the same r.
    assert flagged == {("D4", "A"), ("D4", "B1"), ("D4", "C2"), ("D5", "C2")}
    negative_alpha = [w for w in result.warnings if "negative α" in w]
    assert len(negative_alpha) == 1
    assert negative_alpha[0].startswith(
        "scale C2 Process (sub-indicator): negative α = -")
    assert "(negative item-rest r: D4, D5)" in negative_alpha[0]
    assert negative_alpha[0].text("zh").startswith("二级指标 C2 流程：α 为负值（α = -")
    assert "（题总相关为负的题目：D4、D5）" in negative_alpha[0].text("zh")


def test_warnings_point_at_the_caller_of_reliability(framework):
    values = consistent_answers(seed=2)
    values[:, 3] = 6 - values[:, 3]  # a negative item-rest r (scale check)
    values[:, 5] = 4.0  # a zero variance (item check)
    with pytest.warns(ReliabilityWarning) as raised:
        reliability(make_responses(values), framework)
    assert any("zero variance" in str(w.message) for w in raised)
    assert any("negative item-rest" in str(w.message) for w in raised)
    assert {w.filename for w in raised} == {__file__}

def test_zero_variance_missing_item_and_few_cases(framework):
    values = consistent_answers(n=8, seed=3)[:, :6]
    values[:, 5] = 4.0  # D6 constant
    with pytest.warns(ReliabilityWarning, match=r"^D6 Item six: zero variance \(every respondent"):
        result = reliability(make_responses(values, ITEMS[:6]), framework)
    text = "\n".join(result.warnings)
    assert "D6 Item six: zero variance (every respondent answered 4)" in text
    assert "D7 Item seven: not in the data" in text
    assert "only 8 complete cases" in text and MIN_COMPLETE_CASES > 8
    zh = "\n".join(localized(w, "zh") for w in result.warnings)
    assert "D6 题六：该题方差为零（所有人的答案都是 4）" in zh
    assert "D7 题七：该题数据中没有，未纳入信度分析" in zh
    assert "完整作答的样本仅 8 份" in zh
    assert "C3" not in result.scales["code"].tolist()  # one item left under C3
    assert result.items.loc[result.items["item"] == "D6", "item_rest_r"].isna().all()


def test_unanswered_item_is_left_out(framework):
    values = consistent_answers(seed=4)
    values[:, 1] = np.nan
    result = reliability(make_responses(values), framework)
    assert any(w.startswith("D2 Item two: nobody answered") for w in result.warnings)
    scales = result.scales.set_index("code")
    assert scales.loc["A", "k"] == 6 and scales.loc["A", "n"] == 60


def test_no_framework_item_in_answers(framework):
    responses = make_responses(consistent_answers()[:, :2], ["X1", "X2"])
    with pytest.raises(SurveyError, match="none of the framework's items"):
        reliability(responses, framework)


def test_no_answers_gives_an_empty_result_not_a_crash(framework):
    empty = make_responses(consistent_answers()[:0])
    result = reliability(empty, framework)
    assert result.scales.empty and result.items.empty
    assert list(result.scales.columns) == ["scope", "code", "k", "n", "alpha", "ci_low", "ci_high"]
    assert result.warnings == ["no answers (0 respondents): reliability is not computed"]
    assert result.warnings[0].text("zh") == "没有作答数据（0 名受访者），未计算信度"
    blank = make_responses(np.full((3, len(ITEMS)), np.nan))
    assert reliability(blank, framework).warnings[0].startswith("no answers (3 respondents)")


def test_a_single_answered_item_gives_no_scale_not_a_crash(framework):
    """A questionnaire mapped to one framework item (e.g. a partial column mapping) has no
    scale of two items: no α, every other item reported as missing, no exception."""
    values = consistent_answers(seed=5)
    values[:, 1:] = np.nan
    result = reliability(make_responses(values), framework)
    assert result.scales.empty and result.items.empty
    silent = [w for w in result.warnings if "nobody answered" in w]
    assert silent == [
        f"{len(ITEMS) - 1} items nobody answered, left out of every scale: "
        + "D2 Item two, D3 Item three, D4 Item four, D5 Item five, D6 Item six, D7 Item seven"]
    assert silent[0].text("zh") == (f"{len(ITEMS) - 1} 个题目无人作答，未纳入信度分析："
                                    "D2 题二、D3 题三、D4 题四、D5 题五、D6 题六、D7 题七")
