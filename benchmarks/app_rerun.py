"""One rerun of the app's community comparison page on the bundled sample study (target ≤200 ms).

Run by hand, not by pytest::

    .venv/bin/python benchmarks/app_rerun.py [--runs 20] [--lang zh]

The app is driven headless by ``streamlit.testing.v1.AppTest``: a first run computes and caches
the study and its charts; then the comparison page is rerun ``--runs`` times (a rerun is what
every widget interaction triggers) and the median, best and worst wall times are printed. The
time includes AppTest's own overhead of building the element tree, so a browser rerun is, if
anything, faster.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"
TARGET_MS = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--lang", choices=["zh", "en"], default="zh")
    args = parser.parse_args()

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["lang"] = args.lang
    start = time.perf_counter()
    at.run()
    at.switch_page("app_pages/compare.py").run()
    print(f"first run (study + charts computed and cached): {time.perf_counter() - start:.1f} s")
    if at.exception:
        raise SystemExit(f"the page raised: {at.exception[0].value}")
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    print(f"comparison page rerun ({args.runs} runs, lang={args.lang}): median {median:.0f} ms, "
          f"best {min(times):.0f} ms, worst {max(times):.0f} ms "
          f"(target ≤{TARGET_MS} ms: {'met' if median <= TARGET_MS else 'NOT met'})")


if __name__ == "__main__":
    main()
