"""Interface, report and chart strings in Chinese and English.

The strings live in ``i18n/locale/<lang>/<area>.json``: one flat object ``key → text`` per
area (``app``, ``charts``, ``reports``, and one file per feature that brings its own texts), merged
per language; a key may be defined in one file only, and both languages carry the same keys.
Keys are dotted by where they are used: ``app.*`` (Streamlit pages), ``chart.*`` (figures),
``report.*`` (Excel report text), ``col.*`` (table column headers), ``sheet.*`` (Excel sheet
names), ``rule.*`` (screening rules).
Texts may hold ``str.format`` fields, e.g. ``t("report.suppressed", "zh", n=10)``.

Indicator names are not here: they come from the framework (``Hierarchy.name(code, lang)``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType

from i18n.errors import ShanzhiError

LANGS: tuple[str, ...] = ("zh", "en")


class TranslationError(ShanzhiError):
    """Unknown language, unknown key, or a format field the caller did not supply."""


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise TranslationError(f"language must be one of {LANGS}, got {lang!r}")


@cache
def catalog(lang: str) -> Mapping[str, str]:
    """All strings of one language (read-only), merged once from ``i18n/locale/<lang>/*.json``.

    A key defined in two files is an error (the files are split by area so that features can add
    texts without touching each other's files)."""
    _check_lang(lang)
    folder = resources.files("i18n").joinpath("locale", lang)
    merged: dict[str, str] = {}
    for part in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if not part.name.endswith(".json"):
            continue
        strings = json.loads(part.read_text("utf-8"))
        twice = sorted(set(strings) & set(merged))
        if twice:
            raise TranslationError(f"locale/{lang}/{part.name} repeats keys {twice}")
        merged.update(strings)
    return MappingProxyType(merged)


def t(key: str, lang: str = "zh", **fields: object) -> str:
    """The text of ``key`` in ``lang`` (``"zh"`` or ``"en"``), with ``fields`` formatted in."""
    strings = catalog(lang)
    if key not in strings:
        raise TranslationError(f"no text for key {key!r} in i18n/locale/{lang}/")
    text = strings[key]
    if not fields:
        return text
    try:
        return text.format(**fields)
    except (KeyError, IndexError) as exc:
        raise TranslationError(
            f"key {key!r} ({lang}): format field {exc} not supplied in {sorted(fields)}"
        ) from None


def other_lang(lang: str) -> str:
    """The other of the two languages (``"zh"`` ↔ ``"en"``)."""
    _check_lang(lang)
    return "en" if lang == "zh" else "zh"


def bilingual(key: str, lang: str = "zh", sep: str = " / ", **fields: object) -> str:
    """``key`` in ``lang`` followed by ``sep`` and ``key`` in the other language.

    Identical texts are given once (a code such as ``"CR"`` reads the same in both).
    """
    first, second = t(key, lang, **fields), t(key, other_lang(lang), **fields)
    return first if first == second else f"{first}{sep}{second}"


class Message(str):
    """A sentence for the user that can be shown in either language.

    Its value as a ``str`` is the English text (so it prints, joins and compares like any
    string); :meth:`text` gives it in ``lang``. List or tuple fields are written as a list in
    that language. Used for notes that travel with results
    (``Scores.notes``) and are shown later in the reader's language.
    """

    key: str
    fields: dict[str, object]

    def __new__(cls, key: str, **fields: object) -> Message:
        message = super().__new__(cls, t(key, "en", **_listed(fields, "en")))
        message.key = key
        message.fields = dict(fields)
        return message

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, object]]:
        return (self.key,), self.fields

    def text(self, lang: str) -> str:
        """The sentence in ``lang``."""
        return t(self.key, lang, **_listed(self.fields, lang))


class Term(str):
    """A name given in each language that is not a locale text: an indicator's code and name
    from the framework (``Term("D4 Item four", "D4 题四")``).

    Its value as a ``str`` is the English text; :meth:`text` gives it in ``lang``. A
    :class:`Message` field that is a Term (or a list of Terms) is written in the message's
    language.
    """

    zh: str

    def __new__(cls, en: str, zh: str) -> Term:
        term = super().__new__(cls, en)
        term.zh = zh
        return term

    def __getnewargs__(self) -> tuple[str, str]:
        return str(self), self.zh

    def text(self, lang: str) -> str:
        """The name in ``lang``."""
        _check_lang(lang)
        return self.zh if lang == "zh" else str(self)


def join_list(items: Iterable[object], lang: str) -> str:
    """``items`` written as ``lang`` lists them: ``甲、乙`` or ``A, B``."""
    return ("、" if lang == "zh" else ", ").join(map(str, items))


def _listed(fields: Mapping[str, object], lang: str) -> dict[str, object]:
    """``fields`` with list and tuple values written as a list in ``lang`` and
    :class:`Message` values (a sentence inside a sentence) and :class:`Term` values in
    ``lang``."""
    return {k: join_list([localized(x, lang) for x in v], lang) if isinstance(v, list | tuple)
            else localized(v, lang) for k, v in fields.items()}


def localized(text: str, lang: str) -> str:
    """``text`` in ``lang`` when it is a :class:`Message` or a :class:`Term`, else unchanged."""
    return text.text(lang) if isinstance(text, Message | Term) else text
