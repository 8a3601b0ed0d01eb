"""The value types that flow through the knowledge package: documents, chunks, retrieved passages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

MetadataValue = str | int | float | bool


@dataclass(frozen=True)
class Document:
    """One source document as loaded from disk, before chunking.

    ``doc_id`` is stable across runs: the path relative to the ingested folder (``allergens.md``),
    or ``file#record-id`` for collections stored one record a line. Re-ingesting relies on it.
    """

    doc_id: str
    title: str
    text: str
    source: str
    format: str
    metadata: dict[str, MetadataValue] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        """Changes whenever the text, title or metadata change: unchanged documents are skipped on ingest."""
        digest = hashlib.sha256()
        for part in (self.title, self.text, repr(sorted(self.metadata.items()))):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\x00")
        return digest.hexdigest()


@dataclass(frozen=True)
class Chunk:
    """A retrievable piece of a document; ``chunk_id`` is ``{doc_id}::{ordinal:04d}``."""

    chunk_id: str
    doc_id: str
    title: str
    heading: str
    text: str
    metadata: dict[str, MetadataValue] = field(default_factory=dict)

    @property
    def citation(self) -> str:
        """How a customer sees the source: the document title and section."""
        return f"{self.title} > {self.heading}" if self.heading and self.heading != self.title else self.title


@dataclass(frozen=True)
class RetrievedPassage:
    """A chunk found for a query, with the evidence for it.

    ``score`` is the fused reciprocal-rank score used for ordering; ``dense_score`` is the cosine
    similarity of the query and chunk embeddings (None when the dense side did not return the chunk);
    ``lexical_score`` the BM25 score (None likewise). ``relevance`` in [0, 1] is what callers compare
    with a threshold to decide whether the knowledge base answers the question at all.
    """

    chunk: Chunk
    score: float
    relevance: float
    dense_score: float | None = None
    lexical_score: float | None = None
