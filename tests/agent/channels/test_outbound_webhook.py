"""The hand-off webhook: what a business's own system receives when a person is needed, and how it knows it was us."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from agent.channels import (RecordingWebhookSender, WebhookFailed, WebhookSender, handoff_payload,
                            handoff_payload_for, sign, verify)
from agent.channels.outbound_webhook import SIGNATURE_HEADER, encode
from agent.errors import NotFound

SECRET = "whsec_test"
NOW = 1_700_000_000


@pytest.fixture
def handed_off(shop_agent):
    first = shop_agent.respond("How much is delivery? Mail me at jo@example.com", customer={"name": "Ebony Jackson"},
                               channel="sms")
    reply = shop_agent.respond("This is useless, I want to speak to a person", first.conversation_id, channel="sms")
    assert reply.escalated
    return shop_agent, reply


def test_the_payload_carries_the_ticket_the_conversation_and_the_redacted_transcript(handed_off):
    agent, reply = handed_off
    payload = handoff_payload_for(agent.store, reply.ticket_id)
    assert payload["event"] == "conversation.handed_off" and payload["id"] == f"handoff-{reply.ticket_id}"
    ticket = payload["ticket"]
    assert ticket["id"] == reply.ticket_id and ticket["reason"] == "customer_request"
    assert ticket["priority"] in {"low", "normal", "high", "urgent"} and "Wants:" in ticket["summary"]
    assert payload["conversation"] == {**payload["conversation"], "id": reply.conversation_id, "channel": "sms",
                                       "customer_name": "Ebony Jackson"}
    roles = [t["role"] for t in payload["transcript"]]
    assert roles == ["customer", "assistant", "customer", "assistant"]
    assert [t["seq"] for t in payload["transcript"]] == [1, 2, 3, 4]
    assert all(t["created_at"].endswith("+00:00") for t in payload["transcript"])
    everything = json.dumps(payload)
    assert "jo@example.com" not in everything
    assert "Mail me at <EMAIL_ADDRESS" in payload["transcript"][0]["text"]
    assert json.loads(encode(payload)) == payload  # JSON-able as it is


def test_the_payload_builder_is_pure_over_stored_records(handed_off):
    agent, reply = handed_off
    ticket = agent.store.get_ticket(reply.ticket_id)
    payload = handoff_payload(ticket, agent.store.get_conversation(reply.conversation_id), [])
    assert payload["transcript"] == [] and payload["ticket"]["summary"] == ticket.summary


def test_an_unknown_ticket_is_a_clear_not_found(shop_agent):
    with pytest.raises(NotFound, match="no ticket 999"):
        handoff_payload_for(shop_agent.store, 999)


# -- signing ---------------------------------------------------------------------------------------------------------
def test_signature_round_trip_and_its_documented_form():
    body = b'{"event":"conversation.handed_off"}'
    header = sign(body, SECRET, NOW)
    assert header.startswith(f"t={NOW},v1=") and len(header.split("v1=")[1]) == 64
    assert verify(body, header, SECRET, now=NOW + 10)


def test_verify_refuses_tampering_wrong_secrets_old_timestamps_and_nonsense():
    body = b'{"event":"conversation.handed_off"}'
    header = sign(body, SECRET, NOW)
    assert not verify(body + b" ", header, SECRET, now=NOW)
    assert not verify(body, header, "another-secret", now=NOW)
    assert not verify(body, header, SECRET, now=NOW + 301)
    assert not verify(body, header.replace(f"t={NOW}", f"t={NOW + 1}"), SECRET, now=NOW)
    for nonsense in (None, "", "v1=abc", "t=soon,v1=abc", f"t={NOW}"):
        assert not verify(body, nonsense, SECRET, now=NOW)
    assert not verify(body, header, "", now=NOW)


def test_verify_accepts_any_of_several_v1_entries_while_a_secret_is_rotated():
    body = b"{}"
    old = sign(body, "old-secret", NOW).split("v1=")[1]
    new = sign(body, SECRET, NOW).split("v1=")[1]
    assert verify(body, f"t={NOW},v1={old},v1={new}", SECRET, now=NOW)


def test_the_recording_double_keeps_payloads_and_signed_bodies():
    sender = RecordingWebhookSender(secret=SECRET)
    delivery = sender.send({"event": "conversation.handed_off", "id": "handoff-1"})
    assert delivery.status == 200 and sender.sent == [{"event": "conversation.handed_off", "id": "handoff-1"}]
    [(body, header)] = sender.bodies
    assert verify(body, header, SECRET)


# -- the real sender, against a local receiver -------------------------------------------------------------------------
class _Receiver(BaseHTTPRequestHandler):
    statuses: list[int] = []
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        status = type(self).statuses.pop(0) if type(self).statuses else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        """Quiet: the test output stays readable."""


@pytest.fixture
def receiver():
    _Receiver.statuses, _Receiver.received = [], []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hooks/tactful", _Receiver
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_sender_posts_signed_json_the_receiver_can_verify(receiver, handed_off):
    url, got = receiver
    agent, reply = handed_off
    payload = handoff_payload_for(agent.store, reply.ticket_id)
    delivery = WebhookSender(url, SECRET, clock=lambda: NOW).send(payload)
    assert delivery.status == 200 and delivery.attempts == 1
    [(headers, body)] = got.received
    assert headers["Content-Type"].startswith("application/json")
    assert headers["X-Tactful-Event"] == "conversation.handed_off"
    assert headers["X-Tactful-Delivery"] == f"handoff-{reply.ticket_id}"
    assert verify(body, headers[SIGNATURE_HEADER], SECRET, now=NOW) and json.loads(body) == payload


def test_server_errors_are_retried_and_the_same_event_arrives_once_accepted(receiver):
    url, got = receiver
    got.statuses = [503, 500]
    delivery = WebhookSender(url, SECRET, attempts=3, backoff_seconds=0).send({"event": "x", "id": "handoff-7"})
    assert delivery.attempts == 3 and delivery.status == 200
    assert len({body for _, body in got.received}) == 1 and len(got.received) == 3


def test_a_refusal_is_not_retried_and_says_what_to_check(receiver):
    url, got = receiver
    got.statuses = [401]
    with pytest.raises(WebhookFailed, match="HTTP 401.*signing secret"):
        WebhookSender(url, SECRET, attempts=3, backoff_seconds=0).send({"event": "x"})
    assert len(got.received) == 1


def test_retries_are_bounded_and_an_unreachable_receiver_fails_clearly():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = WebhookSender(f"http://127.0.0.1:{port}/hook", SECRET, attempts=2, backoff_seconds=0, timeout=1)
    with pytest.raises(WebhookFailed) as failed:
        sender.send({"event": "x"})
    assert failed.value.attempts == 2 and "failed 2 times" in str(failed.value)


def test_a_url_that_is_not_http_is_refused_at_construction():
    with pytest.raises(ValueError, match="https://"):
        WebhookSender("file:///etc/passwd", SECRET)
