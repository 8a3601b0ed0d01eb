"""Run ``tactful serve`` in a child process on loopback, for load measurements and the tests that need
a real server with several workers. Reads the workers' memory from ``/proc`` (Linux)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping


class ServerDidNotStart(RuntimeError):
    """The child server did not answer /ready in time; the message ends with its log."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ServedAPI:
    """A running ``tactful serve``: its base URL and process; ``stop()`` ends it and its workers."""

    base_url: str
    process: subprocess.Popen
    log_path: Path
    workers: int

    def worker_pids(self) -> list[int]:
        if self.workers == 1:
            return [self.process.pid]
        return [pid for pid in _children(self.process.pid) if b"spawn_main" in _cmdline(pid)]

    def worker_rss_mb(self) -> list[float]:
        return [round(_rss_kb(pid) / 1024, 1) for pid in self.worker_pids()]

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server(env: Mapping[str, str], *, workers: int = 1, ready_timeout_s: float = 120.0,
                 log_dir: Path | None = None) -> ServedAPI:
    """Start ``tactful serve --workers N`` on a free loopback port with ``env`` added to the environment."""
    import httpx

    port = free_port()
    log_dir = Path(log_dir or tempfile.mkdtemp(prefix="tactful-serve-"))
    log_path = log_dir / f"serve-{port}.log"
    command = [sys.executable, "-c", "from agent.cli import main; main()", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    served = ServedAPI(f"http://127.0.0.1:{port}", process, log_path, workers)
    deadline = time.monotonic() + ready_timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerDidNotStart(f"tactful serve exited with {process.returncode}:\n{served.log_tail()}")
        with contextlib.suppress(httpx.HTTPError):  # not listening yet: ask again shortly
            if httpx.get(f"{served.base_url}/ready", timeout=2).status_code == 200 and \
                    len(served.worker_pids()) >= workers:
                return served
        time.sleep(0.3)
    served.stop()
    raise ServerDidNotStart(f"tactful serve did not become ready in {ready_timeout_s:.0f} s:\n{served.log_tail()}")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _rss_kb(pid: int) -> int:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:  # the process has gone
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith("VmRSS:")), 0)
