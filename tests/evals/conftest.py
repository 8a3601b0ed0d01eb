"""Fixtures for the eval harness tests: a tiny knowledge base, an agent on the extractive provider (with or
without the demo accounts), and hand-built replies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import extractive_env

REPO = Path(__file__).resolve().parents[2]

KB = {
    "delivery.md": "# Delivery\n\n## Area and fees\nWe deliver within 3 miles of the shop. Delivery costs £4.50, "
                   "and it is free on orders over £40.\n\n## Days\nDeliveries go out Tuesday to Saturday "
                   "between 9:00 and 13:00.\n",
    "allergens.md": "# Allergens\n\n## Gluten-free\nWe bake a gluten-free sourdough loaf every Friday. It is made "
                    "in a kitchen that also handles wheat, so we cannot guarantee it is free of traces.\n",
    "refunds.md": "# Refunds\n\nIf something you bought is damaged or wrong, tell us within 48 hours with a photo "
                  "and we will refund you in full or replace it.\n",
}


@pytest.fixture
def agent_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a model-free agent over the tiny knowledge base, with its data in a temp folder."""
    return extractive_env(tmp_path, KB)


@pytest.fixture
def extractive_agent(agent_env, minilm):
    from agent import Agent

    agent = Agent.from_config(None, environ=agent_env, embedder=minilm)
    yield agent
    agent.close()


@pytest.fixture
def write_suite(tmp_path: Path):
    """write_suite("name", [case, ...] or "raw text") -> the path of a JSON Lines file in the temp folder."""

    def _write(name: str, cases) -> Path:
        path = tmp_path / f"{name}.jsonl"
        text = cases if isinstance(cases, str) else "\n".join(json.dumps(c, ensure_ascii=False) for c in cases) + "\n"
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def accounts_env(agent_env) -> dict[str, str]:
    """The tiny knowledge base's environment with the demo accounts switched on at the suite's pinned time,
    as ``make eval`` sets it, and the fast hash embedder (the account replies do not depend on it)."""
    return {**agent_env, "TACTFUL_EMBEDDING__PROVIDER": "hash", "COLUMNS": "200",
            "TACTFUL_ACCOUNTS__ENABLED": "true", "TACTFUL_ACCOUNTS__NOW": "2026-12-01T09:00:00Z",
            "TACTFUL_ACCOUNTS__SEED": json.dumps([str(REPO / "knowledge" / "demo" / "bakery-accounts.json")])}
