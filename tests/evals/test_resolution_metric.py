"""``resolved_without_human`` in the run summary: the share of replayed cases the assistant settled alone.

Reported beside the gated metrics, not gated by default.
"""

from __future__ import annotations

import pytest

from evals.metrics import DEFAULT_THRESHOLDS
from evals.runner import CaseResult, TurnRecord, run_suites, summarise
from evals.scorers.escalation import EscalationStats
from evals.suite import parse_case


def _turn(outcome: str = "answered", text: str = "Delivery costs £4.50.", escalated: bool = False) -> TurnRecord:
    return TurnRecord(customer="...", text=text, outcome=outcome, disclosed=True, escalated=escalated,
                      escalation_reason="customer_request" if escalated else None, sources=[], verdicts=[],
                      sentiment=None, latency_ms=1.0, empathy=None)


def _case(case_id: str, *turns: TurnRecord, error: str | None = None) -> CaseResult:
    return CaseResult(suite="s", case=parse_case({"id": case_id, "turns": ["hi"] * max(1, len(turns))}),
                      turns=list(turns), error=error)


def _resolved(*results: CaseResult) -> float | None:
    return summarise(list(results), EscalationStats(), 1.0)["resolved_without_human"]


def test_a_case_answered_to_the_end_without_a_person_is_resolved():
    assert _resolved(_case("a", _turn("greeted"), _turn("extractive"))) == 1.0


@pytest.mark.parametrize("final", [
    _turn("unknown", "I'm not sure about that one."),
    _turn("declined", "I can only help with questions about the bakery."),
    _turn("answered", "I can't help with that, sorry."),  # declined in words, whatever the outcome says
    _turn("handoff_offered", "Would you like me to pass this to a person?"),
    _turn("model_unavailable", "Sorry, something went wrong on our side."),
])
def test_a_final_reply_that_refuses_does_not_know_or_cannot_work_is_not_resolved(final):
    assert _resolved(_case("a", _turn(), final)) == 0.0


def test_a_hand_off_on_any_turn_or_an_agent_error_is_not_resolved():
    handed = _case("handed", _turn(escalated=True, outcome="handed_off"), _turn())  # answered after the hand-off
    broken = _case("broken", _turn(), error="turn 2: RuntimeError: boom")
    silent = _case("silent", error="turn 1: RuntimeError: boom")
    assert _resolved(handed, broken, silent, _case("fine", _turn()), _case("fine-too", _turn())) == 0.4
    assert _resolved() is None


def test_it_is_reported_on_a_real_run_and_is_not_a_gate(extractive_agent, write_suite):
    suite = write_suite("mixed", [
        {"id": "delivery", "turns": ["How much is delivery?"]},
        {"id": "person", "turns": ["Can I talk to a human please?"]},
        {"id": "weather", "turns": ["What will the weather be like tomorrow?"]},
        {"id": "refund", "turns": ["My loaf was stale, can I get a refund?"]},
    ])
    report = run_suites([suite], extractive_agent)
    assert report.metrics["resolved_without_human"] == 0.5  # delivery and refund; not the hand-off or weather
    assert "resolved_without_human" not in DEFAULT_THRESHOLDS
    assert report.passed and all(check.metric != "resolved_without_human" for check in report.checks)
