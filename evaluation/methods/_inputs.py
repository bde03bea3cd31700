"""Shared checks of decision matrices, benefit flags and weight vectors."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from evaluation.methods.errors import MethodError

WEIGHT_TOL = 1e-6
"""Weights must sum to 1 within this tolerance."""


def as_matrix(matrix: pd.DataFrame | np.ndarray) -> tuple[np.ndarray, list[str]]:
    """A decision matrix (alternatives in rows, criteria in columns) as a float array, with
    the column names (``"column 1"``… for an array); NaN or infinite cells are refused."""
    if isinstance(matrix, pd.DataFrame):
        names = [str(c) for c in matrix.columns]
        rows = [str(r) for r in matrix.index]
        try:
            values = matrix.to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise MethodError(f"the matrix must be numeric ({exc})") from None
    else:
        values = np.asarray(matrix, dtype=float)
        if values.ndim != 2:
            raise MethodError(
                f"the matrix must be 2-D (alternatives × criteria), got {values.ndim}-D"
            )
        names = [f"column {j + 1}" for j in range(values.shape[1])]
        rows = [f"row {i + 1}" for i in range(values.shape[0])]
    if values.shape[0] == 0 or values.shape[1] == 0:
        raise MethodError(f"the matrix is empty ({values.shape[0]} × {values.shape[1]})")
    bad = ~np.isfinite(values)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise MethodError(
            f"missing or infinite value in {rows[i]}, column '{names[j]}' "
            f"({int(bad.sum())} such cell(s)); fill or drop them first"
        )
    return values, names


def benefit_flags(
    benefit: Sequence[bool] | np.ndarray | pd.Series | None, names: list[str]
) -> np.ndarray:
    """One bool per criterion (True benefit, False cost); ``None`` means every criterion is a
    benefit. A Series is aligned on the column names."""
    if benefit is None:
        return np.ones(len(names), dtype=bool)
    if isinstance(benefit, pd.Series):
        missing = [n for n in names if n not in benefit.index.astype(str)]
        if missing:
            raise MethodError(f"no benefit/cost flag for column(s) {', '.join(missing)}")
        benefit = benefit.set_axis(benefit.index.astype(str)).loc[names].to_numpy()
    flags = np.asarray(benefit)
    if flags.shape != (len(names),):
        raise MethodError(f"{flags.size} benefit/cost flags for {len(names)} criteria")
    if flags.dtype != bool and not np.isin(flags, (0, 1)).all():
        raise MethodError("benefit flags must be True (benefit) or False (cost)")
    return flags.astype(bool)


def weight_vector(
    weights: Sequence[float] | np.ndarray | pd.Series, names: list[str], what: str = "weights"
) -> np.ndarray:
    """A weight vector for the criteria ``names``: finite, non-negative, summing to 1.
    A Series is aligned on its index."""
    if isinstance(weights, pd.Series):
        index = weights.index.astype(str)
        missing = [n for n in names if n not in index]
        extra = [str(i) for i in index if i not in names]
        if missing or extra:
            raise MethodError(
                f"{what} do not match the criteria: missing {missing or 'none'}, "
                f"unknown {extra or 'none'}"
            )
        w = weights.set_axis(index).loc[names].to_numpy(dtype=float)
    else:
        w = np.asarray(weights, dtype=float).reshape(-1)
        if w.size != len(names):
            raise MethodError(f"{w.size} {what} for {len(names)} criteria")
    check_weights(w, names, what)
    return w


def check_weights(w: np.ndarray, names: Sequence[str], what: str = "weights") -> None:
    """Refuse NaN, negative weights and weights whose sum is not 1 (naming the sum)."""
    if not np.all(np.isfinite(w)):
        j = int(np.flatnonzero(~np.isfinite(w))[0])
        raise MethodError(f"{what}: missing or infinite value for '{names[j]}'")
    if np.any(w < 0):
        j = int(np.flatnonzero(w < 0)[0])
        raise MethodError(f"{what}: negative weight {w[j]:.6g} for '{names[j]}'")
    total = float(w.sum())
    if abs(total - 1.0) > WEIGHT_TOL:
        raise MethodError(f"{what} sum to {total:.9g}, not 1")
