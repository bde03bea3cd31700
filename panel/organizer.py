"""The organizer's study-level actions: lifecycle, framework versions, waves, publishing,
viewer links, retention, the audit log and archives (a mixin of
:class:`panel.store.OrganizerSession`).

Lifecycle: ``draft`` (created) → ``collecting`` (panel and questionnaire under way; adding a wave
always reopens it) → ``closed`` → ``published`` (a result exists for the latest wave). Every
action here writes an audit entry in the same transaction as the action itself.
"""

from __future__ import annotations

import json
import os
from hashlib import sha256
from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy as sa

from ahp.hierarchy import Hierarchy
from ahp.panel import PanelJudgments
from evaluation.study import StudySettings
from i18n import Message
from panel import waves as wave_store
from panel.audit import audit_log, record
from panel.db import Tx, now
from panel.errors import StoreError
from panel.publish import Published, compute_snapshot, settings_from_record
from panel.tokens import new_token, viewer_hash
from survey.responses import Responses

if TYPE_CHECKING:  # pragma: no cover
    from panel.store import JudgmentStore
    from panel.studies import StudyInfo

__all__ = ["STATES", "StudyActions", "latest_state", "published_result"]

STATES = ("draft", "collecting", "closed", "published")
_MOVES = {
    "collecting": {"draft", "closed", "published", "collecting"},
    "closed": {"collecting"},
    "published": {"collecting", "closed", "published"},
}


def latest_state(tx: Tx, study_id: str) -> str:
    row = tx.execute("SELECT state FROM study_state WHERE study_id = ?", (study_id,)).fetchone()
    return "draft" if row is None else str(row[0])


def set_state(tx: Tx, study_id: str, state: str) -> None:
    tx.execute(
        "INSERT INTO study_state VALUES (?, ?, ?) ON CONFLICT (study_id) DO UPDATE SET "
        "state = excluded.state, changed_at = excluded.changed_at",
        (study_id, state, now()),
    )


def framework_version(tx: Tx, study_id: str) -> int:
    return int(tx.execute("SELECT COALESCE(MAX(version), 0) FROM frameworks WHERE study_id = ?",
                          (study_id,)).scalar())


def add_framework(tx: Tx, study_id: str, csv_text: str) -> int:
    version = framework_version(tx, study_id) + 1
    tx.execute("INSERT INTO frameworks VALUES (?, ?, ?, ?, ?)",
               (study_id, version, csv_text, sha256(csv_text.encode()).hexdigest(), now()))
    return version


def published_result(tx: Tx, study_id: str, wave: str | None = None,
                     result_id: int | None = None) -> Published:
    """The latest published result of the study (or of wave ``wave``; or result
    ``result_id``)."""
    sql = ("SELECT r.result_id, w.label, r.published_at, r.published_by, r.payload_sha256, "
           "r.payload FROM results r JOIN waves w ON w.study_id = r.study_id "
           "AND w.wave_id = r.wave_id WHERE r.study_id = ?")
    args: tuple = (study_id,)
    if wave is not None:
        sql += " AND w.label = ?"
        args = (*args, wave)
    if result_id is not None:
        sql += " AND r.result_id = ?"
        args = (*args, int(result_id))
    row = tx.execute(sql + " ORDER BY r.result_id DESC LIMIT 1", args).fetchone()
    if row is None:
        if wave is None and result_id is None:
            raise StoreError("error.store.no_result", study=study_id)
        if result_id is None:
            raise StoreError("error.store.no_result_wave", study=study_id, wave=wave)
        if wave is None:
            raise StoreError("error.store.no_result_id", study=study_id, id=result_id)
        raise StoreError("error.store.no_result_wave_id", study=study_id, wave=wave,
                         id=result_id)
    payload = bytes(row[5])
    return Published.from_payload(payload, study_id=study_id, result_id=int(row[0]),
                                  wave=row[1], published_at=row[2], published_by=row[3],
                                  payload_sha256=row[4])


class StudyActions:
    """Mixin of :class:`panel.store.OrganizerSession` (needs ``_store``, ``study``, ``actor``)."""

    _store: JudgmentStore
    study: StudyInfo
    actor: str

    # ------------------------------------------------------------------ lifecycle
    def state(self) -> str:
        """``draft``, ``collecting``, ``closed`` or ``published``."""
        with self._store._read() as tx:
            return latest_state(tx, self.study.study_id)

    def set_state(self, state: str) -> str:
        """Move the study (``collecting`` or ``closed``; publishing goes through
        :meth:`publish`). Refused moves name the current state."""
        if state not in ("collecting", "closed"):
            raise StoreError("error.store.state_unknown", state=repr(state))
        sid = self.study.study_id
        with self._store._write() as tx:
            current = latest_state(tx, sid)
            if current not in _MOVES[state]:
                raise StoreError("error.store.state_move", study=sid,
                                 current=Message(f"store.state.{current}"),
                                 state=Message(f"store.state.{state}"))
            set_state(tx, sid, state)
            record(tx, sid, self.actor, "study.state", old=current, new=state)
        return state

    def settings(self) -> StudySettings:
        """The evaluation settings used when publishing (defaults until set)."""
        with self._store._read() as tx:
            row = tx.execute("SELECT settings FROM studies WHERE study_id = ?",
                             (self.study.study_id,)).fetchone()
        return settings_from_record(json.loads(row[0]).get("evaluation"))

    def set_settings(self, settings: StudySettings) -> None:
        sid = self.study.study_id
        with self._store._write() as tx:
            row = tx.execute("SELECT settings FROM studies WHERE study_id = ?", (sid,)).fetchone()
            stored = json.loads(row[0])
            old = stored.get("evaluation")
            stored["evaluation"] = settings.as_record()
            tx.execute("UPDATE studies SET settings = ? WHERE study_id = ?",
                       (json.dumps(stored, ensure_ascii=False), sid))
            record(tx, sid, self.actor, "settings.set", old=old, new=stored["evaluation"])

    def framework_versions(self) -> pd.DataFrame:
        with self._store._read() as tx:
            rows = tx.execute("SELECT version, sha256, created_at FROM frameworks "
                              "WHERE study_id = ? ORDER BY version",
                              (self.study.study_id,)).fetchall()
        return pd.DataFrame(rows, columns=["version", "sha256", "created_at"])

    # ------------------------------------------------------------------ waves
    def add_wave(
        self,
        label: str,
        source: str | os.PathLike[str] | bytes | Responses,
        *,
        file_name: str | None = None,
        mapping: Any = None,
    ) -> wave_store.WaveInfo:
        """Load, screen and store a questionnaire wave (see :mod:`panel.waves`); the study moves
        to ``collecting``. The same file twice raises :class:`panel.waves.DuplicateWaveError`."""
        sid = self.study.study_id
        label = str(label).strip()
        if not label or len(label) > 100:
            raise StoreError("error.store.wave_label", study=sid)
        hierarchy = self._hierarchy()
        settings = self.settings()
        prepared = wave_store.prepare_wave(
            source, hierarchy, file_name=file_name, mapping=mapping,
            community_column=settings.community_column, rules=settings.rules,
        )
        with self._store._write() as tx:
            version = framework_version(tx, sid)
            wave_id = wave_store.insert_wave(tx, sid, label, prepared, version)
            old = latest_state(tx, sid)
            set_state(tx, sid, "collecting")
            record(tx, sid, self.actor, "wave.add", wave=label, file=prepared.file_name,
                   sha256=prepared.file_sha256, received=prepared.n_received,
                   valid=len(prepared.valid), state_before=old)
            return wave_store.find_wave(tx, sid, label) if wave_id else None  # type: ignore

    def waves(self) -> list[wave_store.WaveInfo]:
        with self._store._read() as tx:
            return wave_store.list_waves(tx, self.study.study_id)

    def wave_answers(self, label: str | None = None) -> Responses:
        """A wave's stored valid answers (organizer only)."""
        with self._store._read() as tx:
            wave = wave_store.find_wave(tx, self.study.study_id, label)
            return wave_store.load_wave(tx, self.study.study_id, wave)

    def delete_wave_answers(self, label: str) -> int:
        """Retention: delete a wave's answers, keep its description and published results."""
        sid = self.study.study_id
        with self._store._write() as tx:
            wave = wave_store.find_wave(tx, sid, label)
            chunks = wave_store.delete_answers(tx, sid, wave)
            record(tx, sid, self.actor, "wave.delete_answers", wave=label, rows=wave.n_valid)
        return chunks

    def _hierarchy(self) -> Hierarchy:
        if self.study.hierarchy is None:
            raise StoreError("error.store.no_framework", study=self.study.study_id)
        return self.study.hierarchy

    # ------------------------------------------------------------------ publish
    def publish(self, wave: str | None = None, *, change_draws: int = 500) -> Published:
        """Evaluate the wave (default: the latest) with the panel's judgments and the study's
        settings and store the result as an immutable snapshot (:mod:`panel.publish`).

        The inputs are read in one snapshot transaction, so an expert saving meanwhile or a
        second organizer publishing at the same time cannot mix states into one result.
        """
        sid = self.study.study_id
        hierarchy = self._hierarchy()
        with self._store._read() as tx:
            target = wave_store.find_wave(tx, sid, wave)
            valid = wave_store.load_wave(tx, sid, target)
            judgments = self._judgments_in(tx)
            stored = json.loads(tx.execute("SELECT settings FROM studies WHERE study_id = ?",
                                           (sid,)).fetchone()[0])
            framework = tx.execute(
                "SELECT sha256 FROM frameworks WHERE study_id = ? AND version = ?",
                (sid, target.framework_version)).fetchone()
            earlier = [w for w in wave_store.list_waves(tx, sid)
                       if w.wave_id < target.wave_id and w.answers_deleted_at is None]
            previous = None
            if earlier:
                before = earlier[-1]
                previous = (before.label, wave_store.load_wave(tx, sid, before))
        settings = settings_from_record(stored.get("evaluation"))
        panel = PanelJudgments(judgments, extended_scale=self.study.extended_scale)
        hashes = {
            "framework": framework[0] if framework else "",
            "answers": target.answers_sha256,
            "file": target.file_sha256,
            "judgments": sha256(judgments.to_csv(index=False).encode()).hexdigest(),
            "settings": sha256(json.dumps(settings.as_record(), sort_keys=True,
                                          default=str).encode()).hexdigest(),
        }
        if previous is not None:
            hashes["previous_answers"] = earlier[-1].answers_sha256
        payload, digest, summary = compute_snapshot(
            hierarchy, panel, valid, settings, wave_details=target.details,
            input_hashes=hashes, previous=previous, change_draws=change_draws,
        )
        summary_text = json.dumps(summary, ensure_ascii=False, sort_keys=True, default=str)
        for _attempt in range(5):
            try:
                with self._store._write() as tx:
                    result_id = int(tx.execute(
                        "SELECT COALESCE(MAX(result_id), 0) + 1 FROM results WHERE study_id = ?",
                        (sid,)).scalar())
                    tx.connection.execute(
                        sa.text("INSERT INTO results VALUES (:s, :r, :w, :at, :by, :sm, :p, :h)")
                        .bindparams(sa.bindparam("p", type_=sa.LargeBinary)),
                        {"s": sid, "r": result_id, "w": target.wave_id, "at": now(),
                         "by": self.actor, "sm": summary_text, "p": payload, "h": digest},
                    )
                    old = latest_state(tx, sid)
                    set_state(tx, sid, "published")
                    record(tx, sid, self.actor, "publish", wave=target.label, result=result_id,
                           payload_sha256=digest, state_before=old)
                break
            except sa.exc.IntegrityError:  # another organizer took this result id: retry
                continue
        else:  # pragma: no cover
            raise StoreError("error.store.publish_race", study=sid)
        return self.result(target.label)

    def _judgments_in(self, tx: Tx) -> pd.DataFrame:
        from panel.judgments import sorted_long

        experts = tx.execute("SELECT expert_id, name FROM experts WHERE study_id = ? "
                             "ORDER BY created_at, expert_id", (self.study.study_id,)).fetchall()
        rows = tx.execute("SELECT expert_id, node, row_code, col_code, value FROM judgments "
                          "WHERE study_id = ?", (self.study.study_id,)).fetchall()
        names = dict(experts)
        frame = pd.DataFrame(rows, columns=["expert", "node", "row", "col", "value"], dtype=object)
        frame["expert"] = frame["expert"].map(names)
        return sorted_long(frame, self.study, [n for _, n in experts])

    def result(self, wave: str | None = None, result_id: int | None = None) -> Published:
        """The latest published result (of wave ``wave``; or result ``result_id``)."""
        with self._store._read() as tx:
            return published_result(tx, self.study.study_id, wave, result_id)

    def results(self) -> pd.DataFrame:
        """Every published result: ``result_id, wave, published_at, published_by,
        payload_sha256``."""
        with self._store._read() as tx:
            rows = tx.execute(
                "SELECT r.result_id, w.label, r.published_at, r.published_by, r.payload_sha256 "
                "FROM results r JOIN waves w ON w.study_id = r.study_id AND "
                "w.wave_id = r.wave_id WHERE r.study_id = ? ORDER BY r.result_id",
                (self.study.study_id,)).fetchall()
        return pd.DataFrame(rows, columns=["result_id", "wave", "published_at", "published_by",
                                           "payload_sha256"])

    # ------------------------------------------------------------------ viewers
    def issue_viewer(self, label: str = "viewer") -> str:
        """A new viewer token (shown once; only its SHA-256 is stored)."""
        sid = self.study.study_id
        token = new_token()
        with self._store._write() as tx:
            viewer_id = int(tx.execute(
                "SELECT COALESCE(MAX(viewer_id), 0) + 1 FROM viewers WHERE study_id = ?",
                (sid,)).scalar())
            tx.execute("INSERT INTO viewers VALUES (?, ?, ?, ?, ?, NULL)",
                       (sid, viewer_id, str(label)[:200], viewer_hash(token), now()))
            record(tx, sid, self.actor, "viewer.issue", viewer=viewer_id, label=str(label)[:200])
        return token

    def viewers(self) -> pd.DataFrame:
        with self._store._read() as tx:
            rows = tx.execute("SELECT viewer_id, label, created_at, revoked_at FROM viewers "
                              "WHERE study_id = ? ORDER BY viewer_id",
                              (self.study.study_id,)).fetchall()
        return pd.DataFrame(rows, columns=["viewer_id", "label", "created_at", "revoked_at"])

    def revoke_viewer(self, viewer_id: int) -> None:
        sid = self.study.study_id
        with self._store._write() as tx:
            done = tx.execute("UPDATE viewers SET revoked_at = ? WHERE study_id = ? AND "
                              "viewer_id = ? AND revoked_at IS NULL",
                              (now(), sid, int(viewer_id))).rowcount
            if not done:
                raise StoreError("error.store.no_viewer", study=sid, viewer=viewer_id)
            record(tx, sid, self.actor, "viewer.revoke", viewer=int(viewer_id))

    # ------------------------------------------------------------------ audit, retention
    def audit(self) -> pd.DataFrame:
        with self._store._read() as tx:
            return audit_log(tx, self.study.study_id)

    def delete_study(self) -> None:
        """Delete the whole study: panel, judgments, waves, results, links, log."""
        sid = self.study.study_id
        with self._store._write() as tx:
            for table in ("results", "wave_answers", "waves", "viewers", "audit", "frameworks",
                          "study_state", "node_status", "judgments", "revoked_tokens",
                          "experts"):
                tx.execute(f"DELETE FROM {table} WHERE study_id = ?", (sid,))
            tx.execute("DELETE FROM studies WHERE study_id = ?", (sid,))
        self._store._studies.pop(sid, None)

    def export_archive(self) -> bytes:
        """The whole study as one zip (see :mod:`panel.archive`)."""
        from panel.archive import export_study

        with self._store._write() as tx:  # a write lock: a consistent copy, and the log entry
            record(tx, self.study.study_id, self.actor, "study.export")
        with self._store._read() as tx:
            return export_study(tx, self.study.study_id)
