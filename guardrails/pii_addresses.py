"""STREET_ADDRESS: a house number and a street, in English, European and Greek forms, with the lines after it.

Found: "221B Baker Street", "12 Crown St, Leeds LS1 4AB", "1600 Pennsylvania Ave NW, Washington, DC 20500",
"Flat 2, 14 Mill Lane", "12 rue de la Paix", "Calle Mayor 5", "Via Roma 12", "Hauptstraße 5", "Sludevej 13",
"Magasinsgatan 7", "Skoanveien 226", "ul. Chrzanowska 61", "Kiannonkatu 98 Apt. 105", "Villacher Strasse 89",
"Piroska u. 97." (Hungarian street types), "20789 Allika 46" (a name between two numbers: a building and a
street number), "P.O. Box 287", "PSC 0413, Box 8144 / APO AA 42323" (US military mail), "the corner of
Dalbraut 99 and Frederikke Coves". A street's address block goes on over the lines under it: a unit
("Suite 501"), a town, a region code, a postcode, a country ("Estonia 62488").
Not found, on purpose: a street name without a number ("we're on Mill Lane"), a bare postcode, a town, and
a number that is a quantity or a price ("2 Black Forest gateaux", "order 12 Chelsea Buns 3 times").
A business's own address in a reply is public, but in a customer's message every address is redacted.
"""

from __future__ import annotations

import re
from typing import Iterator

from guardrails.verdict import Span

_U = "A-ZÀ-ÖØ-ÞĀ-ŽΆΈ-ΏΑ-Ϋ"
_L = "a-zß-öø-ÿā-žά-ώ"
_WORD = rf"[{_U}][{_L}'’.-]*(?:[{_U}][{_L}'’.-]+)?|(?:of|the|de|la|du|des|del|di|da|do|dos|von|der|al|el)"
#: English street types (after the name); "St" needs care: "St Ives" is a town, "5 Main St" a street.
_SUFFIX = (r"Street|St|Road|Rd|Avenue|Ave|Av|Lane|Ln|Way|Drive|Dr|Court|Ct|Place|Pl|Close|Cl|Crescent|Cres|"
           r"Boulevard|Blvd|Square|Sq|Terrace|Ter|Gardens|Gdns|Grove|Gr|Parkway|Pkwy|Highway|Hwy|Mews|Row|Walk|"
           r"Hill|Rise|Parade|Circle|Cir|Trail|Trl|Plaza|Loop|Alley|Wharf|Quay|Green|Heights|Turnpike|Str|str|"
           r"Broadway|Esplanade|Gate|Park|View|Vale|Wynd")
#: More of the US Postal Service's street suffixes (Publication 28). Many are also words ("5 Oak Ridge",
#: but "3 Crumb Club stamps"), so one counts only where no lower-case word follows it.
_SUFFIX_MORE = (r"Unions?|Pass|Gateway|Extensions?|Coves?|Courts|Parks|Points|Junctions?|Crossing|Landing|Ridges?|"
                r"Falls|Shores?|Springs|Meadows|Manors?|Village|Ville|Harbou?r|Haven|Glen|Estates?|Fields|Groves|"
                r"Hills|Isle|Knolls?|Lakes|Mills|Motorway|Mount|Orchard|Oval|Overpass|Path|Pike|Pines|Plains|"
                r"Prairie|Ranch|Rapids|Route|Shoals|Skyway|Spurs|Squares|Streets|Summit|Throughway|Trace|"
                r"Trafficway|Tunnel|Underpass|Valley|Viaduct|Views|Vista|Walks|Ways|Wells|Brooks|Bypass|Canyon|"
                r"Causeway|Cliffs|Corners|Creek|Crest|Crossroad|Curve|Dale|Divide|Drives|Expressway|Ferry|Fords|"
                r"Forge|Forks|Freeway|Greens|Hollow|Inlet|Islands|Neck|Parkways|Passage|Radial|Ramp")
#: Street types written before the name.
_PREFIX = (r"Rue|rue|calle|avenida|rua|Avenue|Av\.?|Boulevard|Bd|Chemin|Impasse|Allée|Place|Calle|C/|Avenida|Avda\.?|Paseo|Plaza|Camino|"
           r"Carrer|Via|Viale|Piazza|Piazzale|Corso|Vicolo|Largo|Rua|Travessa|Largo|Praça|Estrada|Alameda|"
           r"ul\.|Ul\.|ulica|al\.|Al\.|Aleja|Straße|Strada|Trg|Ulitsa|Odos|Quadra")
#: Street-type endings joined to the name ("Hauptstraße", "Sludevej", "Magasinsgatan"). "-ring" needs a
#: consonant other than "r" before it, so "During 1971" and "Transferring 190" are no streets ("Südring 5" is).
_JOINED = (r"stra(?:ss|ß)e|str\.|gasse|weg|platz|allee|(?<![aeiouyr])ring|damm|ufer|vej|gade|gatan|vägen|gränd|"
           r"torget|veien|vegen|gata|gaten|katu|tie|kuja|polku|straat|laan|gracht|steeg|plein|kade|utca|útja|"
           r"ulica|cesta|stræti|straeti|braut")
#: Street types written as a word after the name: German, Dutch, Nordic ("Villacher Strasse 89") and
#: Hungarian ones ("Erzsébet tér 19.", "Piroska u. 97.", "Belgrád rkp. 18.").
_TYPE_WORD = (r"Strasse|Straße|Str\.|Gasse|Weg|Platz|Allee|Ring|Damm|Ufer|Straat|Laan|Plein|Gracht|Kade|Vej|"
              r"Gade|Gatan|Vägen|Veien|[Tt]errasse|Katu|Tie|u\.|utca|út|útja|tér|tere|körút|krt\.|rakpart|rkp\.|"
              r"köz|sor|sétány|kapu|fasor")
_NUMBER = r"\d{1,5}(?:[A-Za-z](?![\w]))?(?:[-/]\d{1,4}[A-Za-z]?)?"
_UNIT = r"(?:,?\s*(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|Fl\.?|#)\s*[\w-]{1,6})"
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"
_US_STATE_ZIP = r"[A-Z]{2},? \d{5}(?:-\d{4})?"
_TOWN = rf"[{_U}][{_L}'’.-]+(?: [{_U}][{_L}'’.-]+){{0,2}}"
_TAIL = rf"(?:,?[ \t]+(?:{_TOWN},?[ \t]+)?(?:{_UK_POSTCODE}|{_US_STATE_ZIP})(?!\w))?"
#: Where a street number may end: the end of a line or clause, or a unit after it.
_STREET_END = r"(?=[ \t]*(?:$|[\n,;?!)]|\.(?:\s|$)|[ \t]+(?:Apt|Suite|Ste|Unit|Flat|#)\b))"

ENGLISH = re.compile(
    rf"(?<![\w£$€.,:/-])(?:(?:Flat|Apt\.?|Apartment|Unit|Suite)\s*\w{{1,5}},?\s+)?{_NUMBER},?[ \t]+"
    rf"(?:(?:{_WORD})[ \t]+){{0,3}}(?:{_WORD})[ \t]+(?:(?:{_SUFFIX})\b\.?|(?:{_SUFFIX_MORE})\b(?![ \t]+[{_L}]))"
    rf"(?:[ \t]+(?:N|S|E|W|NE|NW|SE|SW)\b)?{_UNIT}?(?:,[ \t]*{_TOWN})?{_TAIL}")
PREFIXED = re.compile(
    rf"(?<![\w£$€.,:/-])(?:{_NUMBER},?[ \t]+)?(?:{_PREFIX})[ \t]+(?:(?:{_WORD}|\d{{1,2}})[ \t]+){{0,4}}?"
    rf"(?:{_WORD}),?[ \t]+{_NUMBER}(?![\w.,]\d){_UNIT}?")
JOINED = re.compile(
    rf"(?<![\w.-])(?:{_NUMBER}[ \t]+)?(?:[{_U}][{_L}-]*[ \t]+)?[{_U}][{_L}-]{{2,}}(?:{_JOINED})[ \t]+{_NUMBER}"
    rf"(?![\w.,]\d){_UNIT}?")
TYPED = re.compile(
    rf"(?<![\w.-])(?:{_NUMBER}[ \t]+)?(?:[{_U}][{_L}-]+[ \t]+){{1,3}}(?:{_TYPE_WORD})[ \t]+\d{{1,5}}\.?(?!\w)")
_MONTH = (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|January|February|March|April|June|July|"
          r"August|September|October|November|December)\b")
#: "20789 Allika 46", "450 Præstevænget 15", "928 Λ. Αλεξάνδρας 14": a building number, a street name and
#: its number, the line or clause ending there.
NUMBERED = re.compile(
    rf"(?<![\w£$€.,:/#-])\d{{1,6}}[ \t]+(?!{_MONTH})(?:{_WORD})(?:[ \t]+(?:{_WORD}|{_TYPE_WORD})){{0,3}}[ \t]+\d{{1,5}}"
    rf"{_STREET_END}", re.MULTILINE)
#: French and Tunisian order, the number first: "12 rue de la Paix", "31 Rue Al Imam Al Bakri".
NUMBER_FIRST = re.compile(
    rf"(?<![\w£$€.,:/#-]){_NUMBER},?[ \t]+(?:Rue|rue|Avenue|avenue|Boulevard|boulevard|Bd|Chemin|chemin|Impasse|Allée|"
    rf"allée|Quai|quai)(?:[ \t]+(?:{_WORD})){{1,5}}(?![ \t]+[{_L}])")
#: Post-office boxes and US military mail ("PSC 0413, Box 8144 / APO AA 42323", "Unit 4719 Box 7394").
PO_BOX = re.compile(
    r"(?<![\w.-])(?:\d{1,6}[ \t]+)?(?:P\.?[ \t]?O\.?[ \t]?Box|Post(?:al[ \t])?[Bb]ox|(?:PSC|Unit)[ \t]+\d{1,5},?[ \t]+Box)"
    r"[ \t]+\d{1,6}(?:\s*(?:APO|FPO|DPO)[ \t]+A[AEP][ \t]+\d{5})?(?!\w)")
#: "the corner of 11 Botley Road St. and Herceg Gateway St.": two streets, one of them with a number or a type.
CORNER = re.compile(
    r"(?:\bthe[ \t]+)?\bcorner of[ \t]+(?P<a>[^\n,;?!]{3,60}?)[ \t]+and[ \t]+"
    r"(?P<b>[\w.'’-]+(?:[ \t]+(?!and\b|in\b|on\b|at\b|to\b|for\b|near\b|please\b)[\w.'’-]+){0,3})", re.IGNORECASE)
_STREETISH = re.compile(rf"\d|\b(?:{_SUFFIX}|{_SUFFIX_MORE}|{_PREFIX}|{_TYPE_WORD})(?:\b|$)|\w(?:{_JOINED})\b",
                        re.IGNORECASE)

_NOT_AFTER_NUMBER = re.compile(r"\s*(?:x|×|pcs|pieces|items|boxes|of|for|at|from|to|minutes|mins|hours|days)\b",
                               re.IGNORECASE)
#: "2 Pain au chocolat Place orders" is not an address: the house number must not be a quantity or price.
_QUANTITY_BEFORE = re.compile(r"(?:\b(?:order|ordered|buy|bought|want|need|get|add|x|qty|quantity|£|\$|€)\s*)$",
                              re.IGNORECASE)
#: The lines (or comma-separated parts) that go on an address block: a unit, a town or country with perhaps
#: a region code and a postcode, or a region code or postcode alone ("Suite 501", "TYSTBERGA", ", CO",
#: "Estonia 62488", "Cyprus (Greek) 51034", "St Georges, QC 54256").
_NEXT_LINE = re.compile(r"[ \t]*[,.]?[ \t]*\n(?:[ \t>]*\n)?[ \t>]*(?:,[ \t]*)?")
_BLOCK_PART = re.compile(
    rf"(?!(?:Thanks|Thank|Cheers|Regards|Best|Kind|Many|Love|Sincerely|Yours|Hi|Hello|Dear|Sent|Please)\b)"
    rf"(?:(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor)[ \t]*[\w-]{{1,6}}"
    rf"|[{_U}][{_U}{_L}'’.∆-]*(?:[ \t]+(?:[{_U}][{_U}{_L}'’.∆-]*|de|del|la|do|da)){{0,3}}(?:[ \t]+\([{_U}][{_L}]+\))?"
    rf"(?:,?[ \t]+(?:[A-Z]{{2}}|\d{{2}})(?![\w]))?(?:,?[ \t]+(?:{_UK_POSTCODE}|\d{{3,6}}))?"
    rf"|[A-Z]{{2}}(?![\w])|\d{{3,6}})[ \t]*(?=$|\n|[?!])", re.MULTILINE)
_FUNCTION_WORD = re.compile(r"\b(?:A|An|The|With|For|To|At|In|On|And|Or|By|From|Is|Are|My|Your)\b")
#: An address laid out on lines: a street name and number alone on its line ("Kesk 53", "Brisas 6802"),
#: counted only when unit, town or postcode lines follow it.
LINE_STREET = re.compile(rf"^[ \t>]*(?:\d{{1,6}}[ \t]+)?(?!{_MONTH})(?:{_WORD})(?:[ \t]+(?:{_WORD})){{0,3}}[ \t]+"
                         rf"\d{{1,5}}[A-Za-z]?[ \t]*$", re.MULTILINE)
_UNITS_AFTER = re.compile(rf"(?:\.?{_UNIT})+")
_HOUSE_NUMBER_BEFORE = re.compile(r"(?<![\w.,-])\d{1,6}[ \t]+$")


def _addresses(text: str) -> Iterator[Span]:
    """Every STREET_ADDRESS candidate, each grown to its whole block (``find_pii`` settles overlaps)."""
    lower_case = text.islower()
    if lower_case:
        text = _capitalised(text)
    yield from _streets(text, lower_case)
    yield from _laid_out_streets(text)
    yield from _corners(text)


def _streets(text: str, lower_case: bool) -> Iterator[Span]:
    """Streets with a number and a street type, or a number on each side of the name; in text typed in
    lower case (and so capitalised here) only those with a street type."""
    for pattern, score in ((ENGLISH, 0.8), (JOINED, 0.8), (TYPED, 0.8), (PO_BOX, 0.8), (PREFIXED, 0.75),
                           (NUMBER_FIRST, 0.75), (NUMBERED, 0.75)):
        if lower_case and pattern is NUMBERED:
            continue  # "make 250 cupcakes by 12": in lower case, only a street type shows a street
        for m in pattern.finditer(text):
            value = m.group().rstrip(" ,.")
            if lower_case and _FUNCTION_WORD.search(value):
                continue  # "8 adults with a sea view": words, not a street name
            if pattern is PREFIXED and not _prefixed_plausible(value):
                continue
            if _QUANTITY_BEFORE.search(text[max(0, m.start() - 12):m.start()]):
                continue
            start, end = _block(text, m.start(), m.start() + len(value))
            yield Span("STREET_ADDRESS", start, end, score)


def _laid_out_streets(text: str) -> Iterator[Span]:
    """A line holding only a street name and number ("Kesk 53"), when the block under it has a unit or a
    postcode: on its own such a line could be anything ("Table 4")."""
    for m in LINE_STREET.finditer(text):
        start, end = _block(text, m.start() + len(m.group()) - len(m.group().lstrip(" \t>")), m.end())
        if re.search(r"\d", text[m.end():end]):
            yield Span("STREET_ADDRESS", start, end, 0.75)


def _corners(text: str) -> Iterator[Span]:
    """ "The corner of A and B", where A or B has a number or a street type."""
    for m in CORNER.finditer(text):
        if _STREETISH.search(m.group("a")) or _STREETISH.search(m.group("b")):
            yield Span("STREET_ADDRESS", m.start(), m.end("b"), 0.8)


def _capitalised(text: str) -> str:
    """``text`` with each word's first letter capitalised, offsets unchanged: "i live at 12 oak road" is
    then read like "I Live At 12 Oak Road", so the patterns see its street name."""
    return re.sub(rf"(?<![\w'’])[{_L}]", lambda m: m.group().upper() if len(m.group().upper()) == 1 else m.group(),
                  text)


def _block(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole address around a street: a building number before it on its line ("935 69 Gordon
    Terrace"), its units, and the lines under it that carry a unit, a town, a region, a postcode or a
    country. A line of anything else ends the block."""
    before = _HOUSE_NUMBER_BEFORE.search(text, max(0, start - 8), start)
    if before:
        start = before.start()
    units = _UNITS_AFTER.match(text, end)
    if units:
        end = units.end()
    for _ in range(6):
        gap = _NEXT_LINE.match(text, end)
        part = gap and _BLOCK_PART.match(text, gap.end())
        if not part or not part.group().strip():
            break
        end = part.end()
    return start, end


def _prefixed_plausible(value: str) -> bool:
    """The street name must look like one: a name word besides the street type, and no quantity after it."""
    words = re.findall(rf"[{_U}{_L}]+", value)
    return len(words) >= 2 and not _NOT_AFTER_NUMBER.match(value.split()[-1])
