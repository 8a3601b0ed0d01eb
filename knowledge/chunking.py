"""Heading-aware chunking: sections first, then paragraphs, then sentences, with a little overlap.

Each chunk starts with its heading path ("Delivery > Fees") so BM25 and the embedder see the topic,
and its id is ``{doc_id}::{ordinal:04d}``: stable, so re-ingesting replaces rather than duplicates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.documents import Chunk, Document

_HEADING = re.compile(r"^(#{1,6})[ \t]+(\S.*)$")  # closing #s are stripped in Python: no backtracking
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9£$\"'(])")
MIN_SECTION_WORDS = 25


@dataclass
class _Section:
    path: list[str]
    body: str

    @property
    def heading(self) -> str:
        return " > ".join(self.path)

    @property
    def words(self) -> int:
        return len(self.body.split())


def chunk_document(doc: Document, max_words: int = 180, overlap_words: int = 30) -> list[Chunk]:
    """Split one document into chunks of at most ``max_words`` words of body, each led by its heading line.

    FAQ documents (``metadata["faq"]``) give one chunk per question and answer. The same document always
    gives the same chunks and ids.
    """
    if max_words < 1 or overlap_words < 0 or overlap_words >= max_words:
        raise ValueError("need max_words >= 1 and 0 <= overlap_words < max_words")
    sections = _sections(doc)
    if doc.metadata.get("faq"):
        pieces = [(s.path, s.body) for s in sections]
    else:
        pieces = [(section.path, body) for section in _merge_small(sections, max_words)
                  for body in _split_long(section.body, max_words, overlap_words)]
    metadata = {k: v for k, v in doc.metadata.items() if isinstance(v, (str, int, float, bool))}
    chunks = []
    for ordinal, (path, body) in enumerate(pieces):
        heading = " > ".join(_without_title(path, doc.title))
        label = doc.title if not heading or heading == doc.title else f"{doc.title} > {heading}"
        chunks.append(Chunk(chunk_id=f"{doc.doc_id}::{ordinal:04d}", doc_id=doc.doc_id, title=doc.title,
                            heading=heading, text=f"{label}\n{body}".strip(), metadata=dict(metadata)))
    return chunks


def _without_title(path: list[str], title: str) -> list[str]:
    """A top-level "# Title" repeats the document's title: drop it so headings read "Fees", not "Delivery > Fees"."""
    return path[1:] if len(path) > 1 and path[0] == title else path


def _sections(doc: Document) -> list[_Section]:
    """Split on Markdown headings, keeping the full path of headings above each section."""
    sections: list[_Section] = []
    stack: list[tuple[int, str]] = []
    body: list[str] = []

    def flush() -> None:
        text = "\n".join(body).strip()
        if text:
            sections.append(_Section([title for _, title in stack] or [doc.title], text))
        body.clear()

    for line in doc.text.splitlines():
        match = _HEADING.match(line)
        if match:
            flush()
            level, title = len(match.group(1)), match.group(2).rstrip().rstrip("#").strip().strip("*").strip()
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
        else:
            body.append(line)
    flush()
    return sections


def _merge_small(sections: list[_Section], max_words: int) -> list[_Section]:
    """Fold a tiny section into the next one under the same parent, so no chunk is a lone heading and a line.

    An intro under "Delivery" merges with "Delivery > Fees" (kept under "Delivery"); siblings
    "Delivery > Fees" and "Delivery > Areas" merge under "Delivery". Each merged part keeps its own
    sub-heading as a line of text, so nothing is lost for search.
    """
    merged: list[_Section] = []
    for section in sections:
        previous = merged[-1] if merged else None
        if previous is not None and previous.words < MIN_SECTION_WORDS \
                and previous.words + section.words <= max_words:
            parent = _common_parent(previous.path, section.path)
            if parent:
                merged.pop()
                parts = []
                for part in (previous, section):
                    sub = part.path[len(parent):]
                    parts.append((" > ".join(sub) + "\n" if sub else "") + part.body)
                merged.append(_Section(parent, "\n\n".join(parts)))
                continue
        merged.append(section)
    return merged


def _common_parent(first: list[str], second: list[str]) -> list[str]:
    """The shared heading path when one section contains the other or both are siblings; else []."""
    if second[:len(first)] == first:
        return first
    if len(first) == len(second) and len(first) > 1 and first[:-1] == second[:-1]:
        return first[:-1]
    return []


def _units(body: str, max_words: int) -> list[tuple[str, str]]:
    """(separator, text) pieces: sentences, with the break before each (paragraph, line or space) kept."""
    units: list[tuple[str, str]] = []
    for p_index, paragraph in enumerate(re.split(r"\n\s*\n", body.strip())):
        for l_index, line in enumerate(paragraph.strip().split("\n")):
            for s_index, sentence in enumerate(_SENTENCE_END.split(line.strip())):
                words = sentence.split()
                for w in range(0, len(words), max_words):  # a run-on "sentence" longer than a chunk
                    if s_index == 0 and l_index == 0 and w == 0:
                        separator = "\n\n"
                    else:
                        separator = "\n" if s_index == 0 and w == 0 else " "
                    units.append((separator, " ".join(words[w:w + max_words])))
    return [(sep, text) for sep, text in units if text]


def _split_long(body: str, max_words: int, overlap: int) -> list[str]:
    """Pack whole sentences into pieces of at most ``max_words``; each piece after the first repeats the
    trailing sentences of the previous one (up to ``overlap`` words) so an answer spanning the cut survives."""
    if len(body.split()) <= max_words:
        return [body]
    pieces: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    count = 0
    fresh = 0  # units in ``current`` not carried over from the previous piece
    for unit in _units(body, max_words):
        n = len(unit[1].split())
        if current and fresh and count + n > max_words:
            pieces.append(current)
            carried: list[tuple[str, str]] = []
            carried_words = 0
            for previous in reversed(current):
                size = len(previous[1].split())
                if carried_words + size > overlap or carried_words + size + n > max_words:
                    break
                carried.insert(0, previous)
                carried_words += size
            if not carried and overlap and current:  # the last sentence alone is longer than the overlap
                tail = current[-1][1].split()[-overlap:]
                if len(tail) + n <= max_words:
                    carried, carried_words = [(" ", " ".join(tail))], len(tail)
            current, count, fresh = carried, carried_words, 0
        current.append(unit)
        count += n
        fresh += 1
    if current and fresh:
        pieces.append(current)
    return [_render(piece) for piece in pieces]


def _render(units: list[tuple[str, str]]) -> str:
    text = "".join(sep + part for sep, part in units)
    return text.strip()
