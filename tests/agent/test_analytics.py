"""The analytics page's figures, from a real store filled by real (extractive) conversations, and from rows."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from agent.analytics import History, analytics_for, compute_analytics, load_history, summary_markdown
from agent.errors import BadInput

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


# -- NPS and the per-customer figures -----------------------------------------------------------------
def _contact(cid: str, at: datetime, *, name: str | None = None, moods: tuple[float | None, ...] = (0.0,)) -> tuple:
    """A conversation the customer wrote in: its row and one customer turn per mood (VADER compound; None: the
    message was not read for mood)."""
    turns = [_turn(cid, n, "customer", at + timedelta(minutes=n),
                   meta=None if m is None else {"mood": {"mood": "calm", "compound": m}})
             for n, m in enumerate(moods, start=1)]
    return {"id": cid, "customer_name": name}, turns


def _history(*contacts: tuple, tickets: list | None = None, ratings: list | None = None,
             verified: dict | None = None, extra: list | None = None) -> History:
    conversations = [c for c, _ in contacts] + (extra or [])
    return History(conversations, [t for _, ts in contacts for t in ts], tickets or [], ratings or [],
                   verified_customers=verified or {})


def test_no_ratings_and_no_customers_give_no_figures_rather_than_zeros():
    a = compute_analytics(_history(extra=[{"id": "opened-but-silent"}]))
    assert a.conversations == 1 and a.customer_conversations == 0 and a.containment_rate is None
    assert a.nps is None and a.nps_answers == 0 and a.csat is None
    c = a.per_customer
    assert c.customers == 0 and c.first_contact_resolution is None and c.repeat_contact_rate is None
    assert c.trend_customers == 0 and c.worsening_customers == []


def test_nps_is_promoters_minus_detractors_over_those_who_answered():
    every = [{"score": 5, "nps": n, "created_at": _at(2)} for n in (9, 10, 10)]
    assert compute_analytics(_history(ratings=every)).nps == 100.0
    mixed = [{"score": 5, "nps": 10, "created_at": _at(2)}, {"score": 4, "nps": 9, "created_at": _at(2)},
             {"score": 3, "nps": 7, "created_at": _at(2)}, {"score": 1, "nps": 6, "created_at": _at(2)},
             {"score": 4, "nps": None, "created_at": _at(2)}, {"score": 2, "created_at": _at(2)}]  # no answer
    a = compute_analytics(_history(ratings=mixed))
    assert (a.nps, a.nps_answers, a.promoters, a.detractors) == (25.0, 4, 2, 1)
    assert a.ratings == 6  # NPS is optional: every rating still counts for CSAT
    assert compute_analytics(_history(ratings=[{"score": 1, "nps": 0, "created_at": _at(2)}])).nps == -100.0


def test_resolution_without_a_human_counts_only_conversations_the_customer_wrote_in():
    a = compute_analytics(_history(_contact("alone", _at(2)), _contact("handed", _at(2)),
                                   tickets=[{"conversation_id": "handed", "reason": "frustration",
                                             "created_at": _at(2), "resolved_at": _at(2, 11)}],
                                   extra=[{"id": "proactive-only"}]))
    assert a.conversations == 3 and a.customer_conversations == 2
    assert a.contained == 1 and a.containment_rate == 0.5


def test_a_return_within_seven_days_is_a_repeat_contact_and_spoils_first_contact_resolution():
    history = _history(
        _contact("soon-1", _at(1), name="Ada Lovelace"), _contact("soon-2", _at(4), name="  ada   LOVELACE "),
        _contact("late-1", _at(1), name="Grace Hopper"), _contact("late-2", _at(11), name="Grace Hopper"),
        _contact("once", _at(2)))  # no name, not verified: a customer of its own
    c = compute_analytics(history).per_customer
    assert c.customers == 3 and c.repeat_window_days == 7
    assert (c.repeat_customers, c.repeat_contact_rate) == (1, 0.3333)  # Ada came back after 3 days
    assert (c.first_contact_resolved, c.first_contact_resolution) == (2, 0.6667)  # Grace after 10: resolved
    narrow = compute_analytics(history, repeat_window=timedelta(days=2)).per_customer
    assert narrow.repeat_customers == 0 and narrow.first_contact_resolved == 3 and narrow.repeat_window_days == 2


def test_a_ticket_left_open_in_the_first_contact_is_not_first_contact_resolution():
    tickets = [{"conversation_id": "open", "reason": "frustration", "created_at": _at(2), "resolved_at": None},
               {"conversation_id": "done", "reason": "customer_request", "created_at": _at(2),
                "resolved_at": _at(2, 12)}]
    c = compute_analytics(_history(_contact("open", _at(2)), _contact("done", _at(2)), tickets=tickets)).per_customer
    assert c.customers == 2 and c.first_contact_resolved == 1  # a person resolving it still counts


def test_a_verified_customer_is_one_customer_across_conversations_whatever_name_they_gave():
    history = _history(_contact("v1", _at(1), name="Jo"), _contact("v2", _at(3)), _contact("v3", _at(3), name="Jo"),
                       verified={"v1": 42, "v2": 42})
    c = compute_analytics(history).per_customer
    # v1 and v2 are customer 42 (back after 2 days); v3 only gave the name "Jo", which proves nothing: its own.
    assert c.customers == 2 and c.repeat_customers == 1 and c.first_contact_resolved == 1


def test_the_sentiment_trend_compares_the_first_and_latest_contact_and_names_nobody():
    history = _history(
        _contact("a1", _at(1), name="Ada Lovelace", moods=(0.6, 0.4)), _contact("a2", _at(20), name="Ada Lovelace"),
        _contact("a3", _at(25), name="Ada Lovelace", moods=(-0.5, -0.7)),  # 0.5 -> -0.6: worsening
        _contact("g1", _at(1), name="Grace", moods=(-0.4,)), _contact("g2", _at(15), name="Grace", moods=(0.3,)),
        _contact("s1", _at(1), name="Sam", moods=(0.1,)), _contact("s2", _at(15), name="Sam", moods=(0.15,)),
        _contact("n1", _at(1), name="Nat", moods=(None,)), _contact("n2", _at(15), name="Nat", moods=(-0.9,)),  # 1 read
        _contact("once", _at(1), moods=(-0.9,)))
    c = compute_analytics(history).per_customer
    assert (c.improving, c.steady, c.worsening, c.trend_customers) == (1, 1, 1, 3)
    [ada] = c.worsening_customers
    assert (ada.contacts, ada.first_mood, ada.latest_mood, ada.change) == (3, 0.5, -0.6, -1.1)
    assert re.fullmatch(r"[0-9a-f]{10}", ada.key)  # opaque: no name, no email
    shown = summary_markdown(compute_analytics(history))
    assert f"`{ada.key}` +0.50 → -0.60" in shown and "Ada" not in shown and "Lovelace" not in shown


def test_the_page_states_every_new_figure():
    ratings = [{"score": 5, "nps": 10, "created_at": _at(2)}]
    shown = summary_markdown(compute_analytics(_history(_contact("x", _at(2)), ratings=ratings)))
    for words in ("resolution without a human: containment **100%**", "NPS **+100** of 1 answers",
                  "first-contact resolution **100%**", "repeat contact within 7 days **0%** (a churn signal)",
                  "**0** improving, **0** steady, **0** worsening"):
        assert words in shown, words


def test_nps_answers_and_verified_customers_come_from_the_store(agent):
    business = agent.config.collection_name
    jo = agent.store.upsert_customer(business, "C1", name="Jo Quill")
    first = agent.respond("How much is delivery?").conversation_id
    again = agent.respond("Do you deliver on Saturdays?").conversation_id
    stranger = agent.respond("Hello").conversation_id
    for cid in (first, again):
        agent.store.save_account_session(cid, customer_id=jo.id, verified_at=_at(1), failed_attempts=0, pending={})
    agent.store.save_account_session(stranger, customer_id=None, verified_at=None, failed_attempts=2, pending={})
    assert agent.rate(first, 5, "lovely", nps=10).nps == 10
    agent.rate(again, 4)
    with pytest.raises(BadInput, match="0 to 10"):
        agent.rate(again, 4, nps=11)
    with pytest.raises(BadInput, match="0 to 10"):
        agent.rate(again, 4, nps=True)
    assert agent.store.rating(again).nps is None and agent.store.rating(first).nps == 10

    history = load_history(agent.store, business)
    assert history.verified_customers == {first: jo.id, again: jo.id}  # the failed verification links nobody
    a = compute_analytics(history)
    assert (a.nps, a.nps_answers) == (100.0, 1)
    assert a.per_customer.customers == 2 and a.per_customer.repeat_customers == 1
    agent.rate(first, 5)  # a new rating replaces the old one, NPS answer included
    assert analytics_for(agent.store, business).nps is None
