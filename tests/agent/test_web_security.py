"""Rate limits and security headers on the whole served app (API, chat, console)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from agent.assembly import build_agent
from agent.config import load_config
from agent.server import build_app
from agent.web_security import TokenBuckets
from tests.agent.api.conftest import make_env


@pytest.fixture
def served(tmp_path, minilm):
    def make(**env: str) -> TestClient:
        agent = build_agent(config=load_config(environ={**make_env(tmp_path), **env}), embedder=minilm)
        built.append(agent)
        return TestClient(build_app(agent))

    built: list = []
    yield make
    for agent in built:
        agent.close()


def test_a_bucket_refills_at_its_rate_and_says_how_long_to_wait():
    buckets = TokenBuckets(per_minute=60, burst=2)
    assert buckets.take("a", now=0.0) == 0 and buckets.take("a", now=0.0) == 0
    assert buckets.take("a", now=0.0) == pytest.approx(1.0)  # one a second: wait a second
    assert buckets.take("a", now=1.0) == 0
    assert buckets.take("b", now=0.0) == 0  # every key has its own bucket


def test_a_flooded_conversation_gets_a_clear_429_and_others_carry_on(served):
    client = served(TACTFUL_SERVER__RATE_LIMIT_CONVERSATION_PER_MINUTE="6")
    cid = client.post("/v1/conversations", json={}).json()["conversation_id"]
    codes = [client.post(f"/v1/conversations/{cid}/messages", json={"text": "Do you deliver?"}).status_code
             for _ in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    refused = client.post(f"/v1/conversations/{cid}/messages", json={"text": "Do you deliver?"})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "wait" in refused.json()["error"]["message"] and "conversation" in refused.json()["error"]["message"]
    other = client.post("/v1/conversations", json={}).json()["conversation_id"]
    assert client.post(f"/v1/conversations/{other}/messages", json={"text": "Do you deliver?"}).status_code == 200
    # Refused messages were not stored: three questions, three answers.
    assert len(client.get(f"/v1/conversations/{cid}/messages").json()["messages"]) == 6


def test_one_address_is_limited_across_conversations(served):
    client = served(TACTFUL_SERVER__RATE_LIMIT_CLIENT_PER_MINUTE="15")
    codes = [client.post("/v1/conversations", json={}).status_code for _ in range(8)]
    assert codes[:5] == [201] * 5 and 429 in codes
    assert client.get("/health").status_code == 200  # reading is never limited


def test_pages_carry_security_headers_and_only_the_chat_may_be_framed(served):
    client = served(TACTFUL_SERVER__FRAME_ANCESTORS='["https://www.crumb.example"]')
    chat = client.get("/")
    assert chat.headers["x-content-type-options"] == "nosniff"
    assert chat.headers["content-security-policy"] == "frame-ancestors 'self' https://www.crumb.example"
    console = client.get("/console/")
    assert console.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert console.headers["x-frame-options"] == "DENY"
    assert client.get("/health").headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_cors_is_off_unless_origins_are_configured(served):
    closed = served()
    asked = {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"}
    assert "access-control-allow-origin" not in closed.options("/v1/conversations", headers=asked).headers
    opened = served(TACTFUL_SERVER__CORS_ORIGINS='["https://www.crumb.example"]')
    allowed = opened.options("/v1/conversations", headers={**asked, "Origin": "https://www.crumb.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://www.crumb.example"
