"""PERSON detection without a named-entity model: cue phrases plus a first-name lexicon.

A run of capitalised words ("Vanessa P. Hertzog") is a person's name when
- a cue just before it says so: "my name is", "call me", "ask for", "Mr/Mrs/Ms/Dr", "Dear", "Name:",
  "surname", "maiden name" (strong cues: any capitalised word counts), or "I'm", "this is", "it's",
  "speak to" (weak cues: the run must end the clause, "I'm Akinori." but not "I'm Going Home Soon");
- or its first word is a known first name (``data/first_names.txt``: US Census and Faker's locales);
- or it is laid out like a full name with a middle initial ("Mohmad R. Vizirov");
- or it stands at the end as a signature ("Thanks, Ola") or before "here" ("Rubija here").

What is never a name on its own: days, months, the business's products and pastries ("Pain au
chocolat", "Madeleine", "Charlotte" without a cue), street names ("Victoria Street": a run that
contains a street or company suffix is skipped), and capitalised function words at the start of a
sentence. Names that are also ordinary words ("Will", "Grace", "May") count only after a cue.

Precision over recall: a bare surname ("Lamovec and Morales") or an unknown first name in free text
is missed. A business document ("Nadia and Tom founded the bakery") is flagged like any other text:
the detector cannot tell a founder from a customer, and redacting a founder's name costs little.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Iterator

from guardrails.verdict import Span
from guardrails.words import FACT_WORDS, SOCIAL_WORDS, STOPWORDS

_UPPER = "".join(re.escape(chr(c)) for c in range(0x41, 0x530) if chr(c).isupper() and chr(c).isalpha())
_LOWER = "".join(re.escape(chr(c)) for c in range(0x61, 0x530) if chr(c).islower() and chr(c).isalpha())
_NAME = rf"[{_UPPER}][{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)?(?:['’-][{_UPPER}{_LOWER}][{_LOWER}]+)*"
_INITIAL = rf"[{_UPPER}]\.?(?![{_UPPER}{_LOWER}])"
_PARTICLE = r"(?:van|von|de|der|den|da|di|du|del|della|dos|das|le|la|bin|ibn|al|el|ter|ten)"
#: One to four capitalised words (initials and particles such as "van" between them) on one line.
RUN = re.compile(rf"(?<![\w&@./-])(?:{_NAME}|{_INITIAL})(?:[ \t]+(?:{_PARTICLE}[ \t]+)?(?:{_NAME}|{_INITIAL})){{0,3}}")
_TOKEN = re.compile(rf"{_NAME}|{_INITIAL}")

STRONG_CUE = re.compile(
    r"(?:\bmy name is|\bname is|\bname's|\bnames are|\bcall me|\bask for|\basked for|\bname\s*[:?]|"
    r"\b(?:sur|last |first |family |maiden |full |middle |given )name(?:\s+is|\s*[:?])?|\bdear|\battn\.?:?|"
    r"\battention:?|\bc/o|\bsigned|\bregards,|\bsincerely,|\bcustomer:|\bcardholder:?|\bguardian|"
    r"\b(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam|madame|mme|herr|frau|señor|señora|sr|sra)\.?)\s*$")
WEAK_CUE = re.compile(
    r"(?:\bi'?m|\bi am|\bthis is|\bit'?s|\bit is|\bspeak (?:to|with)|\btalk (?:to|with)|\bspoke (?:to|with)|"
    r"\bcalled|\bnamed|\bchange it to|\bbooked by|\bbooked under|\bsays|\bsaid|\basked|\breplied)\s*$")
SIGN_OFF = re.compile(r"(?:\b(?:thanks|thank you|cheers|regards|best|kind regards|best wishes|sincerely|love|"
                      r"ta|thx)\s*[,!.-]*\s*|^\s*[-–—~]\s*)$")
#: After a name given under a weak cue: the end of a clause.
CLAUSE_END = re.compile(r"\s*(?:$|[.,!?;:)\n]|\s(?:here|from|and|speaking|again|calling|writing)\b)")
TITLES = frozenset({"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Madam", "Madame", "Mme", "Herr",
                    "Frau", "Dear", "Hi", "Hello", "Hey", "Thanks", "Cheers", "Regards", "Love", "Name", "Attn",
                    "Señor", "Señora", "Sr", "Sra"})
#: A run that contains one of these is a place or a company, not a person.
NOT_A_PERSON = frozenset("""
Street St Road Rd Avenue Ave Lane Ln Way Drive Dr Court Ct Place Pl Close Crescent Boulevard Blvd Square Sq Terrace
Gardens Park Parkway Highway Hwy Rue Strasse Straße Calle Via Viale Piazza Rua Plaza Hill Row Walk Grove Green Mews
Bridge Station Airport Port Mount Lake River Beach Bay Valley Island Islands Mountain County City Town Village
Ltd Limited Inc Corp Corporation Co Company Group Bakery Bakeries Cafe Café Shop Store Market Bank Hotel Restaurant
University College School Hospital Church Museum Foundation Trust Council Society Association Club Team Services
Solutions Systems Technologies Labs Studio Studios Media Press News Weekly Times Post Journal Magazine Records
Kingdom States Republic Union Federation Ocean Sea North South East West New Saint San Santa Los Las Fort
Pain Chocolat Croissant Croissants Bread Cake Cakes Tart Sourdough Baguette Brioche Scone Scones Muffin Cookie
Cookies Pastry Pastries Sponge Roll Loaf Pie Bun Buns Eclair Crumb Gift Card Voucher Order Box
Google Microsoft Apple Amazon Facebook Twitter Instagram Whatsapp WhatsApp Slack Gmail Outlook Visa Mastercard
Paypal PayPal Stripe Uber Explorer Data Public Private Premium Standard Express Delivery Gluten Vegan Free
Orchestra Band Choir Parks Pass Coves Cove Point Points Bypass Courts Squares Streets Roads Route Prairie Gateway
Crossing Trace Ridge Junction Landing Meadows Meadow Falls Fork Harbor Harbour Haven Camp Canyon Cliff Common
Corner Creek Crest Expressway Extension Field Fields Ford Forest Freeway Glen Heights Hollow Inlet Isle Knoll Manor
Mill Mills Motorway Orchard Oval Pike Pines Plains Ranch Rapids Run Shoal Shore Shores Skyway Springs Spur Summit
Tunnel Underpass Viaduct Villa Vista Wells Turnpike Lodge Estate Estates Ways Drives Lanes Avenues Investments
Capital Partners Holdings Associates Consulting Agency Industries International Global Enterprises
""".split())
#: Words that are capitalised for another reason (start of a sentence, a heading, a day or a month).
_COMMON = frozenset(w.capitalize() for w in STOPWORDS | SOCIAL_WORDS | FACT_WORDS) | frozenset("""
I Im Id Ill Ive Yes No Ok Okay Hi Hello Hey Dear Thanks Thank Cheers Regards Best Sincerely Sorry Please Also And
But Or So If When Where What Why How Who Which While Then There Here This That These Those Today Tomorrow Yesterday
Tonight Morning Afternoon Evening Night Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February
March April May June July August September October November December Christmas Easter Halloween Mon Tue Tues
Wed Thu Thur Thurs Fri Sat Sun Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Can Could Would Should Will My
Your Our Their His Her Its We You They He She It Is Are Was Were Be Been Am Do Does Did Have Has Had Not Just Only
Great Good Fine Nice Happy Sure Lovely Perfect Awesome Excellent Amazing Wonderful Interested Looking Going Trying
Hoping Wondering Writing Calling Back Still Sent Order Orders Refund Delivery Collection Pickup Pick Address
Email Phone Mobile Tel Number Account Card Payment Invoice Receipt Ticket Customer User Bot Agent Support Team
Question Answer Subject Re Fwd Note Notes Update Info Information Personal Contact Details Date Time Website
Home Work Office Apt Suite Unit Flat Floor Building Box Postbox Quadra Birthday Born Happy Anniversary Welcome
Congratulations Vegan Gluten Dairy Nut Free Fresh Hot Cold Large Small Medium Extra Special Classic Original
Chocolate Vanilla Strawberry Lemon Almond Butter Cream Cheese Sourdough Rye Wholemeal Spelt Pain Au Aux Chocolat
Pain Raisin Madeleine Madeleines Florentine Florentines Charlotte Napoleon Victoria Battenberg Bakewell
Eccles Chelsea Bath Cornish Danish Swiss French English British American German Italian Spanish Greek Irish
Scottish Welsh Dutch Polish Belgian Viennese Parisian Mother Father Mom Mum Dad Grandma Grandpa Nan Auntie Uncle
Baby Kid Kids Son Daughter Wife Husband Partner Friend Boss Manager Chef Baker Owner Staff Driver Courier
Will Grace Rose May June April Mark Frank Bill Hope Joy Faith Ruby Pearl Amber Ivy Holly Summer Autumn Dawn
Sunny Honey Ginger Pepper Candy Cookie Sugar Jack Guy Art Chase Miles Grant Lance Ray Don Pat Sue Rich Sterling
Call Ask Tell Text Send Contact Speak Talk Give Let Get Pick Collect Deliver Meet Visit Message Ring Phone Mail
Crumb Co Ltd Inc Maam Sir Madam Monsieur Mister Missus Lady Lord Signature Regards Yours Truly Cordially Warmly
""".split())
#: First names that are also products, places or words: a name only after a strong cue ("call me Grace").
AMBIGUOUS = frozenset("""
Will Grace Rose May June April Mark Frank Bill Hope Joy Faith Ruby Pearl Amber Ivy Holly Summer Autumn Dawn
Sunny Honey Ginger Pepper Candy Cookie Sugar Jack Guy Art Chase Miles Grant Lance Ray Don Pat Sue Rich Sterling
Madeleine Charlotte Victoria Florentine Napoleon Chelsea Florence Sydney Austin Jordan Paris Georgia Virginia
""".split())


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The first-name lexicon shipped in ``guardrails/data/first_names.txt`` (see the README there)."""
    text = resources.files("guardrails").joinpath("data/first_names.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#")) - _COMMON


def _before(text: str, start: int) -> str:
    """The words just before ``start``: on its line, or the line above when it starts its line ("Name:\\nAda")."""
    segment = text[max(0, start - 40):start]
    newline = segment.rfind("\n")
    if newline != -1:
        line = segment[newline + 1:]
        if line.strip(" \t>"):
            segment = line
        else:
            above = segment[:newline]
            segment = above[above.rfind("\n") + 1:]
    return segment.lower()


_IN_ADDRESS_BEFORE = re.compile(r"(?:\d[\w.]*[ \t]+|corner of[ \t]+|\bul\.[ \t]+)$")
_IN_ADDRESS_AFTER = re.compile(r"[ \t]+(?:\d{1,5}\b|u\.|utca|tér|út|kapu|rkp\.)|,?[ \t]*(?:Ltd|Inc|LLC|plc|GmbH)\b")
_UNIT_LINE = re.compile(r"(?:\b(?:suite|apt|apartment|unit|flat|box)\b\.?\s*[\w-]+|\d{2,5})\s*[,.]?\s*$", re.IGNORECASE)


def _town_line(text: str, start: int, end: int) -> bool:
    """A run alone on its line right under an address line ("Suite 100" / "Dolores"): a town."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    if text[line_start:start].strip(" \t>,") or text[end:line_end].strip(" \t,"):
        return False
    if line_start == 0:
        return False
    above_end = line_start - 1
    above = text[text.rfind("\n", 0, above_end) + 1:above_end]
    return bool(_UNIT_LINE.search(above))


def _is_name_word(token: str) -> bool:
    return len(token) > 1 and not token.endswith(".") and token not in _COMMON


def _persons(text: str) -> Iterator[Span]:
    names = first_names()
    for m in RUN.finditer(text):
        tokens = [(t.start(), t.end(), t.group()) for t in _TOKEN.finditer(m.group())]
        start_offset = m.start()
        # Leading greetings, titles and sentence-initial function words are context, not the name; after a
        # strong cue ("call me Grace") an ambiguous name is still a name.
        cued = bool(STRONG_CUE.search(_before(text, start_offset)))
        leading = ""
        while tokens and (tokens[0][2].rstrip(".") in TITLES or len(tokens[0][2].rstrip(".")) == 1
                          or tokens[0][2] in _COMMON and not (cued and tokens[0][2] in AMBIGUOUS)):
            leading = tokens[0][2].rstrip(".")
            tokens = tokens[1:]
        cut = next((i for i, t in enumerate(tokens) if i and (t[2] in _COMMON or t[2] in NOT_A_PERSON)), None)
        if cut == 1 and tokens[1][2] in _COMMON:
            continue  # "Carry Me Back To Canada": a title, not a name
        if cut is not None and cut > 1:
            tokens = tokens[:cut]  # "Mrs. Jennifer Alcaraz Suite 541"
        while tokens and not (_is_name_word(tokens[-1][2]) or cued and tokens[-1][2] in AMBIGUOUS):
            tokens = tokens[:-1]
        if not tokens or any(t[2] in NOT_A_PERSON for t in tokens):
            continue
        start, end = start_offset + tokens[0][0], start_offset + tokens[-1][1]
        words = [t[2] for t in tokens]
        if len(words) > 4:
            continue
        before = _before(text, start)
        if _IN_ADDRESS_BEFORE.search(before) or _IN_ADDRESS_AFTER.match(text, end) or _town_line(text, start, end):
            continue  # "233 Erzsébet tér 19.", "Joaquin Suarez 2906", a town under "Suite 100": streets, places
        titled = leading in TITLES or bool(STRONG_CUE.search(before))
        first_known = words[0] in names
        if titled and all(_is_name_word(w) or w in AMBIGUOUS or len(w.rstrip(".")) == 1 for w in words):
            yield Span("PERSON", start, end, 0.8)
        elif first_known:
            yield Span("PERSON", start, end, 0.8 if len(words) > 1 else 0.7)
        elif len(words) >= 3 and any(len(w.rstrip(".")) == 1 for w in words[1:-1]):
            yield Span("PERSON", start, end, 0.7)  # "Mohmad R. Vizirov"
        elif len(words) <= 3 and CLAUSE_END.match(text, end) and (
                WEAK_CUE.search(before)
                or SIGN_OFF.search(before) and not text[end:].strip(" \t.!\n")
                or re.match(r"[ \t]+here\b", text[end:])):
            yield Span("PERSON", start, end, 0.65)
