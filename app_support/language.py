"""The page language: the switch, translated texts and table headers."""


from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd
import streamlit as st

from i18n import join_list, t

LANG_KEY = "lang"
LANG_NAMES = {"zh": "中文", "en": "English"}




def lang() -> str:
    """The language chosen in the sidebar (``"zh"`` until one is chosen)."""
    value = st.session_state.get(LANG_KEY)
    return value if value in LANG_NAMES else "zh"


def tr(key: str, **fields: object) -> str:
    """``t(key, lang())``: the text of ``key`` in the current language."""
    return t(key, lang(), **fields)


def joined(names: Iterable[object]) -> str:
    """Names listed as the page's language lists them: ``甲、乙`` or ``A, B``."""
    return join_list(names, lang())


def listed(names: Iterable[object]) -> str:
    """Names as a Markdown bullet list, one a line: items whose text holds 、 or a comma (a
    question such as "1、您的姓名") are never split."""
    return "\n".join(f"- {name}" for name in names)


_SHEET = re.compile(r"^(?P<file>.*), sheet '(?P<sheet>.*)'$")


def source_text(source: str) -> str:
    """``file.xlsx, sheet 'name'`` (how the loader names a source) in the page language."""
    found = _SHEET.match(source)
    return tr("app.source.sheet", **found.groupdict()) if found else source


SCHEME_KEYS = {"AHP (AIJ)": "app.scheme.aij", "AHP (AIP)": "app.scheme.aip",
               "equal": "app.scheme.equal", "entropy": "app.scheme.entropy",
               "CRITIC": "app.scheme.critic", "combined": "app.scheme.combined",
               "TOPSIS": "app.scheme.topsis"}
"""Locale keys of the weighting schemes' names (:data:`evaluation.schemes.SCHEME_LABELS`)."""


def scheme_label(name: str, language: str | None = None) -> str:
    """A weighting scheme's name (``AHP (AIJ)``, ``entropy``, ``TOPSIS`` …) in ``language``
    (the page language by default); the English names are in ``t("app.scheme.help")``."""
    key = SCHEME_KEYS.get(name)
    return t(key, language or lang()) if key else name


def _language_chosen() -> None:
    st.session_state[LANG_KEY] = st.session_state[f"{LANG_KEY}_switch"]


def language_switch() -> None:
    """The 中文 / English switch. The choice lives in the session and in the URL (``?lang=``),
    so a reload or a shared link keeps the language."""
    if LANG_KEY not in st.session_state:
        wanted = st.query_params.get(LANG_KEY)
        st.session_state[LANG_KEY] = wanted if wanted in LANG_NAMES else "zh"
    st.sidebar.segmented_control(
        "语言 · Language",
        list(LANG_NAMES),
        format_func=LANG_NAMES.__getitem__,
        default=lang(),
        key=f"{LANG_KEY}_switch",
        required=True,
        on_change=_language_chosen,
    )
    if st.query_params.get(LANG_KEY) != lang():
        st.query_params[LANG_KEY] = lang()
    if lang() == "zh":
        st.html(UPLOADER_ZH)


UPLOADER_ZH = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] > div > span { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::before {
  content: "把文件拖到这里"; font-size: 1rem; margin-bottom: 0.25rem; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {
  content: "或点右边的按钮选择文件"; font-size: 0.85rem; opacity: 0.7; }
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"] {
  font-size: 0; }
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"]::after {
  content: "选择文件"; font-size: 0.875rem; }
</style>"""
"""Streamlit's file uploader speaks English ("Drag and drop file here", "Browse files"); in
the Chinese app its texts are replaced by CSS (Streamlit has no option for them)."""


def headers(frame: pd.DataFrame, columns: Mapping[str, str]) -> pd.DataFrame:
    """``frame`` restricted to ``columns`` (column → ``col.*`` key) with translated headers."""
    return frame.loc[:, list(columns)].rename(columns={c: tr(k) for c, k in columns.items()})


