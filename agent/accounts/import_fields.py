"""Checking one imported record's fields: each reader returns the clean value or records what is wrong
(file, line, field, and what to do), so a whole file is checked before anything of it is stored."""

from __future__ import annotations

import json
import re
from datetime import datetime, time, timedelta, timezone
from typing import Any, Protocol
from zoneinfo import ZoneInfo

RELATIVE = re.compile(r"(?:(?P<word>now|today|tomorrow|yesterday)|(?P<n>[+-]\d{1,4})(?P<unit>[dhm]))"
                      r"(?:\s+(?P<h>[01]?\d|2[0-3]):(?P<min>[0-5]\d))?", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", re.IGNORECASE)
UK_POSTCODE = re.compile(r"([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})")
LANGUAGE = re.compile(r"([a-z]{2,3})(?:[-_]([a-z0-9]{2,8}))*", re.IGNORECASE)
PHONE = re.compile(r"\+?[\d\s().-]{6,40}")
CURRENCY = re.compile(r"[A-Za-z]{3}")
URL = re.compile(r"https?://\S+")
LETTERED_REFERENCE = re.compile(r"([A-Z]{2,3})-?(\d{4,8})")
ITEM = re.compile(r"(?:(?P<q>\d+)\s*[x×]\s+)?(?P<name>.+?)(?:\s*@\s*[£$€]?\s*(?P<price>\d+(?:\.\d+)?))?")


class ProblemSink(Protocol):
    """Where a row reports problems (the file being read), and the clock and zone its relative times use."""

    now: datetime
    zone: ZoneInfo

    def problem(self, line: int | None, name: str | None, message: str) -> None: ...


def read_time(value: str, now: datetime, zone: ZoneInfo) -> datetime:
    """An ISO 8601 or relative time, in UTC; the ValueError says what is accepted."""
    m = RELATIVE.fullmatch(" ".join(value.split()))
    if m is None:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a time; write ISO 8601 like 2025-03-14T10:30 or 2025-03-14, or a "
                             "relative time like +2d 10:00 or today 15:00") from None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)).astimezone(timezone.utc)
    word, unit, at = (m["word"] or "").lower(), m["unit"], time(int(m["h"]), int(m["min"])) if m["h"] else None
    if word == "now" or unit in ("h", "m"):
        if at is not None:
            raise ValueError(f"{value!r}: a clock time goes with a day only, as in '+2d 10:00' or 'today 15:00'")
        return now + (timedelta(hours=int(m["n"])) if unit == "h" else timedelta(minutes=int(m["n"] or 0)))
    local = now.astimezone(zone)
    day = local.date() + timedelta(days=int(m["n"]) if unit else {"today": 0, "tomorrow": 1, "yesterday": -1}[word])
    return datetime.combine(day, at or local.time(), tzinfo=zone).astimezone(timezone.utc)


class Row:
    """One record's raw values; each reader checks a field, records what is wrong and returns the clean value."""

    def __init__(self, raw: dict[str, Any], f: ProblemSink, line: int | None, where: str) -> None:
        self.raw, self.file, self.line, self.where = raw, f, line, where

    def problem(self, name: str, message: str) -> None:
        self.file.problem(self.line, self.where + name, message)

    def value(self, name: str) -> Any:
        value = self.raw.get(name)
        return (value.strip() or None) if isinstance(value, str) else value

    def text(self, name: str, limit: int = 200, *, required: bool = False) -> str | None:
        value = self.value(name)
        if value is None or isinstance(value, bool) or not isinstance(value, (str, int)):
            if value is not None:
                self.problem(name, f"should be text, not {json.dumps(value)}")
            elif required:
                self.problem(name, "is empty; every row needs one")
            return None
        if len(str(value)) > limit:
            self.problem(name, f"is {len(str(value))} characters long; shorten it to {limit}")
            return None
        return str(value)

    def reference(self, name: str) -> str | None:
        value = "".join((self.text(name, 40, required=True) or "").split()).upper()
        lettered = LETTERED_REFERENCE.fullmatch(value)
        return f"{lettered[1]}-{lettered[2]}" if lettered else value or None

    def choice(self, name: str, options: tuple[str, ...], default: str | None, *, required: bool = False) -> str | None:
        value = self.text(name, 40, required=required)
        if value is not None and value.lower() not in options:
            self.problem(name, f"{value!r} is not one of {', '.join(options)}")
        return value.lower() if value is not None else default

    def checked(self, name: str, limit: int, pattern: re.Pattern[str], hint: str) -> str | None:
        value = self.text(name, limit)
        if value is not None and not pattern.fullmatch(value):
            self.problem(name, f"{value!r} {hint}")
        return value

    def number(self, name: str, *, whole: bool = False, low: float = 0, high: float = 1e9) -> Any:
        value = self.value(name)
        if isinstance(value, str):
            try:
                value = float(value.lstrip("£$€").replace(",", ""))
            except ValueError:
                self.problem(name, f"{value!r} is not a number; write it like {'30' if whole else '9.50'}")
                return None
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high or (
                whole and value != int(value)):
            self.problem(name, f"{value!r} should be a {'whole ' if whole else ''}number from {low:g} to {high:g}")
            return None
        return int(value) if whole else float(value)

    def when(self, name: str, *, required: bool = False) -> datetime | None:
        value = self.text(name, 60, required=required)
        try:
            return read_time(value, self.file.now, self.file.zone) if value is not None else None
        except ValueError as exc:
            self.problem(name, str(exc))
            return None

    def flag(self, name: str) -> bool:
        value = self.value(name)
        text = str(value).lower()
        if value is None or text in ("false", "no", "n", "0"):
            return False
        if text not in ("true", "yes", "y", "1"):
            self.problem(name, f"{value!r} should be yes or no")
        return True

    def json_value(self, name: str, kind: type) -> Any:
        value = self.value(name)
        if isinstance(value, str) and value[:1] in "[{":
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                self.problem(name, f"is not valid JSON ({exc.msg} at character {exc.pos + 1})")
                return None
        if value is not None and not isinstance(value, kind):
            self.problem(name, f"should be a JSON {'object' if kind is dict else 'list'}")
            return None
        return value

    def email(self, name: str) -> str | None:
        return (self.checked(name, 320, EMAIL, "is not an email address like name@example.com") or "").lower() or None

    def postcode(self, name: str) -> str | None:
        value = " ".join((self.text(name, 20) or "").upper().split())
        uk = UK_POSTCODE.fullmatch(value.replace(" ", ""))
        return f"{uk[1]} {uk[2]}" if uk else value or None

    def language(self, name: str) -> str | None:
        """A BCP 47 tag in its usual case: "en-gb" -> "en-GB"."""
        value = self.checked(name, 16, LANGUAGE, "is not a language code like en, cy or pt-BR") or ""
        first, *rest = value.replace("_", "-").split("-")
        return "-".join([first.lower()] + [p.upper() if len(p) == 2 else p for p in rest]) or None

    def items(self, name: str) -> list[dict[str, Any]]:
        value = self.value(name)
        lines = self.json_value(name, list) if not isinstance(value, str) or value[:1] == "[" else [
            part for part in value.split(";") if part.strip()]
        items: list[dict[str, Any]] = []
        for n, line in enumerate(lines or []):
            if isinstance(line, str):
                m = ITEM.fullmatch(line.strip())
                line = {"name": m["name"], "quantity": int(m["q"] or 1),
                        "price": float(m["price"]) if m["price"] else None} if m else {}
            if not isinstance(line, dict) or not str(line.get("name") or "").strip() or line.keys() - {
                    "name", "quantity", "price"}:
                self.problem(f"{name}[{n}]", "should be like '2 x Sourdough loaf @ 4.50' or "
                             '{"name": "Sourdough loaf", "quantity": 2, "price": 4.5}')
                continue
            item = Row(line, self.file, self.line, f"{self.where}{name}[{n}].")
            items.append({"name": item.text("name"), "quantity": item.number("quantity", whole=True, low=1,
                                                                            high=10_000) or 1,
                          "price": item.number("price", high=1e6)})
        return items
