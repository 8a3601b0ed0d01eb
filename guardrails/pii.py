"""Personal-data redaction with precise patterns and checksums, using Presidio's entity type names.

Finds EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD (Luhn and a card-scheme prefix), US_SSN (valid
ranges), IBAN_CODE (country length and mod-97), IP_ADDRESS (v4 and v6), UK_NHS (mod-11, next to the
word "NHS"), UK_NINO (allocated prefixes, suffix A-D), URL (only a URL that carries credentials or an
e-mail address: plain links are fine), and, in their own modules, PERSON (``pii_names``: cues and a
first-name lexicon), STREET_ADDRESS (``pii_addresses``) and DATE_OF_BIRTH (``pii_dates``).
DATE_TIME is deliberately not redacted: dates and opening hours are what customers ask about; a date
is redacted only when the words around it say it is a birth date.

Precision comes first: an odd phone format is sometimes missed rather than redacting a price
("£12.50"), an order number ("order #48213"), a time ("7:00-18:00"), a postcode or a quantity.
Short phone numbers (7 to 9 digits, no "+" or area code) count only beside words such as "phone",
"call" or "mobile".

PERSON and STREET_ADDRESS without a named-entity model are the least sure finds: they carry lower
scores, so a checksum-backed find wins an overlap. ``pii_vault`` numbers placeholders per conversation.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator
from urllib.parse import unquote

from guardrails.pii_addresses import _addresses
from guardrails.pii_checksums import IBAN_LENGTHS, card_valid, iban_valid, nhs_valid, nino_valid, ssn_plausible
from guardrails.pii_dates import _dates_of_birth
from guardrails.pii_names import _persons
from guardrails.skeleton import skeleton
from guardrails.verdict import Span, Verdict

# -- patterns --------------------------------------------------------------------------------------
EMAIL = re.compile(r"(?<![\w.%+-])[\w%+-]+(?:\.[\w%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                   r"[A-Za-z]{2,24}(?![\w-]|\.[A-Za-z0-9])")
URL = re.compile(r"\b[a-z][a-z0-9+.-]{1,15}://[^\s<>\"'`]+", re.IGNORECASE)
CARD = re.compile(r"(?<![\w.,-])\d(?:[ -]?\d){11,22}(?![\w-]|[.,]\d)")
SSN = re.compile(r"(?<![\w-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\w-]|[.,]\d)")
IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){10,32}")
IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)")
IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
NINO = re.compile(r"(?<![\w-])[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d](?![\w-])")
NHS = re.compile(r"(?<![\w-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\w-]|[.,]\d)")
_GROUP = r"(?:\(\d{1,5}\)|\d{1,12})"
_SEPARATOR = r"(?:[ .-]|(?<=\))| ?(?=\())"
PHONE = re.compile(
    rf"(?<![\w+/.:#£$€@-])(?P<number>(?:\+ ?)?{_GROUP}(?:{_SEPARATOR}{_GROUP}){{0,6}})"
    r"(?P<extension> ?(?:x|ext\.?|extension) ?\d{1,6})?(?![\w@%]|[.:/-]?\d)")

# -- context ---------------------------------------------------------------------------------------
PHONE_CONTEXT = re.compile(
    r"\b(?:phone|tel|telephone|mobile|mob|cell|cellphone|fax|desk|office|home|work|landline|whatsapp|sms|"
    r"text|txt|call|calls|calling|ring|dial|reach|contact|answering|messages?|voicemail)\b|\bmy (?:number|no)\b")
NOT_A_PHONE_CONTEXT = re.compile(
    r"(?:\b(?:order|ref|reference|invoice|tracking|account|acct|card|booking|ticket|case|receipt|transaction|"
    r"sort code|box|suite|apt|unit|zip|postcode|id|iban|ssn)\b\W{0,2}(?:(?:number|num|no)\b\W{0,3})?|#\s*)$")
SSN_CONTEXT = re.compile(r"\b(?:ssn|ss#|social security|social-security|soc sec)\b")
NINO_CONTEXT = re.compile(r"\bni\b|\bnino\b|national insurance|\bnin\b|\bni ?no\b")
NHS_CONTEXT = re.compile(r"\bnhs\b|national health|health service")
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")
#: "17031 2202 Rissik St": a short number followed by a capitalised word is a house number, not a phone.
_ADDRESS_AFTER = re.compile(r" +(?!(?:Ext|Office|Mobile|Home|Work|Fax|Tel|Cell)\b)[A-Z][a-z]")
_NANP = re.compile(r"(?:(?:\+?1|001)[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}")


def _before(text: str, start: int, width: int = 40) -> str:
    """The words just before ``start`` on its line, or the line above when the number starts its line
    (a "Phone:" label above the number)."""
    segment = text[max(0, start - width):start]
    newline = segment.rfind("\n")
    if newline != -1:
        if segment[newline + 1:].strip():
            segment = segment[newline + 1:]
        else:
            above = segment[:newline]
            segment = above[above.rfind("\n") + 1:] + " "
    return segment.lower()


def _after(text: str, end: int, width: int = 16) -> str:
    return text[end:end + width].split("\n", 1)[0].lower()


# -- detectors: each yields candidate spans; overlaps are settled afterwards --------------------------
def _emails(text: str) -> Iterator[Span]:
    for m in EMAIL.finditer(text):
        yield Span("EMAIL_ADDRESS", m.start(), m.end(), 1.0)


def _urls(text: str) -> Iterator[Span]:
    """Only URLs that carry credentials (user:password@host) or an e-mail address: plain links stay."""
    for m in URL.finditer(text):
        url = m.group().rstrip(".,;:!?)]}'\"")
        rest = url.split("://", 1)[1]
        authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
        if "@" in authority or EMAIL.search(unquote(rest)):
            yield Span("URL", m.start(), m.start() + len(url), 1.0)


def _cards(text: str) -> Iterator[Span]:
    for m in CARD.finditer(text):
        groups = [(g.start() + m.start(), g.end() + m.start()) for g in re.finditer(r"\d+", m.group())]
        separators = set(re.findall(r"[ -]", m.group()))
        if len(separators) > 1:
            continue
        # The longest run of groups that is laid out like a card and passes its checks: a stray
        # quantity before or after the number must not hide the card.
        runs = sorted(((i, j) for i in range(len(groups)) for j in range(i + 1, len(groups) + 1)),
                      key=lambda ij: ij[0] - ij[1])
        for i, j in runs:
            start, end = groups[i][0], groups[j - 1][1]
            lengths = [e - s for s, e in groups[i:j]]
            if _card_layout(lengths) and card_valid(re.sub(r"\D", "", text[start:end])):
                yield Span("CREDIT_CARD", start, end, 1.0)
                break


def _card_layout(lengths: list[int]) -> bool:
    if len(lengths) == 1 or lengths in ([4, 6, 5], [4, 6, 4]):
        return True
    return len(lengths) >= 3 and all(n == 4 for n in lengths[:-1]) and 1 <= lengths[-1] <= 4


def _ssns(text: str) -> Iterator[Span]:
    for m in SSN.finditer(text):
        area, separator, group, serial = m.groups()
        if not ssn_plausible(area, group, serial):
            continue
        in_context = bool(SSN_CONTEXT.search(_before(text, m.start(), 50)))
        if separator == "-" or in_context:
            yield Span("US_SSN", m.start(), m.end(), 0.95 if in_context else 0.85)


def _ibans(text: str) -> Iterator[Span]:
    for m in IBAN.finditer(text):
        length = IBAN_LENGTHS.get(m.group()[:2].upper())
        if length is None:
            continue
        seen, end = 0, m.start()
        for end in range(m.start(), m.end()):
            seen += text[end].isalnum()
            if seen == length:
                end += 1
                break
        else:
            continue
        if end < len(text) and text[end].isalnum():
            continue  # part of a longer token
        if iban_valid(text[m.start():end]):
            yield Span("IBAN_CODE", m.start(), end, 1.0)


def _ip_addresses(text: str) -> Iterator[Span]:
    for m in IPV4.finditer(text):
        try:
            ipaddress.IPv4Address(m.group())
        except ValueError:
            continue
        yield Span("IP_ADDRESS", m.start(), m.end(), 0.9)
    for m in IPV6.finditer(text):
        value = m.group()
        if sum(c not in ":" for c in value) < 3:
            continue
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            continue
        yield Span("IP_ADDRESS", m.start(), m.end(), 0.9)


def _nhs_numbers(text: str) -> Iterator[Span]:
    for m in NHS.finditer(text):
        if nhs_valid(m.group()) and NHS_CONTEXT.search(_before(text, m.start(), 60)):
            yield Span("UK_NHS", m.start(), m.end(), 1.0)


def _ninos(text: str) -> Iterator[Span]:
    """UK National Insurance numbers; lower case ("ab123456c") only beside words that say so."""
    for m in NINO.finditer(text):
        value = m.group()
        if not nino_valid(value):
            continue
        in_context = bool(NINO_CONTEXT.search(_before(text, m.start(), 50)))
        if in_context or value[:2].isupper() and value[-1].isupper():
            yield Span("UK_NINO", m.start(), m.end(), 1.0 if in_context else 0.9)


def _phones(text: str) -> Iterator[Span]:
    for m in PHONE.finditer(text):
        number = m.group("number")
        digits = re.sub(r"\D", "", number)
        if not 7 <= len(digits) <= 15 or _DATE.match(number.lstrip("(")):
            continue
        before, after = _before(text, m.start()), _after(text, m.end())
        if NOT_A_PHONE_CONTEXT.search(before) and not number.startswith("+"):
            continue
        in_context = bool(PHONE_CONTEXT.search(before) or PHONE_CONTEXT.search(after))
        if _looks_like_a_phone(number, digits):
            yield Span("PHONE_NUMBER", m.start(), m.end(), 0.9 if in_context else 0.75)
        elif in_context and len(digits) <= 13 and not _ADDRESS_AFTER.match(text, m.end()):
            yield Span("PHONE_NUMBER", m.start(), m.end(), 0.6)


def _looks_like_a_phone(number: str, digits: str) -> bool:
    """Formats that are phone numbers without a word to say so: international, area code in brackets,
    North American 3-3-4, or a national number with a trunk 0 written in groups."""
    if number.startswith(("+", "(")):
        return len(digits) >= 8
    if _NANP.fullmatch(number):
        return True
    if number.startswith("00"):
        return len(digits) >= 10
    return number.startswith("0") and 9 <= len(digits) <= 11 and bool(re.search(r"[ .-]", number))


DETECTORS: dict[str, Callable[[str], Iterable[Span]]] = {
    "EMAIL_ADDRESS": _emails,
    "URL": _urls,
    "CREDIT_CARD": _cards,
    "IBAN_CODE": _ibans,
    "US_SSN": _ssns,
    "UK_NHS": _nhs_numbers,
    "IP_ADDRESS": _ip_addresses,
    "UK_NINO": _ninos,
    "PHONE_NUMBER": _phones,
    "DATE_OF_BIRTH": _dates_of_birth,
    "STREET_ADDRESS": _addresses,
    "PERSON": _persons,
}
SUPPORTED_ENTITIES = tuple(DETECTORS)


# -- the public API --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Redaction:
    """The redacted text and what was found, with offsets into the original text."""

    text: str
    spans: list[Span] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.spans)

    @property
    def types(self) -> list[str]:
        return sorted({s.type for s in self.spans})


def find_pii(text: str, entities: Iterable[str] | None = None) -> list[Span]:
    """The personal data in ``text``, left to right, never overlapping (the surer, longer find wins).

    The detectors read the text's skeleton (``guardrails.skeleton``: zero-width and bidi characters
    removed, NFKC, look-alike letters read as ASCII), so "jane@еxample.com" with a Cyrillic е is found;
    the spans point into ``text`` as given."""
    chosen = _check_entities(entities)
    checked = skeleton(text)
    candidates = [span for name in chosen for span in DETECTORS[name](checked.text)]
    if not checked.same:
        candidates = [replace(span, start=start, end=end) for span in candidates
                      for start, end in [checked.to_original(span.start, span.end)]]
    candidates.sort(key=lambda s: (-s.score, s.start - s.end, s.start))
    kept: list[Span] = []
    for span in candidates:
        if all(span.end <= k.start or k.end <= span.start for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


#: A placeholder redaction leaves: ``<EMAIL_ADDRESS>``, or numbered by a conversation's vault, ``<EMAIL_ADDRESS_1>``.
PLACEHOLDER = re.compile(r"<[A-Z_]+?(?:_\d+)?>")


def without_placeholders(text: str) -> str:
    """``text`` with its placeholders blanked: "<PERSON_1>" says who wrote, never what they want."""
    return PLACEHOLDER.sub(" ", text)


def redact_pii(text: str, entities: Iterable[str] | None = None) -> Redaction:
    """``text`` with each piece of personal data replaced by ``<ENTITY_TYPE>``, and the spans found."""
    spans = find_pii(text, entities)
    pieces, position = [], 0
    for span in spans:
        pieces += [text[position:span.start], f"<{span.type}>"]
        position = span.end
    pieces.append(text[position:])
    return Redaction(text="".join(pieces), spans=spans)


def _check_entities(entities: Iterable[str] | None) -> tuple[str, ...]:
    if entities is None:
        return SUPPORTED_ENTITIES
    chosen = tuple(entities)
    unknown = sorted(set(chosen) - set(SUPPORTED_ENTITIES))
    if unknown:
        raise ValueError(f"unknown PII entity type(s) {unknown}: choose from {list(SUPPORTED_ENTITIES)}")
    return chosen


class PiiRail:
    """The privacy rail: personal data is redacted before it reaches the model, the logs or the store.

    Finding personal data is not a failure of the customer's message: the verdict passes, with action
    "redact" and the spans to replace.
    """

    name = "pii"

    def __init__(self, entities: Iterable[str] | None = None) -> None:
        self.entities = _check_entities(entities)

    def check(self, text: str) -> Verdict:
        return self.verdict(redact_pii(text, self.entities))

    def verdict(self, redaction: Redaction) -> Verdict:
        if not redaction.spans:
            return Verdict(rail=self.name, passed=True, action="allow", reason="no personal data found")
        return Verdict(rail=self.name, passed=True, action="redact",
                       reason=f"redacted {len(redaction.spans)} item(s): {', '.join(redaction.types)}",
                       spans=tuple(redaction.spans))
