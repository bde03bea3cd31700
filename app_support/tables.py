"""Tables that fit the page: HTML tables (``st.table``) whose cells wrap, so that nothing is cut
at 390 px or at 1280 px, with numbers formatted as text first."""


from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

Format = str | Callable[[object], str]
SHORT = 11
"""Columns whose values are at most this long (numbers, codes, ranges) are kept on one line."""


def _cell(value: object, fmt: Format | None) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if fmt is None:
        if isinstance(value, float):
            return f"{value:.3f}"
        return str(value)
    return fmt(value) if callable(fmt) else format(value, fmt)


def fitted_table(frame: pd.DataFrame, formats: Mapping[str, Format] | None = None, *,
                 index: bool = False, container=None) -> None:
    """``frame`` as a wrapping HTML table; ``formats``: column → format spec (``".3f"``,
    ``".1%"``) or function; missing values are shown as –."""
    formats = formats or {}
    shown = frame.reset_index() if index else frame
    text = pd.DataFrame({
        str(column): [_cell(v, formats.get(column)) for v in shown[column]]
        for column in shown.columns
    })
    # short values (numbers, codes, ranges) never break inside; long texts wrap anywhere
    short = [c for c in text.columns if max(map(len, text[c]), default=0) <= SHORT]
    styled = text.style.hide(axis="index").set_properties(
        subset=short, **{"white-space": "nowrap !important", "overflow-wrap": "normal !important"})
    (container or st).table(styled)
