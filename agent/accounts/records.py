"""What the assistant may know about a customer's account, as plain typed records.

``VerifiedCustomer`` is the key to all of it: only ``IdentityCheck`` makes one (after the customer has
proved who they are), and every tool that reads or changes an account takes one. An unverified
conversation has no way to ask for account data: the check is in the types, not in a prompt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

OrderStatus = Literal["placed", "preparing", "dispatched", "ready", "delivered", "collected", "delayed", "cancelled"]
ORDER_STATUSES: tuple[str, ...] = ("placed", "preparing", "dispatched", "ready", "delivered", "collected", "delayed",
                                   "cancelled")
Channel = Literal["web", "email", "sms", "whatsapp"]
CHANNELS: tuple[str, ...] = ("web", "email", "sms", "whatsapp")


@dataclass(frozen=True)
class CustomerProfile:
    id: int
    business: str
    external_id: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    postcode: str | None = None
    language: str | None = None
    vip: bool = False
    preferences: dict[str, Any] = field(default_factory=dict)
    preferred_channel: str | None = None
    opted_out: bool = False


@dataclass(frozen=True)
class OrderLine:
    name: str
    quantity: int = 1
    price: float | None = None


@dataclass(frozen=True)
class Order:
    id: int
    business: str
    number: str
    customer_id: int
    status: str
    items: tuple[OrderLine, ...]
    total: float | None
    currency: str
    fulfilment: str
    placed_at: datetime
    expected_at: datetime | None
    tracking_url: str | None
    note: str


@dataclass(frozen=True)
class Appointment:
    id: int
    business: str
    reference: str
    customer_id: int
    service: str
    starts_at: datetime
    minutes: int
    status: str


@dataclass(frozen=True)
class AccountSession:
    """One conversation's verification and the action waiting for a yes (``pending``, plain JSON)."""

    conversation_id: str
    customer_id: int | None
    verified_at: datetime | None
    failed_attempts: int
    pending: dict[str, Any]


class VerifiedCustomer:
    """A customer who has proved who they are in this conversation. Made only by ``IdentityCheck``."""

    __slots__ = ("profile", "conversation_id", "verified_at")

    def __init__(self, profile: CustomerProfile, conversation_id: str, verified_at: datetime, *, _by: object) -> None:
        from agent.accounts.verification import _MINT  # the one place that may vouch for a customer

        if _by is not _MINT:
            raise PermissionError("only IdentityCheck can vouch for a customer")
        self.profile = profile
        self.conversation_id = conversation_id
        self.verified_at = verified_at

    def __repr__(self) -> str:  # no personal data in logs or tracebacks
        return f"VerifiedCustomer(customer_id={self.profile.id}, conversation_id={self.conversation_id!r})"
