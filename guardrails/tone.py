"""Uncanny-valley tone limits: warmth without pretending.

A bot that gushes, calls a customer "hun", says it cried reading their message or promises to
"never forget you" falls into the uncanny valley: it sounds like a person and is not one, and the
customer feels handled rather than helped. This rail keeps replies plain and kind. It detects and
repairs, deterministically and one sentence at a time (so a streamed reply is checked before it is
shown), four kinds of problem, most serious first:

* ``false_intimacy``: promises and closeness a bot cannot keep ("I'll never forget you", "I'll
  always be here for you", "you can count on me personally", "I promise", "sending hugs").
* ``feigned_feelings``: feelings and a life the bot does not have ("I feel so sad for you", "that
  happened to me too", "I love baking on Sundays", "my heart goes out to you", "I can't wait").
  Sympathy becomes a plain acknowledgement ("I'm sorry to hear that."); the rest is removed.
* ``over_familiar``: pet names used as address ("thanks, love", "no worries, mate", "hun") and
  flattery ("you're amazing", "great question!").
* ``emotional_excess``: exclamation marks and emoji beyond the reply's allowance, stacked or
  stretched intensifiers ("so so sorry", "sooo"), an apology after the first, SHOUTED words.

What stays, untouched: acknowledging the customer's situation ("I'm sorry your order arrived late",
"That sounds frustrating", "I understand this is annoying"), the business speaking about itself
("We love making wedding cakes"), one exclamation mark, formal address ("Dear customer"), and a
sign-off from the team ("Love, the Crumb & Co. team": it comes from the people of the business and
addresses nobody). Pet-name checks need the word to be *used as address* (a comma, a greeting or the
edge of the sentence around it), so "spelt and honey loaf", "we love sourdough", "chocolate" and
"endearing" pass.

Limits are per business (:class:`ToneLimits`; a playful brand may allow emoji and more "!"); the
per-reply counts live in a :class:`ToneBudget` the caller shares across the sentences of one reply.
Repairs remove the offending phrase or clause and tidy punctuation and capitals; other text is kept
exactly. Everything is precompiled regular expressions: well under 0.3 ms for a 300-character reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

from guardrails.sentences import sentence_spans
from guardrails.tone_lexicon import (
    CATEGORIES,
    _SORRY_TO_HEAR,
    _RULES,
    _STRONG_PET_RX,
    _PET_RX,
    _GREETING_BEFORE,
    _ADDRESS_AFTER,
    _SIGN_OFF,
    _APOLOGY,
    _INTENSIFIER,
    _INTENSIFIER_WORDS,
    _NOT_INTENSIFIED,
    _NEXT_WORD,
    _EXCLAMATION_RUN,
    _EMOJI,
    _UPPER_WORD,
    _CODE_BEFORE,
    _SHORT_SHOUTS,
    _ACRONYMS,
    _CLAUSE_BREAK,
    _TERMINAL_CHARS,
    _WORD,
    _ELONGATION,
    _UPPER_HINT,
    _EMOJI_HINT,
    _CUSTOMER_QUESTION,
    _PET_WORDS,
    _STRONG_WORDS,
    _LEADING_JUNK,
    _BARE_INTERJECTION,
    _LEADING_CONJUNCTION,
    _TIDY,
)
from guardrails.verdict import Span, Verdict

__all__ = ["CATEGORIES", "ToneBudget", "ToneLimits", "ToneRail"]


@dataclass(frozen=True)
class ToneLimits:
    """How much warmth a business allows in one reply. Defaults are conservative; raise them per brand."""

    max_exclamations_per_reply: int = 1
    """Exclamation marks allowed in one reply; later ones become full stops ("!!" counts as one, kept as "!")."""
    max_emoji: int = 0
    """Emoji (and text emoticons such as ":)") allowed in one reply; later ones are removed."""
    allow_pet_names: bool = False
    """Allow "hun", "mate", "love" and the like as forms of address. Flattery is never allowed."""
    max_apologies: int = 1
    """Apologies ("sorry", "apologies", "I apologise") in one reply; later apology clauses are removed."""
    max_intensifiers_per_sentence: int = 1
    """Intensifiers ("so", "really", "absolutely", ...) in one sentence; extra ones are removed."""
    allowed_upper_words: frozenset[str] = frozenset()
    """All-caps words that are names or codes, not shouting (e.g. a brand written "CRUMB")."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "allow_pet_names":
                if not isinstance(value, bool):
                    raise ValueError(f"ToneLimits.allow_pet_names must be true or false, got {value!r}")
            elif f.name == "allowed_upper_words":
                if isinstance(value, str):
                    raise ValueError("ToneLimits.allowed_upper_words must be a collection of words, not one string")
                object.__setattr__(self, f.name, frozenset(str(w).upper() for w in value))
            elif not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"ToneLimits.{f.name} must be a whole number, got {value!r}")
            elif value < 0:
                raise ValueError(f"ToneLimits.{f.name} must be 0 or more, got {value}: use 0 to allow none")


@dataclass
class ToneBudget:
    """What one reply may still use. Share one budget across the sentences of a streamed reply."""

    exclamations_left: int
    emoji_left: int
    apologies_left: int

    @classmethod
    def from_limits(cls, limits: ToneLimits) -> ToneBudget:
        return cls(limits.max_exclamations_per_reply, limits.max_emoji, limits.max_apologies)


# --- lexicons ---------------------------------------------------------------------------------------


@dataclass
class _Edit:
    start: int
    end: int
    replacement: str = ""


@dataclass
class _Finding:
    category: str
    type: str
    start: int
    end: int
    text: str


@dataclass
class _SentenceWork:
    """One sentence under repair: its findings and the edits that fix them (offsets within the sentence)."""

    text: str
    edits: list[_Edit] = field(default_factory=list)
    findings: list[_Finding] = field(default_factory=list)
    _breaks: list[re.Match[str]] | None = None

    @property
    def core_end(self) -> int:
        """Where the sentence's closing punctuation starts."""
        return len(self.text.rstrip(_TERMINAL_CHARS))

    def clause_edit(self, start: int, end: int, replacement: str = "") -> _Edit:
        if self._breaks is None:
            self._breaks = [m for m in _CLAUSE_BREAK.finditer(self.text, 0, self.core_end) if m.start() > 0]
        return _clause_edit(self.text, self._breaks, self.core_end, start, end, replacement)

    def overlaps(self, start: int, end: int) -> bool:
        return any(start < e.end and e.start < end for e in self.edits)

    def find(self, category: str, kind: str, start: int, end: int) -> None:
        self.findings.append(_Finding(category, kind, start, end, self.text[start:end]))


class ToneRail:
    """Detects and repairs gushing, pretending and over-familiarity in a reply or one sentence of it."""

    name = "tone"

    def __init__(self, limits: ToneLimits | None = None) -> None:
        self.limits = limits or ToneLimits()

    @staticmethod
    def new_budget(limits: ToneLimits | None = None) -> ToneBudget:
        """A fresh per-reply budget: pass it to every ``check`` of one streamed reply."""
        return ToneBudget.from_limits(limits or ToneLimits())

    def budget(self) -> ToneBudget:
        """A fresh budget under this rail's own limits."""
        return ToneBudget.from_limits(self.limits)

    def check(self, text: str, budget: ToneBudget | None = None) -> Verdict:
        """Verdict on ``text`` (a whole reply, or one sentence with the reply's shared ``budget``).

        Without a budget, ``text`` is taken as a whole reply. The budget is spent as allowed
        exclamation marks, emoji and apologies pass, so later sentences see what is left.
        """
        budget = budget if budget is not None else self.budget()
        pieces: list[str] = []
        findings: list[_Finding] = []
        cursor, pending_gap, changed, kept_any = 0, None, False, False
        for start, end in sentence_spans(text):
            gap, sentence = text[cursor:start], text[start:end]
            cursor = end
            repaired, found = self._repair_sentence(sentence, budget)
            findings.extend(_Finding(f.category, f.type, f.start + start, f.end + start, f.text) for f in found)
            if repaired != sentence:
                changed = True
            if not repaired:
                if pending_gap is None and not kept_any:
                    pending_gap = gap
                continue
            pieces.append(pending_gap if (pending_gap is not None and not kept_any) else gap)
            pieces.append(repaired)
            kept_any = True
        pieces.append(text[cursor:] if kept_any else "")
        if not findings or not changed:
            return Verdict(rail=self.name, passed=True, action="allow", reason="tone within limits")
        repaired_text = "".join(pieces) if kept_any else ""
        categories = [c for c in CATEGORIES if any(f.category == c for f in findings)]
        reason = "; ".join(f"{c}: " + ", ".join(dict.fromkeys(repr(f.text) for f in findings if f.category == c))
                           for c in categories)
        spans = tuple(Span(f.type, f.start, f.end) for f in sorted(findings, key=lambda f: (f.start, f.end)))
        return Verdict(rail=self.name, passed=False, action="repair", reason=f"repaired tone ({reason})",
                       spans=spans, category=categories[0], repaired=repaired_text)

    # --- one sentence -------------------------------------------------------------------------------

    def _repair_sentence(self, sentence: str, budget: ToneBudget) -> tuple[str, list[_Finding]]:
        work = _SentenceWork(sentence)
        lower = sentence.lower()
        words = set(_WORD.findall(_ELONGATION.sub(r"\1", lower)))
        if not _CUSTOMER_QUESTION.match(sentence):
            for rule in _RULES:
                if any(group.isdisjoint(words) for group in rule.anchors):
                    continue
                for m in rule.pattern.finditer(sentence):
                    work.find(rule.category, rule.kind, m.start(), m.end())
                    work.edits.append(_Edit(m.start(), m.end(), rule.replacement) if rule.mode == "phrase"
                                      else work.clause_edit(m.start(), m.end(), rule.replacement))
            if not self.limits.allow_pet_names and not (words.isdisjoint(_PET_WORDS)
                                                        and words.isdisjoint(_STRONG_WORDS)):
                self._pet_names(work)
        if "sorr" in lower or "apolog" in lower or any(e.replacement == _SORRY_TO_HEAR for e in work.edits):
            self._apologies(work, budget)
        work.edits = _merge(work.edits)
        if not words.isdisjoint(_INTENSIFIER_WORDS):
            self._intensifiers(work)
        if _UPPER_HINT.search(sentence) and not (sentence.upper() == sentence and sentence[-1:] not in ".!?"):
            self._shouting(work)  # (a line with no lower case and no full stop is a heading, not shouting)
        if _EMOJI_HINT.search(sentence):
            self._emoji(work, budget)
        if "!" in sentence or "‽" in sentence or "¡" in sentence:
            self._exclamations(work, budget)
        if not work.findings:
            return sentence, []
        return _apply(sentence, work.edits), work.findings

    def _pet_names(self, work: _SentenceWork) -> None:
        s = work.text
        hits = [(m.start(), m.end()) for m in _STRONG_PET_RX.finditer(s)]
        for m in _PET_RX.finditer(s):
            if _is_address(s, m.start(), m.end()) and not (m.group().lower() == "love" and _SIGN_OFF.match(s)):
                my = s.rfind("my", 0, m.start())
                start = my if my >= 0 and not s[my + 2:m.start()].strip() and (my == 0 or not s[my - 1].isalpha()) \
                    else m.start()
                hits.append((start, m.end()))
        for start, end in hits:
            if work.overlaps(start, end):
                continue
            work.find("over_familiar", "pet_name", start, end)
            left = start
            while left > 0 and s[left - 1] in " \t":
                left -= 1
            if left > 0 and s[left - 1] == ",":
                left -= 1
            right = end
            if left == 0:  # "Hun, your order..." -> "Your order..."
                right = end + len(re.match(r"[\s,]*", s[end:]).group())
            work.edits.append(_Edit(left, right))

    def _apologies(self, work: _SentenceWork, budget: ToneBudget) -> None:
        s = work.text
        events: list[tuple[int, object]] = [(m.start(), m) for m in _APOLOGY.finditer(s)
                                            if not work.overlaps(m.start(), m.end())]
        events += [(e.start, e) for e in work.edits if e.replacement == _SORRY_TO_HEAR]
        for _, event in sorted(events, key=lambda pair: pair[0]):
            if budget.apologies_left > 0:
                budget.apologies_left -= 1
            elif isinstance(event, _Edit):
                event.replacement = ""  # the sympathy rewrite would be one apology too many
            else:
                work.find("emotional_excess", "apology", event.start(), event.end())
                work.edits.append(work.clause_edit(event.start(), event.end()))

    def _intensifiers(self, work: _SentenceWork) -> None:
        s, allowed = work.text, self.limits.max_intensifiers_per_sentence
        for m in _INTENSIFIER.finditer(s):
            word = m.group()
            nxt = _NEXT_WORD.match(s, m.end())
            if work.overlaps(m.start(), m.end()) or not nxt or nxt.group(1).lower() in _NOT_INTENSIFIED \
                    and not _INTENSIFIER.fullmatch(nxt.group(1)):
                continue
            plain = re.sub(r"(\w)\1{2,}", r"\1", word.lower())
            plain = "so" if plain.startswith("so") else plain
            if allowed > 0:
                allowed -= 1
                if plain != word.lower():  # "sooo" -> "so"
                    work.find("emotional_excess", "intensifier", m.start(), m.end())
                    work.edits.append(_Edit(m.start(), m.end(), plain.capitalize() if m.start() == 0 else plain))
                continue
            work.find("emotional_excess", "intensifier", m.start(), m.end())
            work.edits.append(_Edit(m.start(), nxt.start(1)))

    def _shouting(self, work: _SentenceWork) -> None:
        s = work.text
        words = [m for m in _UPPER_WORD.finditer(s) if not work.overlaps(m.start(), m.end())
                 and m.group().upper() not in self.limits.allowed_upper_words
                 and not _CODE_BEFORE.search(s, 0, m.start())]
        runs: list[list[re.Match[str]]] = []
        for m in words:
            if runs and not s[runs[-1][-1].end():m.start()].strip():
                runs[-1].append(m)
            else:
                runs.append([m])
        for run in runs:
            if not any(_is_shout(m.group()) for m in run):
                continue
            for m in run:
                w = m.group()
                if w == "I" or (w in _ACRONYMS and not _is_shout(w)):
                    continue
                work.find("emotional_excess", "shouting", m.start(), m.end())
                lower = w.lower()
                work.edits.append(_Edit(m.start(), m.end(), lower.capitalize() if m.start() == 0 else lower))

    def _emoji(self, work: _SentenceWork, budget: ToneBudget) -> None:
        for m in _EMOJI.finditer(work.text):
            if work.overlaps(m.start(), m.end()):
                continue
            if budget.emoji_left > 0:
                budget.emoji_left -= 1
                continue
            work.find("emotional_excess", "emoji", m.start(), m.end())
            work.edits.append(_Edit(m.start(), m.end()))

    def _exclamations(self, work: _SentenceWork, budget: ToneBudget) -> None:
        for m in _EXCLAMATION_RUN.finditer(work.text):
            run = m.group()
            if work.overlaps(m.start(), m.end()):
                continue
            if "?" in run or run == "¡":
                fixed = "?" if "?" in run else ""
            elif budget.exclamations_left > 0:
                budget.exclamations_left -= 1
                fixed = "!"
            else:
                fixed = "."
            if fixed != run:
                work.find("emotional_excess", "exclamation", m.start(), m.end())
                work.edits.append(_Edit(m.start(), m.end(), fixed))


# --- helpers ----------------------------------------------------------------------------------------

def _is_address(s: str, start: int, end: int) -> bool:
    """Whether the word at ``s[start:end]`` addresses the reader ("thanks, love") rather than names a thing."""
    if not _ADDRESS_AFTER.match(s, end):
        return False
    before = s[:start]
    before = before.removesuffix("my ")
    if not before.strip():  # "Honey, your order..." -- but not "Honey, oats and spelt..."
        return bool(re.match(r"\s*[,!.]\s*(?:$|you|your|we|I\b|I'|it|that|this|thanks|thank|just|please|no\b|yes\b|"
                             r"here|there|don't|let)", s[end:], re.IGNORECASE))
    if _GREETING_BEFORE.search(before):
        return True
    stripped = before.rstrip()
    if not stripped.endswith(","):
        return False
    segment = stripped[:-1].rsplit(",", 1)[-1]
    return stripped.count(",") == 1 and len(segment.split()) >= 2  # a clause, not an item in a list


def _is_shout(word: str) -> bool:
    return word.upper() in _SHORT_SHOUTS or (len(word) >= 4 and word not in _ACRONYMS)


def _clause_edit(s: str, breaks: list, core_end: int, start: int, end: int, replacement: str) -> _Edit:
    """The edit that removes (or replaces) the clause around ``s[start:end]``, its separator included."""
    before = [b for b in breaks if b.end() <= start]
    after = [b for b in breaks if b.start() >= end]
    clause_start = before[-1].end() if before else 0
    clause_end = after[0].start() if after else core_end
    if replacement:
        return _Edit(clause_start, max(clause_end, end), replacement)
    if before:  # "..., sorry again" -> drop from the separator before
        return _Edit(before[-1].start(), max(clause_end, end))
    if after:  # "Sorry again, but ..." -> drop through the separator after
        return _Edit(0, max(after[0].end(), end))
    return _Edit(0, len(s))


def _merge(edits: list[_Edit]) -> list[_Edit]:
    """Overlapping edits become one: the wider removal wins."""
    merged: list[_Edit] = []
    for e in sorted(edits, key=lambda e: (e.start, -e.end)):
        if merged and e.start < merged[-1].end:
            last = merged[-1]
            if e.end > last.end:
                last.end, last.replacement = e.end, (last.replacement or e.replacement)
            continue
        merged.append(_Edit(e.start, e.end, e.replacement))
    return merged


def _apply(sentence: str, edits: list[_Edit]) -> str:
    """The sentence with the edits made, then tidied: spacing, stray punctuation, capitals."""
    out = sentence
    for e in sorted(_merge(edits), key=lambda e: e.start, reverse=True):
        out = out[:e.start] + e.replacement + out[e.end:]
    touched_start = any(e.start == 0 for e in edits)
    for rx, repl in _TIDY:
        out = rx.sub(repl, out)
    if any(e.start == 0 and not e.replacement for e in edits):  # a removed opening leaves "but ..." or ", ..."
        out = _LEADING_CONJUNCTION.sub("", _LEADING_JUNK.sub("", out))
    if not any(ch.isalnum() for ch in out) or _BARE_INTERJECTION.fullmatch(out):
        return ""
    if touched_start and out[0].islower():
        out = out[0].upper() + out[1:]
    if sentence.rstrip()[-1:] in ".!?…" and out[-1] not in ".!?…\"'”’)":
        out += "."
    return out
