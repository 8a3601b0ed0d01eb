"""Schema-driven: schemathesis generates requests for every operation in our own OpenAPI document,
against a real extractive agent; whatever it sends, the API must never answer with a server error."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from agent.api import create_api
from agent.assembly import build_agent
from agent.config import load_config
from tests.agent.api.conftest import TOKEN, make_env


EXAMPLES_PER_OPERATION = 25


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, minilm):
    agent = build_agent(config=load_config(environ=make_env(tmp_path_factory.mktemp("schema"))), embedder=minilm)
    app = create_api(agent, operator_tokens=[TOKEN])
    with TestClient(app) as client:  # a real conversation and ticket for the generated requests to act on
        cid = client.post("/v1/conversations").json()["conversation_id"]
        reply = client.post(f"/v1/conversations/{cid}/messages", json={"text": "I want to talk to a person"})
    yield schemathesis.openapi.from_asgi("/openapi.json", app), {"conversation_id": cid,
                                                                  "ticket_id": reply.json()["ticket_id"]}
    agent.close()


# schemathesis.pytest.from_fixture(...).parametrize() fails under pytest 9 (it reads the removed
# ``Function._nodeid``), so each operation's strategy is driven by hypothesis directly.
@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_no_request_makes_the_api_fail(api_schema, mode):
    schema, real_ids = api_schema
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12

    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def no_server_error(case):
            if mode is GenerationMode.POSITIVE and case.path_parameters:  # random ids would only ever be 404
                case.path_parameters = {**case.path_parameters, **{k: v for k, v in real_ids.items()
                                                                   if k in case.path_parameters}}
            case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=[not_a_server_error])

        try:
            no_server_error()
        except Unsatisfiable:  # negative mode on an operation with nothing to get wrong (GET /health)
            assert mode is GenerationMode.NEGATIVE and not operation.body and not operation.query, operation.label
