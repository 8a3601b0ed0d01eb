"""The tables: conversations, turns, hand-off tickets, ratings, webhook deliveries and the audit trail.

Plain SQLAlchemy types, so SQLite and PostgreSQL both work. The schema is owned by the Alembic
migrations in ``agent/store/migrations``: a change here needs a new migration there (a test
compares the two on both databases).
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, TypeDecorator,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timestamps always come back timezone-aware in UTC (SQLite forgets the zone; PostgreSQL keeps it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    """The declarative base every Tactful table derives from (one metadata for SQLite and PostgreSQL)."""


class ConversationRow(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    business: Mapped[str] = mapped_column(String(120), index=True)
    channel: Mapped[str] = mapped_column(String(32), default="api")
    customer_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(32), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, index=True)
    #: When the customer was first told they are talking to an automated assistant.
    disclosed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    turns: Mapped[list["TurnRow"]] = relationship(
        back_populates="conversation", order_by="TurnRow.seq", cascade="all, delete-orphan"
    )


class TurnRow(Base):
    """One message. Customer messages are stored (redacted) before the model is called."""

    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("conversation_id", "seq", name="uq_turn_seq"),
                      Index("uq_turns_client_key", "conversation_id", "client_key", unique=True))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # customer | assistant | agent
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), default="stored")
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    sources: Mapped[list] = mapped_column(JSON, default=list)
    verdicts: Mapped[list] = mapped_column(JSON, default=list)
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The client's own id for a customer message (``message_id``): a retry with it is stored once.
    client_key: Mapped[str | None] = mapped_column(String(80), nullable=True)

    conversation: Mapped[ConversationRow] = relationship(back_populates="turns")


class TicketRow(Base):
    """A hand-off: the conversation waits for (or is owned by) a person until the ticket is resolved."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    business: Mapped[str] = mapped_column(String(120), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open | assigned | resolved
    priority: Mapped[str] = mapped_column(String(16), default="normal")  # urgent | high | normal | low
    reason: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text, default="")
    mood: Mapped[dict] = mapped_column(JSON, default=dict)
    assignee: Mapped[str | None] = mapped_column(String(120), nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(32), nullable=True)  # resolved | handed_back
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RatingRow(Base):
    """The customer's rating of a conversation (1-5, optional comment), with how it was handled."""

    __tablename__ = "ratings"

    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DeliveryRow(Base):
    """An inbound webhook delivery already handled (Slack event id, Twilio MessageSid), shared by all
    workers so a retried delivery is answered once whichever worker it lands on."""

    __tablename__ = "deliveries"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class AuditRow(Base):
    """Who viewed, exported, erased or expired conversations, and when (never what they said)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    business: Mapped[str] = mapped_column(String(120), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(32))  # viewed | exported | erased | expired
    conversation_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
