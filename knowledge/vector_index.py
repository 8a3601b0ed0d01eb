"""The dense index: one Chroma collection per business. The only module that imports chromadb.

Embedded (``PersistentClient``) by default; a Chroma server (``HttpClient``) when a host is given.
Embeddings are always computed by our embedder and passed in; Chroma never loads a model itself.

Besides the chunks, the collection carries a little bookkeeping of the knowledge base's own, kept in
Chroma so that every process sharing the index sees the same: a *state* (the collection's metadata:
a version stamp and the embedder that wrote the vectors) and *hidden fields* stored with each chunk
(the document's content hash, where it came from), which ``Chunk.metadata`` never shows.
"""

from __future__ import annotations

import contextlib
import logging
import re
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from knowledge.documents import Chunk, MetadataValue
from knowledge.errors import IndexUnavailable, KnowledgeError

PAGE = 5000
_RESERVED = {"doc_id", "title", "heading"}
HIDDEN = "tactful:"  # prefix of the bookkeeping keys, in chunk metadata and in the collection's metadata
_COLLECTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$")


def check_collection_name(name: str) -> None:
    """Chroma's own rule, checked first so a bad name is not mistaken for a damaged index."""
    if not _COLLECTION_NAME.match(name or ""):
        raise KnowledgeError(f"the collection name {name!r} is not valid: use 3-512 letters, digits, '.', '_' or "
                             "'-', starting and ending with a letter or digit; fix knowledge.collection")


class ChromaIndex:
    """One Chroma collection (cosine space) holding a business's chunks, their text and flat metadata."""

    def __init__(self, collection: Any, where_label: str, client: Any = None, remedy: str = "") -> None:
        self._collection = collection
        self._client = client
        self.where_label = where_label
        self.remedy = remedy or "Check that it is reachable and not damaged; re-ingest if needed."

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
        client = None
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
            _close_client(client)
            if host:
                raise IndexUnavailable(f"cannot reach the Chroma server at {host}:{port} ({exc}). "
                                       f"{_server_remedy(host, port)}") from None
            raise IndexUnavailable(
                f"cannot open the index folder {path} ({type(exc).__name__}: {exc}). It may come from another "
                "Chroma version or be damaged: move the folder away and run `tactful ingest` again.") from None
        return cls(handle, where, client, _server_remedy(host, port) if host else "")

    def close(self) -> None:
        """Let go of the client: an HTTP client's connections, an embedded client's share of its folder."""
        client, self._client = self._client, None
        _close_client(client)

    def _call(self, what: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise IndexUnavailable(f"could not {what} in {self.where_label} ({type(exc).__name__}: {exc}). "
                                   f"{self.remedy}") from None

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray,
               hidden: Sequence[Mapping[str, MetadataValue]] | None = None) -> None:
        """Insert or replace ``chunks``; ``hidden`` (one mapping per chunk) is stored with them, see ``records``."""
        for start in range(0, len(chunks), PAGE):
            part = chunks[start:start + PAGE]
            extra = hidden[start:start + PAGE] if hidden is not None else [{}] * len(part)
            self._call("write chunks", self._collection.upsert,
                       ids=[c.chunk_id for c in part],
                       embeddings=np.asarray(vectors[start:start + PAGE], dtype=np.float32),
                       documents=[c.text for c in part],
                       metadatas=[_metadata(c, h) for c, h in zip(part, extra)])

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
        return (chunk for chunk, _ in self.records())

    def records(self, with_text: bool = True) -> Iterator[tuple[Chunk, dict[str, MetadataValue]]]:
        """Every chunk with the hidden fields it was written with, page by page.

        Without text, the chunks come with an empty ``text``: enough to list documents, and cheaper.
        """
        include = ["documents", "metadatas"] if with_text else ["metadatas"]
        offset = 0
        while True:
            result = self._call("read chunks", self._collection.get, include=include, limit=PAGE, offset=offset)
            if not result["ids"]:
                return
            texts = result["documents"] if with_text else [None] * len(result["ids"])
            for cid, text, meta in zip(result["ids"], texts, result["metadatas"]):
                yield _chunk(cid, text, meta), _hidden(meta)
            offset += len(result["ids"])

    def read_state(self) -> dict[str, MetadataValue]:
        """The knowledge base's state as stored in the collection now (read afresh: other processes write it)."""
        fresh = self._call("read the index state", self._client.get_collection, self._collection.name,
                           embedding_function=None) if self._client is not None else self._collection
        return _hidden(fresh.metadata)

    def write_state(self, state: Mapping[str, MetadataValue]) -> None:
        """Replace the state. Chroma replaces a collection's metadata whole; the distance function lives in
        the collection's configuration, so dropping the ``hnsw:space`` key it was created with changes nothing."""
        self._call("write the index state", self._collection.modify,
                   metadata={HIDDEN + key: value for key, value in state.items()})

    def count(self) -> int:
        return int(self._call("count chunks", self._collection.count))


def _server_remedy(host: str, port: int) -> str:
    return (f"Is the server running? Start it with `chroma run --host {host} --port {port} --path DIR` "
            "(DIR: where it keeps the index), or fix knowledge.chroma_host and knowledge.chroma_port.")


def _close_client(client: Any) -> None:
    """Close a chromadb client and, for a server, its HTTP sessions: chromadb 1.5 leaves those open on close."""
    if client is None:
        return
    sessions = [getattr(getattr(owner, "_server", None), "_session", None)
                for owner in (client, getattr(client, "_admin_client", None))]
    with contextlib.suppress(Exception):  # a client that failed half-way may not close cleanly; nothing to report
        client.close()
    for session in sessions:
        if session is not None and hasattr(session, "close"):
            session.close()


def _metadata(chunk: Chunk, hidden: Mapping[str, MetadataValue] | None = None) -> dict[str, Any]:
    meta = {k: v for k, v in chunk.metadata.items()
            if k not in _RESERVED and not k.startswith(HIDDEN) and isinstance(v, (str, int, float, bool))}
    meta.update(doc_id=chunk.doc_id, title=chunk.title, heading=chunk.heading)
    meta.update({HIDDEN + key: value for key, value in (hidden or {}).items()})
    return meta


def _hidden(meta: Mapping[str, Any] | None) -> dict[str, MetadataValue]:
    return {k[len(HIDDEN):]: v for k, v in (meta or {}).items() if k.startswith(HIDDEN)}


def _chunk(chunk_id: str, text: str | None, meta: dict[str, Any] | None) -> Chunk:
    meta = {k: v for k, v in (meta or {}).items() if not k.startswith(HIDDEN)}
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
