"""``KnowledgeBase``: the facade the agent uses: ingest documents, search them.

Ingesting is idempotent. A manifest records each document's content hash and chunk ids: unchanged
documents are skipped without embedding, changed ones replaced, deleted ones removed.

Several processes (workers, machines) may share one index: a Chroma server, or one folder within a
process. Chroma is the single source of truth for all of them:
- each chunk is stored with its document's hash, origin and chunk count (hidden fields), so the
  manifest can always be rebuilt from the index, on any machine, without losing anything;
- every write (ingest, ``add_prepared``, removals) ends by giving the collection a new version stamp
  (its metadata);
- readers compare the stamp at most every ``refresh_s`` seconds and, when it changed, reload the
  manifest and the BM25 index: from the copies saved on local disk if they were saved for that very
  stamp, else rebuilt from the chunks (and saved for the next process on this machine).
A writer writes its chunks before the stamp and a reader reads the stamp before the chunks, so a copy
saved under a stamp holds at least everything written before it.
"""

from __future__ import annotations

import copy
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from knowledge.chunk_cache import ChunkCache
from knowledge.chunking import chunk_document
from knowledge.documents import Chunk, MetadataValue, RetrievedPassage
from knowledge.embeddings import Embedder
from knowledge.errors import IndexUnavailable
from knowledge.lexical_index import BM25Index
from knowledge.loaders import SkippedFile, load_path
from knowledge.retrieval import HybridRetriever
from knowledge.vector_index import ChromaIndex

Progress = Callable[[str, int, int], None]
EMBED_GROUP = 256
DEFAULT_REFRESH_S = 2.0


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
    """Ingest and search one collection; ``refresh_s``: how often to look for other processes' changes (0: always)."""

    def __init__(self, index_dir: Path, collection: str, embedder: Embedder, vectors: ChromaIndex,
                 refresh_s: float = DEFAULT_REFRESH_S) -> None:
        self.index_dir = Path(index_dir)
        self.collection = collection
        self.embedder = embedder
        self.vectors = vectors
        self.refresh_s = refresh_s
        self._manifest_path = self.index_dir / f"{collection}.manifest.json"
        self._bm25_dir = self.index_dir / f"{collection}.bm25"
        self._lock = threading.RLock()  # guards the state below: searches wait only while it is swapped
        self._writing = threading.Lock()  # one write at a time in this process; searches go on meanwhile
        self._known = False  # whether _version holds the stamp read from the index
        self._version: str | None = None  # the stamp that _manifest and _bm25 reflect; None: never stamped
        self._state: dict[str, MetadataValue] = {}
        self._next_check = 0.0
        self._manifest: dict[str, Any] | None = None
        self._bm25: BM25Index | None = None
        self._chunks: ChunkCache[tuple[Chunk, np.ndarray | None]] = ChunkCache()
        self.retriever = HybridRetriever(vectors, self._lexical, embedder, records=self._read_chunks)
        self._refresh(force=True)

    @classmethod
    def open(cls, index_dir: Path, collection: str, embedder: Embedder, chroma_host: str | None = None,
             chroma_port: int = 8000, refresh_s: float = DEFAULT_REFRESH_S) -> "KnowledgeBase":
        index_dir = Path(index_dir)
        vectors = ChromaIndex.open(collection, path=index_dir / "chroma", host=chroma_host, port=chroma_port)
        try:
            return cls(index_dir, collection, embedder, vectors, refresh_s=refresh_s)
        except BaseException:
            vectors.close()
            raise

    def close(self) -> None:
        """Let go of the index (a server's connections); the saved copies stay for the next process."""
        self.vectors.close()

    def __enter__(self) -> "KnowledgeBase":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- reading --------------------------------------------------------------------------------
    def search(self, query: str, k: int = 4, where: dict[str, Any] | None = None) -> list[RetrievedPassage]:
        return self.retriever.search(query, k=k, where=where)

    def keyword_search(self, query: str, k: int = 10) -> list[tuple[str, float]]:
        """The BM25 half of ``search`` alone, as (chunk id, score) best first: why a passage was found."""
        return self._lexical().search(query, k)

    def count(self) -> int:
        return self.vectors.count()

    def is_empty(self) -> bool:
        return self.count() == 0

    def document_ids(self) -> list[str]:
        return sorted(self._current_manifest()["documents"])

    # -- noticing other processes' changes ------------------------------------------------------------
    def _refresh(self, force: bool = False) -> None:
        """Read the index's stamp (at most every ``refresh_s`` s unless forced); forget what it outdates."""
        with self._lock:
            now = time.monotonic()
            if not force and now < self._next_check:
                return
            state = self.vectors.read_state()
            self._next_check = time.monotonic() + self.refresh_s
            version = _as_version(state.get("version"))
            if self._known and version == self._version:
                return
            self._known, self._version, self._state = True, version, state
            self._manifest = None
            self._bm25 = None
            self._chunks.clear()

    def _current_manifest(self) -> dict[str, Any]:
        with self._lock:
            self._refresh()
            if self._manifest is None:
                self._manifest = self._read_manifest() or self._reload(with_text=False)[0]
            return self._manifest

    def _read_chunks(self, chunk_ids: list[str]) -> dict[str, tuple[Chunk, np.ndarray | None]]:
        """Candidate chunks with their vectors: the ones read since the index last changed from memory."""
        def fetch(missing: list[str]) -> dict[str, tuple[Chunk, np.ndarray | None]]:
            found = self.vectors.get(missing, with_vectors=True)
            for _, vector in found.values():
                if vector is not None:
                    vector.setflags(write=False)  # shared by every search from now on
            return found

        self._refresh()
        return self._chunks.read(chunk_ids, fetch)

    def _lexical(self) -> BM25Index:
        with self._lock:
            self._refresh()
            if self._bm25 is None:
                saved = BM25Index.load(self._bm25_dir, self._version) if self._version else None
                self._bm25 = saved if saved is not None else self._reload(with_text=True)[1]
            return self._bm25

    def _reload(self, with_text: bool, progress: Progress | None = None) -> tuple[dict[str, Any], BM25Index | None]:
        """Rebuild the manifest (and with the texts, the BM25 index) from the chunks, saved under the stamp.

        Always called after the stamp was read, so what is read holds at least what the stamp stands for.
        """
        if progress:
            progress("keyword index", 0, 1)
        records = list(self.vectors.records(with_text=with_text))
        self._manifest = _manifest_from(records, self._state)
        if self._version:
            self._write_manifest(self._manifest, self._version)
        if not with_text:
            return self._manifest, None
        index = BM25Index()
        index.build([chunk for chunk, _ in records])
        if self._version:
            index.save(self._bm25_dir, self._version)
        self._bm25 = index
        if progress:
            progress("keyword index", 1, 1)
        return self._manifest, index

    def _announce_change(self, **settings: MetadataValue) -> None:
        """Give the index a new stamp (after writing chunks): every process, this one too, reloads from it."""
        state = {**self.vectors.read_state(), **settings, "version": uuid.uuid4().hex}
        self.vectors.write_state(state)
        self._known, self._version, self._state = True, str(state["version"]), state
        self._next_check = time.monotonic() + self.refresh_s
        self._manifest = None
        self._bm25 = None
        self._chunks.clear()

    # -- writing --------------------------------------------------------------------------------
    def ingest(self, paths: Sequence[Path], chunk_words: int = 180, overlap_words: int = 30,
               progress: Progress | None = None) -> IngestReport:
        """Load, chunk, embed and index ``paths``; unchanged documents (same content hash) are not re-embedded.

        Documents that came from one of ``paths`` before and are gone now are removed. ``progress`` is
        called as ``progress(stage, done, total)``.
        """
        started = time.perf_counter()
        with self._writing:
            with self._lock:
                self._refresh(force=True)  # compare with what the index holds now, whoever wrote it
                manifest = copy.deepcopy(self._current_manifest())
            try:
                report, changed = self._ingest(manifest, paths, chunk_words, overlap_words, progress)
            except BaseException:
                # Some chunks may be written: a new stamp makes every process (this one too) reload from
                # the index, whose hidden fields tell the next ingest what is still to do.
                self._announce_change_if_reachable()
                raise
            if changed:
                with self._lock:
                    self._announce_change(embedder=self.embedder.name, chunk_words=chunk_words,
                                          overlap_words=overlap_words)
                    self._reload(with_text=True, progress=progress)
        report.seconds = time.perf_counter() - started
        return report

    def _announce_change_if_reachable(self) -> None:
        try:
            with self._lock:
                self._announce_change()
        except IndexUnavailable:
            pass  # the index cannot be reached: the error being raised says so; the next write stamps it

    def _ingest(self, manifest: dict[str, Any], paths: Sequence[Path], chunk_words: int, overlap_words: int,
                progress: Progress | None) -> tuple[IngestReport, bool]:
        report = IngestReport()
        documents = manifest["documents"]
        # Another embedder or other chunk sizes make every stored chunk stale, even with unchanged text.
        same_embedder = (manifest.get("embedder") == self.embedder.name
                         and manifest.get("chunking", [chunk_words, overlap_words]) == [chunk_words, overlap_words])
        pending: list[Chunk] = []
        hidden: dict[str, dict[str, MetadataValue]] = {}
        stale_ids: list[str] = []
        for path in paths:
            root = str(Path(path).resolve())
            loaded = load_path(Path(path))
            report.skipped.extend(loaded.skipped)
            seen = set()
            for doc in loaded.documents:
                seen.add(doc.doc_id)
                old = documents.get(doc.doc_id)
                if old and same_embedder and old["hash"] and old["hash"] == doc.content_hash:
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
                hidden[doc.doc_id] = {"doc_hash": doc.content_hash, "doc_root": root, "doc_source": doc.source,
                                      "doc_chunks": len(chunks)}
                documents[doc.doc_id] = {"hash": doc.content_hash, "chunk_ids": sorted(new_ids), "root": root,
                                         "title": doc.title, "source": doc.source}
            if Path(path).exists():
                for doc_id in [d for d, meta in documents.items() if meta.get("root") == root and d not in seen]:
                    stale_ids.extend(documents.pop(doc_id)["chunk_ids"])
                    report.removed_documents += 1
        if stale_ids:
            self.vectors.delete(stale_ids)
        self._embed_and_store(pending, hidden, progress)
        report.chunks_indexed = len(pending)
        return report, bool(pending or stale_ids or not same_embedder)

    def add_prepared(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Insert chunks whose vectors are already computed (bulk loads, benchmarks). BM25 is rebuilt lazily.

        The chunks carry no document hash, so a later ``ingest`` of the same documents embeds them again.
        """
        with self._writing, self._lock:
            self._refresh(force=True)
            manifest = self._current_manifest()
            try:
                self.vectors.upsert(chunks, vectors)
            except BaseException:
                self._announce_change_if_reachable()  # some pages may be written: everyone reloads
                raise
            self._announce_change(embedder=self.embedder.name)
            for chunk in chunks:
                entry = manifest["documents"].setdefault(chunk.doc_id, _entry(chunk, {}))
                if chunk.chunk_id not in entry["chunk_ids"]:  # upserting the same chunk twice is allowed
                    entry["chunk_ids"].append(chunk.chunk_id)
            manifest["embedder"] = self.embedder.name
            self._manifest = manifest  # what this process just wrote; another writer's stamp replaces it
            self._write_manifest(manifest, self._version)

    def _embed_and_store(self, chunks: list[Chunk], hidden: dict[str, dict[str, MetadataValue]],
                         progress: Progress | None) -> None:
        # Embed in length order across documents so each batch pads to similar lengths.
        ordered = sorted(chunks, key=lambda c: len(c.text))
        total = len(ordered)
        if progress:
            progress("embedding", 0, total)
        for start in range(0, total, EMBED_GROUP):
            group = ordered[start:start + EMBED_GROUP]
            self.vectors.upsert(group, self.embedder.embed_documents([c.text for c in group]),
                                hidden=[hidden[c.doc_id] for c in group])
            if progress:
                progress("embedding", min(start + EMBED_GROUP, total), total)

    # -- the manifest's copy on local disk --------------------------------------------------------------
    def _read_manifest(self) -> dict[str, Any] | None:
        """The saved manifest if it was saved for the current stamp (or, for an index never stamped, ever)."""
        try:
            data = json.loads(self._manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # missing or unreadable: rebuilt from what the index holds
            return None
        if not (isinstance(data, dict) and isinstance(data.get("documents"), dict)):
            return None
        return data if data.get("version") == self._version else None

    def _write_manifest(self, manifest: dict[str, Any], version: str | None) -> None:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        tmp = self._manifest_path.with_name(f"{self._manifest_path.name}.{os.getpid()}-{uuid.uuid4().hex}.tmp")
        tmp.write_text(json.dumps({**manifest, "version": version}), encoding="utf-8")
        tmp.replace(self._manifest_path)  # atomic: other processes read the old or the new one, never half


def _as_version(value: MetadataValue | None) -> str | None:
    return str(value) if value else None


def _entry(chunk: Chunk, hidden: dict[str, MetadataValue]) -> dict[str, Any]:
    return {"hash": str(hidden.get("doc_hash", "")), "chunk_ids": [], "root": str(hidden.get("doc_root", "")),
            "title": chunk.title, "source": str(hidden.get("doc_source", ""))}


def _manifest_from(records: Iterable[tuple[Chunk, dict[str, MetadataValue]]],
                   state: dict[str, MetadataValue]) -> dict[str, Any]:
    """The manifest as the index tells it. A document written only in part (its chunks disagree on the hash
    or fewer are stored than it had) gets no hash, so the next ingest embeds it again."""
    documents: dict[str, dict[str, Any]] = {}
    expected: dict[str, Any] = {}
    for chunk, hidden in records:
        entry = documents.get(chunk.doc_id)
        if entry is None:
            entry = documents[chunk.doc_id] = _entry(chunk, hidden)
            expected[chunk.doc_id] = hidden.get("doc_chunks")
        elif entry["hash"] != hidden.get("doc_hash", ""):
            entry["hash"] = ""
        entry["chunk_ids"].append(chunk.chunk_id)
    for doc_id, entry in documents.items():
        entry["chunk_ids"].sort()
        if expected[doc_id] != len(entry["chunk_ids"]):
            entry["hash"] = ""
    manifest: dict[str, Any] = {"embedder": state.get("embedder"), "documents": documents}
    if "chunk_words" in state and "overlap_words" in state:
        manifest["chunking"] = [state["chunk_words"], state["overlap_words"]]
    return manifest
