"""Store and Delphi errors in one language: every :class:`StoreError` (and its subclasses
``AccessError``, ``TokenError``, ``OrganizerSecretError``, ``DuplicateWaveError``,
``ArchiveError``, ``DatabaseError``) and every :class:`DelphiError` is raised with a locale key
(``i18n/locale/<lang>/store_errors.json``, ``delphi_errors.json``) and its fields, so the
Chinese app shows it in Chinese and the command line in English.

The Chinese texts follow the rule of :mod:`test_zh_messages` (ASCII only for codes, numbers,
file names and technical terms); here the technical terms also include the store's own
(SHA-256, CR, WAL, zip, JSON, postgresql://, shanzhi), snake_case names of settings and
archive fields (``organizer_secret``, ``payload_sha256``), quoted literal values (``'name'``)
and the literal column headers of the long Delphi CSV (``indicator``, ``comment``, ``round``).
"""

from __future__ import annotations

import ast
import io
import pickle
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sample_data import SAMPLE_FRAMEWORK
from streamlit.testing.v1 import AppTest
from test_app_study import APP, SECRET, db  # noqa: F401  (db: a fixture, the app's store)
from test_zh_messages import _fields, _texts, chinese, english_words
from test_zh_messages import check as check_language

from ahp.hierarchy import Hierarchy
from delphi import DelphiError, delphi_round
from i18n import Message, catalog
from panel.delphi_files import (
    RATINGS_SHEET,
    SELF_SHEET,
    delphi_indicators,
    read_delphi_csv,
    read_delphi_xlsx,
    write_delphi_template,
)
from panel.delphi_rounds import DelphiOrganizer
from panel.store import JudgmentStore, OrganizerSecretError, StoreError, TokenError
from panel.waves import DuplicateWaveError

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "i18n" / "locale"
FILES = ("store_errors.json", "delphi_errors.json")
ERRORS = {"DelphiError", "StoreError", "AccessError", "TokenError", "OrganizerSecretError",
          "DuplicateWaveError", "ArchiveError", "DatabaseError"}

STORE_TECHNICAL = {"SHA", "CR", "WAL", "zip", "JSON", "DataFrame", "postgresql", "shanzhi"}
CSV_HEADERS = ("indicator", "comment", "round")
"""The long Delphi CSV's column headers, which a Chinese message names as they are typed."""
_TECHNICAL_LIKE = re.compile(
    r"\b[a-z]+_[a-z0-9_]+\b"  # organizer_secret, ri_table, payload_sha256
    r"|'[\w-]+'"  # a quoted literal value: 'name', 'id'
    r"|`[^`]*`"  # a command: `shanzhi template delphi`
    r"|\b[\w.-]+\.json\b"  # manifest.json
)


def zh_words(text: str, data: tuple[str, ...] = ()) -> list[str]:
    """English words of a Chinese store or Delphi message beyond the allowed ones."""
    text = _TECHNICAL_LIKE.sub(" ", text)
    for header in CSV_HEADERS:
        text = re.sub(rf"\b{header}\b", " ", text)
    return [w for w in english_words(text, data) if w not in STORE_TECHNICAL]


def check(message: object, data: tuple[str, ...] = ()) -> tuple[str, str]:
    """The message in Chinese and in English, each checked to be in its language only."""
    return check_language(message, data, words=zh_words)


# ---------------------------------------------------------------- the locale texts themselves
def test_every_store_and_delphi_error_text_is_in_its_language():
    """(A key in two locale files is refused when the catalog is read: TranslationError.)"""
    zh, en = _texts("zh", FILES), _texts("en", FILES)
    assert set(zh) == set(en) and len(zh) > 120
    assert all(k.startswith(("error.store.", "error.delphi.", "delphi.warning.")) for k in zh)
    for key in zh:
        assert not zh_words(zh[key]), (key, zh[key], zh_words(zh[key]))
        assert not chinese(en[key]), (key, en[key])
        assert _fields(zh[key]) == _fields(en[key]), key


def _calls() -> list[tuple[str, ast.Call]]:
    """Every construction of a store or Delphi error in the project."""
    found = []
    packages = [p for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")
                and p.name not in {"tests", "benchmarks"}]
    for path in [*ROOT.glob("*.py"), *(f for p in packages for f in p.rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) \
                    and isinstance(node.exc.func, ast.Name) and node.exc.func.id in ERRORS:
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.exc))
    return found


def test_every_store_and_delphi_error_is_raised_with_a_key_and_its_fields():
    """No English sentence is raised any more, and a rarely hit raise cannot fail with a
    missing field: each key gets every field its texts use."""
    en = catalog("en")
    calls = _calls()
    assert len(calls) > 110
    for where, call in calls:
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Attribute) and first.attr == "message":
            continue  # another shanzhi error's message passed on (key and fields kept)
        assert isinstance(first, ast.Constant) and isinstance(first.value, str), where
        assert first.value in en, f"{where}: no text for {first.value!r}"
        given = {k.arg for k in call.keywords}
        assert _fields(en[first.value]) <= given, (where, _fields(en[first.value]) - given)


# ---------------------------------------------------------------- the store
@pytest.fixture
def organizer(tmp_path: Path):
    store = JudgmentStore(tmp_path / "s.sqlite3", organizer_secret=SECRET)
    return store, store.create_study("杭州 2024", SECRET, framework=SAMPLE_FRAMEWORK,
                                     study_id="hz")


def _raised(kind: type[Exception], call, *args, **kwargs) -> Exception:
    with pytest.raises(kind) as caught:
        call(*args, **kwargs)
    return caught.value


def test_store_errors_are_in_one_language(organizer):
    store, org = organizer
    lines = {
        "long": _raised(StoreError, store.create_study, "长" * 300, SECRET),
        "secret": _raised(OrganizerSecretError, store.open_organizer, "hz", "wrong"),
        "token": _raised(TokenError, store.open_expert, "hz", "nonsense"),
        "twice": _raised(StoreError, org.create_panel, ["王五", "王五"]),
        "no_wave": _raised(StoreError, org.wave_answers, "2030"),
        "state": _raised(StoreError, org.set_state, "closed"),
        "exists": _raised(StoreError, store.create_study, "x", SECRET, study_id="hz"),
    }
    texts = {}
    for case, error in lines.items():
        assert isinstance(error.message, Message), case
        zh, en = check(error.message, ("长" * 40, "王五", "hz", "nonsense"))
        assert str(error) == en and error.text("zh") == zh
        texts[case] = zh
    assert texts["long"] == f"研究名称“{'长' * 40}…”超过 200 个字符", texts["long"]
    assert texts["secret"] == "无法以组织者身份打开研究“hz”：组织者密钥错误"
    assert texts["twice"] == "研究“hz”：以下专家姓名重复输入：王五"
    assert texts["state"] == "研究“hz”当前为“草稿”，不能改为“已关闭”"
    assert str(lines["state"]) == "study 'hz' is draft; it cannot move to closed"
    assert str(lines["secret"]) == "cannot open study 'hz' as organizer: wrong organizer secret"


def test_duplicate_wave_keeps_key_label_and_language_through_a_pickle():
    error = DuplicateWaveError("error.store.wave_duplicate", "2023", study="hz",
                               file="answers.xlsx", wave="2023")
    again = pickle.loads(pickle.dumps(error))
    assert again.label == "2023" and str(again) == str(error)
    zh, en = check(again.message, ("hz",))
    assert zh == ("研究“hz”：此文件（answers.xlsx）已作为批次“2023”保存过（SHA-256 相同）；"
                  "未添加任何内容")
    assert en.startswith("study 'hz': this file (answers.xlsx) is already stored as wave '2023'")


# ---------------------------------------------------------------- Delphi
@pytest.fixture(scope="module")
def framework() -> Hierarchy:
    return Hierarchy.from_csv(SAMPLE_FRAMEWORK)


def _book(framework: Hierarchy, tmp_path: Path, **cells: object) -> Path:
    """A filled Delphi workbook of expert 李四 with ``cells`` of the ratings sheet changed."""
    codes = delphi_indicators(framework)[:5]
    path = tmp_path / "李四.xlsx"
    write_delphi_template(framework, path, "李四", indicators=codes,
                          ratings={c: 4 for c in codes}, familiarity="熟悉")
    book = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        book[RATINGS_SHEET][ref] = value
    book.save(path)
    return path


def test_delphi_errors_are_in_one_language(framework, tmp_path: Path):
    sheets = (RATINGS_SHEET, SELF_SHEET, "李四")
    bad = _raised(DelphiError, read_delphi_xlsx, _book(framework, tmp_path, E5=7), framework)
    zh, en = check(bad.message, sheets)
    assert zh.startswith(f"李四，工作表“{RATINGS_SHEET}”，单元格 E5（专家 李四，指标 "), zh
    assert zh.endswith("评分 '7' 不是 1–5 的整数"), zh
    assert en.endswith("rating '7' is not a whole number 1–5")  # no " / 中文" tail any more

    csv = io.BytesIO("expert,indicator,rating\n张三,D99,4\n".encode())
    csv.name = "delphi.csv"
    zh, _ = check(_raised(DelphiError, read_delphi_csv, csv, framework).message)
    assert zh == "delphi.csv，第 2 行：指标 'D99' 不是指标体系中（目标层以下）的代码"

    one = pd.DataFrame({"E1": [4, 5]}, index=["A1", "A2"])
    zh, en = check(_raised(DelphiError, delphi_round, one).message, ("E1",))
    assert zh == ("一轮德尔菲咨询至少需要 2 位专家评分；实际为 1 位：E1"
                  "（协调系数、标准差和变异系数都需要多位专家）")
    assert en.startswith("a Delphi round needs at least 2 experts who rated; got 1: E1")
    text = pd.DataFrame({"E1": [4, "x"], "E2": [4, 5]}, index=["A1", "A2"])
    zh, _ = check(_raised(DelphiError, delphi_round, text).message, ("E1",))
    assert zh == "评分须为 1–5 的整数（空白表示未评分）：专家 E1，指标 A2：'x'"


def test_delphi_round_warnings_are_in_one_language():
    same = pd.DataFrame({"E1": [4, 4, None], "E2": [4, 4, None], "E3": [4, 4, 5],
                         "E4": [None, None, None]}, index=["A1", "A2", "A3"])
    found = delphi_round(same).warnings
    assert all(isinstance(w, Message) for w in found), found
    lines = [check(w, ("E1", "E2", "E3", "E4"))[0] for w in found]
    assert "以下专家未评分，不计入本轮统计：E4" in lines, lines
    assert "以下专家有漏评，未计入肯德尔协调系数：E1、E2" in lines, lines
    assert "expert(s) who rated nothing, left out of the round: E4" in found


# ---------------------------------------------------------------- the Chinese app
def _signed_in_zh() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = "zh"
    at.session_state["organizer_secret"] = SECRET
    at.run()
    return at


def _errors(at: AppTest) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]


@pytest.mark.usefixtures("db")
def test_organizer_page_in_chinese_shows_a_too_long_study_name_in_chinese() -> None:
    at = _signed_in_zh()
    at.switch_page("app_pages/organizer.py").run()
    assert not at.exception
    form = next(i for i in at.text_input if i.label == catalog("zh")["app.organizer.study_name"])
    form.input("长" * 250)
    submit = catalog("zh")["app.organizer.create_button"]
    next(b for b in at.get("form_submit_button") if b.label == submit).click().run()
    assert not at.exception
    shown = _errors(at)
    assert any(f"研究名称“{'长' * 40}…”超过 200 个字符" in e for e in shown), shown
    assert all(not zh_words(e) for e in shown), shown


def test_delphi_page_in_chinese_shows_round_and_workbook_errors_in_chinese(
        db: Path, framework: Hierarchy, tmp_path: Path) -> None:  # noqa: F811
    org = JudgmentStore(db, organizer_secret=SECRET).create_study(
        "德尔菲", SECRET, framework=SAMPLE_FRAMEWORK, study_id="d1")
    delphi = DelphiOrganizer(org)
    delphi.session.create_panel(["李四", "王五"])
    delphi.open_round()
    at = _signed_in_zh()
    at.switch_page("app_pages/delphi.py").run()
    assert not at.exception
    # no ratings yet: the statistics say why in Chinese
    waiting = [i.value for i in at.info if "至少需要 2 位专家评分" in i.value]
    assert waiting and not zh_words(waiting[0]), [i.value for i in at.info]
    # a workbook with a rating of 7
    book = _book(framework, tmp_path, E5=7)
    codes = set(delphi.rounds()[-1].indicators)
    assert set(delphi_indicators(framework)[:5]) <= codes
    at.get("file_uploader")[0].set_value((book.name, book.read_bytes(), "application/octet-stream"))
    at.run()
    next(b for b in at.button if b.key == "delphi_import").click().run()
    assert not at.exception
    shown = _errors(at)
    assert any("单元格 E5（专家 李四，指标" in e and "评分 '7' 不是 1–5 的整数" in e
               for e in shown), shown
    assert all(not zh_words(e, (RATINGS_SHEET,)) for e in shown), shown
