"""Hand-offs end to end: the ticket and its summary, the honest notice, silence while a person has the
conversation, a person's replies from the command line, the hand-back, and the customer's rating."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.assembly import build_agent
from agent.cli import app
from agent.config import load_config
from agent.errors import BadInput, NotFound
from agent.frame import ReplyFrame
from agent.llm import ScriptedChatModel
from guardrails.sentences import split_sentences

KB = {
    "delivery.md": "# Delivery\n\nWe deliver within 3 miles of the shop. Delivery costs £4.50, and it is free on "
                   "orders over £40. Deliveries go out Tuesday to Saturday between 9:00 and 13:00.\n",
    "refunds.md": "# Refunds\n\nIf something you bought is damaged or wrong, tell us within 48 hours with a photo "
                  "and we will refund you in full or replace it.\n",
}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    folder = tmp_path / "kb"
    folder.mkdir()
    for name, text in KB.items():
        (folder / name).write_text(text, encoding="utf-8")
    return {"TACTFUL_DATA_DIR": str(tmp_path / "data"), "TACTFUL_LLM__PROVIDER": "extractive",
            "TACTFUL_KNOWLEDGE__SOURCES": json.dumps([str(folder)]), "COLUMNS": "200"}


@pytest.fixture
def agent(env, minilm):
    built = build_agent(config=load_config(environ=env), embedder=minilm)
    yield built
    built.close()


def tickets(env, *args):
    return CliRunner().invoke(app, ["tickets", *args], env=env)


def test_escalation_opens_one_ticket_with_the_story_and_tells_the_customer_what_happens(agent):
    first = agent.respond("How much is delivery?", customer={"name": "Ebony Jackson"})
    reply = agent.respond("This is useless, I want to speak to a person", first.conversation_id)
    assert reply.escalated and reply.escalation_reason == "customer_request" and reply.outcome == "handed_off"
    assert "see this whole conversation" in reply.text and "won't need to repeat" in reply.text
    [ticket] = agent.desk.list()
    assert ticket.conversation_id == first.conversation_id and ticket.status == "open"
    assert ticket.priority == "high"  # an upset customer asking for a person
    assert 'Wants: "How much is delivery?"' in ticket.summary
    assert "Tried: quoted Delivery" in ticket.summary
    assert "Mood: upset" in ticket.summary and "customer_request" in ticket.summary
    again = agent.respond("hello? is anyone there?", first.conversation_id)
    assert not again.escalated and again.outcome == "queued" and len(agent.desk.list()) == 1


def test_the_notice_follows_the_opening_hours():
    from agent.config import BusinessProfile

    frame = ReplyFrame(BusinessProfile(reply_within_minutes=30))
    open_now = frame.handoff_notice("customer_request", datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc))
    assert "within about 30 minutes" in open_now and "Nobody is in" not in open_now
    closed = frame.handoff_notice("frustration", datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc))  # Monday
    assert closed.startswith("I'm sorry this has been frustrating.")
    assert "Nobody is in right now; a person will pick it up tomorrow at 07:00" in closed
    assert "leave it here" in closed


def test_a_person_takes_over_from_the_command_line_the_bot_stays_silent_and_nothing_is_lost(agent, env):
    start = agent.respond("Can I talk to a human please?")
    cid = start.conversation_id
    ticket_id = start.ticket_id
    assert tickets(env, "assign", str(ticket_id), "--as", "Sam").exit_code == 0

    silent = agent.respond("Hi, my order number is 4411", cid)
    assert silent.text == "" and silent.outcome == "with_person" and not silent.escalated

    result = tickets(env, "reply", str(ticket_id), "Hi, I'm Sam from the bakery. It leaves at 10:00 today.",
                     "--as", "Sam")
    assert result.exit_code == 0, result.output
    shown = tickets(env, "show", str(ticket_id), "--as", "Priya")
    assert "Sam (person): Hi, I'm Sam from the bakery" in shown.output
    assert "customer: Hi, my order number is 4411" in shown.output
    assert [(e.actor, e.action) for e in agent.store.audit_events(agent.config.collection_name)] == [
        ("cli:Priya", "viewed")]

    assert agent.respond("Thanks Sam!", cid).text == ""  # still the person's conversation
    assert tickets(env, "handback", str(ticket_id), "--as", "Sam").exit_code == 0
    back = agent.respond("How much is delivery?", cid)
    assert "£4.50" in back.text and not back.escalated and "automated assistant" not in back.text

    transcript = agent.store.turns(cid)
    assert [(t.role, t.text[:22]) for t in transcript] == [
        ("customer", "Can I talk to a human "), ("assistant", start.text[:22]),
        ("customer", "Hi, my order number is"), ("agent", "Hi, I'm Sam from the ba"[:22]),
        ("customer", "Thanks <PERSON_1>!"),  # the customer's words are redacted, names included
        ("customer", "How much is delivery?"), ("assistant", back.text[:22])]
    assert all(t.status in ("sent", "answered", "for_person") for t in transcript)
    assert agent.desk.show(ticket_id).ticket.resolution == "handed_back"


def test_after_a_hand_back_old_frustration_does_not_hand_over_again(agent):
    first = agent.respond("Where is my order?")
    looped = agent.respond("where is my order??", first.conversation_id)
    assert looped.escalation_reason == "loop"
    agent.desk.hand_back(looped.ticket_id, "Sam")
    assert not agent.respond("where is my order?", first.conversation_id).escalated


def test_a_person_s_message_is_redacted_except_their_own_name(agent):
    start = agent.respond("I want to speak to someone")
    turn = agent.desk.reply(start.ticket_id, "Sam", "I'm Sam. I've emailed jo.bloggs@example.com about it")
    assert turn.text == "I'm Sam. I've emailed <EMAIL_ADDRESS> about it"
    assert turn.meta == {"agent_name": "Sam", "is_person": True, "ticket_id": start.ticket_id}


def test_operator_mistakes_get_clear_messages(agent, env):
    start = agent.respond("can I talk to a person")
    with pytest.raises(BadInput, match="empty"):
        agent.desk.reply(start.ticket_id, "Sam", "   ")
    with pytest.raises(BadInput, match="--as NAME"):
        agent.desk.assign(start.ticket_id, " ")
    with pytest.raises(NotFound, match="tactful tickets list"):
        agent.desk.show(999)
    agent.desk.resolve(start.ticket_id, "Sam")
    result = tickets(env, "resolve", str(start.ticket_id), "--as", "Sam")
    assert result.exit_code == 2 and "already resolved" in result.output
    assert tickets(env, "list", "--status", "nonsense").exit_code == 2


def test_the_queue_puts_urgent_first(agent, env):
    agent.respond("can I talk to a person?")
    agent.respond("I just want to end it all")
    listed = json.loads(tickets(env, "list", "--json").output)
    assert [t["priority"] for t in listed] == ["urgent", "normal"]
    assert listed[0]["reason"] == "sensitive:crisis"


def test_the_customer_rates_the_conversation(agent):
    start = agent.respond("can I talk to a person?")
    agent.desk.resolve(start.ticket_id, "Sam")
    rating = agent.rate(start.conversation_id, 4, "Quick, thanks. Call me on 07700 900123")
    assert (rating.score, rating.escalated, rating.escalation_reason) == (4, True, "customer_request")
    assert "07700" not in rating.comment
    plain = agent.respond("How much is delivery?")
    assert agent.rate(plain.conversation_id, 5).escalated is False
    with pytest.raises(BadInput):
        agent.rate(plain.conversation_id, 6)
    with pytest.raises(NotFound):
        agent.rate("no-such-conversation", 3)


def test_a_scripted_model_is_not_called_while_a_person_has_the_conversation(env, minilm):
    model = ScriptedChatModel(replies=[])
    config = load_config(environ={**env, "TACTFUL_LLM__PROVIDER": "scripted"})
    agent = build_agent(config=config, chat_model=model, embedder=minilm)
    start = agent.respond("put me through to a human")
    agent.desk.assign(start.ticket_id, "Sam")
    assert agent.respond("How much is delivery?", start.conversation_id).text == ""
    assert model.calls == []


def test_the_tone_follows_the_mood(agent):
    upset = agent.respond("Honestly this is annoying. How much is delivery?")
    assert not upset.escalated and upset.sentiment.mood == "upset"
    assert "I understand this is frustrating." in upset.text and 'say "person"' in upset.text
    assert "anything else" not in upset.text  # no cheerfulness for an upset customer
    confused = agent.respond("I'm confused, I don't understand how much delivery costs")
    assert "Let me keep it simple." in confused.text
    body = confused.text.split("\n\n")[1]
    assert len(split_sentences(body)) <= 4  # "Let me keep it simple.", the lead-in, at most two sentences
    happy = agent.respond("Thanks so much, you've been really helpful! How much is delivery?")
    assert "Happy to help." in happy.text and "I'm sorry" not in happy.text
