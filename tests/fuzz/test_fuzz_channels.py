"""The Slack and Twilio webhooks under hostile requests: a signed request of any shape gets a clear 2xx/4xx
(never an exception), an unsigned one is refused, and nothing is answered twice."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.channels import RecordingSlackPoster, ReplayGuard, handle_slack_event, handle_twilio_message
from agent.channels.response import delivery_key
from agent.channels.slack import customer_message, plain_text, slack_signature
from agent.channels.twilio import split_message, twilio_signature, twiml
from tests.fuzz.conftest import FUZZ
from tests.fuzz.strategies import JSON_VALUE, raw_bodies, tricky_text

SECRET = "fuzz-slack-signing-secret-0123456789"
TOKEN = "fuzz-twilio-auth-token"
URL = "https://shop.example/channels/twilio/messages"
NOW = 1_700_000_000


def slack_headers(body: bytes, timestamp: int = NOW) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": slack_signature(SECRET, str(timestamp), body)}


def deliver_slack(agent, body: bytes, headers: dict[str, str] | None = None):
    poster = RecordingSlackPoster()
    answer = handle_slack_event(slack_headers(body) if headers is None else headers, body, agent,
                                signing_secret=SECRET, poster=poster, replay_guard=ReplayGuard(), now=NOW)
    return answer, poster


#: Events API payloads with every field of any JSON type.
SLACK_EVENT = st.fixed_dictionaries(
    {"type": st.one_of(st.just("event_callback"), JSON_VALUE)},
    optional={"event_id": JSON_VALUE, "team_id": JSON_VALUE, "authorizations": JSON_VALUE,
              "authed_users": JSON_VALUE, "challenge": JSON_VALUE,
              "event": st.one_of(JSON_VALUE, st.fixed_dictionaries(
                  {"type": st.sampled_from(["message", "app_mention"])},
                  optional={"user": st.one_of(st.just("U123"), JSON_VALUE), "channel": st.one_of(st.just("C1"), JSON_VALUE),
                            "ts": st.one_of(st.just("1.1"), JSON_VALUE), "text": st.one_of(tricky_text(300), JSON_VALUE),
                            "subtype": JSON_VALUE, "thread_ts": JSON_VALUE, "team": JSON_VALUE, "bot_id": JSON_VALUE,
                            "bot_profile": JSON_VALUE, "channel_type": JSON_VALUE}))})


@FUZZ
@given(payload=SLACK_EVENT)
def test_a_signed_slack_event_of_any_shape_is_acknowledged_or_refused_clearly(fuzz_agent, payload):
    body = json.dumps(payload).encode()
    answer, poster = deliver_slack(fuzz_agent, body)
    assert answer.status in (200, 400), answer
    assert len(poster.posted) <= 1
    for reply in poster.posted:
        reply.text.encode("utf-8")


@FUZZ
@given(body=raw_bodies())
def test_a_signed_slack_body_of_any_bytes_gets_a_clear_answer(fuzz_agent, body):
    answer, _ = deliver_slack(fuzz_agent, body)
    assert answer.status in (200, 400)
    if answer.status == 400:
        assert b"expected" in answer.body


@FUZZ
@given(body=raw_bodies(), timestamp=st.one_of(st.text(max_size=20), st.integers().map(str)),
       signature=st.text(max_size=80))
def test_unsigned_or_badly_signed_slack_requests_are_refused(fuzz_agent, body, timestamp, signature):
    headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}
    answer, poster = deliver_slack(fuzz_agent, body, headers)
    assert answer.status == 401 and not poster.posted


@FUZZ
@given(text=tricky_text(300), mentions=st.sets(st.text(max_size=5), max_size=3))
def test_slack_markup_of_any_text_reads_without_error(text, mentions):
    plain_text(text, mentions)


def twilio_deliver(agent, params: list[tuple[str, str]] | bytes, guard=None, headers=None):
    body = params if isinstance(params, bytes) else urlencode(params).encode()
    if headers is None:
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            pairs = []
        headers = {"X-Twilio-Signature": twilio_signature(URL, pairs, TOKEN)}
    return handle_twilio_message(headers, body, agent, auth_token=TOKEN, url=URL, replay_guard=guard or ReplayGuard())


FORM_TEXT = st.one_of(tricky_text(300).map(lambda t: t.encode("utf-8", "replace").decode("utf-8")), st.just(""))


@FUZZ
@given(body=FORM_TEXT, sender=st.one_of(st.just("+447700900123"), st.just("whatsapp:+447700900123"), FORM_TEXT),
       sid=st.one_of(st.just("SM123"), FORM_TEXT, st.text(min_size=300, max_size=400)),
       profile=st.one_of(st.none(), FORM_TEXT), extra=st.lists(st.tuples(FORM_TEXT, FORM_TEXT), max_size=3))
def test_a_signed_twilio_message_of_any_content_gets_twiml_or_a_clear_400(fuzz_agent, body, sender, sid, profile, extra):
    params = [("Body", body), ("From", sender), ("MessageSid", sid), *extra]
    if profile is not None:
        params.append(("ProfileName", profile))
    answer = twilio_deliver(fuzz_agent, params)
    assert answer.status in (200, 400), answer
    if answer.status == 200:
        assert answer.body.startswith(b"<?xml") and answer.content_type.startswith("text/xml")
        ET.fromstring(answer.body)  # well-formed TwiML
    else:
        assert b"From and MessageSid" in answer.body


@FUZZ
@given(body=raw_bodies())
def test_a_twilio_body_of_any_bytes_gets_a_clear_answer(fuzz_agent, body):
    answer = twilio_deliver(fuzz_agent, body)
    assert answer.status in (200, 400, 403)


@FUZZ
@given(body=raw_bodies(), signature=st.text(max_size=60))
def test_badly_signed_twilio_requests_are_refused(fuzz_agent, body, signature):
    answer = twilio_deliver(fuzz_agent, body, headers={"X-Twilio-Signature": signature})
    assert answer.status in (400, 403)


@FUZZ
@given(text=tricky_text(5000))
def test_any_reply_text_becomes_well_formed_twiml_in_pieces_twilio_accepts(text):
    text = text.encode("utf-8", "replace").decode("utf-8")
    pieces = split_message(text)
    assert all(0 < len(p) <= 1600 for p in pieces)
    ET.fromstring(twiml(pieces).body)


@FUZZ
@given(parts=st.lists(st.text(max_size=300), min_size=1, max_size=3))
def test_delivery_keys_are_short_and_plain_whatever_the_ids(parts):
    key = delivery_key("slack:event", *parts)
    assert len(key) <= 200 and key.isascii() and key.isprintable()
    assert key == delivery_key("slack:event", *parts)


@pytest.mark.parametrize("depth", [100, 5_000, 50_000])
def test_deeply_nested_slack_json_is_refused_not_fatal(fuzz_agent, depth):
    answer, poster = deliver_slack(fuzz_agent, ("[" * depth + "]" * depth).encode())
    assert answer.status in (200, 400) and not poster.posted


def test_an_event_id_with_a_lone_surrogate_does_not_break_the_adapter(fuzz_agent):
    body = (b'{"type": "event_callback", "event_id": "Ev\\ud800", "team_id": "T\\udfff", "event": '
            b'{"type": "message", "user": "U1", "channel": "C\\ud800", "ts": "1.2\\ud800", "text": "hi \\ud800"}}')
    answer, poster = deliver_slack(fuzz_agent, body)
    assert answer.status == 200 and len(poster.posted) == 1


@pytest.mark.parametrize("event", [
    {"type": "message", "user": "U1", "channel": "C1", "ts": "1.1", "text": "hi", "subtype": ["a"]},
    {"type": "message", "user": "U1", "channel": "C1", "ts": "1.1", "text": "hi", "subtype": {"a": 1}},
])
def test_a_subtype_of_the_wrong_type_is_not_a_customer_message(event):
    assert customer_message({"type": "event_callback", "event": event}) is None


@pytest.mark.parametrize("payload_extra", [{"authorizations": 5}, {"authorizations": "x"}, {"authed_users": 7},
                                           {"authed_users": [{"a": 1}]}, {"authed_users": "U1"}])
def test_odd_authorizations_do_not_break_the_adapter(payload_extra):
    event = {"type": "message", "user": "U1", "channel": "C1", "ts": "1.1", "text": "hi"}
    message = customer_message({"type": "event_callback", "event": event, **payload_extra})
    assert message is not None and message.text == "hi"


# -- through the API routes -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def channel_client(fuzz_env, minilm):
    from fastapi.testclient import TestClient

    from agent.api import create_api
    from agent.assembly import build_agent
    from agent.config import load_config

    env = {**fuzz_env, "TACTFUL_CHANNELS__SLACK_SIGNING_SECRET": SECRET, "TACTFUL_CHANNELS__TWILIO_AUTH_TOKEN": TOKEN,
           "TACTFUL_CHANNELS__TWILIO_WEBHOOK_URL": URL}
    agent = build_agent(config=load_config(environ=env), embedder=minilm)
    with TestClient(create_api(agent), raise_server_exceptions=False) as client:
        yield client
    agent.close()


@FUZZ
@given(body=st.one_of(raw_bodies(), SLACK_EVENT.map(lambda p: json.dumps(p).encode())),
       route=st.sampled_from(["/channels/slack/events", "/channels/twilio/messages"]),
       signed=st.booleans())
def test_webhook_routes_never_answer_500(channel_client, body, route, signed):
    if route.endswith("events"):
        headers = slack_headers(body, int(time.time())) if signed else {}
    else:
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            pairs = []
        headers = {"X-Twilio-Signature": twilio_signature(URL, pairs, TOKEN) if signed else "x",
                   "Content-Type": "application/x-www-form-urlencoded"}
    response = channel_client.post(route, content=body, headers=headers)
    assert response.status_code in (200, 400, 401, 403), (response.status_code, response.text[:200])


def test_huge_webhook_bodies_are_refused_before_they_are_read(channel_client):
    for route in ("/channels/slack/events", "/channels/twilio/messages"):
        response = channel_client.post(route, content=b"x" * (300 * 1024))
        assert response.status_code == 413 and "KiB" in response.json()["error"]
