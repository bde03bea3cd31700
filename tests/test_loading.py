"""Tests of survey.loading: every loading path and each bad input's message.

Fixtures are 问卷星-like exports written into tmp_path (CSV with pandas, .xlsx with openpyxl).
The .xlsx tests run with each reader (``xlsx_engine``): python-calamine, skipped when it is not
installed, and the openpyxl read-only fallback.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ahp.hierarchy import Hierarchy
from survey import SurveyError, load_responses, loading
from survey.loading import DEFAULT_LABELS, parse_duration
from untrusted import UntrustedFileError

ITEMS = [f"D{i:02d}" for i in range(1, 13)]
REVERSED = "D12"
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SUB_ITEMS = [f"子题{i}" for i in range(1, 13)]
ANSWERS = np.array(
    [
        [5, 4, 3, 2, 1, 5, 4, 3, 2, 1, 5, 4],
        [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 1, 2],
        [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
        [2, 4, 2, 4, 2, 4, 2, 4, 2, 4, 2, 5],
    ]
)


def framework_frame() -> pd.DataFrame:
    """Two B, four C, twelve D; D12 reverse-coded."""
    rows = [("B", "B1", "A"), ("B", "B2", "A")]
    rows += [("C", f"C{j}", "B1" if j <= 2 else "B2") for j in range(1, 5)]
    rows += [("D", code, f"C{i // 3 + 1}") for i, code in enumerate(ITEMS)]
    frame = pd.DataFrame(rows, columns=["level", "code", "parent"])
    frame["name_zh"] = frame["code"] + "名"
    frame["name_en"] = frame["code"] + " name"
    frame["reverse"] = (frame["code"] == REVERSED).astype(int)
    return frame


@pytest.fixture
def framework(tmp_path: Path) -> Path:
    path = tmp_path / "framework.csv"
    framework_frame().to_csv(path, index=False)
    return path


@pytest.fixture
def hierarchy() -> Hierarchy:
    return Hierarchy.from_frame(framework_frame())


@pytest.fixture(params=["calamine", "openpyxl"])
def xlsx_engine(request, monkeypatch) -> str:
    """Run an .xlsx test with each reader: python-calamine (skipped when it is not installed)
    and openpyxl in read-only mode (the reader used without python-calamine)."""
    if request.param == "calamine":
        pytest.importorskip("python_calamine")
    else:
        monkeypatch.setattr(loading, "python_calamine", None)
    return request.param


def wjx_frame(answers=ANSWERS, headers=None) -> pd.DataFrame:
    """A 问卷星 export: metadata, identifiers, the community question, a matrix, a comment."""
    n = len(answers)
    headers = headers or [f"4、({s})" for s in SUB_ITEMS]
    frame = pd.DataFrame(
        {
            "序号": list(range(1, n + 1)),
            "提交答卷时间": ["2024/5/1 10:00:00"] * n,
            "所用时间": (["120秒", "2分30秒", "01:05", "45秒"] * n)[:n],
            "来源": ["手机提交"] * n,
            "来源详情": ["https://example.org"] * n,
            "来自IP": ["1.2.3.4(浙江-杭州)"] * n,
            "1、您的姓名": ["张三"] * n,
            "2、手机号码": ["13800000000"] * n,
            "3、您所在的社区是？": (["翠苑一区", " 翠苑一区 ", "文新", "ＡＢ社区"] * n)[:n],
        }
    )
    block = pd.DataFrame(np.asarray(answers, dtype=object), columns=headers)
    comment = pd.DataFrame({"5、其他意见": ["无"] * n})
    return pd.concat([frame, block, comment], axis=1)


def expected_scores(answers=ANSWERS) -> np.ndarray:
    scores = np.asarray(answers, dtype=float).copy()
    scores[:, ITEMS.index(REVERSED)] = 6 - scores[:, ITEMS.index(REVERSED)]
    return scores


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        ws = book.create_sheet(name)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append(list(row))
    book.save(path)
    return path


def rewrite_sheet_xml(path: Path, edit, member: str = "xl/worksheets/sheet1.xml") -> None:
    """Rewrite one worksheet's XML inside the .xlsx (to build what other writers produce)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[member] = edit(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------- loading paths


def test_csv_utf8_order_mapping(tmp_path, framework):
    path = tmp_path / "survey.csv"
    wjx_frame().to_csv(path, index=False, encoding="utf-8")
    before = digest(path)
    res = load_responses(path, framework)
    assert digest(path) == before
    np.testing.assert_array_equal(res.answers.to_numpy(), expected_scores())
    assert list(res.answers.columns) == ITEMS
    assert res.answers.index.tolist() == ["1", "2", "3", "4"]
    assert res.answers.index.name == "respondent_id"
    assert res.mapping.method == "order"
    assert res.mapping.columns["4、(子题1)"] == "D01"
    assert res.mapping.missing_items == []
    assert res.mapping.unmatched_columns == ["5、其他意见"]
    assert res.mapping.community_column == "3、您所在的社区是？"
    assert res.dropped_columns == ["来源详情", "来自IP", "1、您的姓名", "2、手机号码"]
    assert res.community.tolist() == ["翠苑一区", "翠苑一区", "文新", "AB社区"]
    assert res.meta["row"].tolist() == [2, 3, 4, 5]
    assert res.meta["duration_seconds"].tolist() == [120.0, 150.0, 65.0, 45.0]
    assert res.meta["submitted_at"].iloc[0] == pd.Timestamp("2024-05-01")
    assert res.meta["source"].iloc[0] == "手机提交"
    assert res.invalid_cells.empty
    assert res.reversed_items == (REVERSED,)
    assert res.source == "survey.csv"


def test_identifier_values_never_reach_the_result(tmp_path, hierarchy):
    path = tmp_path / "survey.csv"
    wjx_frame().to_csv(path, index=False)
    res = load_responses(path, hierarchy)
    held = pd.concat([res.answers.astype(str), res.community, res.meta.astype(str)], axis=1)
    text = held.to_csv()
    for secret in ("张三", "13800000000", "1.2.3.4", "example.org"):
        assert secret not in text


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_bom_and_gb18030(tmp_path, framework, encoding):
    path = tmp_path / "survey.csv"
    wjx_frame().to_csv(path, index=False, encoding=encoding)
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    res = load_responses(path, framework)
    assert res.answers.index.tolist() == ["1", "2", "3", "4"]  # 序号 found despite the BOM
    assert res.community.iloc[2] == "文新"
    np.testing.assert_array_equal(res.answers.to_numpy(), expected_scores())


@pytest.mark.usefixtures("xlsx_engine")
def test_xlsx_picks_the_response_sheet(tmp_path, hierarchy):
    guide = pd.DataFrame({"说明": ["本问卷……"], "备注": ["x"]})
    path = write_xlsx(tmp_path / "123_按分数_问卷_4_4.xlsx", {"说明": guide, "Sheet1": wjx_frame()})
    before = digest(path)
    res = load_responses(path, hierarchy)
    assert digest(path) == before
    assert res.source == "123_按分数_问卷_4_4.xlsx, sheet 'Sheet1'"
    np.testing.assert_array_equal(res.answers.to_numpy(), expected_scores())
    assert res.meta["row"].tolist() == [2, 3, 4, 5]


@pytest.mark.usefixtures("xlsx_engine")
def test_xlsx_sheet_override_and_unknown_sheet(tmp_path, hierarchy):
    other = wjx_frame(answers=np.full((4, 12), 2))
    path = write_xlsx(tmp_path / "s.xlsx", {"A": wjx_frame(), "B": other})
    res = load_responses(path, hierarchy, sheet="B")
    assert (res.answers.drop(columns=REVERSED) == 2).all().all()
    with pytest.raises(SurveyError, match=r"s\.xlsx: no sheet 'C'; sheets are A, B"):
        load_responses(path, hierarchy, sheet="C")


@pytest.mark.usefixtures("xlsx_engine")
def test_xlsx_excel_types_and_trailing_empty_rows(tmp_path, hierarchy):
    path = write_xlsx(tmp_path / "t.xlsx", {"Sheet1": wjx_frame()})
    book = openpyxl.load_workbook(path)
    ws = book["Sheet1"]
    ws["B2"] = pd.Timestamp("2024-05-03 08:30").to_pydatetime()
    ws["A8"] = None  # formatted but empty row below the data
    ws["J3"] = 4.0
    ws["K3"] = "3"  # a number typed as text
    book.save(path)
    res = load_responses(path, hierarchy)
    assert len(res) == 4
    assert res.answers.index.tolist() == ["1", "2", "3", "4"]  # 序号 numbers, not "1.0"
    assert res.meta["submitted_at"].iloc[0] == pd.Timestamp("2024-05-03")
    assert res.meta["submitted_at"].iloc[1] == pd.Timestamp("2024-05-01")
    assert res.answers.loc["2", "D01"] == 4.0
    assert res.answers.loc["2", "D02"] == 3.0


@pytest.mark.usefixtures("xlsx_engine")
def test_xlsx_row_numbers_survive_a_gap_and_a_wrong_dimension_tag(tmp_path, hierarchy):
    path = write_xlsx(tmp_path / "g.xlsx", {"Sheet1": wjx_frame()})
    book = openpyxl.load_workbook(path)
    book["Sheet1"].insert_rows(4, 2)  # rows 4 and 5 left empty
    book.save(path)
    wrong = b'<dimension ref="A1:C2"'  # some writers get it wrong
    rewrite_sheet_xml(path, lambda xml: re.sub(rb'<dimension ref="[^"]*"', wrong, xml))
    res = load_responses(path, hierarchy)
    assert res.meta["row"].tolist() == [2, 3, 6, 7]
    assert res.answers.index.tolist() == ["1", "2", "3", "4"]
    np.testing.assert_array_equal(res.answers.to_numpy(), expected_scores())


def test_text_labels_chinese_english_full_width(tmp_path, hierarchy):
    labels = ["非常不同意", " 不同意", "一般", "同意 ", "非常同意", "比较同意", "Strongly  Agree",
              "disagree", "NEUTRAL", "ａｇｒｅｅ", "比较不同意", "不确定"]
    answers = np.array([labels, labels[::-1]], dtype=object)
    path = tmp_path / "text.csv"
    wjx_frame(answers=answers).to_csv(path, index=False)
    res = load_responses(path, hierarchy)
    first = [1, 2, 3, 4, 5, 4, 5, 2, 3, 4, 2, 6 - 3]
    assert res.answers.iloc[0].tolist() == first
    assert res.invalid_cells.empty


def test_user_labels_replace_the_default(tmp_path, hierarchy):
    reversed_index = {"1": 5, "2": 4, "3": 3, "4": 2, "5": 1}
    path = tmp_path / "index.csv"
    wjx_frame().to_csv(path, index=False)
    res = load_responses(path, hierarchy, labels=reversed_index)
    np.testing.assert_array_equal(res.answers.to_numpy(), 6 - expected_scores())
    with pytest.raises(SurveyError, match=r"labels: '好' maps to 9, outside the 1\.\.5 scale"):
        load_responses(path, hierarchy, labels={"好": 9})


@pytest.mark.usefixtures("xlsx_engine")
def test_user_labels_on_excel_numbers_and_missing_markers(tmp_path, hierarchy):
    answers = ANSWERS.astype(float).astype(object)  # Excel stores 5 as 5.0
    answers[0, 0] = "(空)"
    path = write_xlsx(tmp_path / "index.xlsx", {"Sheet1": wjx_frame(answers=answers)})
    labels = {"1.0": 5, "2": 4, "3": 3, "4": 2, "5": 1, "(空)": 3}
    res = load_responses(path, hierarchy, labels=labels)
    expected = 6 - expected_scores()
    expected[0, 0] = np.nan  # a missing marker is never a score, even when labelled
    np.testing.assert_array_equal(res.answers.to_numpy(), expected)


def test_default_labels_cover_the_documented_words():
    assert DEFAULT_LABELS["比较不同意"] == 2 and DEFAULT_LABELS["中立"] == 3
    assert DEFAULT_LABELS["非常满意"] == 5 and DEFAULT_LABELS["strongly disagree"] == 1


def test_missing_markers_are_nan_not_invalid(tmp_path, hierarchy):
    answers = ANSWERS.astype(object)
    answers[0, :5] = ["(跳过)", "(空)", "（空）", -2, -3]
    answers[1, 0] = ""
    path = tmp_path / "numeric.csv"
    wjx_frame(answers=answers).to_csv(path, index=False)
    res = load_responses(path, hierarchy)
    assert res.answers.iloc[0, :5].isna().all()
    assert np.isnan(res.answers.iloc[1, 0])
    assert res.answers.iloc[0, 5] == 5.0
    assert res.invalid_cells.empty


@pytest.mark.usefixtures("xlsx_engine")
def test_missing_markers_as_excel_numbers(tmp_path, hierarchy):
    answers = ANSWERS.astype(object)
    answers[2, 3] = -2
    answers[3, 4] = -3.0
    path = write_xlsx(tmp_path / "n.xlsx", {"Sheet1": wjx_frame(answers=answers)})
    res = load_responses(path, hierarchy)
    assert np.isnan(res.answers.iloc[2, 3]) and np.isnan(res.answers.iloc[3, 4])
    assert res.invalid_cells.empty


def test_invalid_cells_are_recorded(tmp_path, hierarchy):
    answers = ANSWERS.astype(object)
    answers[1, 2] = 7
    answers[2, 0] = "maybe"
    answers[3, 5] = 0
    answers[3, 6] = 2.5
    path = tmp_path / "bad.csv"
    wjx_frame(answers=answers).to_csv(path, index=False)
    res = load_responses(path, hierarchy)
    cells = res.invalid_cells
    assert list(cells.columns) == ["respondent_id", "row", "column", "item", "value", "reason"]
    assert cells["respondent_id"].tolist() == ["2", "3", "4", "4"]
    assert cells["row"].tolist() == [3, 4, 5, 5]
    assert cells["item"].tolist() == ["D03", "D01", "D06", "D07"]
    assert cells["column"].tolist() == ["4、(子题3)", "4、(子题1)", "4、(子题6)", "4、(子题7)"]
    assert cells["value"].tolist() == ["7", "maybe", "0", "2.5"]
    assert "off the 1..5 scale" in cells["reason"].iloc[0]
    assert cells["reason"].iloc[1] == "not a number nor a known answer label"
    assert np.isnan(res.answers.loc["2", "D03"]) and np.isnan(res.answers.loc["3", "D01"])


@pytest.mark.usefixtures("xlsx_engine")
def test_strict_answer_7_names_file_row_column_respondent(tmp_path, hierarchy):
    answers = ANSWERS.astype(object)
    answers[1, 2] = 7
    path = write_xlsx(tmp_path / "bad.xlsx", {"问卷": wjx_frame(answers=answers)})
    message = (
        r"bad\.xlsx, sheet '问卷', row 3, column '4、\(子题3\)' \(item D03\), respondent 2: "
        r"value '7' is off the 1\.\.5 scale"
    )
    with pytest.raises(SurveyError, match=message):
        load_responses(path, hierarchy, strict=True)


def test_strict_text_maybe(tmp_path, hierarchy):
    answers = ANSWERS.astype(object)
    answers[3, 11] = "maybe"
    answers[0, 0] = 9
    path = tmp_path / "bad.csv"
    wjx_frame(answers=answers).to_csv(path, index=False)
    with pytest.raises(SurveyError, match=r"row 2, .* respondent 1: value '9'.*\(1 more invalid"):
        load_responses(path, hierarchy, strict=True)
    answers[0, 0] = 5
    wjx_frame(answers=answers).to_csv(path, index=False)
    message = (
        r"bad\.csv, row 5, column '4、\(子题12\)' \(item D12\), respondent 4: value 'maybe' is "
        "not a number nor a known answer label"
    )
    with pytest.raises(SurveyError, match=message):
        load_responses(path, hierarchy, strict=True)


# ---------------------------------------------------------------------- header styles


@pytest.mark.parametrize(
    "style",
    [
        lambda i, s: f"Q{i + 4}",
        lambda i, s: f"第4题({s})",
        lambda i, s: f"{i + 4} {s}",
        lambda i, s: f"{i + 4}：{s}",
    ],
    ids=["Q1", "第N题(子题)", "N space", "N full-width colon"],
)
def test_question_header_styles_map_by_order(tmp_path, hierarchy, style):
    headers = [style(i, s) for i, s in enumerate(SUB_ITEMS)]
    path = tmp_path / "q.csv"
    wjx_frame(headers=headers).to_csv(path, index=False)
    res = load_responses(path, hierarchy)
    assert res.mapping.method == "order"
    assert list(res.mapping.columns) == headers
    np.testing.assert_array_equal(res.answers.to_numpy(), expected_scores())


def test_order_prefers_matrix_columns_over_other_single_choice(tmp_path, hierarchy):
    frame = wjx_frame()
    frame.insert(9, "6、您的性别", [1, 2, 1, 2])
    path = tmp_path / "q.csv"
    frame.to_csv(path, index=False)
    res = load_responses(path, hierarchy)
    assert "6、您的性别" in res.mapping.unmatched_columns
    np.testing.assert_array_equal(res.answers.to_numpy(), expected_scores())


def test_matrix_items_worded_like_identifiers_are_kept(tmp_path, hierarchy):
    """An item such as '社区通过微信群及时发布通知' mentions 微信 but holds Likert answers: it
    is an item, not an identifier, and must not be dropped (which would shift every item)."""
    headers = [f"4、({s})" for s in SUB_ITEMS]
    headers[2] = "4、(社区通过微信群和电话及时发布通知)"
    frame = wjx_frame(headers=headers)
    frame.insert(9, "6、您的性别", [1, 2, 1, 2])
    path = tmp_path / "q.csv"
    frame.to_csv(path, index=False)
    res = load_responses(path, hierarchy)
    assert res.mapping.columns[headers[2]] == ITEMS[2]
    assert headers[2] not in res.dropped_columns
    np.testing.assert_array_equal(res.answers.to_numpy(), expected_scores())


def test_matrix_columns_of_the_wrong_count_do_not_fall_back(tmp_path, hierarchy):
    """With one matrix column missing, the single-choice column must not fill the gap."""
    frame = wjx_frame().drop(columns=f"4、({SUB_ITEMS[-1]})")
    frame.insert(9, "6、您的性别", [1, 2, 1, 2])
    path = tmp_path / "q.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(SurveyError, match=r"cannot tell which column .* \(found 11: '4、"):
        load_responses(path, hierarchy)


def test_codes_in_headers_any_order(tmp_path, hierarchy):
    headers = [f"D{i + 1:02d}" for i in range(6)] + ["d7 平台……", "D8", "(D9)子题", "D10"]
    answers = ANSWERS[:, :10]
    frame = wjx_frame(answers=answers, headers=headers)
    shuffled = frame[[*frame.columns[:9], *reversed(headers), "5、其他意见"]]
    path = tmp_path / "codes.csv"
    shuffled.to_csv(path, index=False)
    res = load_responses(path, hierarchy)
    assert res.mapping.method == "codes"
    assert res.mapping.columns["d7 平台……"] == "D07"
    assert res.mapping.columns["(D9)子题"] == "D09"
    assert list(res.answers.columns) == ITEMS[:10]
    assert res.mapping.missing_items == ["D11", "D12"]
    np.testing.assert_array_equal(res.answers.to_numpy(), ANSWERS[:, :10])


def test_same_code_in_two_headers_is_an_error(tmp_path, hierarchy):
    headers = [f"D{i + 1:02d}" for i in range(11)] + ["D1 again"]
    path = tmp_path / "codes.csv"
    wjx_frame(headers=headers).to_csv(path, index=False)
    message = "item D01 is matched by several columns: 'D01', 'D1 again'"
    with pytest.raises(SurveyError, match=message):
        load_responses(path, hierarchy)


def test_mapping_file_and_dict(tmp_path, hierarchy):
    headers = [f"题{i}" for i in range(1, 13)]
    path = tmp_path / "plain.csv"
    frame = wjx_frame(headers=headers)
    frame.insert(9, "年龄", [35, 42, 61, 29])
    frame.to_csv(path, index=False)
    table = pd.DataFrame({"column": headers[::-1], "item": ITEMS[::-1]})
    mapping_path = tmp_path / "mapping.csv"
    table.iloc[:-1].to_csv(mapping_path, index=False, encoding="gb18030")
    res = load_responses(path, hierarchy, mapping=mapping_path)
    assert res.mapping.method == "file"
    assert res.mapping.missing_items == ["D01"]
    assert "题1" in res.mapping.unmatched_columns and "年龄" in res.mapping.unmatched_columns
    np.testing.assert_array_equal(res.answers.to_numpy(), expected_scores()[:, 1:])
    as_dict = load_responses(path, hierarchy, mapping=dict(zip(headers, ITEMS, strict=True)))
    np.testing.assert_array_equal(as_dict.answers.to_numpy(), expected_scores())


def test_mapping_errors(tmp_path, hierarchy):
    path = tmp_path / "plain.csv"
    wjx_frame().to_csv(path, index=False)
    with pytest.raises(SurveyError, match=r"item code\(s\) D99 are not in the framework"):
        load_responses(path, hierarchy, mapping={"4、(子题1)": "D99"})
    with pytest.raises(SurveyError, match=r"none of the mapping's 1 headers is a column"):
        load_responses(path, hierarchy, mapping={"nope": "D01"})
    with pytest.raises(SurveyError, match="mapping file not found"):
        load_responses(path, hierarchy, mapping=tmp_path / "absent.csv")


def test_no_mapping_possible_explains_three_options(tmp_path, hierarchy):
    path = tmp_path / "short.csv"
    headers = [f"4、({s})" for s in SUB_ITEMS[:11]]
    wjx_frame(answers=ANSWERS[:, :11], headers=headers).to_csv(path, index=False)
    with pytest.raises(SurveyError) as info:
        load_responses(path, hierarchy)
    message = str(info.value)
    assert "framework's 12 items" in message
    assert "(1) pass mapping=" in message and "(2) put the item codes (D01, D02" in message
    assert "(3) export exactly 12 Likert columns" in message and "found 11" in message


# ---------------------------------------------------------------------- community column


def test_community_column_configurable_and_normalized(tmp_path, hierarchy):
    frame = wjx_frame().rename(columns={"3、您所在的社区是？": "街道社区 Neighbourhood"})
    frame["街道社区 Neighbourhood"] = ["  翠苑　 一区 ", "（空）", "", "ｘｙ"]
    path = tmp_path / "c.csv"
    frame.to_csv(path, index=False)
    res = load_responses(path, hierarchy, community_column="街道社区 Neighbourhood")
    assert res.community.iloc[0] == "翠苑 一区"
    assert res.community.iloc[1:3].isna().all()
    assert res.community.iloc[3] == "xy"


def test_community_found_by_question_stem_not_by_likert_item(tmp_path, hierarchy):
    headers = [f"4、(社区服务{i})" for i in range(1, 13)]
    frame = wjx_frame(headers=headers).rename(columns={"3、您所在的社区是？": "7、所在社区"})
    path = tmp_path / "c.csv"
    frame.to_csv(path, index=False)
    res = load_responses(path, hierarchy)
    assert res.community.iloc[2] == "文新"
    assert res.mapping.columns["4、(社区服务1)"] == "D01"


def test_community_question_preferred_over_other_text_about_the_community(tmp_path, hierarchy):
    frame = wjx_frame()
    frame.insert(8, "2、您对社区治理有什么建议？", ["无", "多开会", "", "无"])
    path = tmp_path / "c.csv"
    frame.to_csv(path, index=False)
    res = load_responses(path, hierarchy)
    assert res.mapping.community_column == "3、您所在的社区是？"
    assert "2、您对社区治理有什么建议？" in res.mapping.unmatched_columns


def test_english_community_header_is_found_and_kept(tmp_path, hierarchy):
    frame = wjx_frame().rename(columns={"3、您所在的社区是？": "Community name"})
    path = tmp_path / "en.csv"
    frame.to_csv(path, index=False)
    res = load_responses(path, hierarchy)
    assert res.community.iloc[2] == "文新"
    assert "Community name" not in res.dropped_columns


def test_missing_community_column(tmp_path, hierarchy):
    frame = wjx_frame().drop(columns="3、您所在的社区是？")
    path = tmp_path / "nocommunity.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(SurveyError) as info:
        load_responses(path, hierarchy)
    message = str(info.value)
    assert message.startswith("nocommunity.csv: no community column; looked for '社区'")
    assert "所在社区" in message and "Headers are: 序号, 提交答卷时间" in message
    with pytest.raises(SurveyError, match=r"looked for '小区'\. Headers are"):
        load_responses(path, hierarchy, community_column="小区")


# ---------------------------------------------------------------------- ids and bad files


def test_duplicate_respondent_id_names_rows(tmp_path, hierarchy):
    frame = wjx_frame()
    frame["序号"] = [1, 2, 3, 2]
    path = tmp_path / "dup.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(SurveyError, match="repeats the respondent id 2 on rows 3, 5"):
        load_responses(path, hierarchy)


def test_without_id_column_the_row_is_the_id(tmp_path, hierarchy):
    path = tmp_path / "noid.csv"
    wjx_frame().drop(columns="序号").to_csv(path, index=False)
    assert load_responses(path, hierarchy).answers.index.tolist() == ["2", "3", "4", "5"]


@pytest.mark.usefixtures("xlsx_engine")
def test_empty_file(tmp_path, hierarchy):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(SurveyError, match=r"empty\.csv is empty"):
        load_responses(path, hierarchy)
    header_only = tmp_path / "header.csv"
    wjx_frame().iloc[:0].to_csv(header_only, index=False)
    with pytest.raises(SurveyError, match=r"header\.csv has a header row but no responses"):
        load_responses(header_only, hierarchy)
    empty_book = write_xlsx(tmp_path / "empty.xlsx", {"Sheet1": pd.DataFrame()})
    with pytest.raises(SurveyError, match=r"empty.xlsx, sheet 'Sheet1' is empty"):
        load_responses(empty_book, hierarchy)


@pytest.mark.usefixtures("xlsx_engine")
def test_corrupt_xlsx(tmp_path, hierarchy):
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(np.random.default_rng(0).bytes(2048))
    with pytest.raises(UntrustedFileError, match=r"corrupt\.xlsx is not a valid \.xlsx file"):
        load_responses(path, hierarchy)


@pytest.mark.usefixtures("xlsx_engine")
def test_merged_header_cells(tmp_path, hierarchy):
    path = write_xlsx(tmp_path / "merged.xlsx", {"Sheet1": wjx_frame()})
    book = openpyxl.load_workbook(path)
    book["Sheet1"].merge_cells("J1:L1")
    book.save(path)
    with pytest.raises(SurveyError) as info:
        load_responses(path, hierarchy)
    message = str(info.value)
    assert "merged.xlsx, sheet 'Sheet1': merged cells in the header row (J1:L1)" in message
    assert "unmerge them" in message


@pytest.mark.usefixtures("xlsx_engine")
def test_merged_cells_below_the_header_are_accepted(tmp_path, hierarchy):
    path = write_xlsx(tmp_path / "merged.xlsx", {"Sheet1": wjx_frame()})
    book = openpyxl.load_workbook(path)
    book["Sheet1"].merge_cells("V2:V3")  # the comment column of respondents 1 and 2
    book.save(path)
    res = load_responses(path, hierarchy)
    np.testing.assert_array_equal(res.answers.to_numpy(), expected_scores())
    book["Sheet1"].merge_cells("A1:A2")  # a header cell merged with the row below
    book.save(path)
    with pytest.raises(SurveyError, match=r"merged cells in the header row \(A1:A2\)"):
        load_responses(path, hierarchy)


@pytest.mark.usefixtures("xlsx_engine")
def test_merged_header_cells_with_a_namespace_prefix(tmp_path, hierarchy):
    """Writers built on the .NET Open XML SDK prefix the tags: ``<x:mergeCell ref=…>``."""
    path = write_xlsx(tmp_path / "prefixed.xlsx", {"Sheet1": wjx_frame()})
    book = openpyxl.load_workbook(path)
    book["Sheet1"].merge_cells("J1:L1")
    book.save(path)

    def prefix(xml: bytes) -> bytes:
        xml = xml.replace(b"<worksheet ", b'<worksheet xmlns:x="' + MAIN_NS + b'" ', 1)
        return re.sub(rb"<(/?)(mergeCells?)\b", rb"<\1x:\2", xml)

    rewrite_sheet_xml(path, prefix)
    with pytest.raises(SurveyError, match=r"merged cells in the header row \(J1:L1\)"):
        load_responses(path, hierarchy)


@pytest.mark.usefixtures("xlsx_engine")
def test_duplicate_headers(tmp_path, hierarchy):
    frame = wjx_frame()
    path = write_xlsx(tmp_path / "dup.xlsx", {"Sheet1": frame})
    book = openpyxl.load_workbook(path)
    book["Sheet1"]["K1"] = frame.columns[9]
    book.save(path)
    message = r"header '4、\(子题1\)' appears twice \(columns J and K\)"
    with pytest.raises(SurveyError, match=message):
        load_responses(path, hierarchy)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("survey.txt", "unsupported file type '.txt'; use .csv or .xlsx$"),
        ("survey.xls", "unsupported file type '.xls'; use .csv or .xlsx; open it in Excel"),
    ],
)
def test_unsupported_extension(tmp_path, hierarchy, name, message):
    path = tmp_path / name
    path.write_text("序号,社区\n1,a\n", encoding="utf-8")
    with pytest.raises(SurveyError, match=message):
        load_responses(path, hierarchy)


def test_missing_file_and_sheet_for_csv(tmp_path, hierarchy):
    with pytest.raises(SurveyError, match="no such file"):
        load_responses(tmp_path / "absent.csv", hierarchy)
    path = tmp_path / "s.csv"
    wjx_frame().to_csv(path, index=False)
    with pytest.raises(SurveyError, match=r"sheet= applies to \.xlsx files"):
        load_responses(path, hierarchy, sheet="Sheet1")


def test_undecodable_csv(tmp_path, hierarchy):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\x81\x30\xff\xfe,\x00\x81\n")
    with pytest.raises(SurveyError, match="cannot decode the CSV as UTF-8 or GB18030"):
        load_responses(path, hierarchy)


# ---------------------------------------------------------------------- durations


def test_parse_duration_formats():
    text = pd.Series(["120秒", "2分30秒", "1小时2分", "02:30", "1:02:03", "45", "", "很快", None])
    seconds = parse_duration(text)
    expected = [120, 150, 3720, 150, 3723, 45, np.nan, np.nan, np.nan]
    np.testing.assert_array_equal(seconds.to_numpy(), np.array(expected, dtype=float))


def test_an_upload_loads_from_bytes_and_from_a_buffer(tmp_path, hierarchy):
    """Uploads are parsed in memory: bytes or a binary buffer plus the file name."""
    import io

    path = write_xlsx(tmp_path / "export.xlsx", {"Sheet1": wjx_frame()})
    data = path.read_bytes()
    from_bytes = load_responses(data, hierarchy, name="upload.xlsx")
    from_buffer = load_responses(io.BytesIO(data), hierarchy, name="upload.xlsx")
    expected = load_responses(path, hierarchy)
    pd.testing.assert_frame_equal(from_bytes.answers, expected.answers)
    pd.testing.assert_frame_equal(from_buffer.answers, expected.answers)
    assert from_bytes.source.startswith("upload.xlsx")
    csv = wjx_frame().to_csv(index=False).encode("utf-8")
    np.testing.assert_array_equal(
        load_responses(csv, hierarchy, name="u.csv").answers.to_numpy(), expected_scores()
    )
    with pytest.raises(SurveyError, match=r"upload: unsupported file type '\(none\)'"):
        load_responses(data, hierarchy)
