"""Delphi rounds in the study store: rounds, experts' ratings and self-ratings, saved per cell.

Built on the connection API of :class:`panel.store.JudgmentStore` (``_write``/``_read``: one
short SQLite transaction per call, WAL, so ratings survive a refresh and a restart) with its own
tables and its own migration list (table ``delphi_schema_version``), so that it can be moved to
the SQLAlchemy engine of the new store as one unit: the tables below are the whole of it.

The experts and their personal links are the study's (the tokens of :mod:`panel.store`): an
expert opens the Delphi page with the same ``?study=…&token=…`` as the AHP page. Access goes
through the store's sessions: :class:`DelphiOrganizer` wraps an ``OrganizerSession`` (signed in
with the organizer secret), :class:`DelphiExpert` an ``ExpertSession`` (a valid token), which
reads and writes only that expert's ratings of the open round.

Tables::

    delphi_rounds   (study_id, round, opened_at, closed_at, indicators JSON, min_mean, max_cv,
                     min_full_mark)                          PK (study_id, round)
    delphi_ratings  (study_id, round, expert_id, indicator, rating 1–5 or NULL, comment,
                     updated_at)                             PK (study_id, round, expert_id,
                                                                 indicator)
    delphi_self     (study_id, round, expert_id, familiarity, basis JSON, updated_at)
                                                             PK (study_id, round, expert_id)

A round is open until the organizer opens the next one; the next round carries the indicators
the previous round kept, and each expert sees the group's anonymised feedback of that round
(:func:`delphi.next_round`: n, mean, SD, count of each rating, comments without names).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from delphi import BASIS, FAMILIARITY, INFLUENCE, DelphiError, DelphiRound, KeepRule, next_round
from panel.delphi_files import (
    DelphiAnalysis,
    DelphiRatings,
    delphi_indicators,
)
from panel.store import ExpertSession, JudgmentStore, OrganizerSession, StoreError

DELPHI_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE delphi_rounds (
            study_id TEXT NOT NULL REFERENCES studies(study_id) ON DELETE CASCADE,
            round INTEGER NOT NULL CHECK (round >= 1),
            opened_at TEXT NOT NULL,
            closed_at TEXT,
            indicators TEXT NOT NULL,
            min_mean REAL,
            max_cv REAL,
            min_full_mark REAL,
            PRIMARY KEY (study_id, round))""",
        """CREATE TABLE delphi_ratings (
            study_id TEXT NOT NULL,
            round INTEGER NOT NULL,
            expert_id TEXT NOT NULL,
            indicator TEXT NOT NULL,
            rating INTEGER CHECK (rating BETWEEN 1 AND 5),
            comment TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL,
            PRIMARY KEY (study_id, round, expert_id, indicator),
            FOREIGN KEY (study_id, round) REFERENCES delphi_rounds(study_id, round)
                ON DELETE CASCADE)""",
        """CREATE TABLE delphi_self (
            study_id TEXT NOT NULL,
            round INTEGER NOT NULL,
            expert_id TEXT NOT NULL,
            familiarity TEXT,
            basis TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (study_id, round, expert_id),
            FOREIGN KEY (study_id, round) REFERENCES delphi_rounds(study_id, round)
                ON DELETE CASCADE)""",
    ),
)
DELPHI_SCHEMA_VERSION = len(DELPHI_MIGRATIONS)

# Upsert both SQLite and PostgreSQL accept (INSERT OR REPLACE is SQLite only).
_UPSERT_SELF = (
    "INSERT INTO delphi_self VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (study_id, round, expert_id) "
    "DO UPDATE SET familiarity = excluded.familiarity, basis = excluded.basis, "
    "updated_at = excluded.updated_at"
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def migrate(store: JudgmentStore) -> None:
    """Create or update the Delphi tables of ``store`` (idempotent)."""
    with store._write() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS delphi_schema_version "
                     "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        version = int(conn.execute(
            "SELECT COALESCE(MAX(version), 0) FROM delphi_schema_version").fetchone()[0])
        if version > DELPHI_SCHEMA_VERSION:
            raise StoreError("error.store.delphi_schema", db=store.path, version=version,
                             supported=DELPHI_SCHEMA_VERSION)
        for number, steps in enumerate(DELPHI_MIGRATIONS[version:], start=version + 1):
            for statement in steps:
                conn.execute(statement)
            conn.execute("INSERT INTO delphi_schema_version VALUES (?, ?)", (number, _now()))


@dataclass(frozen=True)
class RoundInfo:
    """One round: ``number``, ``indicators`` (codes, framework order), the keep ``rule``,
    ``opened_at``, ``closed_at`` (None while open)."""

    number: int
    indicators: list[str]
    rule: KeepRule
    opened_at: str
    closed_at: str | None

    @property
    def open(self) -> bool:
        return self.closed_at is None


def _rounds(conn: sqlite3.Connection, study_id: str) -> list[RoundInfo]:
    rows = conn.execute(
        "SELECT round, indicators, min_mean, max_cv, min_full_mark, opened_at, closed_at "
        "FROM delphi_rounds WHERE study_id = ? ORDER BY round", (study_id,)).fetchall()
    return [RoundInfo(int(r[0]), json.loads(r[1]), KeepRule(r[2], r[3], r[4]), r[5], r[6])
            for r in rows]


def _ratings(conn: sqlite3.Connection, study_id: str, labels: Mapping[str, str],
             number: int | None = None) -> DelphiRatings:
    where, args = ("AND round = ?", (study_id, number)) if number else ("", (study_id,))
    rows = conn.execute(
        "SELECT round, expert_id, indicator, rating, comment FROM delphi_ratings "
        f"WHERE study_id = ? {where} ORDER BY round, expert_id", args).fetchall()
    ratings = pd.DataFrame(rows, columns=["round", "expert", "indicator", "rating", "comment"])
    ratings["rating"] = pd.to_numeric(ratings["rating"], errors="coerce").astype(float)
    ratings["expert"] = ratings["expert"].map(lambda e: labels.get(e, e))
    selfs = conn.execute(
        "SELECT round, expert_id, familiarity, basis FROM delphi_self "
        f"WHERE study_id = ? {where}", args).fetchall()
    def complete(basis: str | None) -> dict[str, str] | None:
        levels = json.loads(basis) if basis else None
        return levels if levels and len(levels) == len(BASIS) else None

    experts = pd.DataFrame(
        [{"round": r, "expert": labels.get(e, e), "familiarity": f, "basis": complete(b)}
         for r, e, f, b in selfs],
        columns=["round", "expert", "familiarity", "basis"])
    return DelphiRatings(ratings, experts)


class DelphiOrganizer:
    """The organizer's side of a study's Delphi consultation (through an
    ``OrganizerSession``, i.e. signed in with the organizer secret)."""

    def __init__(self, session: OrganizerSession):
        self.session = session
        self.store: JudgmentStore = session._store
        self.study_id = session.study_id
        migrate(self.store)
        hierarchy = session.study.hierarchy if hasattr(session, "study") else None
        self.hierarchy = hierarchy or self.store.study(self.study_id).hierarchy
        if self.hierarchy is None:
            raise StoreError("error.delphi.no_framework", study=self.study_id)

    def rounds(self) -> list[RoundInfo]:
        with self.store._read() as conn:
            return _rounds(conn, self.study_id)

    def current(self) -> RoundInfo | None:
        rounds = self.rounds()
        return rounds[-1] if rounds else None

    def _labels(self) -> dict[str, str]:
        experts = self.session.experts()
        return dict(zip(experts["expert_id"], experts["name"], strict=True))

    def invited(self) -> int:
        """Experts with an active link (the denominator of the response rate)."""
        experts = self.session.experts()
        return int((experts["access"] == "active").sum())

    def ratings(self, number: int | None = None) -> DelphiRatings:
        """Ratings of round ``number`` (every round when None), experts by name."""
        with self.store._read() as conn:
            return _ratings(conn, self.study_id, self._labels(), number)

    def analysis(self) -> DelphiAnalysis:
        """Statistics of every round with ratings, and the framework they keep
        (:func:`panel.delphi_files.analyse_rounds`; the rule of each round is its own)."""
        rounds = self.rounds()
        if not rounds:
            raise DelphiError("error.delphi.no_round_opened", study=self.study_id)
        data = self.ratings()
        invited = self.invited()
        results, numbers = [], []
        frame = self.hierarchy.to_frame()
        from delphi import delphi_round, kept_framework
        from panel.delphi_files import framework_problem

        for info in rounds:
            wide = data.wide(info.number, info.indicators)
            familiarity, basis = data.self_ratings(info.number)
            try:
                result = delphi_round(wide, familiarity, basis,
                                      experts_invited=max(invited, wide.shape[1]),
                                      rule=info.rule)
            except DelphiError as exc:
                raise DelphiError("error.delphi.in_round", round=info.number,
                                  reason=exc.message) from None
            results.append(result)
            numbers.append(info.number)
            frame = kept_framework(frame, result)
        return DelphiAnalysis(numbers, results, frame, framework_problem(frame))

    def round_statistics(self, number: int) -> DelphiRound:
        """Statistics of one round (DelphiError saying why they cannot be computed yet)."""
        info = next((r for r in self.rounds() if r.number == number), None)
        if info is None:
            raise DelphiError("error.delphi.no_round", round=number)
        data = self.ratings(number)
        familiarity, basis = data.self_ratings(number)
        wide = data.wide(number, info.indicators) if len(data.ratings) else pd.DataFrame(
            index=info.indicators)
        from delphi import delphi_round

        return delphi_round(wide, familiarity, basis,
                            experts_invited=max(self.invited(), wide.shape[1]), rule=info.rule)

    def open_round(self, rule: KeepRule | None = None,
                   indicators: list[str] | None = None) -> RoundInfo:
        """Open the next round (closing the current one). Round 1 rates ``indicators``
        (default every node below the goal); a later round the indicators the previous round
        kept (its statistics must be computable: at least 2 experts rated)."""
        rule = rule or KeepRule()
        rounds = self.rounds()
        if rounds:
            last = self.round_statistics(rounds[-1].number)
            codes = last.kept
            if not codes:
                raise DelphiError("error.delphi.nothing_kept", round=rounds[-1].number)
        else:
            codes = indicators or delphi_indicators(self.hierarchy)
            unknown = [c for c in codes if c not in self.hierarchy.nodes]
            if unknown:
                raise DelphiError("error.delphi.not_in_framework", codes=unknown)
        number = rounds[-1].number + 1 if rounds else 1
        now = _now()
        with self.store._write() as conn:
            conn.execute("UPDATE delphi_rounds SET closed_at = ? WHERE study_id = ? "
                         "AND closed_at IS NULL", (now, self.study_id))
            conn.execute("INSERT INTO delphi_rounds VALUES (?, ?, ?, NULL, ?, ?, ?, ?)",
                         (self.study_id, number, now, json.dumps(codes), rule.min_mean,
                          rule.max_cv, rule.min_full_mark))
        return self.current()  # type: ignore[return-value]

    def close_round(self) -> None:
        """Close the open round (the final round: the kept framework is then final)."""
        with self.store._write() as conn:
            conn.execute("UPDATE delphi_rounds SET closed_at = ? WHERE study_id = ? "
                         "AND closed_at IS NULL", (_now(), self.study_id))

    def import_ratings(self, data: DelphiRatings, number: int | None = None) -> int:
        """Store ratings (e.g. read from Delphi workbooks) into round ``number`` (default the
        open round), replacing those experts' ratings of that round; experts are matched by
        name or id. Returns the number of ratings stored."""
        info = self.current() if number is None else next(
            (r for r in self.rounds() if r.number == number), None)
        if info is None:
            raise DelphiError("error.delphi.import_no_round")
        experts = self.session.experts()
        by_name = {**dict(zip(experts["name"], experts["expert_id"], strict=True)),
                   **{e: e for e in experts["expert_id"]}}
        unknown = sorted(set(data.ratings["expert"]) - set(by_name))
        if unknown:
            raise DelphiError("error.delphi.not_on_panel", names=unknown)
        allowed = set(info.indicators)
        lines = data.ratings
        outside = sorted(set(lines["indicator"]) - allowed)
        if outside:
            raise DelphiError("error.delphi.round_codes", round=info.number, codes=outside)
        now = _now()
        count = 0
        with self.store._write() as conn:
            for expert, group in lines.groupby("expert"):
                eid = by_name[expert]
                conn.execute("DELETE FROM delphi_ratings WHERE study_id = ? AND round = ? "
                             "AND expert_id = ?", (self.study_id, info.number, eid))
                for row in group.itertuples():
                    rating = None if pd.isna(row.rating) else int(row.rating)
                    conn.execute("INSERT INTO delphi_ratings VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 (self.study_id, info.number, eid, row.indicator, rating,
                                  row.comment or "", now))
                    count += rating is not None
            for row in data.experts.itertuples():
                if row.expert not in by_name:
                    continue
                conn.execute(_UPSERT_SELF,
                             (self.study_id, info.number, by_name[row.expert],
                              None if row.familiarity is None else str(row.familiarity),
                              json.dumps(row.basis) if row.basis is not None else None, now))
        return count

    def progress(self) -> pd.DataFrame:
        """Per expert of the open round: ``expert_id, name, rated`` (count), ``of``
        (indicators), ``self_rating`` (bool), ``last_change``."""
        info = self.current()
        experts = self.session.experts()
        frame = experts[["expert_id", "name", "access"]].copy()
        if info is None:
            return frame.assign(rated=0, of=0, self_rating=False, last_change=None)
        with self.store._read() as conn:
            rated = dict(conn.execute(
                "SELECT expert_id, COUNT(rating) FROM delphi_ratings WHERE study_id = ? AND "
                "round = ? GROUP BY expert_id", (self.study_id, info.number)).fetchall())
            last = dict(conn.execute(
                "SELECT expert_id, MAX(updated_at) FROM delphi_ratings WHERE study_id = ? AND "
                "round = ? GROUP BY expert_id", (self.study_id, info.number)).fetchall())
            selfs = {r[0] for r in conn.execute(
                "SELECT expert_id FROM delphi_self WHERE study_id = ? AND round = ? AND "
                "familiarity IS NOT NULL AND basis IS NOT NULL",
                (self.study_id, info.number)).fetchall()}
        return frame.assign(
            rated=[int(rated.get(e, 0)) for e in frame["expert_id"]],
            of=len(info.indicators),
            self_rating=[e in selfs for e in frame["expert_id"]],
            last_change=[last.get(e) for e in frame["expert_id"]],
        )


class DelphiExpert:
    """An expert's side: the open round, their own ratings (saved one at a time) and the
    group's anonymised feedback of the previous round."""

    def __init__(self, session: ExpertSession):
        self.session = session
        self.store: JudgmentStore = session._store
        self.study_id = session.study.study_id
        self.expert_id = session.expert_id
        migrate(self.store)

    def _verify(self) -> None:
        """Refuse a link revoked since the session was opened."""
        with self.store._read() as conn:
            self.session._verify(conn)

    def current(self) -> RoundInfo | None:
        """The open round (None when no round is open)."""
        with self.store._read() as conn:
            rounds = _rounds(conn, self.study_id)
        return rounds[-1] if rounds and rounds[-1].open else None

    def _round(self) -> RoundInfo:
        info = self.current()
        if info is None:
            raise DelphiError("error.delphi.no_open_round", study=self.study_id)
        return info

    def ratings(self) -> dict[str, tuple[int | None, str]]:
        """indicator → (rating or None, comment) of the open round."""
        info = self.current()
        if info is None:
            return {}
        with self.store._read() as conn:
            rows = conn.execute(
                "SELECT indicator, rating, comment FROM delphi_ratings WHERE study_id = ? AND "
                "round = ? AND expert_id = ?", (self.study_id, info.number, self.expert_id)
            ).fetchall()
        return {i: (r, c or "") for i, r, c in rows}

    def set_rating(self, indicator: str, rating: int | None) -> None:
        """Save one rating (1–5; None clears it), keeping the comment."""
        info = self._round()
        if indicator not in info.indicators:
            raise DelphiError("error.delphi.round_code", round=info.number, code=indicator)
        if rating is not None and rating not in (1, 2, 3, 4, 5):
            raise DelphiError("error.delphi.rating_value", code=indicator, value=repr(rating))
        self._verify()
        with self.store._write() as conn:
            conn.execute(
                "INSERT INTO delphi_ratings VALUES (?, ?, ?, ?, ?, '', ?) ON CONFLICT "
                "(study_id, round, expert_id, indicator) DO UPDATE SET rating = excluded.rating,"
                " updated_at = excluded.updated_at",
                (self.study_id, info.number, self.expert_id, indicator, rating, _now()))

    def set_comment(self, indicator: str, comment: str) -> None:
        """Save the comment on one indicator (blank clears it)."""
        info = self._round()
        if indicator not in info.indicators:
            raise DelphiError("error.delphi.round_code", round=info.number, code=indicator)
        self._verify()
        with self.store._write() as conn:
            conn.execute(
                "INSERT INTO delphi_ratings VALUES (?, ?, ?, ?, NULL, ?, ?) ON CONFLICT "
                "(study_id, round, expert_id, indicator) DO UPDATE SET comment = "
                "excluded.comment, updated_at = excluded.updated_at",
                (self.study_id, info.number, self.expert_id, indicator,
                 str(comment).strip()[:2000], _now()))

    def self_rating(self) -> tuple[str | None, dict[str, str]]:
        """(familiarity key, basis → influence key) of the open round."""
        info = self.current()
        if info is None:
            return None, {}
        with self.store._read() as conn:
            row = conn.execute(
                "SELECT familiarity, basis FROM delphi_self WHERE study_id = ? AND round = ? "
                "AND expert_id = ?", (self.study_id, info.number, self.expert_id)).fetchone()
        if row is None:
            return None, {}
        return row[0], json.loads(row[1]) if row[1] else {}

    def set_self_rating(self, familiarity: str | None = None,
                        basis: Mapping[str, str] | None = None) -> None:
        """Save the familiarity (a key of :data:`delphi.FAMILIARITY`) and/or the influence
        (a key of :data:`delphi.INFLUENCE`) of each basis of judgment; once per round."""
        info = self._round()
        if familiarity is not None and familiarity not in FAMILIARITY:
            raise DelphiError("error.delphi.familiarity_key", value=repr(familiarity))
        old_fam, old_basis = self.self_rating()
        levels = dict(old_basis)
        for key, level in (basis or {}).items():
            if key not in BASIS or level not in INFLUENCE:
                raise DelphiError("error.delphi.basis_key", basis=repr(key), level=repr(level))
            levels[key] = level
        fam = familiarity if familiarity is not None else old_fam
        self._verify()
        with self.store._write() as conn:
            conn.execute(
                _UPSERT_SELF,
                (self.study_id, info.number, self.expert_id, fam,
                 json.dumps(levels) if levels else None,
                 _now()))

    def feedback(self) -> pd.DataFrame | None:
        """The previous round's anonymised feedback on the open round's indicators
        (n, mean, sd, rated_1..rated_5, comments); None in round 1."""
        info = self.current()
        if info is None or info.number == 1:
            return None
        with self.store._read() as conn:
            previous = _rounds(conn, self.study_id)[info.number - 2]
            data = _ratings(conn, self.study_id, {}, previous.number)
        from delphi import delphi_round

        result = delphi_round(data.wide(previous.number, previous.indicators), rule=previous.rule)
        return next_round(result, data.comments(previous.number)).feedback
