"""End-to-end in a real browser: ``streamlit run server.py`` (the app as ``make app`` serves it,
warmed up) on a free port, headless Chromium.

An expert opens their personal link, enters a judgment, reloads the page and finds it still
there, also after the server is restarted; the language switch changes the page to English and
the URL keeps it; screenshots of the expert page and of the result pages (comparison tabs,
weights, home, survey) in Chinese and English go to ``tests/artifacts/`` (git-ignored).
Skipped only when Debian's ``/usr/bin/chromium`` is absent (``make system`` installs it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sample_data import SAMPLE_FRAMEWORK

from panel.store import JudgmentStore, expert_link

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SECRET = "browser-test-secret"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="/usr/bin/chromium is absent (install it with `make system`)"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(folder: Path, db: Path) -> Iterator[str]:
    """``streamlit run server.py`` on a free localhost port with database ``db``; yields its URL
    and stops the server on exit (log in ``folder``)."""
    port = free_port()
    env = os.environ | {"SHANZHI_DB": str(db), "SHANZHI_ORGANIZER_SECRET": SECRET,
                        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    log_path = folder / f"streamlit-{port}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "server.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start: {log_path.read_text()}") from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app with its own database for the module; yields (base URL, db path)."""
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "judgments.sqlite3"
    with running_app(folder, db) as base:
        yield base, db


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def settle(page) -> None:
    """Wait until the app has finished its script run and drawn every element."""
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=120_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=60_000)


def test_expert_judgment_survives_reload_and_language_switch(server, browser) -> None:
    base, db = server
    ARTIFACTS.mkdir(exist_ok=True)
    organizer = JudgmentStore(db, organizer_secret=SECRET).create_study(
        "浏览器测试", SECRET, framework=SAMPLE_FRAMEWORK)
    token = organizer.create_panel(["陈专家"])["E01"]
    link = expert_link(f"{base}/expert", organizer.study_id, token)

    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.goto(link)
    settle(page)
    page.get_by_text("陈专家").first.wait_for(timeout=60_000)
    pair = page.locator(f".st-key-pair_{organizer.study_id}_E01_A_B1_B2")
    pair.get_by_role("radio", name="5", exact=True).first.click()
    settle(page)
    page.get_by_text("明显重要").first.wait_for(timeout=30_000)
    expert = JudgmentStore(db).open_expert(organizer.study_id, token)
    assert expert.judgments("A") == {("B1", "B2"): 5.0}

    page.reload()  # the page opens at the next pair without a judgment; "上一对" goes back
    settle(page)
    page.get_by_role("button", name="上一对").click()
    settle(page)
    page.get_by_text("明显重要").first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "expert_zh.png"), full_page=True)

    page.get_by_role("radio", name="English").click()
    settle(page)
    page.get_by_text("strong importance").first.wait_for(timeout=30_000)
    assert "lang=en" in page.url and "token=" in page.url
    page.reload()
    settle(page)
    page.get_by_text("Expert judgments").first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "expert_en.png"), full_page=True)
    page.close()


def test_judgment_survives_an_app_restart(browser, tmp_path: Path) -> None:
    """A judgment entered in one server process is shown by a new one on the same database."""
    db = tmp_path / "judgments.sqlite3"
    organizer = JudgmentStore(db, organizer_secret=SECRET).create_study(
        "重启测试", SECRET, framework=SAMPLE_FRAMEWORK)
    token = organizer.create_panel(["周专家"])["E01"]
    key = f".st-key-pair_{organizer.study_id}_E01_A_B1_B3"
    with running_app(tmp_path, db) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(expert_link(f"{base}/expert", organizer.study_id, token))
        settle(page)
        page.get_by_role("button", name="下一对").click()  # one pair at a time: B1–B3 is 2nd
        settle(page)
        page.locator(key).get_by_role("radio", name="7", exact=True).first.click()
        settle(page)
        page.get_by_text("强烈重要 (7)").first.wait_for(timeout=30_000)
        page.close()
    with running_app(tmp_path, db) as base:  # a new process: nothing cached in memory
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(expert_link(f"{base}/expert", organizer.study_id, token))
        settle(page)
        page.get_by_text("周专家").first.wait_for(timeout=60_000)
        page.get_by_role("button", name="下一对").click()
        settle(page)
        chosen = page.locator(key).locator('[aria-checked="true"]')
        assert chosen.count() == 1 and chosen.first.inner_text().strip() == "7"
        page.get_by_text("强烈重要 (7)").first.wait_for(timeout=30_000)
        page.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_result_pages_screenshots(server, browser, lang: str) -> None:
    base, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.goto(f"{base}/compare?lang={lang}")
    settle(page)
    page.locator('[data-testid="stTable"]').first.wait_for(timeout=120_000)  # the ranking
    title = "社区比较" if lang == "zh" else "Community comparison"
    page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / f"compare_{lang}.png"))
    for tab, (zh, en) in {"heatmap": ("热力图", "Heatmap"), "drill": ("逐层查看", "Drill-down"),
                          "radar": ("雷达图", "Radar")}.items():
        page.get_by_role("tab", name=zh if lang == "zh" else en).click()
        settle(page)  # only the open tab is drawn: a click reruns the page
        page.screenshot(path=str(ARTIFACTS / f"compare_{tab}_{lang}.png"))
    for name, path in (("weights", "weights"), ("home", ""), ("survey", "survey")):
        page.goto(f"{base}/{path}?lang={lang}")
        settle(page)
        page.locator('[data-testid="stMetric"], [data-testid="stImage"]').first.wait_for(
            timeout=120_000)
        page.screenshot(path=str(ARTIFACTS / f"{name}_{lang}.png"))
    page.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_uncertainty_tab_run_and_report(server, browser, lang: str) -> None:
    """The uncertainty tab: run 1,000 draws, screenshots of the results, and the Excel report
    downloaded afterwards carries the uncertainty sheet."""
    base, _ = server
    ARTIFACTS.mkdir(exist_ok=True)
    # Streamlit scrolls inside the page, so a full-page screenshot needs a tall viewport
    page = browser.new_page(viewport={"width": 1400, "height": 4600}, accept_downloads=True)
    page.goto(f"{base}/compare?lang={lang}")
    settle(page)
    page.get_by_role("tab", name="不确定性" if lang == "zh" else "Uncertainty").click()
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / f"compare_uncertainty_controls_{lang}.png"),
                    clip={"x": 0, "y": 0, "width": 1400, "height": 900})
    page.get_by_role("button", name="运行不确定性分析" if lang == "zh"
                     else "Run the uncertainty analysis").click()
    settle(page)
    shown = "1000 次抽样的结果" if lang == "zh" else "Results of 1000 draws"
    page.get_by_text(shown).first.wait_for(timeout=120_000)
    page.locator('[data-testid="stImage"]').nth(2).wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / f"compare_uncertainty_{lang}.png"))
    page.get_by_role("tab", name="下载" if lang == "zh" else "Downloads").click()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="下载 Excel 报告" if lang == "zh"
                         else "Download the Excel report").click()
    book = load_workbook(BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
    assert "不确定性 Uncertainty" in book.sheetnames
    page.close()


def test_organizer_sign_in_and_links(server, browser) -> None:
    base, _ = server
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.goto(f"{base}/organizer?lang=en")
    settle(page)
    page.get_by_role("textbox", name="Organizer secret").fill(SECRET)
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    if not page.get_by_role("textbox", name="Study name").is_visible():
        page.get_by_text("Create a study and its expert panel").first.click()
    page.get_by_role("textbox", name="Study name").fill("Browser study")
    page.get_by_role("textbox", name="Expert names (one per line)").fill("Expert One\nExpert Two")
    page.get_by_role("button", name="Create the study").click()
    settle(page)
    page.get_by_text("shown only this once").first.wait_for(timeout=30_000)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download the links (CSV)").click()
    links = pd.read_csv(BytesIO(Path(download.value.path()).read_bytes()), encoding="utf-8-sig")
    assert links["name"].tolist() == ["Expert One", "Expert Two"]
    page.locator('[data-testid="stTable"]').first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "organizer_en.png"))
    page.close()

    # the second expert's link opens their own page
    expert = browser.new_page(viewport={"width": 1400, "height": 1200})
    link = links["link"].iloc[1]
    assert link.startswith(f"{base}/expert?study=")
    expert.goto(link)
    settle(expert)
    expert.get_by_text("Expert Two").first.wait_for(timeout=60_000)
    assert expert.get_by_text("Expert One").count() == 0
    expert.close()
