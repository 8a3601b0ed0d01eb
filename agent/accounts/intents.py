"""What a customer wants done on their own account, and the values in their message: pure, fast, no model.

The rule that keeps general questions for the knowledge base: an account intent needs the customer's own
thing or a request in the first person. "where is my order", "cancel order 10234", "book me in", "can I book
a fitting", "I'd like to cancel the booking" are account intents; "how do I track an order?", "can I cancel
an order after it ships?", "do you take bookings?" are not. Cancelling, moving and tracking need a specific
thing (my/our, or the/this with a request, or a reference); booking creates one, so "a fitting" is enough.
A sentence opening "how do/can I", "do you", "is it possible" or "what's your" is a policy question unless it
names the customer's own thing. Where two intents match, the first in ``_PRIORITY`` wins ("cancel my
appointment" is cancel_appointment, not my_appointments). ``phrase`` is quoted from the lower-cased text.

References need a prefix ("CR-10234", "cr10234") or a cue word right before the digits ("order", "booking",
"ref", "no.", "#"), so phones, prices and dates are never read as one. yes_or_no is strict about yes (only a
plain, polite yes) and generous about no (a leading no wins whatever follows), since a missed yes only means
asking again. Days and times follow the rules in ``agent.accounts.when``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from functools import lru_cache
from typing import Literal, Sequence

from agent.accounts.when import (DATE_DAY_MONTH, DATE_ORDINAL, TimeRequest, clock_times, normalise,
                                 requested_time, weekdays_named)
from guardrails.pii import find_pii

__all__ = ["DEFAULT_REFERENCE_PATTERN", "Intent", "IntentMatch", "TimeRequest", "choose", "detect_intent",
           "emails", "postcodes", "references", "requested_time", "yes_or_no"]

Intent = Literal["order_status", "cancel_order", "change_order", "book_appointment", "move_appointment",
                 "cancel_appointment", "my_appointments", "leave_message"]


@dataclass(frozen=True)
class IntentMatch:
    intent: Intent
    phrase: str  # the words that matched, for the verdict's reason


_TYPOS = {"oder": "order", "ordr": "order", "odrer": "order", "orderr": "order", "parcle": "parcel",
          "pakage": "package", "packge": "package", "delivary": "delivery", "apointment": "appointment",
          "appoinment": "appointment", "appointmnet": "appointment", "appt": "appointment", "bookin": "booking",
          "cancle": "cancel", "cancell": "cancel", "canel": "cancel", "resched": "reschedule",
          "reshedule": "reschedule", "wheres": "where's", "whens": "when's", "dont": "don't", "cant": "can't",
          "hasnt": "hasn't", "havent": "haven't", "didnt": "didn't", "isnt": "isn't", "im": "i'm", "u": "you",
          "ur": "your", "pls": "please", "plz": "please", "wanna": "want to", "msg": "message"}
_TYPO_WORDS = re.compile(r"\b(" + "|".join(_TYPOS) + r")\b")
_ID_LIKE = re.compile(r"\bid\s+(?=like\b|love\b)")  # "id like to book"; "order id" stays an id

_ORDER = (r"(?:orders?|parcels?|packages?|deliver(?:y|ies)|purchases?|shipments?|items?|goods|cakes?|box|bouquet|"
          r"flowers)")
_APPT = (r"(?:appointments?|bookings?|consultations?|fittings?|reservations?|sessions?|slots?|visits?|"
         r"check-?ups?|treatments?|tastings?|tables?)")
_ADJ = r"(?:(?!(?:my|our|your|the|to|of|a|an|and|or|is|it)\b)[\w'-]+\s+)"  # "my 3pm cake appointment"
_MINE = rf"(?:my|our)\s+{_ADJ}{{0,3}}?"
_SPECIFIC = rf"(?:my|our|the|this|that|[\w]+'s)\s+{_ADJ}{{0,3}}?"
_REF = r"(?:\s*(?:number|no\.?|nr|ref(?:erence)?|#|:))*\s*#?(?:[a-z]{2,3}-?)?\d{4,8}\b"
_START = (r"(?:^|[.!?,;:]\s*|\b(?:please|hi|hello|hey|and|so|then|ok|okay|just)\s+|\b(?:i|we)(?:\s+really)?"
          r"(?:\s+(?:want|need|have|wish|must)|'d\s+(?:like|love)|\s+would\s+(?:like|love)|'ll\s+have)\s+to\s+|"
          r"\b(?:can|could|would|will)\s+you\s+(?:please\s+)?|\bhelp\s+me\s+)")
_REQUEST = r"(?:\b(?:can|could|may)\s+(?:i|we)\s+(?:please\s+)?|\b(?:i|we)(?:'d|\s+would)\s+(?:like|love)\s+to\s+)"


def _action(verbs: str, noun: str, done: str, bare_reference: bool) -> list[str]:
    """The ways to ask for an action on one's own thing: request + verb + thing, verb ... my thing,
    "I want my booking moved", verb + reference ("cancel order 10234")."""
    reference = rf"\b(?:{verbs})\s+(?:{noun}\s*){'?' if bare_reference else ''}{_REF}"
    return [rf"{_START}(?:{verbs})\s+{_SPECIFIC}{noun}\b", rf"\b(?:{verbs})\b[^.?!\n]{{0,20}}?\b{_MINE}{noun}\b",
            rf"\b(?:want|need|like|have|get|please|can|could)\b[^.?!\n]{{0,10}}?\b{_MINE}{noun}\b[^.?!\n]{{0,12}}?"
            rf"\b(?:{done})\b", rf"\b{_MINE}{noun}\s+(?:needs?|has\s+to)\s+(?:to\s+be\s+)?(?:{done})\b", reference,
            rf"{_START}(?:{verbs})\s+{noun}\s*(?:please\s*)?(?:$|[.!])"]


_CANCEL, _CANCELLED = r"cancel|call\s+off|scrap", r"cancell?ed|cancell?ing|called\s+off"
_MOVE = (r"move|reschedule|re-schedule|rearrange|change|switch|swap|postpone|shift|push\s+back|bring\s+forward|"
         r"put\s+back")
_MOVED = (r"moving|rescheduling|changing|moved|rescheduled|rearranged|changed|postponed|shifted|pushed\s+back|"
          r"brought\s+forward")
_DAY_WORD = (r"(?:today|tomorrow|tonight|morning|afternoon|evening|weekend|next\s+week|mon|tues?|wed|weds|thu|"
             r"thurs?|fri|sat|sun|(?:mon|tues|wednes|thurs|fri|satur|sun)day|\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm)|"
             r"\d{1,2}(?:st|nd|rd|th)|at\s+\d{1,2}(?:[:.]\d\d)?)")
_PATTERNS: dict[Intent, list[str]] = {
    "cancel_appointment": _action(_CANCEL, _APPT, _CANCELLED, bare_reference=False)
    + [rf"\b(?:i|we)\s+(?:don't|do\s+not|no\s+longer)\s+(?:want|need)\s+{_SPECIFIC}{_APPT}\s+any\s?more\b",
       rf"\b(?:i|we)\s+no\s+longer\s+(?:want|need)\s+{_SPECIFIC}{_APPT}\b"],
    "cancel_order": _action(_CANCEL, _ORDER, _CANCELLED, bare_reference=True)
    + [rf"\b(?:i|we)\s+(?:don't|do\s+not)\s+(?:want|need)\s+{_SPECIFIC}{_ORDER}\s+any\s?more\b",
       rf"\b(?:i|we)\s+no\s+longer\s+(?:want|need)\s+{_SPECIFIC}{_ORDER}\b"],
    # Moving an order means its day: "can I change my order to Saturday", "move my delivery to Friday".
    "change_order": _action(_MOVE, _ORDER, _MOVED, bare_reference=True),
    "move_appointment": _action(_MOVE, _APPT, _MOVED, bare_reference=False)
    + [rf"\b(?:i|we|me|us)\b[^.?!\n]{{0,30}}\b{_DAY_WORD}\b[^.?!\n]{{0,20}}\binstead\b",
       rf"\binstead\b[^.?!\n]{{0,20}}\b{_DAY_WORD}\b",
       rf"(?:^|\b(?:can|could|may)\s+(?:i|we)\s+|\b(?:i|we)(?:'d|\s+would)?\s+(?:need|want|like|have)\s+to\s+)"
       rf"reschedul\w*\b(?!\s+(?:my|our|the)\s+{_ORDER})"],
    "leave_message": [
        r"\b(?:leave|pass|send|give|get|relay|forward)\s+(?:on\s+)?(?:an?\s+)?(?:quick\s+)?(?:message|note)\s+"
        r"(?:for|to)\s+(?:the\s+)?[\w'-]+",
        rf"(?:{_START}|{_REQUEST})(?:leave|pass|send|give|get|take|relay|forward|drop)\s+(?:on\s+)?(?:an?\s+)?"
        rf"(?:quick\s+|short\s+)?(?:message|note)\b",
        rf"{_START}(?:tell|ask|inform|remind|let)\s+(?:the\s+|your\s+)?(?:owner|manager|boss|team|staff|chef|baker|"
        r"doctor|dentist|receptionist)\b",
        r"\b(?:can|could|would|will)\s+you\s+(?:please\s+)?let\s+(?!me\b|us\b|you\b)(?:the\s+|your\s+)?[\w'-]+"
        r"\s+know\b"],
    "my_appointments": [
        rf"\b(?:when|what\s+time|what\s+day|which\s+day|what\s+date)(?:'s|\s+is|\s+was|\s+are)?[^.?!\n]{{0,15}}?"
        rf"\b{_MINE}{_APPT}\b",
        rf"\b(?:do|have|did)\s+(?:i|we)\s+(?:still\s+)?(?:have|got|make|booked)\s+(?:an?|any)\s+"
        rf"{_ADJ}{{0,2}}?{_APPT}",
        rf"\b(?:is|are)\s+{_MINE}{_APPT}\s+(?:still\s+)?(?:on|confirmed|booked|happening|at|for|today|tomorrow)\b",
        rf"\b(?:list|show|see|view|check|confirm)\s+(?:me\s+)?(?:all\s+)?{_MINE}{_APPT}\b",
        rf"\bwhat\s+{_APPT}\s+(?:do|have)\s+(?:i|we)\b", rf"\b(?:my|our)\s+(?:upcoming|next|future)\s+{_APPT}\b"],
    "book_appointment": [
        r"\bbook\s+(?:me|us)\b", rf"{_REQUEST}(?:book|make|schedule|arrange|get|have|grab|request)\s+(?:in\s+)?"
        rf"(?:an?|one|another|some)?\s*{_ADJ}{{0,3}}?{_APPT}\b", rf"{_REQUEST}book\s+(?:in\b|for\s+{_DAY_WORD})",
        rf"\b(?:i|we)(?:'d|\s+would)\s+(?:like|love)\s+(?:an?|another)\s+{_ADJ}{{0,3}}?{_APPT}\b",
        rf"\b(?:i|we)\s+(?:want|need)\s+(?:to\s+(?:book|make|schedule|arrange|get)\s+(?:in\s+)?)?(?:an?|another)\s+"
        rf"{_ADJ}{{0,3}}?{_APPT}\b", rf"\b(?:i|we)\s+(?:want|need)\s+to\s+book\s+in\b",
        rf"{_START}(?:book|make|schedule|arrange)\s+(?:in\s+)?(?:an?|one)\s+{_ADJ}{{0,3}}?{_APPT}\b"],
    "order_status": [
        rf"\bwhere(?:'s|\s+is|\s+are|\s+r)\s+(?:{_MINE}{_ORDER}\b|(?:order\s*)?{_REF})",
        rf"\b(?:has|have|did|is|was|are)\s+{_MINE}[\w'-]+\s+(?:been\s+|already\s+)?(?:shipped|dispatched|sent|posted|"
        r"delivered|arrived|left|gone\s+out|ship|arrive|come|leave|ready|on\s+(?:its|the)\s+way|out\s+for\s+delivery|"
        r"late|delayed|coming)\b",
        rf"\btrack(?:ing)?\s+(?:{_MINE}{_ORDER}\b|(?:order\s*)?{_REF})", rf"\b(?:my|our)\s+tracking\b",
        rf"\bwhen\b[^.?!\n]{{0,12}}?\b{_MINE}(?!refund|money|payment)[\w'-]+\s+(?:be\s+)?(?:arrive|arriving|come|"
        r"coming|get\s+here|delivered|ship|shipped|dispatched|sent|ready|turn\s+up|due|here)\b",
        rf"\bwhen\b[^.?!\n]{{0,15}}\b(?:get|receive)\s+{_MINE}{_ORDER}\b",
        r"\border\s+status\b|\bstatus\s+of\s+(?:my\s+|our\s+)?order\b",
        rf"\b{_MINE}{_ORDER}\s+(?:still\s+)?(?:has(?:n't|\s+not|\s+never)|did(?:n't|\s+not)|never|is(?:n't|\s+not)|"
        r"(?:still\s+)?has(?:n't|\s+not))\s+(?:yet\s+)?(?:arrived|come|turned\s+up|shown\s+up|been\s+delivered|arrive|"
        r"here|delivered|been)\b",
        rf"\b{_MINE}{_ORDER}\s+(?:is|was|seems|looks)\s+(?:\w+\s+)?(?:late|delayed|missing|lost|overdue|stuck)\b",
        rf"\b(?:i|we)\s+(?:still\s+)?(?:have(?:n't|\s+not)|did(?:n't|\s+not)|never)\s+(?:yet\s+)?"
        rf"(?:received|got|gotten|get|receive)\s+{_SPECIFIC}{_ORDER}\b", rf"\bwaiting\s+(?:for|on)\s+{_MINE}{_ORDER}\b",
        rf"\b(?:have|did)\s+you\s+(?:sent|posted|shipped|dispatched|send|post|ship|dispatch)\s+{_MINE}{_ORDER}\b",
        rf"\b(?:update|news|progress|eta)\s+(?:of|on|for|about)\s+(?:{_MINE}{_ORDER}\b|(?:order\s*)?{_REF})",
        rf"\b(?:check|look\s+up|find)\s+(?:on\s+)?(?:{_MINE}{_ORDER}\b|order\s*{_REF})"],
}
_PRIORITY: tuple[Intent, ...] = ("cancel_appointment", "cancel_order", "move_appointment", "change_order",
                                 "leave_message", "my_appointments", "book_appointment", "order_status")
_COMPILED = {intent: [re.compile(p) for p in patterns] for intent, patterns in _PATTERNS.items()}
_POLICY_OPENER = re.compile(r"^\W*(?:how\s+(?:do|can|would|long|soon|much)|do\s+you|does|is\s+it\s+possible|"
                            r"is\s+there|are\s+there|are\s+you|what(?:'s|\s+is)\s+(?:your|the)|"
                            r"can\s+you\s+tell\s+me\s+how)\b")
_OWN = re.compile(rf"\b(?:my|our)\b|{_REF}")
_NEGATED = re.compile(r"\b(?:don't|do\s+not|doesn't|didn't|won't|not|never|no\s+need\s+to)\s+(?:\w+\s+){0,2}$")
_ACTIONS = {"cancel_appointment", "cancel_order", "change_order", "move_appointment", "book_appointment",
            "leave_message"}


def _prepare(text: str) -> str:
    low = _TYPO_WORDS.sub(lambda m: _TYPOS[m[1]], normalise(text))
    return _ID_LIKE.sub("i'd ", low)


def detect_intent(text: str) -> IntentMatch | None:
    """The account action the customer asks for, or None for a general question the knowledge base answers."""
    low = _prepare(text)
    for intent in _PRIORITY:
        for pattern in _COMPILED[intent]:
            for m in pattern.finditer(low):
                sentence = _sentence(low, m.start())
                if _POLICY_OPENER.match(sentence) and not _OWN.search(sentence):
                    continue
                if intent in _ACTIONS and _NEGATED.search(low[max(0, m.start() - 30):m.start()]):
                    continue
                return IntentMatch(intent, m[0].strip(" .!?,;:"))
    return None


def _sentence(low: str, position: int) -> str:
    start = max(low.rfind(mark, 0, position) for mark in ".?!\n") + 1
    ends = [end for mark in ".?!\n" if (end := low.find(mark, position)) >= 0]
    return low[start:min(ends, default=len(low))]


DEFAULT_REFERENCE_PATTERN = (
    r"(?:\b(?:order|oder|booking|reference|ref)|\bno\.|#)(?:\s*(?:number|num|nr|no\.?|ref(?:erence)?|id|is|was|:|#))*"
    r"\s*#?(?P<number>\d{4,8})(?!\d|[,./:-]\d|\s?\d{3})"
    r"|(?<![\w@£$€.-])(?P<letters>[a-z]{2,3})-?(?P<digits>\d{4,8})(?![\w@]|[./:-]\d)")
_NOT_PREFIXES = {"tel", "mob", "fax", "ph", "gbp", "usd", "eur", "no", "nr", "ref", "id", "am", "pm", "at", "on"}
_VERB_BEFORE = re.compile(r"\b(?:to|i|we|can|could|will|would|i'd|we'd)\s+$")


@lru_cache(maxsize=32)
def _reference_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def references(text: str, pattern: str = DEFAULT_REFERENCE_PATTERN) -> list[str]:
    """Order numbers and booking references, upper case without spaces, in order, each once; never phones.

    ``pattern`` is matched ignoring case; named groups ``letters`` + ``digits`` give "CR-10234", ``number``
    the digits alone, otherwise the first group (or the whole match) is kept."""
    found: list[str] = []
    phones: list[tuple[int, int]] | None = None
    for m in _reference_pattern(pattern).finditer(text):
        groups = m.groupdict()
        if groups.get("letters") and groups["letters"].lower() in _NOT_PREFIXES:
            continue
        if groups.get("number") and _VERB_BEFORE.search(text[max(0, m.start() - 12):m.start()].lower()):
            continue  # "I'd like to order 1000 cupcakes": a quantity, not an order number
        if phones is None:
            phones = [(s.start, s.end) for s in find_pii(text, ["PHONE_NUMBER"])]
        if any(start < m.end() and m.start() < end for start, end in phones):
            continue
        if groups.get("letters") and groups.get("digits"):
            value = f"{groups['letters']}-{groups['digits']}"
        elif groups.get("number") or groups.get("digits"):
            value = groups.get("number") or groups["digits"]
        else:
            value = next((g for g in m.groups() if g), m[0])
        value = re.sub(r"\s+", "", value).upper()
        if value not in found:
            found.append(value)
    return found


EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
UK_POSTCODE = re.compile(r"\b(?P<out>[a-z]{1,2}\d[a-z\d]?)\s*(?P<in>\d[a-z]{2})\b", re.IGNORECASE)
US_ZIP = re.compile(r"(?<![\w#£$€.-])(?P<zip>\d{5})(?:-\d{4})?(?![\w-]|[.,]\d)")
_ZIP_WORD = re.compile(r"\b(?:zip|zipcode|postcode|post\s+code|postal\s+code)\b", re.IGNORECASE)


def emails(text: str) -> list[str]:
    """E-mail addresses, lower-cased, in order, each once."""
    return list(dict.fromkeys(m[0].rstrip(".").lower() for m in EMAIL.finditer(text)))


def postcodes(text: str) -> list[str]:
    """UK postcodes ("SW1A 1AA"), and US ZIPs when the message says "zip"/"postcode" or is little else."""
    found = [f"{m['out']} {m['in']}".upper() for m in UK_POSTCODE.finditer(text)]
    taken = [m.span() for m in _reference_pattern(DEFAULT_REFERENCE_PATTERN).finditer(text)]
    for m in US_ZIP.finditer(text):
        if any(start <= m.start() < end for start, end in taken):
            continue  # "order 94110" is an order number
        near = text[max(0, m.start() - 30):m.end() + 20]
        if _ZIP_WORD.search(near) or len(m[0]) >= 0.5 * len(re.sub(r"\W", "", text)):
            found.append(m["zip"])
    return list(dict.fromkeys(found))


_YES = (r"(?:yes+|yeah|yea|yep|yup|ya|yas|y|sure(?:\s+thing)?|cool|ok|okay|k|alright|all\s+right|fine|go\s+ahead|"
        r"go\s+for\s+it|please\s+do|do\s+it|confirm(?:ed)?|i\s+confirm|that's\s+(?:right|correct|fine|great|perfect)|"
        r"correct|absolutely|definitely|of\s+course|perfect|sounds\s+good|great|lovely|please|yes\s+please|"
        r"no\s+problem|no\s+worries|👍|✅|👌)")
_POLITE = r"(?:please|thanks|thank\s+you|ta|cheers|mate|great|perfect|lovely|brilliant|that's\s+great|x+)"
_FILLER = r"(?:(?:oh|ah|um+|erm+|hmm+|well|right|so|actually)\s+)*"
PLAIN_YES = re.compile(rf"^{_FILLER}{_YES}(?:\s+(?:{_YES}|{_POLITE}))*$")
NO = re.compile(rf"^{_FILLER}(?:no+(?!\s+(?:problem|worries|bother)\b)|nope|nah|no\s+thanks|don't|do\s+not|"
                r"please\s+don't|leave\s+it|never\s*mind|stop|not\s+now|forget\s+it|i'd\s+rather\s+not|"
                r"i\s+don't\s+want|👎|❌)\b")
_EMOJI = re.compile(r"[^\w\s'👍✅👌👎❌?]")


def yes_or_no(text: str) -> Literal["yes", "no"] | None:
    """The answer to "Shall I go ahead?": a plain yes, a no (whatever follows it), or None for anything else."""
    words = re.sub(r"\s+", " ", _EMOJI.sub(" ", _prepare(text))).strip()
    if NO.match(words) and not re.fullmatch(r"\S+\s*\?+", words):  # "no, move it to Friday" is still a no
        return "no"
    if "?" not in words and PLAIN_YES.match(words):
        return "yes"
    return None


_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
             "fifth": 4, "5th": 4}
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_ORDINAL_WORD = r"first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|last|later|latest|earlier|earliest"
_PICKED = re.compile(rf"\bthe\s+(?P<a>{_ORDINAL_WORD})\b|\b(?P<b>{_ORDINAL_WORD})\s+(?:one|option|slot|time|choice)\b|"
                     rf"^\W*(?P<c>{_ORDINAL_WORD})(?:\s+(?:please|thanks|one|option))*\W*$")
_NUMBERED = re.compile(r"^\W*(?:(?:option|number|no\.?|#|slot|choice)\s*)?(?P<n>[1-9]|one|two|three|four|five)"
                       r"(?:\s+(?:please|thanks|one))*\W*$|\b(?:option|number|no\.?|#|slot|choice)\s*(?P<k>[1-9])\b")
_ONE_AFTER = re.compile(r"\s+(?:one|option|slot|time|choice)\b")
_UNDECIDED = re.compile(r"\b(?:either|any|whichever|both|neither|none|not\s+sure|don't\s+mind)\b")


def choose(text: str, options: Sequence[str]) -> int | None:
    """Which offered option (listed in time order) the customer picked; None when unclear or contradictory."""
    low = _prepare(text)
    if not options or _UNDECIDED.search(low):
        return None
    picks: set[int] = set()
    numbered = _NUMBERED.search(low)
    if numbered:
        number = numbered["n"] or numbered["k"]
        picks.add(_NUMBERS[number] - 1 if number in _NUMBERS else int(number) - 1)
    dated = any(_days_of_month(option) for option in options)
    for m in _PICKED.finditer(low):
        word = m["a"] or m["b"] or m["c"]
        if word[0].isdigit() and dated and not m["b"] and not _ONE_AFTER.match(low, m.end()):
            continue  # "the 5th" among dated slots is the date; "the 2nd one" is still the second
        picks.add(len(options) - 1 if word in ("last", "later", "latest") else 0 if word.startswith("earl")
                  else _ORDINALS[word])
    if not (numbered and numbered["n"]):  # a bare "2" is an option number, not 2 o'clock
        fits = _fitting_options(low, options, dated)
        if fits is not None and (len(fits) == 1 or not picks or not picks <= set(fits)):
            picks.add(fits[0] if len(fits) == 1 else -1)  # -1: a slot we did not offer, or several
    return picks.pop() if len(picks) == 1 and 0 <= min(picks) < len(options) else None


def _days_of_month(text: str) -> list[int]:
    low = normalise(text)
    return [int(m["d"]) for pattern in (DATE_DAY_MONTH, DATE_ORDINAL) for m in pattern.finditer(low)]


def _fitting_options(low: str, options: Sequence[str], dated: bool) -> list[int] | None:
    """The options agreeing with every weekday, day of month and clock time named; None when none is named."""
    times, days = [at for _, at in clock_times(low)], weekdays_named(low)
    dates = _days_of_month(low) if dated else []
    if not (times or days or dates):
        return None
    return [i for i, option in enumerate(options)
            if all(_same_time(at, [t for _, t in clock_times(option)]) for at in times)
            and all(day in weekdays_named(option) for day in days)
            and all(d in _days_of_month(option) for d in dates)]


def _same_time(wanted: time, offered: list[time]) -> bool:
    """Equal, or the evening reading of an hour said without am/pm ("8:30" for a 20:30 slot)."""
    return any(t == wanted or (wanted.hour < 12 and (t.hour, t.minute) == (wanted.hour + 12, wanted.minute))
               for t in offered)
