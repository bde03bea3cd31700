r"""Fuzzy comprehensive evaluation (模糊综合评价) of questionnaire items and of the hierarchy.

Membership of an item (per community) is the share of its answers at each Likert level,
``r_j = #(answers = level_j) / #(answers)``; missing answers (NaN) are ignored, so each row sums
to 1 over the answers given. A grade set maps the Likert levels to grades (default
1→差 Bad, 2→较差 Poor, 3→中 Fair, 4→良 Good, 5→优 Excellent, scores 20/40/60/80/100); membership
columns follow the grade-set order.

Aggregation of membership rows ``R`` (one per child) with weights ``a`` (summing to 1), the four
classical composition operators (as offered by SPSSAU, 模糊综合评价)::

    M(·,+)  weighted average (default):      b_j = Σ_i a_i r_ij
    M(∧,∨)  main factor decisive (Zadeh):    b_j = max_i min(a_i, r_ij)
    M(·,∨)  main factor prominent:           b_j = max_i a_i r_ij
    M(∧,⊕)  bounded sum:                     b_j = min(1, Σ_i min(a_i, r_ij))

M(·,+) keeps Σ_j b_j = 1; for the other three the result vector is normalised to sum 1
(``b / Σ b``; the unnormalised vector is kept in ``raw``). The grade is the index of the maximum
membership (maximum-membership principle; the first grade on a tie), and the grade score is
``S = Σ_j b_j s_j / Σ_j b_j`` with the grade scores ``s``.

References
----------
Zadeh, L. A. (1965). Fuzzy sets. *Information and Control*, 8, 338–353.
汪培庄 (1983). 《模糊集合论及其应用》. 上海科学技术出版社 (composition operators M(∧,∨) … M(·,+)).
SPSSAU (2024). 模糊综合评价 / Fuzzy Comprehensive Evaluation, https://www.spssau.net/helps/fuzzy.html.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ahp.hierarchy import Hierarchy, HierarchyWeights
from evaluation.methods._inputs import WEIGHT_TOL, check_weights
from evaluation.methods.errors import MethodError

__all__ = [
    "DEFAULT_GRADES",
    "OPERATORS",
    "FuzzyHierarchyResult",
    "FuzzyResult",
    "GradeSet",
    "fuzzy_evaluation",
    "fuzzy_hierarchy",
    "grade_score",
    "membership_from_answers",
]

OPERATORS = ("M(·,+)", "M(∧,∨)", "M(·,∨)", "M(∧,⊕)")
_ALIASES = {
    "M(.,+)": "M(·,+)",
    "M(^,v)": "M(∧,∨)",
    "M(.,v)": "M(·,∨)",
    "M(^,+)": "M(∧,⊕)",
    "weighted_average": "M(·,+)",
    "main_factor": "M(∧,∨)",
    "product_max": "M(·,∨)",
    "bounded_sum": "M(∧,⊕)",
}


@dataclass(frozen=True)
class GradeSet:
    """Ordered evaluation grades (评语集): bilingual labels, a score per grade and the Likert
    level each grade takes its membership from."""

    labels_zh: tuple[str, ...] = ("差", "较差", "中", "良", "优")
    labels_en: tuple[str, ...] = ("Bad", "Poor", "Fair", "Good", "Excellent")
    scores: tuple[float, ...] = (20.0, 40.0, 60.0, 80.0, 100.0)
    levels: tuple[float, ...] = (1, 2, 3, 4, 5)

    def __post_init__(self) -> None:
        sizes = {len(self.labels_zh), len(self.labels_en), len(self.scores), len(self.levels)}
        if len(sizes) != 1:
            raise MethodError(
                f"grade set: {len(self.labels_zh)} Chinese labels, {len(self.labels_en)} English "
                f"labels, {len(self.scores)} scores and {len(self.levels)} levels must agree"
            )
        if len(self.levels) < 2 or len(set(self.levels)) != len(self.levels):
            raise MethodError(
                f"grade set: levels must be 2 or more distinct values, got {self.levels}"
            )

    def __len__(self) -> int:
        return len(self.levels)

    def labels(self, lang: str = "zh") -> tuple[str, ...]:
        """Grade labels in ``"zh"`` or ``"en"``."""
        if lang not in ("zh", "en"):
            raise MethodError(f"lang must be 'zh' or 'en', got '{lang}'")
        return self.labels_zh if lang == "zh" else self.labels_en


DEFAULT_GRADES = GradeSet()


@dataclass(frozen=True)
class FuzzyResult:
    """``vector``: aggregated membership (sums to 1), shape (g,) or (k, g) for k stacked
    evaluations; ``grade``: index of the maximum membership (int or (k,) ints); ``raw``: the
    composition before normalisation; ``operator`` used."""

    vector: np.ndarray
    grade: int | np.ndarray
    raw: np.ndarray
    operator: str


def _operator(name: str) -> str:
    op = _ALIASES.get(name.replace(" ", ""), name.replace(" ", ""))
    if op not in OPERATORS:
        raise MethodError(f"operator must be one of {', '.join(OPERATORS)}, got '{name}'")
    return op


def _compose(a: np.ndarray, r: np.ndarray, op: str) -> np.ndarray:
    """Composition of weights ``a`` (n,) with membership ``r`` (..., n, g) → (..., g)."""
    w = a[:, None]
    if op == "M(·,+)":
        return (w * r).sum(axis=-2)
    if op == "M(∧,∨)":
        return np.minimum(w, r).max(axis=-2)
    if op == "M(·,∨)":
        return (w * r).max(axis=-2)
    return np.minimum(1.0, np.minimum(w, r).sum(axis=-2))


def _normalise(raw: np.ndarray, op: str) -> np.ndarray:
    if op == "M(·,+)":
        return raw
    total = raw.sum(axis=-1, keepdims=True)
    return np.divide(raw, total, out=np.full_like(raw, np.nan), where=total > 0)


def _check_rows(r: np.ndarray, row_names: Sequence[str]) -> None:
    flat = r.reshape(-1, r.shape[-1])
    if not np.all(np.isfinite(flat)):
        i = int(np.flatnonzero(~np.isfinite(flat).all(axis=1))[0])
        raise MethodError(f"membership row {row_names[i]} has missing values (no answers?)")
    if np.any(flat < 0) or np.any(flat > 1):
        i = int(np.flatnonzero(((flat < 0) | (flat > 1)).any(axis=1))[0])
        raise MethodError(f"membership row {row_names[i]} has values outside [0, 1]")
    sums = flat.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > WEIGHT_TOL)
    if bad.size:
        i = int(bad[0])
        raise MethodError(f"membership row {row_names[i]} sums to {sums[i]:.9g}, not 1")


def fuzzy_evaluation(
    weights: Sequence[float] | np.ndarray | pd.Series,
    membership: np.ndarray | pd.DataFrame,
    operator: str = "M(·,+)",
) -> FuzzyResult:
    """One-level fuzzy comprehensive evaluation ``B = A ∘ R`` (operators in the module docstring).

    ``membership`` is (n, g) — one row per factor, one column per grade — or a stack (k, n, g)
    evaluated at once. A DataFrame is aligned to a weight Series by its index. Raises
    :class:`MethodError` when the weights do not sum to 1, a membership row does not sum to 1
    (naming the row) or the shapes disagree.
    """
    op = _operator(operator)
    if isinstance(membership, pd.DataFrame):
        if isinstance(weights, pd.Series):
            missing = [str(i) for i in weights.index if i not in membership.index]
            if missing or len(membership) != len(weights):
                raise MethodError(
                    f"membership rows do not match the weights (missing {missing or 'none'})"
                )
            membership = membership.loc[weights.index]
        names = [str(i) for i in membership.index]
        r = membership.to_numpy(dtype=float)
    else:
        r = np.asarray(membership, dtype=float)
        if r.ndim not in (2, 3):
            raise MethodError(f"membership must be (n, g) or (k, n, g), got shape {r.shape}")
        names = [f"{i + 1}" for i in range(int(np.prod(r.shape[:-1])))]
    a = np.asarray(weights, dtype=float).reshape(-1)
    if a.size != r.shape[-2]:
        raise MethodError(f"{a.size} weights for {r.shape[-2]} membership rows")
    check_weights(a, [f"factor {i + 1}" for i in range(a.size)])
    _check_rows(r, names)
    raw = _compose(a, r, op)
    vector = _normalise(raw, op)
    grade = np.argmax(vector, axis=-1)
    return FuzzyResult(
        vector=vector, grade=int(grade) if grade.ndim == 0 else grade, raw=raw, operator=op
    )


def grade_score(
    vector: np.ndarray | Sequence[float], grades: GradeSet = DEFAULT_GRADES
) -> np.ndarray | float:
    """Grade score ``Σ b_j s_j / Σ b_j`` of a membership vector (g,) or of rows (..., g)."""
    b = np.asarray(vector, dtype=float)
    if b.shape[-1] != len(grades):
        raise MethodError(f"membership has {b.shape[-1]} grades, the grade set {len(grades)}")
    s = np.asarray(grades.scores, dtype=float)
    score = (b * s).sum(axis=-1) / b.sum(axis=-1)
    return float(score) if np.ndim(score) == 0 else score


def membership_from_answers(
    answers: pd.DataFrame,
    groups: pd.Series | Sequence[object],
    levels: Sequence[float] = (1, 2, 3, 4, 5),
) -> pd.DataFrame:
    """Share of answers at each Likert level, per item and group.

    ``answers``: respondents × items (values among ``levels`` or NaN); ``groups``: one label per
    respondent (e.g. the community). NaN answers are ignored (the shares are over the answers
    given); answers outside ``levels`` raise :class:`MethodError` naming the item. Returns a
    DataFrame indexed by (group, item) with one column per level in ``levels`` order; an item
    nobody in a group answered has a row of NaN. Respondents without a group are dropped.
    """
    if len(groups) != len(answers):
        raise MethodError(f"{len(groups)} group labels for {len(answers)} respondents")
    values = answers.apply(pd.to_numeric, errors="coerce")
    given = values.notna() & answers.notna()
    off = given & ~values.isin(list(levels))
    if off.to_numpy().any():
        item = off.any(axis=0).idxmax()
        bad = values.loc[off[item], item].iloc[0]
        raise MethodError(f"item '{item}': answer {bad!r} is not one of the levels {tuple(levels)}")
    labels = pd.Series(np.asarray(groups, dtype=object), index=answers.index, name="group")
    keep = labels.notna()
    long = values[keep].assign(group=labels[keep]).melt(id_vars="group", var_name="item")
    counts = (
        long.dropna(subset=["value"])
        .groupby(["group", "item", "value"], sort=False)
        .size()
        .unstack("value")
        .reindex(columns=list(levels), fill_value=0)
        .fillna(0)
    )
    full = pd.MultiIndex.from_product(
        [pd.unique(labels[keep]), list(answers.columns)], names=["group", "item"]
    )
    counts = counts.reindex(full)
    shares = counts.div(counts.sum(axis=1), axis=0)
    shares.columns = pd.Index(list(levels), name="level")
    return shares


@dataclass(frozen=True)
class FuzzyHierarchyResult:
    """Per community and node: ``table`` indexed by (community, code) with the level, the
    membership of each grade (columns = grade labels in ``lang`` order of ``grades``), ``grade``
    (index of the maximum), ``grade_label`` and ``score`` (grade score)."""

    table: pd.DataFrame
    grades: GradeSet
    operator: str
    membership: Mapping[str, np.ndarray] = field(repr=False)
    communities: tuple[str, ...] = ()

    def level(self, level: str) -> pd.DataFrame:
        """Rows of one level (``"A"``, ``"B"``, ``"C"`` …)."""
        return self.table[self.table["level"] == level]


def _local_weights(
    hierarchy: Hierarchy, weights: HierarchyWeights | Mapping[str, pd.Series], parent: str
) -> np.ndarray:
    kids = hierarchy.children(parent)
    if isinstance(weights, HierarchyWeights):
        local = weights.local(parent)
    elif parent in weights:
        local = pd.Series(weights[parent])
    elif len(kids) == 1:
        return np.ones(1)
    else:
        raise MethodError(f"node '{parent}': no local weights for its children")
    missing = [k for k in kids if k not in local.index]
    if missing or len(local) != len(kids):
        raise MethodError(f"node '{parent}': weights do not match its children {kids}")
    a = local.loc[kids].to_numpy(dtype=float)
    check_weights(a, kids, f"node '{parent}' weights")
    return a


def fuzzy_hierarchy(
    membership: pd.DataFrame | np.ndarray,
    hierarchy: Hierarchy,
    weights: HierarchyWeights | Mapping[str, pd.Series],
    grades: GradeSet = DEFAULT_GRADES,
    operator: str = "M(·,+)",
    communities: Sequence[str] | None = None,
    lang: str = "zh",
) -> FuzzyHierarchyResult:
    """Aggregate item membership up the hierarchy (items → C → B → A), all communities at once.

    ``membership``: DataFrame indexed by (community, item) with one column per grade (as from
    :func:`membership_from_answers`), or an array (community × item × grade) with items in
    ``hierarchy.items`` order (``communities`` names its rows). ``weights``: the AHP
    :class:`~ahp.hierarchy.HierarchyWeights`, or a mapping node → Series of its children's local
    weights. Each parent's membership is the composition of its children's with their local
    weights (``operator``, normalised as in :func:`fuzzy_evaluation`).
    """
    op = _operator(operator)
    items = hierarchy.items
    if isinstance(membership, pd.DataFrame):
        if membership.index.nlevels != 2:
            raise MethodError("membership DataFrame must be indexed by (community, item)")
        names = tuple(str(c) for c in pd.unique(membership.index.get_level_values(0)))
        full = pd.MultiIndex.from_product(
            [list(pd.unique(membership.index.get_level_values(0))), items]
        )
        missing = full.difference(membership.index)
        if len(missing):
            raise MethodError(f"no membership for (community, item) {missing[0]}")
        cube = membership.loc[full].to_numpy(dtype=float).reshape(len(names), len(items), -1)
    else:
        cube = np.asarray(membership, dtype=float)
        if cube.ndim != 3 or cube.shape[1] != len(items):
            raise MethodError(
                f"membership must be community × item × grade with {len(items)} items, "
                f"got shape {cube.shape}"
            )
        names = (
            tuple(communities)
            if communities is not None
            else tuple(str(i + 1) for i in range(cube.shape[0]))
        )
        if len(names) != cube.shape[0]:
            raise MethodError(f"{len(names)} community names for {cube.shape[0]} rows")
    if cube.shape[-1] != len(grades):
        raise MethodError(f"membership has {cube.shape[-1]} grades, the grade set {len(grades)}")
    _check_rows(cube, [f"({c}, {i})" for c in names for i in items])
    state: dict[str, np.ndarray] = {item: cube[:, j, :] for j, item in enumerate(items)}
    for parent in reversed(hierarchy.parents_with_children()):
        kids = hierarchy.children(parent)
        a = _local_weights(hierarchy, weights, parent)
        stacked = np.stack([state[k] for k in kids], axis=1)  # community × child × grade
        state[parent] = _normalise(_compose(a, stacked, op), op)
    labels = grades.labels(lang)
    rows = []
    for code in hierarchy.nodes:
        b = state[code]
        grade = np.argmax(b, axis=1)
        score = grade_score(b, grades)
        for c, community in enumerate(names):
            rows.append(
                (
                    community,
                    code,
                    hierarchy.nodes[code].level,
                    *b[c],
                    int(grade[c]),
                    labels[int(grade[c])],
                    float(score[c]),
                )
            )
    table = pd.DataFrame(
        rows, columns=["community", "code", "level", *labels, "grade", "grade_label", "score"]
    ).set_index(["community", "code"])
    return FuzzyHierarchyResult(
        table=table, grades=grades, operator=op, membership=state, communities=names
    )
