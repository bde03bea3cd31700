"""delphi.rounds: one Delphi round, keep rule, feedback and the kept framework.

The statistics are checked by hand on small tables; Kendall's W against published values lives
in tests/test_kendall.py. Authority tables: the usual Chinese Delphi convention (see the
delphi.rounds docstring), e.g. all four bases 大 → Ca = 1.0, 很熟悉 → Cs = 1.0.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from delphi import (
    BASIS,
    FAMILIARITY,
    DelphiError,
    KeepRule,
    delphi_round,
    kendall_w,
    kept_framework,
    next_round,
)

FRAMEWORK = pd.read_csv(Path(__file__).parents[1] / "data" / "framework.csv")


def _ratings():
    return pd.DataFrame(
        {"E1": [5, 4, 3, 5], "E2": [5, 4, 2, 4], "E3": [4, 5, 3, 5], "E4": [5, 3, 2, 5]},
        index=["B1", "B2", "B3", "C01"],
    )


def test_indicator_table_by_hand():
    result = delphi_round(_ratings())
    row = result.indicators.loc["B2"]
    assert row["mean"] == pytest.approx(4.0)
    assert row["sd"] == pytest.approx(np.std([4, 4, 5, 3], ddof=1))
    assert row["cv"] == pytest.approx(row["sd"] / 4.0)
    assert result.indicators.loc["B1", "full_mark_share"] == pytest.approx(0.75)
    assert result.indicators["rank"].tolist() == [1, 3, 4, 1]
    assert result.indicators["keep"].tolist() == [True, True, False, True]
    assert "mean 2.500 < 3.5" in result.indicators.loc["B3", "reason"]
    assert result.kept == ["B1", "B2", "C01"]
    assert result.kendall.w == pytest.approx(kendall_w(_ratings()).w)
    assert (result.invited, result.responded, result.response_rate) == (4, 4, 1.0)


def test_keep_rule_is_a_conjunction_and_configurable():
    rule = KeepRule(min_mean=4.0, max_cv=0.1, min_full_mark=0.5)
    result = delphi_round(_ratings(), rule=rule)
    assert result.kept == []
    reason = result.indicators.loc["B2", "reason"]
    assert "CV" in reason and "full-mark share" in reason
    assert delphi_round(_ratings(), rule=KeepRule(None, None)).kept == ["B1", "B2", "B3", "C01"]


def test_authority_and_response_rate():
    familiarity = {"E1": "很熟悉", "E2": "familiar", "E3": 0.6, "E4": "unfamiliar"}
    basis = {
        "E1": {"理论分析": "大", "实践经验": "大", "同行了解": "大", "直觉": "大"},
        "E2": {"theory": "medium", "practice": "medium", "peers": "small", "intuition": "small"},
        "E3": 0.8,
        "E4": {"practice": "小"},
    }
    result = delphi_round(_ratings(), familiarity, basis, experts_invited=5)
    assert result.authority["ca"].tolist() == pytest.approx([1.0, 0.8, 0.8, 0.3])
    assert result.authority["cs"].tolist() == pytest.approx([1.0, 0.8, 0.6, 0.0])
    assert result.authority["cr"].tolist() == pytest.approx([1.0, 0.8, 0.7, 0.15])
    assert result.mean_cr == pytest.approx(np.mean([1.0, 0.8, 0.7, 0.15]))
    assert result.response_rate == pytest.approx(0.8)


def test_tables_are_bilingual_and_sum_to_one_at_large():
    assert FAMILIARITY["very_familiar"] == (1.0, "很熟悉", "very familiar")
    assert sum(weights["large"] for weights, _, _ in BASIS.values()) == pytest.approx(1.0)
    assert [zh for _, zh, _ in BASIS.values()] == ["理论分析", "实践经验", "同行了解", "直觉"]


def test_next_round_feedback_is_anonymous():
    comments = pd.DataFrame({"indicator": ["B1", "B1", "B3"], "expert": ["E1", "E2", "E3"],
                             "comment": ["zeta", "alpha", "drop it"]})
    nxt = next_round(delphi_round(_ratings()), comments)
    assert nxt.indicators == ["B1", "B2", "C01"]
    assert nxt.feedback.loc["B1", "comments"] == ["alpha", "zeta"]
    assert nxt.feedback.loc["B1", ["rated_4", "rated_5"]].tolist() == [1, 3]
    assert "E1" not in nxt.feedback.to_string()


def test_kept_framework_drops_children_of_dropped_parents():
    framework = FRAMEWORK
    ratings = pd.DataFrame({"E1": [5, 1, 5], "E2": [5, 2, 5], "E3": [4, 1, 4]},
                           index=["B1", "B2", "D01"])
    frame = kept_framework(framework, delphi_round(ratings))
    assert list(frame.columns) == ["level", "code", "parent", "name_zh", "name_en", "source",
                                   "reverse"]
    b2_children = set(framework.loc[framework["parent"] == "B2", "code"])
    assert "B2" not in set(frame["code"]) and not b2_children & set(frame["code"])
    assert {"B1", "D01"} <= set(frame["code"])


def test_bad_input_names_expert_and_indicator():
    ratings = _ratings().astype(object)
    ratings.loc["B2", "E3"] = 7
    with pytest.raises(DelphiError, match="expert E3, indicator B2: 7"):
        delphi_round(ratings)
    with pytest.raises(DelphiError, match="at least 2 experts"):
        delphi_round(_ratings()[["E1"]])
    silent = _ratings().astype(float).assign(E5=np.nan)
    result = delphi_round(silent)
    assert result.non_respondents == ["E5"] and result.response_rate == pytest.approx(0.8)
    assert any("E5" in w for w in result.warnings)


def test_constant_round_says_w_is_undefined():
    result = delphi_round(pd.DataFrame({"E1": [4, 4], "E2": [4, 4]}, index=["B1", "B2"]))
    assert np.isnan(result.kendall.w)
    assert any("undefined" in w for w in result.warnings)
    assert result.indicators["cv"].tolist() == [0.0, 0.0]
