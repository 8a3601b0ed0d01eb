"""``KnowledgeBase``: the facade the agent uses: ingest documents, search them.

Ingesting is idempotent. A manifest beside the index records each document's content hash and
chunk ids: unchanged documents are skipped without embedding, changed ones replaced, deleted ones
removed. The BM25 index is rebuilt after any change and saved with a fingerprint of its chunk ids.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from knowledge.chunking import chunk_document
from knowledge.documents import Chunk, RetrievedPassage
from knowledge.embeddings import Embedder
from knowledge.errors import IndexUnavailable
from knowledge.lexical_index import BM25Index, ids_fingerprint
from knowledge.loaders import SkippedFile, load_path
from knowledge.retrieval import HybridRetriever
from knowledge.vector_index import ChromaIndex

Progress = Callable[[str, int, int], None]
EMBED_GROUP = 256


@dataclass
class IngestReport:
    added_documents: int = 0
    updated_documents: int = 0
    unchanged_documents: int = 0
    removed_documents: int = 0
    chunks_indexed: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    seconds: float = 0.0


class KnowledgeBase:
    def __init__(self, index_dir: Path, collection: str, embedder: Embedder, vectors: ChromaIndex) -> None:
        self.index_dir = Path(index_dir)
        self.collection = collection
        self.embedder = embedder
        self.vectors = vectors
        self._manifest_path = self.index_dir / f"{collection}.manifest.json"
        self._bm25_dir = self.index_dir / f"{collection}.bm25"
        self._manifest = self._read_manifest()
        self._bm25: BM25Index | None = None
        self.retriever = HybridRetriever(vectors, self._lexical, embedder)

    @classmethod
    def open(cls, index_dir: Path, collection: str, embedder: Embedder, chroma_host: str | None = None,
             chroma_port: int = 8000) -> "KnowledgeBase":
        index_dir = Path(index_dir)
        vectors = ChromaIndex.open(collection, path=index_dir / "chroma", host=chroma_host, port=chroma_port)
        return cls(index_dir, collection, embedder, vectors)

    # -- reading --------------------------------------------------------------------------------
    def search(self, query: str, k: int = 4, where: dict[str, Any] | None = None) -> list[RetrievedPassage]:
        return self.retriever.search(query, k=k, where=where)

    def count(self) -> int:
        return self.vectors.count()

    def is_empty(self) -> bool:
        return self.count() == 0

    def document_ids(self) -> list[str]:
        return sorted(self._manifest["documents"])

    # -- writing --------------------------------------------------------------------------------
    def ingest(self, paths: Sequence[Path], chunk_words: int = 180, overlap_words: int = 30,
               progress: Progress | None = None) -> IngestReport:
        """Load, chunk, embed and index ``paths``; unchanged documents (same content hash) are not re-embedded.

        Documents that came from one of ``paths`` before and are gone now are removed. ``progress`` is
        called as ``progress(stage, done, total)``.
        """
        snapshot = json.loads(json.dumps(self._manifest))
        try:
            return self._ingest(paths, chunk_words, overlap_words, progress)
        except BaseException:
            self._manifest = snapshot  # nothing was recorded: the next ingest redoes what did not finish
            raise

    def _ingest(self, paths: Sequence[Path], chunk_words: int, overlap_words: int,
                progress: Progress | None) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        documents = self._manifest["documents"]
        chunking = [chunk_words, overlap_words]
        # Another embedder or other chunk sizes make every stored chunk stale, even with unchanged text.
        same_embedder = (self._manifest.get("embedder") == self.embedder.name
                         and self._manifest.get("chunking", chunking) == chunking)
        pending: list[Chunk] = []
        stale_ids: list[str] = []
        for path in paths:
            root = str(Path(path).resolve())
            loaded = load_path(Path(path))
            report.skipped.extend(loaded.skipped)
            seen = set()
            for doc in loaded.documents:
                seen.add(doc.doc_id)
                old = documents.get(doc.doc_id)
                if old and same_embedder and old["hash"] == doc.content_hash:
                    report.unchanged_documents += 1
                    continue
                chunks = chunk_document(doc, chunk_words, overlap_words)
                new_ids = {c.chunk_id for c in chunks}
                if old:
                    report.updated_documents += 1
                    stale_ids.extend(cid for cid in old["chunk_ids"] if cid not in new_ids)
                else:
                    report.added_documents += 1
                pending.extend(chunks)
                documents[doc.doc_id] = {"hash": doc.content_hash, "chunk_ids": sorted(new_ids), "root": root,
                                         "title": doc.title, "source": doc.source}
            if Path(path).exists():
                for doc_id in [d for d, meta in documents.items() if meta.get("root") == root and d not in seen]:
                    stale_ids.extend(documents.pop(doc_id)["chunk_ids"])
                    report.removed_documents += 1
        if stale_ids:
            self.vectors.delete(stale_ids)
        self._embed_and_store(pending, progress)
        report.chunks_indexed = len(pending)
        if pending or stale_ids or not same_embedder:
            self._manifest["embedder"] = self.embedder.name
            self._manifest["chunking"] = chunking
            self._write_manifest()
            self._rebuild_bm25(progress)
        report.seconds = time.perf_counter() - started
        return report

    def add_prepared(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Insert chunks whose vectors are already computed (bulk loads, benchmarks). BM25 is rebuilt lazily."""
        self.vectors.upsert(chunks, vectors)
        for chunk in chunks:
            entry = self._manifest["documents"].setdefault(
                chunk.doc_id, {"hash": "", "chunk_ids": [], "root": "", "title": chunk.title, "source": ""})
            if chunk.chunk_id not in entry["chunk_ids"]:  # upserting the same chunk twice is allowed
                entry["chunk_ids"].append(chunk.chunk_id)
        self._manifest["embedder"] = self.embedder.name
        self._write_manifest()
        self._bm25 = None

    def _embed_and_store(self, chunks: list[Chunk], progress: Progress | None) -> None:
        # Embed in length order across documents so each batch pads to similar lengths.
        ordered = sorted(chunks, key=lambda c: len(c.text))
        total = len(ordered)
        if progress:
            progress("embedding", 0, total)
        for start in range(0, total, EMBED_GROUP):
            group = ordered[start:start + EMBED_GROUP]
            self.vectors.upsert(group, self.embedder.embed_documents([c.text for c in group]))
            if progress:
                progress("embedding", min(start + EMBED_GROUP, total), total)

    # -- the lexical side -------------------------------------------------------------------------
    def _all_chunk_ids(self) -> list[str]:
        return [cid for meta in self._manifest["documents"].values() for cid in meta["chunk_ids"]]

    def _lexical(self) -> BM25Index:
        if self._bm25 is None:
            loaded = BM25Index.load(self._bm25_dir, ids_fingerprint(self._all_chunk_ids()))
            self._bm25 = loaded if loaded is not None else self._rebuild_bm25(None)
        return self._bm25

    def _rebuild_bm25(self, progress: Progress | None) -> BM25Index:
        if progress:
            progress("keyword index", 0, 1)
        index = BM25Index()
        index.build(list(self.vectors.all_chunks()))
        index.save(self._bm25_dir)
        self._bm25 = index
        if progress:
            progress("keyword index", 1, 1)
        return index

    # -- the manifest -----------------------------------------------------------------------------
    def _read_manifest(self) -> dict[str, Any]:
        try:
            data = json.loads(self._manifest_path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("documents"), dict):
                return data
        except (OSError, ValueError):  # missing or unreadable: rebuilt below from what the index holds
            data = None
        manifest: dict[str, Any] = {"embedder": None, "documents": {}}
        try:
            for chunk in self.vectors.all_chunks():
                entry = manifest["documents"].setdefault(
                    chunk.doc_id, {"hash": "", "chunk_ids": [], "root": "", "title": chunk.title, "source": ""})
                entry["chunk_ids"].append(chunk.chunk_id)
        except IndexUnavailable:
            raise
        return manifest

    def _write_manifest(self) -> None:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        tmp = self._manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._manifest), encoding="utf-8")
        tmp.replace(self._manifest_path)
