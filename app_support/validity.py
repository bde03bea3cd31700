"""Cached construct validity of the current questionnaire (:mod:`evaluation.validity`)."""

from __future__ import annotations

import streamlit as st

from ahp.hierarchy import Hierarchy
from evaluation.validity import ValidityReport, assess_validity
from survey.responses import Responses

ROTATIONS = ("promax", "varimax", "none")
METHODS = ("minres", "pa")


@st.cache_resource(show_spinner=False, max_entries=8)
def validity_report(key: str, _valid: Responses, _hierarchy: Hierarchy, n_factors: int | None,
                    rotation: str, method: str) -> ValidityReport:
    """KMO, Bartlett, EFA against the framework and item analysis of the valid questionnaires
    (``key`` identifies them; errors are carried in the result, never raised)."""
    return assess_validity(_valid, _hierarchy, n_factors=n_factors,
                           rotation=None if rotation == "none" else rotation, method=method)
