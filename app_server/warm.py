"""Work done once when the web server starts, so that the first visitor does not wait for it.

``streamlit run server.py`` serves ``app.py`` with :func:`lifespan` as its start-up hook
(``st.App``): before the server answers its first request, :func:`warm_up`

1. imports every module the pages import (found by reading ``app.py`` and ``app_pages/``, so a
   new page is covered without a list to keep up to date): Streamlit's own first script run no
   longer pays ~2.5 s of imports (pandas, openpyxl, matplotlib, SQLAlchemy, the layers);
2. starts the fork server that parses uploads (:func:`app_support.guarded.ensure_sandbox`) and,
   after the steps below, waits until it has imported its modules;
3. opens the judgment store (engine, schema check);
4. fills the process caches with the bundled sample study's result (read back from its cache
   file, :mod:`app_support.sample_cache`, or computed once) and the sample framework, which is
   also the framework of every study created without one of its own;
5. compresses the front end's entry scripts
   (:func:`app_server.compression.precompress_entry_files`);
6. draws one element outside any session: Streamlit's very first element of a process inspects
   the whole call stack once (about 0.2 s, its "not run with streamlit run" check);
7. freezes the garbage collector's view of everything loaded so far (:func:`gc.freeze`): these
   objects live as long as the process, and Streamlit runs a full collection after every
   script run, which otherwise walks them all again (about 0.2 s a run, every page and every
   click of an expert).

``streamlit run app.py`` still works and gives the same pages; each of these steps then happens
on the first visit instead. The steps are idempotent (the caches hand back what is there).
"""

from __future__ import annotations

import ast
import gc
import importlib
import importlib.util
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from sample_data import SAMPLE_FRAMEWORK

from app_server.compression import precompress_entry_files

_ROOT = Path(__file__).resolve().parent.parent
_LOG = logging.getLogger("shanzhi.warm")
LAZY_MODULES = ("matplotlib.pyplot", "streamlit.emojis")
"""Imported on first use, not at the top of a page: the charts' pyplot, and Streamlit's emoji
table (its first widget with options compiles a large pattern, about 0.15 s)."""


def page_modules(root: Path = _ROOT) -> list[str]:
    """The modules ``app.py`` and the pages in ``app_pages/`` import, in a stable order:
    ``import a.b`` gives ``a.b``; ``from a import b`` gives ``a``, and ``a.b`` too when ``b`` is
    a module (``from app_pages import compare_methods``). Importing them imports the pages'
    whole dependency tree. Relative imports do not occur in the pages."""
    modules: set[str] = set()
    for script in [root / "app.py", *sorted((root / "app_pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(script.read_text("utf-8"), filename=str(script))):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module)
                modules.update(f"{node.module}.{alias.name}" for alias in node.names
                               if _is_submodule(node.module, alias.name))
    return sorted(modules)


def _is_submodule(package: str, name: str) -> bool:
    """Whether ``package.name`` is a module (not a function or class of ``package``)."""
    parent = importlib.import_module(package)
    return hasattr(parent, "__path__") and importlib.util.find_spec(f"{package}.{name}") is not None


def warm_up() -> dict[str, float]:
    """Run the start-up steps above; returns the seconds each took (logged at INFO).

    The steps call Streamlit's caches and one element outside any session; Streamlit's warning
    that such a call has no session ("missing ScriptRunContext") is silenced meanwhile.
    """
    context_log = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = context_log.level
    context_log.setLevel(logging.ERROR)
    try:
        return _warm_up()
    finally:
        context_log.setLevel(level)


def _warm_up() -> dict[str, float]:
    from app_support.access import store
    from app_support.cached import hierarchy_from_csv
    from app_support.current import current_result, sample_current
    from app_support.guarded import bounded, ensure_sandbox
    from evaluation.study import StudySettings

    seconds: dict[str, float] = {}
    start = time.perf_counter()
    for name in page_modules():
        importlib.import_module(name)
    for name in LAZY_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    seconds["imports"] = time.perf_counter() - start

    for step, action in (
        ("sandbox", ensure_sandbox),
        ("store", store),
        ("framework", lambda: hierarchy_from_csv(SAMPLE_FRAMEWORK.read_text("utf-8"))),
        ("sample study", lambda: current_result(sample_current(StudySettings(), ""))),
        ("gzip", precompress_entry_files),
        # the fork server imports its modules in parallel with the steps above; one trivial
        # parse-free call waits until it is ready, so that it does not compete for the CPU
        # with the first visitor's page
        ("sandbox ready", lambda: bounded(sum, (), what="warm-up")),
    ):
        start = time.perf_counter()
        action()
        seconds[step] = time.perf_counter() - start
    start = time.perf_counter()
    st.empty()  # step 6: into no session (no script run context), so nothing is drawn
    gc.collect()
    gc.freeze()
    seconds["streamlit, gc"] = time.perf_counter() - start
    _LOG.info("warm-up: %s", ", ".join(f"{k} {v:.2f} s" for k, v in seconds.items()))
    return seconds


@asynccontextmanager
async def lifespan(_app: object) -> AsyncIterator[None]:
    """``st.App`` start-up hook: :func:`warm_up` before the first request is served."""
    warm_up()
    yield
