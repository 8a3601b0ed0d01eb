"""The escalation part of ``tactful bench``: it measures, and it says when the public data is absent."""

from __future__ import annotations

from agent.bench_escalation import escalation_speed, explicit_requests
from agent.config import TactfulConfig
from tests.conftest import shared_data


def test_speed_is_measured_per_turn():
    result = escalation_speed(TactfulConfig(), rounds=30)
    assert result["n"] == 30 and 0 < result["p50_ms"] <= result["p95_ms"]


def test_explicit_requests_are_scored_on_nlupp():
    path = shared_data("escalation_nlupp.jsonl")
    result = explicit_requests(TactfulConfig(), path.parent)
    assert result["n"] > 1000 and result["positives"] > 30
    assert result["f1"] >= 0.9, result


def test_without_the_data_there_is_no_figure(tmp_path):
    assert explicit_requests(TactfulConfig(), tmp_path) is None
