"""Limits for files from people we do not trust, and the error that names the one exceeded.

Every default is sized for real use, with room: a 问卷星 export of 1,000,000 respondents × 70
columns must pass. Measured on such a sheet (numbers 1–5, one ``r="AB123"`` reference per cell):
its ``sheet1.xml`` holds 1.85 GB and the .xlsx 140–180 MB (a ratio of 10–14 : 1; the bundled
sample is 14 : 1), a CSV of the same answers as option labels (``非常满意``) about 0.9 GB. A 问卷星
export has about 70–200 columns (one per matrix row).

=====================  ============================  =========  ================================
field                  environment variable          default    what it bounds
=====================  ============================  =========  ================================
``max_upload_mb``      ``SHANZHI_MAX_UPLOAD_MB``     1024       bytes of the file as received
``max_unzipped_mb``    ``SHANZHI_MAX_UNZIPPED_MB``   4096       sum of the members' sizes
``max_member_mb``      ``SHANZHI_MAX_MEMBER_MB``     4096       one member's size
``max_ratio``          ``SHANZHI_MAX_RATIO``         100        size ÷ compressed size of a member
``ratio_floor_mb``     ``SHANZHI_RATIO_FLOOR_MB``    1          members below this skip the ratio
``max_members``        ``SHANZHI_MAX_MEMBERS``       1000       members in a zip (.xlsx ≈ 10–20)
``max_rows``           ``SHANZHI_MAX_ROWS``          2000000    rows of a sheet or CSV
``max_columns``        ``SHANZHI_MAX_COLUMNS``       1000       columns of a sheet or CSV
``max_cells``          ``SHANZHI_MAX_CELLS``         200000000  rows × columns of the used range
``max_label_chars``    ``SHANZHI_MAX_LABEL_CHARS``   200        a community, item, expert name
``parse_memory_mb``    ``SHANZHI_PARSE_MEMORY_MB``   8192       a parser's address space (child)
``parse_seconds``      ``SHANZHI_PARSE_SECONDS``     600        a parser's wall-clock time (child)
=====================  ============================  =========  ================================

The ratio limit is what stops zip bombs: deflate reaches 1032 : 1 on repeated bytes, real
sheets 10–20 : 1, so 100 : 1 leaves a margin of five. ``max_cells`` bounds the area python-calamine
allocates as one dense block (about 1,000,000 × 200); a sheet's used range counts, not its
filled cells. The parse limits are for the CLI's largest files; the app should pass smaller
ones (e.g. 2048 MB, 120 s) for its 20 MB uploads.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType

from i18n import LANGS, catalog, localized, t

__all__ = ["ENV_PREFIX", "MESSAGES", "MESSAGE_PREFIX", "FileLimits", "UntrustedFileError",
           "show_bytes"]

ENV_PREFIX = "SHANZHI_"


@dataclass(frozen=True)
class FileLimits:
    """What an untrusted file may cost before any parser runs (see the module table)."""

    max_upload_mb: float = 1024
    max_unzipped_mb: float = 4096
    max_member_mb: float = 4096
    max_ratio: float = 100
    ratio_floor_mb: float = 1
    max_members: int = 1000
    max_rows: int = 2_000_000
    max_columns: int = 1000
    max_cells: int = 200_000_000
    max_label_chars: int = 200
    parse_memory_mb: int = 8192
    parse_seconds: float = 600

    def __post_init__(self) -> None:
        for field in fields(self):
            if not getattr(self, field.name) > 0:
                raise ValueError(f"FileLimits.{field.name} must be positive")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: float) -> FileLimits:
        """Defaults, replaced by ``SHANZHI_<FIELD>`` variables (e.g. ``SHANZHI_MAX_ROWS``) and
        then by ``overrides``; a variable that is not a positive number is an error."""
        environ = os.environ if environ is None else environ
        values: dict[str, float] = {}
        for field in fields(cls):
            raw = environ.get(ENV_PREFIX + field.name.upper())
            if raw is None:
                continue
            kind = int if field.type in (int, "int") else float
            try:
                values[field.name] = kind(raw.replace("_", ""))
            except ValueError:
                raise ValueError(
                    f"{ENV_PREFIX + field.name.upper()}={raw!r} is not a {kind.__name__}"
                ) from None
        return cls(**(values | overrides))

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 2**20)

    @property
    def max_unzipped_bytes(self) -> int:
        return int(self.max_unzipped_mb * 2**20)

    @property
    def max_member_bytes(self) -> int:
        return int(self.max_member_mb * 2**20)

    @property
    def ratio_floor_bytes(self) -> int:
        return int(self.ratio_floor_mb * 2**20)


MESSAGE_PREFIX = "untrusted."
"""The texts are ``i18n/locale/<lang>/untrusted.json``: key ``untrusted.<limit>``, fields
``{what}`` (the file or part), ``{found}`` and ``{allowed}``."""

MESSAGES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    key.removeprefix(MESSAGE_PREFIX): MappingProxyType({lang: catalog(lang)[key] for lang in LANGS})
    for key in catalog("en") if key.startswith(MESSAGE_PREFIX)
})
"""Message templates by limit name and language ("zh", "en"), as the locale files hold them."""


class UntrustedFileError(ValueError):
    """A file exceeds one limit. ``limit`` names it (a key of :data:`MESSAGES`), ``found`` and
    ``allowed`` are the values as shown (e.g. ``"1.2 GB"``), ``what`` names the file or part
    (a file name, or an :class:`i18n.Message` such as "header of column B", given in ``lang``).

    ``str(error)`` is the English line; :meth:`text` gives either language.
    """

    def __init__(self, limit: str, what: str, found: object = "", allowed: object = "") -> None:
        self.limit = limit
        self.what = what
        self.found = found
        self.allowed = allowed
        super().__init__(self.text("en"))

    def __reduce__(self):  # pickled across the sandbox's process boundary
        return (type(self), (self.limit, self.what, self.found, self.allowed))

    def text(self, lang: str = "en") -> str:
        """The one-line message in ``lang`` ("zh" or "en")."""
        return t(MESSAGE_PREFIX + self.limit, lang, what=localized(self.what, lang),
                 found=str(self.found), allowed=self.allowed)


def show_bytes(size: float) -> str:
    """A size for messages: ``512 B``, ``3.4 KB``, ``1.2 GB`` (binary units)."""
    units = ("B", "KB", "MB", "GB")
    step = 0
    while size >= 1024 and step < len(units) - 1:
        size /= 1024
        step += 1
    return f"{size:.0f} B" if step == 0 else f"{size:.1f} {units[step]}"
