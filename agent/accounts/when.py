"""When a customer asks to come in: the day, the clock time and the part of the day in their own words.

Rules chosen for a shop, because the assistant always reads the full date back before acting:

- Weekdays: "Friday" and "this Friday" mean the coming Friday; today counts while the time asked is still
  ahead (the named time, else the end of that part of the day - 12:00, 17:00, 22:00 - else 17:00).
  "next Friday" is also the coming Friday, but never today. A written date beats a weekday; among weekdays
  and "today"/"tomorrow"/"tonight", the first mentioned wins.
- "on the 12th" is this month, or the next month that has a 12th once it has passed.
- "12 December" / "December 12" without a year is this year, or next year once passed.
- "12/11" is day/month (UK order); "2026-12-12" is ISO. Dotted "12.11" is read as a time, never a date.
- Clock times without am/pm: 1-7 are afternoon (15:00 for "at 3"), 8-11 morning, 12 is midday; "morning"
  makes them am and "afternoon"/"evening" pm. "09:30" and "15:00" are taken as written.
- A bare number is a time only after "at"/"around"/... and not before a noun: "around 6 cupcakes" is not.
- Order numbers, prices ("£12.50", "12.50 each") and quantities ("2 loaves") are never times.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

PartOfDay = Literal["morning", "afternoon", "evening"]


@dataclass(frozen=True)
class TimeRequest:
    day: date | None
    at: time | None
    part_of_day: PartOfDay | None


WEEKDAYS = {"monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "tuseday": 1, "wednesday": 2, "wed": 2,
            "weds": 2, "wednsday": 2, "wensday": 2, "wendesday": 2, "thursday": 3, "thu": 3, "thur": 3,
            "thurs": 3, "thrusday": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5, "sunday": 6, "sun": 6}
_AMBIGUOUS_DAYS = {"wed", "sat", "sun"}  # "we sat outside", "the sun": only after "on"/"this"/"next"/...
_WEEKDAY_WORDS = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (r"(?P<m>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY_NUMBER = r"(?P<d>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_NOT_A_TIME = r"(?!\s*(?:a\.?m\b|p\.?m\b|[:.]\d|o'?\s?clock))"
_YEAR = r"(?:,?\s+(?P<y>20\d\d))?"
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_HOUR = r"(?P<h>1[0-2]|0?[1-9]|" + "|".join(NUMBER_WORDS) + r")"

DATE_DAY_MONTH = re.compile(rf"\b{_DAY_NUMBER}(?:\s+of)?\s+{_MONTH}\b{_YEAR}")
DATE_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(?:the\s+)?{_DAY_NUMBER}\b{_YEAR}{_NOT_A_TIME}")
DATE_SLASHED = re.compile(r"(?<![\w/£$€.#-])(?P<d>3[01]|[12]\d|0?[1-9])/(?P<m>1[0-2]|0?[1-9])"
                          r"(?:/(?P<y>(?:20)?\d\d))?(?![\w/])")
DATE_ISO = re.compile(r"\b(?P<y>20\d\d)-(?P<m>1[0-2]|0[1-9])-(?P<d>3[01]|[12]\d|0[1-9])\b")
DATE_ORDINAL = re.compile(r"\b(?:on\s+(?:the\s+)?|the\s+)(?P<d>3[01]|[12]\d|0?[1-9])(?P<suffix>st|nd|rd|th)?\b"
                          r"(?!\s*(?:one|option|slot|time|choice|of)\b)" + _NOT_A_TIME)
WEEKDAY = re.compile(rf"\b(?:(?P<q>this|next|coming|on|by|till|until|for|from)\s+)?(?P<w>{_WEEKDAY_WORDS})\b")
RELATIVE_DAY = re.compile(r"\b(?P<r>day after tomorrow|today|tonight|tomorrow|tommorow|tommorrow|tomorow|"
                          r"tmrw|tmr|tmw|2moro|2morrow)\b")
PART_OF_DAY = re.compile(r"\b(?P<g>good\s+)?(?P<this>this\s+)?(?P<p>morning|afternoon|evening|eve|arvo|tonight)\b")

TIME_AMPM = re.compile(r"(?<![\w£$€.:/#-])(?P<h>1[0-2]|0?[1-9])(?:[:.](?P<min>[0-5]\d))?\s*"
                       r"(?P<ap>a\.?m\b\.?|p\.?m\b\.?)")
TIME_24H = re.compile(r"(?<![\w£$€.:/#-])(?P<h>[01]?\d|2[0-3])(?P<sep>[:.])(?P<min>[0-5]\d)(?![\d.:%])"
                      r"(?!\s*(?:p\b|pence|pounds?|quid|dollars?|euros?|each|per|kg|g\b|lbs?|ml|l\b))")
TIME_OCLOCK = re.compile(rf"\b{_HOUR}\s*o'?\s?clock\b")
TIME_HALF = re.compile(rf"\b(?:(?P<q>quarter)\s+(?P<dir>past|to)|half\s+(?:past\s+)?)\s*{_HOUR}\b")
TIME_NOON = re.compile(r"\b(?:12\s*)?(?:noon|midday|mid-day)\b")
TIME_AFTER_WORD = re.compile(rf"(?P<prep>\b(?:at|around|about|after|before|until|till|from|between)|@)\s+"
                             rf"(?:like\s+|maybe\s+|about\s+|around\s+)?{_HOUR}(?:ish)?\b(?![:.]\d|'s)")
_FOLLOWS_A_TIME = re.compile(rf"\s*(?:$|[.,!?;:)\-]|(?:please|pls|on|or|and|if|then|instead|works|would|is|this|"
                             rf"next|in|sharp|latest|earliest|tomorrow|today|tonight|ok|okay|morning|afternoon|"
                             rf"evening|{_WEEKDAY_WORDS})\b)")
_FOLLOWS_AT = re.compile(r"\s*(?:for|the|to|with|a|if|is|works|suits|please)\b")  # "at 3 for a fitting"
_GREETING_AFTER = re.compile(r"\s*[,!]\s*\w|\s+(?:all|everyone|there|team)\b")  # "Morning, can I ..."
_PARTS: dict[str, PartOfDay] = {"morning": "morning", "afternoon": "afternoon", "evening": "evening",
                                "eve": "evening", "tonight": "evening", "arvo": "afternoon"}
_PRICE_BEFORE = re.compile(r"[£$€]\s*$")
_PART_ENDS = {"morning": time(12), "afternoon": time(17), "evening": time(22)}
_DAY_ENDS = time(17)


def normalise(text: str) -> str:
    """Lower case, with typographic apostrophes made plain."""
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


def part_of_day(text: str) -> PartOfDay | None:
    """The first part of the day asked for; greetings ("good morning", "Morning, ...") do not count."""
    low = normalise(text)
    for m in PART_OF_DAY.finditer(low):
        if m["g"] or (m.start() == len(low) - len(low.lstrip()) and _GREETING_AFTER.match(low, m.end())):
            continue
        return _PARTS[m["p"]]
    return None


def clock_times(text: str, part: PartOfDay | None = None) -> list[tuple[int, time]]:
    """Every clock time in ``text`` as (position, time), in order; hours without am/pm follow the module rules."""
    low, found = normalise(text), []
    for m in TIME_AMPM.finditer(low):
        hour = int(m["h"]) % 12 + (12 if m["ap"].startswith("p") else 0)
        found.append((m.start(), -len(m[0]), time(hour, int(m["min"] or 0))))
    for m in TIME_24H.finditer(low):
        if _PRICE_BEFORE.search(low[max(0, m.start() - 2):m.start()]):
            continue
        explicit = m["h"].startswith("0") or int(m["h"]) >= 13 or int(m["h"]) == 0
        hour = int(m["h"]) if explicit else _guess_hour(int(m["h"]), part)
        found.append((m.start(), -len(m[0]), time(hour, int(m["min"]))))
    for pattern in (TIME_OCLOCK, TIME_AFTER_WORD):
        for m in pattern.finditer(low):
            if pattern is TIME_AFTER_WORD and not (_FOLLOWS_A_TIME.match(low, m.end()) or (
                    m["prep"] in ("at", "@") and _FOLLOWS_AT.match(low, m.end()))):
                continue  # "around 6 cupcakes", "about 5 for the party": quantities
            found.append((m.start("h"), -len(m[0]), time(_guess_hour(_hour(m["h"]), part))))
    for m in TIME_HALF.finditer(low):
        hour, minute = _guess_hour(_hour(m["h"]), part), 30
        if m["q"]:
            minute = 15 if m["dir"] == "past" else 45
            hour = (hour - (m["dir"] == "to")) % 24
        found.append((m.start(), -len(m[0]), time(hour, minute)))
    found += [(m.start(), -len(m[0]), time(12)) for m in TIME_NOON.finditer(low)]
    found.sort()
    taken, result = -1, []
    for start, negative_length, at in found:
        if start > taken:  # overlapping finds: the longest one at a position wins
            result.append((start, at))
            taken = start - negative_length - 1
    return result


def _hour(word: str) -> int:
    return NUMBER_WORDS.get(word) or int(word)


def _guess_hour(hour: int, part: PartOfDay | None) -> int:
    if hour in (0, 12) or part == "morning":
        return hour
    return hour + 12 if part in ("afternoon", "evening") or hour <= 7 else hour


def weekdays_named(text: str) -> list[int]:
    """Weekdays (0 = Monday) named in ``text``, in order; "sat"/"sun"/"wed" only with "on"/"this"/"next"/..."""
    return [WEEKDAYS[m["w"]] for m in WEEKDAY.finditer(normalise(text))
            if m["q"] or m["w"] not in _AMBIGUOUS_DAYS]


def requested_time(text: str, now: datetime) -> TimeRequest | None:
    """The day, clock time and part of day asked for, resolved against ``now`` (aware, the business's zone)."""
    low = normalise(text)
    part = part_of_day(text)
    times = clock_times(text, part)
    at = times[0][1] if times else None
    day = _explicit_date(low, now.date()) or _weekday_or_relative(low, now, at, part)
    if day is None and part and re.search(r"\bthis\s+(?:morning|afternoon|evening)\b|\btonight\b", low):
        day = now.date()
    if day is None and at is None and part is None:
        return None
    return TimeRequest(day=day, at=at, part_of_day=part)


def _explicit_date(low: str, today: date) -> date | None:
    for pattern in (DATE_ISO, DATE_DAY_MONTH, DATE_MONTH_DAY, DATE_SLASHED):
        for m in pattern.finditer(low):
            month = int(m["m"]) if m["m"].isdigit() else _MONTHS.index(m["m"][:3]) + 1
            year = m["y"] and int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
            if m[0] == "24/7":
                continue  # "open 24/7"
            found = _valid_date(year or today.year, month, int(m["d"]))
            if found and not year and found < today:
                found = _valid_date(today.year + 1, month, int(m["d"]))
            if found:
                return found
    for m in DATE_ORDINAL.finditer(low):
        if m["suffix"] or re.match(r"\s*(?:$|[.,!?])", low[m.end():]):
            return _next_day_of_month(int(m["d"]), today)
    return None


def _valid_date(year: int, month: int, day: int) -> date | None:
    return date(year, month, day) if day <= calendar.monthrange(year, month)[1] else None


def _next_day_of_month(day: int, today: date) -> date | None:
    year, month = today.year, today.month
    for _ in range(13):
        found = _valid_date(year, month, day)
        if found and found >= today:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _weekday_or_relative(low: str, now: datetime, at: time | None, part: PartOfDay | None) -> date | None:
    candidates: list[tuple[int, date]] = []
    for m in WEEKDAY.finditer(low):
        if m["w"] in _AMBIGUOUS_DAYS and not m["q"]:
            continue
        ahead = (WEEKDAYS[m["w"]] - now.weekday()) % 7
        if ahead == 0 and (m["q"] == "next" or now.time() >= (at or _PART_ENDS.get(part or "", _DAY_ENDS))):
            ahead = 7
        candidates.append((m.start(), now.date() + timedelta(days=ahead)))
    for m in RELATIVE_DAY.finditer(low):
        word = m["r"]
        offset = 0 if word in ("today", "tonight") else 2 if word.startswith("day after") else 1
        candidates.append((m.start(), now.date() + timedelta(days=offset)))
    return min(candidates)[1] if candidates else None
