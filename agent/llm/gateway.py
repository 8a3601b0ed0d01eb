"""``ModelGateway``: the one place where model calls get a deadline, retries and streaming.

    gateway = ModelGateway(chat_model, timeout_s=30, max_retries=2)
    for delta in gateway.stream([ChatMessage("user", "Do you deliver?")], max_tokens=160):
        print(delta, end="")

- ``timeout_s`` is a total deadline for one call, retries and backoff included. It holds even for
  the in-process model: the chat model's stream is consumed in a worker thread, and the caller
  stops waiting at the deadline (the worker then closes the model's stream, which cancels
  generation at the next token; see ``LocalLlamaChatModel``).
- Retries (tenacity, exponential backoff 0.2 s -> 2 s with jitter) cover connection errors,
  timeouts, rate limits (429) and server errors (5xx), never 4xx such as a bad API key. A stream is
  retried only while no text has been yielded, so a customer never sees the same words twice.
- A ``CircuitBreaker`` (``llm.circuit_failures`` outages in a row) stops calling a dead model for
  ``llm.circuit_cooldown_s``: calls fail at once instead of every customer waiting out the deadline.
- When the model cannot answer, ``ModelUnavailable(message, attempts=n)`` says what failed in words
  for an operator; the turn pipeline turns it into a kind reply. Errors with no HTTP status that
  are not transport errors (bugs, ``ScriptedModelExhausted``) propagate unchanged.
"""

from __future__ import annotations

import contextvars
import logging
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from tenacity import (RetryCallState, Retrying, retry_if_exception, stop_after_attempt, stop_before_delay,
                      wait_exponential, wait_random)

from agent.errors import ModelUnavailable, ServiceUnavailable
from agent.llm.base import ChatMessage
from agent.llm.circuit import CircuitBreaker

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Status codes worth another try: request timeout, conflict, too early, rate limited; and every 5xx.
RETRYABLE_STATUS = frozenset({408, 409, 425, 429})
#: Transport errors of openai and httpx, recognised by class name so this module imports neither.
TRANSPORT_ERROR_NAMES = frozenset({"APIConnectionError", "APITimeoutError", "TransportError"})
TIMEOUT_ERROR_NAMES = frozenset({"APITimeoutError", "TimeoutException"})
_LANGCHAIN_MESSAGE = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}


class DeadlinePassed(TimeoutError):
    """The call's total deadline passed while waiting for the model (never retried: no time is left)."""


def status_code(exc: BaseException) -> int | None:
    """The HTTP status an error carries (openai's APIStatusError, httpx's HTTPStatusError), if any."""
    for candidate in (getattr(exc, "status_code", None), getattr(getattr(exc, "response", None), "status_code", None)):
        if isinstance(candidate, int):
            return candidate
    return None


def is_retryable(exc: BaseException) -> bool:
    """Connection errors, timeouts, rate limits and 5xx are worth retrying; 4xx and bugs are not."""
    if isinstance(exc, (AssertionError, DeadlinePassed)):
        return False
    status = status_code(exc)
    if status is not None:
        return status >= 500 or status in RETRYABLE_STATUS
    if isinstance(exc, (ConnectionError, TimeoutError, ServiceUnavailable)):
        return True
    return any(cls.__name__ in TRANSPORT_ERROR_NAMES for cls in type(exc).__mro__)


def is_timeout(exc: BaseException) -> bool:
    """Our deadline, or a client's own timeout (openai's APITimeoutError, httpx's TimeoutException)."""
    return isinstance(exc, TimeoutError) or any(cls.__name__ in TIMEOUT_ERROR_NAMES for cls in type(exc).__mro__)


def is_outage(exc: BaseException) -> bool:
    """The model could not answer (down, slow, refused), as opposed to a bug in the code calling it."""
    if isinstance(exc, AssertionError):
        return False
    return isinstance(exc, DeadlinePassed) or status_code(exc) is not None or is_retryable(exc)


def to_langchain_messages(messages: list[ChatMessage]) -> list[BaseMessage]:
    try:
        return [_LANGCHAIN_MESSAGE[m.role](content=m.content) for m in messages]
    except KeyError as exc:
        raise ValueError(f"unknown chat role {exc.args[0]!r}: use 'system', 'user' or 'assistant'") from None


def describe_model(chat_model: BaseChatModel) -> str:
    """How an operator recognises the model in an error message: its address, file or kind."""
    base_url = getattr(chat_model, "openai_api_base", None)
    name = getattr(chat_model, "model_name", None)
    if name is not None and hasattr(chat_model, "openai_api_base"):
        return f"the model '{name}' at {base_url or 'https://api.openai.com/v1'}"
    path = getattr(chat_model, "model_path", None)
    if path:
        return f"the embedded model {Path(str(path)).name}"
    return f"the {chat_model._llm_type} model"


@dataclass
class CallStats:
    """What the last call cost: attempts made, seconds to the first text and in all, and how it ended."""

    attempts: int = 0
    time_to_first_token_s: float | None = None
    latency_s: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class ToolCall:
    """A function the model asked to call, with its arguments (already parsed from JSON)."""

    name: str
    arguments: dict[str, Any]


class ModelGateway:
    """Deadline, retries and streaming around any LangChain chat model; speaks ``ChatMessage``."""

    def __init__(self, chat_model: BaseChatModel, *, timeout_s: float = 30.0, max_retries: int = 2,
                 backoff_s: tuple[float, float] = (0.2, 2.0), description: str | None = None,
                 breaker: CircuitBreaker | None = None) -> None:
        if timeout_s <= 0 or max_retries < 0:
            raise ValueError("timeout_s must be positive and max_retries at least 0")
        self.chat_model = chat_model
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.description = description or describe_model(chat_model)
        self.breaker = breaker
        self.stats = CallStats()

    def complete(self, messages: list[ChatMessage], *, max_tokens: int | None = None,
                 temperature: float | None = None) -> str:
        """The whole answer. Nothing is shown before it returns, so any retryable failure is retried."""
        stats, started, deadline = self._begin()

        def whole_answer(pump: _StreamPump) -> str:
            parts = []
            while (delta := pump.next(deadline)) is not None:
                parts.append(delta)
            return "".join(parts)

        try:
            pump, text = self._with_retries(messages, max_tokens, temperature, stats, deadline, whole_answer)
            pump.close()
            stats.time_to_first_token_s = pump.first_delta_s(started)
            return text
        finally:
            stats.latency_s = time.monotonic() - started

    def stream(self, messages: list[ChatMessage], *, max_tokens: int | None = None,
               temperature: float | None = None) -> Iterator[str]:
        """Text deltas as the model writes them. Retried only before the first delta; a failure after
        it raises ``ModelUnavailable`` and the text already yielded stands (nothing is repeated)."""
        stats, started, deadline = self._begin()
        try:
            pump, first = self._with_retries(messages, max_tokens, temperature, stats, deadline,
                                             lambda p: p.next(deadline))
        except BaseException:
            stats.latency_s = time.monotonic() - started
            raise
        try:
            if first is None:
                return
            stats.time_to_first_token_s = time.monotonic() - started
            yield first
            while (delta := pump.next(deadline)) is not None:
                yield delta
        except Exception as exc:
            if not is_outage(exc):
                raise
            self._failed()
            error = self._unavailable(exc, stats, midway=True)
            raise error from exc
        finally:
            pump.close()  # also when the caller stops early: the model stops generating
            stats.latency_s = time.monotonic() - started

    def choose_tool(self, messages: list[ChatMessage], tools: list[dict[str, Any]]) -> ToolCall | None:
        """The tool the model calls for ``messages`` among ``tools`` (OpenAI function schemas), or None: it
        called none, the model cannot call tools, or it failed. Never raises: the caller goes on without a
        tool, so a model that is down costs nothing here but the (client's own) timeout."""
        try:
            if self.breaker is not None:
                self.breaker.before_call()
            bound = self.chat_model.bind_tools(tools)
        except (NotImplementedError, ModelUnavailable):
            return None
        try:
            message = bound.invoke(to_langchain_messages(messages))
        except Exception as exc:  # any failure: no tool, and the breaker hears of an outage
            log.warning("the model could not choose a tool: %s", _reason(exc))
            if is_outage(exc):
                self._failed()
            return None
        if self.breaker is not None:
            self.breaker.record_success()
        names = {tool["function"]["name"] for tool in tools}
        for call in getattr(message, "tool_calls", None) or []:
            if call.get("name") in names and isinstance(call.get("args"), dict):
                return ToolCall(call["name"], dict(call["args"]))
        return None

    # -- internals ------------------------------------------------------------------------------
    def _failed(self) -> None:
        if self.breaker is not None:
            self.breaker.record_failure()

    def _begin(self) -> tuple[CallStats, float, float]:
        self.stats = stats = CallStats()
        started = time.monotonic()
        return stats, started, started + self.timeout_s

    def _with_retries(self, messages: list[ChatMessage], max_tokens: int | None, temperature: float | None,
                      stats: CallStats, deadline: float, first_result: Callable[[_StreamPump], T],
                      ) -> tuple[_StreamPump, T]:
        """Start the model's stream and get ``first_result`` from it, retrying retryable failures."""
        lc_messages = to_langchain_messages(messages)
        if self.breaker is not None:
            self.breaker.before_call()  # open: ModelUnavailable at once, no waiting
        options: dict[str, Any] = {}
        if max_tokens is not None:
            options["max_tokens"] = max_tokens
        if temperature is not None:
            options["temperature"] = temperature
        initial, longest = self.backoff_s
        retrying = Retrying(
            stop=stop_after_attempt(self.max_retries + 1) | stop_before_delay(max(deadline - time.monotonic(), 0)),
            wait=wait_exponential(multiplier=initial, min=initial, max=longest) + wait_random(0, initial / 2),
            retry=retry_if_exception(is_retryable),
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    stats.attempts = attempt.retry_state.attempt_number
                    pump = _StreamPump(self.chat_model, lc_messages, options)
                    try:
                        result = pump, first_result(pump)
                    except BaseException:
                        pump.close()
                        raise
                    if self.breaker is not None:
                        self.breaker.record_success()
                    return result
        except Exception as exc:
            if not is_outage(exc):
                raise  # a bug, or a test double out of replies: it must stay visible
            self._failed()
            error = self._unavailable(exc, stats)
            raise error from exc
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.warning("%s failed (%s), retrying in %.1f s (attempt %d of %d)", self.description, _reason(exc),
                    state.upcoming_sleep, state.attempt_number + 1, self.max_retries + 1)

    def _unavailable(self, exc: BaseException, stats: CallStats, midway: bool = False) -> ModelUnavailable:
        n = stats.attempts
        attempts = f"{n} attempt{'s' if n != 1 else ''}"
        status = status_code(exc)
        partway = " partway through its answer" if midway else ""
        if is_timeout(exc):
            what = f"timed out after {self.timeout_s:g} s{partway}"
        elif status is not None and not is_retryable(exc):
            hint = {401: "; check llm.api_key (TACTFUL_LLM__API_KEY or OPENAI_API_KEY)",
                    403: "; check llm.api_key and the key's permissions",
                    404: "; check llm.model and llm.base_url"}.get(status, "")
            what = f"refused the request{partway} ({_reason(exc)}){hint}; not retried"
        else:
            what = f"failed{partway}: {_reason(exc)}"
        message = f"{self.description} {what} ({attempts})"
        stats.error = message
        return ModelUnavailable(message, attempts=n)


def _reason(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    text = " ".join(str(exc).split())
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


_DELTA, _END, _ERROR = "delta", "end", "error"


class _StreamPump:
    """Consumes one ``chat_model.stream(...)`` in a daemon thread and hands its text over a queue, so the
    caller can stop waiting at a deadline even while the model blocks (an in-process model does)."""

    def __init__(self, chat_model: BaseChatModel, messages: list[BaseMessage], options: dict[str, Any]) -> None:
        self._queue: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._first_delta_at: float | None = None
        context = contextvars.copy_context()  # keeps LangChain tracing and callbacks of the caller
        self._thread = threading.Thread(target=context.run, args=(self._run, chat_model, messages, options),
                                        name="tactful-model-stream", daemon=True)
        self._thread.start()

    def _run(self, chat_model: BaseChatModel, messages: list[BaseMessage], options: dict[str, Any]) -> None:
        item: tuple[str, Any] = (_END, None)
        chunks = chat_model.stream(messages, **options)
        try:
            for chunk in chunks:
                if self._stop.is_set():
                    break
                text = chunk.content if isinstance(chunk.content, str) else chunk.text
                if text:
                    if self._first_delta_at is None:
                        self._first_delta_at = time.monotonic()
                    self._queue.put((_DELTA, text))
        except BaseException as exc:  # handed to the waiting caller, never lost in this thread
            item = (_ERROR, exc)
        finally:
            try:
                chunks.close()  # stops the model's own stream: cancels generation, frees the connection
            except Exception:  # pragma: no cover - closing is best effort
                log.debug("closing the model stream failed", exc_info=True)
        self._queue.put(item)

    def next(self, deadline: float) -> str | None:
        """The next text delta; None at the end. Raises the model's error, or ``DeadlinePassed``."""
        try:
            kind, value = self._queue.get_nowait()  # what already arrived is delivered, even late
        except queue.Empty:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.close()
                raise DeadlinePassed("no answer before the deadline") from None
            try:
                kind, value = self._queue.get(timeout=remaining)
            except queue.Empty:
                self.close()
                raise DeadlinePassed("no answer before the deadline") from None
        if kind == _DELTA:
            return value
        if kind == _ERROR:
            raise value
        return None

    def first_delta_s(self, since: float) -> float | None:
        return None if self._first_delta_at is None else self._first_delta_at - since

    def close(self) -> None:
        """Ask the worker to stop at the next chunk; it closes the model's stream. Never blocks."""
        self._stop.set()
