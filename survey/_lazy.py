"""A module loaded on first attribute access: ``stats = lazy_module("scipy.stats")`` costs
nothing at import, so the app's first page (which reads a stored study) does not pay for
scipy.stats, scipy.optimize or scipy.linalg that only a new analysis needs."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import Any


class _LazyModule:
    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = import_module(self._name)
        return getattr(self._module, attribute)


def lazy_module(name: str) -> Any:
    """``name`` (e.g. ``"scipy.stats"``), imported when one of its attributes is first used."""
    return _LazyModule(name)
