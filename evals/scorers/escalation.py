"""Escalation: did the conversation go to a person exactly when the case says it should?

Per case, the agent escalated if any turn's reply did. Across a run, :class:`EscalationStats` gives
precision, recall, F1 and the confusion matrix, overall and by trigger (``expect.escalation_reason``,
else the case's first tag other than "escalation"). A missed escalation of an angry, frustrated or
sensitive case is a *critical miss*: reported as a failure even when the aggregate passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from evals.scorers.base import CaseScore, ScorerBase
from evals.suite import Case

#: Triggers whose missed escalation is always a failure: a person in distress left with a bot.
CRITICAL_TRIGGERS = frozenset({"angry", "anger", "frustration", "frustrated", "sensitive", "crisis", "safety",
                               "distress"})
_GENERIC_TAGS = frozenset({"escalation", "escalate", "bundled"})


def trigger_of(case: Case) -> str:
    """What the case is about, for the per-trigger breakdown."""
    if case.expect.escalation_reason:
        return case.expect.escalation_reason
    return next((t for t in case.tags if t not in _GENERIC_TAGS), "unspecified")


def is_critical(case: Case) -> bool:
    """Tagged or expected as angry, frustrated or sensitive ("frustration", "rising_frustration", "sensitive:crisis")."""
    words = set()
    for label in [*case.tags, case.expect.escalation_reason or ""]:
        words |= set(re.split(r"[^a-z]+", label.lower()))
    return not words.isdisjoint(CRITICAL_TRIGGERS)


def escalation_turn(replies: Sequence[Any]) -> int | None:
    return next((i for i, r in enumerate(replies) if getattr(r, "escalated", False)), None)


class EscalationScorer(ScorerBase):
    """1 when the escalation decision (and, if given, the reason's prefix) matches the case; 0.5 for the
    right decision with the wrong reason; 0 for the wrong decision."""

    name = "escalation"

    def applies(self, case: Case) -> bool:
        return case.expect.escalate is not None

    def evaluate(self, case: Case, replies: Sequence[Any]) -> CaseScore:
        expected = bool(case.expect.escalate)
        turn = escalation_turn(replies)
        got = turn is not None
        counts = {"expected": float(expected), "escalated": float(got)}
        if got != expected:
            if expected:
                label = "critical miss: " if is_critical(case) else ""
                return self.result(0.0, f"{label}expected a hand-off to a person ({trigger_of(case)}); none came",
                                   **counts)
            reason = getattr(replies[turn], "escalation_reason", None)
            return self.result(0.0, f"escalated on turn {turn + 1} ({reason or 'no reason'}) but should not have",
                               **counts)
        if not expected:
            return self.result(1.0, "rightly kept the conversation", **counts)
        actual = getattr(replies[turn], "escalation_reason", None) or ""
        wanted = case.expect.escalation_reason
        if wanted and not actual.startswith(wanted):
            return self.result(0.5, f"escalated on turn {turn + 1} as {actual or 'no reason'!r}, expected a reason "
                                    f"starting {wanted!r}", **counts)
        return self.result(1.0, f"escalated on turn {turn + 1}" + (f" ({actual})" if actual else ""), **counts)


@dataclass
class Confusion:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, expected: bool, got: bool) -> None:
        if expected and got:
            self.tp += 1
        elif expected:
            self.fn += 1
        elif got:
            self.fp += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    def to_dict(self) -> dict[str, Any]:
        rnd = lambda x: None if x is None else round(x, 4)  # noqa: E731
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn, "precision": rnd(self.precision),
                "recall": rnd(self.recall), "f1": rnd(self.f1)}


@dataclass
class EscalationStats:
    """The run's escalation results: overall, by trigger, and the critical misses (case ids)."""

    overall: Confusion = field(default_factory=Confusion)
    by_trigger: dict[str, Confusion] = field(default_factory=dict)
    critical_misses: list[str] = field(default_factory=list)

    @classmethod
    def from_results(cls, results: Iterable[tuple[Case, CaseScore]]) -> "EscalationStats":
        stats = cls()
        for case, score in results:
            expected, got = bool(score.counts.get("expected")), bool(score.counts.get("escalated"))
            stats.overall.add(expected, got)
            stats.by_trigger.setdefault(trigger_of(case), Confusion()).add(expected, got)
            if expected and not got and is_critical(case):
                stats.critical_misses.append(case.id)
        stats.by_trigger = dict(sorted(stats.by_trigger.items()))
        return stats

    def to_dict(self) -> dict[str, Any]:
        return {"overall": self.overall.to_dict(),
                "by_trigger": {k: v.to_dict() for k, v in self.by_trigger.items()},
                "critical_misses": list(self.critical_misses)}
