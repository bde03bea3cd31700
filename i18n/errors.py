"""The root of every error shanzhi raises on bad input: :class:`ShanzhiError`.

It lives in the bottom layer so that every layer can derive from it. It is a
:class:`ValueError`, so callers that catch ``ValueError`` keep working; ``except ShanzhiError``
catches every problem shanzhi reports with a message naming the place (file, sheet, cell,
node, expert), and nothing else (programming errors stay ``TypeError``, ``KeyError`` …).

An error's message is either a plain sentence or a locale key with its fields,
``SurveyError("error.load.empty", where="a.csv")``: then ``str(error)`` is the English line
(what the command line prints and tests match) and :meth:`ShanzhiError.text` gives it in either
language (what the app shows in the page's language).
"""

from __future__ import annotations

import re

__all__ = ["ShanzhiError"]

_KEY = re.compile(r"[a-z][\w-]*(\.[\w-]+)+")
"""What a locale key looks like (``error.load.empty``); a sentence has spaces."""


class ShanzhiError(ValueError):
    """Input shanzhi cannot use; the message says what is wrong and where.

    ``ShanzhiError(key, **fields)`` with a locale key (``i18n/locale/<lang>/*.json``) keeps the
    message as an :class:`i18n.Message`; ``ShanzhiError("a sentence")`` keeps the sentence as
    it is (in both languages)."""

    def __init__(self, message: object = "", /, *args: object, **fields: object) -> None:
        from i18n.messages import Message, catalog  # i18n.messages imports this module

        if fields or (type(message) is str and _KEY.fullmatch(message)
                      and message in catalog("en")):
            message = Message(str(message), **fields)
        super().__init__(message, *args)

    @property
    def message(self) -> object:
        """The message as given: an :class:`i18n.Message` (a key and its fields) or a str."""
        return self.args[0] if self.args else ""

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (``"zh"`` or ``"en"``); a plain sentence as it is."""
        from i18n.messages import localized

        return str(localized(self.message, lang)) if len(self.args) == 1 else str(self)
