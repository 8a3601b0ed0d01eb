"""Empathy over a whole conversation: each reply scored against the message it answers."""

from __future__ import annotations

from typing import Any, Sequence

from evals.score import Score
from evals.scorers.base import CaseScore, ScorerBase, silent, text_of
from evals.scorers.empathy import EmpathyScorer
from evals.suite import Case


class ConversationEmpathyScorer(ScorerBase):
    """The mean empathy of a case's replies; the case passes when it reaches ``expect.min_empathy`` (if set)."""

    name = "empathy"

    def __init__(self, scorer: EmpathyScorer | None = None) -> None:
        self.scorer = scorer or EmpathyScorer()

    def applies(self, case: Case) -> bool:
        return True

    def per_turn(self, case: Case, replies: Sequence[Any]) -> list[Score | None]:
        """Each reply's score; None where the assistant stayed silent because a person has the conversation."""
        return [None if silent(reply) else self.scorer.score(turn, text_of(reply))
                for turn, reply in zip(case.turns, replies)]

    def evaluate(self, case: Case, replies: Sequence[Any]) -> CaseScore:
        return self.combine(case, self.per_turn(case, replies))

    def combine(self, case: Case, per_turn: Sequence[Score | None]) -> CaseScore:
        """The case's result from its replies' scores (the runner keeps the per-turn scores too)."""
        scored = [(i, s) for i, s in enumerate(per_turn) if s is not None]
        if not scored:
            return self.result(0.0, "no replies", passed=False)
        mean = sum(s.value for _, s in scored) / len(scored)
        weakest, worst = min(scored, key=lambda pair: pair[1].value)
        reason = worst.reason if len(scored) == 1 else \
            f"mean of {len(scored)} replies; weakest is turn {weakest + 1} ({worst.value:.2f}): {worst.reason}"
        floor = case.expect.min_empathy
        passed = True if floor is None else mean >= floor - 1e-9
        if floor is not None and not passed:
            reason = f"below the case's min_empathy {floor}: {reason}"
        return self.result(mean, reason, passed=passed)
