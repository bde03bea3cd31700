"""Shared fixtures and paths of the test suite (everything the tests read is in the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sample_data import SAMPLE_FRAMEWORK

from ahp.hierarchy import Hierarchy

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
DATA = TESTS / "data"
"""Published data sets copied into the repository (provenance and licence in its README)."""


@pytest.fixture(scope="session")
def hierarchy() -> Hierarchy:
    """The small test framework (3 B / a few C / D), ``tests/fixtures/small_framework.csv``;
    test modules that need another framework define their own ``hierarchy``."""
    return Hierarchy.from_csv(FIXTURES / "small_framework.csv")


@pytest.fixture(scope="session")
def sample_hierarchy() -> Hierarchy:
    """The bundled 7/22/57 framework of the sample study (``data/framework.csv``)."""
    return Hierarchy.from_csv(SAMPLE_FRAMEWORK)


@pytest.fixture(scope="session", autouse=True)
def sample_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app's on-disk cache of the sample study in a temporary folder (shared by the tests
    of one run, never the user's ``~/.shanzhi/cache``); servers started by browser tests inherit
    it through the environment."""
    import os

    folder = tmp_path_factory.mktemp("sample-cache")
    os.environ["SHANZHI_CACHE"] = str(folder)
    return folder


# ------------------------------------------------------------------ study store back ends
@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster for the session (tests/pg_cluster.py); the tests that
    need it are skipped, with the reason, when PostgreSQL is not installed."""
    from pg_cluster import start_cluster

    try:
        cluster = start_cluster()
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"no PostgreSQL server for the tests: {exc}")
    yield cluster
    cluster.stop()


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def db_target(request, tmp_path: Path):
    """A fresh database on each back end: an SQLite file path, or a PostgreSQL URL (an empty
    database in the session's cluster)."""
    if request.param == "sqlite":
        return tmp_path / "study.sqlite3"
    return request.getfixturevalue("pg_cluster").new_database()
