"""Viewer links: an official opens ``?view=TOKEN`` and sees the published aggregates of one study.

A viewer token belongs to one study, is revocable, and only its SHA-256 is stored
(:func:`panel.tokens.viewer_hash`), so the link alone finds its study. Every call re-checks the
token, so a revoked link stops working at once. A viewer reads published snapshots only, through
:meth:`panel.publish.Published.for_viewer`: no answers, no per-respondent rows, no expert names,
no community under the minimum n.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from panel.errors import TokenError
from panel.organizer import published_result
from panel.publish import Published
from panel.tokens import MAX_TOKEN_LENGTH, viewer_hash

if TYPE_CHECKING:  # pragma: no cover
    from panel.store import JudgmentStore

__all__ = ["ViewerSession", "open_viewer"]


def _check(store: JudgmentStore, token: str | None) -> tuple[str, int]:
    if not isinstance(token, str) or not token.strip() or len(token) > MAX_TOKEN_LENGTH:
        raise TokenError("error.store.viewer_invalid")
    with store._read() as tx:
        row = tx.execute("SELECT study_id, viewer_id, revoked_at FROM viewers "
                         "WHERE token_hash = ?", (viewer_hash(token.strip()),)).fetchone()
    if row is None:
        raise TokenError("error.store.viewer_invalid")
    if row[2] is not None:
        raise TokenError("error.store.viewer_revoked", study=row[0])
    return str(row[0]), int(row[1])


class ViewerSession:
    """An official's read-only access to the published results of one study."""

    def __init__(self, store: JudgmentStore, token: str):
        self._store = store
        self._token = token
        self.study_id, self.viewer_id = _check(store, token)
        self.study_name = store.study(self.study_id).name

    def __repr__(self) -> str:
        return f"ViewerSession(study={self.study_id!r}, viewer={self.viewer_id})"

    def published_waves(self) -> list[str]:
        """Labels of the waves with a published result, oldest first."""
        _check(self._store, self._token)
        with self._store._read() as tx:
            rows = tx.execute(
                "SELECT DISTINCT w.wave_id, w.label FROM results r JOIN waves w ON "
                "w.study_id = r.study_id AND w.wave_id = r.wave_id WHERE r.study_id = ? "
                "ORDER BY w.wave_id", (self.study_id,)).fetchall()
        return [label for _, label in rows]

    def results(self) -> pd.DataFrame:
        """The latest published result per wave: ``result_id, wave, published_at`` (oldest
        wave first), so that a caller can cache a snapshot by its id."""
        _check(self._store, self._token)
        with self._store._read() as tx:
            rows = tx.execute(
                "SELECT MAX(r.result_id), w.wave_id, w.label, MAX(r.published_at) FROM results r "
                "JOIN waves w ON w.study_id = r.study_id AND w.wave_id = r.wave_id "
                "WHERE r.study_id = ? GROUP BY w.wave_id, w.label ORDER BY w.wave_id",
                (self.study_id,)).fetchall()
        return pd.DataFrame([(int(r[0]), r[2], r[3]) for r in rows],
                            columns=["result_id", "wave", "published_at"])

    def result(self, wave: str | None = None, result_id: int | None = None) -> Published:
        """The latest published result (or wave ``wave``'s, or result ``result_id``), viewer's
        cut."""
        _check(self._store, self._token)
        with self._store._read() as tx:
            return published_result(tx, self.study_id, wave, result_id).for_viewer()


def open_viewer(store: JudgmentStore, token: str | None) -> ViewerSession:
    """The viewer session of a link's token (:class:`TokenError` when unknown or revoked)."""
    return ViewerSession(store, token or "")
