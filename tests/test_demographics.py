"""Demographic columns kept by the loader (survey.demographics), never an identifier."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sample_data import SAMPLE_FRAMEWORK, SAMPLE_RESPONSES

from ahp.hierarchy import Hierarchy
from survey.demographics import demographic_name, find_demographic, is_demographic
from survey.loading import load_responses
from survey.screening import screen


def test_demographic_headers_are_recognised():
    assert is_demographic("10、您的性别")
    assert is_demographic("年龄段")
    assert is_demographic("居住年限")
    assert is_demographic("户籍")
    assert is_demographic("Education")
    assert not is_demographic("您所在的社区是？")
    assert not is_demographic("Stage")  # 'age' must stand alone
    assert demographic_name("12、您在本地居住的年限") == "您在本地居住的年限"


def test_identifier_wins_over_demographic():
    assert not is_demographic("您的姓名和年龄")
    assert not is_demographic("手机号（户籍地）")


def _csv(tmp_path: Path, hierarchy: Hierarchy) -> Path:
    items = hierarchy.items
    rows = []
    for i in range(12):
        rows.append({"序号": i + 1, "社区": "甲社区", "性别": "男" if i % 2 else "女",
                     "姓名及年龄": f"张{i} 30岁", "户籍": "(跳过)" if i == 0 else "本地",
                     **{d: 3 + (i % 2) for d in items}})
    path = tmp_path / "answers.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_loader_keeps_demographics_and_drops_identifiers(tmp_path):
    hierarchy = Hierarchy.from_csv(SAMPLE_FRAMEWORK)
    loaded = load_responses(_csv(tmp_path, hierarchy), hierarchy)
    assert list(loaded.demographics.columns) == ["性别", "户籍"]
    assert "姓名及年龄" in loaded.dropped_columns
    assert "姓名及年龄" not in loaded.demographics.columns
    assert pd.isna(loaded.demographics.loc["1", "户籍"])  # missing marker
    assert loaded.demographics.index.equals(loaded.answers.index)
    assert "性别" in loaded.mapping.unmatched_columns  # not an item: listed as before


def test_subset_and_screening_keep_demographics():
    loaded = load_responses(SAMPLE_RESPONSES, SAMPLE_FRAMEWORK)
    assert {"您的性别", "您的年龄段", "您在本地居住的年限", "您的户籍"} <= set(
        loaded.demographics.columns)
    assert set(loaded.dropped_columns) == {"来源详情", "来自IP", "1、您的姓名"}
    valid, _ = screen(loaded)
    assert valid.demographics.index.equals(valid.answers.index)
    assert find_demographic(valid.demographics, "居住") == "您在本地居住的年限"


def test_find_demographic_names_the_columns_kept():
    frame = pd.DataFrame({"性别": ["男"], "年龄段": ["30-44岁"]})
    try:
        find_demographic(frame, "学历")
    except ValueError as exc:
        assert "性别, 年龄段" in str(exc)
    else:
        raise AssertionError("expected ValueError")
