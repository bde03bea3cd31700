"""``server.py`` as ``make app`` runs it, over HTTP: the front end's static files go out
gzip-compressed (:mod:`app_server.compression`), byte for byte the same once unpacked, and the
warm-up (:mod:`app_server.warm`) runs inside Streamlit's runtime."""

from __future__ import annotations

import gzip
import re
import urllib.request
from collections.abc import Iterator

import pytest

from tests.test_app_browser import App, app_process


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    folder = tmp_path_factory.mktemp("server")
    with app_process(folder, folder / "judgments.sqlite3") as running:
        yield running


def fetch(url: str, **headers: str) -> tuple[dict[str, str], bytes]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
        return {k.lower(): v for k, v in r.headers.items()}, r.read()


def main_script(base: str) -> str:
    """The URL of the first script the app's index page loads."""
    _, page = fetch(base + "/")
    found = re.search(rb'src="\.?/?(static/js/[^"]+\.js)"', page)
    assert found, "no script in the app's index page"
    return f"{base}/{found.group(1).decode()}"


def test_static_files_are_sent_compressed_and_unchanged(app: App) -> None:
    url = main_script(app.base)
    plain_headers, plain = fetch(url)
    assert "content-encoding" not in plain_headers  # a client that asks for no gzip gets none
    for _ in range(2):  # compressed once, then served from memory: the same both times
        headers, packed = fetch(url, **{"Accept-Encoding": "gzip, br"})
        assert headers["content-encoding"] == "gzip"
        assert headers["vary"] == "Accept-Encoding"
        assert int(headers["content-length"]) == len(packed) < len(plain) / 2
        assert gzip.decompress(packed) == plain


def test_other_requests_pass_through(app: App) -> None:
    headers, body = fetch(app.base + "/_stcore/health", **{"Accept-Encoding": "gzip"})
    assert "content-encoding" not in headers and body == b"ok"
    headers, part = fetch(main_script(app.base), **{"Accept-Encoding": "gzip",
                                                     "Range": "bytes=0-9"})
    assert "content-encoding" not in headers and not part.startswith(b"\x1f\x8b")


def test_warm_up_runs_inside_the_runtime(app: App) -> None:
    """The app's caches were made once Streamlit's runtime existed (imported by the warm-up in
    the start-up hook, not when ``server.py`` was imported), and quietly."""
    log = app.log.read_text(errors="replace")
    assert "No runtime found" not in log
    assert "missing ScriptRunContext" not in log
    assert app.process.poll() is None


def test_a_file_is_compressed_once_and_again_when_its_bytes_differ() -> None:
    from app_server import compression

    first = compression.packed("/static/js/test-only.js", b"a" * 5000)
    assert compression.packed("/static/js/test-only.js", b"a" * 5000) is first  # kept
    other = compression.packed("/static/js/test-only.js", b"b" * 5000)  # same name, new bytes
    assert gzip.decompress(other) == b"b" * 5000
    assert compression.precompress_entry_files() > 10  # index.html's script and preloads
