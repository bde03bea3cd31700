"""One study end to end: settings, the pipeline (screen → reliability → weights → scores), its
uncertainty (Monte Carlo) and sensitivity analyses, and other weighting and evaluation methods.

Builds on :mod:`ahp` (weights) and :mod:`survey` (the residents' questionnaire); imports no
storage, report or UI code.
"""

from evaluation.study import (
    StepRecord,
    StudyResult,
    StudySettings,
    StudyUncertainty,
    analyse_uncertainty,
    read_judgments,
    run_study,
)

__all__ = [
    "StepRecord",
    "StudyResult",
    "StudySettings",
    "StudyUncertainty",
    "analyse_uncertainty",
    "read_judgments",
    "run_study",
]
