"""Tests of ahp.io.xlsx_safety: formula-injection guard and valid sheet names."""

import re

import pytest

from ahp.io.xlsx_safety import restore_cell_text, safe_cell_text, safe_sheet_names


@pytest.mark.parametrize("text", ["=1+1", "+86 123", "-5", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_is_prefixed_and_restored(text):
    guarded = safe_cell_text(text)
    assert guarded == "'" + text
    assert restore_cell_text(guarded) == text


@pytest.mark.parametrize("value", ["社区 A", "a=b", "", 3, -2.5, None, "'quoted"])
def test_other_values_pass_unchanged(value):
    assert safe_cell_text(value) == value
    assert restore_cell_text(value) == value


def test_sheet_names_are_valid_and_unique():
    names = safe_sheet_names(["B1", "a/b", "A/B", "x" * 40, "x" * 40 + "y", "'q'", "[]"])
    assert names["B1"] == "B1"
    assert names["a/b"] == "a_b"
    assert names["A/B"] == "A_B~2"  # Excel compares sheet names case-insensitively
    assert names["x" * 40] == "x" * 31
    assert names["x" * 40 + "y"] == "x" * 29 + "~2"
    assert names["'q'"] == "q"
    assert names["[]"] == "__"
    assert all(len(v) <= 31 and not re.search(r"[\[\]:*?/\\]", v) for v in names.values())
