"""Tests of survey.screening: every rule, switching rules off, and the validity report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ahp.hierarchy import Hierarchy
from i18n import localized
from survey import Responses, ScreeningRules, SurveyError, load_responses, screen
from survey.responses import INVALID_CELL_COLUMNS, ColumnMapping
from survey.screening import NO_COMMUNITY, RULES

ITEMS = [f"D{i:02d}" for i in range(1, 13)]
BASE = [5, 4, 3, 2, 1, 5, 4, 3, 2, 1, 5, 4]


def make_responses(
    answers,
    community=None,
    duration=None,
    invalid=(),
    reversed_items=(),
) -> Responses:
    """Responses built directly (ids "1".., rows 2..) for rule-by-rule tests."""
    answers = np.asarray(answers, dtype=float)
    n = len(answers)
    ids = pd.Index([str(i + 1) for i in range(n)], name="respondent_id")
    community = ["甲"] * n if community is None else community
    duration = [300.0] * n if duration is None else duration
    cells = pd.DataFrame(list(invalid), columns=list(INVALID_CELL_COLUMNS))
    return Responses(
        answers=pd.DataFrame(answers, index=ids, columns=ITEMS[: answers.shape[1]]),
        community=pd.Series(community, index=ids, dtype=object, name="community"),
        meta=pd.DataFrame(
            {
                "row": np.arange(2, n + 2),
                "duration_seconds": np.asarray(duration, dtype=float),
                "submitted_at": pd.NaT,
                "source": "手机提交",
            },
            index=ids,
        ),
        invalid_cells=cells,
        dropped_columns=[],
        mapping=ColumnMapping("codes", {c: c for c in ITEMS}),
        source="test",
        reversed_items=tuple(reversed_items),
    )


def distinct_rows(n: int) -> np.ndarray:
    """n answer vectors, all different and none constant."""
    rows = np.tile(BASE, (n, 1))
    rows[:, 0] = (np.arange(n) % 5) + 1
    rows[:, 1] = (np.arange(n) // 5 % 5) + 1
    return rows


def only(report, rule):
    return report.reasons[report.reasons["rule"] == rule]


def test_all_valid():
    valid, report = screen(make_responses(distinct_rows(6)))
    assert (report.received, report.valid, report.rate) == (6, 6, 1.0)
    assert report.reasons.empty
    assert report.counts["excluded"] == 0
    assert len(valid) == 6


def test_off_scale_rule_reports_each_cell():
    invalid = [
        ("2", 3, "4、(子题3)", "D03", "7", "off the 1..5 scale"),
        ("2", 3, "4、(子题4)", "D04", "maybe", "not a number nor a known answer label"),
    ]
    answers = distinct_rows(3).astype(float)
    answers[1, 2:4] = np.nan
    responses = make_responses(answers, invalid=invalid)
    valid, report = screen(responses)
    rows = only(report, "off_scale")
    assert rows["respondent_id"].tolist() == ["2"]
    assert rows["detail"].iloc[0] == (
        "D03 (column '4、(子题3)'): '7' off the 1..5 scale; "
        "D04 (column '4、(子题4)'): 'maybe' not a number nor a known answer label"
    )
    assert valid.answers.index.tolist() == ["1", "3"]
    assert valid.invalid_cells.empty
    kept, report_off = screen(responses, ScreeningRules(off_scale=False))
    assert report_off.valid == 3 and len(kept.invalid_cells) == 2


def test_missing_share_rule():
    answers = distinct_rows(3).astype(float)
    answers[0, :3] = np.nan  # 3/12 = 25 % > 20 %
    answers[1, :2] = np.nan  # 2/12 = 17 %
    _, report = screen(make_responses(answers))
    rows = only(report, "missing")
    assert rows["respondent_id"].tolist() == ["1"]
    assert rows["detail"].iloc[0] == "3 of 12 items missing (25% > 20%)"
    # the detail travels as a Message (through the report's reasons frame), shown in Chinese
    assert localized(report.reasons["detail"].iloc[0], "zh") == "12 题中缺答 3 题（25% > 20%）"
    _, lenient = screen(make_responses(answers), ScreeningRules(max_missing_share=0.3))
    assert lenient.valid == 3
    _, off = screen(make_responses(answers), ScreeningRules(max_missing_share=None))
    assert off.valid == 3


def test_straightlining_rule_and_minimum_items():
    answers = distinct_rows(4).astype(float)
    answers[0] = 4
    answers[1] = 3
    answers[1, :3] = np.nan  # 9 answered items: below the minimum of 10
    _, report = screen(make_responses(answers))
    rows = only(report, "straightlining")
    assert rows["respondent_id"].tolist() == ["1"]
    assert rows["detail"].iloc[0] == "same answer 4 to all 12 answered items"
    _, report9 = screen(make_responses(answers), ScreeningRules(straightlining_min_items=9))
    assert only(report9, "straightlining")["respondent_id"].tolist() == ["1", "2"]
    _, off = screen(make_responses(answers), ScreeningRules(straightlining_min_items=None))
    assert only(off, "straightlining").empty
    assert off.excluded == ["2"]  # still excluded for its 3 missing answers


def test_straightlining_sees_through_reverse_coding():
    answers = distinct_rows(2).astype(float)
    answers[0] = 4
    answers[0, 11] = 6 - 4  # D12 is reverse-coded: the raw answer was 4 too
    responses = make_responses(answers, reversed_items=("D12",))
    _, report = screen(responses)
    assert only(report, "straightlining")["respondent_id"].tolist() == ["1"]
    _, unaware = screen(make_responses(answers))
    assert only(unaware, "straightlining").empty


def test_min_duration_rule_only_when_known():
    answers = distinct_rows(3)
    responses = make_responses(answers, duration=[45.0, np.nan, 60.0])
    _, report = screen(responses)
    rows = only(report, "too_fast")
    assert rows["respondent_id"].tolist() == ["1"]
    assert rows["detail"].iloc[0] == "completed in 45 s < 60 s"
    _, strict = screen(responses, ScreeningRules(min_duration_seconds=90))
    assert only(strict, "too_fast")["respondent_id"].tolist() == ["1", "3"]
    _, off = screen(responses, ScreeningRules(min_duration_seconds=None))
    assert off.valid == 3 and off.notes == []
    # the respondent the rule could not check is said, never skipped silently
    assert report.notes == ["1 questionnaire(s) have an empty or unreadable completion time "
                            "(所用时间), so the too-fast rule could not check them: rows 3"]
    assert report.notes[0].text("zh").endswith("第 3 行")
    _, unknown = screen(make_responses(answers, duration=[np.nan] * 3))
    assert unknown.notes == ["no completion time (所用时间) in the file: the too-fast rule was "
                             "not applied"]
    _, known = screen(make_responses(answers))
    assert known.notes == []


def test_duplicates_keep_the_first_and_name_its_row():
    answers = distinct_rows(5).astype(float)
    answers[2] = answers[0]
    answers[3] = answers[0]
    answers[4] = answers[0]
    answers[[0, 2, 3, 4], 5] = np.nan  # missing answers count as equal
    community = ["甲", "甲", "甲", "乙", "甲"]
    _, report = screen(make_responses(answers, community=community))
    rows = only(report, "duplicate")
    assert rows["respondent_id"].tolist() == ["3", "5"]  # "4" is in another community
    assert rows["detail"].tolist() == [
        "same answers and community as respondent 1 (row 2)",
        "same answers and community as respondent 1 (row 2)",
    ]
    _, off = screen(make_responses(answers, community=community), ScreeningRules(duplicates=False))
    assert off.valid == 5


def test_no_community_rule():
    responses = make_responses(distinct_rows(3), community=["甲", np.nan, "乙"])
    valid, report = screen(responses)
    rows = only(report, "no_community")
    assert rows["respondent_id"].tolist() == ["2"]
    assert rows["detail"].iloc[0] == "community missing"
    assert valid.community.tolist() == ["甲", "乙"]
    _, off = screen(responses, ScreeningRules(require_community=False))
    assert off.valid == 3 and off.by_community.loc[NO_COMMUNITY, "valid"] == 1


def test_every_reason_is_reported_and_nothing_is_dropped_silently():
    answers = distinct_rows(8).astype(float)
    answers[1] = 5  # straight line
    answers[1, :4] = np.nan  # and too many missing
    answers[6] = answers[0]  # duplicate of row 2
    invalid = [("4", 5, "Q4", "D04", "0", "off the 1..5 scale")]
    answers[3, 3] = np.nan
    responses = make_responses(
        answers,
        community=["甲", "甲", np.nan, "乙", "乙", "乙", "甲", "甲"],
        duration=[300, 30, 300, 300, 300, 300, 300, 300],
        invalid=invalid,
    )
    valid, report = screen(responses, ScreeningRules(straightlining_min_items=8))
    assert report.received == report.valid + len(report.excluded) == 8
    assert report.excluded == ["2", "3", "4", "7"]
    two = report.reasons[report.reasons["respondent_id"] == "2"]
    assert two["rule"].tolist() == ["missing", "straightlining", "too_fast"]
    assert two["row"].tolist() == [3, 3, 3] and two["community"].tolist() == ["甲"] * 3
    assert list(report.reasons.columns) == ["respondent_id", "row", "community", "rule", "detail"]
    assert report.counts[list(RULES)].tolist() == [1, 1, 1, 1, 1, 1]
    assert report.counts["excluded"] == 4
    assert report.rate == pytest.approx(4 / 8)
    by = report.by_community
    assert by.loc["甲"].tolist() == [4, 2, 0.5]
    assert by.loc["乙"].tolist() == [3, 2, pytest.approx(2 / 3)]
    assert by.loc[NO_COMMUNITY].tolist() == [1, 0, 0.0]
    assert by["received"].sum() == report.received and by["valid"].sum() == report.valid
    assert valid.answers.index.tolist() == ["1", "5", "6", "8"]
    assert set(valid.meta.index) == set(valid.community.index) == set(valid.answers.index)
    assert report.rules.straightlining_min_items == 8


def test_empty_responses():
    valid, report = screen(make_responses(np.empty((0, 12))))
    assert (report.received, report.valid) == (0, 0)
    assert np.isnan(report.rate)
    assert len(valid) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_missing_share": 1.5}, r"max_missing_share must be in \[0, 1\], got 1.5"),
        ({"straightlining_min_items": 1}, "straightlining_min_items must be at least 2"),
        ({"min_duration_seconds": -1}, "min_duration_seconds must be non-negative"),
    ],
)
def test_rule_values_are_checked(kwargs, message):
    with pytest.raises(SurveyError, match=message):
        ScreeningRules(**kwargs)


def test_load_then_screen(tmp_path):
    rows = [("B", "B1", "A"), ("C", "C1", "B1")] + [("D", c, "C1") for c in ITEMS]
    frame = pd.DataFrame(rows, columns=["level", "code", "parent"]).assign(name_zh="x", name_en="x")
    hierarchy = Hierarchy.from_frame(frame)
    answers = distinct_rows(4).astype(object)
    answers[1, 0] = 7
    answers[2, :] = 3
    export = pd.DataFrame(answers, columns=[f"8、(子题{i})" for i in range(1, 13)])
    export.insert(0, "所在社区", ["翠苑", "翠苑", "文新", "文新"])
    export.insert(0, "所用时间", ["200秒", "3分", "4分", "50秒"])
    export.insert(0, "序号", [11, 12, 13, 14])
    path = tmp_path / "wjx.csv"
    export.to_csv(path, index=False, encoding="utf-8-sig")
    valid, report = screen(load_responses(path, hierarchy))
    assert report.excluded == ["12", "13", "14"]
    assert report.reasons.groupby("respondent_id")["rule"].first().to_dict() == {
        "12": "off_scale",
        "13": "straightlining",
        "14": "too_fast",
    }
    assert valid.answers.index.tolist() == ["11"]


def test_all_rules_off_keeps_everyone():
    answers = distinct_rows(4).astype(float)
    answers[0] = 5  # straight line
    answers[1, :6] = np.nan  # half missing
    answers[3] = answers[2]  # duplicate
    invalid = [("1", 2, "Q1", "D01", "7", "off the 1..5 scale")]
    responses = make_responses(
        answers, community=["甲", np.nan, "甲", "甲"], duration=[5, 5, 5, 5], invalid=invalid
    )
    _, strict = screen(responses)
    assert strict.excluded == ["1", "2", "3", "4"]  # "3" and "4": too fast
    off = ScreeningRules(
        off_scale=False, max_missing_share=None, straightlining_min_items=None,
        min_duration_seconds=None, duplicates=False, require_community=False,
    )
    valid, report = screen(responses, off)
    assert (report.received, report.valid, report.rate) == (4, 4, 1.0)
    assert report.reasons.empty and list(report.reasons.columns) == list(
        ("respondent_id", "row", "community", "rule", "detail"))
    assert report.counts.tolist() == [0] * (len(RULES) + 1)
    assert len(valid) == 4
