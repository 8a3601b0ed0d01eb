"""A client's own message id: a retry after a dropped connection (or a worker that died mid-turn) is stored
once and answered once, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from agent.errors import BadInput
from tests.conftest import extractive_env

DOCS = {"delivery.md": "# Delivery\n\nWe deliver within 3 miles of the shop. Delivery costs £4.50.\n"}


@pytest.fixture
def agent(tmp_path, minilm, database_url):
    from agent.assembly import build_agent
    from agent.config import load_config

    built = build_agent(config=load_config(environ={**extractive_env(tmp_path, DOCS),
                                                    "TACTFUL_STORE__URL": database_url}), embedder=minilm)
    yield built
    built.close()


def customer_turns(agent, cid: str) -> list[str]:
    return [t.text for t in agent.store.turns(cid) if t.role == "customer"]


def test_a_retried_message_is_stored_once_and_gets_the_same_reply(agent):
    first = agent.respond("Hello")
    cid = first.conversation_id
    asked = agent.respond("How much is delivery?", cid, message_id="web-17")
    again = agent.respond("How much is delivery?", cid, message_id="web-17")
    assert "£4.50" in asked.text and again.text == asked.text and again.outcome == asked.outcome
    assert customer_turns(agent, cid) == ["Hello", "How much is delivery?"]
    assert len([t for t in agent.store.turns(cid) if t.role == "assistant"]) == 2


def test_a_message_stored_by_a_worker_that_died_is_answered_on_retry_without_a_second_copy(agent):
    cid = agent.respond("Hello").conversation_id
    agent.store.append_turn(cid, "customer", "How much is delivery?", status="received", client_key="sms-9")
    reply = agent.respond("How much is delivery?", cid, message_id="sms-9")
    assert "£4.50" in reply.text
    turns = agent.store.turns(cid)
    assert [t.text for t in turns if t.role == "customer"] == ["Hello", "How much is delivery?"]
    asked = next(t for t in turns if t.text == "How much is delivery?")
    assert asked.status == "answered" and turns[-1].meta["reply_to"] == asked.seq


def test_two_retries_at_once_store_the_message_once(agent):
    cid = agent.respond("Hello").conversation_id
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def send() -> None:
        barrier.wait()
        try:
            agent.respond("Do you deliver?", cid, message_id="app-3")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and customer_turns(agent, cid) == ["Hello", "Do you deliver?"]


def test_the_api_takes_a_message_id_and_refuses_a_bad_one(agent):
    from agent.api import create_api

    with TestClient(create_api(agent)) as client:
        cid = client.post("/v1/conversations", json={}).json()["conversation_id"]
        url = f"/v1/conversations/{cid}/messages"
        one = client.post(url, json={"text": "How much is delivery?", "message_id": "m1"})
        two = client.post(url, json={"text": "How much is delivery?", "message_id": "m1"})
        assert one.status_code == two.status_code == 200 and one.json()["text"] == two.json()["text"]
        assert client.post(url, json={"text": "Hi", "message_id": "x" * 81}).status_code == 422
        assert len(client.get(url).json()["messages"]) == 2
    with pytest.raises(BadInput, match="message_id"):
        agent.respond("Hi", cid, message_id="bad\nid")
