"""``ModelGateway``: the one place where model calls get timeouts, retries and streaming.

Retries (tenacity, bounded exponential backoff) cover connection failures, timeouts, rate limits
and server errors, and only before the first token: a stream that dies halfway is not replayed,
so the customer never sees text twice. After the last attempt a ``ModelUnavailable`` says what
failed for the operator; the turn pipeline turns it into a kind reply.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterator

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from tenacity import RetryError, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from agent.errors import ModelUnavailable
from agent.llm.base import ChatMessage

_RETRYABLE_NAMES = {"APIConnectionError", "APITimeoutError", "RateLimitError", "InternalServerError",
                    "ServiceUnavailableError", "ConnectError", "ReadTimeout", "ConnectTimeout", "RemoteProtocolError"}


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, AssertionError):
        return False  # a test double out of replies: fail loudly
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status >= 500 or status in (408, 409, 429)
    return isinstance(exc, (ConnectionError, TimeoutError, ModelUnavailable)) or type(exc).__name__ in _RETRYABLE_NAMES


@dataclass
class CallStats:
    attempts: int = 0
    time_to_first_token_s: float | None = None
    latency_s: float | None = None


class _Done:
    pass


class ModelGateway:
    def __init__(self, chat_model: BaseChatModel, *, timeout_s: float = 30.0, max_retries: int = 2,
                 backoff_s: float = 0.2, describe: str | None = None) -> None:
        self.chat_model = chat_model
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.describe = describe or getattr(chat_model, "_llm_type", type(chat_model).__name__)
        self.stats = CallStats()

    @staticmethod
    def to_langchain(messages: list[ChatMessage]) -> list[BaseMessage]:
        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        return [kinds[m.role](content=m.content) for m in messages]

    def complete(self, messages: list[ChatMessage], *, max_tokens: int = 160, temperature: float = 0.2) -> str:
        return "".join(self.stream(messages, max_tokens=max_tokens, temperature=temperature))

    def stream(self, messages: list[ChatMessage], *, max_tokens: int = 160, temperature: float = 0.2) -> Iterator[str]:
        """Text deltas, within ``timeout_s`` in all, retried before the first token only."""
        lc_messages = self.to_langchain(messages)
        started = time.perf_counter()
        deadline = started + self.timeout_s
        self.stats = CallStats()
        retrying = Retrying(stop=stop_after_attempt(self.max_retries + 1),
                            wait=wait_exponential(multiplier=self.backoff_s, min=self.backoff_s, max=2.0),
                            retry=retry_if_exception(is_retryable), reraise=False)
        try:
            for attempt in retrying:
                with attempt:
                    self.stats.attempts = attempt.retry_state.attempt_number
                    source = _ThreadedStream(self.chat_model, lc_messages, max_tokens, temperature)
                    first = source.next(deadline)
        except RetryError as exc:
            cause = exc.last_attempt.exception()
            raise self._unavailable(cause) from cause
        except AssertionError:
            raise
        except Exception as exc:  # not retryable (bad request, auth): still the operator's problem
            raise self._unavailable(exc) from exc
        self.stats.time_to_first_token_s = time.perf_counter() - started
        if first is None:
            self.stats.latency_s = self.stats.time_to_first_token_s
            return
        yield first
        try:
            while (delta := source.next(deadline)) is not None:
                yield delta
        except Exception as exc:
            raise self._unavailable(exc, midway=True) from exc
        finally:
            source.close()
            self.stats.latency_s = time.perf_counter() - started

    def _unavailable(self, cause: BaseException | None, midway: bool = False) -> ModelUnavailable:
        what = "timed out" if isinstance(cause, TimeoutError) else f"failed ({type(cause).__name__}: {cause})"
        when = " halfway through its answer" if midway else ""
        return ModelUnavailable(f"the model ({self.describe}) {what}{when} after {self.stats.attempts} attempt(s) "
                                f"within {self.timeout_s:g} s", attempts=self.stats.attempts)


class _ThreadedStream:
    """Consumes a chat model's stream in a worker thread so a deadline holds even for in-process models."""

    def __init__(self, model: BaseChatModel, messages: list[BaseMessage], max_tokens: int, temperature: float) -> None:
        self._queue: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(model, messages, max_tokens, temperature),
                                        name="tactful-model-stream", daemon=True)
        self._thread.start()

    def _run(self, model: BaseChatModel, messages: list[BaseMessage], max_tokens: int, temperature: float) -> None:
        try:
            for chunk in model.stream(messages, max_tokens=max_tokens, temperature=temperature):
                if self._stop.is_set():
                    break
                text = chunk.content if isinstance(chunk.content, str) else str(chunk.content)
                if text:
                    self._queue.put(text)
        except BaseException as exc:  # handed to the consumer thread
            self._queue.put(exc)
        finally:
            self._queue.put(_Done)

    def next(self, deadline: float) -> str | None:
        """The next delta, None at the end; raises the model's error, or TimeoutError past the deadline."""
        remaining = deadline - time.perf_counter()
        try:
            item = self._queue.get(timeout=max(remaining, 0.0)) if remaining > 0 else self._queue.get_nowait()
        except queue.Empty:
            self.close()
            raise TimeoutError("no answer before the deadline") from None
        if item is _Done:
            return None
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        self._stop.set()
