"""An expert does the whole 7/22/57 hierarchy on a phone: clicks, seconds, and the time from a
judgment click to the saved and redrawn pair (target ≤ 300 ms).

Run by hand, not by pytest::

    .venv/bin/python benchmarks/expert_phone.py [--nodes 30]

A fresh ``streamlit run server.py`` with a temporary database; headless Chromium
(``/usr/bin/chromium``) at 390 × 844 px opens the expert's link and, node after node, clicks the
judgment of every pair on the scale (the values of a consistent expert: Saaty's number nearest to
the ratio of the bundled panel's group weights), then the node's done button. The scripted
expert reads nothing, so the seconds are the app's share of the time a real expert needs. A
judgment click is timed from the click until the page's status line shows the new count of
judged pairs and the script has finished.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _answers() -> tuple[object, dict[str, float]]:
    """The hierarchy and the group weights the scripted expert's judgments follow."""
    from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS

    from ahp.hierarchy import Hierarchy
    from ahp.panel import panel_weights
    from evaluation.study import read_judgments

    hierarchy = Hierarchy.from_csv(SAMPLE_FRAMEWORK)
    panel = panel_weights(hierarchy, read_judgments(SAMPLE_JUDGMENTS, hierarchy))
    return hierarchy, panel.weights.table["global"].to_dict()


def _label(ratio: float) -> str:
    """The button text of the Saaty value nearest to ``ratio`` (left over right)."""
    from ahp.scale import nearest_saaty

    value = nearest_saaty(ratio)
    return f"{round(value)}" if value >= 1 else f"{round(1 / value)}\u200b"


def _wait_idle(page) -> None:
    page.wait_for_timeout(50)
    page.wait_for_selector(IDLE, timeout=60_000)


def main() -> None:
    from cold_start import ROOT, SECRET, _start
    from playwright.sync_api import sync_playwright
    from sample_data import SAMPLE_FRAMEWORK

    from panel.store import JudgmentStore, expert_link

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=30, help="stop after this many nodes")
    args = parser.parse_args()
    hierarchy, weight = _answers()
    clicks = 0
    click_ms: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        db = Path(tmp) / "judgments.sqlite3"
        organizer = JudgmentStore(db, organizer_secret=SECRET).create_study(
            "手机", SECRET, framework=SAMPLE_FRAMEWORK)
        token = organizer.create_panel(["专家"])["E01"]
        process, base, _ = _start(db, Path(tmp) / "log.txt", ROOT / "server.py")
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True,
                                    has_touch=True)
            start = time.perf_counter()
            page.goto(base + expert_link("/expert", organizer.study_id, token))
            page.locator(".st-key-pair_card").wait_for(timeout=60_000)
            _wait_idle(page)
            nodes = hierarchy.compared_nodes()[: args.nodes]
            for _ in nodes:
                status = page.locator(".st-key-expert_status")
                node_text = page.get_by_text("对于“").first.inner_text()
                found = re.search(r"对于“(\S+) ", node_text)
                if found is None:
                    raise SystemExit(f"no node in {node_text!r}")
                code = found.group(1)
                children = hierarchy.children(code)
                count = len(children) * (len(children) - 1) // 2
                for answered in range(count):
                    card = page.locator(".st-key-pair_card")
                    title = card.locator("strong").first.inner_text()  # "第 k / n 对"
                    k = int(title.split("/")[0].split()[-1]) - 1
                    pairs = [(a, b) for i, a in enumerate(children) for b in children[i + 1:]]
                    row, col = pairs[k]
                    button = card.get_by_role("radio", name=_label(weight[row] / weight[col]),
                                              exact=True).first
                    t0 = time.perf_counter()
                    button.click()
                    clicks += 1
                    try:
                        page.wait_for_function(
                            "([sel, text]) => (document.querySelector(sel)?.innerText || '')"
                            ".includes(text)",
                            arg=[".st-key-expert_status", f"已判断 {answered + 1}/{count} 对"],
                            timeout=60_000)
                    except Exception:
                        stuck = Path(tempfile.gettempdir()) / "expert_phone_stuck.png"
                        page.screenshot(path=str(stuck))
                        raise SystemExit(f"node {code}, pair {k + 1} ({row}–{col}): status "
                                         f"{status.inner_text()!r}") from None
                    _wait_idle(page)
                    click_ms.append(1000 * (time.perf_counter() - t0))
                done = page.get_by_role("button", name="完成本节点")
                confirm = page.get_by_text("我确认保留这些判断")
                if confirm.count():
                    confirm.first.click()
                    clicks += 1
                    _wait_idle(page)
                done.first.click()
                clicks += 1
                if code != nodes[-1]:  # the page moves on to the next node not yet done
                    page.wait_for_function(
                        "(old) => !(document.body.innerText.includes('对于“' + old + ' '))",
                        arg=code, timeout=60_000)
                _wait_idle(page)
            seconds = time.perf_counter() - start
            done_nodes = JudgmentStore(db).open_expert(organizer.study_id, token).progress()
        finally:
            browser.close()
            process.terminate()
            process.wait(timeout=15)
    table = done_nodes.table
    print(f"nodes done {int(table['done'].sum())} / {len(table)}, judgments "
          f"{int(table['filled'].sum())}, clicks {clicks}, seconds {seconds:.1f}")
    print(f"judgment click → saved and redrawn: median {statistics.median(click_ms):.0f} ms, "
          f"90th percentile {sorted(click_ms)[int(0.9 * len(click_ms))]:.0f} ms, "
          f"worst {max(click_ms):.0f} ms (target ≤ 300 ms)")


if __name__ == "__main__":
    main()
