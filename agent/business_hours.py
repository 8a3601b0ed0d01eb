"""When a person is there to take over: the business's opening hours in its own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Mapping
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Opening:
    day: int  # 0 = Monday
    opens: time
    closes: time


class OpeningHours:
    """``{"tue": "07:00-18:00", ...}`` in ``zone``; days left out are closed."""

    def __init__(self, hours: Mapping[str, str], zone: str) -> None:
        self.zone = ZoneInfo(zone)
        self.openings: dict[int, Opening] = {}
        for day, span in hours.items():
            start, end = (part.strip() for part in span.split("-"))
            self.openings[DAYS.index(day)] = Opening(DAYS.index(day), _clock(start), _clock(end))

    def local(self, now: datetime | None = None) -> datetime:
        return (now or datetime.now(timezone.utc)).astimezone(self.zone)

    def is_open(self, now: datetime | None = None) -> bool:
        here = self.local(now)
        opening = self.openings.get(here.weekday())
        return opening is not None and opening.opens <= here.time() < opening.closes

    def next_opening(self, now: datetime | None = None) -> datetime | None:
        """When a person is next there (now, if open); None when the business has no hours at all."""
        here = self.local(now)
        if self.is_open(here):
            return here
        for ahead in range(0, 8):
            day = here + timedelta(days=ahead)
            opening = self.openings.get(day.weekday())
            if opening is None:
                continue
            start = datetime.combine(day.date(), opening.opens, tzinfo=self.zone)
            if start > here:
                return start
        return None

    def describe_next(self, now: datetime | None = None) -> str | None:
        """"today at 07:00", "tomorrow at 07:00", "on Tuesday at 07:00"."""
        start = self.next_opening(now)
        if start is None:
            return None
        here = self.local(now)
        days = (start.date() - here.date()).days
        when = "today" if days == 0 else "tomorrow" if days == 1 else f"on {DAY_NAMES[start.weekday()]}"
        return f"{when} at {start:%H:%M}"


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time(23, 59, 59) if hours == 24 else time(hours, minutes)
