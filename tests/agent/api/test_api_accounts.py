"""The operators' account endpoints: a proactive message by API, and the messages left for the owner."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest


@pytest.fixture
def agent_env(tmp_path):
    from tests.agent.api.conftest import make_env

    return {**make_env(tmp_path), "TACTFUL_ACCOUNTS__ENABLED": "true"}


@pytest.fixture
def jo(agent):
    business = agent.config.collection_name
    customer = agent.store.upsert_customer(business, "C1", name="Jo Baker", email="jo@example.com",
                                           postcode="SW1A 1AA")
    agent.store.upsert_order(business, "CR-10234", customer.id, status="delayed",
                             expected_at=datetime.now(timezone.utc) + timedelta(days=3),
                             items=[{"name": "Celebration cake", "quantity": 1}])
    return customer


def test_a_proactive_message_by_api_lands_in_the_customers_conversation(client, operator, jo):
    started = client.post("/v1/conversations", json={}).json()["conversation_id"]
    client.post(f"/v1/conversations/{started}/messages", json={"text": "where is my order CR-10234? jo@example.com"})
    sent = client.post("/v1/proactive", headers=operator, json={"event": "order_delayed", "order_number": "CR-10234",
                                                                 "detail": "Sorry about this."})
    assert sent.status_code == 200, sent.text
    assert sent.json() == {"status": "sent", "channel": "web", "conversation_id": started, "reason": ""}
    transcript = client.get(f"/v1/conversations/{started}/messages").json()
    assert "running late" in transcript["messages"][-1]["text"]


def test_proactive_needs_an_operator_and_a_known_record(client, operator, jo):
    assert client.post("/v1/proactive", json={"event": "order_delayed", "order_number": "CR-10234"}).status_code == 401
    missing = client.post("/v1/proactive", headers=operator, json={"event": "order_delayed", "order_number": "X-1"})
    assert missing.status_code == 404 and "no order" in missing.json()["error"]
    bad = client.post("/v1/proactive", headers=operator, json={"event": "party", "order_number": "CR-10234"})
    assert bad.status_code == 422


def test_messages_for_the_owner_are_listed_for_operators_only(client, operator, jo):
    cid = client.post("/v1/conversations", json={}).json()["conversation_id"]
    client.post(f"/v1/conversations/{cid}/messages", json={"text": "Can you pass a message to the owner?"})
    client.post(f"/v1/conversations/{cid}/messages", json={"text": "I'd like a gluten-free wedding cake quote"})
    assert client.get("/v1/owner-messages").status_code == 401
    [message] = client.get("/v1/owner-messages", headers=operator).json()
    assert "wedding cake" in message["text"] and message["conversation_id"] == cid
