"""The lexical index: BM25 (bm25s) with English stopwords and the Snowball stemmer.

Saved beside the dense index with the hash of its chunk ids, so a stale copy is detected and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Sequence

from knowledge.documents import Chunk

STAMP = "tactful-bm25.json"


def ids_fingerprint(chunk_ids: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for cid in sorted(chunk_ids):
        digest.update(cid.encode("utf-8", "surrogatepass") + b"\n")
    return digest.hexdigest()


class BM25Index:
    def __init__(self) -> None:
        import bm25s  # noqa: F401  (imported first: it sets its own logger to DEBUG on import)
        import Stemmer

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self._stemmer = Stemmer.Stemmer("english")
        self._retriever = None
        self.chunk_ids: list[str] = []
        self._vocab: dict[str, int] = {}

    def _tokens(self, texts: list[str]) -> list[list[str]]:
        import bm25s

        return bm25s.tokenize(texts, stopwords="en", stemmer=self._stemmer, return_ids=False, show_progress=False)

    def build(self, chunks: Sequence[Chunk]) -> None:
        import bm25s

        self.chunk_ids = [c.chunk_id for c in chunks]
        if not chunks:
            self._retriever = None
            return
        retriever = bm25s.BM25()
        retriever.index(self._tokens([c.text for c in chunks]), show_progress=False)
        self._retriever = retriever
        self._vocab = retriever.vocab_dict

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        if self._retriever is None or k <= 0:
            return []
        tokens = [t for t in self._tokens([query])[0] if t in self._vocab]
        if not tokens:
            return []
        k = min(k, len(self.chunk_ids))
        docs, scores = self._retriever.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        return [(self.chunk_ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self._retriever is not None:
            self._retriever.save(str(folder), show_progress=False)
        (folder / STAMP).write_text(json.dumps({"chunk_ids": self.chunk_ids,
                                                 "fingerprint": ids_fingerprint(self.chunk_ids)}), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, expected_fingerprint: str) -> "BM25Index | None":
        """The saved index, or None when it is missing, unreadable or stale."""
        import bm25s

        stamp = folder / STAMP
        try:
            meta = json.loads(stamp.read_text(encoding="utf-8"))
            if meta.get("fingerprint") != expected_fingerprint:
                return None
            index = cls()
            index.chunk_ids = list(meta["chunk_ids"])
            if index.chunk_ids:
                index._retriever = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
                index._vocab = index._retriever.vocab_dict
            return index
        except (OSError, ValueError, KeyError, TypeError):
            return None
