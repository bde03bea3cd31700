"""The audit log: who did what and when (organizer actions, publish, links, judgment edits).

One row per action: ``seq`` (order), ``at`` (UTC), ``actor`` (``organizer``, ``expert:E03``,
``cli``, ``viewer``), ``action`` (e.g. ``study.create``, ``wave.add``, ``publish``,
``link.issue``, ``link.revoke``, ``judgment.set`` with old → new value) and ``detail`` (JSON).
Rows are only ever inserted; deleting a study deletes its log with it (retention).
"""

from __future__ import annotations

import json

import pandas as pd

from panel.db import Tx, now

__all__ = ["AUDIT_COLUMNS", "audit_log", "record"]

AUDIT_COLUMNS = ("seq", "at", "actor", "action", "detail")


def record(tx: Tx, study_id: str, actor: str, action: str, **detail: object) -> None:
    """Append one entry inside an open write transaction (so it commits with the action)."""
    tx.execute(
        "INSERT INTO audit (study_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
        (study_id, now(), actor, action,
         json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)),
    )


def audit_log(tx: Tx, study_id: str) -> pd.DataFrame:
    """The study's log, oldest first: ``seq, at, actor, action, detail`` (detail as JSON text)."""
    rows = tx.execute(
        "SELECT seq, at, actor, action, detail FROM audit WHERE study_id = ? ORDER BY seq",
        (study_id,),
    ).fetchall()
    return pd.DataFrame(rows, columns=list(AUDIT_COLUMNS)).astype({"seq": int})
