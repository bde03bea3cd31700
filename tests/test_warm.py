"""The server's warm-up (:mod:`app_server.warm`): what it loads before the first visit."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest

from app_server.warm import page_modules, warm_up
from app_support import cached
from app_support.sample_cache import CACHE_ENV


def test_page_modules_are_the_pages_imports() -> None:
    modules = page_modules()
    assert {"app_support", "app_support.published", "reports.web_charts", "evaluation.certainty",
            "app_pages.compare_methods", "panel.store"} <= set(modules)
    assert "app_support.tr" not in modules  # a function imported from a package, not a module
    assert modules == sorted(modules)


def test_warm_up_loads_the_pages_and_the_sample_study(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    cached.study.clear()  # an earlier test of this process may have run the sample study
    try:
        seconds = warm_up()
        assert list(seconds) == ["imports", "sandbox", "store", "framework", "sample study", "gzip",
                                 "sandbox ready", "streamlit, gc"]
        assert all(value >= 0 for value in seconds.values())
        assert set(page_modules()) <= set(sys.modules)
        assert gc.get_freeze_count() > 0
        # the sample study was run (or read back) and is kept for the next process too
        assert len(list(tmp_path.glob("sample-study-*.pickle"))) == 1
    finally:
        gc.unfreeze()
