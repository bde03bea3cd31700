"""A study's description (name, settings, framework) and the small result types."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ahp.hierarchy import Hierarchy
from panel.errors import StoreError
from panel.tokens import MAX_NAME_LENGTH


# ---------------------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class StudyInfo:
    """A study's name and settings.

    ``framework_csv`` is the framework (indicator system) as CSV text, ``None`` for a study
    without one; then ``hierarchy`` is ``None`` and node/row/col codes are not checked.
    ``threshold`` is the consistency-ratio limit for marking a node done, ``ri_table`` the
    random-index table name for :func:`ahp.consistency.consistency`. Judgments are checked as
    :class:`ahp.panel.PanelJudgments` checks them: one of Saaty's 17 values (values within 5 %
    are snapped to it, so 0.33 is stored as 1/3), or, with ``extended_scale``, any value in
    [1/9, 9].
    """

    study_id: str
    name: str
    created_at: str
    threshold: float
    ri_table: str
    extended_scale: bool
    framework_csv: str | None
    hierarchy: Hierarchy | None

    def order(self, node: str) -> list[str] | None:
        """Child codes of ``node`` in hierarchy order (``None`` without a hierarchy)."""
        return None if self.hierarchy is None else self.hierarchy.children(node)

    def nodes(self) -> list[str] | None:
        """Nodes that get a judgment matrix, top-down (``None`` without a hierarchy)."""
        return None if self.hierarchy is None else self.hierarchy.compared_nodes()


@dataclass(frozen=True)
class Progress:
    """One expert's progress.

    ``table`` has one row per node (hierarchy order; without a hierarchy, the nodes that have
    judgments): ``node``, ``pairs`` (n(n-1)/2 for n children; NA without a hierarchy),
    ``filled`` (judgments given), ``done``, ``confirmed_inconsistent``, ``cr`` (as recorded
    when marked done), ``updated_at``.
    """

    table: pd.DataFrame

    @property
    def nodes_total(self) -> int:
        """Number of nodes to judge."""
        return len(self.table)

    @property
    def nodes_done(self) -> int:
        """Number of nodes marked done."""
        return int(self.table["done"].sum())

    @property
    def fraction_done(self) -> float:
        """Share of nodes marked done (0 when there is none)."""
        return self.nodes_done / self.nodes_total if self.nodes_total else 0.0

    @property
    def next_node(self) -> str | None:
        """The first node not yet marked done (``None`` when all are done)."""
        pending = self.table.loc[~self.table["done"], "node"]
        return None if pending.empty else str(pending.iloc[0])


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: ``cells`` judgments, per ``(expert_id, node)`` pair in ``nodes``;
    ``skipped`` blank rows; ``tokens`` maps each newly added expert id to their new token."""

    cells: int
    nodes: list[tuple[str, str]]
    skipped: int
    tokens: dict[str, str]



def clean_name(name: object, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise StoreError("error.store.name_empty", what=what, name=repr(name))
    text = name.strip()
    if len(text) > MAX_NAME_LENGTH:
        raise StoreError("error.store.name_long", what=what, name=text[:40],
                         limit=MAX_NAME_LENGTH)
    return text


def framework_text(framework: str | os.PathLike[str] | None) -> str | None:
    if framework is None:
        return None
    if isinstance(framework, str) and ("\n" in framework or "\r" in framework):
        return framework
    path = Path(framework)
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise StoreError("error.store.framework_unreadable", path=str(path),
                         detail=exc.strerror) from None


def parse_framework(text: str, study_id: str) -> Hierarchy:
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return Hierarchy.from_frame(frame, source=f"study '{study_id}' framework")
