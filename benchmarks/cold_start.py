"""Cold and warm first render of the pages an official or an expert opens (target ≤ 2 s cold).

Run by hand, not by pytest::

    .venv/bin/python benchmarks/cold_start.py [--runs 3]

Each run starts a fresh ``streamlit run server.py`` process (nothing cached in memory; the
server warms up before it answers, :mod:`app_server.warm`; ``--entry app.py`` measures the
app without its warm-up), waits for its health check (the *server start* time), then opens in
headless Chromium (``/usr/bin/chromium``, Playwright)

- ``/compare`` (the comparison page of the sample study),
- an official's viewer link ``/?view=TOKEN`` (a published study of 28 communities × 30
  synthetic respondents on the bundled framework and panel, in a temporary database) and
- an expert's personal link (a study on the bundled framework)

and measures the wall time from ``page.goto`` until the page's script has finished and its key
element is drawn (the ranking; the first pair control). *Cold* is the first visit of a
fresh process, *warm* a second visit in a new browser tab (a new session: the process caches are
filled). The median over ``--runs`` fresh processes is printed, with the CPU seconds the server
process spent on the page (less dependent on other work on the machine than the wall time). The
app keeps the sample study's result in a cache folder (here a temporary one): the very first
process of all computes it (printed separately as *first ever*), later processes read it.

For scale, *Streamlit floor* is the same measurement of a page that only draws a one-row table:
what Streamlit itself and the browser cost on this machine, before any work of the app.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_ROOT = ROOT
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
CHROMIUM = "/usr/bin/chromium"
SECRET = "cold-start-benchmark"
TARGET_S = 2.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


FLOOR_APP = 'import streamlit as st\nst.table({"a": [1]})\n'


def _start(db: Path, log: Path, script: Path) -> tuple[subprocess.Popen, str, float]:
    """A fresh server of ``script``; returns it, its URL and the seconds until it was healthy."""
    port = _free_port()
    env = os.environ | {"SHANZHI_DB": str(db), "SHANZHI_ORGANIZER_SECRET": SECRET,
                        "SHANZHI_CACHE": str(db.parent / "cache"),
                        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=APP_ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return process, base, time.perf_counter() - started
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text()) from None
            time.sleep(0.2)


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) the server process has used so far (Linux ``/proc``): the
    share of a page's time that does not depend on how busy the machine is."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _render(browser, url: str, selector: str, pid: int) -> tuple[float, float]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    cpu = _cpu(pid)
    start = time.perf_counter()
    page.goto(url)
    page.locator(selector).first.wait_for(timeout=120_000)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=120_000)
    seconds = time.perf_counter() - start
    page.close()
    return seconds, _cpu(pid) - cpu


def main() -> None:
    import pandas as pd
    from playwright.sync_api import sync_playwright
    from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS
    from store_wave import synthetic

    from ahp.hierarchy import Hierarchy
    from panel.store import JudgmentStore, expert_link

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--app", type=Path, default=ROOT,
                        help="the checkout whose app is measured (e.g. an older commit "
                             "unpacked with git archive, for before/after)")
    parser.add_argument("--entry", default="server.py",
                        help="the script served: server.py (warmed up, the default) or app.py")
    args = parser.parse_args()
    global APP_ROOT
    APP_ROOT = args.app.resolve()
    times: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    starts: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        db = Path(tmp) / "judgments.sqlite3"
        floor_app = Path(tmp) / "floor.py"
        floor_app.write_text(FLOOR_APP, encoding="utf-8")
        organizer = JudgmentStore(db, organizer_secret=SECRET).create_study(
            "冷启动", SECRET, framework=SAMPLE_FRAMEWORK)
        token = organizer.create_panel(["专家"])["E01"]
        official = JudgmentStore(db, organizer_secret=SECRET).create_study(
            "已发布", SECRET, framework=SAMPLE_FRAMEWORK)
        official.import_judgments(pd.read_csv(SAMPLE_JUDGMENTS, dtype=str), add_experts=True)
        official.add_wave("2026", synthetic(28 * 30, 28, Hierarchy.from_csv(SAMPLE_FRAMEWORK)
                                            .items, 1))
        official.publish("2026")
        viewer = official.issue_viewer("cold start")
        pages = {
            # the ranking: its table (an image in versions before the responsive chart)
            "compare": (APP_ROOT / args.entry, "/compare",
                        '[data-testid="stTable"]:visible, [data-testid="stImage"]:visible'),
            "viewer": (APP_ROOT / args.entry, f"/?view={viewer}",
                       '[data-testid="stDataFrame"]:visible'),
            "expert": (APP_ROOT / args.entry, expert_link("/expert", organizer.study_id, token),
                       '[data-testid="stButtonGroup"]'),
            "Streamlit floor": (floor_app, "/", '[data-testid="stTable"]'),
        }
        for run in range(args.runs + 1):
            for name, (script, path, selector) in pages.items():
                process, base, start = _start(db, Path(tmp) / f"log-{run}-{name}.txt", script)
                if script != floor_app and not (run == 0 and name == "compare"):
                    starts.append(start)
                try:
                    cold, cold_cpu = _render(browser, base + path, selector, process.pid)
                    warm, warm_cpu = _render(browser, base + path, selector, process.pid)
                finally:
                    process.terminate()
                    process.wait(timeout=15)
                label = "first ever" if run == 0 and name == "compare" else "cold"
                times.setdefault(f"{name} {label}", []).append(cold)
                times.setdefault(f"{name} warm", []).append(warm)
                cpu.setdefault(f"{name} {label}", []).append(cold_cpu)
                cpu.setdefault(f"{name} warm", []).append(warm_cpu)
        browser.close()
    print(f"entry {args.entry}; server start (launch to healthy) median "
          f"{statistics.median(starts):.2f} s")
    for name, values in times.items():
        median = statistics.median(values)
        verdict = ("met" if median <= TARGET_S else "NOT met") if (
            "cold" in name and "floor" not in name) else ""
        print(f"{name:22s} median {median:5.2f} s  (runs: "
              f"{', '.join(f'{v:.2f}' for v in values)}) {verdict}; server CPU "
              f"{statistics.median(cpu[name]):.2f} s")
    print(f"load average during the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
