"""Exceptions of the ``ahp`` package.

All derive from :class:`i18n.errors.ShanzhiError`, a :class:`ValueError`, so that callers
catching ``ValueError`` keep working; each message names the place of the problem (matrix, row,
column, element, sheet, cell). They are raised with a locale key of
``i18n/locale/<lang>/ahp_errors.json`` and its fields (``JudgmentError("ahp.matrix.empty",
shape="(0, 0)")``): ``str(error)`` is the English line, ``error.text("zh")`` the Chinese one.
"""

from i18n.errors import ShanzhiError

__all__ = ["HierarchyError", "JudgmentError", "PanelNotReadyError", "WorkbookError"]


class JudgmentError(ShanzhiError):
    """A pairwise judgment or a judgment matrix is invalid (the message names the cell)."""


class HierarchyError(ShanzhiError):
    """The indicator hierarchy is invalid (the message names the node code)."""


class WorkbookError(ShanzhiError):
    """An expert workbook or judgment file is invalid (the message names expert, sheet, cell)."""


class PanelNotReadyError(JudgmentError):
    """Group weights cannot be computed yet: at ``nodes`` no expert's judgments link every
    element (raised while a panel is still entering judgments)."""

    def __init__(self, message: object, nodes: list[str]) -> None:
        super().__init__(message)
        self.nodes = list(nodes)

    def __reduce__(self):  # picklable, as every error a sandboxed loader may raise
        return (type(self), (self.message, self.nodes))
