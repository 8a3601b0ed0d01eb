"""Check digits and number ranges that tell real identifiers from numbers that merely look like them.

A pattern alone would redact order numbers and prices; these checks are what keeps the PII rail precise.
"""

from __future__ import annotations

#: IBAN length by country (ISO 13616 registry). A candidate from an unknown country is not an IBAN.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
    "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25,
    "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod-10) check every payment card number passes."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def card_prefix_plausible(digits: str) -> bool:
    """Whether the number starts like a card a scheme issues (Visa, Mastercard, Amex, Diners, Discover,
    JCB, Maestro, UnionPay; generously, since issuers' ranges move); many order and tracking
    numbers do not."""
    if digits[0] in "456":
        return True
    if digits[:2] in ("30", "34", "35", "36", "37", "38", "39"):
        return True
    return "2221" <= digits[:4] <= "2720" or digits[:4] in ("1800", "2131")


def card_valid(digits: str) -> bool:
    return (12 <= len(digits) <= 19 and len(set(digits)) > 1 and card_prefix_plausible(digits)
            and luhn_valid(digits))


def iban_valid(iban: str) -> bool:
    """Country length and the ISO 7064 mod-97 check; spaces and letter case are ignored."""
    compact = iban.replace(" ", "").upper()
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact[2:4].isdigit() or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def nhs_valid(number: str) -> bool:
    """The UK NHS number's mod-11 check digit (weights 10..2 over the first nine digits)."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) != 10 or len(set(digits)) == 1:
        return False
    check = 11 - sum(d * w for d, w in zip(digits[:9], range(10, 1, -1))) % 11
    if check == 11:
        check = 0
    return check != 10 and check == digits[9]


def ssn_plausible(area: str, group: str, serial: str) -> bool:
    """US SSN ranges: no area 000, 666 or 9xx, no group 00, no serial 0000, and not the advertising sample."""
    if area in ("000", "666") or area.startswith("9") or group == "00" or serial == "0000":
        return False
    return f"{area}{group}{serial}" not in ("078051120", "219099999", "123456789")


#: UK National Insurance number prefixes HMRC never issues (besides D, F, I, Q, U, V anywhere and O second).
_NINO_UNUSED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def nino_valid(nino: str) -> bool:
    """A UK National Insurance number: two prefix letters HMRC allocates, six digits, suffix A to D."""
    compact = nino.replace(" ", "").upper()
    if len(compact) != 9 or not compact[2:8].isdigit() or compact[8] not in "ABCD":
        return False
    first, second = compact[0], compact[1]
    if not (first.isalpha() and second.isalpha()) or first in "DFIQUV" or second in "DFIOQUV":
        return False
    return compact[:2] not in _NINO_UNUSED_PREFIXES
