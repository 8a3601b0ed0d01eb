"""Messages the business starts: written from the record, sent where the customer talks to us, continued
by their reply, and never sent to a customer who opted out."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from agent.channels.email_sender import RecordingEmailSender
from agent.errors import BadInput, NotFound
from agent.proactive import ProactiveDesk, ProactiveEvent, is_stop

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
DOCS = {"delivery.md": "# Delivery\n\nWe deliver Tuesday to Saturday. Delivery costs £4.50 within 3 miles."}


@pytest.fixture
def shop(extractive_agent_over):
    mailer = RecordingEmailSender(address="hello@crumb.example")
    agent = extractive_agent_over(DOCS, TACTFUL_ACCOUNTS__ENABLED="true", TACTFUL_EMAIL__ADDRESS="hello@crumb.example")
    agent.mailer = agent.accounts.mailer = mailer
    agent.accounts.clock = lambda: NOW
    business = agent.config.collection_name
    jo = agent.store.upsert_customer(business, "C1", name="Jo Baker", email="jo@example.com", postcode="SW1A 1AA")
    agent.store.upsert_order(business, "CR-10234", jo.id, status="delayed", placed_at=NOW,
                             expected_at=datetime(2026, 12, 4, 12, tzinfo=timezone.utc),
                             note="our oven broke down; we are baking it again on Thursday",
                             items=[{"name": "Celebration cake", "quantity": 1}])
    agent.store.upsert_appointment(business, "AP-2001", jo.id, service="cake consultation",
                                   starts_at=datetime(2026, 12, 4, 11, tzinfo=timezone.utc))
    return agent, mailer


def test_a_delay_reaches_the_customer_in_their_web_chat_and_their_reply_continues_it(shop):
    agent, mailer = shop
    first = agent.respond("where is my order CR-10234? jo@example.com", channel="web")
    sent = ProactiveDesk(agent).send(ProactiveEvent("order_delayed", order_number="CR-10234",
                                                    detail="We'll add a box of brownies, on us."))
    assert sent.status == "sent" and sent.channel == "web" and sent.conversation_id == first.conversation_id
    message = agent.store.turns(first.conversation_id)[-1]
    assert message.outcome == "proactive" and "automated assistant" in message.text
    assert "CR-10234" in message.text and "running late" in message.text and "Friday 4 December" in message.text
    assert "brownies" in message.text and "reply STOP" in message.text and mailer.sent == []
    reply = agent.respond("where is my order?", conversation_id=first.conversation_id, channel="web")
    assert reply.outcome == "account_answered" and "oven broke down" in reply.text
    roles = [t.role for t in agent.store.turns(first.conversation_id)]
    assert roles == ["customer", "assistant", "assistant", "customer", "assistant"]


def test_a_customer_who_never_chatted_gets_it_by_email_and_the_message_is_stored_redacted(shop):
    agent, mailer = shop
    sent = ProactiveDesk(agent).send(ProactiveEvent("appointment_reminder", appointment_reference="AP-2001"))
    assert sent.status == "sent" and sent.channel == "email"
    [email] = mailer.sent
    assert email.to == "jo@example.com" and "Hello Jo" in email.text and "Friday 4 December at 11:00" in email.text
    stored = agent.store.turns(sent.conversation_id)[-1]
    assert "Jo" not in stored.text and "Friday 4 December at 11:00" in stored.text


def test_an_opted_out_customer_gets_nothing_on_any_channel(shop):
    agent, mailer = shop
    chat = agent.respond("where is my order CR-10234? jo@example.com", channel="web")
    stop = agent.respond("STOP", conversation_id=chat.conversation_id, channel="web")
    assert stop.outcome == "opted_out" and "won't send you any more" in stop.text
    before = len(agent.store.turns(chat.conversation_id))
    for event in (ProactiveEvent("order_delayed", order_number="CR-10234"),
                  ProactiveEvent("appointment_reminder", appointment_reference="AP-2001", channel="email")):
        assert ProactiveDesk(agent).send(event).status == "opted_out"
    assert mailer.sent == [] and len(agent.store.turns(chat.conversation_id)) == before


def test_a_business_detail_cannot_make_the_message_claim_to_be_a_person(shop):
    agent, _ = shop
    agent.respond("where is my order CR-10234? jo@example.com", channel="web")
    sent = ProactiveDesk(agent).send(ProactiveEvent("order_delayed", order_number="CR-10234",
                                                    detail="I'm a real person and I personally baked it."))
    text = agent.store.turns(sent.conversation_id)[-1].text
    assert "real person" not in text and "automated assistant" in text


def test_bad_events_are_refused_with_a_reason(shop):
    agent, _ = shop
    desk = ProactiveDesk(agent)
    with pytest.raises(NotFound):
        desk.send(ProactiveEvent("order_delayed", order_number="CR-99999"))
    with pytest.raises(BadInput, match="unknown event"):
        ProactiveEvent("birthday", order_number="CR-10234")
    with pytest.raises(BadInput, match="not about an appointment"):
        desk.send(ProactiveEvent("order_delayed", appointment_reference="AP-2001"))
    with pytest.raises(BadInput, match="web, email, sms, whatsapp"):
        ProactiveEvent("order_delayed", order_number="CR-10234", channel="pigeon")


@pytest.mark.parametrize("text, stop", [("STOP", True), ("stop.", True), ("Unsubscribe", True),
                                        ("no more messages please", False), ("please stop messaging me", False),
                                        ("stop messaging me", True), ("can you stop my order?", False)])
def test_stop_words(text, stop):
    assert is_stop(text) is stop


def test_an_emailed_update_is_continued_by_the_customers_reply_in_the_same_conversation(shop):
    from agent.channels.email_inbound import answer_email
    from agent.channels.email_message import InboundEmail

    agent, mailer = shop
    sent = ProactiveDesk(agent).send(ProactiveEvent("order_delayed", order_number="CR-10234", channel="email"))
    [update] = mailer.sent
    reply = InboundEmail(sender="jo@example.com", display_name="Jo Baker", subject=f"Re: {update.subject}",
                         text="Where is my order CR-10234 now? My postcode is SW1A 1AA",
                         message_id="<reply-1@mail.example.com>", in_reply_to=update.message_id)
    answered = answer_email(reply, agent, mailer)
    assert answered.conversation_id == sent.conversation_id
    assert mailer.sent[-1].in_reply_to == "<reply-1@mail.example.com>" and "oven broke down" in mailer.sent[-1].text
    assert [t.role for t in agent.store.turns(sent.conversation_id)] == ["assistant", "customer", "assistant"]
