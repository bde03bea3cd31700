"""Labels from untrusted files: refused at import when too long, cut for display.

A community, item, expert or study name is a short label. One respondent's 40,000-character
community name made a 461-megapixel ranking chart (45 s, 4 GB), so the policy is:

* at import, :func:`check_label_length` refuses a label longer than ``max_chars`` with a message
  naming what and where (e.g. "community in row 12");
* in charts and tables, :func:`display_label` cuts a label to ``max_chars`` with "…", so that no
  label, however it got in, can make a figure grow.
"""

from __future__ import annotations

from untrusted.limits import FileLimits, UntrustedFileError

__all__ = ["ELLIPSIS", "check_label_length", "display_label"]

ELLIPSIS = "…"


def check_label_length(text: object, what: str, max_chars: int | None = None) -> str:
    """``text`` as a string, or :class:`UntrustedFileError` ``label_chars`` when it has more
    than ``max_chars`` characters (default ``FileLimits().max_label_chars``, 200); ``what``
    names the label and its place, e.g. ``"community in row 12 of survey.xlsx"``."""
    limit = FileLimits().max_label_chars if max_chars is None else max_chars
    label = str(text)
    if len(label) > limit:
        raise UntrustedFileError("label_chars", what, f"{len(label):,}", f"{limit:,}")
    return label


def display_label(text: object, max_chars: int) -> str:
    """``text`` cut to at most ``max_chars`` characters, the last one "…" when cut; line
    breaks become spaces (a label is drawn on one line).

    >>> display_label("翠苑一区社区居委会", 5)
    '翠苑一区…'
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    label = " ".join(str(text)[: 2 * max_chars + 2].splitlines())  # a "\r\n" is one space
    return label if len(label) <= max_chars else label[: max_chars - 1] + ELLIPSIS
