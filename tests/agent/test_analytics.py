"""The analytics page's figures, from a real store filled by real (extractive) conversations, and from rows."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from agent.analytics import History, analytics_for, compute_analytics, load_history

KB = {
    "delivery.md": "# Delivery\n\nWe deliver within 3 miles of the shop. Delivery costs £4.50, and it is free on "
                   "orders over £40.\n",
    "refunds.md": "# Refunds\n\nIf something you bought is damaged or wrong, tell us within 48 hours with a photo "
                  "and we will refund you in full or replace it.\n",
}


@pytest.fixture
def agent(extractive_agent_over):
    return extractive_agent_over(KB)


@pytest.fixture
def history(agent):
    """Five conversations: two answered alone, one unanswered twice over, one asked for a person, one looped."""
    answered = agent.respond("How much is delivery?")
    agent.rate(answered.conversation_id, 5)
    gift = agent.respond("Do you sell gift cards?")
    agent.rate(gift.conversation_id, 2, "it did not know")
    assert gift.outcome == "unknown"
    assert agent.respond("do you sell gift cards").outcome == "unknown"  # the same question, other wording
    person = agent.respond("Can I talk to a human please?")
    agent.desk.reply(person.ticket_id, "Sam", "Hi, I'm Sam from the bakery, how can I help?")
    agent.desk.resolve(person.ticket_id, "Sam")
    agent.rate(person.conversation_id, 4)
    lost = agent.respond("Where is my order?")
    assert lost.outcome == "unknown"
    assert agent.respond("where is my order??", lost.conversation_id).escalation_reason == "loop"
    agent.store.create_conversation("another-shop")  # someone else's business is not counted
    return agent


def test_the_figures_of_a_real_day_of_conversations(history):
    a = analytics_for(history.store, history.config.collection_name)
    assert a.conversations == 5
    assert a.contained == 3 and a.containment_rate == 0.6  # no ticket: the assistant handled them alone
    assert a.escalations == 2
    assert a.escalations_by_reason == {"customer_request": 1, "loop": 1}
    assert a.escalation_rate_by_reason == {"customer_request": 0.2, "loop": 0.2}
    assert a.ratings == 3 and a.rating_counts == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert a.csat == pytest.approx(2 / 3, abs=1e-4) and a.average_rating == pytest.approx(3.67)
    assert [(n, round(c, 4)) for _, c, n in a.csat_by_day] == [(3, 0.6667)]
    assert a.unanswered == [("Do you sell gift cards?", 2), ("Where is my order?", 1)]
    assert sum(n for _, _, n in a.mood_by_day) == 6  # every customer message was read for mood
    assert len(a.first_response_minutes) == 1 and a.first_response_minutes[0] < 1  # Sam answered the one ticket
    assert len(a.resolution_minutes) == 1  # the loop ticket is still open


def test_since_leaves_out_older_conversations(history):
    later = datetime.now(timezone.utc) + timedelta(minutes=1)
    assert load_history(history.store, history.config.collection_name, since=later).conversations == []
    empty = analytics_for(history.store, history.config.collection_name, since=later)
    assert empty.conversations == 0 and empty.containment_rate is None and empty.csat is None
    assert empty.median_first_response_minutes is None and empty.unanswered == []


def _at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=timezone.utc)


def _turn(conversation_id: str, seq: int, role: str, at: datetime, meta: dict | None = None) -> dict:
    return {"conversation_id": conversation_id, "seq": seq, "role": role, "text": "...", "outcome": None,
            "created_at": at, "meta": meta or {}}


def test_times_and_the_csat_trend_from_rows():
    conversations = [{"id": c} for c in ("a", "b", "c")]
    tickets = [
        {"conversation_id": "a", "reason": "frustration", "created_at": _at(2), "resolved_at": _at(2, 11)},
        {"conversation_id": "b", "reason": "frustration", "created_at": _at(2), "resolved_at": None},
        {"conversation_id": "c", "reason": "customer_request", "created_at": _at(3), "resolved_at": _at(3, 10, 30)},
    ]
    turns = [  # people answered a after 12 minutes, c after 4; b waits; an earlier person message does not count
        _turn("a", 1, "agent", _at(1)), _turn("a", 2, "agent", _at(2, 10, 12)), _turn("a", 3, "agent", _at(2, 10, 20)),
        _turn("c", 1, "agent", _at(3, 10, 4)), _turn("c", 2, "customer", _at(3), meta={"mood": {"mood": "upset"}}),
    ]
    ratings = [{"score": 5, "created_at": _at(2)}, {"score": 1, "created_at": _at(2)},
               {"score": 4, "created_at": _at(3)}]
    a = compute_analytics(History(conversations, turns, tickets, ratings))
    assert a.first_response_minutes == [12.0, 4.0] and a.median_first_response_minutes == 8.0
    assert a.resolution_minutes == [60.0, 30.0] and a.median_resolution_minutes == 45.0
    assert a.csat_by_day == [(date(2026, 3, 2), 0.5, 2), (date(2026, 3, 3), 1.0, 1)]
    assert a.mood_by_day == [(date(2026, 3, 3), "upset", 1)]
    assert a.contained == 0 and a.escalation_rate_by_reason == {"frustration": 0.6667, "customer_request": 0.3333}
