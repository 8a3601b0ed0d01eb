"""Grounding: is each sentence of an answer supported by the retrieved passages?

Deterministic and fast (well under 2 ms for a short answer), so it can judge every sentence a small
model streams. A sentence is supported when

  (a) every fact in it (number, price, time, percentage, code, day or month name) appears in the
      passages, after normalising how it is written (see ``guardrails.facts``), and
  (b) at least ``min_coverage`` of its content words (lower-cased, stopwords out, lightly stemmed)
      occur somewhere in the passages.

Both are judged against one place in the passages, a window of up to three consecutive sentences,
not against words scattered across them: "the early shift starts at 10:00" is not supported by
"shift" in one paragraph and "10:00" in another. And (c) a sentence that negates ("No, we don't
deliver to SE15") needs a negation in that window too: a small model flipping a "yes" is the
commonest way a fluent answer says the opposite of the passage.

A sentence with no facts and no content words ("Happy to help.") is neutral: neither supported nor
unsupported. Known limit: this is still lexical; a negation moved to another clause can slip past.
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
        windows = _windows(tuple(passages))
        results = tuple(self._judge(answer, start, end, windows) for start, end in sentence_spans(answer))
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

    def _judge(self, answer: str, start: int, end: int, windows: tuple[_Window, ...]) -> SentenceSupport:
        sentence = answer[start:end]
        claims = facts(sentence)
        words = set(content_words(sentence))
        if not claims and not words:
            return SentenceSupport(sentence, start, end, "neutral")
        negated = bool(_NEGATION.search(sentence))
        best: tuple | None = None
        for window in windows or (_Window(frozenset(), frozenset(), False),):
            missing_facts = tuple(dict.fromkeys(f.text for f in claims if not f.keys & window.facts))
            if negated and not window.negated:
                missing_facts += ("a negation",)
            missing_words = tuple(sorted(w for w in words if w not in window.words))
            coverage = 1.0 - len(missing_words) / len(words) if words else 1.0
            rank = (not missing_facts, coverage)
            if best is None or rank > best[0]:
                best = (rank, missing_facts, missing_words, coverage)
        _, missing_facts, missing_words, coverage = best
        ok = not missing_facts and coverage >= self.min_coverage
        return SentenceSupport(sentence, start, end, "supported" if ok else "unsupported", round(coverage, 3),
                               missing_facts, missing_words)


_NEGATION = re.compile(r"\b(?:no|not|never|none|nothing|nobody|cannot|can't|cant|don't|dont|doesn't|doesnt|"
                       r"didn't|won't|isn't|aren't|wasn't|weren't|shouldn't|couldn't|without|unable)\b|n't\b",
                       re.IGNORECASE)
#: Consecutive passage sentences that together may support one answer sentence.
WINDOW = 3


@dataclass(frozen=True)
class _Window:
    words: frozenset[str]
    facts: frozenset[str]
    negated: bool


@lru_cache(maxsize=64)
def _windows(passages: tuple[str, ...]) -> tuple[_Window, ...]:
    """What each place in the passages says, as content-word stems, fact keys and whether it negates
    (cached: a streamed answer is checked sentence by sentence against the same passages)."""
    out = []
    for passage in passages:
        sentences = [passage[s:e] for s, e in sentence_spans(passage)]
        for i in range(len(sentences)):
            text = " ".join(sentences[i:i + WINDOW])
            out.append(_Window(frozenset(content_words(text)), frozenset(fact_keys(text)),
                               bool(_NEGATION.search(text))))
    return tuple(out)


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
