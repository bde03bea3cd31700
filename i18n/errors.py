"""The root of every error shanzhi raises on bad input: :class:`ShanzhiError`.

It lives in the bottom layer so that every layer can derive from it. It is a
:class:`ValueError`, so callers that catch ``ValueError`` keep working; ``except ShanzhiError``
catches every problem shanzhi reports with a message naming the place (file, sheet, cell,
node, expert), and nothing else (programming errors stay ``TypeError``, ``KeyError`` …).
"""

from __future__ import annotations

__all__ = ["ShanzhiError"]


class ShanzhiError(ValueError):
    """Input shanzhi cannot use; the message says what is wrong and where."""
