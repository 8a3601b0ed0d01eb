"""The API's edges: operator auth, errors as HTTP statuses (never a stack trace), body limits, the schema."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from agent.api import create_api
from agent.errors import ConfigError, StoreUnavailable

OPERATOR_ROUTES = [("GET", "/v1/tickets"), ("GET", "/v1/tickets/1"), ("POST", "/v1/tickets/1/assign"),
                   ("POST", "/v1/tickets/1/reply"), ("POST", "/v1/tickets/1/handback"),
                   ("POST", "/v1/tickets/1/resolve"), ("POST", "/v1/chat/completions")]


@pytest.mark.parametrize("method,path", OPERATOR_ROUTES)
def test_operator_endpoints_need_a_valid_bearer_token(client, token, method, path):
    for headers in ({}, {"Authorization": "Bearer wrong-token-wrong-token"}, {"Authorization": f"Basic {token}"}):
        response = client.request(method, path, headers=headers, json={"agent_name": "Sam"})
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("method,path", OPERATOR_ROUTES)
def test_with_no_tokens_configured_operator_endpoints_refuse_rather_than_stand_open(agent, operator, method, path):
    with TestClient(create_api(agent)) as client:
        response = client.request(method, path, headers=operator,
                                  json={"agent_name": "Sam"})
    assert response.status_code == 503 and "no operator tokens configured" in response.text


def test_short_tokens_are_refused_at_start_up(agent):
    with pytest.raises(ConfigError, match="server.operator_tokens"):
        create_api(agent, operator_tokens=["secret"])


def test_unknown_ids_are_404(client, operator):
    missing = "0" * 32
    for response in (client.post(f"/v1/conversations/{missing}/messages", json={"text": "hi"}),
                     client.get(f"/v1/conversations/{missing}/messages"),
                     client.post(f"/v1/conversations/{missing}/rating", json={"score": 3}),
                     client.get("/v1/tickets/999", headers=operator),
                     client.post("/v1/tickets/999/assign", json={"agent_name": "Sam"}, headers=operator)):
        assert response.status_code == 404 and response.json()["error"], response.text
    assert client.get("/v1/nothing-here").status_code == 404


def test_bodies_that_do_not_fit_are_422_with_a_readable_error(client, operator):
    cid = client.post("/v1/conversations").json()["conversation_id"]
    for body in ({}, {"text": 5}, {"text": "hi", "extra": 1}, "not json"):
        response = client.post(f"/v1/conversations/{cid}/messages", json=body)
        assert response.status_code == 422 and "does not fit the schema" in response.json()["error"]
    for score in (0, 6, "5", 4.5, True):
        assert client.post(f"/v1/conversations/{cid}/rating", json={"score": score}).status_code == 422
    assert client.post("/v1/conversations", json={"channel": "Not A Channel!"}).status_code == 422
    assert client.get("/v1/tickets?status=nonsense", headers=operator).status_code == 422


def test_huge_bodies_are_refused_before_they_are_read(client):
    cid = client.post("/v1/conversations").json()["conversation_id"]
    response = client.post(f"/v1/conversations/{cid}/messages", json={"text": "x" * 70_000})
    assert response.status_code == 413 and "64 KiB" in response.json()["error"]

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(70):
            yield b"x" * 1024

    streamed = client.post(f"/v1/conversations/{cid}/messages", content=chunks(),
                           headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413


def test_a_store_outage_is_503_and_a_bug_is_a_generic_500_without_details(client, agent, monkeypatch, caplog):
    cid = client.post("/v1/conversations").json()["conversation_id"]

    def down(*_args, **_kwargs):
        raise StoreUnavailable("could not read at postgresql://tactful:***@db/tactful: connection refused")

    monkeypatch.setattr(agent.store, "turns", down)
    outage = client.get(f"/v1/conversations/{cid}/messages")
    assert outage.status_code == 503 and "postgresql" not in outage.text and outage.headers["retry-after"]

    def bug(*_args, **_kwargs):
        raise KeyError("secret internal detail")

    monkeypatch.setattr(agent.store, "turns", bug)
    with caplog.at_level(logging.ERROR, logger="tactful.api"):
        crash = client.get(f"/v1/conversations/{cid}/messages")
    assert crash.status_code == 500 and "secret" not in crash.text and crash.json()["error"]
    assert "secret internal detail" in caplog.text


def test_the_schema_is_published_with_its_models(client):
    schema = client.get("/openapi.json").json()
    assert {"/v1/conversations", "/v1/conversations/{conversation_id}/messages", "/v1/tickets",
            "/v1/tickets/{ticket_id}/reply", "/v1/chat/completions", "/health", "/ready"} <= set(schema["paths"])
    reply = schema["paths"]["/v1/conversations/{conversation_id}/messages"]["post"]["responses"]["200"]
    assert reply["content"]["application/json"]["schema"]["$ref"].endswith("/ReplyOut")
    assert "text/event-stream" in reply["content"]
    assert schema["paths"]["/v1/tickets"]["get"]["security"] == [{"HTTPBearer": []}]
    assert client.get("/docs").status_code == 200
