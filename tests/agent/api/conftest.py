"""An API over a real extractive agent (tiny knowledge base, temp data dir), and its operator token."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.api import create_api
from agent.assembly import build_agent
from agent.config import load_config
from tests.conftest import extractive_env

TOKEN = "test-operator-token-0123456789"
KB = {
    "delivery.md": "# Delivery\n\nWe deliver within 3 miles of the shop. Delivery costs £4.50, and it is free on "
                   "orders over £40. Deliveries go out Tuesday to Saturday between 9:00 and 13:00.\n",
    "refunds.md": "# Refunds\n\nIf something you bought is damaged or wrong, tell us within 48 hours with a photo "
                  "and we will refund you in full or replace it.\n",
}


def make_env(root: Path) -> dict[str, str]:
    return extractive_env(root, KB)


@pytest.fixture
def agent_env(tmp_path) -> dict[str, str]:
    """The environment of a model-free agent over the tiny knowledge base; add TACTFUL_ keys to taste."""
    return make_env(tmp_path)


@pytest.fixture
def agent(agent_env, minilm):
    built = build_agent(config=load_config(environ=agent_env), embedder=minilm)
    yield built
    built.close()


@pytest.fixture
def client(agent):
    with TestClient(create_api(agent, operator_tokens=[TOKEN])) as test_client:
        yield test_client


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture
def operator(token):
    """Headers of an operator (or a tool) holding a valid token."""
    return {"Authorization": f"Bearer {token}"}
