"""What a turn works out about each retrieved passage, worked out once per passage text.

Before answering from a passage a turn removes any instructions planted in it (the injection rail)
and notes the contact details it publishes (a reply repeating the business's own phone number is not
a leak). Both depend on the passage's words alone, and the same passages come back turn after turn:
on the bundled eval suites the two took 4.5 ms of every answered turn, recomputed for the same few
dozen texts. They are remembered here, least recently used first out.

Passages are the business's own documents, never a customer's words, so keeping them in memory
keeps no customer's personal data.
"""

from __future__ import annotations

from dataclasses import dataclass

from guardrails import redact_pii
from guardrails.pipeline import RailPipeline
from guardrails.verdict import Verdict
from knowledge.lru import BoundedLru

#: Distinct passage texts remembered (a few KB each).
CAPACITY = 2048


@dataclass(frozen=True)
class CheckedPassage:
    #: The passage with planted instructions removed ("" when nothing was left).
    text: str
    #: The injection rail's verdict when it removed something, else None.
    verdict: Verdict | None
    #: Personal-data-shaped values the passage publishes (the business's own contacts).
    published: frozenset[str]


def published_values(text: str) -> frozenset[str]:
    """Every phone number, email address and the like in ``text``, as written."""
    return frozenset(text[span.start:span.end] for span in redact_pii(text).spans)


class PassageChecks:
    """``check(text)``: the passage's checks, from memory when this text was checked before."""

    def __init__(self, rails: RailPipeline, capacity: int = CAPACITY) -> None:
        self.rails = rails
        self._checked: BoundedLru[str, CheckedPassage] = BoundedLru(capacity)

    def check(self, text: str) -> CheckedPassage:
        checked = self._checked.get(text)
        if checked is None:
            safe, verdict = self.rails.check_passage(text)
            checked = CheckedPassage(safe, verdict, published_values(safe))
            self._checked.put(text, checked)
        return checked

    def __len__(self) -> int:
        return len(self._checked)
