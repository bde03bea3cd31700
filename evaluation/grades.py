r"""Fuzzy grades of a study (模糊综合评价): which grade (优/良/中/较差/差) is each community,
overall and in each dimension?

Membership of an item in a community is the share of its valid questionnaires answering at each
Likert level (:func:`evaluation.methods.membership_from_answers`); the grade set maps the five
levels to grades (default 1→差 … 5→优 with scores 20/40/60/80/100). Memberships are aggregated
up the hierarchy with the study's local weights and a composition operator (M(·,+) by default;
:func:`evaluation.methods.fuzzy_hierarchy`). Each community and node gets the maximum-membership
grade and the grade score ``Σ b_j s_j``. The published communities (ranked) and the pooled row
(全部 All: every valid questionnaire) are graded; a community with an item nobody answered has
no membership row for it and is left out (named in ``notes``).

A grade set is written ``"优:100,良:80,中:60,较差:40,差:20"`` (best first or in any order: the
grades are sorted by score and matched to the Likert levels 1..5 from the lowest score up), and a
label may carry its English name, ``"优/Excellent:100,…"`` (:func:`parse_grades`).

References
----------
Zadeh, L. A. (1965). Fuzzy sets. *Information and Control*, 8, 338–353.
SPSSAU (2024). 模糊综合评价 / Fuzzy Comprehensive Evaluation, https://www.spssau.net/helps/fuzzy.html.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ahp.hierarchy import Hierarchy, HierarchyWeights
from evaluation.methods import (
    DEFAULT_GRADES,
    OPERATORS,
    FuzzyHierarchyResult,
    GradeSet,
    MethodError,
    fuzzy_hierarchy,
    membership_from_answers,
)
from i18n import Message
from survey.responses import Responses
from survey.scoring import POOLED

__all__ = ["DEFAULT_GRADE_TEXT", "StudyGrades", "parse_grades", "study_grades"]

DEFAULT_GRADE_TEXT = "优/Excellent:100,良/Good:80,中/Fair:60,较差/Poor:40,差/Bad:20"
"""The default grade set in the text form of :func:`parse_grades`."""

_EN = {"优": "Excellent", "良": "Good", "中": "Fair", "较差": "Poor", "差": "Bad",
       "较好": "Fairly good", "一般": "Average", "好": "Good", "很好": "Very good"}


def parse_grades(text: str, levels: Sequence[float] = (1, 2, 3, 4, 5)) -> GradeSet:
    """A :class:`~evaluation.methods.GradeSet` from ``"优:100,良:80,中:60,较差:40,差:20"``.

    Each comma-separated entry is ``label:score`` or ``中文/English:score``; one grade per Likert
    level (five); grades are sorted by score, the lowest taking level 1. Raises
    :class:`~evaluation.methods.MethodError` naming the entry at fault.
    """
    entries = [e.strip() for e in str(text).replace("，", ",").split(",") if e.strip()]
    if len(entries) != len(levels):
        raise MethodError(
            f"grades '{text}': give {len(levels)} grades (one per Likert level) as "
            f"label:score separated by commas, got {len(entries)}"
        )
    parsed = []
    for entry in entries:
        label, sep, value = entry.replace("：", ":").rpartition(":")
        if not sep or not label.strip():
            raise MethodError(f"grades: entry '{entry}' is not label:score (e.g. 优:100)")
        try:
            score = float(value)
        except ValueError:
            raise MethodError(f"grades: score '{value}' of '{label}' is not a number") from None
        if not np.isfinite(score):
            raise MethodError(f"grades: score of '{label}' must be finite, got {value}")
        zh, _, en = label.strip().partition("/")
        parsed.append((score, zh.strip(), (en.strip() or _EN.get(zh.strip(), zh.strip()))))
    scores = [p[0] for p in parsed]
    if len(set(scores)) != len(scores):
        raise MethodError(f"grades '{text}': two grades have the same score")
    if len({p[1] for p in parsed}) != len(parsed):
        raise MethodError(f"grades '{text}': two grades have the same label")
    parsed.sort()
    return GradeSet(
        labels_zh=tuple(p[1] for p in parsed),
        labels_en=tuple(p[2] for p in parsed),
        scores=tuple(p[0] for p in parsed),
        levels=tuple(levels),
    )


def grades_text(grades: GradeSet) -> str:
    """The grade set in the text form of :func:`parse_grades` (best first)."""
    return ",".join(
        f"{zh}/{en}:{score:g}"
        for zh, en, score in reversed(list(zip(grades.labels_zh, grades.labels_en, grades.scores,
                                               strict=True)))
    )


@dataclass(frozen=True)
class StudyGrades:
    """Fuzzy grades of the published communities and the pooled row.

    ``fuzzy``: the :class:`~evaluation.methods.FuzzyHierarchyResult` (labels in Chinese);
    ``notes``: communities left out.
    """

    fuzzy: FuzzyHierarchyResult
    grades: GradeSet
    operator: str
    notes: list[Message | str] = field(default_factory=list)

    def table(self, lang: str = "zh", level: str | None = None) -> pd.DataFrame:
        """Tidy ``community, code, level, <membership per grade, labels in lang>, grade,
        grade_label, score`` (grade score); optionally one level only."""
        frame = self.fuzzy.table.reset_index()
        labels = self.grades.labels(lang)
        frame = frame.rename(columns=dict(zip(self.grades.labels("zh"), labels, strict=True)))
        frame["grade_label"] = [labels[int(g)] for g in frame["grade"]]
        if level is not None:
            frame = frame[frame["level"] == level]
        return frame.reset_index(drop=True)

    def of(self, community: str, code: str, lang: str = "zh") -> tuple[str, float]:
        """(grade label, grade score) of one community and node; ('', nan) when not graded."""
        key = (community, code)
        if key not in self.fuzzy.table.index:
            return "", float("nan")
        row = self.fuzzy.table.loc[key]
        return self.grades.labels(lang)[int(row["grade"])], float(row["score"])


def study_grades(
    responses: Responses,
    hierarchy: Hierarchy,
    weights: HierarchyWeights,
    communities: Sequence[str],
    grades: GradeSet = DEFAULT_GRADES,
    operator: str = "M(·,+)",
    *,
    pooled: bool = True,
) -> StudyGrades:
    """Fuzzy grades per community and node (module docstring)."""
    if operator not in OPERATORS:
        raise MethodError(f"fuzzy operator must be one of {', '.join(OPERATORS)}, got '{operator}'")
    items = list(hierarchy.items)
    answers = responses.answers.reindex(columns=items)
    keep = responses.community.isin(list(communities)).to_numpy()
    groups = responses.community.where(keep)
    membership = membership_from_answers(answers, groups, levels=grades.levels)
    if pooled and len(answers):
        whole = membership_from_answers(
            answers, pd.Series(POOLED, index=answers.index), levels=grades.levels
        )
        membership = pd.concat([membership, whole])
    names = [c for c in [*communities, *([POOLED] if pooled else [])]
             if c in membership.index.get_level_values(0)]
    incomplete = [
        c for c in names if membership.loc[c].isna().any(axis=None)
    ]
    notes: list[Message | str] = []
    if incomplete:
        notes.append(Message("methods.note.grades_incomplete", listed=tuple(incomplete)))
    chosen = [c for c in names if c not in incomplete]
    if not chosen:
        raise MethodError("fuzzy grades: no community has an answer to every item")
    frame = membership.loc[pd.MultiIndex.from_product([chosen, items])]
    frame.columns = list(grades.labels("zh"))
    result = fuzzy_hierarchy(frame, hierarchy, weights, grades=grades, operator=operator)
    return StudyGrades(fuzzy=result, grades=grades, operator=result.operator, notes=notes)
