r"""Objective weights from a community × indicator matrix (熵权法, CRITIC) and their combination
with subjective (AHP) weights (主客观组合赋权).

Alternatives (communities) are rows ``i = 1..m``, criteria (indicators) are columns ``j = 1..n``.
A criterion is a *benefit* criterion (larger is better) or a *cost* criterion (smaller is better).

Min–max normalisation (both methods, the default of the entropy method)::

    benefit: r_ij = (x_ij − min_i x_ij) / (max_i x_ij − min_i x_ij)
    cost:    r_ij = (max_i x_ij − x_ij) / (max_i x_ij − min_i x_ij)

so a cost criterion gives exactly the weights of the benefit criterion ``−x``.

Entropy weight method (Shannon entropy; the steps as in SPSSAU's help page 熵值法 / Entropy
Method, https://www.spssau.net/helps/entropy.html)::

    p_ij = r_ij / Σ_i r_ij,   e_j = −k Σ_i p_ij ln p_ij  with 0·ln 0 = 0,  k = 1 / ln m,
    d_j = 1 − e_j,            w_j = d_j / Σ_j d_j.

``normalization="minmax"`` (default) takes ``r`` from min–max normalisation above (the usual
convention of Chinese evaluation papers, 极差标准化); ``normalization="share"`` takes ``r = x``
itself (SPSSAU's computation when the data are not standardised first; requires positive data
and benefit criteria only, e.g. Elsayed, Dawood & Karthikeyan 2017). Published examples differ
exactly here, so the convention is a parameter. A constant column has ``e_j = 1`` (under
min–max its column is all 0 and is given ``e_j = 1`` by definition), hence weight 0.

CRITIC (Diakoulaki, Mavrotas & Papayannakis 1995) on the min–max normalised matrix::

    σ_j = standard deviation of column j (ddof = 1 by default, as SPSSAU; ddof does not change
          the weights because it rescales every σ_j by the same factor),
    C_j = σ_j Σ_k (1 − ρ_jk)     (ρ = Pearson correlation of the normalised columns),
    w_j = C_j / Σ_j C_j.

References
----------
Diakoulaki, D., Mavrotas, G., & Papayannakis, L. (1995). Determining objective weights in
multiple criteria problems: The CRITIC method. *Computers & Operations Research*, 22(7), 763–770.
Shannon, C. E. (1948). A mathematical theory of communication. *Bell System Technical Journal*, 27.
Zeleny, M. (1982). *Multiple Criteria Decision Making*. McGraw-Hill (entropy weights).
SPSSAU (2024). 熵值法 / CRITIC权重 help pages, https://www.spssau.net/helps/.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from evaluation.methods._inputs import as_matrix, benefit_flags, check_weights
from evaluation.methods.errors import MethodError, MethodWarning

__all__ = [
    "COMBINATIONS",
    "MIN_ALTERNATIVES",
    "NEGLIGIBLE_SHARE",
    "NORMALIZATIONS",
    "combine_weights",
    "critic_weights",
    "entropy_weights",
    "minmax_normalize",
]

NORMALIZATIONS = ("minmax", "share")
COMBINATIONS = ("multiplicative", "linear")
MIN_ALTERNATIVES = 5
"""Fewer alternatives than this give a :class:`MethodWarning` (weights from so few rows are
unstable)."""
NEGLIGIBLE_SHARE = 0.05
"""A criterion whose objective weight is below this share of the equal weight ``1/n`` barely
varies; it gets a :class:`MethodWarning`."""

Matrix = pd.DataFrame | np.ndarray
Benefit = Sequence[bool] | np.ndarray | pd.Series | None


def _wrap(weights: np.ndarray, matrix: Matrix) -> pd.Series | np.ndarray:
    if isinstance(matrix, pd.DataFrame):
        return pd.Series(weights, index=matrix.columns, name="weight")
    return weights


def _warn_few(m: int, method: str) -> None:
    if m < MIN_ALTERNATIVES:
        warnings.warn(
            f"{method}: only {m} alternatives (rows); objective weights from fewer than "
            f"{MIN_ALTERNATIVES} are unstable",
            MethodWarning,
            stacklevel=3,
        )


def _warn_negligible(weights: np.ndarray, names: list[str], method: str) -> None:
    small = [names[j] for j in np.flatnonzero(weights < NEGLIGIBLE_SHARE / weights.size)]
    if small:
        warnings.warn(
            f"{method}: criterion/criteria {', '.join(small)} barely vary across the "
            f"alternatives and get (almost) no weight",
            MethodWarning,
            stacklevel=3,
        )


def minmax_normalize(matrix: Matrix, benefit: Benefit = None) -> np.ndarray:
    """Min–max normalised matrix in [0, 1] (formula in the module docstring).

    Raises :class:`MethodError` naming a constant column (its range is 0).
    """
    x, names = as_matrix(matrix)
    flags = benefit_flags(benefit, names)
    low, high = x.min(axis=0), x.max(axis=0)
    span = high - low
    if np.any(span == 0):
        j = int(np.flatnonzero(span == 0)[0])
        raise MethodError(
            f"column '{names[j]}' is constant ({low[j]:.6g}): it cannot be normalised"
        )
    return np.where(flags, (x - low) / span, (high - x) / span)


def entropy_weights(
    matrix: Matrix, benefit: Benefit = None, normalization: str = "minmax"
) -> pd.Series | np.ndarray:
    """Entropy weights of the criteria (columns); formulas and conventions in the module docstring.

    Parameters
    ----------
    matrix : DataFrame or 2-D array, alternatives in rows, criteria in columns.
    benefit : one bool per criterion (True benefit, False cost); None = all benefit.
    normalization : ``"minmax"`` (default) or ``"share"`` (raw positive data, benefit only).

    Returns a Series indexed by column for a DataFrame, else an array; the weights sum to 1.
    Warns (:class:`MethodWarning`) with fewer than ``MIN_ALTERNATIVES`` rows or when a criterion
    barely varies (constant columns get weight 0); raises :class:`MethodError` when every column
    is constant, on NaN, and (``"share"``) on zero or negative values or a cost flag.
    """
    if normalization not in NORMALIZATIONS:
        raise MethodError(f"normalization must be one of {NORMALIZATIONS}, got '{normalization}'")
    x, names = as_matrix(matrix)
    flags = benefit_flags(benefit, names)
    m = x.shape[0]
    if m < 2:
        raise MethodError("entropy weights need at least 2 alternatives (rows)")
    if normalization == "share":
        if not flags.all():
            cost = [names[j] for j in np.flatnonzero(~flags)]
            raise MethodError(
                f"normalization='share' takes benefit criteria only; cost column(s) "
                f"{', '.join(cost)}: use normalization='minmax' or reverse them first"
            )
        if np.any(x <= 0):
            i, j = np.argwhere(x <= 0)[0]
            raise MethodError(
                f"normalization='share' needs positive values: column '{names[j]}', row {i + 1} "
                f"is {x[i, j]:.6g} (shift the column or use normalization='minmax')"
            )
        r = x
    else:
        low, high = x.min(axis=0), x.max(axis=0)
        span = np.where(high > low, high - low, 1.0)
        r = np.where(flags, (x - low) / span, (high - x) / span)
    totals = r.sum(axis=0)
    constant = totals == 0  # min–max of a constant column: all zero
    if constant.all():
        raise MethodError("every column is constant: entropy weights are undefined")
    p = r / np.where(constant, 1.0, totals)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = np.where(constant, 1.0, -plogp.sum(axis=0) / np.log(m))
    d = np.clip(1.0 - e, 0.0, None)
    if d.sum() == 0:
        raise MethodError("every column is constant: entropy weights are undefined")
    w = d / d.sum()
    _warn_few(m, "entropy weights")
    _warn_negligible(w, names, "entropy weights")
    return _wrap(w, matrix)


def critic_weights(
    matrix: Matrix, benefit: Benefit = None, ddof: int = 1
) -> pd.Series | np.ndarray:
    """CRITIC weights (Diakoulaki et al. 1995) of the criteria; formulas in the module docstring.

    Raises :class:`MethodError` naming a constant column (zero standard deviation), on NaN and
    with fewer than 3 alternatives (correlations need 3); warns with fewer than
    ``MIN_ALTERNATIVES``.
    """
    x, names = as_matrix(matrix)
    if x.shape[0] < 3:
        raise MethodError(f"CRITIC needs at least 3 alternatives (rows), got {x.shape[0]}")
    r = minmax_normalize(matrix, benefit)
    sigma = r.std(axis=0, ddof=ddof)
    rho = np.corrcoef(r, rowvar=False) if r.shape[1] > 1 else np.ones((1, 1))
    c = sigma * (1.0 - rho).sum(axis=0)
    if c.sum() <= 0:
        raise MethodError("CRITIC: the criteria carry no information (all perfectly correlated)")
    w = c / c.sum()
    _warn_few(x.shape[0], "CRITIC weights")
    _warn_negligible(w, names, "CRITIC weights")
    return _wrap(w, matrix)


def combine_weights(
    subjective: pd.Series | Sequence[float] | np.ndarray,
    objective: pd.Series | Sequence[float] | np.ndarray,
    method: str = "multiplicative",
    alpha: float = 0.5,
) -> pd.Series | np.ndarray:
    """Combine subjective (AHP) and objective weights (主客观组合赋权).

    ``"multiplicative"``: ``w_j = s_j o_j / Σ_k s_k o_k``;
    ``"linear"``: ``w_j = α s_j + (1 − α) o_j`` with ``0 ≤ α ≤ 1`` (α = share of the subjective).
    Both inputs must sum to 1;
    Series are aligned on their index (the result keeps the subjective order).
    """
    if method not in COMBINATIONS:
        raise MethodError(f"method must be one of {COMBINATIONS}, got '{method}'")
    if not 0.0 <= alpha <= 1.0:
        raise MethodError(f"alpha must lie in [0, 1], got {alpha}")
    if isinstance(subjective, pd.Series) != isinstance(objective, pd.Series):
        raise MethodError("give both weight vectors as Series (aligned by name) or neither")
    if isinstance(subjective, pd.Series):
        names = [str(i) for i in subjective.index]
        other = [str(i) for i in objective.index]
        if sorted(names) != sorted(other):
            raise MethodError(
                f"the weight vectors name different criteria: only subjective "
                f"{sorted(set(names) - set(other)) or 'none'}, only objective "
                f"{sorted(set(other) - set(names)) or 'none'}"
            )
        s = subjective.to_numpy(dtype=float)
        o = objective.set_axis(other).loc[names].to_numpy(dtype=float)
    else:
        s = np.asarray(subjective, dtype=float).reshape(-1)
        o = np.asarray(objective, dtype=float).reshape(-1)
        if s.size != o.size:
            raise MethodError(f"{s.size} subjective weights but {o.size} objective weights")
        names = [f"criterion {j + 1}" for j in range(s.size)]
    check_weights(s, names, "subjective weights")
    check_weights(o, names, "objective weights")
    if method == "multiplicative":
        product = s * o
        if product.sum() == 0:
            raise MethodError("subjective × objective weights are 0 for every criterion")
        w = product / product.sum()
    else:
        w = alpha * s + (1.0 - alpha) * o
    if isinstance(subjective, pd.Series):
        return pd.Series(w, index=subjective.index, name="weight")
    return w
