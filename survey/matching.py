"""Suggest which column of a questionnaire holds which framework item, by the item's text, for
the app's column-mapping step (when the file's columns cannot be matched automatically, e.g.
one question column is missing and matching by order fails).

A 问卷星 header is ``N、(子题文本)`` or ``N、题干``; its text is compared with the item's name in
either language after removing the question number, brackets, punctuation and spaces. Exact
matches are taken first, then the closest remaining pairs (``difflib`` ratio ≥ ``cutoff``), each
column used once. Identifier columns (name, phone, IP …) are never suggested or offered.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from ahp.hierarchy import Hierarchy
from survey.identifiers import is_identifier

_NUMBER = re.compile(r"^\s*(第\s*\d+\s*题|\d+\s*[、:：.．]?)\s*")
_NOISE = re.compile(r"[\s()（）\[\]【】〖〗\"'“”‘’。．.,，、;；:：!！?？_\-—]+")


def item_text(header: object) -> str:
    """A header or item name reduced to its words (no question number, brackets or
    punctuation)."""
    return _NOISE.sub("", _NUMBER.sub("", str(header))).lower()


METADATA = frozenset({"序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自ip", "总分",
                      "开始时间", "结束时间", "答题时长"})
"""问卷星 and 腾讯问卷 metadata columns: never questionnaire items."""


def offered_columns(headers: list[str], community_column: str | None = None) -> list[str]:
    """The columns a user may map to items: every header but identifiers, metadata and the
    community column."""
    return [h for h in headers if not is_identifier(h) and h != community_column
            and str(h).strip().lower() not in METADATA]


def suggest_mapping(headers: list[str], hierarchy: Hierarchy, *, cutoff: float = 0.6,
                    community_column: str | None = None) -> dict[str, str]:
    """Item code → the column whose text matches the item's name (exact first, then the
    closest above ``cutoff``); items without a good match are left out."""
    columns = offered_columns(headers, community_column)
    texts = {c: item_text(c) for c in columns}
    names = {code: {item_text(hierarchy.name(code, lang)) for lang in ("zh", "en")}
             for code in hierarchy.items}
    found: dict[str, str] = {}
    used: set[str] = set()
    for code, variants in names.items():
        exact = [c for c in columns if texts[c] and texts[c] in variants and c not in used]
        if exact:
            found[code] = exact[0]
            used.add(exact[0])
    scored = sorted(
        ((max(SequenceMatcher(None, texts[c], v).ratio() for v in variants if v), code, c)
         for code, variants in names.items() if code not in found
         for c in columns if c not in used and texts[c]),
        reverse=True)
    for ratio, code, column in scored:
        if ratio < cutoff:
            break
        if code in found or column in used:
            continue
        found[code] = column
        used.add(column)
    return found
