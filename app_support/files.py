"""Uploaded files kept as bytes in the session: content hashes, size and type checks."""


from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app_support.language import tr
from app_support.text import literal
from untrusted import FileLimits
from untrusted.limits import ENV_PREFIX

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APP_DEFAULTS: Mapping[str, float] = {
    "max_upload_mb": 20,
    "max_cells": 20_000_000,
    "parse_memory_mb": 2048,
    "parse_seconds": 120,
}
"""The app's limits where they differ from :class:`untrusted.FileLimits` (the CLI's): uploads
of at most 20 MB (10,000 问卷星 answers are about 5 MB; ``.streamlit/config.toml`` sets the
same ``maxUploadSize`` in the browser), parsed in at most 2 GB of memory and 120 s. A sheet's
used range may span at most 20 million cells: python-calamine allocates that range as one block
(about 32 bytes a cell), so 20 M cells load within the 2 GB, while the CLI's 200 M would make
the parser abort instead of giving the clear "too many cells" line."""
UPLOAD_LIMIT_MB = int(APP_DEFAULTS["max_upload_mb"])
"""Largest questionnaire or workbook accepted by default, in MB (see :func:`app_limits`)."""
SURVEY_TYPES = ("xlsx", "csv")


def app_limits(environ: Mapping[str, str] | None = None) -> FileLimits:
    """The app's file limits: :data:`APP_DEFAULTS` over the library defaults, and
    ``SHANZHI_<FIELD>`` environment variables (e.g. ``SHANZHI_MAX_UPLOAD_MB``) over both."""
    environ = os.environ if environ is None else environ
    defaults = {k: v for k, v in APP_DEFAULTS.items() if ENV_PREFIX + k.upper() not in environ}
    return FileLimits.from_env(environ, **defaults)


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
    limit = app_limits().max_upload_mb
    if size_mb > limit:
        return tr("app.upload.too_large", name=literal(upload.name), size=size_mb, limit=limit)
    return None


