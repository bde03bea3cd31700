"""The errors of the AHP layer (``JudgmentError``, ``HierarchyError``, ``WorkbookError``,
``PanelNotReadyError``) in one language: Chinese in the Chinese app, English in the English
app and on the command line (the checks of :mod:`test_zh_messages`, for
``i18n/locale/<lang>/ahp_errors.json``).

Beyond the ASCII :mod:`test_zh_messages` allows, a Chinese AHP message may name Saaty's scale
and Harker's method, the consistency ratio CR, the aggregation rules AIJ and AIP, and the
values of the Python options it quotes (``method='geometric'``, ``incomplete=``: ``error``,
``exclude``).
"""

from __future__ import annotations

import ast
import io
import json
import pickle
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sample_data import SAMPLE_FRAMEWORK
from test_app import (
    db,  # noqa: F401  (a fixture, the app's store)
    open_page,
)
from test_zh_messages import _CJK, _WORD, SECRET, TECHNICAL, _calls, _fields, _plain, chinese
from test_zh_messages import english_words as _english_words

from ahp.errors import HierarchyError, JudgmentError, PanelNotReadyError, WorkbookError
from ahp.hierarchy import Hierarchy
from ahp.io.workbook import (
    FIRST_COL,
    FIRST_ROW,
    node_sheet_names,
    read_judgments_csv,
    read_judgments_xlsx,
)
from ahp.matrix import JudgmentMatrix, validate_array
from ahp.panel import PanelJudgments, panel_weights
from i18n import Message, catalog, localized

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "i18n" / "locale"
AHP_TERMS = {"Saaty", "Harker", "CR", "AIJ", "AIP", "error", "exclude", "geometric", "reverse",
             "true", "false", "zh", "en"}
BUNDLED = SAMPLE_FRAMEWORK.parent / "sample" / "synthetic_expert_workbooks"


def english_words(text: str, data: tuple[str, ...] = ()) -> list[str]:
    return [w for w in _english_words(text, data) if w not in AHP_TERMS | TECHNICAL]


def check(message: object, data: tuple[str, ...] = ()) -> tuple[str, str]:
    """The message in Chinese and in English, each in its language only."""
    zh, en = localized(message, "zh"), localized(message, "en")
    assert zh != en, zh
    assert _CJK.search(zh) and not english_words(zh, data), (zh, english_words(zh, data))
    assert _WORD.search(en) and not chinese(en, data), (en, chinese(en, data))
    assert " / " not in zh and " / " not in en
    return zh, en


# ---------------------------------------------------------------- the locale texts themselves
def _texts(lang: str) -> dict[str, str]:
    return json.loads((LOCALE / lang / "ahp_errors.json").read_text("utf-8"))


def test_every_ahp_error_text_is_in_its_language():
    zh, en = _texts("zh"), _texts("en")
    assert set(zh) == set(en) and len(zh) > 90
    assert all(key.startswith("ahp.") for key in zh)
    for key in zh:
        assert _CJK.search(zh[key]), (key, zh[key])
        assert not english_words(zh[key]), (key, zh[key], english_words(zh[key]))
        assert not chinese(en[key]), (key, en[key])
        assert " / " not in zh[key] and " / " not in en[key], key


ERRORS = {"JudgmentError", "HierarchyError", "WorkbookError", "PanelNotReadyError"}


def test_every_ahp_error_with_a_key_gets_the_fields_of_its_texts():
    """A rarely hit raise site must not fail with a missing field: every locale key given to
    an AHP error gets every field its Chinese and English texts use."""
    en, zh = catalog("en"), catalog("zh")
    keyed = 0
    for path, call, _ in _calls(ERRORS):
        where = f"{path.relative_to(ROOT)}:{call.lineno}"
        first = call.args[0] if call.args else None
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)
                and first.value.startswith("ahp.")):
            continue  # a sentence not yet given a key, or a Message built in place
        keyed += 1
        assert first.value in en, f"{where}: no text for {first.value!r}"
        given = {k.arg for k in call.keywords}
        needed = _fields(en[first.value]) | _fields(zh[first.value])
        assert needed <= given, (where, needed - given)
    assert keyed > 80


# ---------------------------------------------------------------- errors raised
def _error(kind: type[Exception], call, *args, **kwargs) -> Exception:
    with pytest.raises(kind) as caught:
        call(*args, **kwargs)
    return caught.value


def test_matrix_errors_are_in_one_language():
    cases = {
        "reciprocal": [[1, 3], [0.5, 1]],
        "saaty": [[1, 10], [0.1, 1]],
        "negative": [[1, -2], [-0.5, 1]],
        "diagonal": [[2, 3], [1 / 3, 1]],
        "text": [[1, "x"], [1, 1]],
        "apart": [[1, 2, np.nan], [0.5, 1, np.nan], [np.nan, np.nan, 1]],
    }
    lines = {}
    for case, values in cases.items():
        names = ["C1", "C2", "C3"][:len(values)]
        error = _error(JudgmentError, validate_array, values, names=names)
        assert isinstance(error.message, Message), case
        zh, en = check(error.message)
        assert str(error) == en
        lines[case] = zh
    assert lines["reciprocal"] == ("矩阵在第 1 行“C1”、第 2 列“C2”处不满足互反性：该处为 3，"
                                   "对称位置却为 0.5（应为 0.333333）")
    assert lines["saaty"].startswith("判断值不在 Saaty 标度上：第 1 行“C1”、第 2 列“C2”为 10（")
    assert lines["negative"] == "判断值为零或负数：第 1 行“C1”、第 2 列“C2”：-2"
    assert lines["apart"] == "比较图不连通：元素 C3 无法与 C1、C2 比较（请在两组之间补充一个判断）"
    pairs = _error(JudgmentError, JudgmentMatrix.from_pairs, {("C1", "C2"): "1/0"},
                   names=["C1", "C2"])
    assert check(pairs.message)[0] == "第 1 行“C1”、第 2 列“C2”：判断值 '1/0' 的分母为零"


def _workbook(change: dict[tuple[int, int], object]) -> bytes:
    """Bundled expert workbook E01 with cells of node A's sheet changed."""
    hierarchy = Hierarchy.from_csv(SAMPLE_FRAMEWORK)
    book = openpyxl.load_workbook(sorted(BUNDLED.glob("E*.xlsx"))[0])
    sheet = book[node_sheet_names(hierarchy)["A"]]
    for (row, column), value in change.items():
        sheet.cell(row, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


UPPER, LOWER = (FIRST_ROW, FIRST_COL + 1), (FIRST_ROW + 1, FIRST_COL)  # (B1, B2), (B2, B1)
WORKBOOK_CASES = {
    "off_scale": ({UPPER: "12"},
                  "专家“E01”，工作表“A”，单元格 C4：“12”不在 Saaty 标度 1/9..9 上",
                  "expert 'E01', sheet 'A', cell C4: '12' is not on the Saaty scale 1/9..9"),
    "contradicts": ({LOWER: "3"},
                    "专家“E01”，工作表“A”，单元格 B5：“3”与单元格 C4 的“1/5”不互为倒数"
                    "（应为 5 或留空）",
                    "expert 'E01', sheet 'A', cell B5: '3' contradicts cell C4 = '1/5' "
                    "(expected 5 or blank)"),
}


@pytest.mark.parametrize("case", WORKBOOK_CASES)
def test_workbook_errors_are_in_one_language(case):
    change, zh_line, en_line = WORKBOOK_CASES[case]
    hierarchy = Hierarchy.from_csv(SAMPLE_FRAMEWORK)
    error = _error(WorkbookError, read_judgments_xlsx, io.BytesIO(_workbook(change)), hierarchy)
    assert check(error.message, ("E01",)) == (zh_line, en_line)
    again = pickle.loads(pickle.dumps(error))  # as it leaves the upload sandbox
    assert again.text("zh") == zh_line and str(again) == en_line


def _csv(text: str) -> io.BytesIO:
    upload = io.BytesIO(text.encode())
    upload.name = "judgments.csv"
    return upload


def test_judgment_csv_errors_are_in_one_language(small_hierarchy):
    body = "expert,node,row,col,value\nE1,A,B1,Z9,3\n"
    error = _error(WorkbookError, read_judgments_csv, _csv(body), small_hierarchy)
    zh, _ = check(error.message, ("E1", "Z9"))
    assert zh.startswith("判断文件 judgments.csv，第 2 行（专家“E1”）：“Z9”不是节点“A”的下级元素")
    scale = "expert,node,row,col,value\nE1,A,B1,B2,0\n"
    zh, _ = check(_error(WorkbookError, read_judgments_csv, _csv(scale)).message, ("E1",))
    assert zh == ("判断文件 judgments.csv：专家“E1”，节点“A”，单元格（B1，B2）："
                  "0 不在 Saaty 标度 1/9..9 上")


@pytest.fixture
def small_hierarchy() -> Hierarchy:
    return Hierarchy.from_csv(ROOT / "tests" / "fixtures" / "small_framework.csv")


def test_panel_not_ready_is_in_one_language_and_survives_the_sandbox(small_hierarchy):
    lines = [("E1", "A", "B1", "B2", 3)]
    frame = PanelJudgments(pd.DataFrame(lines, columns=["expert", "node", "row", "col", "value"]))
    error = _error(PanelNotReadyError, panel_weights, small_hierarchy, frame,
                   incomplete="exclude")
    again = pickle.loads(pickle.dumps(error))
    assert again.nodes == error.nodes and str(again) == str(error)
    zh, en = check(again.message)
    assert en.startswith("no expert has linked every element yet at node(s) A")
    assert zh.startswith("以下节点尚无专家的判断把全部元素联系起来：A")


def _framework(rows: str) -> io.BytesIO:
    upload = io.BytesIO(("level,code,parent,name_zh,name_en\n" + rows).encode())
    upload.name = "framework.csv"
    return upload


def test_framework_errors_are_in_one_language():
    cases = {
        "duplicate": ("B,B1,A,维度,Dimension\nB,B1,A,维度,Dimension\n",
                      "framework.csv 第 3 行：代码“B1”重复（首次出现在第 2 行）"),
        "level": ("B,B1,A,维度,Dimension\nX,C1,B1,子项,Sub\n",
                  "framework.csv 第 3 行（代码“C1”）：层级必须是 A/B/C/D 之一，实际为“X”"),
        "parent": ("B,B1,A,维度,Dimension\nC,C1,B9,子项,Sub\n",
                   "framework.csv 第 3 行（代码“C1”）：上级节点“B9”不存在"),
    }
    for case, (rows, zh_line) in cases.items():
        error = _error(HierarchyError, Hierarchy.from_csv, _framework(rows))
        zh, _ = check(error.message, ("Dimension", "Sub"))
        assert zh == zh_line, case
    assert HierarchyError("a sentence").text("zh") == "a sentence"  # a sentence stays as it is


# ---------------------------------------------------------------- the Chinese organizer page
@pytest.mark.usefixtures("db")
@pytest.mark.parametrize("case", WORKBOOK_CASES)
def test_organizer_in_chinese_sees_a_workbook_error_in_chinese(case) -> None:
    change, zh_line, _ = WORKBOOK_CASES[case]
    at = open_page("app_pages/organizer.py", lang="zh")
    at.text_input[0].input(SECRET)
    at.get("form_submit_button")[0].click().run()
    form = at.get("form")[0]
    form.text_input[0].input("新研究")
    form.get("form_submit_button")[0].click().run()
    next(u for u in at.get("file_uploader") if u.proto.id.endswith("organizer_import")).set_value(
        [("E01.xlsx", _workbook(change), "application/octet-stream")]).run()
    at.button(key="organizer_import_go").click().run()
    assert not at.exception
    shown = [_plain(e.value) for e in at.error]
    assert shown == [f"无法导入：{zh_line}"], shown
    assert not english_words(shown[0], ("E01",))


# ---------------------------------------------------------------- why an expert is left out
def test_exclusion_reasons_follow_the_language_of_the_page_and_the_report(small_hierarchy):
    """An expert left out of a node (no judgments for it, or judgments that do not link its
    elements) is listed with the reason in the report's language."""
    from reports.excel_report import SHEETS, write_report

    sample = read_judgments_csv(SAMPLE_FRAMEWORK.parent / "sample" / "synthetic_judgments.csv")
    hierarchy = Hierarchy.from_csv(SAMPLE_FRAMEWORK)
    table = sample.table
    node_a = (table["expert"] == "E01") & (table["node"] == "A")
    partial = table[~node_a | ((table["row"] == "B1") & (table["col"] == "B2"))]
    result = panel_weights(hierarchy, PanelJudgments(partial), incomplete="exclude")
    reasons = result.excluded.loc[result.excluded["expert"] == "E01", "reason"].tolist()
    assert reasons, result.excluded
    zh, en = check(reasons[0])
    assert en.startswith("incomplete: ") and zh.startswith("判断不完整：")
    for lang, line in (("zh", zh), ("en", en)):
        buffer = io.BytesIO()
        write_report(buffer, hierarchy, lang=lang, panel=result)
        buffer.seek(0)
        sheet = openpyxl.load_workbook(buffer)[SHEETS["expert_cr"]]
        cells = {c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
        assert line in cells and (en if lang == "zh" else zh) not in cells
