"""User text shown literally: community names, item texts, file names, study and expert names.

These are free text typed by residents (问卷星 fill-in answers), experts and organizers, and they
now reach officials through viewer links. Streamlit renders Markdown (and its own directives such
as ``:red[…]``, ``:material/…:`` and ``$…$``) in ``st.markdown``, ``st.caption``, ``st.info``, the
other alerts, titles, metric, expander, tab and widget labels. :func:`literal` escapes a piece of
user text for those places, so that ``[点击](http://…)`` or ``![](http://…/t.png)`` shows as the
characters typed and never as a link or a (tracking) image. Lists of names go to
``st.dataframe``/``st.text``/``st.code`` instead where possible (nothing is rendered there).

Downloads: :func:`csv_bytes` writes a CSV whose text cells pass
:func:`ahp.io.xlsx_safety.safe_cell_text` (a cell a spreadsheet would run as a formula, ``=1+1``
or one starting with a tab, gets a leading ``'``), the guard of the Excel report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from ahp.io.xlsx_safety import safe_cell_text
from i18n import join_list

__all__ = ["csv_bytes", "error_text", "literal", "literal_list", "safe_frame"]

# CommonMark: any ASCII punctuation may be backslash-escaped. Escaped everywhere: what opens a
# link or image ([ ]), emphasis (* _ ~), code (`), HTML and entities (< > &), tables (|), math
# ($), Streamlit's directives and icons (:color[…], :material/x:) and bare-URL autolinks
# (http: is broken by the escaped colon). At the start only: what opens a
# heading, list, quote or thematic break there (# - + = > and "1." / "1)").
_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~$:])")
_LEADING = re.compile(r"^(\s*)([#+\-=>]|\d+[.)])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def literal(text: object) -> str:
    """``text`` escaped for Markdown-rendering elements: every Markdown/HTML/directive
    character gets a backslash, control characters (tab, newline) become one space, so the
    element shows exactly the characters typed, on one line."""
    plain = _CONTROL.sub(" ", "" if text is None else str(text))
    escaped = _SPECIAL.sub(r"\\\1", plain)
    return _LEADING.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def error_text(exc: BaseException, lang: str) -> str:
    """An error's message for the page, literal (it may quote the file's text): in ``lang``
    when the error carries both languages (``text(lang)``: a shanzhi error raised with a locale
    key, a refused file), else as it is."""
    text = getattr(exc, "text", None)
    return literal(text(lang) if callable(text) else exc)


def literal_list(names: Iterable[object], lang: str) -> str:
    """Names listed as the page's language lists them (``甲、乙`` / ``A, B``), each literal."""
    return join_list((literal(n) for n in names), lang)


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and headers pass the spreadsheet formula guard."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_cell_text)
    out.columns = [safe_cell_text(str(c)) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as a UTF-8 CSV with BOM (Excel opens it as UTF-8), formula-guarded."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")
