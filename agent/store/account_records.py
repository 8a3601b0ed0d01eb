"""Customer accounts kept in the store: profiles, orders, appointments, verification sessions and
messages for the owner.

Part of ``ConversationStore`` (a mixin over its sessions), kept apart because these rows are the
business's records about its customers, not conversations. Every query is scoped to one business.
Booking a slot checks for a clash inside the same transaction, so two customers cannot take one slot.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from agent.accounts.records import AccountSession, Appointment, CustomerProfile, Order, OrderLine
from agent.errors import BadInput, NotFound
from agent.store.models import (AccountSessionRow, AppointmentRow, ConversationRow, CustomerRow, OrderRow,
                                OwnerMessageRow, utcnow)
from agent.store.outages import rides_out_outages

_CUSTOMER_FIELDS = ("name", "email", "phone", "postcode", "language", "vip", "preferences", "preferred_channel",
                    "opted_out")
_ORDER_FIELDS = ("status", "items", "total", "currency", "fulfilment", "placed_at", "expected_at", "tracking_url",
                 "note")


class SlotTaken(BadInput):
    """Someone else has that time already."""


class AccountRecords:
    """Mixed into ``ConversationStore``; uses its ``_session``."""

    # -- import and upkeep (the business's own system is the source) -----------------------------
    @rides_out_outages
    def upsert_customer(self, business: str, external_id: str, **fields: Any) -> CustomerProfile:
        with self._session("store a customer") as session:  # type: ignore[attr-defined]
            row = session.scalar(select(CustomerRow).where(CustomerRow.business == business,
                                                           CustomerRow.external_id == external_id))
            if row is None:
                row = CustomerRow(business=business, external_id=external_id, vip=False, preferences={},
                                  opted_out=False)
                session.add(row)
            _assign(row, fields, _CUSTOMER_FIELDS)
            session.flush()
            return _profile(row)

    @rides_out_outages
    def upsert_order(self, business: str, number: str, customer_id: int, **fields: Any) -> Order:
        with self._session("store an order") as session:  # type: ignore[attr-defined]
            row = session.scalar(select(OrderRow).where(OrderRow.business == business, OrderRow.number == number))
            if row is None:
                row = OrderRow(business=business, number=number, customer_id=customer_id, items=[], note="",
                               status="placed", currency="GBP", fulfilment="delivery")
                session.add(row)
            row.customer_id = customer_id
            _assign(row, fields, _ORDER_FIELDS)
            session.flush()
            return _order(row)

    @rides_out_outages
    def upsert_appointment(self, business: str, reference: str, customer_id: int, *, service: str,
                           starts_at: datetime, minutes: int = 30, status: str = "booked") -> Appointment:
        with self._session("store an appointment") as session:  # type: ignore[attr-defined]
            row = session.scalar(select(AppointmentRow).where(AppointmentRow.business == business,
                                                              AppointmentRow.reference == reference))
            if row is None:
                row = AppointmentRow(business=business, reference=reference)
                session.add(row)
            row.customer_id, row.service, row.starts_at, row.minutes, row.status = (
                customer_id, service, starts_at, minutes, status)
            session.flush()
            return _appointment(row)

    # -- reads -----------------------------------------------------------------------------------
    @rides_out_outages
    def has_customers(self, business: str) -> bool:
        with self._session("read customers") as session:  # type: ignore[attr-defined]
            return session.scalar(select(CustomerRow.id).where(CustomerRow.business == business).limit(1)) is not None

    @rides_out_outages
    def customer(self, business: str, customer_id: int) -> CustomerProfile | None:
        with self._session("read a customer") as session:  # type: ignore[attr-defined]
            row = session.get(CustomerRow, customer_id)
            return _profile(row) if row is not None and row.business == business else None

    @rides_out_outages
    def customer_by_external_id(self, business: str, external_id: str) -> CustomerProfile | None:
        with self._session("read a customer") as session:  # type: ignore[attr-defined]
            row = session.scalar(select(CustomerRow).where(CustomerRow.business == business,
                                                           CustomerRow.external_id == external_id))
            return _profile(row) if row is not None else None

    @rides_out_outages
    def order(self, business: str, number: str) -> Order | None:
        with self._session("read an order") as session:  # type: ignore[attr-defined]
            row = session.scalar(select(OrderRow).where(OrderRow.business == business, OrderRow.number == number))
            return _order(row) if row is not None else None

    @rides_out_outages
    def orders_of(self, business: str, customer_id: int, *, limit: int = 5) -> list[Order]:
        """The customer's most recent orders first."""
        with self._session("read orders") as session:  # type: ignore[attr-defined]
            rows = session.scalars(select(OrderRow).where(OrderRow.business == business,
                                                          OrderRow.customer_id == customer_id)
                                   .order_by(OrderRow.placed_at.desc()).limit(limit)).all()
            return [_order(r) for r in rows]

    @rides_out_outages
    def appointment(self, business: str, reference: str) -> Appointment | None:
        with self._session("read an appointment") as session:  # type: ignore[attr-defined]
            row = session.scalar(select(AppointmentRow).where(AppointmentRow.business == business,
                                                              AppointmentRow.reference == reference))
            return _appointment(row) if row is not None else None

    @rides_out_outages
    def appointments_of(self, business: str, customer_id: int, *, after: datetime | None = None) -> list[Appointment]:
        """The customer's booked appointments (from ``after`` on), soonest first."""
        query = select(AppointmentRow).where(AppointmentRow.business == business,
                                             AppointmentRow.customer_id == customer_id,
                                             AppointmentRow.status == "booked")
        if after is not None:
            query = query.where(AppointmentRow.starts_at >= after)
        with self._session("read appointments") as session:  # type: ignore[attr-defined]
            return [_appointment(r) for r in session.scalars(query.order_by(AppointmentRow.starts_at)).all()]

    @rides_out_outages
    def booked_between(self, business: str, start: datetime, end: datetime) -> list[Appointment]:
        """Every booked appointment of the business that starts in [start - 1 day, end): the calendar's busy times."""
        with self._session("read the calendar") as session:  # type: ignore[attr-defined]
            rows = session.scalars(select(AppointmentRow).where(
                AppointmentRow.business == business, AppointmentRow.status == "booked",
                AppointmentRow.starts_at >= start - timedelta(days=1), AppointmentRow.starts_at < end)).all()
            return [_appointment(r) for r in rows]

    # -- changes the tools make (policy is checked by the tools before they get here) -----------------
    @rides_out_outages
    def set_order_status(self, business: str, number: str, status: str, *, note: str | None = None) -> Order:
        with self._session("change an order") as session:  # type: ignore[attr-defined]
            row = session.scalar(select(OrderRow).where(OrderRow.business == business, OrderRow.number == number))
            if row is None:
                raise NotFound(f"there is no order {number}")
            row.status = status
            if note is not None:
                row.note = note
            session.flush()
            return _order(row)

    @rides_out_outages
    def upsert_order_day(self, business: str, number: str, expected_at: datetime) -> Order:
        """Move an order to another day (its new expected time); the tool has checked the policy."""
        with self._session("change an order") as session:  # type: ignore[attr-defined]
            row = session.scalar(select(OrderRow).where(OrderRow.business == business, OrderRow.number == number))
            if row is None:
                raise NotFound(f"there is no order {number}")
            row.expected_at = expected_at
            session.flush()
            return _order(row)

    @rides_out_outages
    def book_slot(self, business: str, customer_id: int, *, reference: str, service: str, starts_at: datetime,
                  minutes: int, capacity: int = 1, moving: str | None = None) -> Appointment:
        """Book ``starts_at`` (or move appointment ``moving`` there) unless ``capacity`` bookings overlap it."""
        with self._session("book an appointment") as session:  # type: ignore[attr-defined]
            _lock_calendar(session, business)
            ends_at = starts_at + timedelta(minutes=minutes)
            overlapping = [r for r in session.scalars(select(AppointmentRow).where(
                AppointmentRow.business == business, AppointmentRow.status == "booked",
                AppointmentRow.starts_at < ends_at, AppointmentRow.starts_at >= starts_at - timedelta(days=1)))
                if r.starts_at + timedelta(minutes=r.minutes) > starts_at and r.reference != moving]
            if len(overlapping) >= capacity:
                raise SlotTaken(f"{starts_at:%A %d %B at %H:%M} has just been taken")
            if moving is not None:
                row = session.scalar(select(AppointmentRow).where(AppointmentRow.business == business,
                                                                  AppointmentRow.reference == moving))
                if row is None:
                    raise NotFound(f"there is no appointment {moving}")
                row.starts_at = starts_at
            else:
                row = AppointmentRow(business=business, reference=reference, customer_id=customer_id,
                                     service=service, starts_at=starts_at, minutes=minutes, status="booked")
                session.add(row)
            session.flush()
            return _appointment(row)

    @rides_out_outages
    def cancel_appointment(self, business: str, reference: str) -> Appointment:
        with self._session("cancel an appointment") as session:  # type: ignore[attr-defined]
            row = session.scalar(select(AppointmentRow).where(AppointmentRow.business == business,
                                                              AppointmentRow.reference == reference))
            if row is None:
                raise NotFound(f"there is no appointment {reference}")
            row.status = "cancelled"
            session.flush()
            return _appointment(row)

    @rides_out_outages
    def delete_customer(self, business: str, customer_id: int) -> int:
        """Remove a customer's profile with their orders and appointments (erasure); returns 1, or 0 if none."""
        with self._session("erase a customer") as session:  # type: ignore[attr-defined]
            row = session.get(CustomerRow, customer_id)
            if row is None or row.business != business:
                return 0
            for table in (OrderRow, AppointmentRow):
                session.execute(delete(table).where(table.customer_id == customer_id))
            session.delete(row)
            return 1

    @rides_out_outages
    def set_opt_out(self, business: str, customer_id: int, opted_out: bool = True) -> CustomerProfile:
        with self._session("record an opt-out") as session:  # type: ignore[attr-defined]
            row = session.get(CustomerRow, customer_id)
            if row is None or row.business != business:
                raise NotFound(f"there is no customer {customer_id}")
            row.opted_out = opted_out
            session.flush()
            return _profile(row)

    @rides_out_outages
    def leave_owner_message(self, business: str, text: str, *, conversation_id: str | None = None,
                            customer_id: int | None = None) -> int:
        with self._session("leave a message for the owner") as session:  # type: ignore[attr-defined]
            row = OwnerMessageRow(business=business, conversation_id=conversation_id, customer_id=customer_id,
                                  text=text)
            session.add(row)
            session.flush()
            return row.id

    @rides_out_outages
    def owner_messages(self, business: str, *, unread_only: bool = True) -> list[dict[str, Any]]:
        query = select(OwnerMessageRow).where(OwnerMessageRow.business == business)
        if unread_only:
            query = query.where(OwnerMessageRow.read_at.is_(None))
        with self._session("read messages for the owner") as session:  # type: ignore[attr-defined]
            return [{"id": r.id, "conversation_id": r.conversation_id, "customer_id": r.customer_id, "text": r.text,
                     "created_at": r.created_at.isoformat()}
                    for r in session.scalars(query.order_by(OwnerMessageRow.id)).all()]

    # -- who is writing in a conversation --------------------------------------------------------
    @rides_out_outages
    def account_session(self, conversation_id: str) -> AccountSession | None:
        with self._session("read the account session") as session:  # type: ignore[attr-defined]
            row = session.get(AccountSessionRow, conversation_id)
            return _account_session(row) if row is not None else None

    @rides_out_outages
    def save_account_session(self, conversation_id: str, *, customer_id: int | None, verified_at: datetime | None,
                             failed_attempts: int, pending: dict[str, Any]) -> None:
        with self._session("keep the account session") as session:  # type: ignore[attr-defined]
            row = session.get(AccountSessionRow, conversation_id)
            if row is None:
                row = AccountSessionRow(conversation_id=conversation_id)
                session.add(row)
            row.customer_id, row.verified_at, row.failed_attempts, row.pending = (
                customer_id, verified_at, failed_attempts, dict(pending))

    @rides_out_outages
    def conversations_of(self, business: str, customer_id: int) -> list[tuple[str, str, datetime]]:
        """(conversation id, channel, last activity) of the conversations this customer was verified in, latest first."""
        with self._session("read a customer's conversations") as session:  # type: ignore[attr-defined]
            rows = session.execute(
                select(ConversationRow.id, ConversationRow.channel, ConversationRow.updated_at)
                .join(AccountSessionRow, AccountSessionRow.conversation_id == ConversationRow.id)
                .where(ConversationRow.business == business, AccountSessionRow.customer_id == customer_id)
                .order_by(ConversationRow.updated_at.desc())).all()
            return [(r[0], r[1], r[2]) for r in rows]


def _lock_calendar(session: Session, business: str) -> None:
    """Serialise bookings of one business (PostgreSQL: a transaction advisory lock; SQLite has one writer)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import func

        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"tactful-calendar:{business}"))))


def _assign(row: Any, fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise BadInput(f"unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(allowed)}")
    for name, value in fields.items():
        setattr(row, name, value)
    row.updated_at = utcnow()


def _profile(row: CustomerRow) -> CustomerProfile:
    return CustomerProfile(row.id, row.business, row.external_id, row.name, row.email, row.phone, row.postcode,
                           row.language, bool(row.vip), dict(row.preferences or {}), row.preferred_channel,
                           bool(row.opted_out))


def _order(row: OrderRow) -> Order:
    lines = tuple(OrderLine(str(i.get("name", "")), int(i.get("quantity", 1) or 1),
                            float(i["price"]) if i.get("price") is not None else None)
                  for i in (row.items or []) if isinstance(i, dict))
    return Order(row.id, row.business, row.number, row.customer_id, row.status, lines, row.total, row.currency,
                 row.fulfilment, row.placed_at, row.expected_at, row.tracking_url, row.note or "")


def _appointment(row: AppointmentRow) -> Appointment:
    return Appointment(row.id, row.business, row.reference, row.customer_id, row.service, row.starts_at, row.minutes,
                       row.status)


def _account_session(row: AccountSessionRow) -> AccountSession:
    return AccountSession(row.conversation_id, row.customer_id, row.verified_at, row.failed_attempts or 0,
                          dict(row.pending or {}))
