"""Grounding: the final reply cites the expected documents and carries the expected facts."""

from __future__ import annotations

import re
from typing import Any, Sequence

from evals.scorers.base import CaseScore, ScorerBase, text_of
from evals.suite import Case

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip().lower()


def cited(expected: str, sources: Sequence[Any]) -> bool:
    """Whether a source has the doc id ``expected`` (or ends with it as a path: "faq/delivery.md")."""
    for s in sources:
        doc = str(getattr(s, "doc_id", s) or "")
        if doc == expected or doc.endswith("/" + expected) or doc.endswith("\\" + expected):
            return True
    return False


class GroundingScorer(ScorerBase):
    """The share of expected sources cited and expected substrings present (case-insensitively) in the
    final reply, which answers the last turn."""

    name = "grounding"

    def applies(self, case: Case) -> bool:
        return bool(case.expect.source_ids or case.expect.answer_contains)

    def evaluate(self, case: Case, replies: Sequence[Any]) -> CaseScore:
        if not replies:
            return self.result(0.0, "no replies")
        final = replies[-1]
        sources = list(getattr(final, "sources", []) or [])
        text = _plain(text_of(final))
        missing_sources = [d for d in case.expect.source_ids or [] if not cited(d, sources)]
        missing_facts = [f for f in case.expect.answer_contains or [] if _plain(f) not in text]
        total = len(case.expect.source_ids or []) + len(case.expect.answer_contains or [])
        value = (total - len(missing_sources) - len(missing_facts)) / total
        if not missing_sources and not missing_facts:
            return self.result(1.0, f"cites {', '.join(case.expect.source_ids or []) or 'what it should'} and "
                                    "carries every expected fact")
        got = ", ".join(str(getattr(s, "doc_id", s)) for s in sources) or "nothing"
        parts = []
        if missing_sources:
            parts.append(f"did not cite {', '.join(missing_sources)} (cited {got})")
        if missing_facts:
            parts.append(f"missing {', '.join(repr(f) for f in missing_facts)}")
        return self.result(value, "; ".join(parts))
