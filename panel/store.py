"""The judgment store: an embedded SQLite database of studies, expert panels and judgments.

The expert-panel page saves every pairwise judgment the moment it is entered, so a browser
refresh, a closed tab or an app restart loses nothing, and experts working at the same time
never overwrite each other.

Design
------
* **One row per cell.** A judgment is the row ``(study, expert, node, row, col)`` of table
  ``judgments``, written with an upsert (``INSERT … ON CONFLICT DO UPDATE``), each write in its
  own short ``BEGIN IMMEDIATE`` transaction. Two writers only ever touch their own rows, so
  nothing is lost when they race; SQLite serialises the commits.
* **WAL mode and a busy timeout.** Readers never block the writer and a writer waits (up to
  ``timeout`` seconds) instead of failing when another one holds the lock. ``synchronous=FULL``
  makes every committed judgment survive a crash of the app or the machine.
* **A connection per operation.** Streamlit runs each session in its own thread; a short-lived
  connection per call is cheap in SQLite (well under a millisecond) and avoids sharing one
  connection between threads or processes.
* **Canonical cells.** Only the upper triangle is stored: a judgment given for ``(col, row)``
  is saved as ``(row, col, 1/value)``, with ``row`` before ``col`` in the hierarchy's child order
  (code order when the study has no hierarchy).
* **Validation.** Values are checked by the one rule of :mod:`ahp.scale` (``off_scale``,
  ``snap_to_scale``), as :class:`ahp.panel.PanelJudgments` checks them (Saaty's 17 values,
  decimals within 5 % snapped, e.g. 0.33 → 1/3; any value in [1/9, 9] for a study with
  ``extended_scale``), so the organizer's export always loads into the panel engine.
  With a framework, ``node`` must have two or more children and ``row``/``col`` be among them.
* **Migrations.** ``schema_version`` records the applied steps of :data:`MIGRATIONS`; opening a
  database applies the missing ones in one transaction.

Access
------
The organizer creates a study and a panel and receives one token per expert (``secrets.
token_urlsafe(32)``: 256 random bits), to be sent as a link (:func:`expert_link`). Only a keyed
hash of each token is stored: ``HMAC-SHA256(study salt, token)`` with a random 16-byte salt per
study. A slow password hash (scrypt, PBKDF2) guards *guessable* secrets; a 256-bit random token
cannot be guessed, so a fast keyed hash gives the same protection without slowing down every
page rerun. Tokens are compared with :func:`hmac.compare_digest`. An :class:`ExpertSession`
(from :meth:`JudgmentStore.open_expert`) reads and writes only its own expert's rows and
re-checks its token on every call, so a revoked or reissued link stops working at once.
The organizer secret is never stored: the app passes it to :class:`JudgmentStore` from its
configuration or the environment variable ``SHANZHI_ORGANIZER_SECRET``
(:func:`organizer_secret_from_env`), and :meth:`JudgmentStore.open_organizer` compares it in
constant time.

Usage
-----
::

    store = JudgmentStore(default_db_path(), organizer_secret=organizer_secret_from_env())
    organizer = store.create_study("杭州 2024", secret, framework="framework.csv")
    tokens = organizer.create_panel(["张三", "李四"])          # expert_id → token
    links = {e: expert_link(base_url, organizer.study_id, t) for e, t in tokens.items()}

    expert = store.open_expert(study_id, token_from_link)   # TokenError if not valid
    expert.set_judgment("B1", "C01", "C02", "1/3")           # saved at once
    cr = consistency(expert.matrix("B1")).cr                 # ahp.consistency
    expert.mark_done("B1", cr, confirmed=False)
    expert.progress().next_node

    panel = store.open_organizer(study_id, secret).panel()   # ahp.panel.PanelJudgments

References
----------
SQLite documentation: "Write-Ahead Logging" (https://sqlite.org/wal.html), "UPSERT"
(https://sqlite.org/lang_upsert.html), "PRAGMA synchronous".
Python documentation: ``secrets`` ("tokens should have at least 32 bytes of randomness") and
``hmac.compare_digest``.
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill (reciprocal judgments
``a_ji = 1 / a_ij``).
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from collections.abc import Iterable
from contextlib import AbstractContextManager
from itertools import count

import numpy as np
import pandas as pd

from ahp.consistency import RI_TABLES
from ahp.panel import COLUMNS, PanelJudgments
from i18n import Message
from panel.audit import record
from panel.db import (
    DB_PATH_ENV,
    MIGRATIONS,
    SCHEMA_VERSION,
    Database,
    DatabaseError,
    Tx,
    default_db_path,
    now,
)
from panel.errors import AccessError, OrganizerSecretError, StoreError, TokenError
from panel.judgments import ExpertSession
from panel.organizer import StudyActions, add_framework, set_state
from panel.studies import ImportResult, Progress, StudyInfo
from panel.tokens import (
    ORGANIZER_SECRET_ENV,
    expert_link,
    organizer_secret_from_env,
    secret_weakness,
)

__all__ = [
    "DB_PATH_ENV",
    "MIGRATIONS",
    "ORGANIZER_SECRET_ENV",
    "SCHEMA_VERSION",
    "AccessError",
    "ExpertSession",
    "ImportResult",
    "JudgmentStore",
    "OrganizerSecretError",
    "OrganizerSession",
    "Progress",
    "StoreError",
    "StudyInfo",
    "TokenError",
    "default_db_path",
    "expert_link",
    "organizer_secret_from_env",
]
from panel.judgments import (
    import_result,
    retire,
    sorted_long,
    validate,
    write_cells,
)
from panel.studies import (
    clean_name,
    framework_text,
    parse_framework,
)
from panel.tokens import (
    EXPERT_ID_PATTERN,
    MAX_TOKEN_LENGTH,
    STUDY_ID_PATTERN,
    TOKEN_BYTES,
    hash_token,
    matches,
)


# ---------------------------------------------------------------------------------- store
class JudgmentStore:
    """An SQLite judgment store at ``path`` (created with its folder if missing).

    ``organizer_secret`` is the secret organizers must present (read it from the app's
    configuration or :func:`organizer_secret_from_env`; never hard-code it). Without one,
    organizer access is disabled and experts can still work with their tokens. ``timeout``
    is how long (seconds) a write waits for another writer before failing.

    Construct a new store over the same file to reopen it (e.g. after an app restart).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        organizer_secret: str | None = None,
        timeout: float = 30.0,
    ):
        try:
            self.db = Database(path, timeout=timeout)
        except DatabaseError as exc:
            raise StoreError(exc.message) from None
        self.path = self.db.path if self.db.path is not None else str(path)
        self.timeout = float(timeout)
        self._organizer_secret = organizer_secret or None
        self._studies: dict[str, StudyInfo] = {}
        try:
            self.db.migrate()
        except DatabaseError as exc:
            raise StoreError(exc.message) from None

    def __repr__(self) -> str:
        return f"JudgmentStore({self.db!r})"

    # ------------------------------------------------------------------ connections
    def _write(self) -> AbstractContextManager[Tx]:
        """One short write transaction (see :meth:`panel.db.Database.write`)."""
        return self.db.write()

    def _read(self) -> AbstractContextManager[Tx]:
        """A read transaction: every query inside sees the same snapshot."""
        return self.db.read()

    _connect = _read

    def schema_version(self) -> int:
        """The schema version of the database."""
        return self.db.schema_version()

    # ------------------------------------------------------------------ studies
    def create_study(
        self,
        name: str,
        secret: str | None,
        *,
        framework: str | os.PathLike[str] | None = None,
        threshold: float = 0.10,
        ri_table: str = "saaty",
        extended_scale: bool = False,
        study_id: str | None = None,
    ) -> OrganizerSession:
        """Create a study (organizer only) and return the organizer's session for it.

        ``framework`` is a framework CSV path, or the CSV text itself (a ``str`` containing a
        line break); it is validated with :class:`ahp.hierarchy.Hierarchy` and stored as text,
        so the study does not depend on the file later. ``study_id`` defaults to a random
        12-character hex id; it may use letters, digits, ``-`` and ``_`` (at most 64).
        """
        self._check_secret(secret, Message("error.store.action.create"))
        name = clean_name(name, Message("error.store.what.study_name"))
        if study_id is None:
            study_id = secrets.token_hex(6)
        if not isinstance(study_id, str) or not STUDY_ID_PATTERN.match(study_id):
            raise StoreError("error.store.study_id", study=repr(study_id))
        if not (isinstance(threshold, int | float) and 0 < threshold < 1):
            raise StoreError("error.store.threshold", study=study_id, value=repr(threshold))
        if ri_table not in RI_TABLES:
            raise StoreError("error.store.ri_table", study=study_id,
                             tables=str(sorted(RI_TABLES)), value=repr(ri_table))
        framework_csv = framework_text(framework)
        if framework_csv is not None:
            parse_framework(framework_csv, study_id)
        settings = {
            "framework_csv": framework_csv,
            "threshold": float(threshold),
            "ri_table": ri_table,
            "extended_scale": bool(extended_scale),
        }
        with self._write() as conn:
            exists = conn.execute("SELECT 1 FROM studies WHERE study_id = ?", (study_id,))
            if exists.fetchone():
                raise StoreError("error.store.study_exists", study=study_id)
            conn.execute(
                "INSERT INTO studies VALUES (?, ?, ?, ?, ?)",
                (study_id, name, now(), secrets.token_bytes(16), json.dumps(settings)),
            )
            if framework_csv is not None:
                add_framework(conn, study_id, framework_csv)
            set_state(conn, study_id, "draft")
            record(conn, study_id, "organizer", "study.create", name=name)
        return OrganizerSession(self, self.study(study_id))

    def studies(self) -> pd.DataFrame:
        """All studies: ``study_id, name, created_at`` (oldest first)."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT study_id, name, created_at FROM studies ORDER BY created_at, study_id"
            ).fetchall()
        return pd.DataFrame(rows, columns=["study_id", "name", "created_at"], dtype=object)

    def study(self, study_id: str) -> StudyInfo:
        """A study's name, settings and hierarchy (no credential needed: nothing secret)."""
        cached = self._studies.get(study_id)
        if cached is not None:
            return cached
        with self._connect() as conn:
            row = conn.execute(
                "SELECT name, created_at, settings FROM studies WHERE study_id = ?", (study_id,)
            ).fetchone()
        if row is None:
            raise StoreError("error.store.study_unknown_in", study=study_id, db=self.db.name)
        settings = json.loads(row[2])
        framework_csv = settings.get("framework_csv")
        info = StudyInfo(
            study_id=study_id,
            name=row[0],
            created_at=row[1],
            threshold=float(settings["threshold"]),
            ri_table=str(settings["ri_table"]),
            extended_scale=bool(settings["extended_scale"]),
            framework_csv=framework_csv,
            hierarchy=None if framework_csv is None else parse_framework(framework_csv, study_id),
        )
        self._studies[study_id] = info
        return info

    # ------------------------------------------------------------------ access
    def _check_secret(self, secret: str | None, action: str) -> None:
        if self._organizer_secret is None:
            raise OrganizerSecretError("error.store.secret_unset", action=action,
                                       env=ORGANIZER_SECRET_ENV)
        weakness = secret_weakness(self._organizer_secret)
        if weakness is not None:  # a weak configured secret switches organizer access off
            code, fields = weakness
            raise OrganizerSecretError("error.store.secret_weak", action=action,
                                       env=ORGANIZER_SECRET_ENV,
                                       weakness=Message(f"app.secret.{code}", **fields))
        if not isinstance(secret, str) or not secret.strip():
            raise OrganizerSecretError("error.store.secret_missing", action=action)
        if not hmac.compare_digest(
            secret.strip().encode("utf-8"), self._organizer_secret.strip().encode("utf-8")
        ):
            raise OrganizerSecretError("error.store.secret_wrong", action=action)

    def open_organizer(self, study_id: str, secret: str | None) -> OrganizerSession:
        """The organizer's session for a study; raises :class:`OrganizerSecretError` unless
        ``secret`` equals the configured organizer secret."""
        self._check_secret(secret, Message("error.store.action.open", study=study_id))
        return OrganizerSession(self, self.study(study_id))

    def authenticate(self, study_id: str, token: str | None) -> str:
        """The expert id that ``token`` belongs to in ``study_id``.

        Raises :class:`TokenError` when the token is missing, unknown to this study (wrong,
        or another study's), or revoked/replaced by the organizer.
        """
        return self._authenticate(study_id, token)[0]

    def _authenticate(self, study_id: str, token: str | None) -> tuple[str, str]:
        """``(expert_id, token hash)`` for a valid token (see :meth:`authenticate`)."""
        info = self.study(study_id)
        if not isinstance(token, str) or not token.strip():
            raise TokenError("error.store.token_missing", study=study_id)
        token = token.strip()
        if len(token) > MAX_TOKEN_LENGTH:
            raise TokenError("error.store.token_invalid", study=study_id)
        with self._read() as conn:
            salt = conn.execute(
                "SELECT token_salt FROM studies WHERE study_id = ?", (study_id,)
            ).fetchone()[0]
            candidate = hash_token(salt, token)
            active = conn.execute(
                "SELECT expert_id, token_hash FROM experts WHERE study_id = ? "
                "AND token_hash IS NOT NULL",
                (study_id,),
            ).fetchall()
            revoked = conn.execute(
                "SELECT expert_id, token_hash FROM revoked_tokens WHERE study_id = ?",
                (study_id,),
            ).fetchall()
        found = [expert for expert, stored in active if matches(stored, candidate)]
        if found:
            return found[0], candidate
        if any(matches(stored, candidate) for _, stored in revoked):
            raise TokenError("error.store.token_revoked", study=info.study_id)
        raise TokenError("error.store.token_invalid", study=info.study_id)

    def open_viewer(self, token: str | None):
        """An official's read-only session from a viewer link (:mod:`panel.viewers`)."""
        from panel.viewers import open_viewer

        return open_viewer(self, token)

    def study_states(self) -> pd.DataFrame:
        """Every study with its lifecycle state and counts: ``study_id, name, created_at,
        state, waves, results``."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT s.study_id, s.name, s.created_at, COALESCE(t.state, 'draft'), "
                "(SELECT COUNT(*) FROM waves w WHERE w.study_id = s.study_id), "
                "(SELECT COUNT(*) FROM results r WHERE r.study_id = s.study_id) "
                "FROM studies s LEFT JOIN study_state t ON t.study_id = s.study_id "
                "ORDER BY s.created_at, s.study_id"
            ).fetchall()
        return pd.DataFrame(rows, columns=["study_id", "name", "created_at", "state", "waves",
                                           "results"])

    def import_archive(self, data: bytes, secret: str | None, *, study_id: str | None = None
                       ) -> OrganizerSession:
        """Import a study archive (:mod:`panel.archive`) as a new study, all or nothing."""
        from panel.archive import import_study

        self._check_secret(secret, Message("error.store.action.import"))
        new_id = import_study(self, data, study_id=study_id)
        return OrganizerSession(self, self.study(new_id))

    def open_expert(self, study_id: str, token: str | None) -> ExpertSession:
        """An expert's session: reads and writes only that expert's judgments."""
        expert_id, token_hash = self._authenticate(study_id, token)
        with self._connect() as conn:
            (name,) = conn.execute(
                "SELECT name FROM experts WHERE study_id = ? AND expert_id = ?",
                (study_id, expert_id),
            ).fetchone()
        return ExpertSession(self, self.study(study_id), expert_id, name, token_hash)

    # ------------------------------------------------------------------ shared internals
    def _progress(self, info: StudyInfo, expert_id: str | None) -> pd.DataFrame:
        """Per expert and node: pairs, filled, done, confirmed_inconsistent, cr, updated_at."""
        where = "study_id = ?" + ("" if expert_id is None else " AND expert_id = ?")
        args = (info.study_id,) if expert_id is None else (info.study_id, expert_id)
        with self._read() as conn:
            experts = conn.execute(
                f"SELECT expert_id FROM experts WHERE {where} ORDER BY created_at, expert_id",
                args,
            ).fetchall()
            filled = conn.execute(
                f"SELECT expert_id, node, COUNT(*), MAX(updated_at) FROM judgments "
                f"WHERE {where} GROUP BY expert_id, node",
                args,
            ).fetchall()
            status = conn.execute(
                f"SELECT expert_id, node, done, confirmed_inconsistent, cr, updated_at "
                f"FROM node_status WHERE {where}",
                args,
            ).fetchall()
        filled_frame = pd.DataFrame(
            filled, columns=["expert_id", "node", "filled", "changed_at"], dtype=object
        )
        status_frame = pd.DataFrame(
            status,
            columns=["expert_id", "node", "done", "confirmed_inconsistent", "cr", "status_at"],
            dtype=object,
        )
        expert_ids = [e for (e,) in experts]
        nodes = info.nodes()
        if nodes is None:
            nodes = sorted(set(filled_frame["node"]) | set(status_frame["node"]))
        grid = pd.MultiIndex.from_product([expert_ids, nodes], names=["expert_id", "node"])
        table = grid.to_frame(index=False)
        if info.hierarchy is not None:
            sizes = np.array([len(info.hierarchy.children(n)) for n in nodes], dtype=int)
            pairs = np.tile(sizes * (sizes - 1) // 2, len(expert_ids))
            table["pairs"] = pd.array(pairs, dtype="Int64")
        else:
            table["pairs"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table = table.merge(filled_frame, on=["expert_id", "node"], how="left")
        table = table.merge(status_frame, on=["expert_id", "node"], how="left")
        table["filled"] = table["filled"].fillna(0).astype(int)
        table["done"] = table["done"].fillna(0).astype(bool)
        table["confirmed_inconsistent"] = table["confirmed_inconsistent"].fillna(0).astype(bool)
        table["cr"] = pd.to_numeric(table["cr"]).astype(float)
        stamps = table[["changed_at", "status_at"]].astype(object)
        table["updated_at"] = stamps.apply(
            lambda r: max((s for s in r if isinstance(s, str)), default=None), axis=1
        ).astype(object)
        return table.drop(columns=["changed_at", "status_at"])



class OrganizerSession(StudyActions):
    """The organizer's access to one study (from :meth:`JudgmentStore.open_organizer`)."""

    def __init__(self, store: JudgmentStore, study: StudyInfo, actor: str = "organizer"):
        self._store = store
        self.study = study
        self.actor = actor

    def __repr__(self) -> str:
        return f"OrganizerSession(study={self.study.study_id!r})"

    @property
    def study_id(self) -> str:
        """The study's id."""
        return self.study.study_id

    def _labels(self, conn: Tx) -> dict[str, str]:
        rows = conn.execute(
            "SELECT expert_id, name FROM experts WHERE study_id = ?", (self.study_id,)
        ).fetchall()
        return {e: e for e, _ in rows} | {n: e for e, n in rows}

    def _issue(
        self, conn: Tx, names: Iterable[str], stamp: str
    ) -> dict[str, str]:
        """Add experts with fresh tokens inside an open write transaction.

        A name shaped like an expert id (``E07``, as in the bundled workbooks) becomes that
        expert's id too, so a label (id or name) always points to one expert; it is refused
        when another expert already holds that id number (``E7`` and ``E07`` alike). Other
        names get the next free numbers ``E{k:02d}``.
        """
        clean = [clean_name(n, Message("error.store.what.expert_name")) for n in names]
        doubled = sorted({n for n in clean if clean.count(n) > 1})
        if doubled:
            raise StoreError("error.store.experts_twice", study=self.study_id, names=doubled)
        rows = conn.execute(
            "SELECT expert_id, name FROM experts WHERE study_id = ?", (self.study_id,)
        ).fetchall()
        taken = sorted(set(clean) & {n for _, n in rows})
        if taken:
            raise StoreError("error.store.experts_taken", study=self.study_id, names=taken)
        held = [int(e[1:]) for e, _ in rows if EXPERT_ID_PATTERN.fullmatch(e)]
        coded = {n: int(n[1:]) for n in clean if EXPERT_ID_PATTERN.fullmatch(n)}
        numbers = held + list(coded.values())
        clash = [n for n, k in coded.items() if numbers.count(k) > 1]
        if clash:
            raise StoreError("error.store.experts_like_id", study=self.study_id, names=clash)
        fresh = count(max(numbers, default=0) + 1)
        salt = self._salt(conn)
        tokens: dict[str, str] = {}
        for name in clean:
            expert_id = name if name in coded else f"E{next(fresh):02d}"
            token = secrets.token_urlsafe(TOKEN_BYTES)
            conn.execute(
                "INSERT INTO experts VALUES (?, ?, ?, ?, ?, NULL)",
                (self.study_id, expert_id, name, hash_token(salt, token), stamp),
            )
            tokens[expert_id] = token
        return tokens

    def _salt(self, conn: Tx) -> bytes:
        return conn.execute(
            "SELECT token_salt FROM studies WHERE study_id = ?", (self.study_id,)
        ).fetchone()[0]

    def create_panel(self, expert_names: Iterable[str]) -> dict[str, str]:
        """Add experts to the panel; returns ``expert_id → token`` (ids ``E01``, ``E02``, …).

        The tokens are shown only now (only their hashes are stored): send each expert their
        link (:func:`expert_link`). Names must be unique within the study. A name shaped like
        an id (``E07``) is kept as the expert's id as well, unless that id number is taken.
        """
        names = [expert_names] if isinstance(expert_names, str) else list(expert_names)
        if not names:
            raise StoreError("error.store.no_names", study=self.study_id)
        with self._store._write() as conn:
            tokens = self._issue(conn, names, now())
            record(conn, self.study_id, self.actor, "link.issue", experts=sorted(tokens))
            return tokens

    def experts(self) -> pd.DataFrame:
        """The panel: ``expert_id, name, created_at, access`` (``active`` / ``revoked``),
        ``judgments`` (count), ``nodes_done``, ``last_change``."""
        with self._store._read() as conn:
            rows = conn.execute(
                "SELECT e.expert_id, e.name, e.created_at, "
                "CASE WHEN e.token_hash IS NULL THEN 'revoked' ELSE 'active' END, "
                "(SELECT COUNT(*) FROM judgments j WHERE j.study_id = e.study_id "
                " AND j.expert_id = e.expert_id), "
                "(SELECT COUNT(*) FROM node_status s WHERE s.study_id = e.study_id "
                " AND s.expert_id = e.expert_id AND s.done = 1), "
                "(SELECT MAX(j.updated_at) FROM judgments j WHERE j.study_id = e.study_id "
                " AND j.expert_id = e.expert_id) "
                "FROM experts e WHERE e.study_id = ? ORDER BY e.created_at, e.expert_id",
                (self.study_id,),
            ).fetchall()
        columns = ["expert_id", "name", "created_at", "access", "judgments", "nodes_done",
                   "last_change"]
        frame = pd.DataFrame(rows, columns=columns, dtype=object)
        return frame.astype({"judgments": int, "nodes_done": int})

    def _expert_row(self, conn: Tx, expert_id: str) -> tuple[str | None]:
        row = conn.execute(
            "SELECT token_hash FROM experts WHERE study_id = ? AND expert_id = ?",
            (self.study_id, expert_id),
        ).fetchone()
        if row is None:
            raise StoreError("error.store.no_expert", study=self.study_id, expert=expert_id)
        return row

    def revoke(self, expert_id: str) -> None:
        """Revoke an expert's link; their judgments stay. :meth:`reissue` gives a new link."""
        self._replace_token(expert_id, None)

    def reissue(self, expert_id: str) -> str:
        """A new token for an expert; the old one stops working. Returns the new token."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self._replace_token(expert_id, token)
        return token

    def _replace_token(self, expert_id: str, token: str | None) -> None:
        """Retire the expert's current token and store the hash of ``token`` (``None``: revoked)."""
        with self._store._write() as conn:
            (current,) = self._expert_row(conn, expert_id)
            stamp = now()
            if current is not None:
                retire(conn, self.study_id, expert_id, current, stamp)
            token_hash = None if token is None else hash_token(self._salt(conn), token)
            conn.execute(
                "UPDATE experts SET token_hash = ?, revoked_at = ? "
                "WHERE study_id = ? AND expert_id = ?",
                (token_hash, stamp if token is None else None, self.study_id, expert_id),
            )
            record(conn, self.study_id, self.actor,
                   "link.revoke" if token is None else "link.reissue", expert=expert_id)

    def remove_expert(self, expert_id: str) -> None:
        """Delete an expert with all their judgments and node marks."""
        with self._store._write() as conn:
            self._expert_row(conn, expert_id)
            conn.execute(
                "DELETE FROM experts WHERE study_id = ? AND expert_id = ?",
                (self.study_id, expert_id),
            )
            record(conn, self.study_id, self.actor, "expert.remove", expert=expert_id)

    def judgments(self, label: str = "name") -> pd.DataFrame:
        """All judgments as the long table of :class:`ahp.panel.PanelJudgments`:
        ``expert, node, row, col, value`` (upper triangle; ``expert`` is the expert's
        ``"name"`` or ``"id"``), sorted by panel order, then hierarchy order."""
        if label not in ("name", "id"):
            raise StoreError("error.store.label_kind", value=repr(label))
        with self._store._read() as conn:
            experts = conn.execute(
                "SELECT expert_id, name FROM experts WHERE study_id = ? "
                "ORDER BY created_at, expert_id",
                (self.study_id,),
            ).fetchall()
            rows = conn.execute(
                "SELECT expert_id, node, row_code, col_code, value FROM judgments "
                "WHERE study_id = ?",
                (self.study_id,),
            ).fetchall()
        shown = {e: (n if label == "name" else e) for e, n in experts}
        frame = pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)
        frame["expert"] = frame["expert"].map(shown)
        return sorted_long(frame, self.study, [shown[e] for e, _ in experts])

    def panel(self) -> PanelJudgments:
        """All judgments as :class:`ahp.panel.PanelJudgments` (experts by name), ready for
        :func:`ahp.panel.panel_weights`."""
        return PanelJudgments(self.judgments(), extended_scale=self.study.extended_scale)

    def import_judgments(
        self, frame: pd.DataFrame, *, replace: bool = False, add_experts: bool = False
    ) -> ImportResult:
        """Save a long table ``expert, node, row, col, value`` (e.g. read from expert
        workbooks) in one transaction; ``expert`` is an expert id or name.

        Blank values are skipped. With ``add_experts``, unknown names join the panel with new
        tokens (returned in :attr:`ImportResult.tokens`); otherwise they are an error. With
        ``replace``, each listed expert's judgments of the listed nodes are deleted first.
        """
        stamp = now()
        with self._store._write() as conn:
            labels = self._labels(conn)
            tokens: dict[str, str] = {}
            if add_experts and "expert" in frame.columns:
                new = pd.unique(frame["expert"].astype(str).str.strip())
                tokens = self._issue(conn, [n for n in new if n not in labels], stamp)
                labels = self._labels(conn)
            cells, skipped = validate(self.study, frame, labels)
            write_cells(conn, self.study_id, cells, replace)
            record(conn, self.study_id, self.actor, "judgments.import", cells=len(cells),
                   replace=replace, new_experts=sorted(tokens))
        return import_result(cells, skipped, tokens)

    def progress(self) -> pd.DataFrame:
        """Every expert × node: ``expert_id, node, pairs, filled, done,
        confirmed_inconsistent, cr, updated_at`` (see :class:`Progress`)."""
        return self._store._progress(self.study, None)
