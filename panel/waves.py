"""Questionnaire waves: the parsed, screened answers of one survey round, stored compactly.

What is stored (never the raw file): the file's SHA-256 (to recognise the same file uploaded
twice), its name, the column mapping, the dropped identifier columns, the screening report
(counts; no per-respondent reasons), the reliability table, and the **valid** respondents'
answers after identifiers are dropped and reverse-coded items recoded. Respondent ids are not
kept (a wave-local row number replaces them).

Storage format: the answers are packed column-wise into chunks of :data:`CHUNK_ROWS` respondents,
one database row per chunk (``wave_answers``): ``zlib(int32 community codes ‖ answers)`` with the
answers as ``int8`` (missing = −128) when every answer is a whole number in −127..127 (Likert
scores always are), else ``float32``. A million respondents × 57 items take about 60 MB before
compression, and loading them is one ``numpy.frombuffer`` per chunk. ``answers_sha256`` hashes the
decoded arrays (not the compressed bytes), so it identifies the content across databases.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from hashlib import sha256
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ahp.hierarchy import Hierarchy
from i18n import localized
from panel.db import Tx, now
from panel.errors import StoreError
from survey.loading import load_responses
from survey.reliability import reliability
from survey.responses import INVALID_CELL_COLUMNS, ColumnMapping, Responses
from survey.screening import ScreeningRules, screen

__all__ = ["CHUNK_ROWS", "DuplicateWaveError", "PreparedWave", "WaveInfo", "prepare_wave"]

CHUNK_ROWS = 250_000
_MISSING_INT8 = -128


class DuplicateWaveError(StoreError):
    """The same file (by SHA-256) is already a wave of this study."""

    def __init__(self, message: str, label: str, **fields: object):
        super().__init__(message, **fields)
        self.label = label

    def __reduce__(self):  # the key and fields survive a pickle (the label with them)
        return _duplicate_wave, (self.message, self.label)


def _duplicate_wave(message: object, label: str) -> DuplicateWaveError:
    error = DuplicateWaveError("", label)
    error.args = (message,)
    return error


@dataclass(frozen=True)
class WaveInfo:
    """A stored wave (no answers): ``details`` holds mapping, screening and reliability."""

    wave_id: int
    label: str
    created_at: str
    file_name: str
    file_sha256: str
    framework_version: int
    n_received: int
    n_valid: int
    answers_sha256: str
    answers_deleted_at: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class PreparedWave:
    """A loaded and screened wave ready to be stored (see :func:`prepare_wave`)."""

    file_name: str
    file_sha256: str
    valid: Responses
    details: dict[str, Any]
    n_received: int
    chunks: list[bytes]
    answers_sha256: str


def _json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def prepare_wave(
    source: str | PathLike[str] | bytes | Responses,
    hierarchy: Hierarchy,
    *,
    file_name: str | None = None,
    community_column: str = "社区",
    mapping: Mapping[str, str] | str | PathLike[str] | None = None,
    rules: ScreeningRules | None = None,
) -> PreparedWave:
    """Load (identifiers dropped), screen and check reliability of a questionnaire, and pack the
    valid answers. ``source`` is what ``shanzhi evaluate --responses`` takes (a path or the
    file's bytes with ``file_name``) or already loaded :class:`Responses`."""
    if isinstance(source, Responses):
        loaded = source
        name = file_name or source.source or "responses"
        digest = None
    else:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        name = file_name or (Path(source).name if not isinstance(source, bytes) else "upload")
        digest = sha256(data).hexdigest()
        loaded = load_responses(data, hierarchy, name=name, community_column=community_column,
                                mapping=mapping)
    valid, report = screen(loaded, rules or ScreeningRules())
    rel = reliability(valid, hierarchy) if len(valid) > 1 else None
    chunks, communities, dtype, answers_hash = pack(valid)
    details = {
        "items": [str(c) for c in valid.answers.columns],
        "communities": communities,
        "dtype": dtype,
        "rows": len(valid),
        "mapping": {
            "method": loaded.mapping.method,
            "columns": loaded.mapping.columns,
            "missing_items": list(loaded.mapping.missing_items),
            "unmatched_columns": list(loaded.mapping.unmatched_columns),
            "community_column": loaded.mapping.community_column,
        },
        "dropped_columns": list(loaded.dropped_columns),
        "reversed_items": list(loaded.reversed_items),
        "source": loaded.source,
        "screening": {
            "received": int(report.received),
            "valid": int(report.valid),
            "rate": float(report.rate),
            "counts": {str(k): int(v) for k, v in report.counts.items()},
            "by_community": _json_records(report.by_community.reset_index()),
        },
        "reliability": None if rel is None else {
            "scales": _json_records(rel.scales),
            # both languages, as the wave's details are read in either
            "warnings": [f"{localized(w, 'en')} / {localized(w, 'zh')}" for w in rel.warnings],
        },
    }
    return PreparedWave(name, digest or answers_hash, valid, details, int(report.received),
                        chunks, answers_hash)


def pack(valid: Responses) -> tuple[list[bytes], list[str], str, str]:
    """Chunks, community names, answer dtype and the content hash of the valid answers."""
    values = valid.answers.to_numpy(dtype=float)
    whole = np.isnan(values) | ((values == np.round(values)) & (np.abs(values) <= 127))
    if whole.all():
        packed = np.where(np.isnan(values), _MISSING_INT8, values).astype(np.int8)
        dtype = "int8"
    else:
        packed = values.astype(np.float32)
        dtype = "float32"
    community = valid.community.reindex(valid.answers.index)
    known = community.notna().to_numpy()
    names = list(pd.unique(community[known].astype(str)))
    codes = np.full(len(community), -1, dtype=np.int32)
    codes[known] = pd.Index(names).get_indexer(community[known].astype(str))
    digest = sha256()
    digest.update(json.dumps([list(map(str, valid.answers.columns)), names, dtype],
                             ensure_ascii=False).encode())
    chunks = []
    for start in range(0, max(len(packed), 1), CHUNK_ROWS):
        part_codes = np.ascontiguousarray(codes[start:start + CHUNK_ROWS])
        part_values = np.ascontiguousarray(packed[start:start + CHUNK_ROWS])
        digest.update(part_codes.tobytes())
        digest.update(part_values.tobytes())
        chunks.append(zlib.compress(part_codes.tobytes() + part_values.tobytes(), 1))
    return chunks, names, dtype, digest.hexdigest()


def unpack(chunks: list[bytes], details: Mapping[str, Any], source: str = "") -> Responses:
    """The stored valid answers as :class:`Responses` (row numbers as respondent ids)."""
    items = list(details["items"])
    dtype = np.int8 if details["dtype"] == "int8" else np.float32
    code_parts, value_parts = [], []
    for blob in chunks:
        raw = zlib.decompress(blob)
        width = 4 + len(items) * np.dtype(dtype).itemsize
        rows = len(raw) // width if width else 0
        code_parts.append(np.frombuffer(raw, dtype=np.int32, count=rows))
        value_parts.append(np.frombuffer(raw, dtype=dtype, offset=4 * rows)
                           .reshape(rows, len(items)))
    codes = np.concatenate(code_parts) if code_parts else np.zeros(0, np.int32)
    packed = (np.concatenate(value_parts) if value_parts
              else np.zeros((0, len(items)), dtype))
    values = packed.astype(float)
    if dtype == np.int8:
        values[packed == _MISSING_INT8] = np.nan
    index = pd.Index([f"r{i + 1}" for i in range(len(codes))], name="respondent_id", dtype=object)
    names = np.array([*details["communities"], None], dtype=object)
    community = pd.Series(names[codes], index=index, name="community", dtype=object)
    meta = pd.DataFrame({
        "row": np.arange(2, len(codes) + 2),
        "duration_seconds": np.full(len(codes), np.nan),
        "submitted_at": pd.Series(pd.NaT, index=index, dtype="datetime64[ns]"),
        "source": "",
    }, index=index)
    mapping = details.get("mapping", {})
    return Responses(
        answers=pd.DataFrame(values, index=index, columns=items),
        community=community,
        meta=meta,
        invalid_cells=pd.DataFrame(columns=list(INVALID_CELL_COLUMNS)),
        dropped_columns=list(details.get("dropped_columns", [])),
        mapping=ColumnMapping(
            method=mapping.get("method", "codes"),
            columns=dict(mapping.get("columns", {})),
            missing_items=list(mapping.get("missing_items", [])),
            unmatched_columns=list(mapping.get("unmatched_columns", [])),
            community_column=mapping.get("community_column", ""),
        ),
        source=source or details.get("source", ""),
        reversed_items=tuple(details.get("reversed_items", [])),
    )


# ---------------------------------------------------------------------------------- storage
_WAVE_COLUMNS = ("wave_id, label, created_at, file_name, file_sha256, framework_version, "
                 "n_received, n_valid, answers_sha256, answers_deleted_at, details")


def _info(row: tuple) -> WaveInfo:
    return WaveInfo(int(row[0]), row[1], row[2], row[3], row[4], int(row[5]), int(row[6]),
                    int(row[7]), row[8], row[9], json.loads(row[10]))


def list_waves(tx: Tx, study_id: str) -> list[WaveInfo]:
    rows = tx.execute(
        f"SELECT {_WAVE_COLUMNS} FROM waves WHERE study_id = ? ORDER BY wave_id", (study_id,)
    ).fetchall()
    return [_info(r) for r in rows]


def find_wave(tx: Tx, study_id: str, label: str | None) -> WaveInfo:
    """A wave by label (``None``: the latest)."""
    waves = list_waves(tx, study_id)
    if not waves:
        raise StoreError("error.store.no_waves", study=study_id)
    if label is None:
        return waves[-1]
    for wave in waves:
        if wave.label == label:
            return wave
    raise StoreError("error.store.no_wave", study=study_id, wave=label,
                     waves=[w.label for w in waves])


def insert_wave(tx: Tx, study_id: str, label: str, wave: PreparedWave,
                framework_version: int) -> int:
    """Store a prepared wave; refuses a second wave from the same file or with the same label."""
    same = tx.execute(
        "SELECT label FROM waves WHERE study_id = ? AND (file_sha256 = ? OR answers_sha256 = ?)",
        (study_id, wave.file_sha256, wave.answers_sha256),
    ).fetchone()
    if same is not None:
        raise DuplicateWaveError("error.store.wave_duplicate", same[0], study=study_id,
                                 file=wave.file_name, wave=same[0])
    if tx.execute("SELECT 1 FROM waves WHERE study_id = ? AND label = ?",
                  (study_id, label)).fetchone():
        raise StoreError("error.store.wave_exists", study=study_id, wave=label)
    wave_id = int(tx.execute("SELECT COALESCE(MAX(wave_id), 0) + 1 FROM waves WHERE study_id = ?",
                             (study_id,)).scalar())
    tx.execute(
        f"INSERT INTO waves (study_id, {_WAVE_COLUMNS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
        (study_id, wave_id, label, now(), wave.file_name, wave.file_sha256, framework_version,
         wave.n_received, len(wave.valid), wave.answers_sha256,
         json.dumps(wave.details, ensure_ascii=False)),
    )
    tx.connection.execute(
        _insert_chunks(),
        [{"s": study_id, "w": wave_id, "c": i, "d": blob} for i, blob in enumerate(wave.chunks)],
    )
    return wave_id


def _insert_chunks():
    import sqlalchemy as sa

    return sa.text("INSERT INTO wave_answers VALUES (:s, :w, :c, :d)").bindparams(
        sa.bindparam("d", type_=sa.LargeBinary)
    )


def read_chunks(tx: Tx, study_id: str, wave_id: int) -> list[bytes]:
    rows = tx.execute(
        "SELECT data FROM wave_answers WHERE study_id = ? AND wave_id = ? ORDER BY chunk",
        (study_id, wave_id),
    ).fetchall()
    return [bytes(r[0]) for r in rows]


def load_wave(tx: Tx, study_id: str, wave: WaveInfo) -> Responses:
    """The wave's stored valid answers (error when they were deleted)."""
    if wave.answers_deleted_at is not None:
        raise StoreError("error.store.answers_deleted", study=study_id, wave=wave.label,
                         date=wave.answers_deleted_at[:10])
    return unpack(read_chunks(tx, study_id, wave.wave_id), wave.details, wave.file_name)


def delete_answers(tx: Tx, study_id: str, wave: WaveInfo) -> int:
    """Delete a wave's answers (keeping the wave's description and its published results)."""
    deleted = tx.execute("DELETE FROM wave_answers WHERE study_id = ? AND wave_id = ?",
                         (study_id, wave.wave_id)).rowcount
    details = dict(wave.details)
    if isinstance(details.get("screening"), dict):
        details["screening"] = {**details["screening"], "by_community": []}
    tx.execute("UPDATE waves SET answers_deleted_at = ?, details = ? "
               "WHERE study_id = ? AND wave_id = ?",
               (now(), json.dumps(details, ensure_ascii=False), study_id, wave.wave_id))
    return deleted
