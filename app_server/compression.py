"""The web front end's static files sent gzip-compressed, each compressed once per process.

Streamlit serves its JavaScript and CSS uncompressed: a first visit downloads about 3.8 MB,
which on a phone's mobile connection (experts open their links from WeChat) takes longer than
everything the server does. :class:`CompressedStatic` is an ASGI middleware (``server.py`` puts
it in front of the app) that answers a ``GET`` for a file Streamlit marks as immutable
(``Cache-Control: … immutable``: the content-hashed files under ``/static/``) with its gzip
form when the browser accepts gzip, about a fifth of the bytes (3.1 → 0.6 MB for the main
bundles). These files never change while the process runs, so each is compressed once (level
6: ~75 ms for the main bundles) and kept in memory; every other request passes through as it is.
"""

from __future__ import annotations

import gzip
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COMPRESSIBLE = (b"javascript", b"text/", b"json", b"svg", b"wasm")
"""Content types worth compressing (fonts in woff2 and images are compressed already)."""


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes:
    return next((value for key, value in headers if key.lower() == name), b"")


class CompressedStatic:
    """ASGI middleware: immutable static files in gzip, compressed once (see the module)."""

    def __init__(self, app: ASGIApp, *, level: int = 6, minimum_bytes: int = 1024) -> None:
        self.app = app
        self.level = level
        self.minimum_bytes = minimum_bytes
        self._gzipped: dict[str, tuple[int, list[tuple[bytes, bytes]], bytes]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = scope.get("headers") or []
        if (scope["type"] != "http" or scope.get("method") != "GET"
                or "/static/" not in scope.get("path", "")
                or b"gzip" not in _header(headers, b"accept-encoding")
                or _header(headers, b"range")):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path not in self._gzipped:
            status, response_headers, body = await self._collect(scope, receive)
            if not self._worth_it(status, response_headers, body):
                await _send(send, status, response_headers, body)
                return
            kept = [(k, v) for k, v in response_headers
                    if k.lower() not in (b"content-length", b"content-encoding", b"etag")]
            packed = gzip.compress(body, self.level)
            self._gzipped[path] = (status, [*kept, (b"content-encoding", b"gzip"),
                                            (b"vary", b"Accept-Encoding"),
                                            (b"content-length", str(len(packed)).encode())],
                                   packed)
        await _send(send, *self._gzipped[path])

    def _worth_it(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> bool:
        """Compress only complete, immutable, uncompressed text files of some size."""
        kind = _header(headers, b"content-type").lower()
        return (status == 200 and b"immutable" in _header(headers, b"cache-control").lower()
                and not _header(headers, b"content-encoding")
                and len(body) >= self.minimum_bytes and any(t in kind for t in COMPRESSIBLE))

    async def _collect(self, scope: Scope, receive: Receive
                       ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
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


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
