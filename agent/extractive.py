"""The extractive answer: the passage sentences that best answer the question, chosen by meaning.

Used when there is no model (provider ``extractive``), when the model's answer is not supported, and
when the model is down. Sentences are scored by embedding similarity to the question plus rare-word
overlap, with a preference for the best-ranked passage; the answer keeps the passage's own order.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from guardrails import split_sentences
from guardrails.grounding import content_words

#: A later passage must beat the best passage's sentence by this much to be preferred. Tuned on the demo
#: question set (knowledge/demo/questions.jsonl): answers with every expected fact, 0.04 -> 35/79, 0.3 -> 48/79.
RANK_PENALTY = 0.3
LEXICAL_WEIGHT = 0.25


def candidate_sentences(passages: list[str]) -> list[tuple[int, int, str]]:
    out = []
    for p_index, passage in enumerate(passages):
        for s_index, sentence in enumerate(split_sentences(passage)):
            if len(sentence.split()) >= 4 and not sentence.endswith(":"):
                out.append((p_index, s_index, sentence))
    return out


def extractive_answer(question: str, passages: list[str], embedder, max_sentences: int = 3) -> list[str]:
    candidates = candidate_sentences(passages)
    if not candidates:
        return []
    texts = [c[2] for c in candidates]
    vectors = embedder.embed_documents([question] + texts)
    semantic = vectors[1:] @ vectors[0]
    df = Counter(w for t in texts for w in set(content_words(t)))
    asked = set(content_words(question))
    n = len(texts)
    lexical = np.array([sum(math.log(1 + n / df[w]) for w in asked & set(content_words(t))) for t in texts])
    if lexical.max() > 0:
        lexical = lexical / lexical.max()
    scores = semantic + LEXICAL_WEIGHT * lexical - RANK_PENALTY * np.array([c[0] for c in candidates])
    best = int(np.argmax(scores))
    best_passage = candidates[best][0]
    same_passage = sorted((i for i in range(n) if candidates[i][0] == best_passage), key=lambda i: -scores[i])
    chosen = sorted(same_passage[:max_sentences], key=lambda i: candidates[i][1])
    return [re.sub(r"\s+", " ", texts[i]).strip() for i in chosen]
