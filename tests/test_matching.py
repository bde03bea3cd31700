"""Column suggestions of the mapping step: by item text, never identifier columns."""

from __future__ import annotations

import pandas as pd
from sample_data import SAMPLE_FRAMEWORK, SAMPLE_RESPONSES

from ahp.hierarchy import Hierarchy
from survey.matching import offered_columns, suggest_mapping


def test_one_missing_column_leaves_the_other_56_items_matched_by_text() -> None:
    hierarchy = Hierarchy.from_csv(SAMPLE_FRAMEWORK)
    headers = [str(c) for c in pd.read_excel(SAMPLE_RESPONSES, nrows=0, engine="openpyxl").columns]
    items = [h for h in headers if "、(" in h]
    assert len(items) == 57
    dropped = items[10]
    found = suggest_mapping([h for h in headers if h != dropped], hierarchy)
    assert len(found) == 56
    assert dropped not in found.values()
    full = suggest_mapping(headers, hierarchy)
    assert len(full) == 57 and len(set(full.values())) == 57


def test_identifier_and_metadata_columns_are_never_offered() -> None:
    headers = ["序号", "来自IP", "来源详情", "1、您的姓名", "2、您的手机号", "3、您所在的社区",
               "4、(平台及时)"]
    assert offered_columns(headers, community_column="3、您所在的社区") == ["4、(平台及时)"]
