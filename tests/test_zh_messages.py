"""Messages shown in one language: reliability warnings, the reason validity could not be
computed and every :class:`SurveyError` are Chinese in the Chinese app and English in the
English app (no "english / 中文" lines, no English reason inside a Chinese sentence).

The Chinese text of such a message may hold ASCII only for codes (item codes such as D4, Excel
cell references), numbers, file names, option names (``mapping=``, ``--community-column``) and
a few technical terms (CSV, UTF-8, KMO …); the English text holds Chinese only for the literal
headers and words of a 问卷星 export that it quotes.
"""

from __future__ import annotations

import ast
import io
import json
import pickle
import re
import string
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sample_data import SAMPLE_FRAMEWORK
from streamlit.testing.v1 import AppTest
from test_app import APP, SECRET, db  # noqa: F401  (db: a fixture, the app's store)
from test_reliability import FRAMEWORK_CSV, ITEMS, consistent_answers, make_responses

from ahp.hierarchy import Hierarchy
from evaluation.validity import assess_validity
from i18n import Message, Term, catalog, localized
from i18n.errors import ShanzhiError
from reports.excel_report import SHEETS, write_report
from survey.errors import ColumnMatchError, SurveyError
from survey.loading import load_responses
from survey.reliability import ReliabilityWarning, reliability
from survey.screening import screen

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "i18n" / "locale"
FILES = ("survey_errors.json", "survey_warnings.json")
RESPONSES = SAMPLE_FRAMEWORK.parent / "sample" / "synthetic_wjx_export.xlsx"

TECHNICAL = {"CSV", "csv", "UTF", "GB18030", "xlsx", "xls", "xlsm", "Excel", "WPS", "KMO",
             "Heywood", "community", "None"}
"""ASCII words a Chinese message may hold: file types, encodings, programs, a statistic, a
proper name, the English header word the loader looks for, Python's None."""
_CODE_LIKE = re.compile(
    r"\{[^{}]*\}"  # a format field of a template
    r"|--[\w-]+|\b\w+=\S*"  # options: --community-column, mapping=, n_factors=None
    r"|[\w.-]+\.(?:csv|xlsx|xlsm|xls|txt)\b"  # file names
    r"|\b[A-Z]+_?\d+\b"  # codes: D04, Item_5, B1, cell A1
)
_WORD = re.compile(r"[A-Za-z]{2,}")
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
QUOTED_IN_ENGLISH = ("问卷星", "子题文本", "序号", "社区", "、")
"""Chinese an English message may quote: the export's program, headers and list mark."""


def english_words(text: str, data: tuple[str, ...] = ()) -> list[str]:
    """ASCII words of ``text`` other than codes, numbers, file names, options, the technical
    terms above and the ``data`` (names from the file or the framework)."""
    for value in data:
        text = text.replace(value, " ")
    return [w for w in _WORD.findall(_CODE_LIKE.sub(" ", text)) if w not in TECHNICAL]


def chinese(text: str, data: tuple[str, ...] = ()) -> list[str]:
    """Chinese characters of ``text`` outside what an English message may quote and ``data``."""
    for value in (*data, *QUOTED_IN_ENGLISH):
        text = text.replace(value, " ")
    return _CJK.findall(text)


def check(message: object, data: tuple[str, ...] = (),
          words=english_words) -> tuple[str, str]:
    """The message in Chinese and in English, each checked to be in its language only
    (``words``: the English words a Chinese text may not hold)."""
    zh, en = localized(message, "zh"), localized(message, "en")
    assert zh != en, zh
    assert _CJK.search(zh) and not words(zh, data), (zh, words(zh, data))
    assert _WORD.search(en) and not chinese(en, data), (en, chinese(en, data))
    assert " / " not in zh and " / " not in en  # no two-language line
    return zh, en


# ---------------------------------------------------------------- the locale texts themselves
def _texts(lang: str, files: tuple[str, ...] = FILES) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in files:
        out |= json.loads((LOCALE / lang / name).read_text("utf-8"))
    return out


def test_every_error_and_warning_text_is_in_its_language():
    zh, en = _texts("zh"), _texts("en")
    assert set(zh) == set(en) and len(zh) > 100
    for key in zh:
        assert not english_words(zh[key]), (key, zh[key], english_words(zh[key]))
        assert not chinese(en[key]), (key, en[key])


def _fields(text: str) -> set[str]:
    return {name.split(".")[0].split("[")[0]
            for _, name, _, _ in string.Formatter().parse(text) if name}


ERRORS = {"SurveyError", "ColumnMatchError", "ValidityError", "ReportError", "ChartDataError"}


def _calls(names: frozenset[str] | set[str] = ERRORS | {"Message"}
           ) -> list[tuple[Path, ast.Call, str]]:
    """Every call of one of ``names`` in the project (by default every construction of a
    SurveyError (or subclass) and every ``Message(...)``), with the name called."""
    found = []
    packages = [p for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")
                and p.name not in {"tests", "benchmarks"}]
    for path in [*ROOT.glob("*.py"), *(f for p in packages for f in p.rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in names:
                found.append((path, node, node.func.id))
    return found


def test_every_survey_error_is_raised_with_a_key_and_its_fields():
    """A raise site that is rarely hit must not fail with a missing field: every locale key
    given to SurveyError (and its subclasses) or Message gets every field its texts use."""
    en = catalog("en")
    calls = _calls()
    errors = [(p, c) for p, c, name in calls if name in ERRORS]
    assert len(errors) > 100
    for path, call, name in calls:
        where = f"{path.relative_to(ROOT)}:{call.lineno}"
        first = call.args[0] if call.args else None
        if name in ERRORS and not (isinstance(first, ast.Constant)
                                   and isinstance(first.value, str)):
            # a Message built by a helper (the CSV parser's message)
            assert isinstance(first, ast.Call) and first.func.id == "_parser_message", where
            continue
        if not isinstance(first, ast.Constant) or not isinstance(first.value, str):
            continue  # Message(f"validity.kmo.{label}") and the like: checked where used
        assert first.value in en, f"{where}: no text for {first.value!r}"
        if any(k.arg is None for k in call.keywords):
            continue  # **fields: checked when raised
        given = {k.arg for k in call.keywords}
        assert _fields(en[first.value]) <= given, (where, _fields(en[first.value]) - given)


# ---------------------------------------------------------------- SurveyError
def test_shanzhi_error_keeps_key_and_fields_and_a_sentence_as_it_is():
    error = SurveyError("error.load.no_file", path="a.csv")
    assert str(error) == "no such file: a.csv" and error.text("zh") == "文件不存在：a.csv"
    assert isinstance(error.message, Message) and error.message.key == "error.load.no_file"
    plain = ShanzhiError("a sentence of another layer")
    assert plain.text("zh") == plain.text("en") == "a sentence of another layer"
    assert ShanzhiError("error.load.nothing").text("zh") == "空白"  # a key without fields
    label = Term("D4 Item four", "D4 题四")
    assert Message("reliability.why.absent").text("zh") == "数据中没有"
    assert Message("reliability.left_out.one", item=label,
                   why=Message("reliability.why.absent")).text("zh") == \
        "D4 题四：该题数据中没有，未纳入信度分析"


def test_column_match_error_survives_the_sandbox_in_either_language():
    error = ColumnMatchError("error.load.columns_unmatched", items=57, found=1,
                             where="answers.csv", first="D01", second="D02", shown="",
                             option="mapping=")
    again = pickle.loads(pickle.dumps(error))
    assert (again.items, again.found, str(again)) == (57, 1, str(error))
    zh, en = check(again.message)
    assert zh.startswith("answers.csv：无法确定哪一列回答指标体系 57 个题目中的哪一个")
    assert en.startswith("answers.csv: cannot tell which column answers which")


@pytest.fixture(scope="module")
def export() -> pd.DataFrame:
    return pd.read_excel(RESPONSES, dtype=str, engine="openpyxl").fillna("")


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def _xlsx(rows: list[list[object]], title: str = "问卷") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _error(data: bytes, name: str, sample_hierarchy: Hierarchy, **options) -> SurveyError:
    with pytest.raises(SurveyError) as caught:
        load_responses(data, sample_hierarchy, name=name, **options)
    return caught.value


def test_loader_errors_are_in_one_language(sample_hierarchy, export):
    community = next(c for c in export.columns if "社区" in c)
    repeated = export.copy()
    repeated.loc[5, "序号"] = repeated.loc[3, "序号"]
    invalid = export.copy()
    invalid.iloc[4, 12] = "7"
    cases = {
        "header_twice": ("序号,a,a\n1,2,3\n".encode(), "answers.csv", {}),
        "empty": (b"\n\n", "answers.csv", {}),
        "file_type": (b"x", "answers.xls", {}),
        "columns": ("序号,社区,foo\n1,A,3\n".encode(), "answers.csv", {}),
        "id_repeated": (_csv(repeated), "answers.csv", {}),
        "invalid": (_csv(invalid), "answers.csv", {"strict": True}),
        "no_community": (_csv(export.drop(columns=[community])), "answers.csv",
                         {"community_column": "街道"}),
        "mapping": (_csv(export), "answers.csv", {"mapping": {"foo": "X99"}}),
        "no_sheet": (_xlsx([["序号", "社区"], [1, "A"]]), "answers.xlsx", {"sheet": "第二页"}),
        "title_row": (_xlsx([["问卷标题", None, None, None], ["序号", "社区", "1、", "2、"],
                             [1, "A", 3, 4]]), "answers.xlsx", {}),
        "labels": (_csv(export), "answers.csv", {"labels": {"很好": 9}}),
    }
    lines = {}
    for case, (data, name, options) in cases.items():
        error = _error(data, name, sample_hierarchy, **options)
        assert isinstance(error.message, Message), case
        data_words = ("foo", *export.columns, "问卷标题", "问卷", "第二页", "很好", "街道",
                      "labels")  # "labels" is the option's name
        zh, en = check(error.message, tuple(sorted(data_words, key=len, reverse=True)))
        assert str(error) == en
        lines[case] = zh
    assert lines["header_twice"] == \
        "answers.csv：表头“a”出现了两次（第 B 列和第 C 列）；请给每一列单独的表头"
    assert lines["file_type"] == ("answers.xls：不支持的文件类型“.xls”；请使用 .csv 或 .xlsx 文件；"
                                  "请用 Excel 或 WPS 打开后另存为 .xlsx")
    assert lines["no_sheet"] == "answers.xlsx：没有名为“第二页”的工作表；现有工作表：问卷"
    assert lines["title_row"].startswith("answers.xlsx，工作表“问卷”：第 1 行是 '问卷标题'")
    assert "受访者编号" in lines["id_repeated"] and "第 5、7 行" in lines["id_repeated"]
    row, answer = lines["invalid"].split("，受访者")
    assert row.startswith("answers.csv，第 6 行，列“") and "答案“7”不在 1..5 量表上" in answer


# ---------------------------------------------------------------- reliability warnings
@pytest.fixture
def small(tmp_path: Path) -> Hierarchy:
    """The framework of the reliability tests (D1…D7, names in both languages)."""
    (tmp_path / "framework.csv").write_text(FRAMEWORK_CSV, encoding="utf-8")
    return Hierarchy.from_csv(tmp_path / "framework.csv")


def _warnings_of_every_kind(framework: Hierarchy) -> list[Message]:
    values = consistent_answers(n=8, seed=2)[:, :6]
    values[:, 3] = 6 - values[:, 3]  # D4 reversed, not recoded
    values[:, 5] = 4.0  # D6 constant
    values[:, 1] = np.nan  # D2 nobody answered; D7 not in the data; only 8 respondents
    with pytest.warns(ReliabilityWarning) as raised:
        result = reliability(make_responses(values, ITEMS[:6]), framework)
    assert [str(w.message) for w in raised] == [w for w in result.warnings
                                                if "zero variance" in w or "negative" in w]
    return result.warnings


def test_reliability_warnings_are_in_one_language(small):
    found = _warnings_of_every_kind(small)
    keys = {w.key for w in found}
    assert {"reliability.zero_variance", "reliability.few_cases", "reliability.negative_r",
            "reliability.left_out.one"} <= keys, keys
    names = tuple(small.name(c, "zh") for c in small.nodes if c != small.root)
    for warning in found:
        _, en = check(warning)
        assert not any(name in en for name in names)  # English names in the English line
    empty = reliability(make_responses(np.full((3, 7), np.nan)), small)
    assert check(empty.warnings[0]) == ("没有作答数据（3 名受访者），未计算信度",
                                        "no answers (3 respondents): reliability is not computed")


def test_reliability_warnings_in_the_report_follow_its_language(small):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReliabilityWarning)
        result = reliability(make_responses(consistent_answers(n=8, seed=2)[:, :6],
                                            ITEMS[:6]), small)
    assert result.warnings
    for lang in ("zh", "en"):
        buffer = io.BytesIO()
        write_report(buffer, small, lang=lang, reliability=result)
        buffer.seek(0)
        sheet = openpyxl.load_workbook(buffer)[SHEETS["reliability"]]
        cells = {c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
        assert {w.text(lang) for w in result.warnings} <= cells
        assert not {w.text("en" if lang == "zh" else "zh") for w in result.warnings} & cells


# ---------------------------------------------------------------- validity
def test_validity_failure_reasons_are_in_one_language(sample_hierarchy, export):
    loaded = load_responses(_csv(export.head(30)), sample_hierarchy, name="answers.csv")
    valid, _ = screen(loaded)
    few = assess_validity(valid, sample_hierarchy)
    assert not few.ok and isinstance(few.error, Message)
    zh, en = check(few.error)
    assert zh.startswith("相关矩阵奇异：有 57 个题目，但完整作答的样本只有")
    assert en.startswith("the correlation matrix is singular: 57 items but only")
    zh, en = check(few.verdict())  # the line the page, the report and the CLI show
    assert zh.startswith("无法计算效度：相关矩阵奇异：有 57 个题目")
    assert en.startswith("Validity could not be computed: the correlation matrix is singular")

    rng = np.random.default_rng(0)
    data = pd.DataFrame(rng.integers(1, 6, size=(80, 4)).astype(float),
                        columns=["D01", "D02", "D03", "D04"])
    data["D04"] = data["D01"]
    dup = assess_validity(data, sample_hierarchy)
    zh, _ = check(dup.error)
    assert zh == "相关矩阵奇异：存在重复的题目（|r| = 1）：D01 = D04；请每组删去其中之一"
    constant = data.assign(D04=3.0)
    zh, _ = check(assess_validity(constant, sample_hierarchy).error)
    assert zh.startswith("题目 D04 的答案全部相同")
    items = assess_validity(data.head(3), sample_hierarchy)
    assert isinstance(items.item_error, Message)
    assert check(items.item_warnings()[0])[0] == (
        "无法进行项目分析：项目分析至少需要 4 份全部题目都作答的问卷，实际为 3 份中的 3 份")
    unanswered = assess_validity(data.assign(D03=np.nan), sample_hierarchy)
    assert check(unanswered.notes[0])[0] == "以下题目无人作答，未纳入效度分析：D03"


# ---------------------------------------------------------------- the Chinese survey page
def _survey_page_zh() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = "zh"
    at.run()
    at.switch_page("app_pages/organizer.py").run()
    at.text_input[0].input(SECRET)
    at.get("form_submit_button")[0].click().run()
    return at.switch_page("app_pages/survey_data.py").run()


def _plain(source: str) -> str:
    return re.sub(r"\\(.)", r"\1", source)  # the Markdown escapes of user text removed


@pytest.mark.usefixtures("db")
def test_survey_page_in_chinese_shows_a_loader_error_in_chinese() -> None:
    at = _survey_page_zh()
    at.get("file_uploader")[0].set_value(
        ("answers.csv", "序号,社区,社区\n1,A,B\n".encode(), "text/csv")).run()
    assert not at.exception
    shown = [_plain(e.value) for e in at.error]
    assert shown == ["无法读取问卷：answers.csv：表头“社区”出现了两次（第 B 列和第 C 列）；"
                     "请给每一列单独的表头"], shown
    assert not english_words(shown[0])


@pytest.mark.usefixtures("db")
def test_survey_page_in_chinese_shows_why_validity_failed_in_chinese(export) -> None:
    at = _survey_page_zh()
    at.get("file_uploader")[0].set_value(
        ("small.csv", _csv(export.head(40)), "text/csv")).run()
    assert not at.exception
    failed = [_plain(e.value) for e in at.error if "效度" in e.value]
    assert len(failed) == 1, failed
    assert failed[0].startswith("无法计算效度：相关矩阵奇异：有 57 个题目"), failed
    assert not english_words(failed[0]), failed[0]
    # no other alert on the page is in English either (reliability, item analysis, notes)
    communities = tuple(export.iloc[:40, 7])
    for element in [*at.error, *at.warning, *at.info]:
        text = _plain(element.value)
        assert not english_words(text, communities), (text, english_words(text, communities))
