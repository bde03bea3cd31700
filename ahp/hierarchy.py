"""The indicator hierarchy (goal A → criteria B → sub-criteria C → items D) and its weights.

A hierarchy is read from a framework CSV with the columns ``level, code, parent, name_zh,
name_en`` and the optional columns ``reverse`` (0/1/true/false, leaf items only) and ``source``.
The goal ``A`` is implicit: it is taken from a row of level ``A`` when the file has one, and is
otherwise the node ``A`` named 目标 / Goal.

Global weights follow Saaty's hierarchic composition: the global weight of a node is the product
of the local weights on the path from the goal down to it,

    w_global(x) = prod_{y on path(A → x), y ≠ A} w_local(y),

so that, when every local vector sums to 1, the global weights of each level sum to 1.

References
----------
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill (chapter 3, hierarchic
composition).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

import numpy as np
import pandas as pd

from ahp.errors import HierarchyError
from i18n.messages import Message
from untrusted import FileLimits, check_csv, check_label_length

__all__ = ["LEVELS", "Hierarchy", "HierarchyWeights", "Node"]

LEVELS: tuple[str, ...] = ("A", "B", "C", "D")
REQUIRED_COLUMNS: tuple[str, ...] = ("level", "code", "parent", "name_zh", "name_en")
ROOT_CODE = "A"
ROOT_NAMES = ("目标", "Goal")
WEIGHT_TOL = 1e-6

_TRUE = frozenset({"1", "true", "yes", "y", "t", "1.0"})
_FALSE = frozenset({"0", "false", "no", "n", "f", "", "0.0"})


@dataclass(frozen=True)
class Node:
    """One node of the hierarchy.

    ``parent`` is ``None`` for the goal. ``reverse`` marks a negatively worded questionnaire item
    (leaf level only). ``source`` is free text (e.g. ``paper`` / ``reconstructed``).
    """

    code: str
    level: str
    parent: str | None
    name_zh: str
    name_en: str
    reverse: bool = False
    source: str = ""


def _text(value: object) -> str:
    """A cell as stripped text; missing cells become ``""``."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def _parse_reverse(text: str, row: int, code: str, source: str) -> bool:
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise HierarchyError("ahp.hierarchy.reverse_value",
                         where=_at(source, row, code), text=text)


def _at(source: str, row: int, code: str) -> Message:
    """The place of a framework row: file, row number and code."""
    return Message("ahp.hierarchy.row_code", source=source, row=row, code=code)


def _check_cycles(
    parent_of: Mapping[str, str | None], row_of: Mapping[str, int], source: str
) -> None:
    """Raise when following parents from some node comes back to it."""
    cleared: set[str] = set()
    for start in parent_of:
        chain: list[str] = []
        code: str | None = start
        while code in parent_of and code not in cleared:
            if code in chain:
                loop = [*chain[chain.index(code) :], code]
                raise HierarchyError("ahp.hierarchy.cycle",
                                     where=_at(source, row_of[code], code),
                                     loop=" → ".join(loop))
            chain.append(code)
            code = parent_of[code]
        cleared.update(chain)


def _framework_text(path: str | PathLike[str] | IO[Any], source: str) -> str:
    """The framework CSV as text: UTF-8 (BOM allowed), else GB18030 (Excel on Chinese Windows)."""
    if isinstance(path, str | PathLike):
        file = Path(path)
        if file.is_dir():
            raise HierarchyError("ahp.hierarchy.folder", source=source)
        if not file.is_file():
            raise HierarchyError("ahp.hierarchy.no_file", source=source)
        check_csv(file, FileLimits.from_env(), what=file.name)  # refuses a huge file unread
        data: bytes | str = file.read_bytes()
    else:
        data = path.read()
        check_csv(data.encode("utf-8") if isinstance(data, str) else data,
                  FileLimits.from_env(), what=Path(source).name)
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise HierarchyError("ahp.hierarchy.encoding", source=source,
                         columns=",".join(REQUIRED_COLUMNS))


def _check_duplicate_columns(frame: pd.DataFrame, source: str) -> None:
    """pandas renames a repeated header 'code' to 'code.1'; refuse it rather than ignore one."""
    names = {str(c).strip().lower() for c in frame.columns}
    for column in frame.columns:
        base, dot, number = str(column).strip().lower().rpartition(".")
        if dot and number.isdigit() and base in names:
            raise HierarchyError("ahp.hierarchy.column_twice", source=source, column=base)


class Hierarchy:
    """An ordered tree of :class:`Node` from the goal (level A) down to the items.

    Build it with :meth:`from_csv` or :meth:`from_frame`; the constructor validates a mapping of
    nodes (goal first, then file order). Children keep the order of the file.
    """

    def __init__(self, nodes: Mapping[str, Node]):
        ordered = dict(nodes)
        roots = [n.code for n in ordered.values() if n.parent is None]
        if len(roots) != 1:
            raise HierarchyError("ahp.hierarchy.one_goal", roots=str(roots))
        self._root = roots[0]
        children: dict[str, list[str]] = {code: [] for code in ordered}
        for node in ordered.values():
            if node.parent is not None:
                if node.parent not in ordered:
                    raise HierarchyError("ahp.hierarchy.unknown_parent_node", code=node.code,
                                         parent=node.parent)
                children[node.parent].append(node.code)
        self._nodes = MappingProxyType(ordered)
        self._children = {code: tuple(kids) for code, kids in children.items()}
        present = [lv for lv in LEVELS if any(n.level == lv for n in ordered.values())]
        self._levels = tuple(present)

    def __reduce__(self):  # picklable (a sandboxed loader receives it): rebuilt from its nodes
        return (type(self), (dict(self._nodes),))

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_csv(cls, path: str | PathLike[str] | IO[Any]) -> Hierarchy:
        """Read and validate a framework CSV (UTF-8, with or without BOM) from a path or buffer.

        Raises :class:`~ahp.errors.HierarchyError` naming the CSV row (1-based, header = row 1)
        for an unknown parent, a duplicate code, a cycle, a level that does not follow its
        parent's level, a non-leaf node without children, a bad ``reverse`` flag or an empty file.
        """
        named = path if isinstance(path, str | PathLike) else getattr(path, "name", "")
        source = str(named) or "framework"
        text = _framework_text(path, source)
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except pd.errors.EmptyDataError as exc:
            raise HierarchyError("ahp.hierarchy.empty_file", source=source) from exc
        except pd.errors.ParserError as exc:
            raise HierarchyError("ahp.hierarchy.unreadable", source=source,
                                 detail=" ".join(str(exc).split())) from None
        _check_duplicate_columns(frame, source)
        return cls.from_frame(frame.fillna(""), source=source)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, source: str = "framework") -> Hierarchy:
        """Validate a framework table (one row per node, columns as in :meth:`from_csv`)."""
        records, seen = _read_nodes(_checked_columns(frame, source), source)
        goal, body = _goal_and_body(records, seen, source)
        _check_links(goal, body, source)
        _check_leaves(body, source)
        return cls({goal.code: goal} | {n.code: n for _, n in body})

    # ------------------------------------------------------------------ queries
    @property
    def nodes(self) -> Mapping[str, Node]:
        """Read-only mapping code → :class:`Node`, goal first, then file order."""
        return self._nodes

    @property
    def root(self) -> str:
        """Code of the goal node (``"A"`` unless the file names it otherwise)."""
        return self._root

    @property
    def levels(self) -> tuple[str, ...]:
        """Levels present, top-down (e.g. ``("A", "B", "C", "D")``)."""
        return self._levels

    @property
    def leaf_level(self) -> str:
        """The deepest level: the questionnaire items."""
        return self._levels[-1]

    def __contains__(self, code: object) -> bool:
        return code in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def _node(self, code: str) -> Node:
        try:
            return self._nodes[code]
        except KeyError:
            raise HierarchyError("ahp.hierarchy.unknown_code", code=code) from None

    def children(self, code: str) -> list[str]:
        """Codes of the children of ``code`` in file order (empty for an item)."""
        self._node(code)
        return list(self._children[code])

    def parents_with_children(self) -> list[str]:
        """Codes of all nodes with at least one child, top-down (level by level, file order).

        A node with exactly one child gets local weight 1 and needs no judgments; see
        :meth:`compared_nodes` for the nodes that get a pairwise-comparison matrix.
        """
        return [
            code
            for level in self._levels
            for code, node in self._nodes.items()
            if node.level == level and self._children[code]
        ]

    def compared_nodes(self) -> list[str]:
        """Nodes with two or more children: those that get a judgment matrix, top-down."""
        return [c for c in self.parents_with_children() if len(self._children[c]) >= 2]

    def codes(self, level: str) -> list[str]:
        """Codes of one level in file order."""
        if level not in LEVELS:
            raise HierarchyError("ahp.hierarchy.level_arg", levels="/".join(LEVELS), level=level)
        return [code for code, node in self._nodes.items() if node.level == level]

    @property
    def items(self) -> list[str]:
        """Codes of the leaf level (the D items) in file order."""
        return self.codes(self.leaf_level)

    @property
    def reverse_items(self) -> list[str]:
        """Leaf items flagged ``reverse`` (negatively worded)."""
        return [code for code in self.items if self._nodes[code].reverse]

    def name(self, code: str, lang: str = "zh") -> str:
        """Name of a node in ``"zh"`` or ``"en"``, falling back to the other language, then code."""
        if lang not in ("zh", "en"):
            raise HierarchyError("ahp.hierarchy.lang_arg", given=lang)
        node = self._node(code)
        first, second = (
            (node.name_zh, node.name_en)
            if lang == "zh"
            else (
                node.name_en,
                node.name_zh,
            )
        )
        return first or second or code

    def path(self, code: str) -> list[str]:
        """Codes from the goal down to ``code`` (inclusive)."""
        chain = [self._node(code).code]
        while (parent := self._nodes[chain[-1]].parent) is not None:
            chain.append(parent)
        return chain[::-1]

    def ancestor(self, code: str, level: str) -> str:
        """The ancestor of ``code`` at ``level`` (``code`` itself when it is on that level)."""
        for step in self.path(code):
            if self._nodes[step].level == level:
                return step
        raise HierarchyError("ahp.hierarchy.no_ancestor", code=code, level=level)

    def to_frame(self) -> pd.DataFrame:
        """The hierarchy as a framework table (goal excluded), columns as in :meth:`from_csv`."""
        rows = [
            {
                "level": n.level,
                "code": n.code,
                "parent": n.parent,
                "name_zh": n.name_zh,
                "name_en": n.name_en,
                "reverse": int(n.reverse),
                "source": n.source,
            }
            for n in self._nodes.values()
            if n.parent is not None
        ]
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ weights
    def weights(self, local: Mapping[str, np.ndarray]) -> HierarchyWeights:
        """Compose local priority vectors into global weights.

        ``local`` maps a parent code to the priority vector of its children (in
        :meth:`children` order). A node with a single child may be omitted (local weight 1).
        Each vector must be non-negative, finite and sum to 1 (within 1e-6).

        Global weight: product of local weights along the path from the goal (Saaty 1980);
        each level's global weights are checked to sum to 1.
        """
        unknown = [code for code in local if code not in self._nodes]
        if unknown:
            raise HierarchyError("ahp.hierarchy.weights_unknown", nodes=str(unknown))
        local_of: dict[str, float] = {self._root: 1.0}
        for parent in self.parents_with_children():
            kids = self._children[parent]
            if parent in local:
                vector = np.asarray(local[parent], dtype=float).reshape(-1)
            elif len(kids) == 1:
                vector = np.ones(1)
            else:
                raise HierarchyError("ahp.hierarchy.weights_missing", parent=parent)
            if vector.shape != (len(kids),):
                raise HierarchyError("ahp.hierarchy.weights_count", parent=parent,
                                     size=vector.size, count=len(kids), children=list(kids))
            if not np.all(np.isfinite(vector)) or np.any(vector < 0):
                raise HierarchyError("ahp.hierarchy.weights_values", parent=parent,
                                     vector=str(vector))
            if abs(vector.sum() - 1.0) > WEIGHT_TOL:
                raise HierarchyError("ahp.hierarchy.weights_sum", parent=parent,
                                     total=f"{vector.sum():.6g}")
            local_of.update(zip(kids, vector.tolist(), strict=True))

        codes = list(self._nodes)
        table = pd.DataFrame(
            {
                "level": [self._nodes[c].level for c in codes],
                "parent": [self._nodes[c].parent for c in codes],
                "local": [local_of[c] for c in codes],
            },
            index=pd.Index(codes, name="code"),
        )
        global_of: dict[str, float] = {self._root: 1.0}
        for level in self._levels[1:]:
            for code in self.codes(level):
                global_of[code] = local_of[code] * global_of[self._nodes[code].parent]
        table["global"] = [global_of[c] for c in codes]
        sums = table.groupby("level", sort=False)["global"].sum()
        bad = sums[(sums - 1.0).abs() > WEIGHT_TOL]
        if not bad.empty:
            raise HierarchyError("ahp.hierarchy.global_sum", levels=[
                Message("ahp.hierarchy.level_sum", level=lv, total=f"{s:.9g}")
                for lv, s in bad.items()])
        return HierarchyWeights(table=table, leaf_level=self.leaf_level)


@dataclass(frozen=True)
class HierarchyWeights:
    """Local and global weights of every node.

    ``table`` is indexed by node code (goal first) with columns ``level``, ``parent``,
    ``local`` (weight within its parent) and ``global`` (product of local weights down the path).
    """

    table: pd.DataFrame
    leaf_level: str

    def local(self, code: str) -> pd.Series:
        """Local weights of the children of ``code``, indexed by child code."""
        rows = self.table[self.table["parent"] == code]
        if rows.empty:
            raise HierarchyError("ahp.hierarchy.no_child_weights", code=code)
        return rows["local"].rename(code)

    def global_(self, level: str) -> pd.Series:
        """Global weights of one level, indexed by code (they sum to 1)."""
        rows = self.table[self.table["level"] == level]
        if rows.empty:
            raise HierarchyError("ahp.hierarchy.no_level_weights", level=level)
        return rows["global"].rename(f"global_{level}")

    @property
    def item_weights(self) -> pd.Series:
        """Global weights of the leaf items (level D), indexed by item code."""
        return self.global_(self.leaf_level)


# ---------------------------------------------------------------------- framework table checks
def _checked_columns(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """The table with lower-case headers; duplicate or missing columns and no rows are errors."""
    frame = frame.rename(columns=lambda c: str(c).strip().lower())
    repeated = frame.columns[frame.columns.duplicated()]
    if len(repeated):
        raise HierarchyError("ahp.hierarchy.column_twice", source=source, column=repeated[0])
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise HierarchyError("ahp.hierarchy.missing_columns", source=source, missing=missing,
                             header=[str(c) for c in frame.columns],
                             expected=",".join(REQUIRED_COLUMNS))
    if frame.empty:
        raise HierarchyError("ahp.hierarchy.no_rows", source=source)
    return frame


def _read_nodes(
    frame: pd.DataFrame, source: str
) -> tuple[list[tuple[int, Node]], dict[str, int]]:
    """Every row as (spreadsheet row, :class:`Node`) in file order, and the row of each code."""
    records: list[tuple[int, Node]] = []
    seen: dict[str, int] = {}
    for offset, rec in enumerate(frame.to_dict("records")):
        row = offset + 2  # header is spreadsheet row 1
        records.append((row, _node_of(rec, row, source, seen)))
    return records, seen


def _node_of(rec: Mapping[str, object], row: int, source: str, seen: dict[str, int]) -> Node:
    """One framework row as a :class:`Node`: code, level and parent checked, the code
    recorded in ``seen`` (a code seen before is an error)."""
    code = _text(rec["code"])
    level = _text(rec["level"]).upper()
    parent = _text(rec["parent"])
    if not code:
        raise HierarchyError("ahp.hierarchy.empty_code",
                             where=Message("ahp.hierarchy.row", source=source, row=row))
    if level not in LEVELS:
        raise HierarchyError("ahp.hierarchy.level_value", where=_at(source, row, code),
                             levels="/".join(LEVELS), level=_text(rec["level"]))
    if code in seen:
        raise HierarchyError("ahp.hierarchy.duplicate_code",
                             where=Message("ahp.hierarchy.row", source=source, row=row),
                             code=code, first=seen[code])
    seen[code] = row
    if level == "A" and parent:
        raise HierarchyError("ahp.hierarchy.goal_parent", where=_at(source, row, code),
                             parent=parent)
    if level != "A" and not parent:
        raise HierarchyError("ahp.hierarchy.empty_parent",
                             where=_at(source, row, code))
    flag = _text(rec["reverse"]) if "reverse" in rec else ""
    cap = FileLimits.from_env().max_label_chars
    names = {}
    for field in ("code", "name_zh", "name_en"):
        names[field] = check_label_length(_text(rec[field]), f"{source} row {row}: {field}", cap)
    return Node(
        code=code,
        level=level,
        parent=parent or None,
        name_zh=names["name_zh"],
        name_en=names["name_en"],
        reverse=_parse_reverse(flag, row, code, source),
        source=_text(rec["source"]) if "source" in rec else "",
    )


def _goal_and_body(
    records: list[tuple[int, Node]], seen: dict[str, int], source: str
) -> tuple[Node, list[tuple[int, Node]]]:
    """The goal (a level-A row, or the implicit goal ``A``) and the rows below it."""
    goal_rows = [(row, n) for row, n in records if n.level == "A"]
    if len(goal_rows) > 1:
        rows = ", ".join(str(r) for r, _ in goal_rows)
        raise HierarchyError("ahp.hierarchy.goals", source=source, rows=rows)
    if goal_rows:
        goal = goal_rows[0][1]
        body = [(row, n) for row, n in records if n.level != "A"]
    else:
        goal = Node(ROOT_CODE, "A", None, ROOT_NAMES[0], ROOT_NAMES[1])
        if ROOT_CODE in seen:
            raise HierarchyError("ahp.hierarchy.reserved", code=ROOT_CODE, where=Message(
                "ahp.hierarchy.row", source=source, row=seen[ROOT_CODE]))
        body = records
    if not body:
        raise HierarchyError("ahp.hierarchy.no_body", source=source)
    return goal, body


def _check_links(goal: Node, body: list[tuple[int, Node]], source: str) -> None:
    """Every parent exists, there is no cycle, and each level is one below its parent's."""
    row_of = {n.code: row for row, n in body}
    parent_of = {n.code: n.parent for _, n in body}
    level_of = {n.code: n.level for _, n in body} | {goal.code: "A"}
    for row, node in body:
        if node.parent not in level_of:
            raise HierarchyError("ahp.hierarchy.unknown_parent",
                                 where=_at(source, row, node.code), parent=node.parent)
    _check_cycles(parent_of, row_of, source)
    for row, node in body:
        parent_level = LEVELS.index(level_of[node.parent])
        if LEVELS.index(node.level) != parent_level + 1:
            expected = (
                Message("ahp.hierarchy.expected_level", level=LEVELS[parent_level + 1])
                if parent_level + 1 < len(LEVELS)
                else Message("ahp.hierarchy.expected_none")
            )
            raise HierarchyError("ahp.hierarchy.level_order",
                                 where=_at(source, row, node.code), level=node.level,
                                 parent=node.parent, parent_level=level_of[node.parent],
                                 expected=expected)


def _check_leaves(body: list[tuple[int, Node]], source: str) -> None:
    """Only the leaf level may lack children, and only leaf items may be reverse-coded."""
    leaf = max((n.level for _, n in body), key=LEVELS.index)
    has_child = {n.parent for _, n in body}
    for row, node in body:
        if node.level != leaf and node.code not in has_child:
            raise HierarchyError("ahp.hierarchy.no_children",
                                 where=_at(source, row, node.code), level=node.level,
                                 leaf=leaf)
        if node.reverse and node.level != leaf:
            raise HierarchyError("ahp.hierarchy.reverse_level",
                                 where=_at(source, row, node.code), leaf=leaf)
