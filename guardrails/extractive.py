"""The extractive answer: the passage sentences that best answer a question, word for word.

Used when there is no model, or when the model's answer is not supported. Sentences are scored by the
question words they share, weighted by IDF across the passages' sentences; the words of the section
heading above a sentence count a little less, and a sentence holding the kind of fact the question
asks for (a price for "how much", a day for "which days", a time for "when") gets a small bonus.
The top passage is preferred, and chosen sentences keep their original order within a passage.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Callable, Sequence

from guardrails.facts import facts
from guardrails.sentences import sentence_spans
from guardrails.words import content_words

#: What a question asks for -> the fact keys (by prefix) a good answer sentence contains.
_ASKS_FOR = (
    (re.compile(r"\b(?:how much|cost|costs|price|prices|fee|fees|charge|charges|pay|expensive|cheap|amounts?)\b",
                re.I),
     ("money:", "pct:")),
    (re.compile(r"\b(?:which|what) days?\b|\bdays?\b|\bweekends?\b|\bweekdays?\b|\bwhen\b|\b\w+days\b", re.I),
     ("day:",)),
    (re.compile(r"\bwhen\b|\bwhat time\b|\btimes?\b|\bhours?\b|\bopen\b|\bclose\b|\blatest\b|\bearliest\b|\bby\b",
                re.I), ("time:",)),
    (re.compile(r"\bhow (?:long|soon)\b|\bwithin how\b", re.I), ("duration:",)),
    (re.compile(r"\bhow soon\b", re.I), ("time:",)),
    (re.compile(r"\bhow (?:many|far|old|big)\b", re.I), ("num:", "time:")),
    # "Which flavours...?", "What kinds of bread...?": the answer names several things.
    (re.compile(r"\b(?:which|what)\s+(?:\w+\s+)?(?:kinds?|types?|sorts?|(?!(?:does|is|was|has|days)\b)\w+s)\b",
                re.I),
     ("list:",)),
)
_NUMBER_WORD = r"(?:\d+(?:[.,]\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|\w+ty)"
#: A length of time ("48 hours", "one working day", "3 to 5 weeks"): what "how long" asks for, unlike a clock time.
_DURATION = re.compile(rf"\b{_NUMBER_WORD}(?:\s*(?:-|to|or)\s*{_NUMBER_WORD})?(?:\s+working)?\s+"
                       r"(?:minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|years?)\b", re.I)
#: A list of three or more things ("vanilla, chocolate fudge, lemon and elderflower"): what "which ...s" asks for.
_LIST = re.compile(r"[^,;]+,[^,;]+,[^,;]+\b(?:and|or)\b", re.I)
_PRONOUN_START = re.compile(r"(?:It|This|That|They|These|Those|There|He|She)\b")
_LIST_ITEM = re.compile(r"\s*(?:[-*•‣▪◦–]|\d{1,2}[.)])\s+")
_MARKUP = re.compile(r"\*\*|__|`|(?<!\w)[*_](?=\w)|(?<=\w)[*_](?!\w)")


@dataclass
class _Candidate:
    passage: int
    position: int
    text: str
    words: frozenset[str]
    heading_words: frozenset[str]
    fact_kinds: frozenset[str]
    score: float = 0.0
    section: str = ""  # the sub-heading above the sentence in its passage, as written

    @property
    def in_context(self) -> str:
        """The sentence as its section frames it ("Flavours: Vanilla bean and raspberry, ..."): a list of
        flavours means "flavours" only under its heading, so meaning is judged with the heading in front."""
        return f"{self.section}: {self.text}" if self.section else self.text


#: Meaning similarity, when a caller has an embedder: (question, sentences) -> one cosine (at most 1) each.
Similarity = Callable[[str, list[str]], Sequence[float]]
#: With a similarity, the lexical score (scaled to [0, 1]) is added with this weight, and every rank a
#: passage sits below the top one costs this much. Tuned on knowledge/demo/questions.jsonl.
LEXICAL_WEIGHT = 0.25
RANK_PENALTY = 0.3
#: With the passages' retrieval relevance (query-chunk cosine) as well, a passage pays this much per unit
#: of relevance below the most relevant one, instead of a fixed price per rank: the chunk ranked 2nd at
#: cosine 0.606 behind one at 0.613 is as good a place to look ("Which cake flavours...?": the flavour
#: list), and a top-ranked chunk that only shares the question's words ranks first at a lower cosine
#: than the one that answers. Tuned on knowledge/demo/questions.jsonl and evals/suites/answers.jsonl.
RELEVANCE_PENALTY = 3.5
#: ...and still a little per rank, for the fused (cosine plus keyword) order the retriever chose.
RANK_TIEBREAK = 0.05
#: With a similarity, a sentence holding the kind of fact the question asks for ("how much": a price, "how
#: long": a number or a time) gains this much: "Gift cards can be loaded with any amount from £10 to £150"
#: answers "what amounts...?" better than a sentence about gift cards that names no amount.
KIND_BONUS = 0.15
#: The passages whose sentences are always compared by meaning; later ones only when they could still win.
SURE_PASSAGES = 2
_MAX_SIMILARITY = 1.0 + 1e-6  # a cosine, with room for rounding


def best_supported_sentences(question: str, passages: list[str], max_sentences: int = 3,
                             similarity: Similarity | None = None,
                             relevance: Sequence[float] | None = None) -> list[str]:
    """Up to ``max_sentences`` passage sentences that best answer ``question``, cleaned of Markdown.

    With ``similarity`` (an embedder's cosine, supplied by the caller so this module needs no model),
    sentences are ranked by meaning plus rare-word overlap and the answer is the best passage's top
    sentences in their original order. Without it, the ranking is lexical. When no sentence shares a
    word with the question, the first sentence of the top passage is returned: the retriever judged
    that passage relevant, and its lead is the safest summary. ``relevance`` (one retrieval cosine per
    passage, optional) prices a passage by how far it falls below the most relevant one rather than by
    its rank; it is used only with ``similarity``.
    """
    if relevance is not None and len(relevance) != len(passages):
        raise ValueError(f"relevance has {len(relevance)} values for {len(passages)} passages")
    if max_sentences < 1:
        return []
    candidates = [replace(c, passage=p) for p, passage in enumerate(passages) for c in _parsed(passage)]
    if not candidates:
        return []
    question_words = set(content_words(question))
    asked_kinds = {kind for pattern, kinds in _ASKS_FOR if pattern.search(question) for kind in kinds}
    idf = _idf(candidates)
    for c in candidates:
        shared = sum(idf.get(w, 0.0) for w in question_words & c.words)
        from_heading = sum(idf.get(w, 1.0) for w in (question_words & c.heading_words) - c.words)
        kind_bonus = 0.5 if (shared or from_heading) and asked_kinds & c.fact_kinds else 0.0
        length_penalty = 1.0 + max(0, len(c.text.split()) - 30) / 60
        prior = 1.0 / (1.0 + 0.15 * c.passage)
        c.score = (shared + 0.8 * from_heading + kind_bonus) * prior / length_penalty
    if similarity is not None:
        return _by_meaning(question, candidates, max_sentences, similarity, _passage_penalties(len(passages), relevance))

    best = max(candidates, key=lambda c: (c.score, -c.passage, -c.position))
    if best.score <= 0:
        top = [c for c in candidates if c.passage == candidates[0].passage]
        return [top[0].text]
    chosen = [best]
    ranked = sorted((c for c in candidates if c is not best and c.score >= 0.7 * best.score),
                    key=lambda c: (c.passage != best.passage, -c.score))
    for c in ranked:
        if len(chosen) >= max_sentences:
            break
        if c.passage == best.passage or c.score >= 0.9 * best.score:
            chosen.append(c)
    _add_follow_ons(chosen, candidates, max_sentences)
    seen, answer = set(), []
    for c in sorted(chosen, key=lambda c: (c.passage != best.passage, c.passage, c.position)):
        key = " ".join(c.text.lower().split())
        if key not in seen:
            seen.add(key)
            answer.append(c.text)
    return answer


def _passage_penalties(count: int, relevance: Sequence[float] | None) -> list[float]:
    """What answering from each passage costs: its rank, or its relevance below the most relevant passage."""
    if relevance is None:
        return [RANK_PENALTY * p for p in range(count)]
    best = max(relevance, default=0.0)
    return [RELEVANCE_PENALTY * (best - float(r)) + RANK_TIEBREAK * p for p, r in enumerate(relevance)]


def _by_meaning(question: str, candidates: list[_Candidate], max_sentences: int,
                similarity: Similarity, penalties: list[float]) -> list[str]:
    top_lexical = max(c.score for c in candidates) or 1.0
    asked_kinds = {kind for pattern, kinds in _ASKS_FOR if pattern.search(question) for kind in kinds}
    for c in candidates:
        kind = KIND_BONUS if asked_kinds & c.fact_kinds else 0.0
        c.score = LEXICAL_WEIGHT * c.score / top_lexical + kind - penalties[c.passage]
    scored = [c for c in candidates if c.passage < SURE_PASSAGES]
    _add_meaning(question, scored, similarity)
    # A similarity is at most 1, so a later passage none of whose sentences could beat the best one even
    # with a perfect match is not embedded at all: the same answer, with fewer model runs on a cold cache.
    leader = max(c.score for c in scored) if scored else float("-inf")
    hopeful = {c.passage for c in candidates if c.passage >= SURE_PASSAGES and _MAX_SIMILARITY + c.score > leader}
    rest = [c for c in candidates if c.passage in hopeful]
    _add_meaning(question, rest, similarity)
    best = max((c for c in candidates if c.passage < SURE_PASSAGES or c.passage in hopeful), key=lambda c: c.score)
    same = sorted((c for c in candidates if c.passage == best.passage), key=lambda c: -c.score)[:max_sentences]
    return [c.text for c in sorted(same, key=lambda c: c.position)]


def _add_meaning(question: str, candidates: list[_Candidate], similarity: Similarity) -> None:
    if not candidates:
        return
    for c, sim in zip(candidates, similarity(question, [c.in_context for c in candidates])):
        c.score += float(sim)


def sentence_contexts(passage: str) -> list[str]:
    """Every text ``best_supported_sentences`` may hand its ``similarity`` for this passage (each answerable
    sentence with its section in front), in order: what a cache of sentence vectors must hold to answer
    from the passage without running the embedder."""
    return [c.in_context for c in _parsed(passage)]


def _add_follow_ons(chosen: list[_Candidate], candidates: list[_Candidate], max_sentences: int) -> None:
    """A sentence starting "It ..." or "This ..." right after a chosen one finishes its thought."""
    by_place = {(c.passage, c.position): c for c in candidates}
    for c in list(chosen):
        follower = by_place.get((c.passage, c.position + 1))
        if len(chosen) < max_sentences and follower and follower not in chosen and _PRONOUN_START.match(follower.text):
            chosen.append(follower)


@lru_cache(maxsize=2048)
def _parsed(passage: str) -> tuple[_Candidate, ...]:
    """``_candidates`` of a passage, parsed once per text: the same passages come back turn after turn, and
    parsing them was a third of an extractive answer's time. Callers copy them before scoring."""
    return tuple(_candidates(0, passage))


def _candidates(passage_index: int, passage: str) -> list[_Candidate]:
    """The answerable sentences of one passage, each with the words of the heading above it.

    Headings (Markdown "#" lines, a chunk's "Delivery > Days" path line, short unpunctuated lines
    standing alone) are context, never an answer. Table rows become "Header: value; ..." sentences.
    """
    found: list[_Candidate] = []
    heading: list[str] = []
    section = ""
    table_header: list[str] | None = None
    lead = ""  # "The app has a few extras:" before a list of lower-case items
    lines = passage.split("\n")
    line_starts = [0]
    for line in lines:
        line_starts.append(line_starts[-1] + len(line) + 1)
    line_no = 0
    for start, end in sentence_spans(passage):
        text = passage[start:end]
        while line_starts[line_no + 1] <= start:
            line_no += 1
        if _is_heading(lines[line_no], line_no, lines):
            heading, table_header, lead = content_words(lines[line_no].replace(">", " ")), None, ""
            section = "" if " > " in lines[line_no] else " ".join(_MARKUP.sub("", lines[line_no]).strip("# ").split())
            continue
        if text.startswith("|"):
            cells = [cell.strip() for cell in text.strip("|").split("|")]
            if table_header is None:
                table_header = cells
                continue
            text = "; ".join(f"{h}: {v}" if h else v for h, v in zip(table_header, cells) if v) + "."
        else:
            table_header = None
        clean = " ".join(_MARKUP.sub("", text).split())
        if clean.endswith(":"):
            lead = clean
            if not _LIST_ITEM.match(lines[line_no]) and facts(clean):
                # "Please contact us within 48 hours of collection or delivery:" states a fact of its own
                # before its list: it can answer, as a sentence.
                clean = clean[:-1].rstrip() + "."
                found.append(_candidate(passage_index, len(found), clean, heading, section))
            continue
        if lead and clean[:1].islower() and _LIST_ITEM.match(lines[line_no]):
            clean = f"{lead} {clean.rstrip(';,.')}."
        elif not _LIST_ITEM.match(lines[line_no]):
            lead = ""
        if len(clean.split()) < 3 or clean.endswith("?"):
            continue
        found.append(_candidate(passage_index, len(found), clean, heading, section))
    return found


def _candidate(passage_index: int, position: int, text: str, heading: list[str], section: str) -> _Candidate:
    kinds = {k.split(":", 1)[0] + ":" for f in facts(text) for k in f.keys}
    if _DURATION.search(text):
        kinds.add("duration:")
    if _LIST.search(text):
        kinds.add("list:")
    return _Candidate(passage_index, position, text, frozenset(content_words(text)), frozenset(heading),
                      frozenset(kinds), section=section)


def _is_heading(line: str, line_no: int, lines: list[str]) -> bool:
    stripped = line.strip()
    if stripped.startswith("#") or (" > " in stripped and (line_no == 0 or not re.search(r"[.!?]$", stripped))):
        return True  # Markdown headings, and the "Section > Subsection" path a chunk starts with
    if re.search(r"[.!?:;,]$", stripped) or stripped.startswith(("|", "-", "*", "•")) or len(stripped.split()) > 8:
        return False
    stands_alone = line_no == 0 or not lines[line_no - 1].strip()
    # Text follows on the next line, or after one blank line (a Markdown heading's usual spacing).
    followed = any(line.strip() for line in lines[line_no + 1:line_no + 3])
    return stands_alone and (followed or line_no == 0) and not re.search(r"\d", stripped)


def _idf(candidates: list[_Candidate]) -> dict[str, float]:
    df: dict[str, int] = {}
    for c in candidates:
        for w in c.words | c.heading_words:
            df[w] = df.get(w, 0) + 1
    n = len(candidates)
    return {w: math.log(1 + n / count) for w, count in df.items()}
