"""Judgments: validation by the one rule of :mod:`ahp.scale`, cell writes, an expert's session."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ahp.errors import JudgmentError
from ahp.hierarchy import Hierarchy
from ahp.panel import COLUMNS, PanelJudgments
from ahp.scale import off_scale, parse_judgment, snap_to_scale
from i18n import Message
from panel.audit import record
from panel.db import Tx, now
from panel.errors import StoreError, TokenError
from panel.studies import ImportResult, Progress, StudyInfo
from panel.tokens import matches


class ExpertSession:
    """One expert's access to one study (from :meth:`JudgmentStore.open_expert`).

    Every call re-checks the token, so a link revoked or reissued by the organizer stops
    working at once (:class:`TokenError`). There is no way to name another expert: every read
    and write is restricted to ``expert_id``.
    """

    def __init__(
        self, store: Any, study: StudyInfo, expert_id: str, name: str, token_hash: str
    ):
        self._store = store
        self.study = study
        self.expert_id = expert_id
        self.name = name
        self._token_hash = token_hash

    def __repr__(self) -> str:
        return f"ExpertSession(study={self.study.study_id!r}, expert={self.expert_id!r})"

    def _where(self, node: str) -> str:
        return Message("error.store.place.node", study=self.study.study_id,
                       expert=self.expert_id, node=node)

    def _verify(self, conn: Tx) -> None:
        row = conn.execute(
            "SELECT token_hash FROM experts WHERE study_id = ? AND expert_id = ?",
            (self.study.study_id, self.expert_id),
        ).fetchone()
        if row is None or not matches(row[0], self._token_hash):
            raise TokenError("error.store.link_revoked", study=self.study.study_id,
                             expert=self.expert_id)

    def set_judgment(self, node: str, row: str, col: str, value: float | str) -> None:
        """Save one judgment at once: ``value`` = importance of ``row`` over ``col``.

        ``value`` is a number or text like ``"1/3"`` on Saaty's scale. Saving a change clears
        the node's done mark (its recorded CR no longer holds).
        """
        node, row, col = str(node).strip(), str(row).strip(), str(col).strip()
        place = Message("ahp.store.in_study", study=self.study.study_id,
                        place=place_of(self.expert_id, node, row, col))
        if row == col:
            raise JudgmentError("ahp.store.self_pair", place=place)
        try:
            number = to_number(value)
        except JudgmentError as exc:
            raise JudgmentError("ahp.panel.reason_at", place=place, reason=exc.message) from None
        if math.isnan(number):
            raise JudgmentError("ahp.store.blank", place=place)
        number = on_scale(number, self.study.extended_scale, place)
        children = children_of(self.study, node, place)
        if children is not None:
            for code in (row, col):
                if code not in children:
                    raise JudgmentError("ahp.store.not_child", place=place, code=code,
                                        node=node, children=children)
            swap = children.index(row) > children.index(col)
        else:
            swap = row > col
        if swap:
            row, col, number = col, row, 1.0 / number
        stamp = now()
        with self._store._write() as conn:
            self._verify(conn)
            old = conn.execute(
                "SELECT value FROM judgments WHERE study_id = ? AND expert_id = ? AND node = ? "
                "AND row_code = ? AND col_code = ?",
                (self.study.study_id, self.expert_id, node, row, col),
            ).fetchone()
            if old is None or old[0] != number:
                record(conn, self.study.study_id, f"expert:{self.expert_id}", "judgment.set",
                       node=node, row=row, col=col, old=None if old is None else old[0],
                       new=number)
            conn.execute(
                "INSERT INTO judgments VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (study_id, expert_id, node, row_code, col_code) "
                "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (self.study.study_id, self.expert_id, node, row, col, number, stamp),
            )
            reopen_nodes(conn, self.study.study_id, [(self.expert_id, node)], stamp)

    def clear_judgment(self, node: str, row: str, col: str) -> bool:
        """Delete one judgment (either orientation); ``True`` if there was one."""
        node, row, col = str(node).strip(), str(row).strip(), str(col).strip()
        children_of(self.study, node, self._where(node))
        with self._store._write() as conn:
            self._verify(conn)
            deleted = conn.execute(
                "DELETE FROM judgments WHERE study_id = ? AND expert_id = ? AND node = ? "
                "AND ((row_code = ? AND col_code = ?) OR (row_code = ? AND col_code = ?))",
                (self.study.study_id, self.expert_id, node, row, col, col, row),
            ).rowcount
            if deleted:
                reopen_nodes(conn, self.study.study_id, [(self.expert_id, node)], now())
                record(conn, self.study.study_id, f"expert:{self.expert_id}",
                       "judgment.clear", node=node, row=row, col=col)
        return bool(deleted)

    def judgments(self, node: str) -> dict[tuple[str, str], float]:
        """This expert's judgments for ``node``: ``(row, col) → value``, upper triangle only."""
        node = str(node).strip()
        children_of(self.study, node, self._where(node))
        with self._store._read() as conn:
            self._verify(conn)
            rows = conn.execute(
                "SELECT row_code, col_code, value FROM judgments "
                "WHERE study_id = ? AND expert_id = ? AND node = ?",
                (self.study.study_id, self.expert_id, node),
            ).fetchall()
        return {(r, c): float(v) for r, c, v in rows}

    def matrix(self, node: str) -> np.ndarray:
        """The (n, n) reciprocal judgment matrix of ``node`` in hierarchy child order.

        Diagonal 1, ``a_ji = 1 / a_ij``, NaN where no judgment was given yet. Needs a study
        with a hierarchy (the child order comes from it).
        """
        node = str(node).strip()
        order = children_of(self.study, node, self._where(node))
        if order is None:
            raise StoreError("error.store.no_child_order", where=self._where(node))
        cells = self.judgments(node)
        position = {code: i for i, code in enumerate(order)}
        values = np.full((len(order), len(order)), np.nan)
        np.fill_diagonal(values, 1.0)
        if cells:
            rows = np.array([position[r] for r, _ in cells])
            cols = np.array([position[c] for _, c in cells])
            upper = np.array(list(cells.values()))
            values[rows, cols] = upper
            values[cols, rows] = 1.0 / upper
        return values

    def mark_done(self, node: str, cr: float | None, confirmed: bool = False) -> None:
        """Mark ``node`` done, recording its consistency ratio ``cr``.

        Refused (:class:`StoreError`) while judgments are missing (when the study has a
        hierarchy), or when ``cr`` ≥ the study's threshold and the expert has not
        ``confirmed`` keeping the inconsistent judgments. ``cr`` is ``None`` only for a node
        with two children (always consistent).
        """
        node = str(node).strip()
        place = self._where(node)
        children = children_of(self.study, node, place)
        if cr is not None and not (isinstance(cr, int | float) and math.isfinite(cr) and cr >= 0):
            raise StoreError("error.store.cr_value", where=place, value=repr(cr))
        if cr is None and (children is None or len(children) > 2):
            raise StoreError("error.store.cr_missing", where=place)
        inconsistent = cr is not None and cr >= self.study.threshold
        if inconsistent and not confirmed:
            raise StoreError("error.store.cr_high", where=place, cr=f"{cr:.3f}",
                             threshold=f"{self.study.threshold:g}")
        with self._store._write() as conn:
            self._verify(conn)
            if children is not None:
                have = conn.execute(
                    "SELECT COUNT(*) FROM judgments WHERE study_id = ? AND expert_id = ? "
                    "AND node = ?",
                    (self.study.study_id, self.expert_id, node),
                ).fetchone()[0]
                need = len(children) * (len(children) - 1) // 2
                if have < need:
                    raise StoreError("error.store.judgments_missing", where=place,
                                     missing=need - have, need=need)
            conn.execute(
                "INSERT INTO node_status VALUES (?, ?, ?, 1, ?, ?, ?) "
                "ON CONFLICT (study_id, expert_id, node) DO UPDATE SET done = 1, "
                "confirmed_inconsistent = excluded.confirmed_inconsistent, cr = excluded.cr, "
                "updated_at = excluded.updated_at",
                (
                    self.study.study_id,
                    self.expert_id,
                    node,
                    int(inconsistent),
                    None if cr is None else float(cr),
                    now(),
                ),
            )

    def reopen(self, node: str) -> None:
        """Clear the done mark of ``node`` (the judgments stay)."""
        node = str(node).strip()
        children_of(self.study, node, self._where(node))
        with self._store._write() as conn:
            self._verify(conn)
            reopen_nodes(conn, self.study.study_id, [(self.expert_id, node)], now())

    def progress(self) -> Progress:
        """This expert's progress over all nodes (see :class:`Progress`)."""
        with self._store._read() as conn:
            self._verify(conn)
        table = self._store._progress(self.study, self.expert_id)
        return Progress(table=table.drop(columns="expert_id"))

    def export(self) -> pd.DataFrame:
        """This expert's judgments as a long table ``expert, node, row, col, value``
        (``expert`` = the expert's name), e.g. for :func:`ahp.io.workbook.write_judgments_xlsx`."""
        with self._store._read() as conn:
            self._verify(conn)
            rows = conn.execute(
                "SELECT node, row_code, col_code, value FROM judgments "
                "WHERE study_id = ? AND expert_id = ?",
                (self.study.study_id, self.expert_id),
            ).fetchall()
        frame = pd.DataFrame(rows, columns=["node", "row", "col", "value"])
        frame.insert(0, "expert", self.name)
        return sorted_long(frame, self.study, [self.name])

    def import_judgments(self, frame: pd.DataFrame, *, replace: bool = False) -> ImportResult:
        """Save judgments from a long table (e.g. the expert's filled workbook) in one
        transaction. Every row's ``expert`` must be this expert's id or name. With
        ``replace``, this expert's judgments of the nodes in the table are deleted first."""
        labels = {self.expert_id: self.expert_id, self.name: self.expert_id}
        cells, skipped = validate(self.study, frame, labels)
        with self._store._write() as conn:
            self._verify(conn)
            write_cells(conn, self.study.study_id, cells, replace)
        return import_result(cells, skipped, {})



def children_of(info: StudyInfo, node: str, place: object) -> list[str] | None:
    """Children of a compared node, ``None`` without a hierarchy; error for other nodes."""
    if info.hierarchy is None:
        if not node:
            raise JudgmentError("ahp.store.empty_node", place=place)
        return None
    if node not in info.hierarchy:
        raise JudgmentError("ahp.store.unknown_node", place=place, node=repr(node))
    children = info.hierarchy.children(node)
    if len(children) < 2:
        raise JudgmentError("ahp.store.few_children", place=place, node=node,
                            count=len(children))
    return children


def reopen_nodes(
    conn: Tx, study_id: str, pairs: Iterable[tuple[str, str]], stamp: str
) -> None:
    conn.executemany(
        "UPDATE node_status SET done = 0, confirmed_inconsistent = 0, cr = NULL, "
        "updated_at = ? WHERE study_id = ? AND expert_id = ? AND node = ? AND done = 1",
        [(stamp, study_id, e, n) for e, n in pairs],
    )


def retire(
    conn: Tx, study_id: str, expert_id: str, token_hash: str, stamp: str
) -> None:
    conn.execute(
        "INSERT INTO revoked_tokens VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (study_id, expert_id, token_hash, stamp),
    )


def write_cells(
    conn: Tx, study_id: str, cells: pd.DataFrame, replace: bool
) -> None:
    """Upsert cells (``expert_id, node, row, col, value``) and clear the done mark of every
    node they touch; with ``replace``, first delete the old cells of those nodes."""
    if replace:
        pairs = cells[["expert_id", "node"]].drop_duplicates()
        conn.executemany(
            "DELETE FROM judgments WHERE study_id = ? AND expert_id = ? AND node = ?",
            [(study_id, e, n) for e, n in pairs.itertuples(index=False, name=None)],
        )
    stamp = now()
    conn.executemany(
        "INSERT INTO judgments VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (study_id, expert_id, node, row_code, col_code) "
        "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        [
            (study_id, e, n, r, c, float(v), stamp)
            for e, n, r, c, v in cells.itertuples(index=False, name=None)
        ],
    )
    touched = cells[["expert_id", "node"]].drop_duplicates()
    reopen_nodes(conn, study_id, touched.itertuples(index=False, name=None), stamp)


def import_result(cells: pd.DataFrame, skipped: int, tokens: dict[str, str]) -> ImportResult:
    pairs = cells[["expert_id", "node"]].drop_duplicates()
    return ImportResult(
        cells=len(cells),
        nodes=list(pairs.itertuples(index=False, name=None)),
        skipped=skipped,
        tokens=tokens,
    )


def sorted_long(frame: pd.DataFrame, info: StudyInfo, experts: list[str]) -> pd.DataFrame:
    """Sort a long judgment table by panel order, node order, then child order."""
    frame = frame.astype({"expert": str, "node": str, "row": str, "col": str, "value": float})
    expert_rank = frame["expert"].map({e: i for i, e in enumerate(experts)})
    if info.hierarchy is not None:
        node_rank = frame["node"].map({n: i for i, n in enumerate(info.nodes() or [])})
        child_rank = {c: i for n in (info.nodes() or []) for i, c in enumerate(info.order(n))}
        keys = pd.DataFrame(
            {
                "e": expert_rank,
                "n": node_rank,
                "r": frame["row"].map(child_rank),
                "c": frame["col"].map(child_rank),
            }
        )
    else:
        keys = pd.DataFrame(
            {"e": expert_rank, "n": frame["node"], "r": frame["row"], "c": frame["col"]}
        )
    order = keys.sort_values(["e", "n", "r", "c"], kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def place_of(expert: str, node: str, row: str, col: str) -> Message:
    return Message("ahp.panel.place", expert=expert, node=node, row=row, col=col)


def to_number(value: object) -> float:
    """A judgment as a float (text like ``"1/3"`` parsed; blanks give NaN)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return math.nan
    return parse_judgment(value)  # type: ignore[arg-type]


def on_scale(number: float, extended_scale: bool, place: object) -> float:
    """One given (non-NaN) judgment checked and snapped by the shared rule of
    :mod:`ahp.scale`, as :class:`ahp.panel.PanelJudgments` checks a value.

    Refused when :func:`ahp.scale.off_scale` (not within 5 % of one of Saaty's 17 values; with
    ``extended_scale``, outside [1/9, 9]); otherwise snapped by :func:`ahp.scale.snap_to_scale`
    (0.33 → 1/3; other values of the extended scale are kept).
    """
    if off_scale(number, extended_scale):
        raise JudgmentError("ahp.panel.off_scale", place=place, value=f"{number:g}")
    return float(snap_to_scale(number))


def validate(
    info: StudyInfo, frame: pd.DataFrame, labels: Mapping[str, str]
) -> tuple[pd.DataFrame, int]:
    """Check a long judgment table and return its cells as stored.

    ``labels`` maps each accepted expert label (id or name) to the expert id. Values are
    checked by :class:`ahp.panel.PanelJudgments` (Saaty's scale, snapping, diagonal, pairs
    given twice); codes against the study's hierarchy. Each cell is turned into the upper
    triangle, ``(row, col, v)`` with ``row`` first in the child order, else ``(col, row, 1/v)``.
    Returns the cells ``expert_id, node, row, col, value`` and the number of input rows not
    stored (blank values, diagonal ones, a pair repeated as its reciprocal).
    """
    where = Message("error.store.place.study", study=info.study_id)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise StoreError("error.store.table_columns", where=where, missing=missing,
                         expected=list(COLUMNS))
    table = frame.loc[:, list(COLUMNS)].reset_index(drop=True)
    experts = table["expert"].astype("string").str.strip()
    unknown = ~experts.isin(list(labels)).fillna(False).to_numpy(dtype=bool)
    if unknown.any():
        line = int(np.flatnonzero(unknown)[0])
        raise StoreError("error.store.table_expert", where=where, row=line + 1,
                         expert=table.at[line, "expert"])
    numbers = np.empty(len(table))
    for line, value in enumerate(table["value"].tolist()):
        try:
            numbers[line] = to_number(value)
        except JudgmentError as exc:
            raise JudgmentError("ahp.store.table_row", where=where, row=line + 1,
                                reason=exc.message) from None
    table["value"] = numbers
    given = table.loc[~np.isnan(numbers)]
    try:
        cells = PanelJudgments(given, extended_scale=info.extended_scale).table.copy()
    except JudgmentError as exc:
        raise JudgmentError("ahp.store.table", where=where, reason=exc.message) from None
    if info.hierarchy is not None:
        check_codes(info, info.hierarchy, cells)
        rank = {c: i for n in info.hierarchy.compared_nodes() for i, c in enumerate(info.order(n))}
        swap = (cells["row"].map(rank) > cells["col"].map(rank)).to_numpy()
    else:
        swap = (cells["row"] > cells["col"]).to_numpy()
    first, second = cells["row"].copy(), cells["col"].copy()
    cells["row"] = first.where(~swap, second)
    cells["col"] = second.where(~swap, first)
    cells["value"] = np.where(swap, 1.0 / cells["value"].to_numpy(), cells["value"].to_numpy())
    cells = cells.drop_duplicates(["expert", "node", "row", "col"]).reset_index(drop=True)
    cells["expert"] = cells["expert"].map(labels)
    return cells.rename(columns={"expert": "expert_id"}), len(table) - len(cells)


def check_codes(info: StudyInfo, hierarchy: Hierarchy, cells: pd.DataFrame) -> None:
    """Every node must take judgments, every row/col must be one of its children."""
    for expert, node, row, col in cells.drop_duplicates("node").iloc[:, :4].itertuples(
        index=False, name=None
    ):
        children_of(info, node, Message("ahp.store.in_study", study=info.study_id,
                                        place=place_of(expert, node, row, col)))
    compared = hierarchy.compared_nodes()
    parent_of = {c: n for n in compared for c in hierarchy.children(n)}
    for column in ("row", "col"):
        stray = (cells[column].map(parent_of) != cells["node"]).to_numpy(dtype=bool)
        if stray.any():
            expert, node, row, col, _ = cells.iloc[int(np.flatnonzero(stray)[0])].tolist()
            code = row if column == "row" else col
            place = Message("ahp.store.in_study", study=info.study_id,
                            place=place_of(expert, node, row, col))
            raise JudgmentError("ahp.store.not_child", place=place, code=code, node=node,
                                children=hierarchy.children(node))
