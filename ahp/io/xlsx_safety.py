"""Guards for text written to spreadsheets: formula injection and sheet names.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return is evaluated as a
formula by Excel, WPS or Google Sheets (openpyxl even stores a leading ``=`` as a formula).
Prefixing an apostrophe keeps it text (OWASP "CSV Injection"; CWE-1236).

References
----------
MITRE (2024). CWE-1236: Improper neutralization of formula elements in a CSV file.
OWASP Foundation. CSV Injection. https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = [
    "FORMULA_PREFIXES",
    "SHEET_NAME_MAX",
    "restore_cell_text",
    "safe_cell_text",
    "safe_sheet_names",
]

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def safe_cell_text(value: Any) -> Any:
    """Prefix ``'`` to a string that a spreadsheet would read as a formula; others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def restore_cell_text(value: Any) -> Any:
    """Undo :func:`safe_cell_text` (drop the ``'`` put in front of a formula character)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def safe_sheet_names(names: Iterable[str]) -> dict[str, str]:
    """Map each name to a valid, unique Excel sheet name.

    Excel forbids ``[]:*?/\\``, a leading or trailing apostrophe, blank names and more than
    31 characters, and compares names case-insensitively. Forbidden characters become ``_``;
    long names are cut; clashes get a suffix ``~2``, ``~3`` … .
    """
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        base = _SHEET_FORBIDDEN.sub("_", str(name)).strip().strip("'") or "sheet"
        candidate, number = base[:SHEET_NAME_MAX], 1
        while candidate.casefold() in taken:
            number += 1
            suffix = f"~{number}"
            candidate = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        taken.add(candidate.casefold())
        mapping[str(name)] = candidate
    return mapping
