"""Sentence splitting for answers and knowledge passages: abbreviations, decimals, times and lists.

Each sentence is an exact substring of the input (list markers left out), so a caller can find it
again in the text, cut it out, or stream an answer sentence by sentence.
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset("""
e.g i.e etc approx appt apt asst ave dept dr est fig inc jr ltd max min misc mr mrs ms mt no nos nr p.s ps pp
prof ref rd sr st tel vs vol wk yr a.m p.m mon tue tues wed thu thur thurs fri sat sun jan feb mar apr jun jul aug
sep sept oct nov dec co corp
""".split())

_LIST_MARKER = re.compile(r"[ \t]*(?:[-*•‣▪◦–]|\d{1,2}[.)])[ \t]+")
_HEADING_MARKER = re.compile(r"[ \t]*#{1,6}[ \t]+")
_TABLE_RULE = re.compile(r"\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_TERMINAL = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")
_STARTS_SENTENCE = re.compile(r"\s+[\"'“‘(\[]?[A-Z0-9£$€*_]")


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``: list items, headings and table rows each count as one."""
    return [text[start:end] for start, end in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, in order."""
    spans: list[tuple[int, int]] = []
    for start, end in _blocks(text):
        spans.extend(_split_block(text, start, end))
    return spans


def _blocks(text: str) -> list[tuple[int, int]]:
    """Paragraphs, list items, headings and table rows; wrapped lines of one paragraph are joined."""
    blocks: list[list[int]] = []
    joinable = False  # may the next line continue the current block?
    offset = 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        if not line.strip() or _TABLE_RULE.fullmatch(line):
            joinable = False
            continue
        marker = _LIST_MARKER.match(line) or _HEADING_MARKER.match(line)
        if marker:
            blocks.append([start + marker.end(), end])
            joinable = not _HEADING_MARKER.match(line)
            continue
        stripped = line.lstrip()
        if joinable and blocks and stripped[:1].islower():  # a wrapped line of the same paragraph
            blocks[-1][1] = end
        else:
            blocks.append([start + len(line) - len(stripped), end])
        joinable = not stripped.startswith("|")
    return [(s, e) for s, e in blocks if text[s:e].strip()]


def _split_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    block = text[start:end]
    pieces: list[tuple[int, int]] = []
    cursor = 0
    for m in _TERMINAL.finditer(block):
        if m.end() >= len(block.rstrip()):
            break
        if m.group()[0] == "." and (_is_abbreviation(block, m.start()) or not _STARTS_SENTENCE.match(block, m.end())):
            continue
        if m.group()[0] in "!?…" and not re.match(r"\s+\S", block[m.end():]):
            continue
        pieces.append((cursor, m.end()))
        cursor = m.end()
    pieces.append((cursor, len(block)))
    spans = []
    for a, b in pieces:
        piece = block[a:b]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if piece.strip():
            spans.append((start + a + lead, start + b - trail))
    return spans


def _is_abbreviation(block: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` ends an abbreviation ("e.g.", "Mr.", "a.m.") or an initial ("J.")."""
    word = re.search(r"([A-Za-z][A-Za-z.]*)$", block[:dot])
    if not word:
        return False
    token = word.group(1).lower().rstrip(".")
    return token in ABBREVIATIONS or (len(token) == 1 and block[dot - 1].isupper())
