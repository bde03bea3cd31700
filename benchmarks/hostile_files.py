"""Hostile files before and after the guards of issue 14: time and peak memory per file.

Run by hand (not in tests; the "before" column takes minutes):

    python benchmarks/hostile_files.py            # the table
    python benchmarks/hostile_files.py --overhead # the sandbox's cost per call

*Before*: the unguarded loader (``survey.loading.load_responses`` for questionnaires,
``ahp.read_judgments_xlsx`` for the expert workbook) in a child process capped at
``CAP_SECONDS`` and ``CAP_GB`` of address space, so that this machine survives; the regex bomb
runs with the old ``_UNCACHED_FORMULA`` put back. *After*: ``check_xlsx`` / ``check_csv`` (and
the label cap for the long label), in a child process. Peak memory is the child's ``ru_maxrss``
(from ``os.wait4``), interpreter and imports included (pandas alone is about 180 MB and 1–3 s
on a loaded machine, which is most of the "before" cost of the files refused by a parser).

Measured on the development machine (2 shared cores, load 4–6; python-calamine 0.x, Python 3.11):

=====================  ==========  ==============================================  =============
file                   size        before: time, peak, outcome                     after (check)
=====================  ==========  ==============================================  =============
sparse_dimension.xlsx  1,658 B     1.4 s, 229 MB, SIGABRT (process killed)         0.08 s, 17 MB
regex_bomb.xlsx        1,966 B     111.5 s, 188 MB, then ColumnMatchError          0.35 s, 21 MB
ratio_bomb.xlsx        313 KB      > 120 s, 1,827 MB, killed at the time cap       0.14 s, 17 MB
big_sheet.xlsx         5.1 MB      35.4 s, 2,801 MB, SIGABRT                       0.19 s, 21 MB
total_bomb.xlsx        60 MB       26.2 s, 2,918 MB, SIGABRT                       0.19 s, 74 MB
billion_laughs.xlsx    1,916 B     2.4 s, 184 MB, SurveyError (not valid .xlsx)    0.11 s, 17 MB
rless_wide.xlsx        2,035 B     2.9 s, 230 MB, SIGABRT                          0.37 s, 18 MB
lying_sizes.xlsx       30 KB       5.8 s, 185 MB, SurveyError                      0.20 s, 19 MB
corrupt.xlsx           111 KB      5.1 s, 184 MB, SurveyError                      0.23 s, 17 MB
corrupt_member.xlsx    111 KB      4.2 s, 184 MB, SurveyError                      0.28 s, 20 MB
truncated.xlsx         55 KB       3.1 s, 184 MB, SurveyError                      0.20 s, 17 MB
wide.csv               209 KB      6.8 s, 232 MB, ValueError: Invalid column       0.17 s, 19 MB
                                   index 18279
long_label.csv         120 KB      4.4 s, 188 MB, ColumnMatchError (label taken)   0.20 s, 17 MB
=====================  ==========  ==============================================  =============

"After" times are whole child processes (interpreter start ≈ 0.05–0.1 s included); every file is
refused, naming its limit. The regex bomb through the loader with the linear regex: the cell
check takes under 1 ms (tests/test_untrusted.py). Sandbox (``--overhead``): fork server start and
first call 0.08 s, then 19.5 ms per call, 83 ms with a 20 MB argument; a plain "spawn" process
74 ms per call before any import.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import hostile_files  # noqa: E402

CAP_SECONDS = 120
CAP_GB = 6
OLD_UNCACHED_FORMULA = (
    rb"<(?:\w+:)?c\s([^>]*)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>|</(?:\w+:)?c>)"
)
EXPERT_FILES = {"ratio_bomb.xlsx"}  # the review's zip bomb was an expert workbook

BEFORE = """
import re, sys
sys.path.insert(0, {root!r})
from pathlib import Path
path = Path(sys.argv[1])
if sys.argv[2] == "expert":
    from ahp import Hierarchy, read_judgments_xlsx
    read_judgments_xlsx(path, Hierarchy.from_csv({framework!r}))
else:
    from survey import loading
    loading._UNCACHED_FORMULA = re.compile({old!r})
    loading.load_responses(path, {framework!r})
"""

AFTER = """
import csv, io, sys
sys.path.insert(0, {root!r})
from pathlib import Path
from untrusted import check_csv, check_label_length, check_xlsx
path = Path(sys.argv[1])
if path.suffix == ".csv":
    check_csv(path)
    rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8")))
    for number, row in enumerate(rows, start=1):
        for cell in row:
            check_label_length(cell, f"row {{number}}")
else:
    check_xlsx(path)
"""


def _limit_child() -> None:
    cap = CAP_GB << 30
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def measure(script: str, *args: str) -> tuple[float, float, str]:
    """(seconds, peak MB, outcome) of ``python -c script args`` under the caps."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, preexec_fn=_limit_child)
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - start > CAP_SECONDS:
            child.kill()
            pid, status, usage = os.wait4(child.pid, 0)
            break
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    child.returncode = 0  # reaped by wait4
    error = child.stderr.read().decode(errors="replace").strip().splitlines()
    child.stderr.close()
    peak = usage.ru_maxrss / 1024
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        outcome = "killed at cap" if number == signal.SIGKILL else signal.Signals(number).name
    elif os.WEXITSTATUS(status) == 0:
        outcome = "loaded"
    else:
        last = error[-1] if error else f"exit {os.WEXITSTATUS(status)}"
        outcome = re.sub(r"^[\w.]+\.(\w+Error)", r"\1", last)[:70]
    return seconds, peak, outcome


def table() -> None:
    framework = str(ROOT / "data" / "framework.csv")
    before = BEFORE.format(root=str(ROOT), framework=framework, old=OLD_UNCACHED_FORMULA)
    after = AFTER.format(root=str(ROOT))
    with tempfile.TemporaryDirectory() as folder:
        corpus = hostile_files.build(Path(folder))
        print(f"caps for 'before': {CAP_SECONDS} s, {CAP_GB} GB address space\n")
        print(f"{'file':22} {'size':>10} | {'before':>8} {'peak MB':>8} {'outcome':40} | "
              f"{'after':>7} {'peak MB':>8}  outcome")
        for name, path in corpus.items():
            kind = "expert" if name in EXPERT_FILES else "questionnaire"
            b_time, b_peak, b_out = measure(before, str(path), kind)
            a_time, a_peak, a_out = measure(after, str(path))
            print(f"{name:22} {path.stat().st_size:>10,} | {b_time:7.2f}s {b_peak:8.0f} "
                  f"{b_out[:40]:40} | {a_time:6.2f}s {a_peak:8.0f}  {a_out}", flush=True)


def overhead() -> None:
    """Milliseconds per run_bounded call (warm fork server) against a plain spawn."""
    import multiprocessing

    from untrusted import run_bounded, start_sandbox

    start = time.perf_counter()
    start_sandbox(["hostile_files"])
    run_bounded(hostile_files.parser_returns, 0)
    print(f"fork server start + first call: {time.perf_counter() - start:.3f} s")
    calls = 30
    start = time.perf_counter()
    for i in range(calls):
        run_bounded(hostile_files.parser_returns, i)
    print(f"run_bounded, warm: {(time.perf_counter() - start) / calls * 1000:.1f} ms per call")
    data = b"x" * (20 << 20)
    start = time.perf_counter()
    run_bounded(len, data)
    print(f"run_bounded with a 20 MB argument: {(time.perf_counter() - start) * 1000:.1f} ms")
    spawn = multiprocessing.get_context("spawn")
    start = time.perf_counter()
    for i in range(5):
        process = spawn.Process(target=hostile_files.parser_returns, args=(i,))
        process.start()
        process.join()
    print(f"plain spawn: {(time.perf_counter() - start) / 5 * 1000:.1f} ms per call")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overhead", action="store_true", help="the sandbox's cost per call")
    (overhead if parser.parse_args().overhead else table)()
