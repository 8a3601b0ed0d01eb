"""The extractive answer with meaning: guardrails' sentence ranking, given the knowledge embedder.

Used when there is no model (provider ``extractive``), when the model's answer is not supported,
and when the model is down. On the demo question set, ranking by embedding similarity plus rare-word
overlap gives an answer with every expected fact for 48 of 79 questions, against 38 for words alone.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Sequence

import numpy as np

from guardrails import best_supported_sentences


class CachedEmbedder:
    """The knowledge embedder with a bounded memory of the texts it has embedded.

    The same passages come back turn after turn, and embedding their sentences was most of an
    extractive turn's time; a sentence is now embedded once per process (least recently used first out).
    """

    def __init__(self, embedder, capacity: int = 20_000) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        fresh = self.embedder.embed_documents(missing) if missing else []
        with self._lock:
            for text, vector in zip(missing, fresh):
                self._vectors[text] = np.asarray(vector)
            for text in texts:
                self._vectors.move_to_end(text)
            rows = [self._vectors[t] for t in texts]
            while len(self._vectors) > self.capacity:
                self._vectors.popitem(last=False)
        return np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """The wrapped embedder's query vector: the one retrieval computed for this question moments ago
        (the MiniLM embedder remembers its recent queries), not a second model run."""
        return self.embedder.embed_query(text)


def extractive_answer(question: str, passages: list[str], embedder, max_sentences: int = 3,
                      relevance: Sequence[float] | None = None) -> list[str]:
    def similarity(query: str, sentences: list[str]) -> Sequence[float]:
        if not sentences:
            return []
        return embedder.embed_documents(sentences) @ embedder.embed_query(query)

    return best_supported_sentences(question, passages, max_sentences=max_sentences, similarity=similarity,
                                    relevance=relevance)
