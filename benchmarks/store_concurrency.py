"""Concurrency figures of the study store: 8 processes write judgments for a while (default 15 s)
on SQLite and on a throwaway PostgreSQL cluster; prints writes, lost writes and errors per back
end. Run by hand (needs the PostgreSQL server binaries for the second back end)::

    python benchmarks/store_concurrency.py [--seconds 15] [--backend sqlite|postgresql|both]

The run itself is the one of tests/test_store_concurrency.py (:func:`run_writers`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from pg_cluster import start_cluster  # noqa: E402
from test_store_concurrency import WRITERS, run_writers  # noqa: E402


def report(name: str, figures: dict) -> None:
    errors = figures["errors"]
    print(f"{name}: {WRITERS} processes × {figures['seconds']:g} s: {figures['writes']} writes "
          f"({figures['writes'] / figures['seconds']:.0f}/s), lost {figures['lost']}, "
          f"errors {len(errors)}, audited edits {figures['audited_edits']}"
          + (f"; first error: {errors[0]}" if errors else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        target = Path(tempfile.mkdtemp()) / "concurrency.sqlite3"
        report("SQLite", run_writers(target, args.seconds))
    if args.backend in ("postgresql", "both"):
        cluster = start_cluster()
        try:
            report("PostgreSQL", run_writers(cluster.new_database(), args.seconds))
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
