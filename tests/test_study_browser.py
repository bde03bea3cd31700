"""The stored study end to end in a real browser (headless Chromium, ``streamlit run app.py``).

Organizer → experts (judgments through the store, one through the expert page) → a wave
uploaded in the app → publish → a viewer link opened in a fresh browser context shows the
ranking → a second wave shows the changes → the server restarts and everything is still there.
Screenshots of every step in Chinese and English go to ``tests/artifacts/`` (git-ignored).
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest
from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS, SAMPLE_RESPONSES
from test_app_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, SECRET, running_app, settle

from evaluation.study import StudySettings
from i18n import t
from panel.store import JudgmentStore, expert_link
from survey.loading import load_responses
from survey.questionnaire import SCALE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="/usr/bin/chromium is absent (install it with `make system`)"),
]


def second_wave(folder: Path) -> tuple[Path, str]:
    """The bundled export as CSV with one community's item answers one scale point better and
    another community gone (a different file: a new wave); returns the file and the community
    raised.

    The export's item columns hold option texts (非常不同意 … 非常同意), found as the loader maps
    them: each answer of the raised community moves one option up (a reverse-coded item one
    option down), so that every item score of that community rises where there is room."""
    frame = pd.read_excel(SAMPLE_RESPONSES, engine="openpyxl")
    loaded = load_responses(SAMPLE_RESPONSES, SAMPLE_FRAMEWORK)
    column = loaded.mapping.community_column
    counts = frame[column].value_counts()
    raised, gone = counts.index[0], counts.index[1]
    options = [text for _, text, _ in SCALE]
    up = dict(pairwise(options))
    down = {high: low for low, high in up.items()}
    rows = frame[column] == raised
    for header, code in loaded.mapping.columns.items():
        step = down if code in loaded.reversed_items else up
        frame.loc[rows, header] = frame.loc[rows, header].map(lambda x, s=step: s.get(x, x))
    path = folder / "wave_2025.csv"
    frame[frame[column] != gone].to_csv(path, index=False, encoding="utf-8-sig")
    return path, str(raised)


# The rows of the visible data grid with a column headed by the argument, as header → cell text,
# read from the grid's accessibility table (drawn a moment after the grid; it holds the rows in
# view) while scrolling through the grid; the grid is left scrolled to the first row with text
# in that column (for the screenshot).
GRID_ROWS = r"""
async (column) => {
  const pause = (ms) => new Promise((done) => setTimeout(done, ms));
  const find = () => [...document.querySelectorAll('[data-testid="stDataFrame"]')].find((g) =>
    g.offsetParent && [...g.querySelectorAll('th')].some((th) => th.textContent === column));
  let grid = find();
  for (let wait = 0; !grid && wait < 150; wait++) {
    await pause(200);
    grid = find();
  }
  const headers = [...grid.querySelectorAll('thead th')].map((th) => th.textContent);
  const scroller = grid.querySelector('.dvn-scroller');
  const rows = new Map();
  let first = null;
  for (let top = 0; ; top += scroller.clientHeight / 2) {
    scroller.scrollTop = top;
    await pause(500);
    for (const row of grid.querySelectorAll('tbody tr[role="row"]')) {
      const cells = [...row.querySelectorAll('td')].map((cell) => cell.textContent.trim());
      rows.set(Number(row.getAttribute('aria-rowindex')),
               Object.fromEntries(headers.map((header, i) => [header, cells[i]])));
      if (first === null && cells[headers.indexOf(column)]) first = scroller.scrollTop;
    }
    if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1) break;
  }
  scroller.scrollTop = first ?? 0;
  return [...rows.keys()].sort((a, b) => a - b).map((key) => rows.get(key));
}
"""


def flagged_changes(view, lang: str) -> tuple[int, dict[str, set[str]]]:
    """On the open changes tab: the count its metric shows, and the flags (▲/▼) of the grid's
    flagged rows by community."""
    metric = view.locator('[data-testid="stMetric"]').filter(
        has_text=t("store.changes.flagged", lang))
    shown = int(metric.locator('[data-testid="stMetricValue"]').inner_text())
    flag = t("store.col.flag", lang)
    rows = view.evaluate(GRID_ROWS, flag)
    assert len(rows) > 10  # every community and node, not only the first screen
    flags: dict[str, set[str]] = {}
    for row in rows:
        if row[flag]:
            flags.setdefault(row[t("col.community", lang)], set()).add(row[flag])
    assert shown == sum(1 for row in rows if row[flag])
    return shown, flags


def shot(page, name: str) -> None:
    page.wait_for_timeout(400)
    page.screenshot(path=str(ARTIFACTS / f"study_{name}.png"), full_page=True)


def organizer_page(context, base: str, study: str, lang: str):
    page = context.new_page()
    page.goto(f"{base}/organizer?lang={lang}&study={study}")
    settle(page)
    page.locator('input[type="password"]').fill(SECRET)
    page.get_by_role("button", name="登录" if lang == "zh" else "Sign in").click()
    settle(page)
    return page


def add_wave(page, path: Path, label: str) -> None:
    page.locator(".st-key-wave_label input").fill(label)
    page.locator(".st-key-wave_file input[type=file]").set_input_files(str(path))
    page.wait_for_timeout(800)
    page.locator('[data-testid="stFormSubmitButton"] button').filter(
        has_text="添加此轮").click()
    settle(page)


def test_study_cycle_in_the_browser(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    db = tmp_path / "study.sqlite3"
    org = JudgmentStore(db, organizer_secret=SECRET).create_study(
        "西湖区 2024 善治评价", SECRET, framework=SAMPLE_FRAMEWORK, study_id="xihu")
    org.import_judgments(pd.read_csv(SAMPLE_JUDGMENTS, dtype=str), add_experts=True)
    org.set_settings(StudySettings(bootstrap=200, seed=1))
    first = org.experts()["expert_id"].iloc[0]
    token = org.reissue(first)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        size = {"width": 1400, "height": 1600}
        with running_app(tmp_path, db) as base:
            # an expert changes one judgment on the expert page
            expert = chromium.new_page(viewport=size)
            expert.goto(expert_link(f"{base}/expert", "xihu", token))
            settle(expert)
            pair = expert.locator(f".st-key-pair_xihu_{first}_A_B1_B2")
            pair.get_by_role("radio", name="3", exact=True).first.click()
            settle(expert)
            shot(expert, "1_expert_zh")
            assert JudgmentStore(db).open_expert("xihu", token).judgments("A")[("B1", "B2")] == 3
            expert.close()

            context = chromium.new_context(viewport=size)
            page = organizer_page(context, base, "xihu", "zh")
            page.get_by_text("研究管理").first.wait_for(timeout=60_000)
            add_wave(page, Path(SAMPLE_RESPONSES), "2024")
            page.get_by_text("已从").first.wait_for(timeout=60_000)
            shot(page, "2_wave_added_zh")
            add_wave(page, Path(SAMPLE_RESPONSES), "again")  # the same file: recognised
            page.get_by_text("按 SHA-256 识别").first.wait_for(timeout=60_000)
            shot(page, "3_same_file_zh")
            page.locator(".st-key-publish button").click()
            settle(page)
            page.get_by_text("已发布轮次 2024 的结果 #1").first.wait_for(timeout=90_000)
            shot(page, "4_published_zh")
            page.get_by_role("button", name="生成查看链接").click()
            settle(page)
            link = page.locator('[data-testid="stCode"]').first.inner_text().strip()
            assert "?view=" in link
            shot(page, "5_viewer_link_zh")

            official = chromium.new_context(viewport=size)  # a fresh browser: no sign-in
            view = official.new_page()
            view.goto(link)
            settle(view)
            view.get_by_text("已发布结果 #1").first.wait_for(timeout=60_000)
            assert view.locator('[data-testid="stDataFrame"]').count() >= 1
            assert view.locator('input[type="password"], [data-testid="stFileUploader"]'
                                ).count() == 0
            shot(view, "6_viewer_ranking_zh")

            wave, raised = second_wave(tmp_path)
            add_wave(page, wave, "2025")
            page.get_by_text("已从").first.wait_for(timeout=60_000)
            page.locator(".st-key-publish button").click()
            settle(page)
            page.get_by_text("已发布轮次 2025 的结果 #2").first.wait_for(timeout=90_000)
            view.reload()
            settle(view)
            view.get_by_role("tab", name="轮次间变化").click()
            view.get_by_text("区间不含0的变化数").first.wait_for(timeout=30_000)
            shown, flags = flagged_changes(view, "zh")
            assert shown > 0 and flags == {raised: {"▲"}}  # the others' answers are unchanged
            shot(view, "7_viewer_changes_zh")
            context.close()
            official.close()
        with running_app(tmp_path, db) as base:  # a new server process: all still there
            official = chromium.new_context(viewport=size)
            view = official.new_page()
            view.goto(link.split("?")[0].rsplit("/", 1)[0].replace(
                link.split("//")[1].split("/")[0], base.split("//")[1]) + "/?"
                + link.split("?")[1].replace("lang=zh", "lang=en"))
            settle(view)
            view.get_by_text("Published result #2").first.wait_for(timeout=60_000)
            shot(view, "8_viewer_after_restart_en")
            view.get_by_role("tab", name="Changes between waves").click()
            view.get_by_text("Changes whose interval excludes 0").first.wait_for(timeout=30_000)
            assert flagged_changes(view, "en")[1] == {raised: {"▲"}}
            shot(view, "9_viewer_changes_en")
            context = chromium.new_context(viewport=size)
            page = organizer_page(context, base, "xihu", "en")
            page.get_by_text("Study administration").first.wait_for(timeout=60_000)
            shot(page, "10_organizer_after_restart_en")
            page.locator('[data-testid="stSidebarNav"] a').filter(
                has_text="Community comparison").first.click()  # same session: signed in
            settle(page)
            page.get_by_text("Published result #2").first.wait_for(timeout=60_000)
            shot(page, "11_compare_published_en")
        chromium.close()
