"""What the assistant says about accounts: plain, brief, in the business's voice, with the facts read
back in full (the date, the time, the order number) so the customer can catch a mistake before it
matters. No account detail appears in anything said to a customer who is not verified."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from agent.accounts.records import Appointment, Order

_STATUS = {
    "placed": "is confirmed and waiting to be made",
    "preparing": "is being made now",
    "dispatched": "is on its way",
    "ready": "is ready to collect",
    "delivered": "has been delivered",
    "collected": "has been collected",
    "delayed": "is delayed",
    "cancelled": "was cancelled",
}


def when(moment: datetime, zone: ZoneInfo) -> str:
    """"Friday 5 December at 15:30", in the business's time zone."""
    local = moment.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"


def day(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B}"


def items(order: Order) -> str:
    return ", ".join(f"{line.quantity} × {line.name}" for line in order.items)


def order_status(order: Order, zone: ZoneInfo) -> str:
    what = f"Your order {order.number}" + (f" ({items(order)})" if order.items else "")
    sentence = f"{what} {_STATUS.get(order.status, 'is ' + order.status)}"
    if order.status == "delayed" and order.note:
        sentence += f": {order.note.rstrip('.')}"
    if order.expected_at is not None and order.status in ("placed", "preparing", "dispatched", "delayed"):
        verb = "be ready" if order.fulfilment == "collection" else "arrive"
        sentence += f". It should {verb} on {day(order.expected_at, zone)}"
    sentence += "."
    if order.tracking_url and order.status in ("dispatched", "delayed"):
        sentence += f" You can follow it here: {order.tracking_url}"
    return sentence


def appointment_line(appointment: Appointment, zone: ZoneInfo) -> str:
    return f"{appointment.service} on {when(appointment.starts_at, zone)} (reference {appointment.reference})"


def already_then(appointment: Appointment, zone: ZoneInfo) -> str:
    return f"Your {appointment.service} is already on {when(appointment.starts_at, zone)}, so nothing needs to change."


def appointments(booked: list[Appointment], zone: ZoneInfo) -> str:
    if not booked:
        return "I can't see any upcoming appointments for you."
    if len(booked) == 1:
        return f"Your next appointment is a {appointment_line(booked[0], zone)}."
    lines = "\n".join(f"- {appointment_line(a, zone)}" for a in booked[:5])
    return f"Your upcoming appointments:\n{lines}"


def ask_proof(missing: tuple[str, ...], *, mismatch: bool) -> str:
    if mismatch:
        return ("Sorry, those details don't match what we have. Could you check the order number or booking "
                "reference, and the email address or postcode you used with it?")
    if missing == ("secret",):
        return ("Thanks. To make sure it's you, what's the email address or postcode on that order or booking?")
    if missing == ("reference",):
        return "Thanks. Which order number or booking reference is it about?"
    return ("I can help with that. First I need to check it's you: please send your order number or booking "
            "reference, and the email address or postcode you used with it.")


def locked(contact: str) -> str:
    return ("I'm sorry, I can't confirm who you are from those details, so I can't go into the account here. "
            f"The team can help: {contact}.")


def ask_day(order: Order) -> str:
    return f"Which day would you like order {order.number} ({items(order)}) instead?"


def offer_slots(labels: list[str], what: str) -> str:
    if not labels:
        return f"I'm sorry, I can't see a free time for {what} in the next few weeks. The team can look for one."
    options = "\n".join(f"{n}. {label}" for n, label in enumerate(labels, 1))
    return f"These times are free for {what}:\n{options}\nWhich would suit you?"


def confirm(summary: str) -> str:
    return f"Just to check: {summary}. Shall I go ahead? (yes or no)"


def confirm_again(summary: str) -> str:
    return f"I want to be sure before I change anything: {summary}. Please answer yes or no."


def left_alone() -> str:
    return "No problem, I've left everything as it is."


def refused(what: str, reason: str, contact: str) -> str:
    return f"I'm sorry, I can't {what} here because {reason}. The team may be able to help: {contact}."


def not_found(what: str) -> str:
    return f"I can't find {what} on your account. Could you check the number?"


def confirmation_sent(address_known: bool, sent: bool) -> str:
    if not address_known:
        return ""
    return (" I've emailed you a confirmation." if sent
            else " I couldn't send the confirmation email just now, but the change is made.")


def ask_message() -> str:
    return "Of course. What would you like me to pass on? I'll make sure the owner sees it."


def message_taken(contact: str) -> str:
    return f"Thanks, I've passed that on; someone will be in touch. If it's urgent: {contact}."


def opted_out(contact: str) -> str:
    return ("Done: we won't send you any more updates like that. You can still write to us here any time, "
            f"or {contact}.")
