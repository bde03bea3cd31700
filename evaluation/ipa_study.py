r"""Importance–performance analysis of a study (IPA, 重点改进): what should each community improve
first?

Importance of an item is its global weight in the study's weighting scheme (AHP by default);
performance is its mean score (available cases) in the community, or over every valid
questionnaire for the study as a whole (全部 All). Quadrants, cuts (means over the items, taken
within each community) and the 重点改进 list (quadrant II by descending weighted gap
``importance × (performance cut − performance)``) are those of :mod:`evaluation.methods.ipa`
(Martilla & James 1977). Only published communities are analysed.

Reference
---------
Martilla, J. A., & James, J. C. (1977). Importance-performance analysis. *Journal of
Marketing*, 41(1), 77–79.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ahp.hierarchy import Hierarchy, HierarchyWeights
from evaluation.methods import MethodError, improve_first, ipa
from survey.responses import Responses
from survey.scoring import POOLED

__all__ = ["StudyIPA", "study_ipa"]


@dataclass(frozen=True)
class StudyIPA:
    """IPA of a study.

    ``table``: index (community, item) with importance, performance, cuts, quadrant (I–IV),
    label_zh, label_en, weighted_gap, plus ``dimension`` (the item's level-B ancestor); the
    pooled row :data:`~survey.scoring.POOLED` first. ``improve``: the 重点改进 rows of ``table``
    (quadrant II by descending weighted gap, per community).
    """

    table: pd.DataFrame
    improve: pd.DataFrame
    importance_cut: str | float = "mean"
    performance_cut: str | float = "mean"

    @property
    def communities(self) -> list[str]:
        """Communities analysed, pooled row first."""
        return list(pd.unique(self.table.index.get_level_values(0)))

    def of(self, community: str) -> pd.DataFrame:
        """The IPA table of one community (index item)."""
        return self.table.xs(community, level=0)

    def improve_first(self, community: str, top: int | None = None) -> pd.DataFrame:
        """The 重点改进 list of one community (index item), largest weighted gap first."""
        if community not in self.improve.index.get_level_values(0):
            return self.improve.iloc[0:0].droplevel(0)
        rows = self.improve.xs(community, level=0)
        return rows if top is None else rows.head(top)


def study_ipa(
    responses: Responses,
    hierarchy: Hierarchy,
    weights: HierarchyWeights,
    communities: Sequence[str],
    *,
    importance: pd.Series | None = None,
    importance_cut: str | float = "mean",
    performance_cut: str | float = "mean",
) -> StudyIPA:
    """IPA per published community and for the whole study (module docstring).

    ``importance``: item → stated importance (replaces the global weights, e.g. an importance
    question of the questionnaire).
    """
    items = list(hierarchy.items)
    imp = (weights.item_weights if importance is None else importance).reindex(items)
    if imp.isna().any():
        raise MethodError(f"IPA: no importance for item {imp.index[imp.isna()][0]}")
    answers = responses.answers.reindex(columns=items)
    keep = responses.community.isin(list(communities)).to_numpy()
    per = answers[keep].groupby(responses.community[keep], sort=False).mean()
    per = per.reindex([c for c in communities if c in per.index])
    pooled = answers.mean().rename(POOLED).to_frame().T
    performance = pd.concat([pooled, per])
    complete = performance.dropna(how="any")
    if complete.empty:
        raise MethodError("IPA: no community has an answer to every item")
    table = ipa(imp, complete, importance_cut=importance_cut, performance_cut=performance_cut)
    level = hierarchy.levels[1]
    table["dimension"] = [hierarchy.ancestor(d, level) for d in table.index.get_level_values(1)]
    return StudyIPA(
        table=table,
        improve=improve_first(table),
        importance_cut=importance_cut,
        performance_cut=performance_cut,
    )
