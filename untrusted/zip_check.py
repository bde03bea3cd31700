"""Zip archives (.xlsx) checked from their central directory, before anything is unpacked.

:func:`check_zip` reads only the directory at the end of the archive: the member count (from the
end record, before the directory is parsed), every member's declared size, the total and the
compression ratio. A declared size can lie, so whoever then unpacks a member reads it through
:func:`iter_member` / :func:`read_member_capped`, which stream the decompression and stop at the
declared size and at a byte cap (Python's zipfile also checks the length and CRC-32).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from os import PathLike
from pathlib import Path

from untrusted.limits import FileLimits, UntrustedFileError, show_bytes

__all__ = [
    "Source", "check_zip", "iter_member", "open_checked_zip", "read_member_capped", "read_source",
    "source_name",
]

Source = bytes | bytearray | memoryview | str | PathLike[str]
"""An untrusted file: its bytes, or a path (its size is checked before it is read)."""

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_EOCD_SEARCH = _EOCD_SIZE + 0xFFFF  # the record, after at most a 64 KB comment
_ZIP64_COUNT = 0xFFFF
_CHUNK = 1 << 20
_UNZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError)


def read_source(source: Source, limits: FileLimits, what: str) -> bytes:
    """The file's bytes, refusing it (before reading a path) when over ``max_upload_mb``."""
    if isinstance(source, str | PathLike):
        size = Path(source).stat().st_size
        if size > limits.max_upload_bytes:
            raise UntrustedFileError(
                "upload_bytes", what, show_bytes(size), show_bytes(limits.max_upload_bytes)
            )
        source = Path(source).read_bytes()
    data = bytes(source)
    if len(data) > limits.max_upload_bytes:
        raise UntrustedFileError(
            "upload_bytes", what, show_bytes(len(data)), show_bytes(limits.max_upload_bytes)
        )
    return data


def _declared_members(data: bytes) -> int | None:
    """Member count from the end-of-central-directory record (None when the record is absent or
    says 0xFFFF, i.e. the count is in the zip64 record, which zipfile then reads)."""
    start = data.rfind(_EOCD, max(0, len(data) - _EOCD_SEARCH))
    if start < 0 or start + _EOCD_SIZE > len(data):
        return None
    total = struct.unpack_from("<H", data, start + 10)[0]
    return None if total == _ZIP64_COUNT else total


def source_name(source: Source, what: str | None) -> str:
    """``what`` when given, else the file name of a path, else "upload"."""
    if what is not None:
        return what
    return Path(source).name if isinstance(source, str | PathLike) else "upload"


def open_checked_zip(
    source: Source, limits: FileLimits | None = None, what: str | None = None
) -> zipfile.ZipFile:
    """:func:`check_zip`, returning the open archive (the caller closes it)."""
    limits = limits or FileLimits()
    what = source_name(source, what)
    data = read_source(source, limits, what)
    declared = _declared_members(data)
    if declared is not None and declared > limits.max_members:
        raise UntrustedFileError("members", what, declared, limits.max_members)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise UntrustedFileError("not_zip", what, type(exc).__name__) from None
    try:
        _check_directory(archive.infolist(), limits, what)
    except UntrustedFileError:
        archive.close()
        raise
    return archive


def _check_directory(infos: list[zipfile.ZipInfo], limits: FileLimits, what: str) -> None:
    if len(infos) > limits.max_members:
        raise UntrustedFileError("members", what, len(infos), limits.max_members)
    total = 0
    for info in infos:
        part = f"{what}: {info.filename[:80]}"
        if info.file_size > limits.max_member_bytes:
            raise UntrustedFileError(
                "member_bytes", part, show_bytes(info.file_size),
                show_bytes(limits.max_member_bytes),
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise UntrustedFileError("ratio", part, f"{ratio:.0f}:1", f"{limits.max_ratio:.0f}:1")
        total += info.file_size
        if total > limits.max_unzipped_bytes:
            raise UntrustedFileError(
                "unzipped_bytes", what, f"> {show_bytes(total)}",
                show_bytes(limits.max_unzipped_bytes),
            )


def check_zip(
    source: Source, limits: FileLimits | None = None, what: str | None = None
) -> list[zipfile.ZipInfo]:
    """Check a zip archive's directory against ``limits``; nothing is decompressed.

    Refuses (:class:`UntrustedFileError`) a file over ``max_upload_mb``, more than
    ``max_members`` members, a member over ``max_member_mb`` or, above ``ratio_floor_mb``,
    compressed more than ``max_ratio`` : 1, members summing to over ``max_unzipped_mb``, and a
    file that is not a zip archive. ``what`` names the file in messages (default: its file name,
    or "upload"). Returns the members' directory entries.
    """
    with open_checked_zip(source, limits, what) as archive:
        return archive.infolist()


def iter_member(
    archive: zipfile.ZipFile,
    member: str | zipfile.ZipInfo,
    cap: int,
    chunk: int = _CHUNK,
    what: str | None = None,
) -> Iterator[bytes]:
    """Decompressed chunks of one member, streamed. A member declaring more than ``cap`` bytes
    raises :class:`UntrustedFileError` ``member_bytes``; one unpacking to more than it declares,
    ``declared_size`` (checked as the bytes come, so a lie costs one chunk); a corrupt member
    (bad deflate data, wrong CRC-32, truncated), ``not_zip``. Stop iterating to read a head.
    ``what`` names the member in messages (default: its name)."""
    info = member if isinstance(member, zipfile.ZipInfo) else archive.getinfo(member)
    what = what or info.filename[:80]
    if info.file_size > cap:
        raise UntrustedFileError("member_bytes", what, show_bytes(info.file_size), show_bytes(cap))
    allowed = info.file_size
    seen = 0
    try:
        with archive.open(info) as stream:
            while block := stream.read(chunk):
                seen += len(block)
                if seen > allowed:
                    raise UntrustedFileError("declared_size", what, show_bytes(seen),
                                             show_bytes(allowed))
                yield block
    except _UNZIP_ERRORS as exc:
        raise UntrustedFileError("not_zip", what, type(exc).__name__) from None


def read_member_capped(
    archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, cap: int
) -> bytes:
    """One member's bytes, decompressed by streaming with a cap (see :func:`iter_member`)."""
    return b"".join(iter_member(archive, member, cap))
