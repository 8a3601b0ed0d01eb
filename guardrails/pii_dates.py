"""DATE_OF_BIRTH: a date counts as personal data only when the words around it say it is a birth date.

"DOB 14/03/1987", "born on 2 March 1990", "my date of birth is 1990-03-02", "birthday: March 2nd, 1990"
are redacted; "pick up on 12 March", "delivered 03/04/2024", "open 7:00-18:00" stay: dates and times
are what customers ask a shop about.
"""

from __future__ import annotations

import re
from typing import Iterator

from guardrails.verdict import Span

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
          r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
DATE = re.compile(
    rf"(?<![\w/.-])(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{1,2}}-\d{{1,2}}|"
    rf"{_DAY}(?: of)? {_MONTH},? {_YEAR}|{_MONTH} {_DAY},? {_YEAR}|{_DAY} {_MONTH}|{_MONTH} {_DAY})(?![\w/-]|[.]\d)",
    re.IGNORECASE)
BIRTH_BEFORE = re.compile(
    r"(?:\b(?:d\.?o\.?b|date of birth|birth ?date|birthday|born(?: on| in)?|bday|b-day|geboren|né|née|nacido|"
    r"fecha de nacimiento|date de naissance)\b\.?(?:\s*(?:is|was|:|=|-))?[\s:]*(?:on\s+)?)$", re.IGNORECASE)
BIRTH_AFTER = re.compile(r"^\s*\(?\s*(?:d\.?o\.?b|date of birth|birthday)\b", re.IGNORECASE)


def _dates_of_birth(text: str) -> Iterator[Span]:
    for m in DATE.finditer(text):
        before = text[max(0, m.start() - 30):m.start()]
        if BIRTH_BEFORE.search(before) or BIRTH_AFTER.match(text[m.end():m.end() + 20]):
            yield Span("DATE_OF_BIRTH", m.start(), m.end(), 0.9)
