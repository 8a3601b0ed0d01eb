"""Several worker processes on one PostgreSQL store, through the real server: nothing lost or duplicated,
and the load generator refuses anything but loopback."""

from __future__ import annotations

import httpx
import pytest

from agent.bench_load import LoadPlan, NotLoopback, run_load
from agent.bench_serve import start_server


@pytest.mark.slow
def test_two_workers_on_postgresql_lose_and_duplicate_nothing(tmp_path, postgres_server):
    url = postgres_server.fresh_database()
    served = start_server({"TACTFUL_DATA_DIR": str(tmp_path / "data"), "TACTFUL_LLM__PROVIDER": "extractive",
                           "TACTFUL_STORE__URL": url, "TACTFUL_SERVER__RATE_LIMIT_CLIENT_PER_MINUTE": "0",
                           "TACTFUL_SERVER__RATE_LIMIT_CONVERSATION_PER_MINUTE": "0"}, workers=2, log_dir=tmp_path)
    try:
        assert len(served.worker_pids()) == 2
        result = run_load(LoadPlan(served.base_url, conversations=12, messages_per_conversation=8, concurrency=12,
                                   max_seconds=240))
        page = httpx.get(f"{served.base_url}/", timeout=10)
        log = served.log_tail()
    finally:
        served.stop()
        postgres_server.drop_database(url)
    assert result.sent == 96 and result.failed == 0, (result, log)
    assert (result.stored, result.lost, result.duplicated) == (96, 0, 0)
    # The web pages need one process (their sessions live in it): with two workers they are not served.
    assert page.status_code == 404


@pytest.mark.parametrize("url", ["http://example.com:7860", "http://10.0.0.5:7860", "http://shop.example"])
def test_the_load_generator_only_targets_loopback(url):
    with pytest.raises(NotLoopback, match="loopback"):
        LoadPlan(url)


def test_loopback_addresses_are_accepted():
    for url in ("http://127.0.0.1:7860", "http://localhost:7860", "http://[::1]:7860"):
        assert LoadPlan(url).base_url == url


@pytest.mark.slow
def test_a_worker_killed_mid_load_loses_and_duplicates_nothing(tmp_path, postgres_server):
    """One of two workers is killed (SIGKILL) while conversations are under way; clients send again with the
    same message id, as chat clients do, and every message ends up stored exactly once."""
    import os
    import signal
    import threading
    import time

    url = postgres_server.fresh_database()
    served = start_server({"TACTFUL_DATA_DIR": str(tmp_path / "data"), "TACTFUL_LLM__PROVIDER": "extractive",
                           "TACTFUL_STORE__URL": url, "TACTFUL_SERVER__RATE_LIMIT_CLIENT_PER_MINUTE": "0",
                           "TACTFUL_SERVER__RATE_LIMIT_CONVERSATION_PER_MINUTE": "0"}, workers=2, log_dir=tmp_path)
    killed: list[int] = []

    def cpu_ticks(pid: int) -> int:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    def kill_one() -> None:
        time.sleep(2.0)
        # The busier worker: kept-alive connections may all sit on one of the two, and the idle one holds none.
        victim = max(served.worker_pids(), key=cpu_ticks)
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)

    try:
        killer = threading.Thread(target=kill_one)
        killer.start()
        result = run_load(LoadPlan(served.base_url, conversations=10, messages_per_conversation=24, concurrency=10,
                                   max_seconds=240))
        killer.join()
        log = served.log_tail()
    finally:
        served.stop()
        postgres_server.drop_database(url)
    assert killed, "no worker was killed"
    assert result.retried >= 1, result  # the kill cut requests in flight: they were sent again
    assert result.sent == 240 and result.failed == 0, (result, log)
    assert (result.stored, result.lost, result.duplicated) == (240, 0, 0), (result, log)
