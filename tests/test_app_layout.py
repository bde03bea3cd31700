"""Every page fits a phone (390 px) and a laptop (1280 px), in both languages, in headless
Chromium: screenshots of each page and comparison tab (the other methods' tabs too: grades,
what to improve first, group differences, weight schemes) go to ``tests/artifacts/layout/``,
and each view is checked for

- no horizontal overflow (the document, and Streamlit's own scrolling main area), the
  comparison tabs with their expanders open;
- no clipped table: an HTML table (``st.table``, the coloured tables) is not wider than its
  box, and a canvas data grid (``st.dataframe``) shows all its columns and rows (its scroller is
  not larger than its viewport) unless it sits in a section that says how to see the rest;
- no English label in the Chinese app: no visible text that is ASCII letters only, except
  codes (B1, C07, D57, E01, factors MR1 …), the statistics' symbols CR and KMO, n, units and
  file names.

Skipped when ``/usr/bin/chromium`` is absent, like ``test_app_browser.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sample_data import SAMPLE_FRAMEWORK

from i18n import t
from panel.store import JudgmentStore, expert_link
from tests.test_app_browser import CHROMIUM, CHROMIUM_ARGS, SECRET, running_app, settle

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "layout"
WIDTHS = (1280, 390)
COMPARE_TABS = [
    "app.compare.tab_ranking", "app.compare.tab_uncertainty", "app.compare.tab_radar",
    "app.compare.tab_heatmap", "app.compare.tab_drill", "app.compare.tab_download",
    # the other methods: fuzzy grades, IPA, group comparison, weight schemes with TOPSIS
    "methods.app.tab_grades", "methods.app.tab_improve", "methods.app.tab_groups",
    "methods.app.tab_schemes",
]
"""Locale keys of the comparison page's tabs, in order (``app_pages/compare.py``)."""
PAGES = ["", "diagnosis", "survey", "weights", "organizer", "delphi"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="/usr/bin/chromium is absent (install it with `make system`)"),
]

# The checks run in the page: one list of problems per view (empty when it fits).
CHECKS = r"""
() => {
  const problems = [];
  const visible = (e) => !!(e.offsetParent || e.getClientRects().length) &&
                         !e.closest('details:not([open])');
  const doc = document.scrollingElement;
  if (doc.scrollWidth > innerWidth + 1)
    problems.push(`page overflows: scrollWidth ${doc.scrollWidth} > ${innerWidth}`);
  const main = document.querySelector('[data-testid="stMain"]');
  if (main && main.scrollWidth > main.clientWidth + 1)
    problems.push(`main area overflows: ${main.scrollWidth} > ${main.clientWidth}`);
  for (const box of document.querySelectorAll('[data-testid="stTable"], .sz-colour')) {
    if (!visible(box)) continue;
    const table = box.querySelector('table');
    if (table && table.getBoundingClientRect().width > box.getBoundingClientRect().width + 1)
      problems.push(`table clipped: ${Math.round(table.getBoundingClientRect().width)} > ` +
                    `${Math.round(box.getBoundingClientRect().width)}: ` +
                    table.innerText.replace(/\s+/g, " ").slice(0, 60));
    if (!table) continue;
    for (const cell of table.querySelectorAll('td, th')) {
      const inner = cell.firstElementChild || cell;
      if (cell.scrollWidth > cell.clientWidth + 1 || inner.scrollWidth > cell.clientWidth + 1) {
        problems.push(`cell text runs out of its cell: "${cell.innerText.slice(0, 40)}"`);
        break;
      }
    }
  }
  for (const grid of document.querySelectorAll('[data-testid="stDataFrame"]')) {
    if (!visible(grid)) continue;
    const scroller = grid.querySelector('.dvn-scroller');
    if (!scroller) continue;
    const hidden = scroller.scrollWidth > scroller.clientWidth + 1 ||
                   scroller.scrollHeight > scroller.clientHeight + 1;
    const section = grid.closest('[data-testid="stExpander"]');
    const says = section && /滑动|scroll/i.test(section.innerText.slice(0, 200));
    if (hidden && !says)
      problems.push(`data grid clipped: content ${scroller.scrollWidth}×${scroller.scrollHeight}` +
                    ` in ${scroller.clientWidth}×${scroller.clientHeight}`);
  }
  return problems;
}
"""

# Visible texts of the Chinese app that are ASCII letters only (icons and code excepted).
ASCII_LABELS = r"""
() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const element = node.parentElement;
    if (!text || !element || !element.getClientRects().length) continue;
    const box = element.getBoundingClientRect();
    if (box.width < 2 || box.height < 2 || box.right < 0 || box.bottom < 0) continue;
    if (element.closest('style, script, code, pre, [data-testid="stIconMaterial"], ' +
                        '[data-testid="stSidebarUserContent"] [data-testid="stButtonGroup"], ' +
                        '.material-icons, [translate="no"], details:not([open])')) continue;
    const style = getComputedStyle(element);
    if (style.fontFamily.toLowerCase().includes('material')) continue;
    if (/^[\x00-\x7F–—…·×→↗▶◀▸%]+$/.test(text) && /[A-Za-z]{2,}/.test(text)) found.push(text);
  }
  return found;
}
"""
ALLOWED = re.compile(
    r"^(CR|CR –|KMO|MR\d+|PA\d+|n|n<\d+|PNG|\(PNG\)|Excel|[A-E]\d+|E\d+|[\w.-]+\.(xlsx|csv|png)|https?://\S+"
    r"|[A-Za-z0-9_-]{40,}|\d+(\.\d+)? ?(s|MB|ms)|Harker|Saaty|English|UTC)$")


def check(page, name: str, lang: str) -> list[str]:
    """The fit problems of the current view, plus English labels in the Chinese app."""
    problems = [f"{name}: {p}" for p in page.evaluate(CHECKS)]
    if lang == "zh":
        english = [text for text in page.evaluate(ASCII_LABELS) if not ALLOWED.match(text)]
        problems += [f"{name}: English label {text!r}" for text in dict.fromkeys(english)]
    return problems


def shoot(page, name: str) -> None:
    page.wait_for_timeout(150)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.fixture(scope="module")
def layout_server(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("layout")
    db = folder / "judgments.sqlite3"
    organizer = JudgmentStore(db, organizer_secret=SECRET).create_study(
        "版面测试", SECRET, framework=SAMPLE_FRAMEWORK)
    token = organizer.create_panel(["林专家"])["E01"]
    expert = JudgmentStore(db).open_expert(organizer.study_id, token)
    for row, col, value in [("B1", "B2", 3), ("B1", "B3", 5), ("B2", "B3", 1 / 3)]:
        expert.set_judgment("A", row, col, value)
    with running_app(folder, db) as base:
        yield base, expert_link("/expert", organizer.study_id, token)


@pytest.fixture(scope="module")
def chromium():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_fits(layout_server, chromium, lang: str, width: int) -> None:
    base, link = layout_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = 2600 if width < 600 else 1800
    page = chromium.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    try:
        page.goto(f"{base}/compare?lang={lang}")
        settle(page)
        page.locator('[data-testid="stTable"]').first.wait_for(timeout=120_000)
        for key in COMPARE_TABS:
            # only the open tab is drawn: a click reruns the page
            page.get_by_role("tab", name=t(key, lang), exact=True).click()
            settle(page)
            for summary in page.locator('[data-testid="stExpander"] summary').all():
                summary.click()  # open the details, as a reader would
                page.wait_for_timeout(500)  # until the expander has slid open
            name = f"compare_{t(key, 'en').replace(' ', '-')}_{lang}_{width}"
            shoot(page, name)
            problems += check(page, name, lang)
        for path in PAGES:
            page.goto(f"{base}/{path}?lang={lang}")
            settle(page)
            page.locator('[data-testid="stHeading"]').first.wait_for(timeout=60_000)
            name = f"{path or 'home'}_{lang}_{width}"
            shoot(page, name)
            problems += check(page, name, lang)
        page.goto(f"{base}{link}&lang={lang}")
        settle(page)
        page.locator(".st-key-pair_card").wait_for(timeout=60_000)
        name = f"expert_{lang}_{width}"
        shoot(page, name)
        problems += check(page, name, lang)
    finally:
        page.close()
    assert not problems, "\n".join(problems)
