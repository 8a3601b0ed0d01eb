"""The model's circuit breaker: a dead model is left alone for a while, and the customer is answered
from the passages at once instead of after every retry and deadline."""

from __future__ import annotations

import time

import pytest

from agent.errors import ModelUnavailable
from agent.llm import ChatMessage, ModelGateway, ScriptedChatModel
from agent.llm.circuit import CircuitBreaker
from tests.conftest import extractive_env

QUESTION = [ChatMessage("user", "Do you deliver?")]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_circuit_opens_after_failures_in_a_row_and_tries_once_after_the_cooldown():
    clock = Clock()
    breaker = CircuitBreaker(failures=3, cooldown_s=30, clock=clock)
    for _ in range(2):
        breaker.before_call()
        breaker.record_failure()
    breaker.before_call()
    breaker.record_success()  # a success in between: the count starts again
    for _ in range(3):
        breaker.before_call()
        breaker.record_failure()
    assert breaker.state == "open"
    with pytest.raises(ModelUnavailable, match="circuit open"):
        breaker.before_call()
    clock.now = 31
    assert breaker.state == "half-open"
    breaker.before_call()  # the one trial call
    with pytest.raises(ModelUnavailable):
        breaker.before_call()  # others keep failing fast while it runs
    breaker.record_failure()  # the trial failed: another cooldown
    with pytest.raises(ModelUnavailable):
        breaker.before_call()
    clock.now = 62
    breaker.before_call()
    breaker.record_success()
    assert breaker.state == "closed"
    breaker.before_call()


def test_an_open_circuit_stops_calling_the_model_and_fails_at_once():
    model = ScriptedChatModel(replies=[ConnectionError("refused")] * 6 + ["We deliver within 3 miles."])
    gateway = ModelGateway(model, timeout_s=5, max_retries=1, backoff_s=(0.01, 0.02),
                           breaker=CircuitBreaker(failures=2, cooldown_s=60))
    for _ in range(2):
        with pytest.raises(ModelUnavailable):
            gateway.complete(QUESTION)
    calls = len(model.calls)
    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match="circuit open"):
        gateway.complete(QUESTION)
    assert len(model.calls) == calls and time.monotonic() - started < 2.0  # no call, and not the 5 s timeout


def test_customers_get_answers_from_the_passages_while_the_model_is_down(tmp_path, minilm):
    from agent.assembly import build_agent
    from agent.config import load_config

    docs = {"delivery.md": "# Delivery\n\nWe deliver within 3 miles of the shop. Delivery costs £4.50.\n"}
    model = ScriptedChatModel(replies=[ConnectionError("refused")] * 20)
    agent = build_agent(config=load_config(environ=extractive_env(tmp_path, docs)), embedder=minilm,
                        chat_model=model)
    agent.gateway.breaker = CircuitBreaker(failures=2, cooldown_s=60)
    agent.gateway.backoff_s = (0.01, 0.02)
    try:
        replies = [agent.respond("How much does delivery cost?") for _ in range(4)]
        assert all("£4.50" in r.text for r in replies)
        assert agent.gateway.breaker.state == "open"
        calls = len(model.calls)
        agent.respond("Do you deliver to my street?")
        assert len(model.calls) == calls  # the dead model was not asked again
    finally:
        agent.close()
