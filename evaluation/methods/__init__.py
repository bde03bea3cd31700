"""More ways to weigh and judge, side by side with AHP: objective and combined weights
(entropy, CRITIC), fuzzy comprehensive evaluation with grades, TOPSIS, importance–performance
analysis and group comparisons. Pure numpy/scipy/pandas; formulas and references in each
module's docstring."""

from evaluation.methods.errors import MethodError, MethodWarning
from evaluation.methods.fuzzy import (
    DEFAULT_GRADES,
    OPERATORS,
    FuzzyHierarchyResult,
    FuzzyResult,
    GradeSet,
    fuzzy_evaluation,
    fuzzy_hierarchy,
    grade_score,
    membership_from_answers,
)
from evaluation.methods.group_comparison import GroupComparison, compare_groups, holm
from evaluation.methods.ipa import QUADRANTS, improve_first, ipa
from evaluation.methods.objective_weights import (
    combine_weights,
    critic_weights,
    entropy_weights,
    minmax_normalize,
)
from evaluation.methods.topsis import TopsisResult, topsis

__all__ = [
    "DEFAULT_GRADES",
    "OPERATORS",
    "QUADRANTS",
    "FuzzyHierarchyResult",
    "FuzzyResult",
    "GradeSet",
    "GroupComparison",
    "MethodError",
    "MethodWarning",
    "TopsisResult",
    "combine_weights",
    "compare_groups",
    "critic_weights",
    "entropy_weights",
    "fuzzy_evaluation",
    "fuzzy_hierarchy",
    "grade_score",
    "holm",
    "improve_first",
    "ipa",
    "membership_from_answers",
    "minmax_normalize",
    "topsis",
]
