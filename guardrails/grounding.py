"""Grounding: is each sentence of an answer supported by the retrieved passages?

Deterministic and fast (well under 2 ms for a short answer), so it can judge every sentence a small
model streams. A sentence is supported when

  (a) every fact in it (number, price, time, percentage, code, day or month name) appears in the
      passages, after normalising how it is written (see ``guardrails.facts``), and
  (b) at least ``min_coverage`` of its content words (lower-cased, stopwords out, lightly stemmed)
      occur somewhere in the passages.

A sentence with no facts and no content words ("Happy to help.") is neutral: neither supported nor
unsupported. Known limit: this is lexical, so a negation flip ("we do not deliver on Sundays" vs
"we deliver on Sundays") passes; the facts check catches the inventions that cost a shop most.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from guardrails.extractive import best_supported_sentences
from guardrails.facts import fact_keys, facts
from guardrails.sentences import sentence_spans, split_sentences
from guardrails.verdict import Span, Verdict
from guardrails.words import content_words

__all__ = ["GroundingRail", "GroundingVerdict", "SentenceSupport", "best_supported_sentences", "split_sentences"]

Status = Literal["supported", "unsupported", "neutral"]


@dataclass(frozen=True)
class SentenceSupport:
    """How one sentence of the answer fares against the passages."""

    sentence: str
    start: int
    end: int
    status: Status
    coverage: float = 1.0
    missing_facts: tuple[str, ...] = ()
    missing_words: tuple[str, ...] = ()

    @property
    def supported(self) -> bool:
        return self.status == "supported"

    @property
    def neutral(self) -> bool:
        return self.status == "neutral"


@dataclass(frozen=True)
class GroundingVerdict(Verdict):
    """A verdict plus the per-sentence judgement, the answer without its unsupported sentences, and
    ``support``: supported sentences over judged (non-neutral) ones, 1.0 when none are judged."""

    sentences: tuple[SentenceSupport, ...] = field(default_factory=tuple)
    supported_text: str = ""
    support: float = 1.0


class GroundingRail:
    """Checks that an answer says only what the passages say. Spans mark the unsupported sentences."""

    name = "grounding"

    def __init__(self, min_coverage: float = 0.6) -> None:
        if not 0.0 <= min_coverage <= 1.0:
            raise ValueError(f"min_coverage must be between 0 and 1, got {min_coverage}")
        self.min_coverage = min_coverage

    def check(self, answer: str, passages: list[str]) -> GroundingVerdict:
        known_words, known_facts = _knowledge(tuple(passages))
        results = tuple(self._judge(answer, start, end, known_words, known_facts)
                        for start, end in sentence_spans(answer))
        judged = [r for r in results if not r.neutral]
        unsupported = [r for r in judged if not r.supported]
        support = (len(judged) - len(unsupported)) / len(judged) if judged else 1.0
        if not unsupported:
            action, reason = "allow", (f"all {len(judged)} sentence(s) supported by the passages" if judged
                                       else "nothing to check: no factual sentences")
        else:
            action = "repair" if len(unsupported) < len(judged) else "fallback"
            reason = f"{len(unsupported)} of {len(judged)} sentence(s) not supported: " + "; ".join(
                _why(r) for r in unsupported[:3])
        return GroundingVerdict(
            rail=self.name, passed=not unsupported, action=action, reason=reason,
            spans=tuple(Span("UNSUPPORTED_SENTENCE", r.start, r.end, r.coverage) for r in unsupported),
            sentences=results, supported_text=_without(answer, unsupported), support=round(support, 3))

    def _judge(self, answer: str, start: int, end: int, known_words: frozenset[str],
               known_facts: frozenset[str]) -> SentenceSupport:
        sentence = answer[start:end]
        claims = facts(sentence)
        words = set(content_words(sentence))
        if not claims and not words:
            return SentenceSupport(sentence, start, end, "neutral")
        missing_facts = tuple(dict.fromkeys(f.text for f in claims if not f.keys & known_facts))
        missing_words = tuple(sorted(w for w in words if w not in known_words))
        coverage = 1.0 - len(missing_words) / len(words) if words else 1.0
        ok = not missing_facts and coverage >= self.min_coverage
        return SentenceSupport(sentence, start, end, "supported" if ok else "unsupported", round(coverage, 3),
                               missing_facts, missing_words)


@lru_cache(maxsize=256)
def _passage_words(passage: str) -> frozenset[str]:
    return frozenset(content_words(passage))


@lru_cache(maxsize=64)
def _knowledge(passages: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """What the passages say, as content-word stems and fact keys (cached: a streamed answer is
    checked sentence by sentence against the same passages)."""
    words: frozenset[str] = frozenset().union(*(_passage_words(p) for p in passages))
    known: frozenset[str] = frozenset().union(*(fact_keys(p) for p in passages))
    return words, known


def _why(result: SentenceSupport) -> str:
    head = result.sentence if len(result.sentence) <= 60 else result.sentence[:57] + "..."
    if result.missing_facts:
        return f"'{head}' (not in the passages: {', '.join(result.missing_facts)})"
    return f"'{head}' (only {result.coverage:.0%} of its words in the passages)"


def _without(answer: str, unsupported: list[SentenceSupport]) -> str:
    """The answer with the unsupported sentences cut out, its layout otherwise kept."""
    text = answer
    for r in sorted(unsupported, key=lambda r: r.start, reverse=True):
        text = text[:r.start] + text[r.end:]
    text = re.sub(r"(?m)^[ \t]*(?:[-*•]|\d{1,2}[.)])?[ \t]*$\n?", "", text)  # list items left empty
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r" +([,.;:!?])", r"\1", text)
    return text.strip()
