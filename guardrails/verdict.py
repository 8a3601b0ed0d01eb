"""The typed verdict every rail returns. Blocking is a verdict, never an exception."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Action = Literal["allow", "redact", "repair", "block", "fallback", "escalate", "flag"]


@dataclass(frozen=True)
class Span:
    """A piece of text a rail found: ``text[start:end]`` of the checked string, with its kind."""

    type: str
    start: int
    end: int
    score: float = 1.0


@dataclass(frozen=True)
class Verdict:
    """What one rail decided about one text.

    ``category`` is a short machine-readable label of what was found ("asks_if_bot", "injection",
    "crisis", ...). ``repaired`` is the rail's safe rewrite of the text when ``action`` is "repair"
    (possibly empty, when nothing of the text could be kept).
    """

    rail: str
    passed: bool
    action: Action
    reason: str
    spans: tuple[Span, ...] = field(default_factory=tuple)
    category: str | None = None
    repaired: str | None = None

    def to_dict(self) -> dict:
        return {
            "rail": self.rail,
            "passed": self.passed,
            "action": self.action,
            "reason": self.reason,
            "category": self.category,
            "spans": [{"type": s.type, "start": s.start, "end": s.end, "score": s.score} for s in self.spans],
        }
