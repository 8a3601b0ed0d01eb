"""Where customer accounts come from: the one seam between the assistant's tools and the business's records.

``AccountSource`` is what the tools and the identity check use. ``StoreAccountSource`` reads and changes
the records imported into Tactful's own store (`tactful customers import`); ``RestAccountSource``
(agent/accounts/rest_source.py) talks to the business's own system over HTTP. Verification sessions
always live in Tactful's store, whichever source holds the accounts.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from agent.accounts.records import Appointment, CustomerProfile, Order

if TYPE_CHECKING:
    from agent.store import ConversationStore


class AccountSource(Protocol):
    """Customers, orders and appointments of one business."""

    business: str

    def customer(self, customer_id: int) -> CustomerProfile | None: ...

    def order(self, number: str) -> Order | None: ...

    def orders_of(self, customer_id: int, *, limit: int = 5) -> list[Order]: ...

    def appointment(self, reference: str) -> Appointment | None: ...

    def appointments_of(self, customer_id: int, *, after: datetime | None = None) -> list[Appointment]: ...

    def booked_between(self, start: datetime, end: datetime) -> list[Appointment]: ...

    def set_order_status(self, number: str, status: str, *, note: str | None = None) -> Order: ...

    def set_order_expected(self, number: str, expected_at: datetime) -> Order: ...

    def book_slot(self, customer_id: int, *, reference: str, service: str, starts_at: datetime, minutes: int,
                  capacity: int = 1, moving: str | None = None) -> Appointment: ...

    def cancel_appointment(self, reference: str) -> Appointment: ...


class StoreAccountSource:
    """Accounts kept in Tactful's own store, scoped to one business."""

    def __init__(self, store: "ConversationStore", business: str) -> None:
        self.store = store
        self.business = business

    def customer(self, customer_id: int) -> CustomerProfile | None:
        return self.store.customer(self.business, customer_id)

    def order(self, number: str) -> Order | None:
        return self.store.order(self.business, number)

    def orders_of(self, customer_id: int, *, limit: int = 5) -> list[Order]:
        return self.store.orders_of(self.business, customer_id, limit=limit)

    def appointment(self, reference: str) -> Appointment | None:
        return self.store.appointment(self.business, reference)

    def appointments_of(self, customer_id: int, *, after: datetime | None = None) -> list[Appointment]:
        return self.store.appointments_of(self.business, customer_id, after=after)

    def booked_between(self, start: datetime, end: datetime) -> list[Appointment]:
        return self.store.booked_between(self.business, start, end)

    def set_order_status(self, number: str, status: str, *, note: str | None = None) -> Order:
        return self.store.set_order_status(self.business, number, status, note=note)

    def set_order_expected(self, number: str, expected_at: datetime) -> Order:
        return self.store.upsert_order_day(self.business, number, expected_at)

    def book_slot(self, customer_id: int, *, reference: str, service: str, starts_at: datetime, minutes: int,
                  capacity: int = 1, moving: str | None = None) -> Appointment:
        return self.store.book_slot(self.business, customer_id, reference=reference, service=service,
                                    starts_at=starts_at, minutes=minutes, capacity=capacity, moving=moving)

    def cancel_appointment(self, reference: str) -> Appointment:
        return self.store.cancel_appointment(self.business, reference)
