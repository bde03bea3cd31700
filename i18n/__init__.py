"""Texts in Chinese and English for every layer: ``t(key, lang)``, ``Message`` and the locale files.

The bottom layer of shanzhi: it imports nothing else of the project, so the AHP and
questionnaire libraries, the evaluation, the reports and the app can all use it.
"""

from i18n.errors import ShanzhiError
from i18n.messages import (
    LANGS,
    Message,
    Term,
    TranslationError,
    bilingual,
    catalog,
    join_list,
    localized,
    other_lang,
    t,
)

__all__ = [
    "LANGS",
    "Message",
    "ShanzhiError",
    "Term",
    "TranslationError",
    "bilingual",
    "catalog",
    "join_list",
    "localized",
    "other_lang",
    "t",
]
