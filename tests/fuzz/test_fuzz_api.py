"""The REST API under hostile bodies: never a 500, always a clear 4xx that says what was wrong, and a
message that is refused leaves nothing in the store."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from agent.api import create_api
from tests.fuzz.conftest import FUZZ
from tests.fuzz.strategies import JSON_VALUE, nested, raw_bodies, tricky_text

TOKEN = "fuzz-operator-token-0123456789"
OPERATOR = {"Authorization": f"Bearer {TOKEN}"}
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded",
                 "multipart/form-data", "application/json; charset=latin-1", ""]


@pytest.fixture(scope="module")
def client(fuzz_agent):
    with TestClient(create_api(fuzz_agent, operator_tokens=[TOKEN]), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def cid(client) -> str:
    return client.post("/v1/conversations").json()["conversation_id"]


def assert_clear_answer(response) -> None:
    """No 500; a refusal is JSON whose error message says something."""
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.status_code >= 400:
        body = response.json()
        message = body["error"]["message"] if isinstance(body.get("error"), dict) else body["error"]
        assert isinstance(message, str) and len(message) > 10, body


def stored(agent, conversation_id: str) -> list[tuple[int, str, str]]:
    return [(t.seq, t.role, t.status) for t in agent.store.turns(conversation_id)]


@FUZZ
@given(body=raw_bodies(), content_type=st.sampled_from(CONTENT_TYPES), stream=st.booleans())
def test_a_message_body_of_any_shape_gets_a_clear_answer_and_a_refusal_stores_nothing(
        client, fuzz_agent, cid, body, content_type, stream):
    before = stored(fuzz_agent, cid)
    response = client.post(f"/v1/conversations/{cid}/messages?stream={str(stream).lower()}", content=body,
                           headers={"Content-Type": content_type} if content_type else {})
    assert_clear_answer(response)
    after = stored(fuzz_agent, cid)
    if response.status_code >= 400:
        assert after == before, "a refused message left turns in the store"
    elif stream:
        assert "event: reply" in response.text and "event: error" not in response.text
    else:
        reply = response.json()
        assert reply["conversation_id"] == cid and isinstance(reply["text"], str)
        json.dumps(reply, ensure_ascii=False).encode("utf-8")  # the reply is valid UTF-8 (no lone surrogates)
    if response.status_code < 400:
        new = after[len(before):]
        assert after[:len(before)] == before
        assert not new or new[-1][1] == "assistant", new  # never a customer turn without its answer


@FUZZ
@given(text=tricky_text(600))
def test_any_text_is_answered_and_stored_as_valid_utf8(client, fuzz_agent, cid, text):
    response = client.post(f"/v1/conversations/{cid}/messages", content=json.dumps({"text": text}),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text[:300]
    for turn in fuzz_agent.store.turns(cid, last=2):
        turn.text.encode("utf-8")


@FUZZ
@given(body=st.one_of(raw_bodies(), JSON_VALUE.map(lambda v: json.dumps({"score": v, "comment": v}).encode())))
def test_a_rating_of_any_shape_gets_a_clear_answer(client, cid, body):
    response = client.post(f"/v1/conversations/{cid}/rating", content=body,
                           headers={"Content-Type": "application/json"})
    assert_clear_answer(response)


@FUZZ
@given(body=st.one_of(raw_bodies(), JSON_VALUE.map(lambda v: json.dumps({"customer": v, "channel": v}).encode())))
def test_starting_a_conversation_with_any_body_gets_a_clear_answer(client, body):
    response = client.post("/v1/conversations", content=body, headers={"Content-Type": "application/json"})
    assert_clear_answer(response)


@FUZZ
@given(conversation_id=st.text(max_size=80), method=st.sampled_from(["GET", "POST"]))
def test_any_conversation_id_in_the_path_gets_a_clear_answer(client, conversation_id, method):
    response = client.request(method, f"/v1/conversations/{quote(conversation_id, safe='')}/messages",
                              json={"text": "hi"})
    assert_clear_answer(response)


@FUZZ
@given(body=st.one_of(
    raw_bodies(),
    JSON_VALUE.map(lambda v: {"messages": v}),
    JSON_VALUE.map(lambda v: {"messages": [{"role": "user", "content": v}]}),
    JSON_VALUE.map(lambda v: {"messages": [{"role": "user", "content": "hi"}], "metadata": v, "user": v}),
    st.lists(st.fixed_dictionaries({"type": JSON_VALUE, "text": JSON_VALUE}), max_size=3).map(
        lambda parts: {"messages": [{"role": "user", "content": parts}]}),
).map(lambda b: b if isinstance(b, bytes) else json.dumps(b).encode()))
def test_chat_completions_with_any_body_get_a_clear_answer(client, body):
    response = client.post("/v1/chat/completions", content=body,
                           headers={**OPERATOR, "Content-Type": "application/json"})
    assert_clear_answer(response)


@FUZZ
@given(body=st.one_of(raw_bodies(), JSON_VALUE.map(lambda v: json.dumps({"agent_name": v, "text": v}).encode())),
       action=st.sampled_from(["assign", "reply", "handback", "resolve"]), ticket=st.integers(-5, 2**40))
def test_ticket_actions_with_any_body_get_a_clear_answer(client, body, action, ticket):
    response = client.post(f"/v1/tickets/{ticket}/{action}", content=body,
                           headers={**OPERATOR, "Content-Type": "application/json"})
    assert_clear_answer(response)


def test_deeply_nested_json_is_refused_clearly(client, fuzz_agent, cid):
    before = stored(fuzz_agent, cid)
    for depth in (200, 5_000, 20_000):
        response = client.post(f"/v1/conversations/{cid}/messages", content=nested(depth),
                               headers={"Content-Type": "application/json"})
        assert response.status_code in (400, 413, 422), (depth, response.status_code)
        assert_clear_answer(response)
    assert stored(fuzz_agent, cid) == before


def test_broken_utf8_and_binary_bodies_are_refused_clearly(client, fuzz_agent, cid):
    before = stored(fuzz_agent, cid)
    for body in (b"{\"text\": \"caf\xe9\"}", b"\x00\x01\x02\xff", "{\"text\": \"\ud800\"}".encode("utf-8", "surrogatepass")):
        response = client.post(f"/v1/conversations/{cid}/messages", content=body,
                               headers={"Content-Type": "application/json"})
        assert 400 <= response.status_code < 500
        assert_clear_answer(response)
    assert stored(fuzz_agent, cid) == before


def test_lone_surrogate_escapes_are_repaired_not_fatal(client, fuzz_agent, cid):
    response = client.post(f"/v1/conversations/{cid}/messages", content=b"{\"text\": \"where is my order \\ud800?\"}",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    last_customer = [t for t in fuzz_agent.store.turns(cid) if t.role == "customer"][-1]
    assert "\ufffd" in last_customer.text
