"""The things the assistant can do on a customer's account, each a typed function with the business's
policy enforced inside it (refund windows, cut-off times, notice), never left to a model or a prompt.

Every tool needs a ``VerifiedCustomer`` and acts only on that customer's own orders and bookings; every
tool that changes something needs ``confirmed=True`` (the customer said yes to exactly this) and
refuses otherwise. ``leave_message`` is the exception on both counts: anyone may leave the owner a note.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from agent.accounts.calendar import AppointmentCalendar
from agent.accounts.records import Appointment, Order, VerifiedCustomer
from agent.accounts.sources import AccountSource
from agent.config_accounts import AccountsConfig
from agent.errors import BadInput



#: Why an order in this state is past cancelling, in the customer's words.
_PAST_CANCELLING = {"preparing": "it is already being made", "delayed": "it is already being made",
                    "dispatched": "it has already been dispatched", "ready": "it is already ready to collect",
                    "delivered": "it has already been delivered", "collected": "it has already been collected",
                    "placed": "it is already being prepared"}


class NotConfirmed(BadInput):
    """A tool that changes something was called without the customer's yes."""


@dataclass(frozen=True)
class ToolResult:
    tool: str
    #: done: the change was made (or the lookup answered); refused: policy said no; not_found: nothing of theirs.
    status: str
    #: Why policy refused, in words the customer can read.
    reason: str = ""
    order: Order | None = None
    appointment: Appointment | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.status == "done"

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "status": self.status, "reason": self.reason,
                "order": self.order.number if self.order else None,
                "appointment": self.appointment.reference if self.appointment else None}


class AccountTools:
    def __init__(self, source: AccountSource, calendar: AppointmentCalendar, config: AccountsConfig,
                 clock: Callable[[], datetime]) -> None:
        self.source = source
        self.calendar = calendar
        self.config = config
        self.clock = clock

    # -- orders ------------------------------------------------------------------------------------
    def order_status(self, who: VerifiedCustomer, number: str | None = None) -> ToolResult:
        """The named order, or the customer's latest one."""
        order = self._own_order(who, number)
        if order is None:
            return ToolResult("order_status", "not_found")
        return ToolResult("order_status", "done", order=order)

    def cancel_refusal(self, order: Order) -> str | None:
        """Why the customer may not cancel ``order`` themselves (None: they may)."""
        if order.status == "cancelled":
            return "it is already cancelled"
        if order.status not in self.config.cancellable_statuses:
            return _PAST_CANCELLING.get(order.status, f"its status is {order.status}")
        cutoff = timedelta(hours=self.config.cancel_cutoff_hours)
        if order.expected_at is not None and order.expected_at - self.clock() < cutoff:
            return f"it is due within {self.config.cancel_cutoff_hours:g} hours, so it is already being made"
        return None

    def cancel_order(self, who: VerifiedCustomer, number: str, *, confirmed: bool) -> ToolResult:
        _require(confirmed, "cancel an order")
        order = self._own_order(who, number)
        if order is None:
            return ToolResult("cancel_order", "not_found")
        refusal = self.cancel_refusal(order)
        if refusal is not None:
            return ToolResult("cancel_order", "refused", refusal, order=order)
        return ToolResult("cancel_order", "done", order=self.source.set_order_status(
            order.number, "cancelled", note="cancelled by the customer through the assistant"))

    def change_refusal_for_order(self, order: Order, new_day: datetime | None = None) -> str | None:
        """Why the customer may not move ``order`` (to ``new_day``) themselves (None: they may)."""
        if order.status not in self.config.changeable_statuses:
            return ("it is cancelled" if order.status == "cancelled"
                    else _PAST_CANCELLING.get(order.status, f"its status is {order.status}"))
        cutoff = timedelta(hours=self.config.order_change_cutoff_hours)
        now = self.clock()
        if order.expected_at is not None and order.expected_at - now < cutoff:
            return f"it is due within {self.config.order_change_cutoff_hours:g} hours, so it is already being made"
        if new_day is None:
            return None
        if new_day - now < cutoff:
            return f"a new day needs at least {self.config.order_change_cutoff_hours:g} hours' notice"
        if new_day - now > timedelta(days=self.config.booking_horizon_days):
            return f"orders can be moved up to {self.config.booking_horizon_days} days ahead"
        if not self.calendar.is_open_day(new_day):
            return f"we don't deliver or hand over orders on {new_day.astimezone(self.calendar.zone):%A}s"
        return None

    def change_order(self, who: VerifiedCustomer, number: str, new_day: datetime, *, confirmed: bool) -> ToolResult:
        """Move an order to another day (same time of day), within the change cut-off and the opening days."""
        _require(confirmed, "change an order")
        order = self._own_order(who, number)
        if order is None:
            return ToolResult("change_order", "not_found")
        refusal = self.change_refusal_for_order(order, new_day)
        if refusal is not None:
            return ToolResult("change_order", "refused", refusal, order=order)
        return ToolResult("change_order", "done", order=self.source.set_order_expected(order.number, new_day),
                          data={"was": order.expected_at.isoformat() if order.expected_at else None})

    # -- appointments ------------------------------------------------------------------------------
    def upcoming(self, who: VerifiedCustomer) -> list[Appointment]:
        return self.source.appointments_of(who.profile.id, after=self.clock())

    def change_refusal(self, appointment: Appointment) -> str | None:
        """Why the customer may not move or cancel ``appointment`` themselves (None: they may)."""
        if appointment.status != "booked":
            return "it is already cancelled"
        if appointment.starts_at - self.clock() < timedelta(hours=self.config.change_cutoff_hours):
            return f"it is less than {self.config.change_cutoff_hours:g} hours away"
        return None

    def slot_refusal(self, starts_at: datetime, minutes: int, moving: str | None = None) -> str | None:
        problem = self.calendar.problem(starts_at, minutes, self.clock())
        if problem is not None:
            return problem
        if not self.calendar.is_free(starts_at, minutes, self.clock(), moving=moving):
            return "that time is taken"
        return None

    def book_appointment(self, who: VerifiedCustomer, service: str, starts_at: datetime, *,
                         confirmed: bool) -> ToolResult:
        _require(confirmed, "book an appointment")
        minutes = self.minutes(service)
        refusal = self.slot_refusal(starts_at, minutes)
        if refusal is not None:
            return ToolResult("book_appointment", "refused", refusal)
        appointment = self.source.book_slot(who.profile.id, reference=_reference(), service=service,
                                            starts_at=starts_at, minutes=minutes, capacity=self.config.capacity)
        return ToolResult("book_appointment", "done", appointment=appointment)

    def move_appointment(self, who: VerifiedCustomer, reference: str, starts_at: datetime, *,
                         confirmed: bool) -> ToolResult:
        _require(confirmed, "move an appointment")
        appointment = self._own_appointment(who, reference)
        if appointment is None:
            return ToolResult("move_appointment", "not_found")
        refusal = (self.change_refusal(appointment)
                   or self.slot_refusal(starts_at, appointment.minutes, moving=appointment.reference))
        if refusal is not None:
            return ToolResult("move_appointment", "refused", refusal, appointment=appointment)
        moved = self.source.book_slot(who.profile.id, reference=appointment.reference, service=appointment.service,
                                      starts_at=starts_at, minutes=appointment.minutes, capacity=self.config.capacity,
                                      moving=appointment.reference)
        return ToolResult("move_appointment", "done", appointment=moved,
                          data={"was": appointment.starts_at.isoformat()})

    def cancel_appointment(self, who: VerifiedCustomer, reference: str, *, confirmed: bool) -> ToolResult:
        _require(confirmed, "cancel an appointment")
        appointment = self._own_appointment(who, reference)
        if appointment is None:
            return ToolResult("cancel_appointment", "not_found")
        refusal = self.change_refusal(appointment)
        if refusal is not None:
            return ToolResult("cancel_appointment", "refused", refusal, appointment=appointment)
        return ToolResult("cancel_appointment", "done", appointment=self.source.cancel_appointment(reference))

    def minutes(self, service: str) -> int:
        return self.config.services.get(service, next(iter(self.config.services.values())))

    # -- ownership -----------------------------------------------------------------------------------
    def _own_order(self, who: VerifiedCustomer, number: str | None) -> Order | None:
        if number is None:
            latest = self.source.orders_of(who.profile.id, limit=1)
            return latest[0] if latest else None
        order = self.source.order(number)
        return order if order is not None and order.customer_id == who.profile.id else None

    def _own_appointment(self, who: VerifiedCustomer, reference: str) -> Appointment | None:
        appointment = self.source.appointment(reference)
        return appointment if appointment is not None and appointment.customer_id == who.profile.id else None


def _require(confirmed: bool, what: str) -> None:
    if not confirmed:
        raise NotConfirmed(f"will not {what} without the customer's confirmation")


def _reference() -> str:
    return f"AP-{secrets.randbelow(900_000) + 100_000}"


__all__ = ["AccountTools", "NotConfirmed", "ToolResult"]
