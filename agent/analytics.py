"""What the shop owner learns from the conversations: pure figures computed from the store (no web framework).

``load_history`` reads one business's conversations, turns, tickets, ratings and which verified customer
wrote in each through the store's bulk queries; everything after that is plain Python over the rows, so the
figures are easy to test.

Definitions (the page shows them in words):
- *resolution without a human* (containment, ``contained``): of the conversations in which the customer wrote
  at least once, the share that never opened a hand-off ticket (the assistant handled it alone);
- *escalation rate by reason*: tickets with that reason per conversation;
- *CSAT*: the share of ratings that are 4 or 5;
- *NPS*: over the ratings that answered the optional 0-10 "how likely are you to recommend us?", the
  percentage of promoters (9-10) minus the percentage of detractors (0-6), from -100 to 100;
- *customer*: the verified customer where a verification showed who wrote, else the name they gave (case
  and spacing ignored), else the conversation itself; a *contact* is a conversation the customer wrote in;
- *first-contact resolution*: the share of customers whose first contact left no ticket unresolved and was
  not followed by another contact from them within 7 days (``repeat_window``);
- *repeat-contact rate* (a churn signal): the share of customers with a contact within 7 days of their
  previous one;
- *sentiment trend*: for customers with two or more contacts, the mean mood (VADER compound, -1 to 1) of
  their customer messages in the first contact against the latest; a change of 0.1 or more either way is
  improving or worsening, less is steady; worsening customers are listed by an opaque key, never a name;
- *first response*: from a ticket being opened to the first message a person wrote in that conversation;
- *resolution*: from a ticket being opened to it being resolved or handed back;
- *unanswered question*: a customer message the assistant replied to with outcome ``unknown``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import TYPE_CHECKING, Any

from agent.analytics_customers import REPEAT_WINDOW, CustomerFigures, customer_figures

if TYPE_CHECKING:
    from agent.store import ConversationStore

#: How many unanswered questions the page lists.
TOP_UNANSWERED = 10


@dataclass(frozen=True)
class History:
    """The rows the figures are computed from: plain dicts, one business."""

    conversations: list[dict[str, Any]]
    turns: list[dict[str, Any]]
    tickets: list[dict[str, Any]]
    ratings: list[dict[str, Any]]
    #: {conversation id: customer id} where a verification showed who wrote (links a customer's conversations).
    verified_customers: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Analytics:
    """Every figure of the analytics page. Times are in minutes; rates are shares in [0, 1]."""

    conversations: int
    contained: int
    containment_rate: float | None
    escalations: int
    escalations_by_reason: dict[str, int]
    escalation_rate_by_reason: dict[str, float]
    #: (day, mood, number of customer messages read in that mood), days ascending.
    mood_by_day: list[tuple[date, str, int]]
    ratings: int
    csat: float | None
    average_rating: float | None
    #: (day, CSAT of that day's ratings, number of ratings), days ascending.
    csat_by_day: list[tuple[date, float, int]]
    rating_counts: dict[int, int]
    first_response_minutes: list[float] = field(default_factory=list)
    resolution_minutes: list[float] = field(default_factory=list)
    #: (question as the customer wrote it, redacted; how often it went unanswered), most frequent first.
    unanswered: list[tuple[str, int]] = field(default_factory=list)
    #: Conversations in which the customer wrote at least once: the base of ``containment_rate``.
    customer_conversations: int = 0
    #: NPS from -100 to 100 over ``nps_answers`` answers (None: nobody answered), and its two sides.
    nps: float | None = None
    nps_answers: int = 0
    promoters: int = 0
    detractors: int = 0
    #: First-contact resolution, repeat contact and the sentiment trend, counted per customer.
    per_customer: CustomerFigures = field(default_factory=CustomerFigures)

    @property
    def median_first_response_minutes(self) -> float | None:
        return round(median(self.first_response_minutes), 1) if self.first_response_minutes else None

    @property
    def median_resolution_minutes(self) -> float | None:
        return round(median(self.resolution_minutes), 1) if self.resolution_minutes else None


def load_history(store: "ConversationStore", business: str, *, since: datetime | None = None) -> History:
    """All of one business's conversations (started at or after ``since``) with their turns, tickets, ratings."""
    ids = store.conversation_ids(business, since=since)
    records = store.records(ids)
    return History(records.conversations, records.turns, records.tickets, records.ratings,
                   verified_customers=store.verified_customers(ids))


def compute_analytics(history: History, *, top: int = TOP_UNANSWERED,
                      repeat_window: timedelta = REPEAT_WINDOW) -> Analytics:
    """The page's figures from the rows; pure, so tests can feed it rows of their own."""
    total = len(history.conversations)
    ids = {c["id"] for c in history.conversations}
    wrote = {t["conversation_id"] for t in history.turns if t["role"] == "customer"} & ids
    contained = len(wrote - {t["conversation_id"] for t in history.tickets})
    by_reason = Counter(t["reason"] for t in history.tickets)

    mood_counts: Counter[tuple[date, str]] = Counter()
    for turn in history.turns:
        mood = (turn.get("meta") or {}).get("mood") or {}
        if turn["role"] == "customer" and mood.get("mood"):
            mood_counts[(turn["created_at"].date(), mood["mood"])] += 1

    scores = [r["score"] for r in history.ratings]
    answers = [r["nps"] for r in history.ratings if r.get("nps") is not None]
    per_day: dict[date, list[int]] = defaultdict(list)
    for rating in history.ratings:
        per_day[rating["created_at"].date()].append(rating["score"])

    return Analytics(
        conversations=total,
        contained=contained,
        containment_rate=round(contained / len(wrote), 4) if wrote else None,
        escalations=len(history.tickets),
        escalations_by_reason=dict(by_reason.most_common()),
        escalation_rate_by_reason=({reason: round(n / total, 4) for reason, n in by_reason.most_common()}
                                   if total else {}),
        mood_by_day=sorted((day, mood, n) for (day, mood), n in mood_counts.items()),
        ratings=len(scores),
        csat=_csat(scores),
        average_rating=round(sum(scores) / len(scores), 2) if scores else None,
        csat_by_day=[(day, _csat(s) or 0.0, len(s)) for day, s in sorted(per_day.items())],
        rating_counts={score: scores.count(score) for score in range(1, 6)},
        first_response_minutes=_first_responses(history),
        resolution_minutes=[_minutes(t["created_at"], t["resolved_at"]) for t in history.tickets
                            if t["resolved_at"] is not None],
        unanswered=_unanswered(history.turns, top),
        customer_conversations=len(wrote),
        nps=_nps(answers),
        nps_answers=len(answers),
        promoters=sum(1 for n in answers if n >= 9),
        detractors=sum(1 for n in answers if n <= 6),
        per_customer=customer_figures(history, repeat_window=repeat_window),
    )


def analytics_for(store: "ConversationStore", business: str, *, since: datetime | None = None) -> Analytics:
    """``compute_analytics(load_history(...))``: the one call the web page makes."""
    return compute_analytics(load_history(store, business, since=since))


def summary_markdown(a: Analytics | None) -> str:
    """The headline figures in a few Markdown lines (None: the reader is not signed in)."""
    if a is None:
        return "Sign in first."
    pct = lambda v: "n/a" if v is None else f"{v:.0%}"  # noqa: E731
    mins = lambda v: "n/a" if v is None else f"{v:g} min"  # noqa: E731
    c = a.per_customer
    lines = [f"**{a.conversations}** conversations · resolution without a human: containment "
             f"**{pct(a.containment_rate)}** ({a.contained} of the {a.customer_conversations} the customer wrote in "
             f"never reached a person) · **{a.escalations}** hand-offs",
             f"CSAT **{pct(a.csat)}** of {a.ratings} ratings (share of 4 and 5) · average "
             f"{'n/a' if a.average_rating is None else a.average_rating} · NPS **"
             f"{'n/a' if a.nps is None else f'{a.nps:+g}' if a.nps else '0'}** of {a.nps_answers} answers ({a.promoters} promoters "
             f"9-10, {a.detractors} detractors 0-6)",
             f"Median first response by a person **{mins(a.median_first_response_minutes)}** · "
             f"median resolution **{mins(a.median_resolution_minutes)}**",
             f"**{c.customers}** customers · first-contact resolution **{pct(c.first_contact_resolution)}** "
             f"(no open ticket, no return within {c.repeat_window_days:g} days) · repeat contact within "
             f"{c.repeat_window_days:g} days **{pct(c.repeat_contact_rate)}** (a churn signal)",
             f"Mood from first to latest conversation, for customers with two or more ({c.trend_customers}): "
             f"**{c.improving}** improving, **{c.steady}** steady, **{c.worsening}** worsening"]
    if c.worsening_customers:
        lines.append("Worsening (customer key: mood first → latest, -1 to 1): " + ", ".join(
            f"`{t.key}` {t.first_mood:+.2f} → {t.latest_mood:+.2f}" for t in c.worsening_customers))
    return "\n\n".join(lines)


def _nps(answers: list[int]) -> float | None:
    """Promoters (9-10) minus detractors (0-6), in percentage points of all answers; passives (7-8) only dilute."""
    if not answers:
        return None
    return round(100 * (sum(1 for n in answers if n >= 9) - sum(1 for n in answers if n <= 6)) / len(answers), 1)


def _csat(scores: list[int]) -> float | None:
    return round(sum(1 for s in scores if s >= 4) / len(scores), 4) if scores else None


def _minutes(start: datetime, end: datetime) -> float:
    return round(max(0.0, (end - start).total_seconds()) / 60, 2)


def _first_responses(history: History) -> list[float]:
    """Per ticket: minutes until a person first wrote in its conversation (tickets nobody answered are left out)."""
    person_times: dict[str, list[datetime]] = defaultdict(list)
    for turn in history.turns:
        if turn["role"] == "agent":
            person_times[turn["conversation_id"]].append(turn["created_at"])
    out = []
    for ticket in history.tickets:
        later = [t for t in person_times.get(ticket["conversation_id"], []) if t >= ticket["created_at"]]
        if later:
            out.append(_minutes(ticket["created_at"], min(later)))
    return out


def _unanswered(turns: list[dict[str, Any]], top: int) -> list[tuple[str, int]]:
    """Customer messages answered "I don't know", grouped by their wording (case and spacing ignored)."""
    counts: Counter[str] = Counter()
    shown: dict[str, tuple[datetime, str]] = {}  # the wording first seen (earliest) stands for the group
    previous: dict[str, dict[str, Any]] = {}
    for turn in turns:  # ordered by conversation, then seq
        cid = turn["conversation_id"]
        if turn["role"] == "customer":
            previous[cid] = turn
        elif turn["role"] == "assistant" and turn.get("outcome") == "unknown" and cid in previous:
            asked = previous.pop(cid)
            text = asked["text"].strip()
            key = re.sub(r"[\s?!.]+", " ", text.lower()).strip()
            counts[key] += 1
            shown[key] = min(shown.get(key, (asked["created_at"], text)), (asked["created_at"], text))
    return [(shown[key][1], n) for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
