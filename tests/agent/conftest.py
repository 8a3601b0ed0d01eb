"""Fixtures shared by the agent tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def demo_agent(tmp_path_factory, minilm):
    """The built-in demo bakery on the extractive provider, indexed once per test module."""
    from agent.assembly import build_agent
    from agent.config import load_config

    config = load_config(environ={"TACTFUL_DATA_DIR": str(tmp_path_factory.mktemp("demo")),
                                  "TACTFUL_LLM__PROVIDER": "extractive"})
    agent = build_agent(config=config, embedder=minilm)
    yield agent
    agent.close()
