"""The hard facts of a text: numbers, prices, times, percentages, codes, and day and month names.

A model that invents a price, a time or an opening day is the costliest mistake a shop bot makes,
so grounding checks these exactly, after normalising the ways one fact is written: "£5", "£5.00"
and "5 pounds"; "7am", "7:00" and "07.00"; "10%" and "10 per cent"; "three" and "3"; and day ranges
("Tuesday to Saturday", "Tue-Sat", "weekdays") as the days they cover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Iterator

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_DAY_ABBREVIATIONS = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5,
                      "sun": 6}
_MONTH_ABBREVIATIONS = {m[:3]: m for m in MONTHS} | {"sept": "september"}
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                 "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
                 "sixty": 60, "ninety": 90, "hundred": 100, "dozen": 12}
_CURRENCIES = {"£": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP", "gbp": "GBP", "$": "USD",
               "dollar": "USD", "dollars": "USD", "usd": "USD", "€": "EUR", "euro": "EUR", "euros": "EUR",
               "eur": "EUR"}
_MULTIPLIERS = {"k": 1000, "thousand": 1000, "m": 1_000_000, "million": 1_000_000, "bn": 1_000_000_000}
_MONTH_CONTEXT = re.compile(r"(?:\b(?:in|of|during|until|till|from|since|by|before|after|early|late|mid|end|"
                            r"start|each|every|this|next|last)|\d)\W*$", re.IGNORECASE)

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?"
_DAY_OR_ABBREVIATION = rf"(?:{_DAY}|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?"
_FACT = re.compile(
    rf"(?P<range>\b{_DAY_OR_ABBREVIATION})\s*(?:-|–|—|to|through|thru|until|till)\s*"
    rf"(?P<range_end>{_DAY_OR_ABBREVIATION})(?!\w)"
    r"|\b(?P<group>weekdays?|weekends?|every ?day|daily|(?:seven|7) days a week)\b"
    rf"|\b(?P<day>{_DAY})\b"
    r"|\b(?P<day_abbreviation>Mon|Tues?|Wed|Thu(?:rs?)?|Fri)\b(?!')"
    r"|\b(?P<month>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b"
    rf"|(?P<symbol>[£$€])\s?(?P<amount>{_NUM})(?:\s?(?P<multiplier>k|m|bn|million|thousand)\b)?"
    rf"|(?<![\w.,])(?P<amount_word>{_NUM})\s?(?P<currency>pounds?|quid|gbp|dollars?|usd|euros?|eur)\b"
    r"|(?<![\w.,])(?P<pence>\d{1,3})\s?(?:p|pence)\b"
    rf"|(?<![\w.,])(?P<percent>{_NUM})\s?(?:%|per\s?cent\b)"
    r"|\b(?P<hour>1[0-2]|0?\d)(?:[:.](?P<minute>[0-5]\d))?\s?(?P<meridiem>[ap])\.?m\b\.?"
    r"|(?<![\w.,:])(?P<hour24>[01]?\d|2[0-4]):(?P<minute24>[0-5]\d)(?![\d:])"
    r"|(?<![\w.,£$€])(?P<dot_hour>[01]?\d|2[0-3])\.(?P<dot_minute>[0-5]\d)(?![\d.]\d|\d)"
    r"|\b(?P<time_word>noon|midday|midnight)\b"
    r"|\b(?P<ordinal>\d+)(?:st|nd|rd|th)\b"
    r"|\b(?P<code>[A-Za-z]{1,3}\d[A-Za-z0-9]*)\b"
    rf"|(?<![\w.,])(?P<number>{_NUM})(?![.,]\d)"
    r"|\b(?P<number_word>two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    r"|forty|fifty|sixty|ninety|hundred|dozen)\b",
    re.IGNORECASE)

#: Where a fact can start: a digit, a currency sign, a code ("SE15") or a day, month or number word.
#: Trying the full pattern only there keeps a 180-word passage well under a millisecond.
_FACT_START = re.compile(
    r"[£$€\d]|\b(?:mon|tue|wed|thu|fri|sat|sun|week|every|daily|seven|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov"
    r"|dec|two|three|four|five|six|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|ninety"
    r"|hundred|dozen|noon|midday|midnight|[a-z]{1,3}\d)", re.IGNORECASE)


def _matches(text: str) -> Iterator[re.Match[str]]:
    position = 0
    while (start := _FACT_START.search(text, position)) is not None:
        m = _FACT.match(text, start.start())
        if m is None or m.end() == m.start():
            position = start.start() + 1
            continue
        yield m
        position = m.end()


@dataclass(frozen=True)
class Fact:
    """One fact as written, and the normalised keys that count as the same fact."""

    text: str
    keys: frozenset[str]


def facts(text: str) -> list[Fact]:
    """Every fact stated in ``text``; a day range or "weekdays" gives one fact per day."""
    found: list[Fact] = []
    for m in _matches(text):
        found.extend(_read(m, text, claim=True))
    return found


@lru_cache(maxsize=512)
def fact_keys(text: str) -> frozenset[str]:
    """All the normalised facts a passage supports (day ranges expanded, prices also as plain numbers)."""
    keys: set[str] = set()
    for m in _matches(text):
        for fact in _read(m, text, claim=False):
            keys |= fact.keys
    return frozenset(keys)


def _read(m: re.Match[str], text: str, claim: bool) -> list[Fact]:
    g, written = m.groupdict(), m.group()
    if g["range"]:
        first, last = _day_index(g["range"]), _day_index(g["range_end"])
        span = [(first + i) % 7 for i in range((last - first) % 7 + 1)]
        return [Fact(DAYS[d].title(), frozenset({f"day:{DAYS[d]}"})) for d in span]
    if g["group"]:
        group = g["group"].lower()
        days = range(5) if group.startswith("weekday") else range(5, 7) if group.startswith("weekend") else range(7)
        return [Fact(DAYS[d].title(), frozenset({f"day:{DAYS[d]}"})) for d in days]
    if g["day_abbreviation"] and not written[0].isupper():
        return []  # "wed", "fri" in lower case are words, not days
    if g["day"] or g["day_abbreviation"]:
        return [Fact(written, frozenset({f"day:{DAYS[_day_index(written)]}"}))]
    if g["month"]:
        month = g["month"]
        if not month[0].isupper():
            return []  # "may", "march" and "dec" in lower case are words
        name = _MONTH_ABBREVIATIONS.get(month.lower().rstrip("."), month.lower())
        ambiguous = month.lower() in ("may", "march") or len(month) <= 4
        before, after = text[max(0, m.start() - 12):m.start()], text[m.end():m.end() + 3]
        if ambiguous and not (_MONTH_CONTEXT.search(before) or re.match(r"\s?\d", after)):
            return []  # "May I help?", "Mark", "Jan" the baker
        return [Fact(written, frozenset({f"month:{name}"}))]
    if g["symbol"] or g["amount_word"]:
        amount = _decimal(g["amount"] or g["amount_word"])
        if g["multiplier"]:
            amount *= _MULTIPLIERS[g["multiplier"].lower()]
        currency = _CURRENCIES[(g["symbol"] or g["currency"]).lower()]
        return [_money(written, currency, amount, claim)]
    if g["pence"]:
        return [_money(written, "GBP", _decimal(g["pence"]) / 100, claim)]
    if g["percent"]:
        value = _norm(_decimal(g["percent"]))
        return [Fact(written, frozenset({f"pct:{value}"} | (set() if claim else {f"num:{value}"})))]
    if g["meridiem"]:
        hour = int(g["hour"]) % 12 + (12 if g["meridiem"].lower() == "p" else 0)
        return [Fact(written, frozenset({f"time:{hour * 60 + int(g['minute'] or 0)}"}))]
    if g["hour24"]:
        return [Fact(written, _clock(int(g["hour24"]), int(g["minute24"])))]
    if g["dot_hour"]:
        return [Fact(written, _clock(int(g["dot_hour"]), int(g["dot_minute"])) | {f"num:{_norm(_decimal(written))}"})]
    if g["time_word"]:
        return [Fact(written, frozenset({"time:0" if g["time_word"].lower() == "midnight" else "time:720"}))]
    if g["ordinal"]:
        return [Fact(written, frozenset({f"num:{int(g['ordinal'])}"}))]
    if g["code"]:
        return [Fact(written, frozenset({f"code:{written.lower()}"}))]
    if g["number"]:
        value = _decimal(g["number"])
        keys = {f"num:{_norm(value)}"}
        if claim and value == int(value) and 1 <= value <= 24:
            keys |= _clock(int(value) % 24, 0)  # "open until 5" may mean 17:00
        return [Fact(written, frozenset(keys))]
    if g["number_word"]:
        return [Fact(written, frozenset({f"num:{_NUMBER_WORDS[written.lower()]}"}))]
    return []


def _clock(hour: int, minute: int) -> frozenset[str]:
    """A time written without am/pm: 7:00 may be 07:00 or 19:00, so both count."""
    hour %= 24
    keys = {f"time:{hour * 60 + minute}"}
    if 1 <= hour <= 12:
        keys.add(f"time:{(hour % 12 + 12) * 60 + minute}" if hour < 12 else f"time:{minute}")
    return frozenset(keys)


def _money(written: str, currency: str, amount: Decimal, claim: bool) -> Fact:
    keys = {f"money:{currency}:{_norm(amount)}"}
    if not claim:
        keys.add(f"num:{_norm(amount)}")  # "costs 4.50" in an answer is the passage's £4.50
    return Fact(written, frozenset(keys))


def _day_index(word: str) -> int:
    word = word.lower().rstrip(".")
    if word.rstrip("s") in DAYS:
        return DAYS.index(word.rstrip("s"))
    return DAYS.index(word) if word in DAYS else _DAY_ABBREVIATIONS[word]


def _decimal(raw: str) -> Decimal:
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        return Decimal(0)


def _norm(value: Decimal) -> str:
    """4.50 -> "4.5", 5.00 -> "5", 020 -> "20": one spelling per value."""
    return format(value.normalize(), "f")
