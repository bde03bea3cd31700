"""Consistency of judgment matrices: λmax, CI, RI and CR (Saaty 1977, 1980).

``CI = (λmax - n) / (n - 1)``, ``CR = CI / RI(n)``; a matrix is acceptable when
``CR < threshold`` (0.10 by default; Saaty 1980). ``RI(n)`` is the mean CI of random
reciprocal matrices on the 1/9..9 scale; published tables differ with the simulation, so the
table is selectable (:data:`RI_TABLES`). Matrices with ``n <= 2`` are always consistent:
``CI = CR = 0``. A CI below zero can only come from rounding and is set to zero.

For incomplete matrices ``λmax`` is the principal eigenvalue of Harker's (1987) matrix (see
:mod:`ahp.priorities`), and CI and CR use the same formulas with the full ``n`` and the same RI
(Harker 1987 uses this CI as the consistency measure of an incomplete matrix; the RI of
complete random matrices makes the CR an approximation when many judgments are missing).

References
----------
Saaty, T. L. (1977). A scaling method for priorities in hierarchical structures.
*Journal of Mathematical Psychology*, 15(3), 234-281.
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
Harker, P. T. (1987). Incomplete pairwise comparisons in the analytic hierarchy process.
*Mathematical Modelling*, 9(11), 837-848.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ahp.errors import JudgmentError
from ahp.matrix import MatrixLike, as_array
from ahp.priorities import METHODS, _approximate, _perron, harker_matrix

__all__ = [
    "RI_SOURCES",
    "RI_TABLES",
    "Consistency",
    "Evaluation",
    "consistency",
    "evaluate",
    "random_index",
]

RI_TABLES: dict[str, tuple[float, ...]] = {
    "saaty": (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57,
              1.59),
    "saaty2005": (0.0, 0.0, 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56,
                  1.58, 1.59),
    "donegan_dodd": (0.0, 0.0, 0.4914, 0.8286, 1.0591, 1.1797, 1.2519, 1.3171, 1.3733, 1.4055,
                     1.4213, 1.4497, 1.4643, 1.4822, 1.4969),
    "alonso_lamata": (0.0, 0.0, 0.5245, 0.8815, 1.1086, 1.2479, 1.3417, 1.4056, 1.4499, 1.4854,
                      1.5141, 1.5365, 1.5551, 1.5713, 1.5838),
    "ahpsurvey": (0.0, 0.0, 0.5251686, 0.8836651, 1.1081014, 1.2492774, 1.3415514, 1.4048466,
                  1.4507197, 1.4857266, 1.5141022, 1.5356638, 1.5545925, 1.5703498, 1.5839958),
}
"""Random consistency indices RI(n) for n = 1..15 (index ``n - 1``)."""

RI_SOURCES: dict[str, str] = {
    "saaty": "Saaty, T. L. (1980). The Analytic Hierarchy Process. McGraw-Hill: the commonly "
    "reprinted table for n = 1..15 (0.58 ... 1.51, 1.48, 1.56, 1.57, 1.59).",
    "saaty2005": "Saaty, T. L. (2005). Theory and Applications of the Analytic Network "
    "Process. RWS Publications, p. 31 (as used by AHPy's random_index='saaty').",
    "donegan_dodd": "Donegan, H. A., & Dodd, F. J. (1991). A note on Saaty's random indexes. "
    "Mathematical and Computer Modelling, 15(10), 135-137 (AHPy's default).",
    "alonso_lamata": "Alonso, J. A., & Lamata, M. T. (2006). Consistency in the analytic "
    "hierarchy process: a new approach. International Journal of Uncertainty, Fuzziness and "
    "Knowledge-Based Systems, 14(4), 445-459 (100,000 random matrices per n).",
    "ahpsurvey": "Cho, F. (2019). ahpsurvey: Analytic Hierarchy Process for Survey Data, R "
    "package 0.4.1, function ahp.cr (500,000 simulated matrices per n; RI(5) = 1.108).",
}
"""Where each RI table comes from."""


def random_index(n: int, ri_table: str = "saaty") -> float:
    """RI(n) from the named table (:data:`RI_TABLES`), for 1 <= n <= 15."""
    if ri_table not in RI_TABLES:
        raise ValueError(f"ri_table must be one of {sorted(RI_TABLES)}, not {ri_table!r}")
    table = RI_TABLES[ri_table]
    if not 1 <= n <= len(table):
        raise JudgmentError("ahp.consistency.no_ri", n=n, table=repr(ri_table),
                            size=len(table))
    return table[n - 1]


@dataclass(frozen=True)
class Consistency:
    """Consistency of one judgment matrix (floats) or of a stack ((k,) arrays).

    Attributes
    ----------
    lambda_max : float or numpy.ndarray
        Principal eigenvalue (Harker's matrix when judgments are missing).
    ci : float or numpy.ndarray
        Consistency index ``(λmax - n) / (n - 1)``; 0 for n <= 2.
    ri : float
        Random index ``RI(n)`` of the chosen table.
    cr : float or numpy.ndarray
        Consistency ratio ``CI / RI``; 0 for n <= 2.
    threshold : float
        CR limit; a matrix is acceptable when ``cr < threshold``.
    n : int
        Number of compared elements.
    ri_table : str
        Name of the RI table (key of :data:`RI_TABLES`).
    """

    lambda_max: float | np.ndarray
    ci: float | np.ndarray
    ri: float
    cr: float | np.ndarray
    threshold: float
    n: int
    ri_table: str

    @property
    def acceptable(self) -> bool | np.ndarray:
        """``cr < threshold`` (a bool, or a (k,) bool array for a stack)."""
        result = np.asarray(self.cr) < self.threshold
        return bool(result) if result.ndim == 0 else result


def consistency(
    matrix: MatrixLike, ri_table: str = "saaty", threshold: float = 0.10
) -> Consistency:
    """λmax, CI, RI and CR of a judgment matrix or a (k, n, n) stack, in one vectorized call.

    Parameters
    ----------
    matrix
        A :class:`~ahp.matrix.JudgmentMatrix`, a sequence of them, or an (n, n) / (k, n, n)
        array (NaN = missing judgment).
    ri_table
        Key of :data:`RI_TABLES`: ``"saaty"`` (default), ``"saaty2005"``, ``"donegan_dodd"``,
        ``"alonso_lamata"`` or ``"ahpsurvey"`` (sources in :data:`RI_SOURCES`).
    threshold
        CR limit for :attr:`Consistency.acceptable` (Saaty's 0.10 by default).

    Returns
    -------
    Consistency
        Floats for one matrix, (k,) arrays for a stack.
    """
    values = as_array(matrix)
    stack = values.reshape(-1, *values.shape[-2:])
    _check_settings(stack.shape[-1], ri_table, threshold)
    lambda_max = _perron(harker_matrix(stack))[1]
    return _from_lambda(lambda_max, values.ndim == 2, stack.shape[-1], ri_table, threshold)


def _check_settings(n: int, ri_table: str, threshold: float) -> None:
    if not threshold > 0:
        raise ValueError(f"threshold must be positive, not {threshold!r}")
    random_index(n, ri_table)


def _from_lambda(
    lambda_max: np.ndarray, single: bool, n: int, ri_table: str, threshold: float
) -> Consistency:
    ri = random_index(n, ri_table)
    if n <= 2:
        lambda_max = np.full(lambda_max.shape, float(n))
        ci = np.zeros(lambda_max.shape)
        cr = np.zeros(lambda_max.shape)
    else:
        ci = np.maximum((lambda_max - n) / (n - 1), 0.0)
        cr = ci / ri
    if single:
        return Consistency(
            float(lambda_max[0]), float(ci[0]), ri, float(cr[0]), threshold, n, ri_table
        )
    return Consistency(lambda_max, ci, ri, cr, threshold, n, ri_table)


@dataclass(frozen=True)
class Evaluation:
    """Weights and consistency of a judgment matrix or a stack, from one call.

    Attributes
    ----------
    weights : numpy.ndarray
        (n,) or (k, n) priority vectors of the chosen method.
    consistency : Consistency
        As returned by :func:`consistency`.
    method : str
        The priority method used for ``weights``.
    """

    weights: np.ndarray
    consistency: Consistency
    method: str


def evaluate(
    matrix: MatrixLike,
    method: str = "eigenvector",
    ri_table: str = "saaty",
    threshold: float = 0.10,
) -> Evaluation:
    """Priorities and consistency in one call: the matrix is validated once and, for the
    eigenvector method, the eigenproblem is solved once.

    Equivalent to ``priorities(matrix, method)`` and ``consistency(matrix, ri_table,
    threshold)``; the CR always uses the principal eigenvalue (Saaty 1980), whatever the
    priority method.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    values = as_array(matrix)
    stack = values.reshape(-1, *values.shape[-2:])
    _check_settings(stack.shape[-1], ri_table, threshold)
    weights, lambda_max = _perron(harker_matrix(stack))
    if method != "eigenvector":
        weights = _approximate(stack, method)
    result = _from_lambda(lambda_max, values.ndim == 2, stack.shape[-1], ri_table, threshold)
    return Evaluation(weights[0] if values.ndim == 2 else weights, result, method)
