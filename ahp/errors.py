"""Exceptions of the ``ahp`` package.

All are :class:`ValueError` subclasses so that callers catching ``ValueError`` keep working;
each message names the place of the problem (matrix, row, column, element, sheet, cell).
"""

__all__ = ["HierarchyError", "JudgmentError", "WorkbookError"]


class JudgmentError(ValueError):
    """A pairwise judgment or a judgment matrix is invalid (the message names the cell)."""


class HierarchyError(ValueError):
    """The indicator hierarchy is invalid (the message names the node code)."""


class WorkbookError(ValueError):
    """An expert workbook or judgment file is invalid (the message names expert, sheet, cell)."""
