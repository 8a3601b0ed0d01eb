"""Fixtures for the fuzz suite: one model-free agent per module (hypothesis runs many examples against it),
and the hypothesis settings every fuzz test uses: modest, deterministic, no deadline."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from agent.assembly import build_agent
from agent.config import load_config
from tests.conftest import extractive_env

#: Reproducible in CI (derandomize), quick on two cores, and no per-example deadline (a first turn opens
#: the knowledge base and the store).
FUZZ = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])

KB = {
    "delivery.md": "# Delivery\n\nWe deliver within 3 miles of the shop. Delivery costs £4.50, and it is free on "
                   "orders over £40.\n",
    "refunds.md": "# Refunds\n\nTell us within 48 hours with a photo and we will refund you in full.\n",
}


@pytest.fixture(scope="module")
def fuzz_env(tmp_path_factory) -> dict[str, str]:
    return extractive_env(tmp_path_factory.mktemp("fuzz"), KB)


@pytest.fixture(scope="module")
def fuzz_agent(fuzz_env, minilm):
    built = build_agent(config=load_config(environ=fuzz_env), embedder=minilm)
    yield built
    built.close()
