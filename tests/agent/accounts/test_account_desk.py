"""Orders and bookings through the conversation: verified first, confirmed before any change, within policy.

Each test is a chat with a real agent (extractive, SQLite store) over seeded accounts, at a fixed time:
Tuesday 1 December 2026, 09:00 in London.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from agent.accounts.records import VerifiedCustomer
from agent.accounts.tools import NotConfirmed
from agent.channels.email_sender import RecordingEmailSender

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
DOCS = {"delivery.md": "# Delivery\n\nWe deliver Tuesday to Saturday. Delivery costs £4.50 within 3 miles."}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=timezone.utc)


@pytest.fixture
def shop(extractive_agent_over):
    """(agent, the emails it sent) with Jo and Sam's accounts in the store."""
    mailer = RecordingEmailSender()
    agent = extractive_agent_over(DOCS, TACTFUL_ACCOUNTS__ENABLED="true")
    agent.accounts.mailer = mailer
    agent.accounts.clock = lambda: NOW
    store, business = agent.store, agent.config.collection_name
    jo = store.upsert_customer(business, "C1", name="Jo Baker", email="jo@example.com", postcode="SW1A 1AA")
    sam = store.upsert_customer(business, "C2", name="Sam Field", email="sam@example.org", postcode="EC1A 1BB")
    store.upsert_order(business, "CR-10234", jo.id, status="dispatched", placed_at=at(1, 8) .replace(day=28, month=11),
                       expected_at=at(3, 12), items=[{"name": "Sourdough loaf", "quantity": 2, "price": 4.5}])
    store.upsert_order(business, "CR-10240", jo.id, status="placed", placed_at=at(1, 8), expected_at=at(5, 12),
                       items=[{"name": "Celebration cake", "quantity": 1, "price": 38.0}])
    store.upsert_order(business, "CR-20001", sam.id, status="preparing", placed_at=at(1, 7), expected_at=at(2, 12),
                       items=[{"name": "Croissant", "quantity": 6}])
    store.upsert_appointment(business, "AP-2001", jo.id, service="cake consultation", starts_at=at(4, 11))
    return agent, mailer


class Chat:
    def __init__(self, agent) -> None:
        self.agent = agent
        self.cid: str | None = None

    def __call__(self, text: str):
        reply = self.agent.respond(text, conversation_id=self.cid)
        self.cid = reply.conversation_id
        return reply


def test_where_is_my_order_verify_then_the_real_status_then_move_the_appointment_with_an_email(shop):
    agent, mailer = shop
    chat = Chat(agent)
    asked = chat("Where is my order?")
    assert asked.outcome == "account_verification"
    assert "order number" in asked.text and "email address or postcode" in asked.text
    answered = chat("It's CR-10234, and my email is jo@example.com")
    assert answered.outcome == "account_answered"
    assert "CR-10234" in answered.text and "is on its way" in answered.text and "Thursday 3 December" in answered.text
    moving = chat("Can I move my appointment to Saturday at 10am?")
    assert moving.outcome == "account_confirm"
    assert "from Friday 4 December at 11:00 to Saturday 5 December at 10:00" in moving.text
    assert agent.store.appointment(agent.config.collection_name, "AP-2001").starts_at == at(4, 11)  # not yet
    done = chat("yes please")
    assert done.outcome == "account_done" and "moved to Saturday 5 December at 10:00" in done.text
    assert "emailed you a confirmation" in done.text
    assert agent.store.appointment(agent.config.collection_name, "AP-2001").starts_at == at(5, 10)
    [email] = mailer.sent
    assert email.to == "jo@example.com" and "Saturday 5 December at 10:00" in email.text
    stored = [t.text for t in agent.store.turns(chat.cid) if t.role == "customer"]
    assert not any("jo@example.com" in text for text in stored)  # the proof is redacted in the transcript


def test_an_unverified_customer_gets_nothing_from_the_account_and_guessing_stops(shop):
    agent, _ = shop
    chat = Chat(agent)
    wrong = chat("where is my order CR-10234? my email is someone@example.net")
    assert wrong.outcome == "account_verification"
    assert "don't match" in wrong.text
    assert not any(word in wrong.text for word in ("on its way", "Sourdough", "Thursday"))
    unknown = chat("order CR-99999, jo@example.com")
    assert wrong.text.endswith(unknown.text)  # an unknown order and a wrong email look the same
    locked = chat("CR-10234 postcode N1 9GU")
    assert locked.outcome == "account_locked" and "020 7946 0321" in locked.text
    right = chat("where is my order CR-10234, jo@example.com")  # even the right details, once locked
    assert right.outcome == "account_locked" and "on its way" not in right.text


def test_nothing_changes_without_a_clear_yes_and_policy_is_kept_in_the_tool(shop):
    agent, _ = shop
    business = agent.config.collection_name
    chat = Chat(agent)
    chat("I want to cancel my order CR-10234, jo@example.com")
    dispatched = agent.store.order(business, "CR-10234")
    assert dispatched.status == "dispatched"
    refused = chat("please cancel my order CR-10234")
    assert refused.outcome == "account_refused" and "already been dispatched" in refused.text
    ask = chat("cancel my order CR-10240")
    assert ask.outcome == "account_confirm" and "Celebration cake" in ask.text
    assert chat("no, leave it").outcome == "account_unchanged"
    assert agent.store.order(business, "CR-10240").status == "placed"
    chat("cancel my order CR-10240")
    other = chat("what time do you deliver?")  # not an answer to the question: the action is dropped
    assert other.outcome != "account_done"
    assert chat("yes").outcome != "account_done"
    assert agent.store.order(business, "CR-10240").status == "placed"
    chat("cancel my order CR-10240")
    assert chat("yes").outcome == "account_done"
    assert agent.store.order(business, "CR-10240").status == "cancelled"


def test_a_verified_customer_cannot_reach_another_customers_order(shop):
    agent, _ = shop
    chat = Chat(agent)
    chat("where is my order CR-10234 jo@example.com")
    theirs = chat("and where is my order CR-20001?")
    assert "can't find" in theirs.text and "Croissant" not in theirs.text


def test_a_taken_or_closed_time_is_not_offered_and_free_ones_are(shop):
    agent, _ = shop
    chat = Chat(agent)
    chat("where is my order CR-10234 jo@example.com")
    offered = chat("can I book a cake consultation on Monday?")  # closed on Mondays
    assert offered.outcome == "account_slots_offered"
    assert "Monday" not in offered.text and "Tuesday 8 December at 07:00" in offered.text
    chosen = chat("the second one")
    assert chosen.outcome == "account_confirm" and "Tuesday 8 December at 07:30" in chosen.text
    assert chat("yes").outcome == "account_done"
    booked = agent.store.appointments_of(agent.config.collection_name, 1)
    assert [b.starts_at for b in booked] == [at(4, 11), at(8, 7, 30)]


def test_tools_refuse_without_confirmation_and_only_the_identity_check_vouches(shop):
    agent, _ = shop
    with pytest.raises(PermissionError):
        VerifiedCustomer(agent.store.customer(agent.config.collection_name, 1), "c", NOW, _by=object())
    chat = Chat(agent)
    chat("where is my order CR-10240 jo@example.com")
    who = agent.accounts.identity.current(chat.cid)
    with pytest.raises(NotConfirmed):
        agent.accounts.tools.cancel_order(who, "CR-10240", confirmed=False)
    assert agent.store.order(agent.config.collection_name, "CR-10240").status == "placed"


def test_a_message_for_the_owner_is_kept_redacted(shop):
    agent, _ = shop
    chat = Chat(agent)
    assert chat("Can you pass a message to the owner?").outcome == "account_message_asked"
    taken = chat("Please call me back on 07700 900123 about a wedding cake")
    assert taken.outcome == "message_taken"
    [message] = agent.store.owner_messages(agent.config.collection_name)
    assert "wedding cake" in message["text"] and "07700 900123" not in message["text"]


def test_general_questions_still_go_to_the_knowledge_base(shop):
    agent, _ = shop
    reply = Chat(agent)("How much does delivery cost?")
    assert reply.outcome == "extractive" and "£4.50" in reply.text


def test_the_confirmation_email_goes_out_through_a_real_smtp_server(extractive_agent_over, smtp_server):
    """The Done-when path end to end: ask, prove who you are, get the real status, move the appointment, and
    receive the confirmation from an SMTP server (aiosmtpd on loopback)."""
    from tests.mail_servers import smtp_env

    agent = extractive_agent_over(DOCS, TACTFUL_ACCOUNTS__ENABLED="true", **smtp_env(smtp_server))
    agent.accounts.clock = lambda: NOW
    business = agent.config.collection_name
    jo = agent.store.upsert_customer(business, "C1", name="Jo Baker", email="jo@example.com", postcode="SW1A 1AA")
    agent.store.upsert_order(business, "CR-10234", jo.id, status="dispatched", placed_at=at(1, 8),
                             expected_at=at(3, 12), items=[{"name": "Sourdough loaf", "quantity": 2}])
    agent.store.upsert_appointment(business, "AP-2001", jo.id, service="cake consultation", starts_at=at(4, 11))
    chat = Chat(agent)
    chat("Where is my order?")
    assert "is on its way" in chat("CR-10234, postcode sw1a 1aa").text
    chat("I need to reschedule my appointment to Saturday at 10am")
    done = chat("yes")
    assert done.outcome == "account_done" and done.tool["emailed"] is True
    [message] = smtp_server.messages
    assert message["To"] == "jo@example.com" and message["From"].addresses[0].addr_spec == "hello@crumb.example"
    assert "Saturday 5 December at 10:00" in message.get_content() and "Hello Jo" in message.get_content()


def test_seed_files_are_imported_once_on_first_use_against_the_pinned_clock(extractive_agent_over):
    import json
    from pathlib import Path

    demo = Path(__file__).resolve().parents[3] / "knowledge" / "demo" / "bakery-accounts.json"
    env = dict(TACTFUL_ACCOUNTS__ENABLED="true", TACTFUL_ACCOUNTS__SEED=json.dumps([str(demo)]),
               TACTFUL_ACCOUNTS__NOW="2026-12-01T09:00:00Z")
    agent = extractive_agent_over(DOCS, **env)
    order = agent.store.order(agent.config.collection_name, "CR-10234")
    assert order.expected_at == at(1, 12, 30)  # "today 12:30" from the pinned clock, London time
    answer = agent.respond("where is my order CR-10234? penelope.breadwinkle@example.com")
    assert answer.outcome == "account_answered" and "is on its way" in answer.text
    agent.store.set_order_status(agent.config.collection_name, "CR-10234", "delivered")
    again = extractive_agent_over(DOCS, **env)  # the same store: not imported over what changed since
    assert again.store.order(again.config.collection_name, "CR-10234").status == "delivered"


def test_a_yes_with_more_is_asked_again_and_a_yes_with_another_time_offers_that_time(shop):
    agent, _ = shop
    business = agent.config.collection_name
    chat = Chat(agent)
    chat("I want to cancel my order CR-10240, jo@example.com")
    again = chat("yes, go ahead and cancel it")
    assert again.outcome == "account_confirm" and "yes or no" in again.text
    assert agent.store.order(business, "CR-10240").status == "placed"
    assert chat("yes").outcome == "account_done"
    chat("can I move my appointment to Saturday at 10am?")
    other_time = chat("yes but can you make it 2pm?")
    assert other_time.outcome == "account_confirm" and "Saturday 5 December at 14:00" in other_time.text
    assert chat("yes").outcome == "account_done"
    assert agent.store.appointment(business, "AP-2001").starts_at == at(5, 14)


def test_a_request_the_rules_miss_is_routed_by_the_models_tool_call_and_still_verified(tmp_path, minilm):
    """With a model that calls functions, "the consultation on Friday, can I still change the day?" reaches
    the move tool; the model sees the redacted words only, and proof and a yes are still needed."""
    from agent.assembly import build_agent
    from agent.config import load_config
    from agent.llm import CallTool, ScriptedChatModel
    from tests.conftest import extractive_env

    model = ScriptedChatModel(replies=[CallTool("move_appointment", {}), "NONE",
                                       "Delivery costs £4.50 within 3 miles."])
    env = {**extractive_env(tmp_path, DOCS), "TACTFUL_ACCOUNTS__ENABLED": "true"}
    agent = build_agent(config=load_config(environ=env), embedder=minilm, chat_model=model)
    agent.accounts.clock = lambda: NOW
    business = agent.config.collection_name
    jo = agent.store.upsert_customer(business, "C1", name="Jo Baker", email="jo@example.com", postcode="SW1A 1AA")
    agent.store.upsert_appointment(business, "AP-2001", jo.id, service="cake consultation", starts_at=at(4, 11))
    chat = Chat(agent)
    asked = chat("the consultation on Friday, jo@example.com here, is it still possible to change the day?")
    assert asked.outcome == "account_verification"
    assert any(v.rail == "intent" and v.category == "model_tool" for v in asked.verdicts)
    routed = model.calls[0][-1].content
    assert "jo@example.com" not in routed and "consultation" in routed  # redacted before the model saw it
    assert model.call_options[0]["tools"][0]["function"]["name"] == "order_status"
    offered = chat("AP-2001, SW1A 1AA")
    assert offered.outcome == "account_slots_offered" and "AP-2001" not in offered.text
    general = chat("How much does delivery cost?")  # the model calls no tool: the knowledge base answers
    assert general.tool is None and "£4.50" in general.text
    assert len(model.calls) == 3 and "tools" in model.call_options[1]  # asked about tools, then for the answer
    agent.close()


def test_the_time_asked_for_before_proof_is_kept_and_another_customers_booking_is_not_theirs(shop):
    agent, _ = shop
    business = agent.config.collection_name
    sam = agent.store.customer_by_external_id(business, "C2")
    agent.store.upsert_appointment(business, "AP-3001", sam.id, service="cake consultation", starts_at=at(9, 10))
    chat = Chat(agent)
    chat("Can I move my appointment AP-2001 to Saturday at 10am?")
    proved = chat("my email is jo@example.com")
    assert proved.outcome == "account_confirm" and "to Saturday 5 December at 10:00" in proved.text
    chat("no")
    theirs = chat("please cancel my appointment AP-3001")
    assert theirs.outcome == "account_answered" and "can't find that booking" in theirs.text
    assert agent.store.appointment(business, "AP-3001").status == "booked"
    same = chat("move my appointment to Friday 4 December at 11am")
    assert same.outcome == "account_answered" and "already on Friday 4 December at 11:00" in same.text


def test_a_refusal_says_why_in_plain_words(shop):
    agent, _ = shop
    chat = Chat(agent)
    refused = chat("cancel my order CR-10234, jo@example.com")
    assert "it has already been dispatched" in refused.text


def test_an_order_moves_to_another_open_day_within_policy_after_a_yes(shop):
    agent, mailer = shop
    business = agent.config.collection_name
    chat = Chat(agent)
    asked = chat("can I change my order CR-10240? jo@example.com")
    assert asked.outcome == "account_asked_day" and "Which day" in asked.text
    closed = chat("Monday please")  # the bakery is closed on Mondays
    assert closed.outcome == "account_refused" and "Mondays" in closed.text
    ask = chat("move my order CR-10240 to Friday")
    assert ask.outcome == "account_confirm" and "to Friday 4 December" in ask.text
    assert chat("yes").outcome == "account_done"
    assert agent.store.order(business, "CR-10240").expected_at == at(4, 12)  # the same time of day
    assert "moved to Friday 4 December" in mailer.sent[-1].text
    dispatched = chat("can I move my order CR-10234 to Saturday?")
    assert dispatched.outcome == "account_refused" and agent.store.order(business, "CR-10234").expected_at == at(3, 12)
