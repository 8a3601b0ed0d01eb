"""Grounding: is each sentence of an answer supported by the retrieved passages?

Deterministic and fast. A sentence is supported when every number, price, time and day or month
name in it appears in the passages, and enough of its content words (stemmed) do too. Sentences
with no content words ("Happy to help.") are neutral. Also the extractive answer: the passage
sentences that best answer a question, used when there is no model or its answer is unsupported.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from guardrails.verdict import Verdict

STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both but
by can could did do does doing down during each few for from further had has have having he her here hers herself
him himself his how i if in into is it its itself just let me more most my myself no nor not now of off on once only
or other our ours ourselves out over own same she should so some such than that the their theirs them themselves
then there these they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves also may might must shall yes ok okay please thanks
thank hi hello dear sure happy help glad get got us one can't don't won't i'm it's we're you're there's that's
""".split())
DAYS_MONTHS = frozenset("monday tuesday wednesday thursday friday saturday sunday january february march april "
                        "may june july august september october november december weekday weekdays weekend".split())
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "approx.", "no.", "mr.", "mrs.", "ms.", "dr.", "st.", "vs.", "min.", "max.")
_SUFFIXES = ("ations", "ation", "ities", "ity", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s", "y",
             "e")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")


def split_sentences(text: str) -> list[str]:
    """Sentences and list items of ``text``, keeping decimals ("£4.50"), times and abbreviations intact."""
    sentences: list[str] = []
    for line in re.split(r"\n+", text):
        line = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line).strip()
        if not line:
            continue
        start = 0
        for m in re.finditer(r"[.!?]+[\"')\]]*(?=\s+|$)", line):
            end = m.end()
            candidate = line[start:end].strip()
            last_word = candidate.split()[-1].lower() if candidate.split() else ""
            if last_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]\.", last_word):
                continue
            if candidate:
                sentences.append(candidate)
            start = end
        rest = line[start:].strip()
        if rest:
            sentences.append(rest)
    return sentences


def stem(word: str) -> str:
    """A light suffix stripper: enough for delivers/delivery/delivered, refunds/refunded."""
    word = word.replace("'s", "")
    for _ in range(2):  # twice, so "tuesdays" and "tuesday" meet at the same stem
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
    return word


def content_words(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS and not w.isdigit() and len(w) > 1]


def _numbers(text: str) -> set[str]:
    found = set()
    for raw in _NUMBER.findall(text):
        value = raw.replace(",", "")
        found.add(value)
        if re.fullmatch(r"\d+[.:]00", value):
            found.add(value.split(value[-3])[0])  # 7:00 == 7, £5.00 == £5
    return found


def _facts(text: str) -> tuple[set[str], set[str]]:
    """The hard facts of a text: its numbers and its day and month names."""
    lowered = text.lower()
    names = {w.rstrip("s") if w.rstrip("s") in DAYS_MONTHS else w for w in _WORD.findall(lowered)
             if w in DAYS_MONTHS or w.rstrip("s") in DAYS_MONTHS}
    return _numbers(lowered), names


@dataclass(frozen=True)
class SentenceSupport:
    sentence: str
    supported: bool
    neutral: bool
    overlap: float
    missing_facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroundingVerdict(Verdict):
    sentences: tuple[SentenceSupport, ...] = field(default_factory=tuple)
    supported_text: str = ""
    support: float = 1.0


class GroundingRail:
    name = "grounding"

    def __init__(self, min_overlap: float = 0.6) -> None:
        self.min_overlap = min_overlap

    def check(self, answer: str, passages: list[str]) -> GroundingVerdict:
        joined = "\n".join(passages)
        passage_words = set(content_words(joined))
        numbers, names = _facts(joined)
        results = []
        for sentence in split_sentences(answer):
            words = content_words(sentence)
            s_numbers, s_names = _facts(sentence)
            missing = tuple(sorted((s_numbers - numbers) | (s_names - names)))
            if not words and not s_numbers:
                results.append(SentenceSupport(sentence, True, True, 1.0))
                continue
            overlap = sum(w in passage_words for w in words) / len(words) if words else 1.0
            results.append(SentenceSupport(sentence, not missing and overlap >= self.min_overlap, False,
                                           round(overlap, 3), missing))
        judged = [r for r in results if not r.neutral]
        supported = [r for r in judged if r.supported]
        support = len(supported) / len(judged) if judged else 1.0
        passed = len(supported) == len(judged)
        dropped = [r for r in judged if not r.supported]
        reason = ("every sentence is supported by the passages" if passed else
                  f"{len(dropped)} of {len(judged)} sentence(s) not supported: "
                  + "; ".join(f"'{r.sentence[:60]}'" + (f" (facts not in the passages: {', '.join(r.missing_facts)})"
                                                         if r.missing_facts else f" (overlap {r.overlap:.2f})")
                              for r in dropped[:3]))
        return GroundingVerdict(rail=self.name, passed=passed, action="allow" if passed else "repair", reason=reason,
                                sentences=tuple(results),
                                supported_text=" ".join(r.sentence for r in results if r.supported),
                                support=round(support, 3))


def best_supported_sentences(question: str, passages: list[str], max_sentences: int = 3) -> list[str]:
    """The passage sentences that best answer ``question``, in their original order within a passage."""
    if not passages:
        return []
    candidates: list[tuple[int, int, str]] = []
    for p_index, passage in enumerate(passages):
        lines = passage.splitlines()
        body = "\n".join(lines[1:]) if len(lines) > 1 and not re.search(r"[.!?]$", lines[0].strip()) else passage
        for s_index, sentence in enumerate(split_sentences(body)):
            if len(content_words(sentence)) >= 2 and not sentence.endswith(":"):
                candidates.append((p_index, s_index, sentence))
    if not candidates:
        return []
    document_frequency = Counter(w for _, _, s in candidates for w in set(content_words(s)))
    n = len(candidates)
    q_words = set(content_words(question))

    def score(item: tuple[int, int, str]) -> float:
        p_index, s_index, sentence = item
        words = set(content_words(sentence))
        overlap = sum(math.log(1 + n / document_frequency[w]) for w in q_words & words)
        return overlap * (1.0 / (1 + 0.35 * p_index)) - 0.01 * s_index

    ranked = sorted(candidates, key=score, reverse=True)
    best = ranked[0]
    chosen = [c for c in ranked[:max_sentences * 2] if c[0] == best[0] and score(c) > 0][:max_sentences]
    if not chosen or score(best) <= 0:
        first_passage = [c for c in candidates if c[0] == 0]
        chosen = first_passage[:2]
    chosen.sort(key=lambda c: (c[0], c[1]))
    return [re.sub(r"\*\*|__", "", c[2]) for c in chosen]
