"""Twilio SMS and WhatsApp: signed requests only, one answer per message, TwiML that survives any text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from agent.channels import ReplayGuard, channel_conversation_id, handle_twilio_message
from agent.channels.twilio import split_message, twilio_signature, twiml, verify_twilio_request

PAYLOADS = Path(__file__).parent / "payloads"
TOKEN = "12345"
URL = "https://shop.example.com/channels/twilio"


def recorded(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def signed(body: bytes, *, url: str = URL, token: str = TOKEN) -> dict[str, str]:
    params = parse_qsl(body.decode(), keep_blank_values=True)
    return {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": twilio_signature(url, params, token)}


def messages(response) -> list[str]:
    root = ET.fromstring(response.body)
    assert root.tag == "Response"
    return [m.text or "" for m in root.findall("Message")]


class Twilio:
    def __init__(self, agent) -> None:
        self.agent = agent
        self.guard = ReplayGuard()

    def deliver(self, body: bytes, headers: dict[str, str] | None = None, *, url: str = URL):
        return handle_twilio_message(signed(body) if headers is None else headers, body, self.agent,
                                     auth_token=TOKEN, url=url, replay_guard=self.guard)


@pytest.fixture
def twilio(shop_agent) -> Twilio:
    return Twilio(shop_agent)


# -- signatures -----------------------------------------------------------------------------------------------------
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"


@pytest.mark.parametrize("caller, expected", [
    ("+14158675310", "GvWf1cFY/Q7PnoempGyD5oXAezc="),   # twilio.com/docs/usage/security, current example
    ("+12349013030", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),   # the same page's older example numbers
])
def test_twilio_documentation_examples_are_reproduced(caller, expected):
    params = {"CallSid": "CA1234567890ABCDE", "Caller": caller, "Digits": "1234", "From": caller, "To": "+18005551212"}
    assert twilio_signature(DOC_URL, params, TOKEN) == expected
    assert verify_twilio_request({"x-twilio-signature": expected}, DOC_URL, list(params.items()), TOKEN)


def test_the_url_with_or_without_its_default_port_is_accepted_as_twilio_does():
    params = [("Body", "hi"), ("From", "+15005550009")]
    signature = twilio_signature("https://shop.example.com:443/channels/twilio", params, TOKEN)
    assert verify_twilio_request({"X-Twilio-Signature": signature}, URL, params, TOKEN)
    assert not verify_twilio_request({"X-Twilio-Signature": signature}, "https://shop.example.com:8443/channels/twilio",
                                     params, TOKEN)


def test_a_tampered_body_a_wrong_token_a_wrong_url_or_no_signature_are_refused_with_403(twilio):
    body = recorded("twilio_sms.form")
    cases = {
        "tampered body": (body.replace(b"delivery", b"refunds"), signed(body), URL),
        "wrong auth token": (body, signed(body, token="54321"), URL),
        "signed for another url": (body, signed(body, url="https://evil.example/hook"), URL),
        "http instead of https": (body, signed(body), URL.replace("https", "http")),
        "no signature": (body, {"Content-Type": "application/x-www-form-urlencoded"}, URL),
        "extra field": (body + b"&Injected=1", signed(body), URL),
    }
    for case, (sent, headers, url) in cases.items():
        response = twilio.deliver(sent, headers, url=url)
        assert response.status == 403, case
        assert b"Delivery" not in response.body
    assert twilio.agent.store.get_conversation(channel_conversation_id("twilio", "+15005550009")) is None


def test_an_empty_auth_token_refuses_everything(shop_agent):
    body = recorded("twilio_sms.form")
    response = handle_twilio_message(signed(body, token=""), body, shop_agent, auth_token="", url=URL,
                                     replay_guard=ReplayGuard())
    assert response.status == 403


# -- answers --------------------------------------------------------------------------------------------------------
def test_an_sms_is_answered_with_twiml_from_the_knowledge_base(twilio):
    response = twilio.deliver(recorded("twilio_sms.form"))
    assert response.status == 200 and response.content_type.startswith("text/xml")
    assert response.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    [text] = messages(response)
    assert "£4.50" in text and "automated assistant" in text.lower()
    conversation = twilio.agent.store.get_conversation(channel_conversation_id("twilio", "+15005550009"))
    assert conversation is not None and conversation.channel == "sms"


def test_a_whatsapp_message_is_its_own_channel_and_uses_the_profile_name(twilio):
    [text] = messages(twilio.deliver(recorded("twilio_whatsapp.form")))
    assert "Saturday" in text
    conversation = twilio.agent.store.get_conversation(channel_conversation_id("twilio", "whatsapp:+15005550009"))
    assert conversation.channel == "whatsapp" and conversation.customer_name == "Ebony"


def test_one_sender_keeps_one_conversation_and_its_id_carries_no_phone_number(twilio):
    first = recorded("twilio_sms.form")
    second = first.replace(b"SM1f0e8a3c5d7b9f1e2a4c6d8e0f1a2b3c", b"SM22222222222222222222222222222222") \
                  .replace(b"How+much+is+delivery%3F", b"Is+it+free+on+big+orders%3F")
    twilio.deliver(first)
    twilio.deliver(second)
    cid = channel_conversation_id("twilio", "+15005550009")
    assert [t.text for t in twilio.agent.store.turns(cid) if t.role == "customer"] == [
        "How much is delivery?", "Is it free on big orders?"]
    assert cid == channel_conversation_id("twilio", "+15005550009") and "5550009" not in cid
    assert cid != channel_conversation_id("twilio", "whatsapp:+15005550009")


def test_a_repeated_message_sid_is_not_answered_twice(twilio):
    body = recorded("twilio_sms.form")
    assert messages(twilio.deliver(body))
    again = twilio.deliver(body)
    assert again.status == 200 and again.body.endswith(b"<Response/>") and messages(again) == []
    cid = channel_conversation_id("twilio", "+15005550009")
    assert len([t for t in twilio.agent.store.turns(cid) if t.role == "customer"]) == 1


def test_the_assistant_stays_silent_by_sms_while_a_person_has_the_conversation(twilio):
    ask = recorded("twilio_sms.form").replace(b"How+much+is+delivery%3F", b"I+want+to+speak+to+a+human")
    [notice] = messages(twilio.deliver(ask))
    assert "person" in notice.lower() or "team" in notice.lower()
    cid = channel_conversation_id("twilio", "+15005550009")
    [ticket] = twilio.agent.store.tickets(conversation_id=cid)
    twilio.agent.desk.assign(ticket.id, "Sam")
    later = ask.replace(b"SM1f0e8a3c5d7b9f1e2a4c6d8e0f1a2b3c", b"SM33333333333333333333333333333333")
    response = twilio.deliver(later)
    assert response.status == 200 and messages(response) == [] and response.body.endswith(b"<Response/>")


def test_a_failing_agent_lets_the_same_message_be_tried_again(shop_agent):
    class Down:
        store = shop_agent.store

        def respond(self, *args, **kwargs):
            raise RuntimeError("boom")

    guard = ReplayGuard()
    body = recorded("twilio_sms.form")
    with pytest.raises(RuntimeError):
        handle_twilio_message(signed(body), body, Down(), auth_token=TOKEN, url=URL, replay_guard=guard)
    ok = handle_twilio_message(signed(body), body, shop_agent, auth_token=TOKEN, url=URL, replay_guard=guard)
    assert messages(ok)


def test_a_message_without_sender_or_sid_is_a_400(twilio):
    body = b"Body=hello&To=%2B15005550006"
    assert twilio.deliver(body).status == 400


# -- TwiML -------------------------------------------------------------------------------------------------------------
def test_twiml_escapes_markup_and_drops_characters_xml_cannot_carry():
    response = twiml(['Use <b>code</b> "SAVE&10" & it\'s yours\x00\x07'])
    assert b"<b>" not in response.body and b"&lt;b&gt;code&lt;/b&gt;" in response.body
    assert messages(response) == ['Use <b>code</b> "SAVE&10" & it\'s yours']


def test_an_answer_longer_than_twilio_accepts_goes_out_as_several_messages_cut_between_words():
    text = " ".join(f"word{i}" for i in range(600))  # ~4,500 characters
    pieces = split_message(text)
    assert len(pieces) == 3 and all(len(p) <= 1600 for p in pieces)
    assert " ".join(pieces) == text
    assert messages(twiml(pieces)) == pieces
