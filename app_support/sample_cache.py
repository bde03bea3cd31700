"""The bundled sample study's result kept on disk, so that a fresh app process shows it without
running the study again (the first page an official opens is then drawn in well under 2 s).

The file is written by the app itself next to the judgment database (``~/.shanzhi/cache/`` or
``$SHANZHI_CACHE``; ``SHANZHI_CACHE=off`` switches it off) and is named after a hash of the
sample files, the settings and the source code of the layers that compute the result, so that
any change to them computes and stores a new one. Only the app's own files are ever read back.
"""


from __future__ import annotations

import copyreg
import hashlib
import os
import pickle
import tempfile
import types
from collections.abc import Callable
from pathlib import Path

from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS, SAMPLE_RESPONSES

CACHE_ENV = "SHANZHI_CACHE"
_ROOT = Path(__file__).resolve().parent.parent
_CODE = ("ahp", "survey", "evaluation", "i18n")


def read_only(mapping: dict) -> types.MappingProxyType:
    """Rebuild a read-only mapping when a cached result is read back."""
    return types.MappingProxyType(mapping)


def _mappingproxy(proxy: types.MappingProxyType) -> tuple[object, tuple[dict]]:
    return read_only, (dict(proxy),)


copyreg.pickle(types.MappingProxyType, _mappingproxy)


def cache_dir() -> Path | None:
    """Where the sample result is kept (``None`` when switched off)."""
    value = os.environ.get(CACHE_ENV, "").strip()
    if value.lower() in {"off", "0", "no", "false"}:
        return None
    return Path(value).expanduser() if value else Path.home() / ".shanzhi" / "cache"


def _fingerprint(settings_key: str) -> str:
    h = hashlib.sha256(settings_key.encode("utf-8"))
    for path in (SAMPLE_FRAMEWORK, SAMPLE_RESPONSES, SAMPLE_JUDGMENTS):
        h.update(Path(path).read_bytes())
    for package in _CODE:
        for source in sorted((_ROOT / package).rglob("*")):
            if source.suffix in {".py", ".json"}:
                h.update(source.relative_to(_ROOT).as_posix().encode())
                h.update(source.read_bytes())
    return h.hexdigest()[:20]


def cached_sample(settings_key: str, compute: Callable[[], object]) -> object:
    """The sample study's result for ``settings_key``: read from the cache file when there is
    one for this code and data, else computed with ``compute`` and stored."""
    folder = cache_dir()
    if folder is None:
        return compute()
    path = folder / f"sample-study-{_fingerprint(settings_key)}.pickle"
    try:
        with path.open("rb") as file:
            return pickle.load(file)  # the app's own file, named by its content
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    result = compute()
    temporary: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".tmp") as file:
            temporary = file.name
            pickle.dump(result, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
        temporary = None
        for old in folder.glob("sample-study-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # an unwritable home or an unpicklable result: compute again next time
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
    return result
