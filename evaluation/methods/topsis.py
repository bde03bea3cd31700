r"""TOPSIS: ranking alternatives by relative closeness to the ideal solution (Hwang & Yoon 1981).

Alternatives (communities) in rows ``i``, criteria in columns ``j``, weights ``w_j`` summing to 1::

    vector normalisation (default, Hwang & Yoon):  r_ij = x_ij / sqrt(Σ_i x_ij²)
    min–max normalisation (option):                r_ij = (x_ij − min_i x_ij) / (max_i − min_i)
    v_ij = w_j r_ij
    ideal A+_j = max_i v_ij (benefit) or min_i v_ij (cost);  anti-ideal A−_j the opposite
    D+_i = ||v_i − A+||₂,  D−_i = ||v_i − A−||₂,  C_i = D−_i / (D+_i + D−_i) ∈ [0, 1]

and the alternatives are ranked by ``C_i`` (1 = best, ties share the smaller rank). With
min–max normalisation the cost direction enters through the ideal/anti-ideal only (the column
is not reflected), which is the usual textbook formulation.

References
----------
Hwang, C.-L., & Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and
Applications*. Springer (TOPSIS, vector normalisation).
Opricovic, S., & Tzeng, G.-H. (2004). Compromise solution by MCDM methods: A comparative
analysis of VIKOR and TOPSIS. *European Journal of Operational Research*, 156(2), 445–455.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.methods._inputs import as_matrix, benefit_flags, weight_vector
from evaluation.methods.errors import MethodError

__all__ = ["TOPSIS_NORMALIZATIONS", "TopsisResult", "topsis"]

TOPSIS_NORMALIZATIONS = ("vector", "minmax")


@dataclass(frozen=True)
class TopsisResult:
    """TOPSIS result: ``closeness`` C, ``d_plus`` D+, ``d_minus`` D−, ``rank`` (1 = best) per
    alternative (Series indexed like the matrix rows for a DataFrame, else arrays); ``ideal`` and
    ``anti_ideal`` per criterion (weighted normalised scale); ``normalization`` used."""

    closeness: pd.Series | np.ndarray
    d_plus: pd.Series | np.ndarray
    d_minus: pd.Series | np.ndarray
    rank: pd.Series | np.ndarray
    ideal: pd.Series | np.ndarray
    anti_ideal: pd.Series | np.ndarray
    normalization: str


def topsis(
    matrix: pd.DataFrame | np.ndarray,
    weights: pd.Series | Sequence[float] | np.ndarray,
    benefit: Sequence[bool] | np.ndarray | pd.Series | None = None,
    normalization: str = "vector",
) -> TopsisResult:
    """Rank alternatives by TOPSIS (formulas in the module docstring).

    Raises :class:`MethodError` for weights that do not sum to 1 (naming the sum), a weight
    count that does not match the columns, NaN cells, an all-zero column (vector) or a constant
    column (min–max), and when every alternative is identical (C undefined).
    """
    if normalization not in TOPSIS_NORMALIZATIONS:
        raise MethodError(
            f"normalization must be one of {TOPSIS_NORMALIZATIONS}, got '{normalization}'"
        )
    x, names = as_matrix(matrix)
    w = weight_vector(weights, names)
    flags = benefit_flags(benefit, names)
    if normalization == "vector":
        norm = np.sqrt((x**2).sum(axis=0))
        if np.any(norm == 0):
            j = int(np.flatnonzero(norm == 0)[0])
            raise MethodError(f"column '{names[j]}' is all zero: it cannot be vector-normalised")
        r = x / norm
    else:
        low, span = x.min(axis=0), np.ptp(x, axis=0)
        if np.any(span == 0):
            j = int(np.flatnonzero(span == 0)[0])
            raise MethodError(f"column '{names[j]}' is constant: it cannot be min–max normalised")
        r = (x - low) / span
    v = r * w
    ideal = np.where(flags, v.max(axis=0), v.min(axis=0))
    anti = np.where(flags, v.min(axis=0), v.max(axis=0))
    d_plus = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - anti) ** 2).sum(axis=1))
    total = d_plus + d_minus
    if np.any(total == 0):
        raise MethodError("every alternative is identical on the weighted criteria: C is undefined")
    closeness = d_minus / total
    rank = pd.Series(closeness).rank(ascending=False, method="min").to_numpy(dtype=int)
    if isinstance(matrix, pd.DataFrame):
        rows, cols = matrix.index, matrix.columns
        return TopsisResult(
            closeness=pd.Series(closeness, index=rows, name="closeness"),
            d_plus=pd.Series(d_plus, index=rows, name="d_plus"),
            d_minus=pd.Series(d_minus, index=rows, name="d_minus"),
            rank=pd.Series(rank, index=rows, name="rank"),
            ideal=pd.Series(ideal, index=cols, name="ideal"),
            anti_ideal=pd.Series(anti, index=cols, name="anti_ideal"),
            normalization=normalization,
        )
    return TopsisResult(closeness, d_plus, d_minus, rank, ideal, anti, normalization)
