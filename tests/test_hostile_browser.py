"""Hostile files uploaded through the app's own upload widgets, in headless Chromium, against one
real ``streamlit run server.py`` process (issue 14, end to end).

The organizer signs in and imports two hostile expert workbooks on the organizer page (a
zip/ratio bomb, the sparse-dimension workbook), then uploads on the survey page, one after
another: the ratio bomb, the 1.7 KB sparse-dimension workbook that used to abort
python-calamine, a workbook declaring XML entities, a truncated workbook, a 1.7 KB workbook
that passes every check and makes python-calamine abort in the sandbox's child process, and a
CSV with a formula-injection answer and a Likert answer of 7. Each shows one line in Chinese
naming the problem (the text of its i18n key, no English word beyond file names, no Python
traceback on the page); afterwards the same server process still serves the home page and an
expert's link. Screenshots of the messages: ``tests/artifacts/hostile_*_zh.png`` (git-ignored).
One server, files of at most 300 KB: about 20 s on two cores.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import hostile_files
import pytest
from sample_data import SAMPLE_FRAMEWORK
from test_app_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, SECRET, App, app_process, settle
from test_study_browser import organizer_page

from i18n import t
from panel.store import JudgmentStore, expert_link
from untrusted import UntrustedFileError

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="/usr/bin/chromium is absent (install it with `make system`)"),
]

STUDY = "hostile"
EXPERT = "韩专家"
ERROR = '[data-testid="stAlertContentError"]'
EXCEPTION = '[data-testid="stException"]'


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    builders = {name: hostile_files.BUILDERS[name] for name in (
        "ratio_bomb.xlsx", "sparse_dimension.xlsx", "billion_laughs.xlsx", "truncated.xlsx")}
    builders |= {"dense_range.xlsx": hostile_files.dense_range,
                 "formula_likert.csv": hostile_files.formula_likert_csv}
    return {name: build(folder / name) for name, build in builders.items()}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[App, str]]:
    """The server, with a study of one expert; yields (the app, the expert's token)."""
    folder = tmp_path_factory.mktemp("hostile_app")
    db = folder / "judgments.sqlite3"
    organizer = JudgmentStore(db, organizer_secret=SECRET).create_study(
        "恶意文件测试", SECRET, framework=SAMPLE_FRAMEWORK, study_id=STUDY)
    token = organizer.create_panel([EXPERT])["E01"]
    with app_process(folder, db) as running:
        yield running, token


def refused(key: str, limit: str, what: str, found: str = "", allowed: str = "") -> str:
    """The line the page should show: the page's message ``key`` around the Chinese text of the
    refusal (``untrusted.<limit>`` in ``i18n/locale/zh/untrusted.json``)."""
    return t(key, "zh", reason=UntrustedFileError(limit, what, found, allowed).text("zh"))


SURVEY = {  # file → the one line the survey page shows for it
    "ratio_bomb.xlsx": refused("app.survey.load_failed", "ratio",
                               "ratio_bomb.xlsx: xl/worksheets/sheet1.xml", "333:1", "100:1"),
    "sparse_dimension.xlsx": refused("app.survey.load_failed", "columns",
                                     "sparse_dimension.xlsx: xl/worksheets/sheet1.xml",
                                     "≥ 16,384", "1,000"),
    "billion_laughs.xlsx": refused("app.survey.load_failed", "entities",
                                   "billion_laughs.xlsx: xl/sharedStrings.xml"),
    "truncated.xlsx": refused("app.survey.load_failed", "not_zip", "truncated.xlsx",
                              "BadZipFile"),
    # 1,000 × 200,000 cells: within the CLI's limit (where python-calamine would abort in the
    # sandbox child), over the app's 20 M
    "dense_range.xlsx": refused("app.survey.load_failed", "cells",
                                "dense_range.xlsx: xl/worksheets/sheet1.xml", "≥ 200,000,000",
                                "20,000,000"),
}
ORGANIZER = {  # expert workbooks (held tighter: 10,000 rows) → the organizer page's line
    "ratio_bomb.xlsx": refused("app.expert.import_failed", "ratio",
                               "ratio_bomb.xlsx: xl/worksheets/sheet1.xml", "333:1", "100:1"),
    "sparse_dimension.xlsx": refused("app.expert.import_failed", "rows",
                                     "sparse_dimension.xlsx: xl/worksheets/sheet1.xml",
                                     "≥ 1,048,576", "10,000"),
}
INVALID = t("app.survey.invalid_found", "zh", count=2, cells=(
    f"第 4 行 D05“{hostile_files.FORMULA_ANSWER}”不是数字或已知的选项文字、"
    "第 8 行 D12“7”不在 1–5 分之间"))
# Latin words a Chinese line may hold: file formats and programs, the XML it refuses
LATIN_OK = {"xlsx", "xml", "xl", "worksheets", "sheet", "sharedStrings", "DOCTYPE", "ENTITY",
            "XML", "Excel", "WPS"}


def _chinese_only(line: str) -> None:
    """No English words in a Chinese line, beyond the file's name and cell, item codes (D05)
    and the tokens of LATIN_OK."""
    for name in (*SURVEY, *ORGANIZER, hostile_files.FORMULA_ANSWER):
        line = line.replace(name, "")
    words = set(re.findall(r"[A-Za-z]{2,}", line)) - LATIN_OK
    assert not words, (words, line)


def _alert(page, kind: str, text: str, shot: str) -> str:
    """The one alert of ``kind`` (Error, Warning, Success) holding ``text``, once the page has
    settled with no Python exception on it; screenshot ``hostile_<shot>_zh.png``."""
    alert = page.locator(f'[data-testid="stAlertContent{kind}"]').filter(has_text=text)
    alert.first.wait_for(timeout=60_000)
    settle(page)
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()
    assert alert.count() == 1
    box = page.locator('[data-testid="stAlertContainer"]').filter(has=alert)
    box.screenshot(path=str(ARTIFACTS / f"hostile_{shot}_zh.png"))
    return alert.locator('[data-testid="stMarkdownContainer"]').inner_text().strip()  # no icon


def test_hostile_uploads_get_one_line_each_and_the_server_lives(app, files) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    running, token = app
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport={"width": 1400, "height": 1200})
        page = organizer_page(context, running.base, STUDY, "zh")  # signed in

        # the organizer page: expert workbooks, imported with the button
        page.get_by_text("导入专家判断表 (.xlsx)").first.click()
        uploader = page.locator(".st-key-organizer_import")
        for name, line in ORGANIZER.items():
            for chip in uploader.locator('[data-testid="stFileChipDeleteBtn"]').all():
                chip.click()  # a multi-file uploader: the workbook before is removed first
                settle(page)
            uploader.locator("input[type=file]").set_input_files(str(files[name]))
            page.locator(".st-key-organizer_import_go button").click()
            shown = _alert(page, "Error", name, f"organizer_{Path(name).stem}")
            assert shown == line
            _chinese_only(shown)

        # the survey page, in the same session (still signed in): questionnaires
        page.get_by_role("link", name="问卷与筛查").click()
        settle(page)
        survey_file = page.locator(".st-key-survey_file input[type=file]")
        for name, line in SURVEY.items():
            survey_file.set_input_files(str(files[name]))
            shown = _alert(page, "Error", name, f"survey_{Path(name).stem}")
            assert shown == line
            _chinese_only(shown)

        # a CSV that loads: its formula and its 7 are named, shown as typed, never run
        survey_file.set_input_files(str(files["formula_likert.csv"]))
        _alert(page, "Success", "已读入 formula_likert.csv。", "survey_csv_loaded")
        shown = _alert(page, "Warning", "个答案无法计分", "survey_csv_invalid")
        assert shown == INVALID
        _chinese_only(shown)
        assert page.locator(ERROR).count() == 0
        warning = page.locator('[data-testid="stAlertContentWarning"]').filter(has_text=INVALID)
        assert warning.locator("a").count() == 0  # no link made of the cell
        page.screenshot(path=str(ARTIFACTS / "hostile_survey_csv_zh.png"))

        # the same server process serves the home page and an expert's link
        assert running.process.poll() is None
        with urllib.request.urlopen(f"{running.base}/_stcore/health", timeout=5) as answer:
            assert answer.status == 200
        home = chromium.new_page(viewport={"width": 1400, "height": 1200})
        home.goto(f"{running.base}/?lang=zh")
        settle(home)
        home.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
        assert home.locator(EXCEPTION).count() == 0
        expert = chromium.new_page(viewport={"width": 1400, "height": 1200})
        expert.goto(expert_link(f"{running.base}/expert", STUDY, token))
        settle(expert)
        expert.get_by_text(EXPERT).first.wait_for(timeout=60_000)
        assert expert.locator(EXCEPTION).count() == 0
        chromium.close()
    assert running.process.poll() is None
