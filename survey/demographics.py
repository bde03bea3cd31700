"""Demographic columns of a questionnaire (gender, age band, years lived there, 户籍, education,
occupation …), kept on :attr:`survey.responses.Responses.demographics` for group comparisons.

A column is demographic when its header (after the question number, NFKC-folded, lower case)
matches one of :data:`DEMOGRAPHIC_PATTERNS`. Direct identifiers are dropped first
(:func:`survey.identifiers.is_identifier`): a header that is both (say ``您的姓名和年龄``) is an
identifier and never kept. Demographics are quasi-identifiers: results by group must suppress
small groups (:func:`evaluation.methods.compare_groups` does). Values are kept as text (NFKC,
trimmed); empty cells and the 问卷星 missing markers (``(跳过)``, ``(空)``, ``-2``, ``-3``) are NaN.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from survey.identifiers import fold_header, is_identifier

__all__ = [
    "DEMOGRAPHIC_PATTERNS",
    "demographic_frame",
    "demographic_name",
    "find_demographic",
    "is_demographic",
]

_WORD = r"(?<![a-z]){}(?![a-z])"

DEMOGRAPHIC_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"性别", r"年龄", r"岁", r"居住", r"住了", r"户籍", r"户口", r"学历", r"文化程度",
        r"教育", r"职业", r"工作单位性质", r"政治面貌", r"婚姻", r"收入", r"身份类型",
        _WORD.format("gender"), _WORD.format("sex"), _WORD.format("age"),
        _WORD.format("age ?band"), _WORD.format("education"), _WORD.format("occupation"),
        _WORD.format("income"), _WORD.format("hukou"), _WORD.format("years"),
        _WORD.format("residence"),
    )
)
"""Regular expressions searched in the folded header stem; any hit marks a demographic column."""

_PREFIX = re.compile(r"^\s*(?:第?\s*\d+\s*题?[、.．:：)）]?|q\d+[、.．:：)）]?)\s*", re.IGNORECASE)
_MISSING = {"", "(跳过)", "(空)", "（空）", "（跳过）", "-2", "-3", "nan", "none"}


def demographic_name(header: object) -> str:
    """The header without its question number (``10、您的性别`` → ``您的性别``)."""
    text = unicodedata.normalize("NFKC", str(header)).strip()
    return _PREFIX.sub("", text).strip() or text


def is_demographic(header: object) -> bool:
    """True for a demographic header that is not a direct identifier.

    >>> is_demographic("10、您的性别"), is_demographic("您的姓名"), is_demographic("所在社区")
    (True, False, False)
    """
    if is_identifier(header):
        return False
    stem = fold_header(demographic_name(header))
    return any(p.search(stem) for p in DEMOGRAPHIC_PATTERNS)


def demographic_frame(frame: pd.DataFrame, headers: list[str], ids: pd.Index) -> pd.DataFrame:
    """The demographic columns ``headers`` of ``frame`` as text indexed by ``ids``; columns are
    named by :func:`demographic_name` (made unique)."""
    out = {}
    for header in headers:
        name = demographic_name(header)
        while name in out:
            name = f"{name} ({header})"
        values = frame[header].map(
            lambda v: unicodedata.normalize("NFKC", str(v)).strip() if pd.notna(v) else ""
        )
        out[name] = values.where(~values.str.lower().isin(_MISSING)).to_numpy(dtype=object)
    return pd.DataFrame(out, index=ids, dtype=object)


def find_demographic(demographics: pd.DataFrame, wanted: str) -> str:
    """The column of ``demographics`` meant by ``wanted``: its exact name, else the one whose
    name contains ``wanted`` (folded). Raises ``ValueError`` naming the columns kept."""
    if wanted in demographics.columns:
        return wanted
    key = fold_header(demographic_name(wanted))
    hits = [c for c in demographics.columns if key and key in fold_header(c)]
    if len(hits) == 1:
        return str(hits[0])
    kept = ", ".join(map(str, demographics.columns)) or "none"
    if hits:
        raise ValueError(f"group column '{wanted}' matches several columns: "
                         f"{', '.join(map(str, hits))}")
    raise ValueError(f"group column '{wanted}' not found among the demographic columns kept "
                     f"({kept})")
