"""Published results: an immutable snapshot of one wave's evaluation.

:func:`compute_snapshot` runs the evaluation on the stored inputs (framework version, the panel's
judgments, the wave's valid answers, the study's settings): group weights and CRs
(:func:`ahp.panel.panel_weights`), scores at every level with bootstrap intervals and the ranking
(:func:`survey.score`), and, when an earlier wave still has its answers, the change per community
and dimension (:func:`evaluation.waves.wave_changes`). The snapshot is a set of CSV tables plus a
JSON summary (settings, input hashes, code version, seed, screening counts), serialised
canonically (sorted keys, full float precision, gzip without a time stamp), so publishing the same
inputs twice gives byte-identical payloads with the same ``payload_sha256``.

A viewer (:meth:`Published.for_viewer`) sees aggregates only: no per-respondent rows (none are
in a snapshot), no expert names or per-expert CRs, no community under the minimum n (suppressed
rows removed), no per-community screening counts.
"""

from __future__ import annotations

import gzip
import io
import json
from dataclasses import dataclass
from hashlib import sha256
from importlib import metadata
from typing import Any

import pandas as pd

from ahp.hierarchy import Hierarchy
from ahp.panel import PanelJudgments, panel_weights
from evaluation.study import StudySettings
from evaluation.waves import wave_changes
from survey.responses import Responses
from survey.scoring import score
from survey.screening import ScreeningRules

__all__ = ["Published", "code_version", "compute_snapshot", "settings_from_record"]

VIEWER_TABLES = ("scores", "ranking", "strengths", "weights", "group_cr", "changes")


def code_version() -> str:
    try:
        return metadata.version("shanzhi")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        return "unknown"


def settings_from_record(record: dict[str, Any] | None) -> StudySettings:
    """StudySettings from :meth:`StudySettings.as_record` (unknown keys ignored)."""
    record = dict(record or {})
    rules = {k[7:]: v for k, v in record.items() if k.startswith("screen.")}
    plain = {k: v for k, v in record.items() if not k.startswith("screen.")}
    fields = StudySettings.__dataclass_fields__
    kwargs = {k: v for k, v in plain.items() if k in fields and k != "rules"}
    rule_fields = ScreeningRules.__dataclass_fields__
    return StudySettings(**kwargs, rules=ScreeningRules(
        **{k: v for k, v in rules.items() if k in rule_fields}))


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def compute_snapshot(
    hierarchy: Hierarchy,
    judgments: PanelJudgments,
    valid: Responses,
    settings: StudySettings,
    *,
    wave_details: dict[str, Any],
    input_hashes: dict[str, str],
    previous: tuple[str, Responses] | None = None,
    change_draws: int = 500,
) -> tuple[bytes, str, dict[str, Any]]:
    """Evaluate and serialise: ``(gzip payload, payload sha256, summary)``."""
    panel = panel_weights(hierarchy, judgments, settings.panel_options())
    scores = score(valid, hierarchy, panel.weights, min_respondents=settings.min_respondents,
                   bootstrap=settings.bootstrap, seed=settings.seed)
    tables = {
        "scores": scores.table,
        "ranking": scores.ranking,
        "strengths": scores.strengths,
        "weights": panel.weights.table.reset_index(names="code"),
        "expert_cr": panel.expert_cr.reset_index(),
        "group_cr": panel.group_cr.rename("cr").rename_axis("node").reset_index(),
        "excluded": panel.excluded.reset_index(drop=panel.excluded.index.name is None),
    }
    lists: dict[str, Any] = {
        "suppressed": list(map(str, scores.suppressed)),
        "notes": [str(n) for n in scores.notes],
    }
    if previous is not None:
        label, before = previous
        changes = wave_changes(hierarchy, panel.weights, before, valid,
                               min_respondents=settings.min_respondents, draws=change_draws,
                               seed=settings.seed)
        tables["changes"] = changes.table
        lists.update(changes_from=label, only_before=changes.only_before,
                     only_after=changes.only_after, changes_suppressed=changes.suppressed,
                     change_draws=changes.draws, change_notes=changes.notes)
    screening = dict(wave_details.get("screening", {}))
    summary = {
        "settings": settings.as_record(),
        "input_hashes": dict(sorted(input_hashes.items())),
        "code_version": code_version(),
        "seed": settings.seed,
        "screening": {k: screening.get(k) for k in ("received", "valid", "rate", "counts")},
        "experts": len(judgments.experts),
        "communities": len(scores.ranking),
    }
    body = json.dumps(
        {"tables": {k: _csv(v) for k, v in sorted(tables.items())}, "lists": lists,
         "summary": summary},
        ensure_ascii=False, sort_keys=True, default=str,
    ).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=6) as handle:
        handle.write(body)
    return buffer.getvalue(), sha256(body).hexdigest(), summary


@dataclass(frozen=True)
class Published:
    """One published result, read back: ``tables`` (DataFrames), ``lists``, ``summary``."""

    study_id: str
    result_id: int
    wave: str
    published_at: str
    published_by: str
    payload_sha256: str
    tables: dict[str, pd.DataFrame]
    lists: dict[str, Any]
    summary: dict[str, Any]

    @classmethod
    def from_payload(cls, payload: bytes, **fields: Any) -> Published:
        body = json.loads(gzip.decompress(payload))
        tables = {k: pd.read_csv(io.StringIO(v), keep_default_na=True)
                  for k, v in body["tables"].items()}
        return cls(tables=tables, lists=body["lists"], summary=body["summary"], **fields)

    @property
    def ranking(self) -> pd.DataFrame:
        """``community, score, ci_low, ci_high, rank, n`` of the published communities."""
        return self.tables["ranking"]

    @property
    def changes(self) -> pd.DataFrame | None:
        return self.tables.get("changes")

    def for_viewer(self) -> Published:
        """The aggregates a viewer may see (see the module docstring)."""
        tables = {k: v for k, v in self.tables.items() if k in VIEWER_TABLES}
        scores = tables["scores"]
        tables["scores"] = scores[~scores["suppressed"].astype(bool)].reset_index(drop=True)
        lists = {k: v for k, v in self.lists.items()
                 if k in ("changes_from", "only_before", "only_after", "change_draws",
                          "change_notes")}
        lists["suppressed_count"] = len(self.lists.get("suppressed", []))
        summary = {k: v for k, v in self.summary.items() if k != "input_hashes"}
        return Published(self.study_id, self.result_id, self.wave, self.published_at, "",
                         self.payload_sha256, tables, lists, summary)
