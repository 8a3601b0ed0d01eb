"""STREET_ADDRESS: a house number and a street with a street-type word, in English and common European forms.

Found: "221B Baker Street", "12 Crown St, Leeds LS1 4AB", "1600 Pennsylvania Ave NW, Washington, DC 20500",
"Flat 2, 14 Mill Lane", "12 rue de la Paix", "Calle Mayor 5", "Via Roma 12", "Hauptstraße 5", "Sludevej 13",
"Magasinsgatan 7", "Skoanveien 226", "ul. Chrzanowska 61", "Kiannonkatu 98 Apt. 105".
Not found, on purpose: a street name without a number ("we're on Mill Lane"), a bare postcode, a town.
A business's own address in a reply is public, but in a customer's message every address is redacted.
"""

from __future__ import annotations

import re
from typing import Iterator

from guardrails.verdict import Span

_U = "A-ZÀ-ÖØ-ÞĀ-Ž"
_L = "a-zß-öø-ÿā-ž"
_WORD = rf"[{_U}][{_L}'’.-]*|(?:of|the|de|la|du|des|del|di|da|von|der)"
#: English street types (after the name); "St" needs care: "St Ives" is a town, "5 Main St" a street.
_SUFFIX = (r"Street|St|Road|Rd|Avenue|Ave|Av|Lane|Ln|Way|Drive|Dr|Court|Ct|Place|Pl|Close|Cl|Crescent|Cres|"
           r"Boulevard|Blvd|Square|Sq|Terrace|Ter|Gardens|Gdns|Grove|Gr|Parkway|Pkwy|Highway|Hwy|Mews|Row|Walk|"
           r"Hill|Rise|Parade|Circle|Cir|Trail|Trl|Plaza|Loop|Alley|Wharf|Quay|Green|Heights|Turnpike|Str|"
           r"Broadway|Esplanade|Gate|Park|View|Vale|Wynd")
#: Street types written before the name.
_PREFIX = (r"Rue|rue|calle|avenida|rua|Avenue|Av\.?|Boulevard|Bd|Chemin|Impasse|Allée|Place|Calle|C/|Avenida|Avda\.?|Paseo|Plaza|Camino|"
           r"Carrer|Via|Viale|Piazza|Piazzale|Corso|Vicolo|Largo|Rua|Travessa|Largo|Praça|Estrada|Alameda|"
           r"ul\.|Ul\.|ulica|al\.|Al\.|Aleja|Straße|Strada|Trg|Ulitsa|Odos|Quadra")
#: Street-type endings joined to the name ("Hauptstraße", "Sludevej", "Magasinsgatan").
_JOINED = (r"stra(?:ss|ß)e|str\.|gasse|weg|platz|allee|ring|damm|ufer|vej|gade|gatan|vägen|gränd|torget|veien|"
           r"vegen|gata|gaten|katu|tie|kuja|polku|straat|laan|gracht|steeg|plein|kade|utca|útja|ulica|cesta")
_NUMBER = r"\d{1,5}(?:[A-Za-z](?![\w]))?(?:[-/]\d{1,4}[A-Za-z]?)?"
_UNIT = r"(?:,?\s*(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|Fl\.?|#)\s*[\w-]{1,6})"
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"
_US_STATE_ZIP = r"[A-Z]{2},? \d{5}(?:-\d{4})?"
_TOWN = rf"[{_U}][{_L}'’.-]+(?: [{_U}][{_L}'’.-]+){{0,2}}"
_TAIL = rf"(?:,?[ \t]+(?:{_TOWN},?[ \t]+)?(?:{_UK_POSTCODE}|{_US_STATE_ZIP})(?!\w))?"

ENGLISH = re.compile(
    rf"(?<![\w£$€.,:/-])(?:(?:Flat|Apt\.?|Apartment|Unit|Suite)\s*\w{{1,5}},?\s+)?{_NUMBER},?[ \t]+"
    rf"(?:(?:{_WORD})[ \t]+){{0,3}}(?:{_WORD})[ \t]+(?:{_SUFFIX})\b\.?"
    rf"(?:[ \t]+(?:N|S|E|W|NE|NW|SE|SW)\b)?{_UNIT}?(?:,[ \t]*{_TOWN})?{_TAIL}")
PREFIXED = re.compile(
    rf"(?<![\w£$€.,:/-])(?:{_NUMBER},?[ \t]+)?(?:{_PREFIX})[ \t]+(?:(?:{_WORD}|\d{{1,2}})[ \t]+){{0,4}}?"
    rf"(?:{_WORD}),?[ \t]+{_NUMBER}(?![\w.,]\d){_UNIT}?")
JOINED = re.compile(
    rf"(?<![\w.-])(?:{_NUMBER}[ \t]+)?(?:[{_U}][{_L}-]*[ \t]+)?[{_U}][{_L}-]*(?:{_JOINED})[ \t]+{_NUMBER}"
    rf"(?![\w.,]\d){_UNIT}?")
_NOT_AFTER_NUMBER = re.compile(r"\s*(?:x|×|pcs|pieces|items|boxes|of|for|at|from|to|minutes|mins|hours|days)\b",
                               re.IGNORECASE)
#: "2 Pain au chocolat Place orders" is not an address: the house number must not be a quantity or price.
_QUANTITY_BEFORE = re.compile(r"(?:\b(?:order|ordered|buy|bought|want|need|get|add|x|qty|quantity|£|\$|€)\s*)$",
                              re.IGNORECASE)


def _addresses(text: str) -> Iterator[Span]:
    for pattern, score in ((ENGLISH, 0.8), (JOINED, 0.8), (PREFIXED, 0.75)):
        for m in pattern.finditer(text):
            value = m.group().rstrip(" ,.")
            if pattern is PREFIXED and not _prefixed_plausible(value):
                continue
            if _QUANTITY_BEFORE.search(text[max(0, m.start() - 12):m.start()]):
                continue
            yield Span("STREET_ADDRESS", m.start(), m.start() + len(value), score)


def _prefixed_plausible(value: str) -> bool:
    """The street name must look like one: a name word besides the street type, and no quantity after it."""
    words = re.findall(rf"[{_U}{_L}]+", value)
    return len(words) >= 2 and not _NOT_AFTER_NUMBER.match(value.split()[-1])
