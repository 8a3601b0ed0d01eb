"""The channel webhooks as served: Slack and Twilio through the API routes, and the signed hand-off
webhook delivered to a real HTTP server on loopback."""

from __future__ import annotations

import http.server
import json
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from agent.api import create_api
from agent.assembly import build_agent
from agent.channels import outbound_webhook
from agent.channels.slack import slack_signature
from agent.channels.twilio import twilio_signature
from agent.config import load_config
from agent.errors import ConfigError

SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TWILIO_TOKEN = "twilio-auth-token-for-tests"
PAYLOADS = Path(__file__).resolve().parents[1] / "channels" / "payloads"


@pytest.fixture
def channel_client(agent_env, minilm):
    env = {**agent_env, "TACTFUL_CHANNELS__SLACK_SIGNING_SECRET": SLACK_SECRET,
           "TACTFUL_CHANNELS__TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
           "TACTFUL_CHANNELS__TWILIO_WEBHOOK_URL": "https://shop.example/channels/twilio/messages"}
    agent = build_agent(config=load_config(environ=env), embedder=minilm)
    with TestClient(create_api(agent)) as client:
        yield client
    agent.close()


def test_slack_url_verification_needs_a_valid_signature(channel_client):
    body = (PAYLOADS / "slack_url_verification.json").read_bytes()
    stamp = str(int(time.time()))
    good = channel_client.post("/channels/slack/events", content=body, headers={
        "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": slack_signature(SLACK_SECRET, stamp, body),
        "Content-Type": "application/json"})
    assert good.status_code == 200 and json.loads(body)["challenge"] in good.text
    bad = channel_client.post("/channels/slack/events", content=body, headers={
        "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + "0" * 64})
    assert bad.status_code == 401


def test_twilio_sms_gets_twiml_and_a_bad_signature_is_refused(channel_client):
    params = {"MessageSid": "SM0123456789abcdef0123456789abcdef", "From": "+15005550006", "To": "+15005550001",
              "Body": "How much is delivery?"}
    url = "https://shop.example/channels/twilio/messages"
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Twilio-Signature": twilio_signature(url, params, TWILIO_TOKEN)}
    answer = channel_client.post("/channels/twilio/messages", content=urlencode(params), headers=headers)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/xml")
    assert "<Response><Message>" in answer.text and "£4.50" in answer.text
    forged = channel_client.post("/channels/twilio/messages", content=urlencode({**params, "Body": "hi"}),
                                 headers=headers)
    assert forged.status_code == 403


def test_channels_without_their_secret_are_not_routed(client):
    assert client.post("/channels/slack/events", content=b"{}").status_code in (404, 405)
    assert client.post("/channels/twilio/messages", content=b"").status_code in (404, 405)


def test_a_hand_off_is_posted_signed_to_the_business_s_own_system(agent_env, minilm):
    received: list[tuple[bytes, str]] = []
    arrived = threading.Event()

    class Inbox(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers.get("X-Tactful-Signature", "")))
            self.send_response(204)
            self.end_headers()
            arrived.set()

        def log_message(self, *args):  # keep the test output clean
            return

    server = http.server.HTTPServer(("127.0.0.1", 0), Inbox)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {**agent_env, "TACTFUL_CHANNELS__HANDOFF_WEBHOOK_URL": f"http://127.0.0.1:{server.server_port}/",
               "TACTFUL_CHANNELS__HANDOFF_WEBHOOK_SECRET": "inbox-secret"}
        agent = build_agent(config=load_config(environ=env), embedder=minilm)
        reply = agent.respond("Can I speak to a person? Mail me at jo@example.com")
        assert reply.escalated and arrived.wait(10)
        body, signature = received[0]
        assert outbound_webhook.verify(body, signature, "inbox-secret")
        event = json.loads(body)
        assert event["event"] == "conversation.handed_off" and event["ticket"]["reason"] == "customer_request"
        assert "jo@example.com" not in body.decode()  # the transcript goes out redacted, as stored
        agent.close()
    finally:
        server.shutdown()


def test_an_unsigned_hand_off_webhook_is_a_configuration_error():
    with pytest.raises(ConfigError, match="handoff_webhook_secret"):
        load_config(environ={"TACTFUL_CHANNELS__HANDOFF_WEBHOOK_URL": "https://inbox.example/hook"})
