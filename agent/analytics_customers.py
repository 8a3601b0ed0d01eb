"""The analytics page's per-customer figures: first-contact resolution, repeat contact, mood across visits.

Kept apart from ``agent.analytics`` (which defines the figures in words) because these need one extra step
the per-conversation figures do not: deciding which conversations belong to the same customer. That key is
the verified customer id where a verification showed who wrote, else the name the customer gave (case and
spacing ignored), else the conversation alone; so a customer who never verified nor named themselves counts
once per conversation, and first-contact resolution leans optimistic rather than inventing links.

Only conversations in which the customer wrote at least once are *contacts*; a contact's time is that of
its first customer message, and its mood is the mean VADER compound (-1 to 1) of its customer messages.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from agent.analytics import History

#: A second contact this soon after the previous one counts as a repeat (the issue's 7 days).
REPEAT_WINDOW = timedelta(days=7)
#: A change in mean mood smaller than this is "steady": the width of VADER's neutral band (-0.05 to 0.05).
STEADY_WITHIN = 0.1
#: How many worsening customers the page lists.
TOP_WORSENING = 10


@dataclass(frozen=True)
class CustomerTrend:
    """One customer's mood in their first and latest contact; ``key`` is opaque (see ``opaque_key``)."""

    key: str
    contacts: int
    first_mood: float
    latest_mood: float

    @property
    def change(self) -> float:
        return round(self.latest_mood - self.first_mood, 4)


@dataclass(frozen=True)
class CustomerFigures:
    """The per-customer figures; rates are shares in [0, 1], None when there is nobody to count."""

    customers: int = 0
    first_contact_resolved: int = 0
    first_contact_resolution: float | None = None
    repeat_customers: int = 0
    repeat_contact_rate: float | None = None
    repeat_window_days: float = REPEAT_WINDOW.total_seconds() / 86400
    #: Customers with two or more contacts that had a mood reading, split by how their mood moved.
    improving: int = 0
    steady: int = 0
    worsening: int = 0
    #: The worsening customers, largest drop first.
    worsening_customers: list[CustomerTrend] = field(default_factory=list)

    @property
    def trend_customers(self) -> int:
        return self.improving + self.steady + self.worsening


@dataclass(frozen=True)
class _Contact:
    conversation_id: str
    at: datetime
    moods: list[float]
    unresolved_ticket: bool

    @property
    def mood(self) -> float | None:
        return sum(self.moods) / len(self.moods) if self.moods else None


def customer_key(conversation: Mapping[str, Any], verified_customers: Mapping[str, int]) -> str:
    """Who wrote in this conversation, as far as the store can tell (see the module docstring)."""
    cid = conversation["id"]
    if cid in verified_customers:
        return f"customer:{verified_customers[cid]}"
    name = " ".join(str(conversation.get("customer_name") or "").split()).casefold()
    return f"name:{name}" if name else f"conversation:{cid}"


def opaque_key(key: str) -> str:
    """A short, stable stand-in for a customer key, so the page can point at a customer without showing a name.

    Pseudonymous, not anonymous: someone who already knows a name can confirm it by hashing it.
    """
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]


def customer_figures(history: "History", *, repeat_window: timedelta = REPEAT_WINDOW,
                     steady_within: float = STEADY_WITHIN, top: int = TOP_WORSENING) -> CustomerFigures:
    """The per-customer figures from the rows; pure, like ``compute_analytics``."""
    by_customer = _contacts_by_customer(history)
    resolved = repeat = 0
    trends: list[CustomerTrend] = []
    for key, contacts in by_customer.items():
        first, *later = contacts
        came_back_soon = bool(later) and later[0].at - first.at <= repeat_window
        resolved += int(not first.unresolved_ticket and not came_back_soon)
        repeat += int(any(b.at - a.at <= repeat_window for a, b in zip(contacts, contacts[1:])))
        read = [c for c in contacts if c.mood is not None]
        if len(read) >= 2:
            trends.append(CustomerTrend(opaque_key(key), len(contacts), round(read[0].mood, 4),
                                        round(read[-1].mood, 4)))
    total = len(by_customer)
    worsening = sorted((t for t in trends if t.change <= -steady_within), key=lambda t: (t.change, t.key))
    improving = sum(1 for t in trends if t.change >= steady_within)
    return CustomerFigures(
        customers=total,
        first_contact_resolved=resolved,
        first_contact_resolution=round(resolved / total, 4) if total else None,
        repeat_customers=repeat,
        repeat_contact_rate=round(repeat / total, 4) if total else None,
        repeat_window_days=round(repeat_window.total_seconds() / 86400, 2),
        improving=improving,
        steady=len(trends) - improving - len(worsening),
        worsening=len(worsening),
        worsening_customers=worsening[:top],
    )


def _contacts_by_customer(history: "History") -> dict[str, list[_Contact]]:
    """Each customer's contacts, earliest first (ties by conversation id, so the result never depends on order)."""
    first_message: dict[str, datetime] = {}
    moods: dict[str, list[float]] = defaultdict(list)
    for turn in history.turns:
        if turn["role"] != "customer":
            continue
        cid = turn["conversation_id"]
        first_message[cid] = min(first_message.get(cid, turn["created_at"]), turn["created_at"])
        compound = ((turn.get("meta") or {}).get("mood") or {}).get("compound")
        if isinstance(compound, (int, float)) and not isinstance(compound, bool):
            moods[cid].append(float(compound))
    open_tickets = {t["conversation_id"] for t in history.tickets if t.get("resolved_at") is None}
    by_customer: dict[str, list[_Contact]] = defaultdict(list)
    for conversation in history.conversations:
        cid = conversation["id"]
        if cid in first_message:
            by_customer[customer_key(conversation, history.verified_customers)].append(
                _Contact(cid, first_message[cid], moods.get(cid, []), cid in open_tickets))
    return {key: sorted(contacts, key=lambda c: (c.at, c.conversation_id)) for key, contacts in by_customer.items()}
