"""Heading-aware chunking: sections first, then paragraphs, then sentences, with a little overlap.

Each chunk starts with its heading path ("Delivery > Fees") so BM25 and the embedder see the topic,
and its id is ``{doc_id}::{ordinal:04d}``: stable, so re-ingesting replaces rather than duplicates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.documents import Chunk, Document

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
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
    """Split one document into chunks of at most ``max_words`` words (plus the heading line)."""
    if overlap_words >= max_words:
        raise ValueError("overlap_words must be smaller than max_words")
    sections = _sections(doc)
    if doc.metadata.get("faq"):
        pieces = [(s.heading, s.body) for s in sections if s.body.strip()]
    else:
        pieces = []
        for section in _merge_small(sections, max_words):
            for body in _split_long(section.body, max_words, overlap_words):
                pieces.append((section.heading, body))
    chunks = []
    for ordinal, (heading, body) in enumerate(pieces):
        label = doc.title if not heading or heading == doc.title else f"{doc.title} > {heading}"
        text = f"{label}\n{body}".strip()
        metadata = {k: v for k, v in doc.metadata.items() if isinstance(v, (str, int, float, bool))}
        chunks.append(Chunk(chunk_id=f"{doc.doc_id}::{ordinal:04d}", doc_id=doc.doc_id, title=doc.title,
                            heading=heading, text=text, metadata=metadata))
    return chunks


def _sections(doc: Document) -> list[_Section]:
    """Split on Markdown headings, keeping the path of headings above each section."""
    sections: list[_Section] = []
    stack: list[tuple[int, str]] = []
    body: list[str] = []

    def flush() -> None:
        text = "\n".join(body).strip()
        path = [title for _, title in stack]
        if text:
            sections.append(_Section(path or [doc.title], text))
        body.clear()

    for line in doc.text.splitlines():
        match = _HEADING.match(line)
        if match:
            flush()
            level, title = len(match.group(1)), match.group(2).strip().strip("*")
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
        else:
            body.append(line)
    flush()
    for s in sections:  # a top-level "# Title" is the document's title: keep paths short and readable
        if len(s.path) > 1 and s.path[0] == doc.title:
            s.path = s.path[1:]
    return sections


def _merge_small(sections: list[_Section], max_words: int) -> list[_Section]:
    """Fold a tiny section into the next one when both fit, so no chunk is a lone heading and a line."""
    merged: list[_Section] = []
    for section in sections:
        if merged and merged[-1].words < MIN_SECTION_WORDS and merged[-1].words + section.words <= max_words \
                and merged[-1].path[:1] == section.path[:1]:
            previous = merged.pop()
            sub = section.path[-1] if section.path != previous.path else ""
            body = previous.body + ("\n\n" + sub + ":\n" if sub else "\n\n") + section.body
            merged.append(_Section(previous.path, body))
        else:
            merged.append(section)
    return merged


def _split_long(body: str, max_words: int, overlap: int) -> list[str]:
    if len(body.split()) <= max_words:
        return [body]
    units: list[str] = []
    for paragraph in re.split(r"\n\s*\n", body):
        if len(paragraph.split()) <= max_words:
            units.append(paragraph.strip())
        else:
            for sentence in _SENTENCE_END.split(paragraph):
                words = sentence.split()
                for i in range(0, len(words), max_words):
                    units.append(" ".join(words[i:i + max_words]))
    pieces: list[str] = []
    current: list[str] = []
    count = 0
    for unit in units:
        n = len(unit.split())
        if current and count + n > max_words:
            pieces.append("\n\n".join(current))
            tail = " ".join(" ".join(current).split()[-overlap:]) if overlap else ""
            current, count = ([tail] if tail else []), len(tail.split())
            if count + n > max_words:
                current, count = [], 0
        current.append(unit)
        count += n
    if current:
        pieces.append("\n\n".join(current))
    return [p for p in pieces if p.strip()]
