"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates fused by reciprocal rank.

``RetrievedPassage.relevance`` is the cosine similarity between the query and the chunk embeddings,
clipped to [0, 1], for every returned chunk: chunks only BM25 found get it from their stored vector
(read from Chroma with the chunk, no extra embedding). It answers "does this passage talk about what
was asked?"; the fused ``score`` only orders passages and means nothing across queries. Measured with
MiniLM on the demo bakery: the best passage for in-scope questions scores median 0.56 (10th percentile
0.42), for out-of-scope ones median 0.23 (90th percentile 0.42): a ``min_relevance`` near 0.4 separates
most, and the ranges overlap, so treat values near the threshold as "not sure".
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from knowledge.documents import RetrievedPassage
from knowledge.embeddings import Embedder
from knowledge.lexical_index import BM25Index
from knowledge.vector_index import ChromaIndex

RRF_K = 60


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = RRF_K) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, cid in enumerate(ranking):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (k + rank + 1)
    return scores


class HybridRetriever:
    """Dense and BM25 candidates fused by reciprocal rank (k=60), each passage scored with its cosine.

    ``lexical`` is a ``BM25Index`` or a callable returning the current one (the knowledge base rebuilds it
    after an ingest, so it hands in a getter).
    """

    def __init__(self, vectors: ChromaIndex, lexical: BM25Index | Callable[[], BM25Index], embedder: Embedder) -> None:
        self.vectors = vectors
        self._lexical = lexical if callable(lexical) else (lambda: lexical)
        self.embedder = embedder

    def search(self, query: str, k: int = 4, where: dict[str, Any] | None = None) -> list[RetrievedPassage]:
        if not query.strip() or k <= 0:
            return []
        n = max(20, 4 * k)
        query_vector = self.embedder.embed_query(query)
        dense = self.vectors.query(query_vector, n, where)
        lexical = self._lexical().search(query, n if not where else n * 5)
        dense_scores = dict(dense)
        lexical_scores = dict(lexical)
        lexical_ids = [cid for cid, _ in lexical]
        if where and lexical_ids:
            allowed = self.vectors.get(lexical_ids)
            lexical_ids = [cid for cid in lexical_ids if cid in allowed and _matches(allowed[cid][0].metadata,
                                                                                      allowed[cid][0], where)][:n]
        fused = reciprocal_rank_fusion([[cid for cid, _ in dense], lexical_ids])
        top = sorted(fused, key=lambda cid: (-fused[cid], cid))[:k]
        found = self.vectors.get(top, with_vectors=True)
        passages = []
        for cid in top:
            if cid not in found:
                continue  # removed between the search and the read
            chunk, vector = found[cid]
            cosine = dense_scores.get(cid)
            if cosine is None and vector is not None:
                cosine = float(np.dot(vector, query_vector))
            passages.append(RetrievedPassage(chunk=chunk, score=fused[cid],
                                             relevance=float(min(1.0, max(0.0, cosine or 0.0))),
                                             dense_score=dense_scores.get(cid), lexical_score=lexical_scores.get(cid)))
        return passages


def _matches(metadata: dict[str, Any], chunk: Any, where: dict[str, Any]) -> bool:
    fields = {**metadata, "doc_id": chunk.doc_id, "title": chunk.title, "heading": chunk.heading}
    for key, expected in where.items():
        if key.startswith("$"):
            return True  # operators are Chroma's: the dense side applied them, keep lexical hits unfiltered
        if isinstance(expected, dict):
            if "$in" in expected and fields.get(key) not in expected["$in"]:
                return False
            if "$eq" in expected and fields.get(key) != expected["$eq"]:
                return False
            if "$ne" in expected and fields.get(key) == expected["$ne"]:
                return False
        elif fields.get(key) != expected:
            return False
    return True
