"""Run a parser on an untrusted file in a child process bounded in memory and time.

Some parsers cannot be stopped from inside: python-calamine aborts the whole process (SIGABRT,
exit 134) when an allocation fails, and no ``except`` catches that; a parser stuck in a loop
holds the thread of the request. :func:`run_bounded` runs the parser in a child process with an
address-space limit (``RLIMIT_AS``) and a wall-clock timeout, so a bad file costs one request,
never the server.

The children come from a *fork server* (multiprocessing's "forkserver" context): a small process
started once, which forks a fresh child per call. Plain ``fork`` of a threaded process (Streamlit
serves each session on its own thread) can copy a lock held by another thread and deadlock;
``spawn`` starts a new interpreter per call and pays the imports every time. Measured on the
development machine (2 shared cores, Python 3.11; ``benchmarks/hostile_files.py --overhead``):
starting the fork server and the first call take 0.08 s; then a call costs about 20 ms for a
trivial function (83 ms with a 20 MB argument, which travels pickled through a pipe), against
74 ms for a plain "spawn" process before it imports anything. Modules named in ``preload``
(``start_sandbox(["survey.loading"])``: pandas, openpyxl, python-calamine, 1–3 s) are imported
once in the fork server instead of once per call.

Exceptions the parser raises are re-raised in the parent with their type and message (e.g. the
loader's ``SurveyError``); an exception that cannot be pickled comes back as ``RuntimeError``
with its type name and message.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import pickle
import resource
import signal
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from untrusted.limits import FileLimits, UntrustedFileError, show_bytes

__all__ = ["run_bounded", "start_sandbox"]

T = TypeVar("T")

_CONTEXT = multiprocessing.get_context("forkserver")
_OK, _RAISED, _MEMORY = "ok", "raised", "memory"


def start_sandbox(preload: Sequence[str] = ()) -> None:
    """Start the fork server now (else the first :func:`run_bounded` call does), importing the
    modules named in ``preload`` once in it, so that children start with them loaded. Only the
    first start counts: a running fork server keeps its modules.

    The main module is always preloaded: multiprocessing otherwise re-imports the parent's main
    script in every child (``streamlit``'s or ``shanzhi``'s entry script, guarded by
    ``if __name__ == "__main__"`` as multiprocessing requires)."""
    _CONTEXT.set_forkserver_preload(["__main__", __name__, *preload])
    multiprocessing.forkserver.ensure_running()


def _child(
    conn: Connection, func: Callable[..., Any], args: tuple, kwargs: dict, memory_bytes: int
) -> None:
    """In the child: limit the address space, call the parser, send back the pickled outcome."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        outcome: tuple[str, Any] = (_OK, func(*args, **kwargs))
    except MemoryError:
        outcome = (_MEMORY, None)
    except BaseException as exc:  # re-raised in the parent, whatever it is
        outcome = (_RAISED, exc)
    try:
        payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        if outcome[0] == _RAISED:
            pickle.loads(payload)  # an exception whose __init__ does not take its args fails here
    except MemoryError:
        payload = pickle.dumps((_MEMORY, None))
    except Exception as exc:
        error = outcome[1] if outcome[0] == _RAISED else exc
        payload = pickle.dumps((_RAISED, RuntimeError(f"{type(error).__name__}: {error}")))
    conn.send_bytes(payload)
    conn.close()


def _died(exitcode: int | None, what: str, memory_bytes: int) -> UntrustedFileError:
    """The error for a child that ended without sending its outcome."""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        if number == signal.SIGKILL:  # the kernel's out-of-memory killer, or someone else
            return UntrustedFileError("memory", what, "", show_bytes(memory_bytes))
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return UntrustedFileError("crash", what, name)
    return UntrustedFileError("crash", what, f"exit code {exitcode}")


def run_bounded(
    func: Callable[..., T],
    *args: Any,
    memory_mb: float | None = None,
    seconds: float | None = None,
    what: str = "the file",
    **kwargs: Any,
) -> T:
    """``func(*args, **kwargs)`` run in a child process with at most ``memory_mb`` of address
    space and ``seconds`` of wall-clock time (defaults: ``FileLimits.from_env()``'s
    ``parse_memory_mb`` and ``parse_seconds``).

    ``func`` must be importable by name (a module-level function), and its arguments and result
    picklable. Returns its result; re-raises what it raised (same type and message). Raises
    :class:`UntrustedFileError` ``memory`` when it ran out of memory, ``seconds`` when it ran
    out of time (the child is killed), ``crash`` when the child died (e.g. SIGABRT); ``what``
    names the file in these messages.
    """
    start_sandbox()  # a no-op once the fork server runs
    limits = FileLimits.from_env()
    memory_bytes = int((memory_mb or limits.parse_memory_mb) * 2**20)
    timeout = seconds or limits.parse_seconds
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(
        target=_child, args=(sender, func, args, kwargs, memory_bytes), daemon=True
    )
    try:
        process.start()
        sender.close()
        start = time.monotonic()
        if not receiver.poll(timeout):
            raise UntrustedFileError("seconds", what, "", f"{timeout:g} s")
        try:
            payload = receiver.recv_bytes()
        except EOFError:  # the child died without a word
            process.join(max(0.0, timeout - (time.monotonic() - start)))
            raise _died(process.exitcode, what, memory_bytes) from None
    finally:
        sender.close()
        if process.is_alive():
            process.kill()
        if process.pid is not None:
            process.join()
            process.close()
        receiver.close()
    status, value = pickle.loads(payload)
    if status == _MEMORY:
        raise UntrustedFileError("memory", what, "", show_bytes(memory_bytes))
    if status == _RAISED:
        raise value
    return value
