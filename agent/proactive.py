"""Messages the business starts: "your order is delayed", "a reminder of your appointment", "back in stock".

    ProactiveDesk(agent).send(ProactiveEvent("order_delayed", order_number="CR-10234", detail="..."))

The message is written from the record (never invented), in the business's voice, says it comes from the
automated assistant and how to stop these messages, and passes the same output rails as any reply. It
goes through the channel the customer used (their latest conversation on web chat, or email; the
event may name one) and is stored in that conversation (redacted), so the customer's reply continues
it. A customer who opted out gets nothing, whatever the channel; "STOP" in reply opts them out.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from agent.accounts import wording
from agent.accounts.records import CustomerProfile
from agent.errors import BadInput, NotFound
from guardrails import redact_pii

if TYPE_CHECKING:
    from agent.agent import Agent

log = logging.getLogger("tactful.proactive")

EventKind = Literal["order_delayed", "order_ready", "appointment_reminder", "back_in_stock"]
EVENT_KINDS: tuple[str, ...] = ("order_delayed", "order_ready", "appointment_reminder", "back_in_stock")
#: Channels a proactive message can go out on (SMS and WhatsApp through Twilio's REST API; the customer's
#: reply comes back through the Twilio webhook into the same conversation).
SENDABLE = ("web", "email", "sms", "whatsapp")
_STOP = re.compile(r"^\W*(?:stop|unsubscribe|opt[\s-]?out|stop\s+(?:messaging|texting|emailing)(?:\s+me)?|"
                   r"no\s+more\s+(?:messages|texts|emails))\W*$", re.IGNORECASE)


def is_stop(text: str) -> bool:
    """"STOP", "unsubscribe", "no more messages": the customer wants no more proactive messages."""
    return bool(_STOP.match(text))


@dataclass(frozen=True)
class ProactiveEvent:
    kind: str
    customer_id: str | None = None  # the business's own customer id (the import's "id")
    order_number: str | None = None
    appointment_reference: str | None = None
    item: str | None = None
    #: What the business wants to add, e.g. the reason for a delay; checked by the rails like any reply.
    detail: str = ""
    channel: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise BadInput(f"unknown event {self.kind!r}; use one of {', '.join(EVENT_KINDS)}")
        if self.channel is not None and self.channel not in SENDABLE:
            raise BadInput(f"proactive messages can go by {', '.join(SENDABLE)}, not {self.channel!r}")
        if len(self.detail) > 500:
            raise BadInput("detail is limited to 500 characters; keep it to a sentence or two")


@dataclass(frozen=True)
class ProactiveResult:
    #: sent | opted_out | no_channel
    status: str
    channel: str | None = None
    conversation_id: str | None = None
    reason: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "channel": self.channel, "conversation_id": self.conversation_id,
                "reason": self.reason}


class ProactiveDesk:
    def __init__(self, agent: "Agent") -> None:
        self.agent = agent
        self.store = agent.store
        self.business = agent.config.collection_name
        self.zone = ZoneInfo(agent.config.business.timezone)

    def send(self, event: ProactiveEvent) -> ProactiveResult:
        customer, subject, body = self._compose(event)
        if customer.opted_out:
            log.info("proactive %s not sent: the customer opted out", event.kind)
            return ProactiveResult("opted_out", reason="the customer asked for no more messages")
        channel, conversation_id = self._route(customer, event.channel)
        if channel is None:
            return ProactiveResult("no_channel", reason="no way to reach the customer on that channel (no web "
                                   "conversation, or no address or number, or the channel is not set up)")
        # By email and text the greeting uses their name; on web chat the stored (redacted) text is what is shown.
        text = self._framed(customer.name if channel != "web" else None, body)
        if channel == "email":
            conversation_id = self._email(customer, subject, text)
        elif channel in ("sms", "whatsapp"):
            conversation_id = self._text(customer, channel, text)
        else:
            assert conversation_id is not None  # _route found their latest web conversation
        self.store.append_turn(conversation_id, "assistant", redact_pii(text).text, status="sent", outcome="proactive",
                               meta={"proactive": event.kind, "channel": channel})
        self._link(conversation_id, customer)
        log.info("proactive %s sent by %s", event.kind, channel, extra={"conversation_id": conversation_id})
        return ProactiveResult("sent", channel, conversation_id)

    def opt_out(self, conversation_id: str) -> bool:
        """Opt out the customer this conversation belongs to; False when it is nobody's we know."""
        session = self.store.account_session(conversation_id)
        if session is None or session.customer_id is None:
            return False
        self.store.set_opt_out(self.business, session.customer_id)
        return True

    # -- composing ---------------------------------------------------------------------------------------
    def _compose(self, event: ProactiveEvent) -> tuple[CustomerProfile, str, str]:
        """(customer, email subject, the message body) from the records the event names."""
        store, business = self.store, self.business
        if event.order_number:
            order = store.order(business, event.order_number)
            if order is None:
                raise NotFound(f"there is no order {event.order_number}")
            customer = store.customer(business, order.customer_id)
            if event.kind == "order_delayed":
                body = f"your order {order.number} ({wording.items(order)}) is running late"
                if order.expected_at is not None:
                    body += f"; it should now arrive on {wording.day(order.expected_at, self.zone)}"
                body += ". We're sorry for the wait."
            elif event.kind == "order_ready":
                body = f"your order {order.number} ({wording.items(order)}) is ready to collect."
            else:
                raise BadInput(f"{event.kind} is about an appointment or an item, not an order")
            subject = f"An update on your order {order.number}"
        elif event.appointment_reference:
            appointment = store.appointment(business, event.appointment_reference)
            if appointment is None:
                raise NotFound(f"there is no appointment {event.appointment_reference}")
            if event.kind != "appointment_reminder":
                raise BadInput(f"{event.kind} is not about an appointment")
            customer = store.customer(business, appointment.customer_id)
            body = (f"a reminder of your {appointment.service} on {wording.when(appointment.starts_at, self.zone)} "
                    f"(reference {appointment.reference}). Reply here if you need to move or cancel it.")
            subject = f"Your {appointment.service} on {wording.day(appointment.starts_at, self.zone)}"
        elif event.kind == "back_in_stock" and event.item and event.customer_id:
            customer = store.customer_by_external_id(business, event.customer_id)
            body = f"{event.item} is back in stock."
            subject = f"{event.item} is back in stock"
        else:
            raise BadInput("name the order (order_number), the appointment (appointment_reference), or for "
                           "back_in_stock the item and the customer (customer_id)")
        if customer is None:
            raise NotFound("the customer of that record is not in the store")
        detail = self._checked(event.detail.strip()) if event.detail.strip() else ""
        return customer, subject, f"{body} {detail}".strip()

    def _framed(self, name: str | None, body: str) -> str:
        business = self.agent.config.business
        hello = f"Hello {name.split()[0]}" if name else "Hello"
        return (f"{hello}, this is {business.name}'s automated assistant: {body}\n\n"
                f"You can answer this message with any questions, or to reach the team; "
                f"reply STOP for no more messages like this.")

    def _checked(self, detail: str) -> str:
        """The business's own words through the output rails, as any reply: they cannot claim to be a person,
        break the tone limits or carry someone's personal data (the rest of the message is our template)."""
        guard = self.agent.rails.output_guard(allowed_pii=set(), vault=None)
        shown, _ = guard.check(detail)
        return shown

    # -- delivering ---------------------------------------------------------------------------------------
    def _route(self, customer: CustomerProfile, asked: str | None) -> tuple[str | None, str | None]:
        """(channel, the web conversation to post in) for this customer."""
        web = next((cid for cid, channel, _ in self.store.conversations_of(self.business, customer.id)
                    if channel in ("web", "api")), None)
        preferred = asked or customer.preferred_channel
        if preferred in ("sms", "whatsapp"):
            number = self._number(customer)
            return (preferred, None) if number and self.agent.sms is not None else (None, None)
        if preferred == "email" or (preferred is None and web is None):
            return ("email", None) if customer.email and self.agent.mailer is not None else (None, None)
        if web is not None:
            return "web", web
        if preferred == "web" and customer.email and self.agent.mailer is not None:
            return "email", None  # never wrote on the web: email reaches them instead
        return None, None

    def _email(self, customer: CustomerProfile, subject: str, text: str) -> str:
        from agent.channels.email_message import email_conversation_id

        address = self.agent.config.email.address or ""
        domain = address.rpartition("@")[2] or "tactful.invalid"
        message_id = f"<proactive-{uuid.uuid4().hex}@{domain}>"
        self.agent.mailer.send(customer.email, subject, text, message_id=message_id)
        conversation_id = email_conversation_id(address, message_id)
        self.store.open_conversation(self.business, conversation_id, channel="email", customer_name=None)
        return conversation_id

    def _number(self, customer: CustomerProfile) -> str | None:
        from agent.channels.twilio_sender import e164

        return e164(customer.phone, self.agent.config.channels.default_country_code)

    def _text(self, customer: CustomerProfile, channel: str, text: str) -> str:
        """Send by SMS or WhatsApp; the conversation is the one the Twilio webhook files the reply under."""
        from agent.channels.response import channel_conversation_id

        number = self._number(customer) or ""
        to = f"whatsapp:{number}" if channel == "whatsapp" else number
        self.agent.sms.send(to, text)
        conversation_id = channel_conversation_id("twilio", to)
        self.store.open_conversation(self.business, conversation_id, channel=channel, customer_name=None)
        return conversation_id

    def _link(self, conversation_id: str, customer: CustomerProfile) -> None:
        """Remember whose conversation it is (for STOP and for the team), keeping any verification as it was."""
        session = self.store.account_session(conversation_id)
        if session is not None and session.customer_id == customer.id:
            return
        self.store.save_account_session(conversation_id, customer_id=customer.id, verified_at=None,
                                        failed_attempts=session.failed_attempts if session else 0,
                                        pending=session.pending if session else {})


__all__ = ["EVENT_KINDS", "ProactiveDesk", "ProactiveEvent", "ProactiveResult", "is_stop"]
