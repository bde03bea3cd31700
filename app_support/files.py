"""Uploaded files kept as bytes in the session: content hashes, size and type checks."""


from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from app_support.language import tr
from app_support.text import literal

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_LIMIT_MB = 20
"""Largest questionnaire or workbook accepted, in MB (10,000 问卷星 answers are ~5 MB)."""
SURVEY_TYPES = ("xlsx", "csv")





def digest(*parts: bytes | str) -> str:
    """A short content hash: the cache key of uploaded files and of judgment tables."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Upload:
    """An uploaded file kept in the session: name, bytes and their digest."""

    name: str
    data: bytes

    @property
    def key(self) -> str:
        return digest(self.name, self.data)

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower().lstrip(".")


def check_upload(upload: Upload, types: tuple[str, ...]) -> str | None:
    """The message to show for a file of the wrong type or over the size limit, else None."""
    if upload.suffix not in types:
        return tr("app.upload.wrong_type", name=literal(upload.name), types=", ".join(types))
    size_mb = len(upload.data) / 2**20
    if size_mb > UPLOAD_LIMIT_MB:
        return tr("app.upload.too_large", name=literal(upload.name), size=size_mb,
                  limit=UPLOAD_LIMIT_MB)
    return None


