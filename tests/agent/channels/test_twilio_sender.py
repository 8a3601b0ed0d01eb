"""Starting SMS conversations through Twilio's REST API, against a Twilio-compatible Messages endpoint served on
loopback in the test (the contract: form-encoded To/From/Body, basic auth with the account SID and token, 201
with the message's sid); and a proactive update by SMS whose reply, through the signed webhook, continues it."""

from __future__ import annotations

import base64
import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from agent.channels import StoreReplayGuard, handle_twilio_message
from agent.channels.twilio import twilio_signature
from agent.channels.twilio_sender import SmsSendFailed, TwilioSender, e164

SID, TOKEN, FROM = "AC" + "0" * 32, "twilio-test-token", "+441234567890"


class FakeTwilio:
    """Twilio's Messages.json on 127.0.0.1; ``fail`` holds statuses to answer before succeeding."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.fail: list[int] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                """Quiet."""

            def do_POST(self) -> None:
                form = dict(parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
                auth = base64.b64decode(self.headers.get("Authorization", "Basic ").split()[1] or b"").decode()
                fake.received.append({"path": self.path, "form": form, "auth": auth})
                status = fake.fail.pop(0) if fake.fail else (201 if auth == f"{SID}:{TOKEN}" else 401)
                body = {"sid": f"SM{len(fake.received):032d}", "status": "queued"} if status == 201 else {
                    "code": 20003, "message": "Authenticate" if status == 401 else "Server error"}
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def twilio():
    fake = FakeTwilio()
    yield fake
    fake.close()


def sender(twilio: FakeTwilio, token: str = TOKEN) -> TwilioSender:
    return TwilioSender(SID, token, FROM, whatsapp_from="+449876543210", api_url=twilio.url)


def test_a_message_is_posted_with_the_account_credentials_and_long_text_is_split(twilio):
    sids = sender(twilio).send("+447700900123", "Your order is ready. " + "More detail. " * 200)
    assert len(sids) == 2 and all(s.startswith("SM") for s in sids)
    first = twilio.received[0]
    assert first["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json" and first["auth"] == f"{SID}:{TOKEN}"
    assert first["form"]["To"] == "+447700900123" and first["form"]["From"] == FROM
    assert all(len(r["form"]["Body"]) <= 1600 for r in twilio.received)
    sender(twilio).send("whatsapp:+447700900123", "Hello")
    assert twilio.received[-1]["form"]["From"] == "whatsapp:+449876543210"


def test_a_server_error_is_retried_and_a_refusal_is_reported_without_the_token(twilio):
    twilio.fail = [503]
    assert len(sender(twilio).send("+447700900123", "Hello")) == 1 and len(twilio.received) == 2
    with pytest.raises(SmsSendFailed, match="refused the message") as refused:
        sender(twilio, token="wrong-token").send("+447700900123", "Hello")
    assert refused.value.permanent and "wrong-token" not in str(refused.value)
    assert "twilio-test-token" not in repr(sender(twilio))


@pytest.mark.parametrize("written, expected", [("07700 900123", "+447700900123"), ("+1 (415) 555-0100", "+14155550100"),
                                               ("0044 7700 900123", "+447700900123"), ("", None), ("12", None)])
def test_numbers_as_shops_write_them_become_e164(written, expected):
    assert e164(written, "44") == expected


def test_a_proactive_sms_reaches_the_customer_and_their_reply_continues_it(twilio, extractive_agent_over):
    from agent.proactive import ProactiveDesk, ProactiveEvent

    webhook = "https://shop.example.com/channels/twilio/messages"
    agent = extractive_agent_over({"delivery.md": "# Delivery\n\nWe deliver Tuesday to Saturday."},
                                  TACTFUL_ACCOUNTS__ENABLED="true", TACTFUL_CHANNELS__TWILIO_AUTH_TOKEN=TOKEN)
    agent.sms = sender(twilio)
    business = agent.config.collection_name
    jo = agent.store.upsert_customer(business, "C1", name="Jo Baker", phone="07700 900123", postcode="SW1A 1AA",
                                     preferred_channel="sms")
    agent.store.upsert_order(business, "CR-10234", jo.id, status="delayed", items=[{"name": "Celebration cake"}],
                             expected_at=datetime.now(timezone.utc) + timedelta(days=3), note="the oven broke down")
    sent = ProactiveDesk(agent).send(ProactiveEvent("order_delayed", order_number="CR-10234"))
    assert sent.status == "sent" and sent.channel == "sms"
    [message] = twilio.received
    assert message["form"]["To"] == "+447700900123" and "running late" in message["form"]["Body"]
    assert "Hello Jo" in message["form"]["Body"] and "reply STOP" in message["form"]["Body"]

    params = {"From": "+447700900123", "To": FROM, "Body": "where is my order CR-10234? postcode SW1A 1AA",
              "MessageSid": "SM" + "1" * 32}
    body = urlencode(params).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Twilio-Signature": twilio_signature(webhook, params, TOKEN)}
    answer = handle_twilio_message(headers, body, agent, auth_token=TOKEN, url=webhook,
                                   replay_guard=StoreReplayGuard(agent.store))
    assert answer.status == 200 and b"oven broke down" in answer.body
    turns = agent.store.turns(sent.conversation_id)
    assert [t.role for t in turns] == ["assistant", "customer", "assistant"] and turns[0].outcome == "proactive"
