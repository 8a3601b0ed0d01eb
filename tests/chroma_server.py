"""A real Chroma server for the retrieval tests, on loopback only.

Where from, in order:
1. ``TEST_CHROMA_URL`` (like ``http://127.0.0.1:8000``; ``.ci/run`` starts one and sets it):
   every test uses collections of its own, deleted afterwards.
2. ``chroma run`` from the ``chroma`` program installed beside this Python: a private server on a free
   port with its data in a temporary folder, started for the session and removed after it.
3. Neither: the tests that need it are skipped, saying why, unless ``REQUIRE_TEST_SERVERS=1``
   (set by ``.ci/run``), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.servers import server_unavailable

URL_VARIABLE = "TEST_CHROMA_URL"
START_TIMEOUT_S = 60.0
COLLECTIONS = "/api/v2/tenants/default_tenant/databases/default_database/collections"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class ChromaServerError(RuntimeError):
    """The server could not be started or reached; the message says why."""


def unavailable(reason: str) -> None:
    server_unavailable("Chroma server", reason)


@dataclass
class ChromaServer:
    """A server at ``host:port``; ``process`` and ``folder`` only when these tests started it."""

    host: str
    port: int
    process: subprocess.Popen | None = None
    folder: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def log(self) -> Path | None:
        return self.folder / "server.log" if self.folder else None

    def alive(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as response:
                return response.status == 200
        except (OSError, ValueError):
            return False

    def drop_collection(self, name: str) -> None:
        """Delete a collection, if it is there (tests clean up after themselves on a shared server)."""
        request = urllib.request.Request(f"{self.url}{COLLECTIONS}/{urllib.parse.quote(name)}", method="DELETE")
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code != 404:
                raise
        except OSError:  # the server is gone (a test stopped it): nothing left to delete
            return

    def log_tail(self, characters: int = 1500) -> str:
        if self.log is None or not self.log.exists():
            return "(no log)"
        return _ANSI.sub("", self.log.read_text(encoding="utf-8", errors="replace"))[-characters:].strip()

    def stop(self) -> None:
        """Stop a server these tests started and remove its data; a server from the environment is left alone."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=15)
            self.process = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def chroma_program() -> Path:
    return Path(sys.executable).parent / "chroma"


def start_private_server(timeout_s: float = START_TIMEOUT_S) -> ChromaServer:
    """``chroma run`` on a free loopback port with a temporary folder, once its heartbeat answers.

    Raises ``ChromaServerError`` with the end of the server's log when it does not come up in time.
    """
    program = chroma_program()
    if not program.exists():
        raise ChromaServerError(f"{program} was not found (pip install chromadb into this environment)")
    folder = Path(tempfile.mkdtemp(prefix="tactful-chroma-"))
    server = ChromaServer("127.0.0.1", _free_port(), folder=folder)
    with open(folder / "server.log", "wb") as log:
        server.process = subprocess.Popen(
            [str(program), "run", "--path", str(folder / "data"), "--host", server.host, "--port", str(server.port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=folder)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        if server.alive():
            return server
        time.sleep(0.1)
    code = server.process.poll()
    tail = server.log_tail()
    server.stop()
    status = f"exited with status {code}" if code is not None else f"did not answer within {timeout_s:.0f} s"
    raise ChromaServerError(f"`{program} run` on 127.0.0.1:{server.port} {status}. Its log ends:\n{tail}")


def server_from_environment() -> ChromaServer | None:
    """The server ``TEST_CHROMA_URL`` names, checked to answer; None when the variable is not set."""
    url = os.environ.get(URL_VARIABLE)
    if not url:
        return None
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or not parts.hostname or not parts.port:
        raise ChromaServerError(f"{URL_VARIABLE}={url!r} is not like http://127.0.0.1:8000")
    server = ChromaServer(parts.hostname, parts.port)
    if not server.alive():
        raise ChromaServerError(f"{URL_VARIABLE}={url} does not answer at /api/v2/heartbeat: is it running?")
    return server


def start_chroma() -> ChromaServer:
    """The server for this session (see the module docstring); skips or fails when there is none."""
    try:
        return server_from_environment() or start_private_server()
    except (ChromaServerError, OSError) as exc:
        unavailable(str(exc))
    raise AssertionError("unreachable")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
