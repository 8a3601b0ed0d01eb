"""Many conversations at once: the records behind reports and exports, erasure, retention and the audit trail.

Part of ``ConversationStore`` (a mixin over its sessions), kept apart because these queries serve the
business and its customers' rights, not the turn: they read or remove whole conversations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import delete, func, select, update

from agent.store.models import AccountSessionRow, AuditRow, ConversationRow, RatingRow, TicketRow, TurnRow, utcnow

#: How many ids go into one ``IN (...)`` (SQLite allows 32,766 parameters; stay far below).
_BATCH = 500


@dataclass
class ConversationRecords:
    """Rows of some conversations, as plain dicts: conversations, their turns, tickets and ratings."""

    conversations: list[dict[str, Any]] = field(default_factory=list)
    turns: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    ratings: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class AuditEvent:
    business: str
    actor: str
    action: str
    conversation_id: str | None
    detail: str
    at: datetime


def _batches(ids: Sequence[str]) -> Iterable[list[str]]:
    ids = list(ids)
    for start in range(0, len(ids), _BATCH):
        yield ids[start:start + _BATCH]


class BulkRecords:
    """Mixed into ``ConversationStore``; uses its ``_session``."""

    def conversation_ids(self, business: str, *, ids: Sequence[str] = (), customer_name: str | None = None,
                         updated_before: datetime | None = None, since: datetime | None = None) -> list[str]:
        """The business's conversations that match every given filter (none given: all of them)."""
        query = select(ConversationRow.id).where(ConversationRow.business == business)
        if ids:
            query = query.where(ConversationRow.id.in_(list(ids)))
        if customer_name is not None:
            query = query.where(func.lower(ConversationRow.customer_name) == customer_name.strip().lower())
        if updated_before is not None:
            query = query.where(ConversationRow.updated_at < updated_before)
        if since is not None:
            query = query.where(ConversationRow.created_at >= since)
        with self._session("find conversations") as session:
            return list(session.scalars(query.order_by(ConversationRow.created_at)).all())

    def records(self, conversation_ids: Sequence[str]) -> ConversationRecords:
        """Everything stored about these conversations (reports, exports)."""
        out = ConversationRecords()
        with self._session("read conversations") as session:
            for ids in _batches(conversation_ids):
                out.conversations += _rows(session, select(*ConversationRow.__table__.columns)
                                           .where(ConversationRow.id.in_(ids)).order_by(ConversationRow.created_at))
                out.turns += _rows(session, select(*TurnRow.__table__.columns).where(TurnRow.conversation_id.in_(ids))
                                   .order_by(TurnRow.conversation_id, TurnRow.seq))
                out.tickets += _rows(session, select(*TicketRow.__table__.columns)
                                     .where(TicketRow.conversation_id.in_(ids)).order_by(TicketRow.id))
                out.ratings += _rows(session, select(*RatingRow.__table__.columns)
                                     .where(RatingRow.conversation_id.in_(ids)))
        return out

    def verified_customers(self, conversation_ids: Sequence[str]) -> dict[str, int]:
        """{conversation id: customer id} for those of these conversations whose customer proved who they are
        (analytics counts one customer across their conversations; unverified ones are left out)."""
        out: dict[str, int] = {}
        with self._session("read verified customers") as session:
            for ids in _batches(conversation_ids):
                rows = session.execute(
                    select(AccountSessionRow.conversation_id, AccountSessionRow.customer_id)
                    .where(AccountSessionRow.conversation_id.in_(ids), AccountSessionRow.customer_id.is_not(None),
                           AccountSessionRow.verified_at.is_not(None)))
                out.update({conversation_id: customer_id for conversation_id, customer_id in rows})
        return out

    def delete_conversations(self, conversation_ids: Sequence[str]) -> int:
        """Remove conversations with their turns, tickets, ratings and audit events; returns how many went."""
        removed = 0
        with self._session("erase conversations") as session:
            for ids in _batches(conversation_ids):
                for table in (TurnRow, TicketRow, RatingRow):  # explicit: not every database cascades
                    session.execute(delete(table).where(table.conversation_id.in_(ids)))
                session.execute(delete(AuditRow).where(AuditRow.conversation_id.in_(ids)))
                removed += session.execute(delete(ConversationRow).where(ConversationRow.id.in_(ids))).rowcount or 0
        return removed

    def anonymise_conversations(self, conversation_ids: Sequence[str], note: str) -> int:
        """Keep the shape for analytics (outcomes, moods, times), drop every word: texts become ``note``,
        names, summaries and comments are cleared, sources and rail verdicts go."""
        changed = 0
        with self._session("anonymise conversations") as session:
            for ids in _batches(conversation_ids):
                session.execute(update(TurnRow).where(TurnRow.conversation_id.in_(ids))
                                .values(text=note, sources=[], verdicts=[]))
                for row in session.scalars(select(TurnRow).where(TurnRow.conversation_id.in_(ids))):
                    row.meta = {k: v for k, v in (row.meta or {}).items() if k in _ANONYMOUS_META}
                session.execute(update(TicketRow).where(TicketRow.conversation_id.in_(ids))
                                .values(summary=note, assignee=None))
                session.execute(update(RatingRow).where(RatingRow.conversation_id.in_(ids)).values(comment=""))
                changed += session.execute(update(ConversationRow).where(ConversationRow.id.in_(ids))
                                           .values(customer_name=None, status="anonymised")).rowcount or 0
        return changed

    # -- the audit trail ------------------------------------------------------------------------
    def audit(self, business: str, actor: str, action: str, conversation_id: str | None = None,
              detail: str = "") -> None:
        with self._session("record an audit event") as session:
            session.add(AuditRow(business=business, actor=actor[:120], action=action,
                                 conversation_id=conversation_id, detail=detail, at=utcnow()))

    def audit_events(self, business: str, *, conversation_id: str | None = None) -> list[AuditEvent]:
        query = select(AuditRow).where(AuditRow.business == business)
        if conversation_id is not None:
            query = query.where(AuditRow.conversation_id == conversation_id)
        with self._session("read the audit trail") as session:
            return [AuditEvent(r.business, r.actor, r.action, r.conversation_id, r.detail, r.at)
                    for r in session.scalars(query.order_by(AuditRow.id))]


#: What an anonymised turn keeps of its metadata: numbers and labels for analytics, no words.
_ANONYMOUS_META = frozenset({"mood", "latency_ms", "ticket_id", "escalation", "rejected"})


def _rows(session: Any, query: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in session.execute(query)]
