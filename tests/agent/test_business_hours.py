"""Opening hours in the business's own time zone: is someone there, and when are they next."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from agent.business_hours import OpeningHours
from agent.config import BusinessProfile
from agent.errors import ConfigError
from agent.config import load_config

HOURS = OpeningHours({"tue": "07:00-18:00", "sat": "07:00-18:00", "sun": "08:00-14:00"}, "Europe/London")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_open_inside_hours_and_closed_outside():
    assert HOURS.is_open(utc(2026, 12, 1, 10, 0))        # Tuesday 10:00 in London (GMT in December)
    assert not HOURS.is_open(utc(2026, 12, 1, 18, 0))    # closing time
    assert not HOURS.is_open(utc(2026, 11, 30, 10, 0))   # Monday: closed


def test_the_time_zone_is_the_business_s_own():
    assert HOURS.is_open(utc(2026, 7, 4, 6, 30))         # Saturday 07:30 in London, summer time (UTC+1)
    new_york = OpeningHours({"sat": "09:00-17:00"}, "America/New_York")
    assert not new_york.is_open(utc(2026, 7, 4, 12, 0))  # 08:00 there
    assert new_york.is_open(utc(2026, 7, 4, 14, 0))


@pytest.mark.parametrize("now, expected", [
    (utc(2026, 11, 30, 10, 0), "tomorrow at 07:00"),     # Monday
    (utc(2026, 12, 1, 5, 0), "today at 07:00"),          # Tuesday before opening
    (utc(2026, 12, 1, 19, 0), "on Saturday at 07:00"),   # Tuesday evening
    (utc(2026, 12, 6, 15, 0), "on Tuesday at 07:00"),    # Sunday after closing
])
def test_next_opening_is_described_plainly(now, expected):
    assert HOURS.describe_next(now) == expected


def test_a_business_with_no_hours_never_promises_a_time():
    assert OpeningHours({}, "Europe/London").describe_next(utc(2026, 12, 1, 10, 0)) is None


@pytest.mark.parametrize("hours, message", [
    ({"tue": "7-18"}, "not a time range"),
    ({"tue": "18:00-07:00"}, "closes before it opens"),
    ({"tuesday": "07:00-18:00"}, "tuesday"),
])
def test_bad_hours_fail_at_start_up_with_the_key(tmp_path, hours, message):
    path = tmp_path / "tactful.yaml"
    import yaml

    path.write_text(yaml.safe_dump({"business": {"opening_hours": hours}}), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path, environ={})


def test_an_unknown_time_zone_fails_at_start_up():
    with pytest.raises(ValueError, match="IANA"):
        BusinessProfile(timezone="Mars/Olympus")
