"""The database under the study store: one schema, two back ends (SQLite and PostgreSQL).

:func:`database_url` turns what the user gives (``--db`` / ``SHANZHI_DB``) into a SQLAlchemy URL:
a plain path means an SQLite file (zero set-up, the default ``~/.shanzhi/shanzhi.sqlite3``),
``postgresql://…`` (or ``postgres://``) a PostgreSQL server reached through psycopg 3.

The schema is written once, as SQLAlchemy Core tables (:data:`METADATA`); SQLAlchemy emits the
DDL of each dialect (``DOUBLE PRECISION`` and ``BYTEA`` on PostgreSQL, ``FLOAT`` and ``BLOB`` on
SQLite). The queries of the store are plain SQL that both dialects accept (``INSERT … ON CONFLICT
… DO UPDATE`` is the same in SQLite ≥ 3.24 and PostgreSQL ≥ 9.5), run through SQLAlchemy's
``text()`` with bound parameters: one dialect of SQL, never string formatting of values.

Transactions (:meth:`Database.write`, :meth:`Database.read`)
------------------------------------------------------------
* SQLite: WAL mode, ``synchronous=FULL``, foreign keys on, a busy timeout; a write transaction
  starts with ``BEGIN IMMEDIATE`` (takes the write lock up front: no lock-upgrade deadlock), a read
  transaction with ``BEGIN`` (one snapshot for all its queries). SQLAlchemy's own BEGIN handling
  of pysqlite is switched off as its documentation recommends for this.
* PostgreSQL: writes in READ COMMITTED (judgments are upserts on their own primary key, so
  concurrent experts never conflict), reads in REPEATABLE READ (one snapshot: a publish reads a
  consistent panel and wave even while experts keep writing).

Migrations
----------
The existing runner, not Alembic: ``schema_version`` records the applied steps of
:data:`MIGRATIONS`; each step creates tables of :data:`METADATA` (so its DDL is dialect-neutral)
and may run portable SQL. Opening a database applies the missing steps in one transaction (on
PostgreSQL under an advisory lock, so two app instances starting together do not race). Files
written by the earlier SQLite-only store (version 1) open unchanged and gain the new tables.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from i18n.errors import ShanzhiError

__all__ = [
    "DB_PATH_ENV",
    "METADATA",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Database",
    "Tx",
    "database_url",
    "default_db_path",
    "now",
]

DB_PATH_ENV = "SHANZHI_DB"
"""Environment variable holding the database: a file path (SQLite) or a ``postgresql://`` URL."""


class DatabaseError(ShanzhiError):
    """The database cannot be opened or is of an unknown version (subclassed by StoreError)."""


def now() -> str:
    """The current UTC time as ISO 8601 text with microseconds (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def default_db_path(environ: Mapping[str, str] | None = None) -> Path | str:
    """The database: ``SHANZHI_DB`` if set (a path, or a ``postgresql://`` URL returned as
    text), else ``~/.shanzhi/shanzhi.sqlite3``."""
    value = (os.environ if environ is None else environ).get(DB_PATH_ENV, "").strip()
    if value and _is_url(value):
        return value
    return Path(value).expanduser() if value else Path.home() / ".shanzhi" / "shanzhi.sqlite3"


def _is_url(text: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+]*://", text, re.IGNORECASE))


def database_url(target: str | os.PathLike[str]) -> sa.URL:
    """A SQLAlchemy URL for a path (SQLite) or a ``postgresql://`` / ``sqlite:///`` URL."""
    text = os.fspath(target).strip()
    if not _is_url(text):
        if text == ":memory:" or text.startswith("file:") or not text:
            raise DatabaseError("error.store.db_path", value=repr(text))
        return sa.URL.create("sqlite", database=str(Path(text).expanduser()))
    url = sa.make_url(text)
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return url
    raise DatabaseError("error.store.db_url", url=repr(url.render_as_string()))


# ---------------------------------------------------------------------------------- schema
METADATA = sa.MetaData()
_T = sa.Text
_F = sa.Double


def _fk_study() -> sa.ForeignKey:
    return sa.ForeignKey("studies.study_id", ondelete="CASCADE")


sa.Table(
    "studies", METADATA,
    sa.Column("study_id", _T, primary_key=True),
    sa.Column("name", _T, nullable=False),
    sa.Column("created_at", _T, nullable=False),
    sa.Column("token_salt", sa.LargeBinary, nullable=False),
    sa.Column("settings", _T, nullable=False),
)
sa.Table(
    "experts", METADATA,
    sa.Column("study_id", _T, _fk_study(), nullable=False),
    sa.Column("expert_id", _T, nullable=False),
    sa.Column("name", _T, nullable=False),
    sa.Column("token_hash", _T),
    sa.Column("created_at", _T, nullable=False),
    sa.Column("revoked_at", _T),
    sa.PrimaryKeyConstraint("study_id", "expert_id"),
    sa.UniqueConstraint("study_id", "name"),
)
_EXPERT_FK = dict(refcolumns=["experts.study_id", "experts.expert_id"], ondelete="CASCADE")
sa.Table(
    "revoked_tokens", METADATA,
    sa.Column("study_id", _T, nullable=False),
    sa.Column("expert_id", _T, nullable=False),
    sa.Column("token_hash", _T, nullable=False),
    sa.Column("revoked_at", _T, nullable=False),
    sa.PrimaryKeyConstraint("study_id", "token_hash"),
    sa.ForeignKeyConstraint(["study_id", "expert_id"], **_EXPERT_FK),
)
sa.Table(
    "judgments", METADATA,
    sa.Column("study_id", _T, nullable=False),
    sa.Column("expert_id", _T, nullable=False),
    sa.Column("node", _T, nullable=False),
    sa.Column("row_code", _T, nullable=False),
    sa.Column("col_code", _T, nullable=False),
    sa.Column("value", _F, sa.CheckConstraint("value > 0"), nullable=False),
    sa.Column("updated_at", _T, nullable=False),
    sa.PrimaryKeyConstraint("study_id", "expert_id", "node", "row_code", "col_code"),
    sa.ForeignKeyConstraint(["study_id", "expert_id"], **_EXPERT_FK),
)
sa.Table(
    "node_status", METADATA,
    sa.Column("study_id", _T, nullable=False),
    sa.Column("expert_id", _T, nullable=False),
    sa.Column("node", _T, nullable=False),
    sa.Column("done", sa.Integer, sa.CheckConstraint("done IN (0, 1)"), nullable=False),
    sa.Column("confirmed_inconsistent", sa.Integer,
              sa.CheckConstraint("confirmed_inconsistent IN (0, 1)"), nullable=False),
    sa.Column("cr", _F),
    sa.Column("updated_at", _T, nullable=False),
    sa.PrimaryKeyConstraint("study_id", "expert_id", "node"),
    sa.ForeignKeyConstraint(["study_id", "expert_id"], **_EXPERT_FK),
)
# ---- version 2: the whole study
sa.Table(
    "study_state", METADATA,
    sa.Column("study_id", _T, _fk_study(), primary_key=True),
    sa.Column("state", _T, nullable=False),
    sa.Column("changed_at", _T, nullable=False),
)
sa.Table(
    "frameworks", METADATA,
    sa.Column("study_id", _T, _fk_study(), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("csv", _T, nullable=False),
    sa.Column("sha256", _T, nullable=False),
    sa.Column("created_at", _T, nullable=False),
    sa.PrimaryKeyConstraint("study_id", "version"),
)
sa.Table(
    "waves", METADATA,
    sa.Column("study_id", _T, _fk_study(), nullable=False),
    sa.Column("wave_id", sa.Integer, nullable=False),
    sa.Column("label", _T, nullable=False),
    sa.Column("created_at", _T, nullable=False),
    sa.Column("file_name", _T, nullable=False),
    sa.Column("file_sha256", _T, nullable=False),
    sa.Column("framework_version", sa.Integer, nullable=False),
    sa.Column("details", _T, nullable=False),  # JSON: mapping, screening, reliability, items
    sa.Column("n_received", sa.Integer, nullable=False),
    sa.Column("n_valid", sa.Integer, nullable=False),
    sa.Column("answers_sha256", _T, nullable=False),
    sa.Column("answers_deleted_at", _T),
    sa.PrimaryKeyConstraint("study_id", "wave_id"),
    sa.UniqueConstraint("study_id", "label"),
)
sa.Table(
    "wave_answers", METADATA,
    sa.Column("study_id", _T, nullable=False),
    sa.Column("wave_id", sa.Integer, nullable=False),
    sa.Column("chunk", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.PrimaryKeyConstraint("study_id", "wave_id", "chunk"),
    sa.ForeignKeyConstraint(["study_id", "wave_id"], ["waves.study_id", "waves.wave_id"],
                            ondelete="CASCADE"),
)
sa.Table(
    "results", METADATA,
    sa.Column("study_id", _T, nullable=False),
    sa.Column("result_id", sa.Integer, nullable=False),
    sa.Column("wave_id", sa.Integer, nullable=False),
    sa.Column("published_at", _T, nullable=False),
    sa.Column("published_by", _T, nullable=False),
    sa.Column("summary", _T, nullable=False),  # JSON: settings, hashes, version, seed, counts
    sa.Column("payload", sa.LargeBinary, nullable=False),  # gzip JSON of CSV tables
    sa.Column("payload_sha256", _T, nullable=False),
    sa.PrimaryKeyConstraint("study_id", "result_id"),
    sa.ForeignKeyConstraint(["study_id", "wave_id"], ["waves.study_id", "waves.wave_id"],
                            ondelete="CASCADE"),
)
sa.Table(
    "viewers", METADATA,
    sa.Column("study_id", _T, _fk_study(), nullable=False),
    sa.Column("viewer_id", sa.Integer, nullable=False),
    sa.Column("label", _T, nullable=False),
    sa.Column("token_hash", _T, nullable=False, unique=True),
    sa.Column("created_at", _T, nullable=False),
    sa.Column("revoked_at", _T),
    sa.PrimaryKeyConstraint("study_id", "viewer_id"),
)
sa.Table(
    "audit", METADATA,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("study_id", _T, _fk_study(), nullable=False, index=True),
    sa.Column("at", _T, nullable=False),
    sa.Column("actor", _T, nullable=False),
    sa.Column("action", _T, nullable=False),
    sa.Column("detail", _T, nullable=False),  # JSON
)


def _create(*names: str) -> Callable[[Tx], None]:
    def step(tx: Tx) -> None:
        for name in names:
            METADATA.tables[name].create(tx.connection)

    return step


MIGRATIONS: tuple[Callable[[Tx], None], ...] = (
    _create("studies", "experts", "revoked_tokens", "judgments", "node_status"),
    _create("study_state", "frameworks", "waves", "wave_answers", "results", "viewers", "audit"),
)
"""Schema steps; step ``i`` (1-based) brings the database to version ``i``. Append, never edit."""

SCHEMA_VERSION = len(MIGRATIONS)


# ---------------------------------------------------------------------------------- access
class _Result:
    """The rows of one statement as plain tuples."""

    def __init__(self, result: sa.CursorResult):
        self._result = result

    def fetchone(self) -> tuple | None:
        row = self._result.fetchone()
        return None if row is None else tuple(row)

    def fetchall(self) -> list[tuple]:
        return [tuple(r) for r in self._result.fetchall()]

    def scalar(self) -> Any:
        return self._result.scalar()

    @property
    def rowcount(self) -> int:
        return int(self._result.rowcount)


_TEXTS: dict[str, sa.TextClause] = {}


def _text(sql: str) -> sa.TextClause:
    """Portable SQL with ``?`` placeholders as a ``text()`` clause with ``:p0, :p1, …``."""
    clause = _TEXTS.get(sql)
    if clause is None:
        counter = iter(range(10_000))
        clause = sa.text(re.sub(r"\?", lambda _m: f":p{next(counter)}", sql))
        _TEXTS[sql] = clause
    return clause


def _named(params: Sequence[Any] | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(params, Mapping):
        return dict(params)
    return {f"p{i}": v for i, v in enumerate(params)}


class Tx:
    """One open transaction: ``execute(sql, params)`` with ``?`` or ``:name`` placeholders."""

    def __init__(self, connection: sa.Connection, dialect: str):
        self.connection = connection
        self.dialect = dialect

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> _Result:
        return _Result(self.connection.execute(_text(sql), _named(params)))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]] | Any) -> None:
        batch = [_named(r) for r in rows]
        if batch:
            self.connection.execute(_text(sql), batch)


class Database:
    """An engine on one database plus the transaction helpers of the store."""

    def __init__(self, target: str | os.PathLike[str], *, timeout: float = 30.0):
        self.url = database_url(target)
        self.dialect = self.url.get_backend_name()
        self.timeout = float(timeout)
        if self.dialect == "sqlite":
            path = Path(self.url.database or "")
            path.parent.mkdir(parents=True, exist_ok=True)
            self.path: Path | None = path
            self.engine = sa.create_engine(
                self.url, connect_args={"timeout": self.timeout}, poolclass=sa.NullPool
            )
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            self.path = None
            self.engine = sa.create_engine(
                self.url, pool_pre_ping=True, pool_size=5, max_overflow=10,
                connect_args={"connect_timeout": max(1, int(self.timeout))},
            )

    def __repr__(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @property
    def name(self) -> str:
        """A short name for messages: the file name, or the server database."""
        if self.path is not None:
            return self.path.name
        return f"{self.url.host}/{self.url.database}"

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """One short write transaction (committed on success, rolled back on any error)."""
        options = {"sqlite_immediate": True} if self.dialect == "sqlite" else {}
        with self.engine.connect().execution_options(**options) as conn, conn.begin():
            yield Tx(conn, self.dialect)

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A read transaction: every query inside sees the same snapshot."""
        options = (
            {"isolation_level": "REPEATABLE READ"} if self.dialect == "postgresql" else {}
        )
        with self.engine.connect().execution_options(**options) as conn, conn.begin():
            yield Tx(conn, self.dialect)

    def migrate(self) -> None:
        """Apply the missing steps of :data:`MIGRATIONS` in one transaction."""
        if self.dialect == "sqlite":
            with self.engine.connect() as conn:
                mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            if str(mode).lower() != "wal":
                raise DatabaseError("error.store.db_wal", db=self.name, mode=mode)
        with self.write() as tx:
            if self.dialect == "postgresql":
                tx.execute("SELECT pg_advisory_xact_lock(7411002)")
            tx.execute(
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            version = int(tx.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version")
                          .scalar())
            if version > SCHEMA_VERSION:
                raise DatabaseError("error.store.db_schema", db=self.name, version=version,
                                    supported=SCHEMA_VERSION)
            for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
                step(tx)
                tx.execute("INSERT INTO schema_version VALUES (?, ?)", (number, now()))

    def schema_version(self) -> int:
        with self.read() as tx:
            return int(tx.execute("SELECT MAX(version) FROM schema_version").scalar())

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
