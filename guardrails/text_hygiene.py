"""Make customer input safe to process before any rail, retriever or model reads it.

Broken Unicode (lone surrogates) becomes U+FFFD, control characters go (newlines and tabs stay),
invisible characters used to smuggle or disguise text go (zero-width, bidi overrides, Unicode tag
characters), the text is composed (NFC) and disguised Latin letters and digits fold to plain ones
("ｆｕｌｌｗｉｄｔｈ", "𝐛𝐨𝐥𝐝", "ﬁ"; no-break spaces become spaces). Each change is noted in words,
for the turn's audit record.

This is the text that is stored and answered, so it is folded no further than that: full NFKC would
turn "2m²" into "2m2", "①" into "1", the Korean "ㅋㅋ" into conjoining jamo and a Chinese "？" into "?".
The rails check a stricter copy instead (:mod:`guardrails.skeleton`: NFKC and look-alike letters read
as ASCII), and map what they find back onto this text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

#: Characters that render as nothing (or reorder text) and carry no meaning in a support chat.
#: U+200B-U+200F zero-width and direction marks, U+202A-U+202E bidi embeddings and overrides,
#: U+2060-U+2064 word joiner and invisible operators, U+2066-U+2069 bidi isolates, U+FEFF BOM,
#: plus the soft hyphen, the combining grapheme joiner and the Mongolian vowel separator, and the
#: Unicode tag block (U+E0000-U+E007F), a known way to hide instructions from a human reader.
_INVISIBLE = (
    [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065), *range(0x2066, 0x206A),
     0xFEFF, 0x00AD, 0x034F, 0x180E, *range(0xE0000, 0xE0080)]
)
_REMOVE_INVISIBLE = {cp: None for cp in _INVISIBLE}

#: Line breaks in all their spellings become "\n"; other whitespace controls become a space.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_SEPARATOR_CONTROLS = re.compile("[\x1c-\x1f]")  # file/group/record/unit separators: a space
_SURROGATE = re.compile("[\ud800-\udfff]")
#: C0 controls except \t and \n, DEL, and the C1 block.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_MANY_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){3,}")
#: Characters that may be a disguised Latin letter, digit or space: Latin ligatures, fullwidth letters and
#: digits (not the fullwidth punctuation Chinese and Japanese are written with), halfwidth katakana,
#: letterlike symbols, mathematical alphanumerics, no-break spaces. ``_fold_disguised`` decides.
_DISGUISED = re.compile("[\ufb00-\ufb06\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff61-\uff9f\u2100-\u214f"
                        "\U0001d400-\U0001d7ff\u00a0\u2007\u202f]")


@lru_cache(maxsize=1024)
def _fold_char(char: str) -> str:
    decomposition = unicodedata.decomposition(char)
    tag = decomposition.split(" ", 1)[0] if decomposition.startswith("<") else ""
    if tag in ("<font>", "<wide>", "<narrow>", "<noBreak>") or 0xFB00 <= ord(char) <= 0xFB06:
        return unicodedata.normalize("NFKC", char)
    return char  # e.g. "℃", "№", "™": symbols, kept as written


def _fold_disguised(match: re.Match[str]) -> str:
    return _fold_char(match.group())


@dataclass(frozen=True)
class CleanText:
    """The cleaned text, whether anything changed, and what was done, in words."""

    text: str
    changed: bool
    notes: list[str] = field(default_factory=list)


def decode_bytes(data: bytes | bytearray | memoryview, notes: list[str] | None = None) -> str:
    """Decode bytes as UTF-8 (a leading BOM is dropped); undecodable bytes become U+FFFD.

    When replacement was needed a note is appended to ``notes`` (if given), so the caller can record it.
    """
    raw = bytes(data)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if notes is not None:
            notes.append(f"input was not valid UTF-8 (first bad byte at {exc.start}); "
                         "undecodable bytes replaced with U+FFFD")
        return raw.decode("utf-8-sig", errors="replace")


def clean_text(text: str | bytes) -> CleanText:
    """Return ``text`` made safe to process, with a note for each kind of change made."""
    notes: list[str] = []
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = decode_bytes(text, notes)
    original, decoded_with_loss = text, bool(notes)

    text = _repair_surrogates(text, notes)

    unusual_breaks = sum(1 for m in _LINE_BREAKS.finditer(text) if m.group() not in ("\r\n", "\r"))
    text = _LINE_BREAKS.sub("\n", text)
    if unusual_breaks:
        notes.append(f"turned {unusual_breaks} unusual line-break character(s) into newlines")
    text, separators = _SEPARATOR_CONTROLS.subn(" ", text)
    text, controls = _CONTROLS.subn("", text)
    if controls or separators:
        notes.append(f"removed {controls + separators} control character(s)"
                     + (f" ({separators} separator(s) became spaces)" if separators else ""))

    without_invisible = text.translate(_REMOVE_INVISIBLE)
    if len(without_invisible) != len(text):
        notes.append(f"removed {len(text) - len(without_invisible)} invisible formatting character(s) "
                     "(zero-width, bidi or tag characters)")
    text = without_invisible

    if not text.isascii():
        folded = unicodedata.normalize("NFC", _DISGUISED.sub(_fold_disguised, text))
        if folded != text:
            notes.append("folded disguised letters (fullwidth, mathematical, ligatures) and composed accents")
        text = folded

    text, collapsed = _MANY_BLANK_LINES.subn("\n\n\n", text)
    if collapsed:
        notes.append("collapsed runs of more than 2 blank lines")

    return CleanText(text=text, changed=decoded_with_loss or text != original, notes=notes)


def _repair_surrogates(text: str, notes: list[str]) -> str:
    """Join surrogate pairs into the character they spell; replace lone surrogates with U+FFFD."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    repaired = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    lone = repaired.count("\ufffd") - text.count("\ufffd")
    if lone:
        notes.append(f"replaced {lone} broken character(s) (lone surrogates) with U+FFFD")
    if len(repaired) != len(text):
        notes.append("joined split surrogate pairs into the characters they encode")
    return repaired
