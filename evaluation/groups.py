r"""Do residents from different groups judge differently? Group comparisons of a study.

Each valid questionnaire gets a score per node (goal A and dimensions B by default): the
weighted mean of its answered items below the node with the study's global item weights,
``S_x(r) = Σ_{d under x, answered} g_d x_rd / Σ_{d under x, answered} g_d`` (equal to the
hierarchic composite when every item is answered). These scores are compared between the groups
of a demographic column (:attr:`survey.responses.Responses.demographics`) with
:func:`evaluation.methods.compare_groups`: Kruskal–Wallis + Dunn/Holm (default), one-way ANOVA +
Tukey, or Welch + Games–Howell, with ε² or η². Every valid questionnaire of the study counts,
whatever its community (communities too small to publish included: only group sizes matter
here). **A group smaller than ``min_group_size`` is never shown**: it is left out before the
test, and only the *number* of such groups is reported (demographics are quasi-identifiers).

Effect sizes are put into words with Cohen's (1988) conventions for η² (≈ ε²): below 0.01
negligible, 0.01 small, 0.06 medium, 0.14 large.

References
----------
Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.). Erlbaum.
Tomczak, M., & Tomczak, E. (2014). The need to report effect size estimates revisited.
*Trends in Sport Sciences*, 1(21), 19–25.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ahp.hierarchy import Hierarchy, HierarchyWeights
from evaluation.methods import MethodError, compare_groups
from evaluation.methods.group_comparison import DEFAULT_MIN_GROUP_SIZE, TESTS
from i18n import Message
from survey.demographics import find_demographic
from survey.responses import Responses

__all__ = [
    "EFFECT_WORDS",
    "GroupResults",
    "effect_word",
    "group_comparisons",
    "respondent_scores",
]

EFFECT_WORDS = ((0.14, "large"), (0.06, "medium"), (0.01, "small"), (0.0, "negligible"))
"""(lower bound, word) of the effect-size conventions, largest first."""


def effect_word(effect: float) -> str:
    """``"negligible"``, ``"small"``, ``"medium"`` or ``"large"`` for an η² or ε²."""
    if not np.isfinite(effect):
        return "negligible"
    return next(word for bound, word in EFFECT_WORDS if effect >= bound)


def respondent_scores(
    responses: Responses,
    hierarchy: Hierarchy,
    weights: HierarchyWeights,
    codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Respondent × code scores (module docstring); default codes: the goal and level B."""
    items = list(hierarchy.items)
    codes = list(codes) if codes is not None else [
        hierarchy.root, *hierarchy.codes(hierarchy.levels[1])
    ]
    g = weights.item_weights.reindex(items).to_numpy(dtype=float)
    x = responses.answers.reindex(columns=items).to_numpy(dtype=float)
    given = ~np.isnan(x)
    filled = np.where(given, x, 0.0)
    out = {}
    for code in codes:
        level = hierarchy.nodes[code].level
        member = np.array([hierarchy.ancestor(d, level) == code for d in items])
        w = g * member
        total = given @ w
        with np.errstate(invalid="ignore", divide="ignore"):
            out[code] = np.where(total > 0, (filled @ w) / total, np.nan)
    return pd.DataFrame(out, index=responses.answers.index)


@dataclass(frozen=True)
class GroupResults:
    """Group comparisons of a study.

    ``table``: one row per (column, code): ``column, code, test, statistic, df1, df2, p,
    effect_size, effect_name, effect_word, n, groups`` (compared) and ``hidden`` (number of
    groups too small to show); ``posthoc``: ``column, code, group1, group2, estimate,
    statistic, p, p_adj``; ``groups``: ``column, code, group, n, mean, sd, median`` (shown
    groups only); ``errors``: ``column, code, message`` where no test could be made.
    """

    table: pd.DataFrame
    posthoc: pd.DataFrame
    groups: pd.DataFrame
    errors: pd.DataFrame
    test: str
    min_group_size: int
    notes: list[Message | str] = field(default_factory=list)

    def significant(self, alpha: float = 0.05) -> pd.DataFrame:
        """Rows of ``table`` with p < alpha."""
        return self.table[self.table["p"] < alpha]


TABLE_COLUMNS = ("column", "code", "test", "statistic", "df1", "df2", "p", "effect_size",
                 "effect_name", "effect_word", "n", "groups", "hidden")


def group_comparisons(
    responses: Responses,
    hierarchy: Hierarchy,
    weights: HierarchyWeights,
    columns: Sequence[str] | None = None,
    *,
    test: str = "kruskal",
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    codes: Sequence[str] | None = None,
) -> GroupResults:
    """Compare node scores between the groups of each demographic column (module docstring).

    ``columns``: names (or unique parts of names) of demographic columns; default: every one
    kept. Raises ``ValueError`` for an unknown test or a column that is not kept.
    """
    if test not in TESTS:
        raise MethodError(f"group test must be one of {', '.join(TESTS)}, got '{test}'")
    demographics = responses.demographics
    wanted = list(demographics.columns) if columns is None else [
        find_demographic(demographics, c) for c in columns
    ]
    scores = respondent_scores(responses, hierarchy, weights, codes)
    rows, posthoc, stats_rows, errors = [], [], [], []
    for column in wanted:
        labels = demographics[column].reindex(scores.index)
        for code in scores.columns:
            try:
                result = compare_groups(scores[code], labels, test=test,
                                        min_group_size=min_group_size)
            except MethodError as exc:
                errors.append((column, code, str(exc)))
                continue
            df = (*result.df, np.nan)[:2]
            rows.append((column, code, test, result.statistic, df[0], df[1], result.pvalue,
                         result.effect_size, result.effect_name, effect_word(result.effect_size),
                         result.n, len(result.groups), len(result.suppressed)))
            posthoc.append(result.posthoc.assign(column=column, code=code))
            stats_rows.append(result.groups.reset_index().assign(column=column, code=code))
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    ph_cols = ["column", "code", "group1", "group2", "estimate", "statistic", "p", "p_adj"]
    st_cols = ["column", "code", "group", "n", "mean", "sd", "median"]
    return GroupResults(
        table=table,
        posthoc=pd.concat(posthoc, ignore_index=True)[ph_cols] if posthoc
        else pd.DataFrame(columns=ph_cols),
        groups=pd.concat(stats_rows, ignore_index=True)[st_cols] if stats_rows
        else pd.DataFrame(columns=st_cols),
        errors=pd.DataFrame(errors, columns=["column", "code", "message"]),
        test=test,
        min_group_size=int(min_group_size),
    )
