"""Free appointment slots: the business's appointment hours on a grid, minus what is booked, within its
notice and horizon rules. Times are the business's local times; the store keeps UTC."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Mapping

from agent.accounts.records import Appointment
from agent.accounts.sources import AccountSource
from agent.accounts.when import TimeRequest
from agent.business_hours import OpeningHours
from agent.config_accounts import AccountsConfig

#: Parts of the day as customers mean them.
PARTS_OF_DAY = {"morning": (time(0), time(12)), "afternoon": (time(12), time(17)), "evening": (time(17), time(23, 59))}


class AppointmentCalendar:
    def __init__(self, source: AccountSource, config: AccountsConfig, hours: Mapping[str, str], zone: str) -> None:
        self.source = source
        self.config = config
        self.hours = OpeningHours(config.appointment_hours or hours, zone)
        self.zone = self.hours.zone
        self.business_days = set(OpeningHours(hours, zone).openings)

    def problem(self, starts_at: datetime, minutes: int, now: datetime) -> str | None:
        """Why ``starts_at`` cannot be booked under the business's rules (None: it can, if free)."""
        local = starts_at.astimezone(self.zone)
        if starts_at < now + timedelta(hours=self.config.min_notice_hours):
            return f"bookings need at least {_hours(self.config.min_notice_hours)} notice"
        if starts_at > now + timedelta(days=self.config.booking_horizon_days):
            return f"bookings open {self.config.booking_horizon_days} days ahead"
        opening = self.hours.openings.get(local.weekday())
        if opening is None:
            return f"we don't take appointments on {local:%A}s"
        ends = (datetime.combine(local.date(), local.time()) + timedelta(minutes=minutes)).time()
        if local.time() < opening.opens or ends > opening.closes or ends < local.time():
            return f"appointments on {local:%A}s are between {opening.opens:%H:%M} and {opening.closes:%H:%M}"
        return None

    def free_slots(self, minutes: int, now: datetime, wanted: TimeRequest | None = None, *, limit: int = 3,
                   moving: str | None = None) -> list[datetime]:
        """Up to ``limit`` bookable start times, the ones nearest what the customer asked for first."""
        start_day = now.astimezone(self.zone).date()
        if wanted is not None and wanted.day is not None and wanted.day > start_day:
            start_day = wanted.day
        last_day = (now + timedelta(days=self.config.booking_horizon_days)).astimezone(self.zone).date()
        busy = self.source.booked_between(_at(start_day, time(0), self.zone),
                                          _at(last_day + timedelta(days=1), time(0), self.zone))
        found: list[datetime] = []
        day = start_day
        while day <= last_day and len(found) < limit:
            slots = [s for s in self._grid(day, minutes) if self.problem(s, minutes, now) is None
                     and self._free(s, minutes, busy, moving) and _fits(s.astimezone(self.zone), wanted)]
            if wanted is not None and wanted.at is not None and wanted.day in (None, day):
                target = datetime.combine(day, wanted.at)
                slots.sort(key=lambda s: abs(datetime.combine(day, s.astimezone(self.zone).time()) - target))
                found.extend(slots[:limit - len(found)])
            else:
                found.extend(slots[:limit - len(found)])
            day += timedelta(days=1)
        return sorted(found)

    def is_open_day(self, moment: datetime) -> bool:
        """The business is open that day (orders are made and handed over on open days)."""
        return moment.astimezone(self.zone).weekday() in self.business_days

    def is_free(self, starts_at: datetime, minutes: int, now: datetime, *, moving: str | None = None) -> bool:
        if self.problem(starts_at, minutes, now) is not None:
            return False
        busy = self.source.booked_between(starts_at - timedelta(days=1), starts_at + timedelta(minutes=minutes))
        return self._free(starts_at, minutes, busy, moving)

    def _grid(self, day: date, minutes: int) -> list[datetime]:
        opening = self.hours.openings.get(day.weekday())
        if opening is None:
            return []
        step = timedelta(minutes=self.config.slot_minutes)
        at, close = datetime.combine(day, opening.opens), datetime.combine(day, opening.closes)
        slots = []
        while at + timedelta(minutes=minutes) <= close:
            slots.append(at.replace(tzinfo=self.zone))
            at += step
        return slots

    def _free(self, starts_at: datetime, minutes: int, busy: list[Appointment], moving: str | None) -> bool:
        ends_at = starts_at + timedelta(minutes=minutes)
        overlapping = sum(1 for b in busy if b.reference != moving and b.starts_at < ends_at
                          and b.starts_at + timedelta(minutes=b.minutes) > starts_at)
        return overlapping < self.config.capacity


def _fits(local: datetime, wanted: TimeRequest | None) -> bool:
    if wanted is None:
        return True
    if wanted.day is not None and local.date() != wanted.day and wanted.at is None and wanted.part_of_day is None:
        return local.date() >= wanted.day
    if wanted.part_of_day is not None:
        start, end = PARTS_OF_DAY[wanted.part_of_day]
        return start <= local.time() < end
    return True


def _at(day: date, at: time, zone) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)


def _hours(hours: float) -> str:
    return f"{hours:g} hour{'s' if hours != 1 else ''}" if hours < 48 else f"{hours / 24:g} days"
