"""What the test servers (tests/postgres_server.py, tests/chroma_server.py) share."""

from __future__ import annotations

import os

import pytest


def server_unavailable(server: str, reason: str) -> None:
    """Skip the tests that need ``server``, saying why; fail instead where servers are required
    (``REQUIRE_TEST_SERVERS=1``, as ``.ci/run`` sets)."""
    if os.environ.get("REQUIRE_TEST_SERVERS") == "1":
        pytest.fail(f"{server} is required here (REQUIRE_TEST_SERVERS=1) but {reason}")
    pytest.skip(f"no {server} for the server back-end tests: {reason}")
