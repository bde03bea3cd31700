"""User text is shown literally on every page and guarded in every download.

Community names (residents' free text), study, expert and file names are set to Markdown and
HTML that would render as a link, a tracking image, bold text or a code block, and to text a
spreadsheet would run as a formula. Every Markdown-rendering element of every page (titles,
alerts, captions, Markdown, metric/expander/tab/widget labels, radio options) is rendered with a
CommonMark parser (HTML allowed, as a browser would see it): no link, no image, no bold ``x``, no
HTML tag, no code block comes out of user text. CSV downloads and the Excel report prefix a
formula-like cell with ``'``.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS, SAMPLE_RESPONSES
from streamlit.testing.v1 import AppTest

from app_support.text import csv_bytes
from evaluation.study import StudySettings
from panel.store import JudgmentStore, expert_link

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SECRET = "literal-test-secret"
NASTY = ["[点击](http://x)", "![](http://x/t.png)", "**x**", "<b>x</b>", "=1+1", "\t制表符"]
STUDY = "**x** [点击](http://x) <b>x</b>"
FILE = "![](http://x/t.png)<b>x</b>.csv"
MARKDOWN = MarkdownIt("commonmark", {"html": True})


def nasty_export() -> bytes:
    """The bundled questionnaire as CSV, six communities renamed to the names above."""
    frame = pd.read_excel(SAMPLE_RESPONSES, engine="openpyxl")
    column = next(c for c in frame.columns if "社区" in str(c))
    big = frame[column].value_counts().index[:len(NASTY)]
    frame[column] = frame[column].replace(dict(zip(big, NASTY, strict=True)))
    return frame.to_csv(index=False).encode("utf-8-sig")  # 问卷星's CSV export


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    db = tmp_path / "literal.sqlite3"
    monkeypatch.setenv("SHANZHI_DB", str(db))
    monkeypatch.setenv("SHANZHI_ORGANIZER_SECRET", SECRET)
    org = JudgmentStore(db, organizer_secret=SECRET).create_study(
        STUDY, SECRET, framework=SAMPLE_FRAMEWORK, study_id="lit")
    judgments = pd.read_csv(SAMPLE_JUDGMENTS, dtype=str)
    experts = sorted(judgments["expert"].unique())
    judgments["expert"] = judgments["expert"].replace(
        {e: (NASTY[i] if i < len(NASTY) else e) for i, e in enumerate(experts)})
    org.import_judgments(judgments, add_experts=True)
    org.set_settings(StudySettings(bootstrap=50, seed=3))
    org.add_wave("2024", nasty_export(), file_name=FILE)
    org.publish(change_draws=50)
    token = org.reissue(org.experts()["expert_id"].iloc[0])
    return db, org, token


def rendered(at: AppTest) -> list[tuple[str, str]]:
    """(source, HTML) of every Markdown-rendering text of the page."""
    sources: list[str] = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title",
                 "subheader", "header"):
        sources += [str(e.value) for e in getattr(at, kind)]
    sources += [m.label for m in at.metric]
    sources += [e.label for e in at.expander] + [t.label for t in at.tabs]
    for kind in ("button", "checkbox", "toggle", "text_input", "selectbox", "multiselect",
                 "number_input", "text_area"):
        sources += [w.label for w in getattr(at, kind)]
    for radio in at.radio:
        sources += [radio.label, *map(str, radio.options)]
    return [(s, MARKDOWN.render(s)) for s in sources]


def assert_literal(at: AppTest, where: str) -> None:
    assert not at.exception, (where, at.exception)
    for source, html in rendered(at):
        for bad in ("<a ", "<img", "<strong>x</strong>", "<b>", "<pre>", "<code>"):
            assert bad not in html, (where, bad, source)


def app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_shows_user_text_literally(study, lang: str) -> None:
    _db, org, token = study
    # organizer: study list, study administration (waves table with the file name), panel
    at = app(study="lit", lang=lang)
    at.session_state["organizer_secret"] = SECRET
    at.run()
    assert_literal(at, "home (published)")
    assert any("[点击](http://x)" in html for _, html in rendered(at))  # shown as typed
    for page in ("compare", "survey_data", "weights", "delphi", "organizer"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert_literal(at, page)
    # the organizer page after a wave upload of the same file (duplicate message, file name)
    uploader = next(u for u in at.get("file_uploader") if u.proto.id.endswith("wave_file"))
    uploader.set_value((FILE, nasty_export(), "application/octet-stream"))
    at.text_input(key="wave_label").set_value("2025")
    next(b for b in at.button if "wave" in b.label.lower() or "此轮" in b.label).click().run()
    assert at.warning, "duplicate wave message"
    assert_literal(at, "organizer after a duplicate wave")
    # a viewer link
    viewer = org.issue_viewer(NASTY[0])
    at = app(view=viewer, lang=lang)
    at.run()
    assert_literal(at, "viewer")
    assert set(NASTY[:5]) <= set(at.dataframe[0].value.iloc[:, 1])  # shown as typed in tables
    # the expert page of an expert named like a Markdown link
    at = app(**dict(parse(expert_link("http://h/expert", "lit", token))), lang=lang)
    at.run()
    at.switch_page("app_pages/expert.py").run()
    assert_literal(at, "expert")
    # the sample study with the questionnaire uploaded under a Markdown file name
    at = app(lang=lang)
    at.session_state["organizer_secret"] = SECRET
    at.run()
    at.switch_page("app_pages/survey_data.py").run()
    at.get("file_uploader")[0].set_value((FILE, nasty_export(), "application/octet-stream")).run()
    assert_literal(at, "survey page after upload")
    for page in ("home", "compare", "weights"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert_literal(at, f"{page} with upload")


def parse(link: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl, urlsplit

    return parse_qsl(urlsplit(link).query)


def test_downloads_guard_formulas(study) -> None:
    _, org, _ = study
    frames = [org.audit(), org.result().ranking, org.experts()]
    for frame in frames:
        table = pd.read_csv(BytesIO(csv_bytes(frame)), dtype=str, keep_default_na=False,
                            encoding="utf-8-sig")
        cells = table.to_numpy().ravel().tolist() + list(table.columns)
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t"))
                    and not c[1:2].isdigit()], frame.columns
    ranking = pd.read_csv(BytesIO(csv_bytes(org.result().ranking)), dtype=str,
                          encoding="utf-8-sig")
    assert "'=1+1" in set(ranking["community"])  # (the loader strips the leading tab)
    tabbed = pd.read_csv(BytesIO(csv_bytes(pd.DataFrame({"name": ["\t制表符", "@x"]}))),
                         encoding="utf-8-sig")
    assert tabbed["name"].tolist() == ["'\t制表符", "'@x"]
    # the Excel report of the published snapshot
    from reports.excel_report import published_report

    buffer = BytesIO()
    published_report(buffer, org.result(), org.study.hierarchy, audit=org.audit(), lang="zh")
    book = load_workbook(BytesIO(buffer.getvalue()))
    values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row
              if isinstance(c.value, str)]
    assert "'=1+1" in values and "=1+1" not in values
    assert not [v for v in values if v.startswith("\t")]
