"""The web front end's static files sent gzip-compressed, each compressed once per process.

Streamlit serves its JavaScript and CSS uncompressed: a first visit downloads about 3.8 MB,
which on a phone's mobile connection (experts open their links from WeChat) takes longer than
everything the server does. Streamlit leaves them uncompressed on purpose, because compressing
them again on every request costs CPU on every visit; these files are content-hashed and never
change while the process runs, so here each is compressed once and kept in memory (about a fifth
of its size: 3.8 → 0.9 MB a first visit, ~5 MB of memory for every file of the front end).

:class:`CompressedStatic` is an ASGI middleware (``server.py`` puts it in front of the app): a
``GET`` for a file Streamlit marks as immutable (``Cache-Control: … immutable``, the files under
``/static/``) from a browser that accepts gzip gets the gzip form; every other request passes
through unchanged. :func:`precompress_entry_files` compresses the files the front end's index
page loads (every first visit needs them) while the server starts; any other file is compressed
on its first request, in a worker thread so that the server keeps answering meanwhile.
"""

from __future__ import annotations

import asyncio
import gzip
import re
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import streamlit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

LEVEL = 6
"""gzip level: 3.1 MB of the main bundles → 0.62 MB in ~75 ms (level 9: 0.61 MB, ~100 ms)."""
MINIMUM_BYTES = 1024
COMPRESSIBLE = (b"javascript", b"text/", b"json", b"svg", b"wasm")
"""Content types worth compressing (fonts in woff2 and images are compressed already)."""
STATIC = "/static/"
_FRONT_END = Path(streamlit.__file__).resolve().parent / "static"
_PACKED: dict[str, tuple[int, bytes]] = {}
"""``/static/…`` path → (CRC-32 of the file, its gzip form), for this process."""


def _static_key(path: str) -> str:
    """The part of a request path from ``/static/`` on (the same under ``server.baseUrlPath``)."""
    return path[path.index(STATIC):]


def packed(key: str, raw: bytes) -> bytes:
    """The gzip form of the file at ``key`` whose bytes are ``raw``: the one kept from before
    when it was made from the same bytes (checked by CRC-32), else made now and kept."""
    checksum = zlib.crc32(raw)
    known = _PACKED.get(key)
    if known is not None and known[0] == checksum:
        return known[1]
    result = gzip.compress(raw, LEVEL)
    _PACKED[key] = (checksum, result)
    return result


def precompress_entry_files(front_end: Path = _FRONT_END) -> int:
    """Compress the scripts and style sheets the front end's ``index.html`` loads; returns how
    many."""
    page = (front_end / "index.html").read_text("utf-8")
    names = set(re.findall(r'(?:src|href)="\.?/?(static/[^"?#]+\.(?:js|css))"', page))
    for name in names:
        packed("/" + name, (front_end / name).read_bytes())
    return len(names)


def _header(headers: Headers, name: bytes) -> bytes:
    return next((value for key, value in headers if key.lower() == name), b"")


def _worth_it(status: int, headers: Headers, body: bytes) -> bool:
    """Compress only complete, immutable, uncompressed text files of some size."""
    kind = _header(headers, b"content-type").lower()
    return (status == 200 and b"immutable" in _header(headers, b"cache-control").lower()
            and not _header(headers, b"content-encoding")
            and len(body) >= MINIMUM_BYTES and any(t in kind for t in COMPRESSIBLE))


class CompressedStatic:
    """ASGI middleware: immutable static files in gzip, compressed once (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = scope.get("headers") or []
        if (scope["type"] != "http" or scope.get("method") != "GET"
                or STATIC not in scope.get("path", "")
                or b"gzip" not in _header(headers, b"accept-encoding")
                or _header(headers, b"range")):
            await self.app(scope, receive, send)
            return
        status, response_headers, body = await self._collect(scope, receive)
        if not _worth_it(status, response_headers, body):
            await _send(send, status, response_headers, body)
            return
        key = _static_key(scope["path"])
        known = _PACKED.get(key)
        if known is not None and known[0] == zlib.crc32(body):
            result = known[1]
        else:  # zlib releases the GIL: the event loop goes on serving meanwhile
            result = await asyncio.to_thread(packed, key, body)
        kept = [(k, v) for k, v in response_headers
                if k.lower() not in (b"content-length", b"content-encoding", b"etag")]
        await _send(send, status, [*kept, (b"content-encoding", b"gzip"),
                                   (b"vary", b"Accept-Encoding"),
                                   (b"content-length", str(len(result)).encode())], result)

    async def _collect(self, scope: Scope, receive: Receive) -> tuple[int, Headers, bytes]:
        """Run the app for this request and keep its whole response."""
        start: Message = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, keep)
        return int(start.get("status", 500)), list(start.get("headers", [])), b"".join(chunks)


async def _send(send: Send, status: int, headers: Headers, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
