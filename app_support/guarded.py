"""Uploads parsed so that one bad file costs one request, never the server.

Every uploaded questionnaire, expert workbook, framework and Delphi workbook is read by its
loader (which checks the file first, see :mod:`untrusted`) inside :func:`untrusted.run_bounded`:
a child process of a fork server with at most ``parse_memory_mb`` of memory and
``parse_seconds`` of time. A parser that aborts (python-calamine on a sparse sheet), runs out of
memory or loops ends that child only; the page shows one localised line
(:func:`problem_text`), and every other session keeps being served.

The app's limits are :func:`app_support.files.app_limits`: ``APP_DEFAULTS`` (20 MB uploads,
2048 MB and 120 s per parse) over :class:`untrusted.FileLimits`' defaults; a ``SHANZHI_<FIELD>``
environment variable (e.g. ``SHANZHI_MAX_UPLOAD_MB=50``) overrides either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any

import streamlit as st

from ahp.hierarchy import Hierarchy
from ahp.io.workbook import read_judgments_xlsx
from ahp.panel import PanelJudgments
from app_support.files import Upload, app_limits
from app_support.language import lang
from app_support.text import error_text
from survey.loading import load_responses
from survey.responses import Responses
from untrusted import run_bounded, start_sandbox

__all__ = ["app_limits", "bounded", "ensure_sandbox", "load_survey", "problem_text",
           "read_delphi", "read_framework", "read_workbooks"]

PRELOAD = ("survey.loading", "ahp.io.workbook", "ahp.hierarchy", "panel.delphi_files")
"""Modules imported once in the fork server, so that each parse starts with them loaded."""


@st.cache_resource(show_spinner=False)
def ensure_sandbox() -> bool:
    """Start the fork server once per process, with :data:`PRELOAD` imported."""
    start_sandbox(PRELOAD)
    return True


def bounded(func: Any, *args: Any, what: str, **kwargs: Any) -> Any:
    """``func(*args, **kwargs)`` in the sandbox with the app's memory and time limits."""
    limits = app_limits()
    ensure_sandbox()
    return run_bounded(func, *args, memory_mb=limits.parse_memory_mb,
                       seconds=limits.parse_seconds, what=what, **kwargs)


def load_survey(upload: Upload, hierarchy: Hierarchy, community_column: str,
                mapping: Mapping[str, str] | None) -> Responses:
    """An uploaded questionnaire, checked and loaded in the sandbox."""
    return bounded(load_responses, upload.data, hierarchy, name=upload.name,
                   community_column=community_column, mapping=mapping, limits=app_limits(),
                   what=upload.name)


def _named_buffer(upload: Upload) -> BytesIO:
    buffer = BytesIO(upload.data)
    buffer.name = upload.name  # the workbook's label in messages
    return buffer


def read_workbooks(uploads: Sequence[Upload], hierarchy: Hierarchy) -> PanelJudgments:
    """Uploaded expert workbooks, checked and read in the sandbox."""
    what = ", ".join(u.name for u in uploads)[:120]
    return bounded(read_judgments_xlsx, [_named_buffer(u) for u in uploads], hierarchy,
                   app_limits(), what=what)


def read_framework(upload: Upload) -> Hierarchy:
    """An uploaded framework CSV, checked and validated in the sandbox."""
    return bounded(Hierarchy.from_csv, _named_buffer(upload), what=upload.name)


def read_delphi(uploads: Sequence[Upload], hierarchy: Hierarchy, round_number: int) -> Any:
    """Uploaded Delphi workbooks, checked and read in the sandbox."""
    from panel.delphi_files import read_delphi_xlsx

    what = ", ".join(u.name for u in uploads)[:120]
    return bounded(read_delphi_xlsx, [_named_buffer(u) for u in uploads], hierarchy,
                   round_number=round_number, what=what)


def problem_text(exc: BaseException) -> str:
    """The one line the page shows for a refused file or bad input, in the page's language
    (literal: file names are the uploader's text)."""
    return error_text(exc, lang())

