"""Inbound email through the provider's webhook (Mailgun's inbound-route format): signed deliveries only, one
answer per email, sent in thread through a real SMTP server on loopback, and a provider's retry after a
failed send getting the same stored reply rather than a second answer."""

from __future__ import annotations

import logging
import time
import uuid
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from agent.api import create_api
from agent.assembly import build_agent
from agent.channels import ReplayGuard, SmtpEmailSender, email_conversation_id, handle_inbound_email
from agent.channels.email_inbound import mailgun_signature
from agent.config import load_config
from tests.mail_servers import SHOP_ADDRESS, smtp_env

KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"
NOW = 1_700_000_000


def fields(text: str = "How much is delivery?", *, message_id: str = "<m1@mail.example.com>",
           in_reply_to: str = "", references: str = "", subject: str = "Delivery",
           sender: str = "jo@example.com", name: str = "Jo Bloggs", timestamp: int = NOW,
           token: str | None = None, key: str = KEY, **more: str) -> dict[str, str]:
    """An inbound-route delivery as Mailgun posts it, signed with ``key``."""
    token = token or uuid.uuid5(uuid.NAMESPACE_URL, message_id).hex + "x" * 18
    form = {"recipient": SHOP_ADDRESS, "sender": sender, "from": f"{name} <{sender}>" if name else sender,
            "subject": subject, "body-plain": text, "stripped-text": text, "Message-Id": message_id,
            "In-Reply-To": in_reply_to, "References": references, "timestamp": str(timestamp), "token": token,
            "signature": mailgun_signature(key, str(timestamp), token), **more}
    return {k: v for k, v in form.items() if v is not None}


def urlencoded(form: dict[str, str]) -> tuple[dict[str, str], bytes]:
    return {"Content-Type": "application/x-www-form-urlencoded"}, urlencode(form).encode()


def multipart(form: dict[str, str]) -> tuple[dict[str, str], bytes]:
    boundary = "----tactfulboundary7MA4YWxkTrZu0gW"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in form.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="attachment-1"; filename="menu.pdf"\r\n'
                 f"Content-Type: application/pdf\r\n\r\n".encode() + b"%PDF-1.4 \xff\xfe binary\r\n")
    return ({"Content-Type": f"multipart/form-data; boundary={boundary}"},
            b"".join(parts) + f"--{boundary}--\r\n".encode())


class Provider:
    """Delivers inbound mail to the webhook handler the way the provider would, and keeps its answers."""

    def __init__(self, agent, smtp_server) -> None:
        self.agent = agent
        self.smtp = smtp_server
        self.guard = ReplayGuard()
        self.sender = SmtpEmailSender(agent.config.email, attempts=2, backoff_s=(0.01, 0.02))

    def deliver(self, form: dict[str, str], *, encode=urlencoded, now: float = NOW, key: str = KEY):
        headers, body = encode(form)
        return handle_inbound_email(headers, body, self.agent, signing_key=key, sender=self.sender,
                                    replay_guard=self.guard, now=now)

    def customer_turns(self, conversation_id: str) -> list[str]:
        return [t.text for t in self.agent.store.turns(conversation_id) if t.role == "customer"]


@pytest.fixture
def provider(email_agent, smtp_server) -> Provider:
    return Provider(email_agent, smtp_server)


FIRST = email_conversation_id(SHOP_ADDRESS, "<m1@mail.example.com>")


# -- answers -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("encode", [urlencoded, multipart])
def test_a_signed_email_is_answered_in_thread_from_the_knowledge_base(provider, smtp_server, encode):
    response = provider.deliver(fields(), encode=encode)
    assert response.status == 200 and response.body == b"answered"
    [reply] = smtp_server.messages
    assert reply["To"].addresses[0].addr_spec == "jo@example.com"
    assert reply["From"] == '"Crumb & Co." <hello@crumb.example>'
    assert reply["Subject"] == "Re: Delivery"
    assert reply["In-Reply-To"] == "<m1@mail.example.com>" and reply["References"] == "<m1@mail.example.com>"
    assert reply["Message-ID"].endswith("@crumb.example>")
    text = reply.get_content()
    assert "£4.50" in text and "automated assistant" in text.lower()
    conversation = provider.agent.store.get_conversation(FIRST)
    assert conversation.channel == "email" and conversation.customer_name == "Jo Bloggs"


def test_a_reply_to_our_answer_continues_the_same_conversation(provider, smtp_server):
    provider.deliver(fields())
    our_reply = smtp_server.messages[0]["Message-ID"]
    follow_up = fields("Is it free on big orders?", message_id="<m2@mail.example.com>", in_reply_to=our_reply,
                       references=f"<m1@mail.example.com> {our_reply}", subject="Re: Delivery")
    assert provider.deliver(follow_up).status == 200
    second = smtp_server.messages[1]
    assert second["Subject"] == "Re: Delivery" and second["In-Reply-To"] == "<m2@mail.example.com>"
    assert second["References"].split() == ["<m1@mail.example.com>", our_reply, "<m2@mail.example.com>"]
    assert provider.customer_turns(FIRST) == ["How much is delivery?", "Is it free on big orders?"]
    assert "£40" in second.get_content()


def test_a_reply_to_an_email_we_sent_first_is_the_conversation_of_that_email(provider, smtp_server):
    ours = provider.sender.send("Jo Bloggs <jo@example.com>", "Your cake is ready", "Collect it from 9:00.")
    conversation_id = email_conversation_id(SHOP_ADDRESS, ours)
    assert provider.deliver(fields("What time do you close?", message_id="<m5@mail.example.com>",
                                   in_reply_to=ours, subject="Re: Your cake is ready")).status == 200
    assert provider.customer_turns(conversation_id) == ["What time do you close?"]
    answer = smtp_server.messages[1]
    assert answer["References"].split() == [ours, "<m5@mail.example.com>"]
    assert answer["Subject"] == "Re: Your cake is ready"


def test_personal_data_in_the_email_is_redacted_in_the_store(provider):
    text = "How much is delivery? Call me on 07700 900123 or write to jo.bloggs@example.com"
    provider.deliver(fields(text))
    [stored] = provider.customer_turns(FIRST)
    assert "07700 900123" not in stored and "jo.bloggs@example.com" not in stored
    assert "<EMAIL_ADDRESS" in stored and "<PHONE_NUMBER" in stored


def test_an_empty_email_gets_the_agents_own_empty_message_reply(provider, smtp_server):
    assert provider.deliver(fields("", subject="")).status == 200
    [reply] = smtp_server.messages
    assert provider.agent.frame.empty_message() in reply.get_content()
    assert reply["Subject"] == "Re: your message"


def test_a_long_email_is_cut_to_what_the_assistant_reads_rather_than_refused(provider, smtp_server):
    long = "How much is delivery? " + "We are planning a big party for the whole street. " * 300
    provider.deliver(fields(long))
    [stored] = provider.customer_turns(FIRST)
    assert len(stored) <= provider.agent.config.email.max_email_chars
    assert "longer than I can read" not in smtp_server.messages[0].get_content()


def test_the_assistant_stays_silent_by_email_while_a_person_has_the_conversation(provider, smtp_server):
    provider.deliver(fields("I want to speak to a human"))
    [ticket] = provider.agent.store.tickets(conversation_id=FIRST)
    provider.agent.desk.assign(ticket.id, "Sam")
    later = fields("Hello? Anyone there?", message_id="<m3@mail.example.com>", in_reply_to="<m1@mail.example.com>",
                   references="<m1@mail.example.com>")
    response = provider.deliver(later)
    assert response.status == 200 and response.body == b"silent"
    assert len(smtp_server.messages) == 1  # the hand-off notice only
    assert provider.customer_turns(FIRST)[-1] == "Hello? Anyone there?"


# -- mail loops --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("more", [
    {"message-headers": '[["Auto-Submitted", "auto-replied"], ["Subject", "Out of office"]]'},
    {"Precedence": "bulk"},
    {"sender": "mailer-daemon@mx.example.com", "from": "Mail Delivery Subsystem <mailer-daemon@mx.example.com>"},
    {"sender": SHOP_ADDRESS, "from": f"Crumb & Co. <{SHOP_ADDRESS}>"},
])
def test_auto_replies_bounces_and_our_own_mail_are_acknowledged_and_never_answered(provider, smtp_server, more):
    response = provider.deliver(fields(**more))
    assert response.status == 200 and response.body == b"ignored"
    assert smtp_server.messages == [] and provider.agent.store.get_conversation(FIRST) is None


# -- signatures and replays --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["wrong key", "garbage signature", "no signature", "no token", "stale timestamp",
                                  "future timestamp", "not a number"])
def test_unsigned_or_stale_deliveries_are_refused_with_403(provider, smtp_server, case):
    form = fields()
    now: float = NOW
    if case == "wrong key":
        form = fields(key="key-someone-else")
    elif case == "garbage signature":
        form["signature"] = "f" * 64
    elif case == "no signature":
        del form["signature"]
    elif case == "no token":
        form["token"] = ""
    elif case == "stale timestamp":
        now = NOW + 301
    elif case == "future timestamp":
        now = NOW - 301
    else:
        form = fields(timestamp="soon")  # type: ignore[arg-type]
    response = provider.deliver(form, now=now)
    assert response.status == 403 and b"Delivery" not in response.body
    assert smtp_server.messages == [] and provider.agent.store.get_conversation(FIRST) is None


def test_an_empty_signing_key_refuses_everything(provider):
    assert provider.deliver(fields(key=""), key="").status == 403


def test_a_replayed_token_is_acknowledged_and_not_answered_twice(provider, smtp_server):
    form = fields()
    assert provider.deliver(form).body == b"answered"
    again = provider.deliver(form, now=NOW + 60)
    assert again.status == 200 and again.body == b"already handled"
    assert len(smtp_server.messages) == 1 and len(provider.customer_turns(FIRST)) == 1


def test_smtp_down_is_a_503_and_the_providers_retry_sends_the_same_stored_reply(provider, smtp_server):
    smtp_server.stop()
    form = fields()
    failed = provider.deliver(form)
    assert failed.status == 503 and failed.headers["Retry-After"]
    smtp_server.start()
    retried = provider.deliver(form, now=NOW + 120)  # the provider retries the same delivery
    assert retried.status == 200 and retried.body == b"answered"
    [reply] = smtp_server.messages
    turns = provider.agent.store.turns(FIRST)
    assert [t.role for t in turns] == ["customer", "assistant"]
    assert reply.get_content().replace("\r\n", "\n").strip() == turns[1].text.strip()
    assert provider.deliver(form, now=NOW + 130).body == b"already handled"


def test_malformed_deliveries_are_a_400_that_says_what_is_wrong(provider):
    not_utf8 = provider.deliver({}, encode=lambda _: ({"Content-Type": "application/x-www-form-urlencoded"},
                                                      b"from=\xff\xfe"))
    assert not_utf8.status == 400 and b"form-encoded" in not_utf8.body
    no_boundary = provider.deliver({}, encode=lambda _: ({"Content-Type": "multipart/form-data"}, b"x"))
    assert no_boundary.status == 400 and b"boundary" in no_boundary.body
    no_sender = provider.deliver(fields(sender="", name="", **{"from": ""}))
    assert no_sender.status == 400 and b"sender" in no_sender.body


def test_no_address_name_or_message_text_reaches_the_logs(provider, smtp_server, caplog):
    caplog.set_level(logging.DEBUG)
    provider.deliver(fields("How much is delivery to 14 Larch Street?"))
    provider.deliver(fields())  # a replay
    provider.deliver(fields(key="wrong"))  # refused
    smtp_server.stop()
    provider.deliver(fields("Second question", message_id="<m9@mail.example.com>"))  # SMTP down
    ours = [r for r in caplog.records if r.name.startswith("tactful")]  # not the test SMTP server's own log
    logged = "\n".join(r.getMessage() for r in ours)
    assert "tactful.channels.email" in {r.name for r in ours}
    for private in ("jo@example.com", "Jo Bloggs", "Larch Street", "Second question", "m9@mail.example.com", KEY):
        assert private not in logged, private


# -- served by the API -------------------------------------------------------------------------------------------------
def test_the_api_serves_the_inbound_route_only_when_a_signing_key_is_set(shop_env, smtp_server, minilm):
    env = {**shop_env, **smtp_env(smtp_server)}
    agent = build_agent(config=load_config(environ={**env, "TACTFUL_EMAIL__INBOUND_SIGNING_KEY": KEY}),
                        embedder=minilm)
    try:
        with TestClient(create_api(agent)) as client:
            headers, body = urlencoded(fields(timestamp=int(time.time())))
            answer = client.post("/channels/email/inbound", content=body, headers=headers)
            assert answer.status_code == 200 and answer.text == "answered"
            assert smtp_server.messages[0]["In-Reply-To"] == "<m1@mail.example.com>"
            refused = client.post("/channels/email/inbound", content=body, headers=headers)
            assert refused.status_code == 200 and refused.text == "already handled"
    finally:
        agent.close()
    unrouted = build_agent(config=load_config(environ=env), embedder=minilm)
    try:
        with TestClient(create_api(unrouted)) as client:
            assert client.post("/channels/email/inbound", content=body, headers=headers).status_code == 404
    finally:
        unrouted.close()
