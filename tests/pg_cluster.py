"""A throwaway PostgreSQL cluster for the tests: initdb + pg_ctl in a temporary folder.

The cluster listens on a free TCP port of 127.0.0.1 and on a unix socket in its own folder, runs
as an unprivileged user (initdb refuses root: as root the cluster runs as the system user
``shanzhi-test``, created with ``useradd`` when missing, through ``runuser``), trusts local
connections (nothing outside this machine can reach it) and is stopped and deleted at the end.
The binaries come from Debian's ``postgresql`` package (``scripts/install_system_packages.sh``),
found in ``/usr/lib/postgresql/*/bin`` or on ``PATH``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

TEST_USER = "shanzhi-test"


def pg_bin() -> Path | None:
    """The folder of initdb/pg_ctl, newest version first; ``None`` when not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name), reverse=True)
    if found:
        return Path(found[0]).parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user() -> list[str]:
    """The command prefix that runs a program as the unprivileged cluster owner."""
    if os.geteuid() != 0:
        return []
    if subprocess.run(["id", "-u", TEST_USER], capture_output=True).returncode != 0:
        # two test workers may race here: whichever useradd loses finds the user made
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
             TEST_USER],
            capture_output=True,
        )
        subprocess.run(["id", "-u", TEST_USER], check=True, capture_output=True)
    return ["runuser", "-u", TEST_USER, "--"]


@dataclass
class Cluster:
    """A running cluster: ``url`` for SQLAlchemy, ``new_database()`` for an empty database."""

    folder: Path
    port: int
    bin: Path
    prefix: list[str]
    _count: int = 0

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        """Create an empty database and return its URL."""
        self._count += 1
        name = f"t{os.getpid()}_{self._count}"
        subprocess.run(
            [*self.prefix, str(self.bin / "createdb"), "-h", str(self.folder), "-p",
             str(self.port), "-U", "postgres", name],
            check=True, capture_output=True,
        )
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run(
            [*self.prefix, str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m",
             "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> Cluster:
    """initdb + pg_ctl start in a fresh temporary folder (raises RuntimeError when unavailable)."""
    binaries = pg_bin()
    if binaries is None:
        raise RuntimeError("PostgreSQL is not installed (Debian package 'postgresql')")
    prefix = _as_user()
    folder = Path(tempfile.mkdtemp(prefix="shanzhi-pg-"))
    if prefix:
        shutil.chown(folder, TEST_USER)
    data = folder / "data"
    port = _free_port()
    run = lambda *args: subprocess.run([*prefix, *args], capture_output=True, text=True)  # noqa: E731
    done = run(str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
               "-E", "UTF8", "--no-sync", "--locale=C")
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {done.stderr.strip()[-400:]}")
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
    done = run(str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
               str(folder / "log"), "-w", "-t", "60", "start")
    if done.returncode != 0:
        logfile = folder / "log"
        log = logfile.read_text(errors="replace")[-400:] if logfile.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()[-300:]} {log}")
    return Cluster(folder=folder, port=port, bin=binaries, prefix=prefix)
