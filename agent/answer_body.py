"""Writing the body of an answer so that it stays grounded by construction.

The model's output is checked sentence by sentence against the retrieved passages as it streams;
only supported sentences reach the customer. If none survive (or there is no model), the body is
the passages' own best sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import re
from typing import Iterator

from guardrails import GroundingRail, best_supported_sentences, split_sentences
from guardrails.facts import fact_keys, facts
from guardrails.grounding import content_words
from guardrails.pii import without_placeholders
from agent.extractive import extractive_answer
from agent.reply import Source
from knowledge.documents import RetrievedPassage

MAX_SENTENCES = 4


@dataclass
class BodyReport:
    """What happened while writing the body, for the turn's audit record."""

    kept: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    used_model: bool = False

    @property
    def support(self) -> float:
        total = len(self.kept) + len(self.dropped)
        return 1.0 if total == 0 else len(self.kept) / total


def complete_sentences(deltas: Iterator[str]) -> Iterator[str]:
    """Regroup streamed text deltas into whole sentences, each yielded once it is finished."""
    buffer = ""
    for delta in deltas:
        buffer += delta
        sentences = split_sentences(buffer)
        if len(sentences) > 1:
            last = sentences[-1]
            cut = buffer.rfind(last)
            if cut > 0:
                yield from sentences[:-1]
                buffer = buffer[cut:]
    yield from split_sentences(buffer)


_FILLER = re.compile(r"^\s*(?:the\s+)?answer(?:\s+to\s+(?:the|this|your)\s+question)?\s*(?:is)?\s*[:\-]\s*|^\s*\[\d+\]\s*",
                     re.IGNORECASE)
_ECHO = re.compile(r"^\s*(?:question|passage|example)\s*:", re.IGNORECASE)


def tidy(sentence: str) -> str:
    """Strip a small model's filler ("The answer is:", "[1]") and Markdown from one sentence."""
    sentence = _FILLER.sub("", sentence.strip())
    sentence = re.sub(r"\*\*|__", "", sentence).strip()
    return sentence[:1].upper() + sentence[1:] if sentence else sentence


def grounded_model_body(deltas: Iterator[str], question: str, passages: list[str], rail: GroundingRail,
                        report: BodyReport) -> Iterator[str]:
    """Yield the model's sentences that the passages support; record the ones dropped."""
    report.used_model = True
    seen: set[str] = set()
    for sentence in complete_sentences(deltas):
        if _ECHO.match(sentence) or ">" in sentence or "|" in sentence:
            report.dropped.append(sentence)  # echoed prompt, copied headings or table rows
            continue
        sentence = tidy(sentence)
        key = " ".join(sentence.lower().split())
        if not sentence or key in seen:
            continue
        seen.add(key)
        if len(report.kept) >= MAX_SENTENCES:
            continue
        if rail.check(sentence, passages).passed and _informative(sentence, question):
            report.kept.append(sentence)
            yield sentence
        else:
            report.dropped.append(sentence)


def extractive_body(question: str, passages: list[str], report: BodyReport, embedder=None,
                    max_sentences: int = 3, relevance: list[float] | None = None) -> list[str]:
    """The passages' own best sentences; ``relevance`` (each passage's retrieval cosine) lets a passage the
    retriever ranked lower but judged as relevant answer (see guardrails.extractive.RELEVANCE_PENALTY)."""
    if embedder is not None:
        sentences = extractive_answer(question, passages, embedder, max_sentences=max_sentences, relevance=relevance)
    else:
        sentences = best_supported_sentences(question, passages, max_sentences=max_sentences)
    report.kept.extend(sentences)
    return sentences


def _informative(sentence: str, question: str) -> bool:
    """Pleasantries and echoes of the question ("Yes, for gluten-free bread.") add nothing: drop them."""
    if len(sentence.split()) < 4:
        return False  # "4.50." is not an answer a customer can use on its own
    asked = set(content_words(question))
    return any(ch.isdigit() for ch in sentence) or len(set(content_words(sentence)) - asked) >= 2


def carries_key_facts(answer: str, reference: str) -> bool:
    """Does the model's answer keep at least one hard fact (number, price, time, day) of the passages'
    best sentences, when those have any? A fluent answer that drops every fact is worse than the passage."""
    expected = fact_keys(reference)
    return not expected or any(fact.keys & expected for fact in facts(answer))


def cite(passages: list[RetrievedPassage], limit: int = 3) -> list[Source]:
    """One citation per document, best first."""
    seen: set[str] = set()
    sources = []
    for p in passages:
        if p.chunk.doc_id in seen:
            continue
        seen.add(p.chunk.doc_id)
        sources.append(Source(p.chunk.doc_id, p.chunk.title, p.chunk.heading, p.chunk.chunk_id, p.relevance))
        if len(sources) == limit:
            break
    return sources


#: How far below ``min_relevance`` a passage may score and still answer, when it holds the question's words.
COVERAGE_MARGIN = 0.08
#: The share of the question's content words the passage must hold.
COVERAGE = 0.6
#: A question of at least ``LONG_QUESTION`` content words carries filler ("what I type into this chat"): half
#: of its words are enough, from a passage within half the margin of the bar.
LONG_QUESTION = 4
LONG_QUESTION_COVERAGE = 0.5


def covers_question(question: str, passage: RetrievedPassage, min_relevance: float) -> bool:
    """A passage just under the relevance bar still answers when it holds most of the question's own words
    ("a limit on contactless payments" in a payments page that says "contactless card payments up to £100"):
    long chunks dilute the embedding, not the words."""
    if passage.relevance < min_relevance - COVERAGE_MARGIN:
        return False
    asked = set(content_words(without_placeholders(question)))  # "<PERSON_1>" is who asks, not what
    if len(asked) < 2:
        return False
    held = set(content_words(passage.chunk.text))
    share = len(asked & held) / len(asked)
    if len(asked) >= LONG_QUESTION and passage.relevance >= min_relevance - COVERAGE_MARGIN / 2:
        return share >= LONG_QUESTION_COVERAGE
    return share >= COVERAGE
