"""Cached calls for the other evaluation methods on the comparison page: every weighting scheme
side by side, group comparisons with a chosen test, and the methods' charts as PNG bytes."""

from __future__ import annotations

import streamlit as st

from app_support.language import scheme_label
from evaluation.groups import GroupResults, group_comparisons
from evaluation.schemes import AllSchemes, study_schemes
from evaluation.study import StudyResult
from i18n import t
from reports import charts, method_charts
from reports.outputs import names, synthetic_note
from survey.scoring import POOLED

__all__ = ["SCHEME_DRAWS", "grade_bars_png", "group_results", "ipa_png", "scheme_comparison",
           "schemes_png"]

SCHEME_DRAWS = 200
"""Resident-bootstrap draws behind the rank bands of each scheme (cheap: about a second)."""


@st.cache_resource(show_spinner=False, max_entries=8)
def scheme_comparison(key: str, draws: int, _result: StudyResult) -> AllSchemes:
    """Every scheme side by side (``key`` identifies the study run)."""
    return study_schemes(_result, draws)


@st.cache_resource(show_spinner=False, max_entries=16)
def group_results(key: str, test: str, _result: StudyResult) -> GroupResults:
    """Group comparisons on every demographic column with ``test``."""
    s = _result.settings
    return group_comparisons(_result.valid, _result.hierarchy, _result.weights, None,
                             test=test, min_group_size=s.min_group_size)


@st.cache_data(show_spinner=False, max_entries=64)
def ipa_png(key: str, lang: str, community: str, _result: StudyResult) -> bytes:
    """IPA quadrant chart of one community (or 全部 All) in ``lang``."""
    title = None if community == POOLED else t(
        "methods.chart.ipa_community_title", lang, community=community)
    fig = method_charts.ipa_chart(_result.ipa.of(community), names=names(_result, lang),
                                  lang=lang, note=synthetic_note(_result, lang), title=title)
    return charts.figure_png(fig)


@st.cache_data(show_spinner=False, max_entries=16)
def grade_bars_png(key: str, lang: str, level_code: str, _result: StudyResult) -> bytes:
    """Stacked grade bars of every published community for one node (goal or a dimension)."""
    grades = _result.grades
    table = grades.table(lang)
    table = table[(table["code"] == level_code) & (table["community"] != POOLED)]
    title = None
    if level_code != _result.hierarchy.root:
        title = f"{t('methods.chart.grades_title', lang)} — {level_code} " \
                f"{_result.hierarchy.name(level_code, lang)}"
    fig = method_charts.grade_bars_chart(table, grades.grades.labels(lang), lang=lang,
                                         note=synthetic_note(_result, lang), title=title)
    return charts.figure_png(fig)


@st.cache_data(show_spinner=False, max_entries=16)
def schemes_png(key: str, lang: str, _schemes: AllSchemes, _result: StudyResult) -> bytes:
    """Bump chart of the ranks under every scheme, the schemes named in ``lang``."""
    labels = {name: scheme_label(name, lang) for name in _schemes.ranks.columns}
    fig = method_charts.schemes_chart(_schemes.ranks, labels=labels, lang=lang,
                                      note=synthetic_note(_result, lang))
    return charts.figure_png(fig)
