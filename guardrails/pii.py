"""Personal-data redaction with precise patterns and checksums, using Presidio's entity type names.

Finds e-mail addresses, phone numbers, payment cards (Luhn), US social security numbers, IBANs
(mod-97), IP addresses, UK NHS numbers (mod-11) and URLs carrying credentials. It prefers missing an
odd format to redacting prices, order numbers, times or quantities. Names and street addresses need
a named-entity model; they are out of scope for these patterns.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from guardrails.verdict import Span, Verdict

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
URL_WITH_CREDENTIALS = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@]+:[^\s/@]+@[^\s]+", re.IGNORECASE)
CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){11,18}\d(?![\d-])")
SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)(\d{3})([- ]?)(?!00)(\d{2})\2(?!0000)(\d{4})(?![\d-])")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b", re.IGNORECASE)
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}(?![\w:])")
NHS = re.compile(r"(?<![\d-])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\d-])")
PHONE = re.compile(
    r"(?<![\w+#£$€-])"
    r"(?:\+\d{1,3}[\s.-]?)?"                      # country code
    r"(?:\(\d{1,5}\)[\s.-]?|\d{1,5}[\s.-])?"     # area code
    r"\d{2,4}[\s.-]?\d{3,4}(?:[\s.-]?\d{1,4})?"
    r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?"
    r"(?![\w%£$€-]|\.\d)")
#: European styles: 0490 75 40 81, 03.93.92.16.85, +46 (0)8 928 571 38, 71-33-52-22
PHONE_GROUPED = re.compile(
    r"(?<![\w+#£$€.-])(?:\+\d{1,3}\s?(?:\(0\)\s?)?)?\(?\d{1,4}\)?(?:[\s.-]\d{2,4}){2,5}(?![\w%£$€-]|\.\d)")


@dataclass(frozen=True)
class Redaction:
    """The redacted text and the spans found, with offsets into the original text."""

    text: str
    spans: list[Span] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.spans)


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    compact = iban.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def nhs_valid(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) != 10:
        return False
    check = 11 - sum(d * w for d, w in zip(digits[:9], range(10, 1, -1))) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == digits[9]


def _phone_ok(match: re.Match[str], text: str) -> bool:
    value = match.group(0)
    digits = re.sub(r"\D", "", value.split("x")[0].split("ext")[0])
    if not 7 <= len(digits) <= 15:
        return False
    if re.fullmatch(r"\d{1,2}[:.]\d{2}([-–]\d{1,2}[:.]\d{2})?", value.strip()):
        return False  # times
    if re.match(r"\s*(19|20)\d\d[-./]\d\d?[-./]\d\d?", value) or text[match.end():match.end() + 1] == ":":
        return False  # dates and date-times
    before = text[max(0, match.start() - 24):match.start()].lower()
    if re.search(r"(order|ref|reference|invoice|no\.?|number|#)\s*[:#]?\s*$", before) and not value.startswith("+"):
        return False  # order and reference numbers
    value = value.strip()
    if value.startswith(("+", "(", "0")) or len(digits) >= 10:
        return True
    # 555-0100, 555 0100: only where the words around say it is a phone number
    return bool(re.search(r"\b(phone|call|tel|mobile|cell|text|whatsapp|fax|number)\b(\W+\w+){0,2}\W*$", before))


def find_pii(text: str) -> list[Span]:
    spans: list[Span] = []

    def add(kind: str, start: int, end: int, score: float = 1.0) -> None:
        if any(s.start < end and start < s.end for s in spans):
            return  # earlier, more specific patterns win
        spans.append(Span(type=kind, start=start, end=end, score=score))

    for m in URL_WITH_CREDENTIALS.finditer(text):
        add("URL", m.start(), m.end())
    for m in EMAIL.finditer(text):
        add("EMAIL_ADDRESS", m.start(), m.end())
    for m in IBAN.finditer(text):
        if iban_valid(m.group(0).upper()):
            add("IBAN_CODE", m.start(), m.end())
    for m in CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and luhn_valid(digits) and len(set(digits)) > 1:
            add("CREDIT_CARD", m.start(), m.end())
        elif 12 <= len(digits) <= 19 and re.search(r"\b(card|cc|visa|mastercard|amex)\b\D{0,25}$",
                                                    text[max(0, m.start() - 40):m.start()], re.I):
            add("CREDIT_CARD", m.start(), m.end(), 0.6)  # a card number by context, even with a typo in it
    for m in SSN.finditer(text):
        if m.group(2) or re.search(r"(ssn|social security)", text[max(0, m.start() - 30):m.start()], re.I):
            add("US_SSN", m.start(), m.end(), 0.85)
    for m in NHS.finditer(text):
        if nhs_valid(m.group(0)) and re.search(r"\bnhs\b", text[max(0, m.start() - 40):m.start()], re.I):
            add("UK_NHS", m.start(), m.end())
    for m in IPV4.finditer(text):
        try:
            ipaddress.IPv4Address(m.group(0))
            add("IP_ADDRESS", m.start(), m.end())
        except ValueError:
            pass
    for m in IPV6.finditer(text):
        try:
            ipaddress.IPv6Address(m.group(0))
            add("IP_ADDRESS", m.start(), m.end())
        except ValueError:
            pass
    for m in [*PHONE.finditer(text), *PHONE_GROUPED.finditer(text)]:
        start, end = m.start(), m.end()
        while end > start and text[end - 1] in " .-":
            end -= 1
        if _phone_ok(m, text):
            add("PHONE_NUMBER", start, end, 0.75)
    return sorted(spans, key=lambda s: s.start)


def redact_pii(text: str) -> Redaction:
    """``text`` with each piece of personal data replaced by ``<ENTITY_TYPE>``."""
    spans = find_pii(text)
    out = text
    for span in reversed(spans):
        out = out[:span.start] + f"<{span.type}>" + out[span.end:]
    return Redaction(text=out, spans=spans)


class PiiRail:
    """The privacy rail: redact personal data before it reaches the model, the logs or the store."""

    name = "pii"

    def check(self, text: str) -> Verdict:
        return self.verdict(redact_pii(text))

    def verdict(self, redaction: Redaction) -> Verdict:
        if not redaction.spans:
            return Verdict(rail=self.name, passed=True, action="allow", reason="no personal data found")
        kinds = sorted({s.type for s in redaction.spans})
        return Verdict(rail=self.name, passed=True, action="redact",
                       reason=f"redacted {len(redaction.spans)} item(s): {', '.join(kinds)}",
                       spans=tuple(redaction.spans))
