"""Study archives: a whole study as one zip, to move it to another database.

Contents: ``manifest.json`` (format, schema version, study id, time, and the SHA-256 of every
other file), ``study.json`` (name, settings, state), ``frameworks.json`` (every version),
``experts.csv`` (ids and names; **no token hashes**: links belong to one database, so imported
experts are revoked and get new links from the organizer), ``judgments.csv``,
``node_status.csv``, ``waves.json`` (descriptions, mapping, screening, reliability),
``answers/<wave>/<chunk>.bin`` (the packed answers of :mod:`panel.waves`), ``results.json`` and
``results/<id>.json.gz`` (the snapshots), ``audit.csv``. Viewer links are not exported.

Import checks everything before writing anything: the zip must open, the manifest must list
exactly the files present with matching hashes, each snapshot must match its own
``payload_sha256`` and each wave's answers their ``answers_sha256``. Then every row is written in
one transaction, so a corrupt or tampered archive is refused whole and nothing is half-imported.
"""

from __future__ import annotations

import gzip
import io
import json
import secrets
import zipfile
import zlib
from dataclasses import replace
from hashlib import sha256
from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy as sa

from panel.audit import record
from panel.db import SCHEMA_VERSION, Tx, now
from panel.errors import StoreError
from panel.tokens import STUDY_ID_PATTERN
from untrusted import FileLimits, UntrustedFileError, read_member_capped
from untrusted.zip_check import open_checked_zip

if TYPE_CHECKING:  # pragma: no cover
    from panel.store import JudgmentStore

__all__ = ["ARCHIVE_FORMAT", "ArchiveError", "export_study", "import_study"]

ARCHIVE_FORMAT = "shanzhi-study-archive"
_MAX_MEMBER = 2 * 1024**3


class ArchiveError(StoreError):
    """The archive is corrupt, tampered with or not a shanzhi study archive."""


def _frame_csv(rows: list[tuple], columns: list[str]) -> bytes:
    return pd.DataFrame(rows, columns=columns).to_csv(index=False).encode("utf-8")


def export_study(tx: Tx, study_id: str) -> bytes:
    """The study as zip bytes (read inside one transaction: a consistent copy)."""
    q = lambda sql: tx.execute(sql, (study_id,)).fetchall()  # noqa: E731
    study = tx.execute("SELECT name, created_at, settings FROM studies WHERE study_id = ?",
                       (study_id,)).fetchone()
    if study is None:
        raise StoreError("error.store.study_unknown", study=study_id)
    state = tx.execute("SELECT state FROM study_state WHERE study_id = ?", (study_id,)).fetchone()
    files: dict[str, bytes] = {}
    files["study.json"] = json.dumps({
        "study_id": study_id, "name": study[0], "created_at": study[1],
        "settings": json.loads(study[2]), "state": state[0] if state else "draft",
    }, ensure_ascii=False, indent=1).encode()
    files["frameworks.json"] = json.dumps(
        [dict(zip(["version", "csv", "sha256", "created_at"], r, strict=True))
         for r in q("SELECT version, csv, sha256, created_at FROM frameworks "
                    "WHERE study_id = ? ORDER BY version")], ensure_ascii=False).encode()
    files["experts.csv"] = _frame_csv(
        q("SELECT expert_id, name, created_at FROM experts WHERE study_id = ? "
          "ORDER BY created_at, expert_id"), ["expert_id", "name", "created_at"])
    files["judgments.csv"] = _frame_csv(
        q("SELECT expert_id, node, row_code, col_code, value, updated_at FROM judgments "
          "WHERE study_id = ? ORDER BY expert_id, node, row_code, col_code"),
        ["expert_id", "node", "row_code", "col_code", "value", "updated_at"])
    files["node_status.csv"] = _frame_csv(
        q("SELECT expert_id, node, done, confirmed_inconsistent, cr, updated_at FROM node_status "
          "WHERE study_id = ? ORDER BY expert_id, node"),
        ["expert_id", "node", "done", "confirmed_inconsistent", "cr", "updated_at"])
    wave_cols = ["wave_id", "label", "created_at", "file_name", "file_sha256",
                 "framework_version", "details", "n_received", "n_valid", "answers_sha256",
                 "answers_deleted_at"]
    waves = [dict(zip(wave_cols, r, strict=True)) for r in q(
        f"SELECT {', '.join(wave_cols)} FROM waves WHERE study_id = ? ORDER BY wave_id")]
    for wave in waves:
        wave["details"] = json.loads(wave["details"])
    files["waves.json"] = json.dumps(waves, ensure_ascii=False).encode()
    for wave_id, chunk, data in q("SELECT wave_id, chunk, data FROM wave_answers "
                                  "WHERE study_id = ? ORDER BY wave_id, chunk"):
        files[f"answers/{wave_id}/{chunk}.bin"] = bytes(data)
    result_cols = ["result_id", "wave_id", "published_at", "published_by", "summary",
                   "payload_sha256"]
    results = []
    for row in q("SELECT result_id, wave_id, published_at, published_by, summary, "
                 "payload_sha256, payload FROM results WHERE study_id = ? ORDER BY result_id"):
        results.append(dict(zip(result_cols, row[:6], strict=True)))
        files[f"results/{row[0]}.json.gz"] = bytes(row[6])
    files["results.json"] = json.dumps(results, ensure_ascii=False).encode()
    files["audit.csv"] = _frame_csv(
        q("SELECT seq, at, actor, action, detail FROM audit WHERE study_id = ? ORDER BY seq"),
        ["seq", "at", "actor", "action", "detail"])
    manifest = {
        "format": ARCHIVE_FORMAT, "schema_version": SCHEMA_VERSION, "study_id": study_id,
        "exported_at": now(),
        "files": {name: sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False))
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return buffer.getvalue()


def _read(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and the members, after :func:`untrusted.open_checked_zip` has checked the
    zip directory (sizes, ratio, members; nothing decompressed) against
    ``FileLimits.from_env()`` with at most 2 GB unpacked; each member is then unpacked by
    streaming with a cap (a member that unpacks to more than it declares is refused)."""
    base = FileLimits.from_env()
    limits = replace(base, max_unzipped_mb=min(base.max_unzipped_mb, _MAX_MEMBER / 2**20))
    try:
        with open_checked_zip(data, limits, what="archive") as archive:
            files = {i.filename: read_member_capped(archive, i, limits.max_member_bytes)
                     for i in archive.infolist()}
    except UntrustedFileError as exc:
        if exc.limit != "not_zip":
            raise  # a limit: the message names it
        raise ArchiveError("error.store.archive_not_zip", detail=exc.found) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as exc:
        raise ArchiveError("error.store.archive_not_zip", detail=str(exc)) from None
    try:
        manifest = json.loads(files.pop("manifest.json"))
    except (KeyError, ValueError):
        raise ArchiveError("error.store.archive_manifest") from None
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise ArchiveError("error.store.archive_format")
    if int(manifest.get("schema_version", 0)) > SCHEMA_VERSION:
        raise ArchiveError("error.store.archive_newer")
    listed = manifest.get("files", {})
    extra = sorted(set(files) - set(listed))
    missing = sorted(set(listed) - set(files))
    if extra or missing:
        raise ArchiveError("error.store.archive_files", extra=str(extra[:5]),
                           missing=str(missing[:5]))
    for name, data_ in files.items():
        if sha256(data_).hexdigest() != listed[name]:
            raise ArchiveError("error.store.archive_sha", name=name)
    return manifest, files


def _csv(files: dict[str, bytes], name: str) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(files[name]), dtype=object, keep_default_na=False)


def _none(value: Any) -> Any:
    return None if value == "" else value


def import_study(store: JudgmentStore, data: bytes, *, study_id: str | None = None) -> str:
    """Check and import an archive as a new study; returns its id (the archive's own id when
    it is free, else a new random one)."""
    from panel.waves import unpack

    manifest, files = _read(data)
    try:
        study = json.loads(files["study.json"])
        frameworks = json.loads(files["frameworks.json"])
        waves = json.loads(files["waves.json"])
        results = json.loads(files["results.json"])
        experts = _csv(files, "experts.csv")
        judgments = _csv(files, "judgments.csv")
        status = _csv(files, "node_status.csv")
        audit = _csv(files, "audit.csv")
    except (KeyError, ValueError) as exc:
        raise ArchiveError("error.store.archive_table", detail=str(exc)) from None
    for result in results:
        payload = files.get(f"results/{result['result_id']}.json.gz", b"")
        try:
            body = gzip.decompress(payload)
        except (OSError, EOFError):
            raise ArchiveError("error.store.archive_result_corrupt",
                               id=result["result_id"]) from None
        if sha256(body).hexdigest() != result["payload_sha256"]:
            raise ArchiveError("error.store.archive_result_sha", id=result["result_id"])
    for wave in waves:
        if wave["answers_deleted_at"] is not None:
            continue
        chunks = [files[n] for n in sorted(
            (n for n in files if n.startswith(f"answers/{wave['wave_id']}/")),
            key=lambda n: int(n.rsplit("/", 1)[1].split(".")[0]))]
        try:
            valid = unpack(chunks, wave["details"])
        except (zlib.error, ValueError) as exc:
            raise ArchiveError("error.store.archive_answers_corrupt", wave=wave["label"],
                               detail=str(exc)) from None
        from panel.waves import pack

        if pack(valid)[3] != wave["answers_sha256"]:
            raise ArchiveError("error.store.archive_answers_sha", wave=wave["label"])
    new_id = study_id or str(manifest.get("study_id") or study.get("study_id"))
    if not STUDY_ID_PATTERN.match(new_id):
        new_id = secrets.token_hex(6)
    with store._write() as tx:
        if tx.execute("SELECT 1 FROM studies WHERE study_id = ?", (new_id,)).fetchone():
            if study_id is not None:
                raise StoreError("error.store.study_exists", study=study_id)
            new_id = secrets.token_hex(6)
        tx.execute("INSERT INTO studies VALUES (?, ?, ?, ?, ?)",
                   (new_id, study["name"], study["created_at"], secrets.token_bytes(16),
                    json.dumps(study["settings"], ensure_ascii=False)))
        tx.execute("INSERT INTO study_state VALUES (?, ?, ?)", (new_id, study["state"], now()))
        tx.executemany("INSERT INTO frameworks VALUES (?, ?, ?, ?, ?)",
                       [(new_id, f["version"], f["csv"], f["sha256"], f["created_at"])
                        for f in frameworks])
        tx.executemany("INSERT INTO experts VALUES (?, ?, ?, NULL, ?, ?)",
                       [(new_id, e, n, c, now()) for e, n, c in experts.itertuples(index=False)])
        tx.executemany("INSERT INTO judgments VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(new_id, e, n, r, c, float(v), u)
                        for e, n, r, c, v, u in judgments.itertuples(index=False)])
        tx.executemany("INSERT INTO node_status VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(new_id, e, n, int(d), int(ci), None if cr == "" else float(cr), u)
                        for e, n, d, ci, cr, u in status.itertuples(index=False)])
        for w in waves:
            tx.execute(
                "INSERT INTO waves (study_id, wave_id, label, created_at, file_name, "
                "file_sha256, framework_version, details, n_received, n_valid, answers_sha256, "
                "answers_deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (new_id, w["wave_id"], w["label"], w["created_at"], w["file_name"],
                 w["file_sha256"], w["framework_version"],
                 json.dumps(w["details"], ensure_ascii=False), w["n_received"], w["n_valid"],
                 w["answers_sha256"], w["answers_deleted_at"]))
        blob = sa.bindparam("d", type_=sa.LargeBinary)
        chunk_rows = [
            {"s": new_id, "w": int(n.split("/")[1]), "c": int(n.split("/")[2].split(".")[0]),
             "d": files[n]} for n in files if n.startswith("answers/")]
        if chunk_rows:
            tx.connection.execute(
                sa.text("INSERT INTO wave_answers VALUES (:s, :w, :c, :d)").bindparams(blob),
                chunk_rows)
        for r in results:
            tx.connection.execute(
                sa.text("INSERT INTO results VALUES (:s, :r, :w, :at, :by, :sm, :d, :h)")
                .bindparams(blob),
                {"s": new_id, "r": r["result_id"], "w": r["wave_id"], "at": r["published_at"],
                 "by": r["published_by"], "sm": r["summary"],
                 "d": files[f"results/{r['result_id']}.json.gz"], "h": r["payload_sha256"]})
        tx.executemany("INSERT INTO audit (study_id, at, actor, action, detail) "
                       "VALUES (?, ?, ?, ?, ?)",
                       [(new_id, a, b, c, d) for _s, a, b, c, d in audit.itertuples(index=False)])
        record(tx, new_id, "organizer", "study.import", from_study=manifest.get("study_id"),
               exported_at=manifest.get("exported_at"))
    return new_id


