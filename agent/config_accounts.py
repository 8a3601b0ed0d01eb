"""Customer accounts and the actions the assistant may take for a customer: where profiles come from,
how a customer proves who they are, and the business's policy limits (enforced in the tools, never
left to the model). A section of ``tactful.yaml`` (``accounts:``)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

_HOURS = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")


class AccountsConfig(BaseModel):
    """Profiles, orders and bookings; switched off unless ``enabled``."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    enabled: bool = Field(False, description="Let the assistant look up orders and bookings and act on them for "
                          "a verified customer.")
    source: Literal["store", "rest"] = Field(
        "store", description="store: customers, orders and appointments imported into Tactful's store "
        "(`tactful customers import FILE`); rest: read and changed through the business's own API at rest_url.")
    seed: list[Path] = Field(
        default_factory=list, description="Customer files (JSON or CSV, as `tactful customers import` reads them) "
        "imported when the store holds no customers of this business yet: demo and evaluation data.")
    now: datetime | None = Field(
        None, description="Pin the accounts clock to this moment (evaluations and demos that must give the same "
        "answers every day; seed files' relative dates count from it). Empty: the real time.")
    rest_url: str | None = Field(None, description="Base URL of the business's customer API (source: rest).")
    rest_token: SecretStr | None = Field(None, description="Bearer token for rest_url.")
    rest_timeout_s: float = Field(5.0, gt=0, le=60, description="Seconds to wait for the business's API.")
    verification_minutes: int = Field(
        30, ge=1, le=1440, description="How long a customer stays verified in a conversation before being asked again.")
    max_verification_attempts: int = Field(
        3, ge=1, le=10, description="Failed tries to prove who they are before the assistant stops trying and "
        "offers a person instead (slows down guessing).")
    cancellable_statuses: list[str] = Field(
        default_factory=lambda: ["placed"], description="Order statuses a customer may cancel themselves.")
    cancel_cutoff_hours: float = Field(
        24, ge=0, le=720, description="No self-service cancellation when the order is due within this many hours.")
    changeable_statuses: list[str] = Field(
        default_factory=lambda: ["placed"], description="Order statuses whose day a customer may move themselves.")
    order_change_cutoff_hours: float = Field(
        24, ge=0, le=720, description="No self-service change of an order due within this many hours, nor to a day "
        "this soon.")
    services: dict[str, int] = Field(
        default_factory=lambda: {"cake consultation": 30},
        description="What can be booked -> minutes it takes. The first is the default.")
    appointment_hours: dict[str, str] | None = Field(
        None, description="When appointments can be booked: day (mon..sun) -> HH:MM-HH:MM; empty: the business's "
        "opening_hours.")
    slot_minutes: int = Field(30, ge=5, le=480, description="Appointments start on this grid (minutes).")
    capacity: int = Field(1, ge=1, le=100, description="Appointments that may overlap (people or chairs free).")
    min_notice_hours: float = Field(2, ge=0, le=720, description="No booking sooner than this from now.")
    change_cutoff_hours: float = Field(
        24, ge=0, le=720, description="No self-service move or cancellation this close to the appointment.")
    booking_horizon_days: int = Field(60, ge=1, le=365, description="How far ahead customers may book.")
    model_tools: Literal["auto", "off"] = Field(
        "auto", description="auto: a request the deterministic reading does not recognise, about an order or a "
        "booking, is offered to the model as function calls (OpenAI-compatible models; not the small embedded one); "
        "the identity check, the policy and the customer's yes still apply. off: deterministic only.")
    email_confirmations: bool = Field(
        True, description="Email a confirmation after every change, when the customer's profile has an address and "
        "the email channel is set up.")

    @field_validator("services")
    @classmethod
    def _services_take_time(cls, value: dict[str, int]) -> dict[str, int]:
        if not value:
            raise ValueError("name at least one service customers can book, e.g. {'consultation': 30}")
        for name, minutes in value.items():
            if not 5 <= minutes <= 480:
                raise ValueError(f"service {name!r}: {minutes} minutes is outside 5-480")
        return {name.strip().lower(): minutes for name, minutes in value.items()}

    @field_validator("appointment_hours")
    @classmethod
    def _hours_are_ranges(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for day, span in (value or {}).items():
            if day not in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
                raise ValueError(f"{day!r} is not a day; use mon, tue, wed, thu, fri, sat or sun")
            match = _HOURS.fullmatch(span.strip())
            if not match or (int(match[1]), int(match[2])) >= (int(match[3]), int(match[4])):
                raise ValueError(f"{day}: {span!r} is not a time range like 09:00-17:30")
        return value

    @field_validator("now")
    @classmethod
    def _now_has_a_zone(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give accounts.now with its offset, e.g. 2026-12-01T09:00:00Z")
        return value

    @model_validator(mode="after")
    def _rest_needs_url(self) -> "AccountsConfig":
        if self.source == "rest" and not self.rest_url:
            raise ValueError("accounts.source is rest but accounts.rest_url is empty: set the base URL of the "
                             "business's customer API, or use source: store")
        return self
