"""Resident questionnaires: loading, screening, reliability and scores per community."""

from importlib import import_module
from typing import Any

_WHERE: dict[str, str] = {
    "SurveyError": "survey.errors",
    "IDENTIFIER_PATTERNS": "survey.identifiers",
    "is_identifier": "survey.identifiers",
    "ItemAnalysis": "survey.item_analysis",
    "item_analysis": "survey.item_analysis",
    "DEFAULT_LABELS": "survey.loading",
    "MISSING_MARKERS": "survey.loading",
    "load_responses": "survey.loading",
    "Alpha": "survey.reliability",
    "ReliabilityResult": "survey.reliability",
    "cronbach_alpha": "survey.reliability",
    "feldt_interval": "survey.reliability",
    "reliability": "survey.reliability",
    "ColumnMapping": "survey.responses",
    "Responses": "survey.responses",
    "POOLED": "survey.scoring",
    "Scores": "survey.scoring",
    "score": "survey.scoring",
    "ScreeningReport": "survey.screening",
    "ScreeningRules": "survey.screening",
    "screen": "survey.screening",
    "BartlettResult": "survey.validity",
    "EFAResult": "survey.validity",
    "KMOResult": "survey.validity",
    "ValidityError": "survey.validity",
    "bartlett_sphericity": "survey.validity",
    "compare_with_framework": "survey.validity",
    "efa": "survey.validity",
    "kmo": "survey.validity",
    "parallel_analysis": "survey.validity",
}
"""Public name → its module. The modules load on first use (PEP 562): loading a questionnaire
needs neither the factor analysis (scipy.optimize) nor the item analysis, and the app's first
page stays fast."""

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'survey' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
