"""Hand-offs to people: opening a ticket with the whole story, and the operator's actions on it.

The same functions serve the command line (``tactful tickets ...``) and, later, the web console.
While a person owns a conversation (ticket ``assigned``) the assistant stays silent; a person's
messages are stored as from a person (role ``agent``, with their name), redacted like every other
message; handing back or resolving returns the conversation to the assistant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from agent.errors import BadInput, NotFound
from agent.escalation import EscalationDecision
from agent.handoff_summary import summarise
from agent.sentiment import EmotionalState
from agent.store import ConversationStore, StoredTurn, Ticket
from agent.store.conversation_store import TICKET_STATUSES
from agent.store.models import utcnow
from guardrails import clean_text
from guardrails.pii import find_pii

MAX_AGENT_MESSAGE = 4000
#: A person viewing the same conversation again within this many minutes is not recorded again.
VIEW_AUDIT_MINUTES = 10


@dataclass(frozen=True)
class TicketView:
    """A ticket with everything a person needs to take over."""

    ticket: Ticket
    transcript: list[StoredTurn]
    customer_name: str | None
    channel: str


class HandoffDesk:
    """Opens tickets and carries out a person's actions on them."""

    def __init__(self, store: ConversationStore, business: str,
                 on_handoff: "Callable[[Ticket], None] | None" = None) -> None:
        self.store = store
        self.business = business
        self.on_handoff = on_handoff  # e.g. the signed webhook to the business's own inbox

    # -- the assistant's side -----------------------------------------------------------------
    def open_ticket(self, conversation_id: str, decision: EscalationDecision,
                    state: EmotionalState | None) -> Ticket:
        """A ticket for this conversation, or the one already waiting (a conversation is handed over once)."""
        existing = self.store.active_ticket(conversation_id)
        if existing is not None:
            return existing
        summary = summarise(self.store.turns(conversation_id), decision, state)
        ticket = self.store.create_ticket(conversation_id, self.business, reason=decision.reason or "unspecified",
                                          priority=decision.priority, summary=summary,
                                          mood=state.to_dict() if state else {})
        if self.on_handoff is not None:
            self.on_handoff(ticket)
        return ticket

    # -- the person's side --------------------------------------------------------------------
    def list(self, status: str | None = None) -> list[Ticket]:
        """This business's tickets in queue order (never another business's: see agent/tenants.py)."""
        if status is not None and status not in TICKET_STATUSES:
            raise BadInput(f"unknown ticket status {status!r}; use one of {', '.join(TICKET_STATUSES)}.")
        return self.store.tickets(status=status, business=self.business)

    def show(self, ticket_id: int, viewer: str | None = None) -> TicketView:
        """The ticket with its transcript; a named ``viewer`` is recorded in the audit trail (once in
        ``VIEW_AUDIT_MINUTES`` per person and conversation, so a console that refreshes does not flood it)."""
        ticket = self._get(ticket_id)
        if viewer:
            self._audit_view(viewer, ticket.conversation_id)
        info = self.store.get_conversation(ticket.conversation_id)
        return TicketView(ticket, self.store.turns(ticket.conversation_id),
                          info.customer_name if info else None, info.channel if info else "?")

    def _audit_view(self, viewer: str, conversation_id: str) -> None:
        recent = utcnow() - timedelta(minutes=VIEW_AUDIT_MINUTES)
        if any(e.actor == viewer and e.action == "viewed" and e.at >= recent
               for e in self.store.audit_events(self.business, conversation_id=conversation_id)[-20:]):
            return
        self.store.audit(self.business, viewer, "viewed", conversation_id)

    def assign(self, ticket_id: int, agent_name: str) -> Ticket:
        """A person takes the conversation over; from now on the assistant stays silent in it."""
        ticket = self._open(ticket_id)
        name = _agent_name(agent_name)
        return self.store.update_ticket(ticket.id, status="assigned", assignee=name)

    def reply(self, ticket_id: int, agent_name: str, text: str) -> StoredTurn:
        """A person's message to the customer; replying takes the ticket if nobody has it yet."""
        ticket = self._open(ticket_id)
        name = _agent_name(agent_name)
        cleaned = clean_text(text).text.strip()
        if not cleaned:
            raise BadInput("the reply is empty; write what the customer should read.")
        if len(cleaned) > MAX_AGENT_MESSAGE:
            raise BadInput(f"the reply is {len(cleaned):,} characters; keep it under {MAX_AGENT_MESSAGE:,}.")
        if ticket.status != "assigned" or ticket.assignee != name:
            self.store.update_ticket(ticket.id, status="assigned", assignee=name)
        seq = self.store.append_turn(ticket.conversation_id, "agent", _redact_all_but(cleaned, name), status="sent",
                                     meta={"agent_name": name, "is_person": True, "ticket_id": ticket.id})
        return next(t for t in self.store.turns(ticket.conversation_id) if t.seq == seq)

    def hand_back(self, ticket_id: int, agent_name: str) -> Ticket:
        """The person gives the conversation back to the assistant (the ticket closes as handed back)."""
        self._open(ticket_id)
        return self.store.update_ticket(ticket_id, status="resolved", resolution="handed_back",
                                        assignee=_agent_name(agent_name))

    def resolve(self, ticket_id: int, agent_name: str) -> Ticket:
        self._open(ticket_id)
        return self.store.update_ticket(ticket_id, status="resolved", resolution="resolved",
                                        assignee=_agent_name(agent_name))

    def _get(self, ticket_id: int) -> Ticket:
        ticket = self.store.get_ticket(int(ticket_id))
        if ticket is None or ticket.business != self.business:  # another business's ticket does not exist here
            raise NotFound(f"there is no ticket {ticket_id}; `tactful tickets list` shows the queue.")
        return ticket

    def _open(self, ticket_id: int) -> Ticket:
        ticket = self._get(ticket_id)
        if ticket.status == "resolved":
            raise BadInput(f"ticket {ticket_id} is already resolved ({ticket.resolution}); nothing to do.")
        return ticket


def waiting_minutes(ticket: Ticket, now: datetime) -> int:
    end = ticket.assigned_at or ticket.resolved_at or now
    return max(0, int((end - ticket.created_at).total_seconds() // 60))


def _agent_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise BadInput("say who you are (--as NAME): the customer sees the name of the person replying.")
    if len(name) > 80:
        raise BadInput("the name is too long (over 80 characters).")
    return name


def _redact_all_but(text: str, agent_name: str) -> str:
    """Personal data redacted as everywhere else, except the person's own name, which they chose to show."""
    own = set(agent_name.split())
    spans = [s for s in find_pii(text) if not (s.type == "PERSON" and set(text[s.start:s.end].split()) <= own)]
    for span in sorted(spans, key=lambda s: s.start, reverse=True):
        text = f"{text[:span.start]}<{span.type}>{text[span.end:]}"
    return text
