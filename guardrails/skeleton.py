"""The copy of a message the rails check: Unicode tricks undone, with a map back to the original.

A rail that reads text as written can be dodged by characters that look the same but are not:
"ignоre previous instructions" with a Cyrillic о, "are y\\u200bou a b\\u200bot?" with zero-width
spaces, "ｉｇｎｏｒｅ ａｌｌ ｒｕｌｅｓ" in fullwidth letters, "jane@еxample.com" with a Cyrillic е.
``skeleton(text)`` returns the text a rail should check instead:

* invisible characters removed (zero-width U+200B-U+200F, bidi embeddings and overrides
  U+202A-U+202E, U+2060-U+2064, bidi isolates U+2066-U+2069, U+FEFF, the soft hyphen, the
  combining grapheme joiner, the Mongolian vowel separator, Unicode tag characters);
* NFKC, a base character and its combining marks at a time (fullwidth and mathematical letters,
  ligatures and other compatibility forms become plain letters);
* confusable letters (Cyrillic, Greek and a few Latin look-alikes of ASCII letters, ``CONFUSABLES``)
  mapped to the ASCII letter they imitate, but only inside a word that is otherwise ASCII or made
  of look-alikes only ("bоt", "а"), never in a word that is really Greek, Russian and so on:
  "Москвы", "σου" and "человек" stay as written, so the rails' own non-Latin phrases still match;
* combining marks left over after NFKC on an ASCII or Latin character dropped, with any accent of the same
  stack (zalgo: "i̷g̷n̷o̷r̷e̷", "ḯ̷g̷n̷ó̸r̷e̷", "j̶a̶n̶e̶@̶…"): a real accented Latin letter composes whole ("café",
  "Müller", Vietnamese) so loses nothing, and marks on other scripts (Hindi vowel signs, Arabic harakat,
  Hebrew points) are kept.

The customer's text itself is never changed: this is a copy for checking, and ``to_original`` maps
a span found in it back to the original text, so PII redaction replaces the original characters (a dropped
mark belongs to its base character's span, so the marks go with it).
ASCII text is its own skeleton (no copy, no map), so the common case costs one ``isascii`` call.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["CONFUSABLES", "INVISIBLE", "Skeleton", "skeleton"]

#: Characters that render as nothing (or reorder text) and carry no meaning in a support chat.
INVISIBLE = frozenset(
    [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065), *range(0x2066, 0x206A),
     0xFEFF, 0x00AD, 0x034F, 0x180E, *range(0xE0000, 0xE0080)])

#: Letters that pass for an ASCII letter in most fonts (after NFKC), from Unicode's confusables list,
#: kept to the ones that are near-identical. Each maps to exactly one ASCII character.
CONFUSABLES: dict[str, str] = {
    # Cyrillic, lower case
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y", "ѵ": "v", "ɡ": "g",
    # Cyrillic, upper case
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D", "Һ": "H", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I",
    "Ү": "Y",
    # Greek
    "ο": "o", "α": "a", "ν": "v", "ι": "i", "κ": "k", "ρ": "p", "υ": "u", "χ": "x", "ϲ": "c", "ϳ": "j",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C",
    # Latin and other scripts' look-alikes
    "ı": "i", "ɑ": "a", "ɩ": "i", "ʟ": "L", "ɪ": "I", "ᴏ": "o", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z", "օ": "o",
    "ո": "n", "ս": "u", "ց": "g", "ɾ": "r",
}


def _char_class(points: Iterable[int]) -> str:
    """Sorted code points as a regex character class body, in (first-last) runs."""
    runs: list[list[int]] = []
    for cp in points:
        if runs and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in runs)


# A character class of BMP characters compiles to a bitmap; one with astral characters to a slow list of
# ranges, so the astral ones (Unicode tags, astral marks) are matched apart.
_NEEDS_FOLDING = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(INVISIBLE) if cp <= 0xFFFF)
                            + "".join(re.escape(c) for c in CONFUSABLES) + "]|[\U000e0000-\U000e007f]")
#: ASCII (letters, digits, punctuation, space) and the Latin letter blocks, where a leftover mark is decoration.
_LATIN = "\x00-\x7f\u00c0-\u024f\u0250-\u02af\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff\uab30-\uab6f"
_IS_LATIN = re.compile(f"[{_LATIN}]")
#: Combining marks (categories Mn and Me) of the BMP; in NFKC text one right after a Latin character has
#: no precomposed form with it: zalgo, to drop.
_BMP_MARKS = _char_class(cp for cp in range(0x300, 0x10000) if unicodedata.category(chr(cp)) in ("Mn", "Me"))
_BMP_MARK = re.compile(f"[{_BMP_MARKS}]")
_BMP_MARK_ON_LATIN = re.compile(f"[{_LATIN}][{_BMP_MARKS}]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

#: Texts up to this length are cached (a turn checks the same text in several rails).
_CACHED_UP_TO = 8_000


@dataclass(frozen=True)
class Skeleton:
    """``text``: what the rails check; ``original``: what the customer wrote. ``starts[i]``/``ends[i]``
    are the original positions the i-th character of ``text`` came from (None: the same text)."""

    text: str
    original: str
    #: Compact int arrays (4 bytes a character, not a 28-byte int object each): a cached 8,000-character
    #: skeleton costs about 64 KB, not 570 KB.
    starts: Sequence[int] | None = None
    ends: Sequence[int] | None = None

    @property
    def same(self) -> bool:
        """True when the skeleton is the original text (nothing to map)."""
        return self.starts is None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span that ``text[start:end]`` came from (widened over any invisible characters
        and whole compatibility characters inside it)."""
        if self.starts is None or self.ends is None:
            return start, end
        size = len(self.text)
        if start >= size:
            return len(self.original), len(self.original)
        begin = self.starts[max(start, 0)]
        if end <= start:
            return begin, begin
        return begin, self.ends[min(end, size) - 1]


def skeleton(text: str) -> Skeleton:
    """The copy of ``text`` the rails check, with the map back to ``text`` (see the module doc)."""
    if text.isascii():
        return Skeleton(text, text)
    if len(text) <= _CACHED_UP_TO:
        return _cached_skeleton(text)
    return _build(text)


@lru_cache(maxsize=64)
def _cached_skeleton(text: str) -> Skeleton:
    return _build(text)


@lru_cache(maxsize=4096)
def _nfkc(cluster: str) -> str:
    return unicodedata.normalize("NFKC", cluster)


def _build(text: str) -> Skeleton:
    if unicodedata.is_normalized("NFKC", text) and not _NEEDS_FOLDING.search(text) \
            and not _has_mark_on_latin(text):
        return Skeleton(text, text)  # e.g. accented Latin, Arabic, Hindi, CJK: nothing to undo
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    cluster: list[str] = []
    cluster_start = cluster_end = 0

    def flush() -> None:
        if cluster:
            single = cluster[0] if len(cluster) == 1 else None
            # a look-alike stays as it is for _unconfuse: NFKC would turn "ϲ" into "ς", no look-alike of "c"
            if single is not None and (single.isascii() or single in CONFUSABLES):
                folded = single
            elif cluster[0] in CONFUSABLES and _nfkc(cluster[0]) != cluster[0]:
                folded = cluster[0] + _nfkc("".join(cluster[1:]))  # "ϲ̷" keeps its look-alike of "c"
            else:
                folded = _nfkc("".join(cluster))
            for c in folded:
                chars.append(c)
                starts.append(cluster_start)
                ends.append(cluster_end)

    for i, ch in enumerate(text):
        if ord(ch) in INVISIBLE:
            continue
        if cluster and not ch.isascii() and _is_mark(ch):
            cluster.append(ch)
            cluster_end = i + 1
            continue
        flush()
        cluster = [ch]
        cluster_start, cluster_end = i, i + 1
    flush()
    _unconfuse(chars)
    chars, starts, ends = _drop_marks_on_latin(chars, starts, ends)
    folded = "".join(chars)
    if folded == text:
        return Skeleton(text, text)
    return Skeleton(folded, text, array("I", starts), array("I", ends))


def _has_mark_on_latin(text: str) -> bool:
    """True when a combining mark follows an ASCII or Latin character. Marks are rare in chat, so a quick search
    for any mark decides most texts; emoji and other astral characters are few, so each is looked at alone."""
    first = _BMP_MARK.search(text)
    if first is not None and _BMP_MARK_ON_LATIN.search(text, max(first.start() - 1, 0)):
        return True
    return any(m.start() > 0 and _is_mark(m.group()) and _IS_LATIN.match(text, m.start() - 1)
               for m in _ASTRAL.finditer(text))


@lru_cache(maxsize=4096)
def _is_mark(c: str) -> bool:
    """A combining mark: it decorates the character before it (Hindi's spacing vowel signs, Mc, are letters)."""
    return unicodedata.combining(c) > 0 or unicodedata.category(c) in ("Mn", "Me")


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_" or (not c.isascii() and _is_mark(c))


def _drop_marks_on_latin(chars: list[str], starts: list[int], ends: list[int]
                         ) -> tuple[list[str], list[int], list[int]]:
    """``chars`` without the marks that follow an ASCII or Latin character (after NFKC and look-alike mapping,
    so only zalgo is left there), and with that character bare: a stack's marks that did compose ("ó" out of
    "o" + acute + overlay) are decoration too. A real accent composes whole, so it is never reached here.
    A mark shares its base's cluster, so the base's span already covers it."""
    keep: list[int] = []
    base: int | None = None  # index of the Latin character the marks so far sit on
    for k, c in enumerate(chars):
        if c.isascii() or not _is_mark(c):
            base = k if _IS_LATIN.match(c) else None
            keep.append(k)
        elif base is None:
            keep.append(k)
        elif not chars[base].isascii():
            chars[base] = unicodedata.normalize("NFD", chars[base])[0]
    if len(keep) == len(chars):
        return chars, starts, ends
    return [chars[k] for k in keep], [starts[k] for k in keep], [ends[k] for k in keep]


def _unconfuse(chars: list[str]) -> None:
    """Map look-alike letters to ASCII, in place, in each word that is ASCII apart from look-alikes."""
    n = len(chars)
    i = 0
    while i < n:
        if not _is_word_char(chars[i]):
            i += 1
            continue
        j = i
        plain, confused = True, False
        while j < n and _is_word_char(chars[j]):
            c = chars[j]
            if c in CONFUSABLES:
                confused = True
            elif not c.isascii() and not _is_mark(c):  # a mark on a look-alike is zalgo: "bо̷t"
                plain = False
            j += 1
        if confused and plain:
            for k in range(i, j):
                chars[k] = CONFUSABLES.get(chars[k], chars[k])
        i = j
