"""ModelGateway: retries, deadlines and streaming, pinned down with the scripted model."""

from __future__ import annotations

import time

import pytest

from agent.errors import ModelUnavailable
from agent.llm import ChatMessage, Interrupted, ModelGateway, ScriptedChatModel, ScriptedModelExhausted
from agent.llm.gateway import is_retryable

QUESTION = [ChatMessage("system", "You answer for a bakery."), ChatMessage("user", "Do you deliver?")]
FAST_BACKOFF = (0.01, 0.02)


class FakeStatusError(Exception):
    """Shaped like openai's APIStatusError: an HTTP status on the exception."""

    def __init__(self, status_code: int, message: str = "") -> None:
        super().__init__(message or f"HTTP {status_code}")
        self.status_code = status_code


def gateway(model: ScriptedChatModel, *, timeout_s: float = 5.0, max_retries: int = 2) -> ModelGateway:
    return ModelGateway(model, timeout_s=timeout_s, max_retries=max_retries, backoff_s=FAST_BACKOFF)


def test_complete_returns_the_answer_and_passes_the_messages_and_options():
    model = ScriptedChatModel(replies=["Yes, within two miles."])
    g = gateway(model)

    assert g.complete(QUESTION, max_tokens=60, temperature=0.1) == "Yes, within two miles."
    assert [(m.type, m.content) for m in model.calls[0]] == [("system", "You answer for a bakery."),
                                                            ("human", "Do you deliver?")]
    assert model.call_options[0] == {"max_tokens": 60, "temperature": 0.1}
    assert g.stats.attempts == 1 and g.stats.latency_s is not None and g.stats.error is None


def test_assistant_turns_become_ai_messages():
    model = ScriptedChatModel(replies=["Tuesday."])
    gateway(model).complete([ChatMessage("user", "Hi"), ChatMessage("assistant", "Hello!"),
                             ChatMessage("user", "Which day are you closed?")])

    assert [m.type for m in model.calls[0]] == ["human", "ai", "human"]


def test_stream_yields_deltas_as_they_come():
    model = ScriptedChatModel(replies=["We deliver within two miles of the shop."])
    g = gateway(model)

    deltas = list(g.stream(QUESTION))

    assert len(deltas) == 8
    assert "".join(deltas) == "We deliver within two miles of the shop."
    assert g.stats.time_to_first_token_s is not None
    assert g.stats.time_to_first_token_s <= g.stats.latency_s


def test_connection_errors_are_retried_then_the_answer_comes():
    model = ScriptedChatModel(replies=[ConnectionError("refused"), FakeStatusError(503), "Back online."])
    g = gateway(model, max_retries=2)

    assert g.complete(QUESTION) == "Back online."
    assert g.stats.attempts == 3
    assert len(model.calls) == 3


def test_retries_spent_raise_model_unavailable_with_the_attempts_and_the_cause():
    model = ScriptedChatModel(replies=[FakeStatusError(500, "boom")] * 3)
    g = gateway(model, max_retries=2)

    with pytest.raises(ModelUnavailable) as caught:
        list(g.stream(QUESTION))

    assert caught.value.attempts == 3
    assert "the scripted model failed" in str(caught.value) and "boom" in str(caught.value)
    assert "(3 attempts)" in str(caught.value)
    assert isinstance(caught.value.__cause__, FakeStatusError)
    assert model.remaining == 0 and g.stats.error == str(caught.value)


def test_an_auth_error_is_not_retried_and_says_what_to_check():
    model = ScriptedChatModel(replies=[FakeStatusError(401, "invalid api key"), "never reached"])

    with pytest.raises(ModelUnavailable, match=r"refused the request.*invalid api key.*llm\.api_key") as caught:
        gateway(model).complete(QUESTION)

    assert caught.value.attempts == 1
    assert model.remaining == 1  # one call only


def test_a_rate_limit_is_retried():
    model = ScriptedChatModel(replies=[FakeStatusError(429, "slow down"), "Done."])

    assert gateway(model).complete(QUESTION) == "Done."


def test_a_slow_model_times_out_at_the_deadline_and_is_not_retried():
    model = ScriptedChatModel(replies=["Too late."] * 3, delay_s=2.0)
    g = gateway(model, timeout_s=0.3, max_retries=2)

    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match=r"the scripted model timed out after 0\.3 s \(1 attempt\)") as caught:
        g.complete(QUESTION)

    assert time.monotonic() - started < 1.0  # the caller stopped waiting; the model was still sleeping
    assert caught.value.attempts == 1


def test_the_deadline_covers_the_whole_stream_not_only_the_first_token():
    model = ScriptedChatModel(replies=["one two three four five six seven eight"], chunk_delay_s=0.2)
    g = gateway(model, timeout_s=0.5)
    received = []

    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match="timed out after 0.5 s partway through its answer"):
        for delta in g.stream(QUESTION):
            received.append(delta)

    assert time.monotonic() - started < 1.0
    assert 1 <= len(received) < 8


def test_a_stream_dying_halfway_is_not_retried_and_no_text_is_repeated():
    model = ScriptedChatModel(replies=[Interrupted("We deliver within", ConnectionError("connection reset")),
                                       "We deliver within two miles."])
    g = gateway(model)
    received = []

    with pytest.raises(ModelUnavailable, match="partway through its answer.*connection reset") as caught:
        for delta in g.stream(QUESTION):
            received.append(delta)

    assert "".join(received) == "We deliver within"
    assert caught.value.attempts == 1
    assert model.remaining == 1  # the second reply was never asked for


def test_a_failure_before_the_first_token_of_a_stream_is_retried():
    model = ScriptedChatModel(replies=[Interrupted("", ConnectionError("reset")), "Yes."])
    g = gateway(model)

    assert list(g.stream(QUESTION)) == ["Yes."]
    assert g.stats.attempts == 2


def test_complete_retries_even_a_broken_stream_since_nothing_was_shown():
    model = ScriptedChatModel(replies=[Interrupted("We deliver", ConnectionError("reset")), "We deliver daily."])

    assert gateway(model).complete(QUESTION) == "We deliver daily."


def test_stopping_early_closes_the_models_stream():
    model = ScriptedChatModel(replies=["one two three four five six", "next"], chunk_delay_s=0.05)
    g = gateway(model)

    stream = g.stream(QUESTION)
    assert next(stream) == "one "
    stream.close()

    assert g.complete(QUESTION) == "next"  # the gateway is ready for the next call


def test_a_test_double_out_of_replies_is_not_mistaken_for_an_outage():
    with pytest.raises(ScriptedModelExhausted):
        gateway(ScriptedChatModel(replies=[])).complete(QUESTION)


def test_bugs_propagate_unchanged():
    model = ScriptedChatModel(replies=[TypeError("bad argument")])

    with pytest.raises(TypeError, match="bad argument"):
        gateway(model).complete(QUESTION)


def test_an_empty_answer_is_an_empty_stream():
    g = gateway(ScriptedChatModel(replies=[""]))

    assert list(g.stream(QUESTION)) == []
    assert g.stats.time_to_first_token_s is None


def test_which_errors_are_retried():
    assert is_retryable(ConnectionError()) and is_retryable(TimeoutError())
    assert all(is_retryable(FakeStatusError(code)) for code in (408, 429, 500, 502, 503))
    assert not any(is_retryable(FakeStatusError(code)) for code in (400, 401, 403, 404, 422))
    assert not is_retryable(ValueError("bug")) and not is_retryable(AssertionError())


def test_an_unknown_role_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown chat role 'tool'"):
        gateway(ScriptedChatModel(replies=["x"])).complete([ChatMessage("tool", "{}")])  # type: ignore[arg-type]
