"""Diagnosis of inconsistent judgment matrices: which single judgment to revise.

Every known judgment ``a_ij`` above the diagonal is tried with every value of Saaty's scale
(1/9..9, with ``a_ji = 1/a_ij``); the CR of all ``p × 17`` candidate matrices is computed in one
vectorized call and the change that lowers CR most is suggested. Ties go to the value closest
to the current one on the log scale. Saaty (2003) suggests revising the ``a_ij`` that deviates
most from ``w_i / w_j``, and Harker (1987) ranks judgments by the derivative of λmax with
respect to each ``a_ij``; both are first-order guides, whereas evaluating the CR of every
candidate makes the suggestion exact for a single change on the scale.

References
----------
Saaty, T. L. (2003). Decision-making with the AHP: Why is the principal eigenvector necessary.
*European Journal of Operational Research*, 145(1), 85-91.
Harker, P. T. (1987). Derivatives of the Perron root of a positive reciprocal matrix: with
application to the analytic hierarchy process. *Applied Mathematics and Computation*, 22(2-3),
217-232.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ahp.consistency import consistency
from ahp.errors import JudgmentError
from ahp.matrix import JudgmentMatrix, _check_names, as_array
from ahp.scale import SAATY_VALUES

__all__ = ["Revision", "suggest_revision"]


@dataclass(frozen=True)
class Revision:
    """The single judgment whose revision lowers CR most.

    Attributes
    ----------
    row, col : int
        0-based position of the judgment ``a_row,col`` (above the diagonal, ``row < col``).
    row_name, col_name : str
        Names of the two compared elements.
    current : float
        The judgment now.
    suggested : float
        The suggested value on Saaty's scale (1/9..9).
    cr_before, cr_after : float
        CR of the matrix now and after the revision.
    """

    row: int
    col: int
    row_name: str
    col_name: str
    current: float
    suggested: float
    cr_before: float
    cr_after: float


def suggest_revision(
    matrix: Any, ri_table: str = "saaty", names: tuple[str, ...] | None = None
) -> Revision:
    """Name the judgment whose change to a Saaty value lowers CR most, and the CR it gives.

    Parameters
    ----------
    matrix
        One :class:`~ahp.matrix.JudgmentMatrix` or an (n, n) array, which may hold any positive
        reciprocal values such as a group mean (NaN = missing; missing judgments are not
        candidates, and CR follows Harker 1987 for incomplete matrices).
    ri_table
        RI table for the CR (see :data:`ahp.consistency.RI_TABLES`).
    names
        Element names for an array input (a ``JudgmentMatrix`` carries its own).

    Raises
    ------
    JudgmentError
        For a stack, for n <= 2 (always consistent), or when no single change lowers CR.
    """
    values = as_array(matrix)
    if values.ndim != 2:
        raise JudgmentError("ahp.diagnosis.one_matrix", shape=str(values.shape))
    n = values.shape[0]
    labels = matrix.names if isinstance(matrix, JudgmentMatrix) else _check_names(names, n)
    if n <= 2:
        raise JudgmentError("ahp.diagnosis.always_consistent", n=n)
    cr_before = consistency(values, ri_table=ri_table).cr
    rows, cols = np.triu_indices(n, k=1)
    known = ~np.isnan(values[rows, cols])
    rows, cols = rows[known], cols[known]
    scale = np.asarray(SAATY_VALUES)
    cell = np.repeat(np.arange(rows.size), scale.size)
    candidate = np.tile(scale, rows.size)
    stack = np.repeat(values[None], cell.size, axis=0)
    index = np.arange(cell.size)
    stack[index, rows[cell], cols[cell]] = candidate
    stack[index, cols[cell], rows[cell]] = 1.0 / candidate
    cr_after = np.asarray(consistency(stack, ri_table=ri_table).cr)
    current = values[rows[cell], cols[cell]]
    distance = np.abs(np.log(candidate) - np.log(current))
    changed = distance > 1e-9
    order = np.lexsort((distance, np.where(changed, np.round(cr_after, 12), np.inf)))
    best = int(order[0])
    if not changed[best] or cr_after[best] >= cr_before - 1e-12:
        raise JudgmentError("ahp.diagnosis.no_change", cr=f"{cr_before:.4f}")
    i, j = int(rows[cell[best]]), int(cols[cell[best]])
    return Revision(
        row=i,
        col=j,
        row_name=labels[i],
        col_name=labels[j],
        current=float(values[i, j]),
        suggested=float(candidate[best]),
        cr_before=float(cr_before),
        cr_after=float(cr_after[best]),
    )
