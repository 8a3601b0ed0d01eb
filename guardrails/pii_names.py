"""PERSON detection without a named-entity model: cue phrases, name lexicons and layout.

A run of capitalised words ("Vanessa P. Hertzog") is a person's name when
- a cue just before it says so: "my name is", "call me", "ask for", "Mr/Mrs/Ms/Dr", "Dear", "Name:",
  "surname", "maiden name", "named him" (strong cues: any capitalised word counts), or "I'm", "this is",
  "it's", "speak to" (weak cues: the run must end the clause, "I'm Akinori." but not "I'm Going Home Soon");
- or its first word is a known first name (``data/first_names.txt``: US Census and Faker's locales; alone,
  a first name that is also an English word does not count at the start of a sentence: "Many thanks");
- or it ends in a surname (``data/surnames.txt``: Faker, Mimesis and the US Census, English words left
  out; or a surname's spelling: "-ová", "-dze", "Sörös") after a known first name, or after any name-like
  word that does not follow "to", "in", "near" ("Tosh Olsen", but not "near Stoke Newington");
- or it is laid out like a full name with a middle initial ("Mohmad R. Vizirov");
- or it stands at the end as a signature ("Thanks, Ola") or before "here" ("Rubija here").
Besides runs: a surname that is also a word after an honorific ("Mrs. Baker"); names listed with a known
name ("Kónya, Becker and Vasquez"); a full name in lower case ("naomi ryan"); a known first name as a
dialogue's speaker ("Vinka: ..."); a name alone on the line above a street address; and a word of a found
full name met again alone ("... early Yefremova").

What is never a name on its own: days, months, the business's products and pastries ("Pain au
chocolat", "Madeleine", "Charlotte" without a cue, "Victoria sponge", "Bakewell Tart"), brands styled as
people ("Mr Kipling", "Dr Oetker", "Marks and Spencer"), street names ("Victoria Street": a run that
contains a street or company suffix is skipped), places after "to", "in", "near", a firm named after its
partners ("from Hawkins, Richardson and Santana"), and capitalised function words at the start of a
sentence. Names that are also ordinary words ("Will", "Grace", "May") count only after a cue.

Precision over recall: a bare surname in free text ("the Jensen novel") or an unknown first name alone
("Dzhambek is from ...") is missed. A business document ("Nadia and Tom founded the bakery") is flagged like
any other text: the detector cannot tell a founder from a customer, and redacting a founder's name costs little.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Iterator

from guardrails.pii_addresses import _addresses
from guardrails.verdict import Span
from guardrails.words import FACT_WORDS, SOCIAL_WORDS, STOPWORDS

_UPPER = "".join(re.escape(chr(c)) for c in range(0x41, 0x530) if chr(c).isupper() and chr(c).isalpha())
_LOWER = "".join(re.escape(chr(c)) for c in range(0x61, 0x530) if chr(c).islower() and chr(c).isalpha())
_NAME = rf"[{_UPPER}][{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)?(?:['’-][{_UPPER}{_LOWER}][{_LOWER}]+)*"
_INITIAL = rf"[{_UPPER}]\.?(?![{_UPPER}{_LOWER}])"
_PARTICLE = r"(?:van|von|de|der|den|da|di|du|del|della|dos|das|le|la|bin|ibn|al|el|ter|ten)"
#: One to four capitalised words (initials and particles such as "van" between them) on one line.
_JOINED = r"(?:al|el|ad|as|ash|at|az|ul|abu|abd|bin|ibn|d|l|o)[-'’]"  # "al-Balushi", "d'Souza", "O'Brien"
RUN = re.compile(rf"(?<![\w&@./-])(?:{_NAME}|{_INITIAL})"
                 rf"(?:[ \t]+(?:{_PARTICLE}[ \t]+)?(?:{_JOINED})?(?:{_NAME}|{_INITIAL})){{0,3}}")
_TOKEN = re.compile(rf"{_NAME}|{_INITIAL}")

STRONG_CUE = re.compile(
    r"(?:\bmy name is|\bname is|\bname's|\bnames are|\bcall me|\bask for|\basked for|\bname\s*[:?]|"
    r"\b(?:sur|last |first |family |maiden |full |middle |given )name(?:\s+is|\s*[:?])?|\bdear|\battn\.?:?|"
    r"\b(?:named|called|call) (?:him|her)|\battention:?|\bc/o|\bsigned|\bregards,|\bsincerely,|\bcustomer:|\bcardholder:?|\bguardian|"
    r"\b(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam|madame|mme|herr|frau|señor|señora|sr|sra)\.?)\s*$")
WEAK_CUE = re.compile(
    r"(?:\bi'?m|\bi am|\bthis is|\bit'?s|\bit is|\bspeak (?:to|with)|\btalk (?:to|with)|\bspoke (?:to|with)|"
    r"\bcalled|\bnamed|\bchange it to|\bbooked by|\bbooked under|\bsays|\bsaid|\basked|\breplied)\s*$")
#: The customer introducing themselves: "this is Mark Smith", "I'm Rose": a first name that is also an
#: English word ("Mark", "Rose", "Will") is still a name here.
INTRODUCTION = re.compile(r"(?:\bi'?m|\bi am|\bthis is|\bmy name'?s|\bhere'?s)\s*$", re.IGNORECASE)
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
Southern Northern Eastern Western Central Upper Lower Greater
Oetker Kipling Pepper Marks
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
Pain Raisin Kouign Amann Garibaldi Madeleine Madeleines Florentine Florentines Charlotte Napoleon Victoria Battenberg Bakewell
Eccles Chelsea Bath Cornish Danish Swiss French English British American German Italian Spanish Greek Irish
Scottish Welsh Dutch Polish Belgian Viennese Parisian Mother Father Mom Mum Dad Grandma Grandpa Nan Auntie Uncle
Baby Kid Kids Son Daughter Wife Husband Partner Friend Boss Manager Chef Baker Owner Staff Driver Courier
Will Grace Rose May June April Mark Frank Bill Hope Joy Faith Ruby Pearl Amber Ivy Holly Summer Autumn Dawn
Sunny Honey Ginger Pepper Candy Cookie Sugar Jack Guy Art Chase Miles Grant Lance Ray Don Pat Sue Rich Sterling
Call Ask Tell Text Send Contact Speak Talk Give Let Get Pick Collect Deliver Meet Visit Message Ring Phone Mail
Crumb Co Ltd Inc Maam Sir Madam Monsieur Mister Missus Lady Lord Signature Regards Yours Truly Cordially Warmly
Age Gender Species Status Location Occupation Height Weight Nationality Profile Role Title
""".split())
#: First names that are also products, places or words: a name only after a strong cue ("call me Grace").
AMBIGUOUS = frozenset("""
Will Grace Rose May June April Mark Frank Bill Hope Joy Faith Ruby Pearl Amber Ivy Holly Summer Autumn Dawn
Sunny Honey Ginger Pepper Candy Cookie Sugar Jack Guy Art Chase Miles Grant Lance Ray Don Pat Sue Rich Sterling
Madeleine Charlotte Victoria Florentine Napoleon Chelsea Florence Sydney Austin Jordan Paris Georgia Virginia
""".split())


def _lexicon(name: str) -> frozenset[str]:
    """One word list of ``guardrails/data`` (see the README there), comment lines left out."""
    text = resources.files("guardrails").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The first-name lexicon shipped in ``guardrails/data/first_names.txt`` (see the README there)."""
    return _lexicon("first_names.txt") - _COMMON


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Every first name PERSON detection knows: ``first_names()`` plus the other locales' first names of
    ``first_names_more.txt`` ("Weronika", "Przemek"), kept apart so the disclosure rail's list is unchanged."""
    return first_names() | (_lexicon("first_names_more.txt") - _COMMON)


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """Surnames that are not English words (``surnames.txt``): "Nishiyama", "Kaczmarek", but not "Baker"."""
    return _lexicon("surnames.txt") - _COMMON - NOT_A_PERSON


@lru_cache(maxsize=1)
def _plain_given_names() -> frozenset[str]:
    """The first names that are no English word: ``given_names()`` less ``first_name_words.txt`` ("Many",
    "Carry", "Line") and the ambiguous ones."""
    return given_names() - AMBIGUOUS - _lexicon("first_name_words.txt")


@lru_cache(maxsize=1)
def _lower_names() -> tuple[frozenset[str], frozenset[str]]:
    """The given names and surnames in lower case, for customers who type "naomi ryan"; first names that are
    also English words ("many", "carry") are left out, as words."""
    return (frozenset(n.lower() for n in _plain_given_names()),
            frozenset(n.lower() for n in surnames() - AMBIGUOUS))


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


#: Just before a run: it is where something is, so an unknown first word makes it a place ("to Stoke Newington").
_PLACE_BEFORE = re.compile(r"\b(?:in|at|to|from|near|around|via|into|towards|outside|off|on|city|town|village|"
                           r"county|state|country|region|province)\s*$")
#: Surname endings of Slavic, Baltic, Georgian, Armenian, Greek, Romanian and Turkish families ("Krylova",
#: "Dratchev", "Szczepańska", "Jeknić", "Shervashidze"), for surnames no lexicon holds. "Whisky" and
#: "Alaska" do not match: "-sky"/"-ska" need the consonant the Polish and Czech endings have before them.
_SURNAME_SHAPE = re.compile(
    r"\w{3,}?(?:ov|ev|ova|ová|[wnlrtdvńź]sk[iay]|sk[áý]|[cd]zk[iay]|ck[iay]|wicz|vić|ić|enko|chuk|dze|shvili|"
    r"yan|poulos|opoulou|escu|oglu|oğlu|ovna|evna)")


#: Letters of Central and Eastern European, Nordic, Turkish and Iberian spellings, but not of French (whose
#: accents the bakery's "Crème brûlée" and "Pâte sucrée" carry) nor of English.
_FOREIGN_LETTERS = re.compile("[öőüűáíóúýšžčřěůłńśźżćđąęňťďľñãõåøæāēīōūğşıÖŐÜŰÁÍÓÚÝŠŽČŘĚŮŁŃŚŹŻĆĐ]")


def _is_surname(word: str) -> bool:
    """A known surname, or one spelled like a surname: a family ending ("-ová", "-dze") or letters that
    no English word has ("Sörös", "Liberšar")."""
    return word in surnames() or bool(_SURNAME_SHAPE.fullmatch(word) or _FOREIGN_LETTERS.search(word))


def _full_name(words: list[str], before: str) -> bool:
    """Two or three words ending in a surname ("Tosh Olsen", "Alpatu Shervashidze"): the first word must be
    a known name too, or at least not follow "to", "in", "near", which say the run is a place."""
    if not 2 <= len(words) <= 3 or not _is_surname(words[-1]):
        return False
    first = words[0]
    if first in given_names() or first in surnames() or first in AMBIGUOUS:
        return True
    return not _PLACE_BEFORE.search(before)


def _is_name_word(token: str) -> bool:
    return len(token) > 1 and not token.endswith(".") and token not in _COMMON


def _persons(text: str) -> Iterator[Span]:
    """Every PERSON candidate (``find_pii`` keeps one of any overlapping pair), less those inside a firm's
    name such as "Marshall, Hernandez and Simpson"."""
    found = list(_named_runs(text))
    found += _honorific_surnames(text)
    people, firms = _lists(text, found)
    found += people
    found += _lower_case_names(text)
    found += _speakers(text)
    found += _addressees(text)
    found += _repeated_names(text, found)
    for span in found:
        if not any(start < span.end and span.start < end for start, end in firms):
            yield span


def _named_runs(text: str) -> Iterator[Span]:
    """Runs of capitalised words that a cue, the lexicons or their layout mark as a person's name."""
    names = given_names()
    for m in RUN.finditer(text):
        tokens = [(t.start(), t.end(), t.group()) for t in _TOKEN.finditer(m.group())]
        start_offset = m.start()
        # Leading greetings, titles and sentence-initial function words are context, not the name; after a
        # strong cue ("call me Grace") an ambiguous name is still a name.
        cued = bool(STRONG_CUE.search(_before(text, start_offset)))
        introduced = bool(INTRODUCTION.search(_before(text, start_offset)) or SIGN_OFF.search(_before(text, start_offset)))
        leading = ""
        while tokens and (tokens[0][2].rstrip(".") in TITLES or len(tokens[0][2].rstrip(".")) == 1
                          or tokens[0][2] in _COMMON and not (tokens[0][2] in AMBIGUOUS and (
                              cued or introduced or len(tokens) > 1 and tokens[1][2] in surnames()))):
            leading = tokens[0][2].rstrip(".")
            tokens = tokens[1:]
        cut = next((i for i, t in enumerate(tokens) if i and (t[2] in _COMMON or t[2] in NOT_A_PERSON)), None)
        if cut == 1 and tokens[1][2] in _COMMON:
            continue  # "Carry Me Back To Canada": a title, not a name
        if cut is not None and cut > 1:
            tokens = tokens[:cut]  # "Mrs. Jennifer Alcaraz Suite 541"
        while tokens and not (_is_name_word(tokens[-1][2]) or (cued or introduced) and tokens[-1][2] in AMBIGUOUS):
            tokens = tokens[:-1]
        if not tokens or any(t[2] in NOT_A_PERSON for t in tokens):
            continue
        tokens = _from_first_name(tokens)
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
        elif first_known and (len(words) > 1 or _lone_first_name(words[0], before)):
            yield Span("PERSON", start, end, 0.8 if len(words) > 1 else 0.7)
        elif len(words) >= 3 and any(len(w.rstrip(".")) == 1 for w in words[1:-1]):
            yield Span("PERSON", start, end, 0.7)  # "Mohmad R. Vizirov"
        elif _full_name(words, before):
            yield Span("PERSON", start, end, 0.7)  # "Tomomi Nishiyama", "Calquín Cazares"
        elif len(words) <= 3 and CLAUSE_END.match(text, end) and (
                WEAK_CUE.search(before)
                or SIGN_OFF.search(before) and not text[end:].strip(" \t.!\n")
                or re.match(r"[ \t]+here\b", text[end:])):
            yield Span("PERSON", start, end, 0.65)


_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n])[\s\"'“‘(*#>-]*$")


#: Before a word that names a day: "Christmas Eve", "New Year's Eve" (the run left out "Christmas" and "Year").
_HOLIDAY_BEFORE = re.compile(r"(?:christmas|year['’]s)\s*$")


def _lone_first_name(word: str, before: str) -> bool:
    """A first name alone is a name when ``first_names.txt`` has it (the other locales' lists are too noisy
    for a single word) and it neither opens a sentence as an English word would ("Many thanks", "Carry it
    flat") nor ends a holiday's name ("New Year's Eve")."""
    if word not in first_names() or _HOLIDAY_BEFORE.search(before):
        return False
    return word in _plain_given_names() or not _SENTENCE_START.search(before)


def _from_first_name(tokens: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Drop leading words that are no name when a first name that is no English word and more words follow
    them: "Producer James Sparks" is "James Sparks" (a job title or a sentence's first word is capitalised
    too). "Credit Karma" stays whole (nothing follows "Karma"), and so does "Credit Line Review" ("Line"
    is a word), and neither is then a name."""
    if tokens[0][2] in given_names() or tokens[0][2] in surnames():
        return tokens
    plain = _plain_given_names()
    at = next((i for i, t in enumerate(tokens[:-1]) if t[2] in plain), 0)
    return tokens[at:]


_HONORIFIC = re.compile(rf"(?<![\w.])(Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?[ \t]+({_NAME})(?![\w'’-])")
_FUNCTION_WORDS = STOPWORDS | SOCIAL_WORDS | FACT_WORDS


def _honorific_surnames(text: str) -> list[Span]:
    """A surname that is also a word, after an honorific: "Mrs. Baker", "Dr Wood" (the runs leave common
    words out). "Cheriton Dr Reuquén" is a street: "Dr" after a capitalised word is "Drive"."""
    spans = []
    for m in _HONORIFIC.finditer(text):
        word = m.group(2)
        if word.lower() in _FUNCTION_WORDS or word in NOT_A_PERSON:
            continue
        if m.group(1) == "Dr" and re.search(rf"[{_UPPER}][{_LOWER}]+[ \t]+$", text[max(0, m.start() - 30):m.start()]):
            continue
        spans.append(Span("PERSON", m.start(2), m.end(2), 0.75))
    return spans


_LISTED = re.compile(rf"(?<![\w&@./-]){_NAME}(?:,[ \t]+{_NAME})*,?[ \t]+(?:and|&)[ \t]+{_NAME}(?![\w&@'’-])")
#: After a list: it goes on with more words or more items ("Hicks and Brown and Abt Associates").
_LIST_GOES_ON = re.compile(rf"[ \t]+{_NAME}|,?[ \t]*(?:and|&)[ \t]|,[ \t]*[{_UPPER}]")
#: Before a list of surnames: it names a firm ("from Hawkins, Richardson and Santana", ">Marshall, ...").
_FIRM_BEFORE = re.compile(r"(?:\b(?:from|at|for|with|of|join|joined|joins)[ \t]+|^[ \t>]*)$", re.MULTILINE)


def _firm_like(text: str, start: int, end: int, count: int) -> bool:
    """A list placed as a firm's name: after "from", "at", "for", "with", "of", or three or more names
    alone on their line ("Marshall, Hernandez and Simpson" in a signature)."""
    before = _FIRM_BEFORE.search(text, text.rfind("\n", 0, start) + 1, start)
    if before is None:
        return False
    return bool(before.group().strip(" \t>")) or count > 2 and bool(re.match(r"[ \t]*(?:\n|$)", text[end:]))


def _lists(text: str, found: list[Span]) -> tuple[list[Span], list[tuple[int, int]]]:
    """Names listed together ("Kónya, Becker and Vasquez", "Marrero and Murphy"), and firms' names made of
    surnames ("Hawkins, Richardson and Santana"). Each name of a list counts when one of them is a known
    name or already found, unless a listed word is a business word ("Marks and Spencer"). A list placed
    as a firm's name is one, unless every item is a first name ("Thanks,\nTom and Priya")."""
    people: list[Span] = []
    firms: list[tuple[int, int]] = []
    for m in _LISTED.finditer(text):
        if _LIST_GOES_ON.match(text, m.end()):
            continue
        items = [(m.start() + t.start(), m.start() + t.end(), t.group()) for t in _TOKEN.finditer(m.group())]
        words = [w for _, _, w in items]
        if any(w in NOT_A_PERSON for w in words):
            firms.append((m.start(), m.end()))  # "Marks and Spencer", "Smith & Co"
            continue
        if any(w in _COMMON or len(w) < 3 for w in words):
            continue
        if _firm_like(text, m.start(), m.end(), len(words)) and not all(w in given_names() for w in words):
            firms.append((m.start(), m.end()))
        elif any(w in given_names() or _is_surname(w) for w in words) or any(
                f.start < m.end() and m.start() < f.end for f in found):
            people += [Span("PERSON", start, end, 0.65) for start, end, _ in items]
    return people, firms


_LOWER_PAIR = re.compile(r"(?<![\w@.'’-])(?=([a-zß-ÿ]{3,})[ \t]+(?:[a-z]\.?[ \t]+)?([a-zß-ÿ]{3,})(?![\w@-]))")


def _lower_case_names(text: str) -> list[Span]:
    """A full name typed in lower case ("naomi ryan", "olga krylova", "olga m. kowalska"): a known first
    name, then a surname, neither of them an English word, with perhaps an initial between."""
    given, family = _lower_names()
    return [Span("PERSON", m.start(1), m.end(2), 0.65) for m in _LOWER_PAIR.finditer(text)
            if m.group(1) in given and (m.group(2) in family or _SURNAME_SHAPE.fullmatch(m.group(2)))]


_SPEAKER = re.compile(rf"^[ \t>]*({_NAME})[ \t]*:[ \t]*\S", re.MULTILINE)


def _speakers(text: str) -> list[Span]:
    """The speakers of a pasted dialogue, one a line ("Vinka: What a wife."): a known first name before a
    colon at the start of a line. Unknown words there are labels of a form ("Age:", "Status:")."""
    return [Span("PERSON", m.start(1), m.end(1), 0.65) for m in _SPEAKER.finditer(text)
            if m.group(1) in given_names() and m.group(1) not in NOT_A_PERSON]


_NAME_LINE = re.compile(rf"^[ \t>]*({_NAME}(?:[ \t]+(?:{_INITIAL}|{_NAME})){{1,3}})[ \t]*\n", re.MULTILINE)


def _addressees(text: str) -> list[Span]:
    """Two to four capitalised words alone on the line just above a street address: the addressee of an
    envelope or a signature block ("Gyala Antall" over "3369 24 Clarke Avenue")."""
    if "\n" not in text:
        return []
    spans = []
    for m in _NAME_LINE.finditer(text):
        words = _TOKEN.findall(m.group(1))
        if any(w in _COMMON or w in NOT_A_PERSON for w in words):
            continue
        next_line_end = text.find("\n", m.end())
        next_line_end = len(text) if next_line_end == -1 else next_line_end
        if any(m.end() <= a.start < next_line_end for a in _addresses(text[:next_line_end])):
            spans.append(Span("PERSON", m.start(1), m.end(1), 0.7))
    return spans


def _repeated_names(text: str, found: list[Span]) -> list[Span]:
    """A surname or first name found in a full name, met again alone ("Faina D. Yefremova ... early
    Yefremova"): it is the same person."""
    words = {w for span in found if " " in text[span.start:span.end]
             for w in _TOKEN.findall(text[span.start:span.end]) if len(w) > 2 and w not in _COMMON}
    spans = []
    for word in words - NOT_A_PERSON:
        spans += [Span("PERSON", m.start(), m.end(), 0.6)
                  for m in re.finditer(rf"(?<![\w&@./-]){re.escape(word)}(?![\w&@-])", text)]
    return spans
