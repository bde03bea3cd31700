"""Pairwise judgment matrices: construction, validation and conversion to arrays.

A judgment matrix ``A = (a_ij)`` of ``n`` elements holds in ``a_ij`` how many times element
``i`` is more important than element ``j``. It must be positive, have ones on the diagonal and
be reciprocal, ``a_ji = 1 / a_ij`` (Saaty 1980). Entered judgments are checked against
Saaty's scale, the 17 values 1/9, ..., 1, ..., 9 (within 5 %), or, when the caller opts in to
the extended scale, against the range [1/9, 9]; the rule is shared with the panel, workbook
and store layers (:func:`ahp.scale.off_scale`). Plain arrays given to computations
(:func:`as_array`) skip the scale check. Missing judgments are NaN (both ``a_ij`` and
``a_ji``); the known judgments must connect all elements (Harker 1987).

Cells are named in messages as ``row 2 'fam', column 4 'jobs'`` with 1-based positions, and
``matrix 5`` (0-based position in the stack) for stacked input.

References
----------
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
Harker, P. T. (1987). Incomplete pairwise comparisons in the analytic hierarchy process.
*Mathematical Modelling*, 9(11), 837-848.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np

from ahp.errors import JudgmentError
from ahp.scale import off_scale, parse_judgment
from i18n.messages import Message

__all__ = ["JudgmentMatrix", "as_array", "validate_array"]


def _default_names(n: int) -> tuple[str, ...]:
    return tuple(f"e{i + 1}" for i in range(n))


def _cell(names: Sequence[str], i: int, j: int, stack_index: int | None = None) -> Message:
    """The place of cell (i, j) (of matrix ``stack_index`` of a stack), in either language."""
    where = Message("ahp.matrix.cell", row=i + 1, row_name=names[i], column=j + 1,
                    column_name=names[j])
    return where if stack_index is None else Message("ahp.matrix.cell_in", index=stack_index,
                                                     cell=where)


def _check_names(names: Iterable[Any] | None, n: int) -> tuple[str, ...]:
    if names is None:
        return _default_names(n)
    checked = tuple(str(name) for name in names)
    if len(checked) != n:
        raise JudgmentError("ahp.matrix.names_count", given=len(checked), n=n)
    duplicated = sorted({name for name in checked if checked.count(name) > 1})
    if duplicated:
        raise JudgmentError("ahp.matrix.names_repeated", names=duplicated)
    return checked


def _to_float(a: Any, names: Sequence[str] | None) -> np.ndarray:
    """Convert to a float array; on failure name the first non-numeric cell."""
    try:
        values = np.asarray(a, dtype=float)
    except (TypeError, ValueError):
        obj = np.asarray(a, dtype=object)
        if obj.ndim not in (2, 3):
            raise JudgmentError("ahp.matrix.shape", shape=str(obj.shape)) from None
        for index, item in np.ndenumerate(obj):
            try:
                float(item if item is not None else math.nan)
            except (TypeError, ValueError):
                *stack, i, j = index
                cell_names = names if names is not None else _default_names(obj.shape[-1])
                cell = _cell(cell_names, i, j, stack[0] if stack else None)
                raise JudgmentError("ahp.matrix.non_numeric", value=repr(item),
                                    cell=cell) from None
        raise
    if values.dtype.kind == "c":
        raise JudgmentError("ahp.matrix.complex")
    return values


def _first_cell(bad: np.ndarray, names: Sequence[str], values: np.ndarray) -> str:
    """Describe the first True cell of ``bad`` (shape (k, n, n)) with its value."""
    s, i, j = (int(x) for x in np.argwhere(bad)[0])
    stack_index = s if values.shape[0] > 1 else None
    return Message("ahp.matrix.cell_value", cell=_cell(names, i, j, stack_index),
                   value=f"{values[s, i, j]:.6g}")


def unreachable_elements(known: np.ndarray) -> np.ndarray:
    """Elements not connected to element 0 in each comparison graph.

    ``known`` is a boolean (k, n, n) adjacency (diagonal included). Reachability is closed by
    repeated boolean squaring, ``ceil(log2 n)`` matrix products for the whole stack.
    """
    reach = known.astype(np.float64)
    for _ in range(max(1, math.ceil(math.log2(max(known.shape[-1], 2))))):
        reach = np.minimum(reach @ reach, 1.0)
    return reach[:, 0, :] == 0


def validate_array(
    a: Any,
    names: Iterable[Any] | None = None,
    extended_scale: bool = False,
    tol: float = 1e-6,
) -> np.ndarray:
    """Check a judgment matrix or a stack of them and return it as a float array.

    Accepts an (n, n) or (k, n, n) array-like of numbers; None and NaN mark missing judgments.
    Checks, in order: numeric, 2-D/3-D, square and non-empty, finite, positive, ``a_ii = 1``,
    missing in pairs, reciprocal ``|a_ij * a_ji - 1| <= tol``, each judgment above the
    diagonal on Saaty's scale (within 5 % of one of its 17 values) or, with ``extended_scale``,
    in [1/9, 9] (:func:`ahp.scale.off_scale`, the rule of every entry point), comparison graph
    connected. Values are returned as given, not snapped to the scale.

    Returns
    -------
    numpy.ndarray
        A new float64 array of the input shape.

    Raises
    ------
    JudgmentError
        With a message that names the offending cell (or elements, for a disconnected graph).
    """
    return _checked(a, names, extended_scale, tol, copy=True)


def _checked(
    a: Any,
    names: Iterable[Any] | None,
    extended_scale: bool | None,
    tol: float,
    copy: bool,
) -> np.ndarray:
    """The checks of :func:`validate_array`; ``extended_scale=None`` skips the scale check, and
    without ``copy`` a float64 input is returned as is."""
    name_list = None if names is None else [str(x) for x in names]
    values = np.array(_to_float(a, name_list), dtype=np.float64, copy=copy or None)
    if values.size == 0:
        raise JudgmentError("ahp.matrix.empty", shape=str(values.shape))
    if values.ndim not in (2, 3):
        raise JudgmentError("ahp.matrix.shape", shape=str(values.shape))
    if values.shape[-1] != values.shape[-2]:
        raise JudgmentError("ahp.matrix.not_square", shape=str(values.shape))
    n = values.shape[-1]
    checked_names = _check_names(name_list, n)
    stack = values.reshape(-1, n, n)
    many = stack.shape[0] > 1
    # Fast path: a few reductions settle missing values, positivity and finiteness for the
    # whole stack; cell masks are only built when needed to name the first bad cell.
    any_missing = bool(np.isnan(np.add.reduce(stack, axis=None)))
    low, high = np.fmin.reduce(stack, axis=None), np.fmax.reduce(stack, axis=None)
    if not low > 0 and (stack <= 0).any():
        raise JudgmentError("ahp.matrix.not_positive",
                            cell=_first_cell(stack <= 0, checked_names, stack))
    if not high < np.inf and np.isinf(stack).any():
        raise JudgmentError("ahp.matrix.infinite",
                            cell=_first_cell(np.isinf(stack), checked_names, stack))
    diagonal = np.einsum("kii->ki", stack)
    bad_diagonal = ~(np.abs(diagonal - 1.0) <= tol)
    if bad_diagonal.any():
        s, i = (int(x) for x in np.argwhere(bad_diagonal)[0])
        raise JudgmentError("ahp.matrix.diagonal",
                            cell=_cell(checked_names, i, i, s if many else None),
                            value=f"{stack[s, i, i]:.6g}")
    rows, cols = np.triu_indices(n, k=1)
    flat = stack.reshape(stack.shape[0], -1)
    upper, lower = np.take(flat, rows * n + cols, axis=1), np.take(flat, cols * n + rows, axis=1)
    if any_missing:
        one_sided = np.isnan(upper) != np.isnan(lower)
        if one_sided.any():
            s, p = (int(x) for x in np.argwhere(one_sided)[0])
            i, j = (rows[p], cols[p]) if np.isnan(upper[s, p]) else (cols[p], rows[p])
            raise JudgmentError("ahp.matrix.missing_half",
                                cell=_cell(checked_names, i, j, s if many else None),
                                row=j + 1, column=i + 1, value=f"{stack[s, j, i]:.6g}")
    deviation = upper * lower
    deviation -= 1.0
    np.abs(deviation, out=deviation)
    if deviation.size and not np.fmax.reduce(deviation, axis=None) <= tol and (
        deviation > tol
    ).any():
        s, p = (int(x) for x in np.argwhere(deviation > tol)[0])
        i, j = rows[p], cols[p]
        raise JudgmentError("ahp.matrix.not_reciprocal",
                            cell=_cell(checked_names, i, j, s if many else None),
                            a_ij=f"{stack[s, i, j]:.6g}", a_ji=f"{stack[s, j, i]:.6g}",
                            expected=f"{1 / stack[s, i, j]:.6g}")
    if extended_scale is not None:
        off = off_scale(upper, extended_scale)
        if off.any():
            s, p = (int(x) for x in np.argwhere(off)[0])
            where = _cell(checked_names, rows[p], cols[p], s if many else None)
            if extended_scale:
                raise JudgmentError("ahp.matrix.off_extended", cell=where,
                                    value=f"{upper[s, p]:.6g}")
            raise JudgmentError("ahp.matrix.off_saaty", cell=where, value=f"{upper[s, p]:.6g}")
    if any_missing and n > 1:
        unreachable = unreachable_elements(~np.isnan(stack))
        if unreachable.any():
            s = int(np.argwhere(unreachable.any(axis=1))[0][0])
            apart = [checked_names[i] for i in np.flatnonzero(unreachable[s])]
            linked = [checked_names[i] for i in np.flatnonzero(~unreachable[s])]
            if stack.shape[0] > 1:
                raise JudgmentError("ahp.matrix.not_connected_in", index=s, apart=apart,
                                    linked=linked)
            raise JudgmentError("ahp.matrix.not_connected", apart=apart, linked=linked)
    return values


@dataclass(frozen=True, eq=False)
class JudgmentMatrix:
    """A validated pairwise judgment matrix with the names of its elements.

    Attributes
    ----------
    values : numpy.ndarray
        (n, n) float array, read-only; NaN marks a missing judgment.
    names : tuple of str
        Names of the compared elements, in row order.
    extended_scale : bool
        False: every judgment is on Saaty's scale (within 5 % of one of its 17 values);
        True: any value in [1/9, 9] is allowed (:func:`ahp.scale.off_scale`).
    tol : float
        Tolerance used for the diagonal and reciprocity checks.
    """

    values: np.ndarray
    names: tuple[str, ...] = field(default=())
    extended_scale: bool = False
    tol: float = 1e-6

    def __post_init__(self) -> None:
        values = validate_array(
            self.values,
            names=self.names or None,
            extended_scale=self.extended_scale,
            tol=self.tol,
        )
        if values.ndim != 2:
            raise JudgmentError("ahp.matrix.one_matrix", shape=str(values.shape))
        values.setflags(write=False)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "names", _check_names(self.names or None, values.shape[0]))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, JudgmentMatrix):
            return NotImplemented
        return self.names == other.names and np.array_equal(
            self.values, other.values, equal_nan=True
        )

    def __hash__(self) -> int:
        return hash((self.names, np.where(np.isnan(self.values), -1.0, self.values).tobytes()))

    @property
    def n(self) -> int:
        """Number of compared elements."""
        return int(self.values.shape[0])

    @property
    def is_complete(self) -> bool:
        """True when no judgment is missing."""
        return not bool(np.isnan(self.values).any())

    @property
    def missing_pairs(self) -> list[tuple[str, str]]:
        """Names ``(row, column)`` of the missing judgments above the diagonal."""
        rows, cols = np.nonzero(np.triu(np.isnan(self.values), k=1))
        return [(self.names[i], self.names[j]) for i, j in zip(rows, cols, strict=True)]

    def upper_triangle(self) -> np.ndarray:
        """Judgments above the diagonal in row order: a_12, a_13, ..., a_1n, a_23, ..."""
        return self.values[np.triu_indices(self.n, k=1)]

    @classmethod
    def from_array(
        cls,
        values: Any,
        names: Iterable[Any] | None = None,
        *,
        extended_scale: bool = False,
        tol: float = 1e-6,
    ) -> JudgmentMatrix:
        """Build from a full square array (NaN or None = missing judgment).

        A pandas DataFrame gives its index as names when ``names`` is not given.
        """
        if names is None and hasattr(values, "index") and hasattr(values, "to_numpy"):
            names = [str(x) for x in values.index]
            values = values.to_numpy(dtype=object)
        checked = None if names is None else tuple(str(x) for x in names)
        return cls(values, checked or (), extended_scale=extended_scale, tol=tol)

    @classmethod
    def from_upper_triangle(
        cls,
        values: Sequence[Any],
        names: Iterable[Any] | None = None,
        *,
        extended_scale: bool = False,
        tol: float = 1e-6,
    ) -> JudgmentMatrix:
        """Build from the judgments above the diagonal in row order.

        ``values`` = (a_12, a_13, ..., a_1n, a_23, ..., a_(n-1)n): numbers, Saaty strings such
        as ``"1/3"``, or None/NaN for missing. Its length must be n(n - 1)/2; with ``names``
        given, ``n = len(names)``. The lower triangle is filled with reciprocals.
        """
        items = list(values)
        m = len(items)
        name_list = None if names is None else [str(x) for x in names]
        n = round((1 + math.sqrt(1 + 8 * m)) / 2)
        if name_list is not None and len(name_list) * (len(name_list) - 1) // 2 != m:
            n_names = len(name_list)
            raise JudgmentError("ahp.matrix.upper_names", m=m, names=n_names,
                                needed=n_names * (n_names - 1) // 2)
        if n * (n - 1) // 2 != m:
            raise JudgmentError("ahp.matrix.upper_count", m=m)
        labels = _check_names(name_list, n)
        full = np.ones((n, n))
        rows, cols = np.triu_indices(n, k=1)
        for item, i, j in zip(items, rows, cols, strict=True):
            full[i, j] = _parse_cell(item, labels, i, j)
            full[j, i] = 1.0 / full[i, j] if full[i, j] != 0 else math.inf
        return cls(full, labels, extended_scale=extended_scale, tol=tol)

    @classmethod
    def from_strings(
        cls,
        rows: Sequence[Sequence[Any]],
        names: Iterable[Any] | None = None,
        *,
        extended_scale: bool = False,
        tol: float = 1e-6,
    ) -> JudgmentMatrix:
        """Build from a full square table of Saaty strings (``"1/3"``, ``"3"``, ``"１／３"``).

        Blank cells are missing judgments. Numbers may be mixed with strings. A pandas
        DataFrame gives its index as names when ``names`` is not given.
        """
        if hasattr(rows, "index") and hasattr(rows, "to_numpy"):
            if names is None:
                names = [str(x) for x in rows.index]
            rows = rows.to_numpy(dtype=object)
        table = [list(row) for row in rows]
        n = len(table)
        bad = [r for r, row in enumerate(table) if len(row) != n]
        if bad:
            raise JudgmentError("ahp.matrix.row_cells", row=bad[0] + 1,
                                cells=len(table[bad[0]]), n=n)
        labels = _check_names(names, n) if n else ()
        parsed = [
            [_parse_cell(item, labels, i, j) for j, item in enumerate(row)]
            for i, row in enumerate(table)
        ]
        values = np.asarray(parsed, dtype=float).reshape(n, n)
        return cls(values, labels, extended_scale=extended_scale, tol=tol)

    @classmethod
    def from_pairs(
        cls,
        pairs: Mapping[tuple[Hashable, Hashable], Any],
        names: Iterable[Any] | None = None,
        *,
        n: int | None = None,
        extended_scale: bool = False,
        tol: float = 1e-6,
    ) -> JudgmentMatrix:
        """Build from a mapping ``{(i, j): a_ij}``; keys are element names or 0-based indices.

        With ``names`` given, keys may use names or indices. Without names, integer keys need
        ``n`` (or take ``max index + 1``) and string keys define the names in order of first
        appearance. Reciprocals are filled in; a pair given both ways must be reciprocal; pairs
        not given are missing.
        """
        name_list = None if names is None else [str(x) for x in names]
        if name_list is None and any(not isinstance(k, int | np.integer) for p in pairs for k in p):
            seen: dict[str, None] = {}
            for p in pairs:
                for k in p:
                    seen.setdefault(str(k), None)
            name_list = list(seen)
        if name_list is not None:
            size = len(name_list)
        elif n is not None:
            size = n
        else:
            size = 1 + max((int(k) for p in pairs for k in p), default=0)
        labels = _check_names(name_list, size)
        position = {name: i for i, name in enumerate(labels)}

        def locate(key: Hashable) -> int:
            if isinstance(key, int | np.integer) and not isinstance(key, bool):
                if not 0 <= int(key) < size:
                    raise JudgmentError("ahp.matrix.pair_index", pair=key, last=size - 1)
                return int(key)
            if str(key) not in position:
                raise JudgmentError("ahp.matrix.pair_unknown", pair=repr(key),
                                    known=str(labels))
            return position[str(key)]

        full = np.full((size, size), np.nan)
        np.fill_diagonal(full, 1.0)
        given = np.zeros((size, size), dtype=bool)
        for key, item in pairs.items():
            if len(key) != 2:
                raise JudgmentError("ahp.matrix.pair_key", pair=repr(key))
            i, j = locate(key[0]), locate(key[1])
            value = _parse_cell(item, labels, i, j)
            if i == j:
                full[i, i] = value
                continue
            if given[j, i] and not (
                math.isnan(value) or abs(value * full[j, i] - 1.0) <= tol
            ):
                raise JudgmentError("ahp.matrix.pairs_not_reciprocal", a=labels[i],
                                    b=labels[j], ab=f"{value:.6g}", ba=f"{full[j, i]:.6g}")
            full[i, j] = value
            full[j, i] = 1.0 / value if value != 0 else math.inf
            given[i, j] = True
        return cls(full, labels, extended_scale=extended_scale, tol=tol)


def _parse_cell(item: Any, names: Sequence[str], i: int, j: int) -> float:
    try:
        return parse_judgment(item)
    except JudgmentError as exc:
        raise JudgmentError("ahp.matrix.cell_reason", reason=exc.message,
                            cell=_cell(names, i, j)) from None


MatrixLike: TypeAlias = (
    JudgmentMatrix | Sequence[JudgmentMatrix] | np.ndarray | Sequence[Sequence[float]]
)
"""What the math functions accept as judgments: a :class:`JudgmentMatrix`, a sequence of them,
an (n, n) or (k, n, n) array, or nested lists (NaN marks a missing judgment)."""


def as_array(matrix: MatrixLike, *, tol: float = 1e-6) -> np.ndarray:
    """Return the judgments as a float array of shape (n, n) or (k, n, n).

    Accepts a :class:`JudgmentMatrix` (returned as is), a sequence of them with equal ``n``
    (stacked), or a 2-D/3-D array-like, which is validated with every check of
    :func:`validate_array` except the scale (a float64 array is not copied; callers must not
    modify the result). Computations accept any positive reciprocal matrix (a group mean,
    measured ratios, a perturbed matrix); the scale is enforced where judgments are entered
    (:class:`JudgmentMatrix`, :class:`ahp.panel.PanelJudgments`, workbooks, the store).
    """
    if isinstance(matrix, JudgmentMatrix):
        return matrix.values
    if (
        isinstance(matrix, Sequence)
        and len(matrix) > 0
        and all(isinstance(m, JudgmentMatrix) for m in matrix)
    ):
        sizes = {m.n for m in matrix}
        if len(sizes) != 1:
            raise JudgmentError("ahp.matrix.stack_sizes", sizes=str(sorted(sizes)))
        return np.stack([m.values for m in matrix])
    return _checked(matrix, None, None, tol, copy=False)
