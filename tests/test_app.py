"""The Streamlit app driven headless with ``streamlit.testing.v1.AppTest``.

Every page renders in both languages without an exception and shows its key values; the
expert page shows nothing of an expert without that expert's valid token; a judgment entered
through the widget is in the SQLite file at once; organizer pages need the organizer secret.
"""

from __future__ import annotations

import html
import re
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import pytest
from sample_data import SAMPLE_FRAMEWORK
from streamlit.testing.v1 import AppTest

from ahp.consistency import consistency
from ahp.hierarchy import Hierarchy
from ahp.io.workbook import read_judgments_csv, write_judgments_xlsx
from ahp.panel import PanelJudgments
from app_support import digest
from i18n import catalog
from panel.store import JudgmentStore, TokenError

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SECRET = "test-organizer-secret"
PAGES = [f"app_pages/{name}.py"
         for name in ("home", "compare", "diagnosis", "survey_data", "weights", "expert",
                      "organizer")]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "judgments.sqlite3"
    monkeypatch.setenv("SHANZHI_DB", str(path))
    monkeypatch.setenv("SHANZHI_ORGANIZER_SECRET", SECRET)
    return path


@pytest.fixture
def panel(db: Path) -> tuple[str, dict[str, str]]:
    """A study on the bundled framework with two experts: study id and expert id → token."""
    organizer = JudgmentStore(db, organizer_secret=SECRET).create_study(
        "测试研究", SECRET, framework=SAMPLE_FRAMEWORK, study_id="s1")
    return organizer.study_id, organizer.create_panel(["王老师", "Dr. Lee"])


def app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def open_page(page: str, **query: str) -> AppTest:
    """The app after a first run (which registers the pages), switched to ``page``."""
    at = app(**query)
    at.run()
    return at.switch_page(page).run()


def shown_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success",
                                  "title", "subheader") for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return unescaped("\n".join(str(p) for p in parts))


def unescaped(source: str) -> str:
    """Markdown source as a reader sees it: the backslash escapes of user text removed."""
    return re.sub(r"\\(.)", r"\1", source)


def html_text(at: AppTest) -> str:
    """The HTML of every ``st.html`` element (coloured tables)."""
    return html.unescape("\n".join(e.value for e in at.get("html")))


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def text(key: str, lang: str) -> str:
    return catalog(lang)[key]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders_with_key_values(db: Path, lang: str) -> None:
    at = app(lang=lang)
    at.run()
    assert not at.exception
    assert at.session_state["lang"] == lang
    home = metrics(at)
    assert home[text("app.metric.valid", lang)] == "370"
    assert home[text("app.metric.overall", lang)] == "3.780"
    assert home[text("app.metric.ranked", lang)] == "26"
    assert at.title[0].value == text("app.title", lang)
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    at.switch_page("app_pages/compare.py").run()
    assert metrics(at)[text("app.metric.overall", lang)] == "3.780"
    # the ranking dot plot (the other tabs are drawn when opened)
    assert any("sz-rank" in h.proto.body for h in at.get("html"))
    assert any(text("col.score", lang) in table.value.columns
               and (table.value[text("col.score", lang)] == "n<10").sum() == 2
               for table in at.table)
    notes = [e.value for e in at.info if e.value.startswith(text("report.scores.notes", lang))]
    expected = {"zh": "- 28 个社区中有 2 个样本少于 10 人，不公布得分（n<10）：梅坞社区、桑园社区",
                "en": "- 2 of 28 communities have fewer than 10 respondents and get no published "
                      "score (n<10): 梅坞社区, 桑园社区"}[lang]
    assert len(notes) == 1 and expected in unescaped(notes[0])  # user text shown literally
    at.switch_page("app_pages/survey_data.py").run()
    survey = metrics(at)
    assert (survey[text("col.received", lang)], survey[text("col.valid", lang)]) == ("405", "370")
    assert "来自IP" in shown_text(at)
    at.switch_page("app_pages/weights.py").run()
    assert text("app.weights.expert_summary", lang).format(cr=0.1) in shown_text(at)
    assert text("app.weights.exclusion_off", lang).format(cr=0.1) in shown_text(at)
    weights = frame_with(at, text("col.global", lang))
    assert len(weights) == 1 + 7 + 22 + 57


def test_language_switch_changes_labels(db: Path) -> None:
    at = app()
    at.run()
    assert at.title[0].value == "社区善治评价"
    at.segmented_control(key="lang_switch").set_value("en").run()
    assert at.title[0].value == "Community good-governance evaluation"


def open_tab(at: AppTest, key: str, lang: str = "en") -> AppTest:
    """Open a tab of the comparison page (only the open tab is computed)."""
    at.session_state["compare_tab"] = text(f"app.compare.tab_{key}", lang)
    return at.run()


def test_comparison_drill_down_and_radar(db: Path) -> None:
    at = open_tab(open_page("app_pages/compare.py", lang="en"), "drill")
    at.selectbox(key="drill_dimension_en").set_value("B2").run()
    at.multiselect(key="drill_communities").set_value(["芦花社区", "兰亭坊社区"]).run()
    drill = html_text(at)
    hierarchy = Hierarchy.from_csv(SAMPLE_FRAMEWORK)
    sub = hierarchy.children("B2")
    for code in {*sub, *(d for c in sub for d in hierarchy.children(c))}:
        assert f"{code} {hierarchy.name(code, 'en')}" in drill  # full names, no cut
    assert "芦花社区" in drill and "梅坞社区" not in drill
    open_tab(at, "radar").multiselect(key="radar_communities").set_value(["芦花社区"]).run()
    assert not at.exception and at.get("image")
    assert sum("PNG" in b.label for b in at.get("download_button")) == 1
    labels = [b.label for b in open_tab(at, "download").get("download_button")]
    assert any("Excel" in label for label in labels)
    assert sum("PNG" in label for label in labels) == 3


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_uncertainty_tab_renders_before_a_run(db: Path, lang: str) -> None:
    at = open_page("app_pages/compare.py", lang=lang)
    assert not at.exception
    assert text("app.compare.tab_uncertainty", lang) in [tab.label for tab in at.tabs]
    open_tab(at, "uncertainty", lang)
    assert text("app.uncertainty.not_run", lang) in shown_text(at)
    assert not at.button(key="unc_run").disabled
    assert text("app.uncertainty.report_hint", lang) in shown_text(open_tab(at, "download", lang))


def uncertainty_run(at: AppTest, draws: int, lang: str = "en") -> AppTest:
    open_tab(at, "uncertainty", lang)
    at.number_input(key="unc_draws").set_value(draws).run()
    return at.button(key="unc_run").click().run()


def sources_varied(at: AppTest, lang: str) -> list[str]:
    """The "varied" column of the table of what each draw varied (panel, noise, residents)."""
    table = next(t.value for t in at.table if text("col.varied", lang) in t.value.columns)
    return table[text("col.varied", lang)].tolist()


def tables(at: AppTest) -> list[pd.DataFrame]:
    """Every table shown (``st.table`` as text, ``st.dataframe``)."""
    return [t.value for t in at.table] + [df.value for df in at.dataframe]


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table shown with a column headed ``column``."""
    return next(frame for frame in tables(at) if column in frame.columns)


def numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """A text table's numbers ("57%" → 57.0, "–" → NaN), first column as the index."""
    frame = frame.set_index(frame.columns[0])
    return frame.apply(lambda c: pd.to_numeric(c.str.rstrip("%").replace("–", None)))


def pairwise_table(at: AppTest, communities: list[str]) -> pd.DataFrame:
    return next(numbers(frame) for frame in tables(at)
                if list(frame.columns[1:]) == communities)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_uncertainty_run_shows_rank_bands_and_pairwise_table(db: Path, lang: str) -> None:
    at = uncertainty_run(open_page("app_pages/compare.py", lang=lang), 200, lang)
    assert not at.exception
    assert text("app.uncertainty.shown", lang).format(draws=200, seed=0) in shown_text(at)
    ranked = frame_with(at, text("col.rank_band", lang))
    assert len(ranked) == 26
    ranked[text("col.rank", lang)] = ranked[text("col.rank", lang)].astype(int)
    assert ranked[text("col.rank", lang)].tolist() == list(range(1, 27))
    low_high = ranked[text("col.rank_band", lang)].str.split("–", expand=True).astype(int)
    assert (low_high[0] <= ranked[text("col.rank", lang)]).all()
    assert (low_high[1] >= ranked[text("col.rank", lang)]).all()
    assert (low_high[1] > low_high[0]).any()  # residents and panel vary: bands are not points
    p_top = ranked[text("col.p_top_n", lang).format(n=3)].str.rstrip("%").astype(float)
    assert p_top.between(0, 100).all() and p_top.sum() == pytest.approx(300.0, abs=0.5)
    assert not {"梅坞社区", "桑园社区"} & set(ranked[text("col.community", lang)])
    separator = "、" if lang == "zh" else ", "  # names listed as the language lists them
    assert text("app.uncertainty.excluded", lang).format(
        names=f"梅坞社区 (n=6){separator}桑园社区 (n=8)") in shown_text(at)
    top5 = ranked[text("col.community", lang)].head(5).tolist()
    pairwise = pairwise_table(at, top5)
    assert list(pairwise.index) == top5
    assert np.isnan(np.diag(pairwise.to_numpy(float))).all()  # blank diagonal
    both_ways = pairwise.to_numpy(float) + pairwise.to_numpy(float).T  # in percent
    assert np.allclose(both_ways[~np.eye(5, dtype=bool)], 100.0, atol=1)  # no ties; rounded
    assert sources_varied(at, lang) == ["✓", "–", "✓"]
    assert len(at.get("image")) >= 3  # ranking with bands, tornado, pairwise
    assert text("app.uncertainty.report_included", lang).format(draws=200) in shown_text(
        open_tab(at, "download", lang))


def test_uncertainty_pickers_and_report(db: Path) -> None:
    at = uncertainty_run(open_page("app_pages/compare.py", lang="en"), 200)
    leader = at.selectbox(key="tornado_community")
    assert leader.value == "芦花社区"
    leader.set_value("兰亭坊社区").run()
    assert not at.exception
    at.multiselect(key="pairwise_communities").set_value(["兰亭坊社区", "芦花社区"]).run()
    assert not at.exception
    pairwise = pairwise_table(at, ["兰亭坊社区", "芦花社区"])
    assert pairwise.loc["芦花社区", "兰亭坊社区"] > 90  # percent: rank 1 against rank 26
    at.multiselect(key="pairwise_communities").set_value(["芦花社区"]).run()
    assert text("app.uncertainty.choose_two", "en") in shown_text(at)
    schemes = frame_with(at, "Equal weights")
    assert list(schemes.columns)[1:] == ["AHP (AIJ)", "AHP (AIP)", "Equal weights"]
    assert "Smallest weight change that alters the top rank" in metrics(at)
    dimensions = frame_with(at, text("col.dropped", "en"))
    assert len(dimensions) == 7 and dimensions.iloc[:, 0].str.startswith("B").all()
    at.radio(key="drop_level").set_value("C").run()
    assert not at.exception
    indicators = frame_with(at, text("col.dropped", "en"))
    assert len(indicators) == 22 and indicators.iloc[:, 0].str.startswith("C").all()
    labels = [b.label for b in open_tab(at, "download").get("download_button")]
    assert sum("PNG" in label for label in labels) == 6  # 3 standard, 3 uncertainty


def test_uncertainty_run_is_disabled_with_every_source_off(db: Path) -> None:
    at = open_tab(open_page("app_pages/compare.py", lang="en"), "uncertainty")
    at.toggle(key="unc_panel").set_value(False).run()
    at.toggle(key="unc_residents").set_value(False).run()
    assert at.button(key="unc_run").disabled
    assert text("app.uncertainty.no_source", "en") in [w.value for w in at.warning]
    at.toggle(key="unc_noise").set_value(True).run()
    assert not at.button(key="unc_run").disabled
    at.button(key="unc_run").click().run()
    assert not at.exception
    assert sources_varied(at, "en") == ["–", "✓", "–"]


def test_weights_aggregation_choice(db: Path) -> None:
    at = open_page("app_pages/weights.py", lang="en")
    before = frame_with(at, "Global weight").copy()
    at.radio(key="aggregation_en").set_value("AIP").run()
    assert not at.exception
    after = frame_with(at, "Global weight")
    assert not before["Global weight"].equals(after["Global weight"])


@pytest.mark.parametrize(
    "query",
    [{}, {"study": "s1"}, {"study": "s1", "token": "not-a-token"}, {"study": "nope", "token": "x"}],
    ids=["no-link", "missing-token", "wrong-token", "unknown-study"],
)
def test_expert_page_shows_nothing_without_valid_token(panel, query) -> None:
    at = open_page("app_pages/expert.py", lang="en", **query)
    assert not at.exception
    assert not [w for w in at.get("segmented_control") if w.key.startswith("pair_")]
    page = shown_text(at)
    assert "王老师" not in page and "Dr. Lee" not in page
    assert at.info or at.error


def test_expert_sees_only_own_judgments(panel, db: Path) -> None:
    study_id, tokens = panel
    first = JudgmentStore(db).open_expert(study_id, tokens["E01"])
    first.set_judgment("A", "B1", "B2", 7)
    at = open_page("app_pages/expert.py", lang="en", study=study_id, token=tokens["E02"])
    assert not at.exception
    page = shown_text(at)
    assert "Dr. Lee" in page and "王老师" not in page
    pair = at.segmented_control(key=f"pair_{study_id}_E02_A_B1_B2")
    assert pair.value is None


def test_judgment_entered_in_widget_is_saved_at_once(panel, db: Path) -> None:
    """The expert page shows one pair at a time: a judgment is saved at once, the saved
    meaning is confirmed and the next pair without a judgment comes up."""
    study_id, tokens = panel
    at = open_page("app_pages/expert.py", lang="zh", study=study_id, token=tokens["E01"])
    jump = next(w for w in at.selectbox if w.key.startswith("jump_A_"))
    jump.set_value(1).run()  # the second pair, B1–B3
    key = f"pair_{study_id}_E01_A_B1_B3"
    at.segmented_control(key=key).set_value(2).run()  # position 2: B1 7 times as important
    assert not at.exception
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT expert_id, node, row_code, col_code, value FROM judgments").fetchall()
    assert rows == [("E01", "A", "B1", "B3", 7.0)]
    assert "已保存" in shown_text(at) and "强烈重要 (7)" in shown_text(at)
    # next pair: B1–B4 (after the one just answered), not the pair above it
    assert [w.key for w in at.get("segmented_control") if w.key.startswith("pair_")] == [
        f"pair_{study_id}_E01_A_B1_B4"]
    again = open_page("app_pages/expert.py", lang="en", study=study_id, token=tokens["E01"])
    jump = next(w for w in again.selectbox if w.key.startswith("jump_A_"))
    assert any("very strong importance" in option for option in jump.options)
    jump.set_value(1).run()
    assert again.segmented_control(key=key).value == 2


def test_inconsistent_node_needs_confirmation(panel, db: Path) -> None:
    study_id, tokens = panel
    expert = JudgmentStore(db).open_expert(study_id, tokens["E01"])
    for row, col, value in [("C01", "C02", 9), ("C01", "C03", 1 / 9), ("C02", "C03", 9),
                            ("C01", "C04", 1), ("C02", "C04", 1), ("C03", "C04", 1)]:
        expert.set_judgment("B1", row, col, value)
    at = open_page("app_pages/expert.py", lang="en", study=study_id, token=tokens["E01"])
    at.selectbox[0].set_value("B1").run()
    assert "Suggested change" in shown_text(at)
    done = at.button(key="done_B1")
    assert done.disabled
    at.checkbox(key="confirm_B1").check().run()
    at.button(key="done_B1").click().run()
    assert not at.exception
    table = JudgmentStore(db).open_expert(study_id, tokens["E01"]).progress().table
    row = table.set_index("node").loc["B1"]
    assert row["done"] and row["confirmed_inconsistent"] and row["cr"] >= 0.1


def test_incomplete_node_shows_provisional_cr_once_judgments_close_a_cycle(
    panel, db: Path
) -> None:
    """B1 has 4 children (6 pairs): 3 judgments form a tree (no CR yet), the 4th closes a cycle
    and the CR of Harker's completion is shown as provisional; the node cannot be done yet."""
    study_id, tokens = panel
    expert = JudgmentStore(db).open_expert(study_id, tokens["E01"])
    for row, col, value in [("C01", "C02", 3), ("C02", "C03", 3), ("C03", "C04", 3)]:
        expert.set_judgment("B1", row, col, value)
    at = open_page("app_pages/expert.py", lang="en", study=study_id, token=tokens["E01"])
    at.selectbox[0].set_value("B1").run()
    assert "CR –" in shown_text(at)
    expert.set_judgment("B1", "C01", "C04", 1 / 9)  # contradicts C01 > C02 > C03 > C04
    at = open_page("app_pages/expert.py", lang="zh", study=study_id, token=tokens["E01"])
    at.selectbox[0].set_value("B1").run()
    assert not at.exception
    matrix = expert.matrix("B1")
    expected = consistency(matrix).cr
    assert expected > 0.10
    assert f"CR（暂定） :red[{expected:.3f}]" in shown_text(at)
    assert not [b for b in at.button if b.key == "done_B1"]


def test_suggested_value_can_be_applied(panel, db: Path) -> None:
    study_id, tokens = panel
    expert = JudgmentStore(db).open_expert(study_id, tokens["E01"])
    for row, col, value in [("C01", "C02", 9), ("C01", "C03", 1 / 9), ("C02", "C03", 9),
                            ("C01", "C04", 1), ("C02", "C04", 1), ("C03", "C04", 1)]:
        expert.set_judgment("B1", row, col, value)
    before = expert.judgments("B1")
    at = open_page("app_pages/expert.py", lang="en", study=study_id, token=tokens["E01"])
    at.selectbox[0].set_value("B1").run()
    at.button(key="apply_B1").click().run()
    assert not at.exception
    assert expert.judgments("B1") != before


def test_organizer_needs_secret(panel, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page("app_pages/organizer.py", lang="en")
    assert "Sign in" in [b.label for b in at.get("form_submit_button")]
    assert not tables(at)
    at.text_input[0].input("wrong")
    at.get("form_submit_button")[0].click().run()
    assert "Wrong secret." in [e.value for e in at.error]
    monkeypatch.delenv("SHANZHI_ORGANIZER_SECRET")
    off = open_page("app_pages/organizer.py", lang="en")
    assert "SHANZHI_ORGANIZER_SECRET" in shown_text(off)


def test_revoking_a_link_needs_confirmation(panel, db: Path) -> None:
    study_id, tokens = panel
    at = open_page("app_pages/organizer.py", lang="en")
    at.text_input[0].input(SECRET)
    at.get("form_submit_button")[0].click().run()
    at.selectbox(key="active_choice_en_None").set_value(study_id).run()
    revoke = next(b for b in at.get("form_submit_button") if b.label == "Revoke link")
    revoke.click().run()
    assert not at.exception
    assert any("Tick the box" in w.value for w in at.warning)
    assert JudgmentStore(db).authenticate(study_id, tokens["E01"]) == "E01"  # still works
    at.checkbox(key="revoke_confirm").check()
    next(b for b in at.get("form_submit_button") if b.label == "Revoke link").click().run()
    assert not at.exception
    assert any("E01 王老师" in m.value and "no longer works" in m.value for m in at.success)
    assert not at.checkbox(key="revoke_confirm").value  # unticked for the next expert
    with pytest.raises(TokenError):
        JudgmentStore(db).authenticate(study_id, tokens["E01"])


def test_organizer_creates_study_and_panel(db: Path) -> None:
    at = open_page("app_pages/organizer.py", lang="en")
    at.text_input[0].input(SECRET)
    at.get("form_submit_button")[0].click().run()
    assert not at.exception
    form = at.get("form")[0]
    form.text_input[0].input("Hangzhou 2026")
    form.text_area[0].input("张三\n李四")
    form.get("form_submit_button")[0].click().run()
    assert not at.exception
    links = tables(at)[0]
    assert len(links) == 2 and links.iloc[:, -1].str.contains("/expert?study=", regex=False).all()
    query = parse_qs(urlsplit(links.iloc[0, -1]).query)
    assert query["lang"] == ["en"]  # the expert page opens in the organizer's language
    token = query["token"][0]
    study_id = JudgmentStore(db).studies()["study_id"].iloc[0]
    assert JudgmentStore(db).authenticate(study_id, token) == "E01"
    at.switch_page("app_pages/survey_data.py").run()
    assert text("app.survey.upload_first", "en") in shown_text(at)


def test_survey_upload_messages(db: Path) -> None:
    at = open_page("app_pages/organizer.py", lang="en")
    at.text_input[0].input(SECRET)
    at.get("form_submit_button")[0].click().run()
    at.switch_page("app_pages/survey_data.py").run()
    uploader = at.get("file_uploader")[0]
    uploader.set_value(("answers.txt", b"x", "text/plain")).run()
    assert any("not supported" in e.value for e in at.error)
    at.get("file_uploader")[0].set_value(
        ("answers.xlsx", b"0" * (21 * 2**20), "application/octet-stream")).run()
    assert any("over the limit of 20 MB" in e.value for e in at.error)
    at.get("file_uploader")[0].set_value(
        ("answers.csv", "序号,社区,foo\n1,A,3\n".encode(), "text/csv")).run()
    unmatched = text("app.survey.columns_unmatched", "en").format(items=57, found=1)
    assert any(e.value == unmatched for e in at.error), [e.value for e in at.error]
    assert text("app.survey.mapping_title", "en") in shown_text(at)
    # a file a mapping cannot fix (no answer columns, no community): the reason, no mapping step
    at.get("file_uploader")[0].set_value(("other.csv", b"a,b\n1,2\n", "text/csv")).run()
    assert not at.exception
    assert any("Could not read" in e.value for e in at.error)
    assert text("app.survey.mapping_title", "en") not in shown_text(at)


def test_pages_explain_when_no_community_is_ranked(db: Path) -> None:
    """40 questionnaires over 28 communities: none reaches 10, so nothing is ranked; the
    comparison page and Home say so instead of failing on an empty ranking."""
    export = SAMPLE_FRAMEWORK.parent / "sample" / "synthetic_wjx_export.xlsx"
    frame = pd.read_excel(export, sheet_name=None, engine="openpyxl")
    data = next(f for f in frame.values() if len(f.columns) > 60).head(40)
    at = open_page("app_pages/organizer.py", lang="zh")
    at.text_input[0].input(SECRET)
    at.get("form_submit_button")[0].click().run()
    at.switch_page("app_pages/survey_data.py").run()
    at.get("file_uploader")[0].set_value(
        ("small.csv", data.to_csv(index=False).encode("utf-8"), "text/csv")).run()
    assert not at.exception
    for page in ("app_pages/compare.py", "app_pages/home.py"):
        at.switch_page(page).run()
        assert not at.exception, page
        assert any("没有社区公布得分" in w.value for w in at.warning), page


def test_a_partial_mapping_loads_and_can_be_edited(db: Path) -> None:
    """Renamed item headers cannot be matched: the mapping step opens; a mapping of one item
    loads without failing any page, and "edit the column mapping" opens the editor again."""
    export = SAMPLE_FRAMEWORK.parent / "sample" / "synthetic_wjx_export.xlsx"
    frame = pd.read_excel(export, sheet_name=None, engine="openpyxl")
    data = next(f for f in frame.values() if len(f.columns) > 60)
    renamed = {c: f"问题{i}" for i, c in enumerate(data.columns) if i >= 9}
    body = data.rename(columns=renamed).to_csv(index=False).encode("utf-8")
    at = open_page("app_pages/organizer.py", lang="en")
    at.text_input[0].input(SECRET)
    at.get("form_submit_button")[0].click().run()
    at.switch_page("app_pages/survey_data.py").run()
    at.get("file_uploader")[0].set_value(("renamed.csv", body, "text/csv")).run()
    assert text("app.survey.mapping_title", "en") in shown_text(at)
    at.session_state[f"mapping_{digest('renamed.csv', body)}"] = (("问题9", "D02"),)
    at.run()
    assert not at.exception
    assert any(m.value.startswith("Loaded") for m in at.success), shown_text(at)
    assert text("app.survey.mapping_title", "en") not in shown_text(at)
    at.toggle(key=f"edit_mapping_{digest('renamed.csv', body)}").set_value(True).run()
    assert text("app.survey.mapping_title", "en") in shown_text(at)
    for page in ("app_pages/home.py", "app_pages/compare.py", "app_pages/weights.py"):
        at.switch_page(page).run()
        assert not at.exception, page


def test_new_study_from_workbooks_and_upload(db: Path) -> None:
    """Organizer: create a study, import expert workbooks (six of the bundled ones, whose
    experts are named E01 …), upload the questionnaire; the weights and comparison pages then
    show the new (not synthetic) study."""
    hierarchy = Hierarchy.from_csv(SAMPLE_FRAMEWORK)
    bundled = SAMPLE_FRAMEWORK.parent / "sample" / "synthetic_expert_workbooks"
    books = sorted(bundled.glob("E*.xlsx"))[:6]
    at = open_page("app_pages/organizer.py", lang="en")
    at.text_input[0].input(SECRET)
    at.get("form_submit_button")[0].click().run()
    form = at.get("form")[0]
    form.text_input[0].input("New study")
    form.get("form_submit_button")[0].click().run()
    next(u for u in at.get("file_uploader") if u.proto.id.endswith("organizer_import")).set_value(
        [(book.name, book.read_bytes(), "application/octet-stream") for book in books]).run()
    at.button(key="organizer_import_go").click().run()
    assert not at.exception
    assert any("judgments imported" in s.value for s in at.success), shown_text(at)
    links = tables(at)[0]  # the new experts' links; names like ids become the ids
    assert links.iloc[:, 0].tolist() == links.iloc[:, 1].tolist() == [b.stem for b in books]
    at.switch_page("app_pages/weights.py").run()
    assert not at.exception
    assert not at.warning  # no synthetic banner
    assert frame_with(at, "Global weight").shape[0] == len(hierarchy.nodes)
    at.switch_page("app_pages/survey_data.py").run()
    export = SAMPLE_FRAMEWORK.parent / "sample" / "synthetic_wjx_export.xlsx"
    at.get("file_uploader")[0].set_value(
        (export.name, export.read_bytes(), "application/octet-stream")).run()
    assert not at.exception
    assert metrics(at)["Valid"] == "370"
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception
    assert metrics(at)["Communities ranked"] == "26"


def test_weights_page_while_the_panel_is_still_entering(panel, db: Path) -> None:
    """Half-entered judgments (E01 linked only B1, B2, B3 of node A's seven elements) are the
    normal state during collection: the weights page says why no weights yet, no traceback."""
    study_id, tokens = panel
    expert = JudgmentStore(db).open_expert(study_id, tokens["E01"])
    for row, col, value in [("B1", "B2", 3), ("B1", "B3", 2), ("B2", "B3", 1)]:
        expert.set_judgment("A", row, col, value)
    at = open_page("app_pages/organizer.py", lang="zh")
    at.text_input[0].input(SECRET)
    at.get("form_submit_button")[0].click().run()
    at.selectbox(key="active_choice_zh_None").set_value(study_id).run()
    at.switch_page("app_pages/weights.py").run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "暂时无法计算权重" in warning and "在 A、B1、B2、" in warning
    at.switch_page("app_pages/home.py").run()
    assert not at.exception


def test_expert_imports_own_workbook(panel, db: Path, tmp_path: Path) -> None:
    study_id, tokens = panel
    sample = read_judgments_csv(SAMPLE_FRAMEWORK.parent / "sample" / "synthetic_judgments.csv")
    mine = sample.table[sample.table["expert"] == "E01"].assign(expert="王老师")
    book = tmp_path / "mine.xlsx"
    write_judgments_xlsx(PanelJudgments(mine), Hierarchy.from_csv(SAMPLE_FRAMEWORK), book)
    at = open_page("app_pages/expert.py", lang="en", study=study_id, token=tokens["E01"])
    at.get("file_uploader")[0].set_value((book.name, book.read_bytes(), "application/xlsx"))
    at.run()
    at.button(key="expert_import_go").click().run()
    assert not at.exception
    assert f"{len(mine)} judgments imported." in [s.value for s in at.success]
    assert len(JudgmentStore(db).open_expert(study_id, tokens["E01"]).export()) == len(mine)
    assert JudgmentStore(db).open_expert(study_id, tokens["E02"]).export().empty


def test_sample_study_is_kept_on_disk(sample_cache: Path) -> None:
    """A fresh process shows the sample study from the cache file, and the result read back is
    the one computed."""
    from app_support.sample_cache import cached_sample

    for old in sample_cache.glob("*.pickle"):
        old.unlink()
    calls = []
    first = cached_sample("sample|sample|sample|x", lambda: calls.append(1) or {"score": 3.78})
    again = cached_sample("sample|sample|sample|x", lambda: calls.append(1) or {"score": 0})
    assert first == again == {"score": 3.78} and calls == [1]
    assert len(list(sample_cache.glob("sample-study-*.pickle"))) == 1
    from app_support.cached import study

    study.clear()  # as in a fresh process: the study comes from the disk cache or is computed
    at = open_page("app_pages/compare.py", lang="en")  # the real study, pickled and read back
    assert not at.exception and metrics(at)[text("app.metric.overall", "en")] == "3.780"
    assert len(list(sample_cache.glob("sample-study-*.pickle"))) == 1  # the real result stored
    assert not list(sample_cache.glob("*.tmp"))
    import pickle

    stored = pickle.loads(next(sample_cache.glob("sample-study-*.pickle")).read_bytes())
    assert round(stored.overall_score, 3) == 3.780 and stored.validity is not None
