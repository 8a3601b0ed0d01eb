"""A real PostgreSQL server for the store tests, on loopback only.

Where from, in order:
1. ``TEST_POSTGRES_URL`` (``.ci/run`` starts Debian's cluster and sets it): a role that may
   create databases; every test gets a fresh database, dropped afterwards.
2. PostgreSQL's own programs on this machine (``initdb``, ``pg_ctl``): a private throwaway cluster in a
   temporary folder, started for the session and removed after it (as the ``postgres`` user when the
   tests run as root, which PostgreSQL refuses).
3. Neither: the tests that need it are skipped, saying why, unless ``REQUIRE_TEST_SERVERS=1``
   (set by ``.ci/run``), which turns the skip into a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.servers import server_unavailable

URL_VARIABLE = "TEST_POSTGRES_URL"


def unavailable(reason: str) -> None:
    server_unavailable("PostgreSQL", reason)


@dataclass
class PostgresServer:
    """A server and an admin URL (``postgresql+psycopg://...``) able to create and drop databases."""

    admin_url: str
    _cluster: "PrivateCluster | None" = None

    def fresh_database(self) -> str:
        """Create an empty database and return its URL."""
        name = f"tactful_{uuid.uuid4().hex[:12]}"
        self._execute(f'CREATE DATABASE "{name}"')
        return self.admin_url.rsplit("/", 1)[0] + f"/{name}"

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _execute(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url.replace("postgresql+psycopg://", "postgresql://"),
                             autocommit=True, connect_timeout=10) as connection:
            connection.execute(statement)

    def stop(self) -> None:
        if self._cluster is not None:
            self._cluster.stop()


class PrivateCluster:
    """``initdb`` + ``pg_ctl start`` in a temporary folder, trust authentication on 127.0.0.1 only."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="tactful-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self._as_root = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    def start(self) -> str:
        if self._as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        done = self._run("initdb", "-D", str(self.data), "--auth=trust", "--username=postgres", "--no-sync",
                         "--encoding=UTF8", "--locale=C")
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr.strip()[-500:]}")
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        done = self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "server.log"),
                         "-w", "-t", "60", "start")
        if done.returncode != 0:
            log = (self.folder / "server.log")
            tail = log.read_text(errors="replace")[-800:] if log.exists() else done.stderr
            raise RuntimeError(f"pg_ctl start failed: {tail.strip()}")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _bindir() -> Path | None:
    for candidate in [shutil.which("initdb"), *sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)]:
        if candidate and Path(candidate).exists():
            return Path(candidate).parent
    return None


def start_postgres() -> PostgresServer:
    """The server for this session (see the module docstring); skips or fails when there is none."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("the psycopg driver is not installed (pip install -e '.[test]')")
    if os.environ.get(URL_VARIABLE):
        return PostgresServer(os.environ[URL_VARIABLE])
    bindir = _bindir()
    if bindir is None:
        unavailable(f"{URL_VARIABLE} is not set and initdb was not found (apt install postgresql)")
    cluster = PrivateCluster(bindir)
    try:
        return PostgresServer(cluster.start(), cluster)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        cluster.stop()
        unavailable(f"a private cluster could not be started: {exc}")
    raise AssertionError("unreachable")
