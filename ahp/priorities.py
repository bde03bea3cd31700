"""Priority vectors from judgment matrices, one matrix or a stack in one vectorized call.

Methods (all return weights that sum to one):

``"eigenvector"`` (特征向量法, default)
    The principal right eigenvector, ``A w = λmax w`` (Saaty 1977, 1980). Incomplete
    matrices use Harker's (1987) matrix: a missing ``a_ij`` becomes 0 and the diagonal entry
    ``a_ii`` becomes ``1 + m_i``, where ``m_i`` is the number of missing judgments in row ``i``.
``"geometric"`` (方根法)
    Row geometric mean, ``w_i ∝ (Π_j a_ij)^(1/n)`` (Crawford & Williams 1985). Incomplete
    matrices use logarithmic least squares, minimising ``Σ_(i,j known) (ln a_ij - ln w_i +
    ln w_j)²`` (Bozóki, Fülöp & Rónyai 2010), which solves ``L x = r`` with ``L`` the Laplacian
    of the comparison graph and ``r_i = Σ_(j known) ln a_ij``; ``w ∝ exp(x)``. For a complete
    matrix this equals the row geometric mean.
``"arithmetic"`` (和积法)
    Mean of the normalised columns, ``w_i = (1/n) Σ_j a_ij / Σ_l a_lj`` (Saaty 1980;
    the "approximate" method). Needs a complete matrix.

The principal eigenvector of a whole stack is computed at once by the power method on
``B = A^64`` (six squarings of the rescaled matrices): each step ``w ← B w`` shrinks the error
by ``(|λ2|/λmax)^64`` (below 1e-8 for random 7×7 Saaty matrices, whose ratio is at most about
0.75), and steps continue until no vector moves by 1e-13. One last step ``A w`` gives
``λmax = Σ_i (A w)_i`` (``w`` sums to one) and checks each matrix: any whose vector still
moves by more than 1e-12 is solved with ``numpy.linalg.eig`` instead.

References
----------
Saaty, T. L. (1977). A scaling method for priorities in hierarchical structures.
*Journal of Mathematical Psychology*, 15(3), 234-281.
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
Crawford, G., & Williams, C. (1985). A note on the analysis of subjective judgment matrices.
*Journal of Mathematical Psychology*, 29(4), 387-405.
Harker, P. T. (1987). Incomplete pairwise comparisons in the analytic hierarchy process.
*Mathematical Modelling*, 9(11), 837-848.
Bozóki, S., Fülöp, J., & Rónyai, L. (2010). On optimal completion of incomplete pairwise
comparison matrices. *Mathematical and Computer Modelling*, 52(1-2), 318-333.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ahp.errors import JudgmentError
from ahp.matrix import MatrixLike, as_array
from i18n.messages import Message

__all__ = ["METHODS", "Eigen", "harker_matrix", "principal_eigen", "priorities"]

METHODS: tuple[str, ...] = ("eigenvector", "geometric", "arithmetic")

_SQUARINGS = 6
_MAX_STEPS = 40
_STEP_TOL = 1e-13
_POWER_TOL = 1e-12


@dataclass(frozen=True)
class Eigen:
    """Principal eigenpair of a judgment matrix or a stack.

    Attributes
    ----------
    weights : numpy.ndarray
        (n,) or (k, n), each summing to one.
    lambda_max : float or numpy.ndarray
        Principal eigenvalue (Harker's matrix for incomplete judgments); (k,) for a stack.
    """

    weights: np.ndarray
    lambda_max: float | np.ndarray


def harker_matrix(values: np.ndarray) -> np.ndarray:
    """Harker's (1987) nonnegative matrix for (k, n, n) judgments with NaN = missing.

    ``c_ij = a_ij`` when known, 0 when missing; ``c_ii = 1 + m_i`` with ``m_i`` the number
    of missing judgments in row ``i``. Returns ``values`` itself when nothing is missing.
    """
    missing = np.isnan(values)
    if not missing.any():
        return values
    harker = np.where(missing, 0.0, values)
    diagonal = np.einsum("...ii->...i", harker)
    diagonal += missing.sum(axis=-1)
    return harker


def _eig_fallback(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Principal eigenpair by LAPACK for the few matrices the squaring loop did not settle."""
    eigenvalues, eigenvectors = np.linalg.eig(a)
    index = np.argmax(eigenvalues.real, axis=-1)
    rows = np.arange(a.shape[0])
    vectors = np.abs(eigenvectors[rows, :, index].real)
    return vectors / vectors.sum(axis=-1, keepdims=True), eigenvalues[rows, index].real


def _perron(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Principal eigenpair of a (k, n, n) stack of primitive nonnegative matrices.

    ``B = A^(2^s)`` by ``s`` squarings (rescaled to unit sum every second squaring and at the
    end, in two preallocated buffers: large temporaries cost more in page faults than in
    arithmetic), then power steps ``w ← B w`` until the stack moves less than 1e-13, then one
    step with ``A`` for ``λmax`` and the per-matrix check.
    """
    k, n = a.shape[0], a.shape[-1]
    b = a / a.reshape(k, -1).sum(axis=1)[:, None, None]
    spare = np.empty_like(b)
    for square in range(_SQUARINGS):
        np.matmul(b, b, out=spare)
        b, spare = spare, b
        if square % 2 or square == _SQUARINGS - 1:
            b /= b.reshape(k, -1).sum(axis=1)[:, None, None]
    w = (b @ np.ones((n, 1)))[..., 0]
    w /= w.sum(axis=-1, keepdims=True)
    for _ in range(_MAX_STEPS):
        step = (b @ w[..., None])[..., 0]
        step /= step.sum(axis=-1, keepdims=True)
        moved = np.max(np.abs(step - w))
        w = step
        if moved < _STEP_TOL:
            break
    product = (a @ w[..., None])[..., 0]
    lambda_max = product.sum(axis=-1)
    weights = product / lambda_max[:, None]
    unsettled = ~(np.max(np.abs(weights - w), axis=-1) <= _POWER_TOL)
    if unsettled.any():
        weights[unsettled], lambda_max[unsettled] = _eig_fallback(a[unsettled])
    return weights, lambda_max


def principal_eigen(matrix: Any) -> Eigen:
    """Principal eigenvector (normalised to sum one) and eigenvalue λmax.

    ``matrix`` is a :class:`~ahp.matrix.JudgmentMatrix`, an (n, n) or a (k, n, n) array.
    Incomplete matrices are replaced by :func:`harker_matrix` first (Harker 1987), so
    ``lambda_max`` is the eigenvalue of Harker's matrix.
    """
    values = as_array(matrix)
    stack = values.reshape(-1, *values.shape[-2:])
    weights, lambda_max = _perron(harker_matrix(stack))
    if values.ndim == 2:
        return Eigen(weights[0], float(lambda_max[0]))
    return Eigen(weights, lambda_max)


def _geometric(stack: np.ndarray) -> np.ndarray:
    logs = np.log(stack)
    missing = np.isnan(logs)
    if not missing.any():
        x = logs.mean(axis=-1)
    else:
        n = stack.shape[-1]
        known = (~missing).astype(np.float64)
        laplacian = -known
        diagonal = np.einsum("...ii->...i", laplacian)
        diagonal += known.sum(axis=-1)
        rhs = np.where(missing, 0.0, logs).sum(axis=-1)
        x = np.linalg.solve(laplacian + 1.0 / n, rhs[..., None])[..., 0]
    w = np.exp(x - x.max(axis=-1, keepdims=True))
    return w / w.sum(axis=-1, keepdims=True)


def _arithmetic(stack: np.ndarray) -> np.ndarray:
    if np.isnan(stack).any():
        s, i, j = (int(x) for x in np.argwhere(np.isnan(stack))[0])
        where = Message("ahp.matrix.position", row=i + 1, column=j + 1)
        if stack.shape[0] > 1:
            where = Message("ahp.matrix.cell_in", index=s, cell=where)
        raise JudgmentError("ahp.priorities.arithmetic_missing", cell=where)
    normalised = stack / stack.sum(axis=-2, keepdims=True)
    return normalised.mean(axis=-1)


def priorities(matrix: MatrixLike, method: str = "eigenvector") -> np.ndarray:
    """Priority vector(s) of a judgment matrix or a stack of matrices.

    Parameters
    ----------
    matrix
        A :class:`~ahp.matrix.JudgmentMatrix`, a sequence of them with equal size, or an
        array of shape (n, n) or (k, n, n); NaN marks missing judgments.
    method
        ``"eigenvector"`` (default), ``"geometric"`` or ``"arithmetic"``; formulas and sources
        in the module docstring.

    Returns
    -------
    numpy.ndarray
        (n,) weights for one matrix, (k, n) for a stack; every vector sums to one.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    values = as_array(matrix)
    stack = values.reshape(-1, *values.shape[-2:])
    if method == "eigenvector":
        weights = _perron(harker_matrix(stack))[0]
    else:
        weights = _approximate(stack, method)
    return weights[0] if values.ndim == 2 else weights


def _approximate(stack: np.ndarray, method: str) -> np.ndarray:
    """Weights of a validated (k, n, n) stack by the ``"geometric"`` or ``"arithmetic"`` method."""
    return _geometric(stack) if method == "geometric" else _arithmetic(stack)
