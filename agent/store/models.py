"""The tables: conversations, turns, hand-off tickets, ratings, webhook deliveries, the audit trail, and
customer accounts (profiles, orders, appointments, who is verified in a conversation, messages for the owner).

Plain SQLAlchemy types, so SQLite and PostgreSQL both work. The schema is owned by the Alembic
migrations in ``agent/store/migrations``: a change here needs a new migration there (a test
compares the two on both databases).
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, TypeDecorator,
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
    """The customer's rating of a conversation (1-5, optional comment and NPS answer), with how it was handled."""

    __tablename__ = "ratings"

    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    #: The optional 0-10 answer to "how likely are you to recommend us?" (NPS); None when not asked or not given.
    nps: Mapped[int | None] = mapped_column(Integer, nullable=True)
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


# -- customer accounts ------------------------------------------------------------------------------
class CustomerRow(Base):
    """A customer of the business, imported from its own system (or kept here). Personal data: erased with
    the customer, never shown to another customer, read only for a verified conversation."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("business", "external_id", name="uq_customer_external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    business: Mapped[str] = mapped_column(String(120), index=True)
    external_id: Mapped[str] = mapped_column(String(120))  # the business's own customer id
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    postcode: Mapped[str | None] = mapped_column(String(20), nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    vip: Mapped[bool] = mapped_column(Boolean, default=False)
    preferences: Mapped[dict] = mapped_column(JSON, default=dict)
    #: web | email | sms | whatsapp: where proactive messages go when the event names none.
    preferred_channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: The customer asked for no proactive messages (honoured on every channel).
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("business", "number", name="uq_order_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    business: Mapped[str] = mapped_column(String(120), index=True)
    number: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    #: placed | preparing | dispatched | ready | delivered | collected | delayed | cancelled
    status: Mapped[str] = mapped_column(String(24), default="placed")
    items: Mapped[list] = mapped_column(JSON, default=list)  # [{"name": ..., "quantity": ..., "price": ...}]
    total: Mapped[float | None] = mapped_column(Float, nullable=True)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    fulfilment: Mapped[str] = mapped_column(String(16), default="delivery")  # delivery | collection
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expected_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    tracking_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    #: What the customer may be told about a delay or change ("the oven broke down; baking again Friday").
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class AppointmentRow(Base):
    __tablename__ = "appointments"
    __table_args__ = (UniqueConstraint("business", "reference", name="uq_appointment_reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    business: Mapped[str] = mapped_column(String(120), index=True)
    reference: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    service: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    minutes: Mapped[int] = mapped_column(Integer, default=30)
    status: Mapped[str] = mapped_column(String(16), default="booked")  # booked | cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class AccountSessionRow(Base):
    """Who is writing in one conversation, as far as a verification showed, and an action waiting for the
    customer's yes. The values a customer typed to prove who they are are never kept, only the outcome."""

    __tablename__ = "account_sessions"

    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"),
                                                    nullable=True, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    pending: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class OwnerMessageRow(Base):
    """A message a customer left for the owner through the assistant (redacted like every stored text)."""

    __tablename__ = "owner_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    business: Mapped[str] = mapped_column(String(120), index=True)
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"),
                                                        nullable=True, index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
