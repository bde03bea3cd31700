"""Tests for i18n: both languages complete and consistent, lookups and errors."""

from __future__ import annotations

import pickle
import re
import string
from pathlib import Path

import pytest

from i18n import (
    LANGS,
    Message,
    TranslationError,
    bilingual,
    catalog,
    localized,
    other_lang,
    t,
)

ROOT = Path(__file__).resolve().parents[1]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys():
    zh, en = catalog("zh"), catalog("en")
    assert set(zh) == set(en), sorted(set(zh) ^ set(en))


def test_no_empty_text_and_same_format_fields():
    zh, en = catalog("zh"), catalog("en")
    for key in zh:
        assert zh[key].strip() and en[key].strip(), key
        assert _fields(zh[key]) == _fields(en[key]), key


def test_chinese_texts_are_chinese():
    zh = catalog("zh")
    for prefix in ("chart.ranking.title", "report.title", "col.community", "rule.too_fast"):
        assert re.search(r"[\u4e00-\u9fff]", zh[prefix]), prefix


def test_every_literal_key_in_the_code_exists():
    pattern = re.compile(r"""\b(?:t|tr|bilingual|section|text)\(\s*(?:\w+,\s*\w+,\s*)?["']"""
                         r"""((?:app|chart|report|col|rule|scope|source)\.[\w.\-]+)["']""")
    used = set()
    for path in [*ROOT.glob("*.py"), *ROOT.glob("*/*.py"), *ROOT.glob("*/*/*.py")]:
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert "chart.ranking.title" in used
    missing = sorted(used - set(catalog("zh")))
    assert not missing, missing


def test_lookup_and_format():
    assert t("col.community", "zh") == "社区"
    assert t("col.community", "en") == "Community"
    assert t("report.suppressed", "zh", n=10) == "n<10 不报告"
    assert t("report.suppressed", "en", n=5) == "n<5 not reported"
    assert t("col.community") == "社区"


def test_bilingual_and_other_lang():
    assert other_lang("zh") == "en" and other_lang("en") == "zh"
    assert bilingual("col.community", "zh") == "社区 / Community"
    assert bilingual("col.community", "en") == "Community / 社区"
    assert bilingual("col.alpha", "zh", sep="|") == "Cronbach α|Cronbach's α"


def test_unknown_key_names_key_and_file():
    with pytest.raises(TranslationError, match=r"'chart\.nope'.*locale/en/"):
        t("chart.nope", "en")


def test_unknown_language():
    with pytest.raises(TranslationError, match="'fr'"):
        t("col.community", "fr")
    with pytest.raises(TranslationError):
        other_lang("de")


def test_missing_format_field_is_named():
    with pytest.raises(TranslationError, match=r"report\.suppressed.*'n'"):
        t("report.suppressed", "zh", m=3)


def test_catalog_is_read_only():
    with pytest.raises(TypeError):
        catalog("zh")["col.community"] = "x"  # type: ignore[index]
    assert LANGS == ("zh", "en")


def test_message_is_english_text_shown_in_either_language():
    note = Message("note.items_absent", items="D02, D03")
    assert note == "items not in the data: D02, D03" and isinstance(note, str)
    assert note.text("zh") == "数据中缺少这些题目：D02, D03"
    assert localized(note, "zh") == note.text("zh") and localized("plain", "zh") == "plain"
    again = pickle.loads(pickle.dumps(note))
    assert again == note and again.text("zh") == note.text("zh")
    with pytest.raises(TranslationError, match="'items'"):
        Message("note.items_absent", names="D02")
