"""The dense index: one Chroma collection per business. The only module that imports chromadb.

Embedded (``PersistentClient``) by default; a Chroma server (``HttpClient``) when a host is given.
Embeddings are always computed by our embedder and passed in; Chroma never loads a model itself.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from knowledge.documents import Chunk
from knowledge.errors import IndexUnavailable, KnowledgeError

PAGE = 5000
_RESERVED = {"doc_id", "title", "heading"}
_COLLECTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$")


def check_collection_name(name: str) -> None:
    """Chroma's own rule, checked first so a bad name is not mistaken for a damaged index."""
    if not _COLLECTION_NAME.match(name or ""):
        raise KnowledgeError(f"the collection name {name!r} is not valid: use 3-512 letters, digits, '.', '_' or "
                             "'-', starting and ending with a letter or digit; fix knowledge.collection")


class ChromaIndex:
    """One Chroma collection (cosine space) holding a business's chunks, their text and flat metadata."""

    def __init__(self, collection: Any, where_label: str) -> None:
        self._collection = collection
        self.where_label = where_label

    @classmethod
    def open(cls, collection: str, *, path: Path | None = None, host: str | None = None,
             port: int = 8000) -> "ChromaIndex":
        import chromadb
        from chromadb.config import Settings

        check_collection_name(collection)
        if not host and path is None:
            raise ValueError("ChromaIndex.open needs a folder (path=) or a server (host=)")
        logging.getLogger("chromadb").setLevel(logging.ERROR)
        settings = Settings(anonymized_telemetry=False)
        try:
            if host:
                client = chromadb.HttpClient(host=host, port=port, settings=settings)
                where = f"the Chroma server at {host}:{port}"
            else:
                path = Path(path)
                path.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(path), settings=settings)
                where = f"the index folder {path}"
            handle = client.get_or_create_collection(collection, embedding_function=None,
                                                     metadata={"hnsw:space": "cosine"})
        except Exception as exc:  # chromadb raises many unrelated types for one cause
            if host:
                raise IndexUnavailable(f"cannot reach the Chroma server at {host}:{port} ({exc}). "
                                       "Start it (`chroma run`) or fix knowledge.chroma_host.") from None
            raise IndexUnavailable(
                f"cannot open the index folder {path} ({type(exc).__name__}: {exc}). It may come from another "
                "Chroma version or be damaged: move the folder away and run `tactful ingest` again.") from None
        return cls(handle, where)

    def _call(self, what: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise IndexUnavailable(f"could not {what} in {self.where_label} ({type(exc).__name__}: {exc}). "
                                   "Check that it is reachable and not damaged; re-ingest if needed.") from None

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        for start in range(0, len(chunks), PAGE):
            part = chunks[start:start + PAGE]
            self._call("write chunks", self._collection.upsert,
                       ids=[c.chunk_id for c in part],
                       embeddings=np.asarray(vectors[start:start + PAGE], dtype=np.float32),
                       documents=[c.text for c in part],
                       metadatas=[_metadata(c) for c in part])

    def delete(self, chunk_ids: Sequence[str]) -> None:
        for start in range(0, len(chunk_ids), PAGE):
            self._call("delete chunks", self._collection.delete, ids=list(chunk_ids[start:start + PAGE]))

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """The ``k`` nearest chunks as (chunk id, cosine similarity)."""
        if k <= 0:
            return []
        result = self._call("search", self._collection.query, query_embeddings=[np.asarray(vector, np.float32)],
                            n_results=k, where=_where(where), include=["distances"])
        ids = result["ids"][0] if result["ids"] else []
        distances = result["distances"][0] if result.get("distances") else []
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances)]

    def get(self, chunk_ids: Sequence[str], with_vectors: bool = False) -> dict[str, tuple[Chunk, np.ndarray | None]]:
        if not chunk_ids:
            return {}
        include = ["documents", "metadatas"] + (["embeddings"] if with_vectors else [])
        result = self._call("read chunks", self._collection.get, ids=list(chunk_ids), include=include)
        out = {}
        vectors = result.get("embeddings") if with_vectors else None
        for i, cid in enumerate(result["ids"]):
            vector = np.asarray(vectors[i], dtype=np.float32) if vectors is not None else None
            out[cid] = (_chunk(cid, result["documents"][i], result["metadatas"][i]), vector)
        return out

    def all_chunks(self) -> Iterator[Chunk]:
        offset = 0
        while True:
            result = self._call("read chunks", self._collection.get, include=["documents", "metadatas"],
                                limit=PAGE, offset=offset)
            if not result["ids"]:
                return
            for cid, text, meta in zip(result["ids"], result["documents"], result["metadatas"]):
                yield _chunk(cid, text, meta)
            offset += len(result["ids"])

    def count(self) -> int:
        return int(self._call("count chunks", self._collection.count))


def _metadata(chunk: Chunk) -> dict[str, Any]:
    meta = {k: v for k, v in chunk.metadata.items() if k not in _RESERVED and isinstance(v, (str, int, float, bool))}
    meta.update(doc_id=chunk.doc_id, title=chunk.title, heading=chunk.heading)
    return meta


def _chunk(chunk_id: str, text: str | None, meta: dict[str, Any] | None) -> Chunk:
    meta = dict(meta or {})
    return Chunk(chunk_id=chunk_id, doc_id=str(meta.pop("doc_id", chunk_id.split("::")[0])),
                 title=str(meta.pop("title", "")), heading=str(meta.pop("heading", "")), text=text or "",
                 metadata=meta)


def _where(where: dict[str, Any] | None) -> dict[str, Any] | None:
    """Chroma wants ``$and`` for several conditions; accept a plain ``{key: value}`` mapping too."""
    if not where:
        return None
    if len(where) == 1 or any(k.startswith("$") for k in where):
        return where
    return {"$and": [{k: v} for k, v in where.items()]}
