"""``ScriptedChatModel``: a deterministic LangChain chat model for tests that fails loudly when it runs out.

    model = ScriptedChatModel(replies=["We open at 7.", ConnectionError("refused")], delay_s=0.0)
    model.enqueue(Interrupted("Delivery costs", ConnectionError("connection reset")))

A reply is a string (streamed word by word), an exception instance (raised when reached, to test
failures and retries), an ``Interrupted`` (some words, then an error: a stream dying halfway) or a
``CallTool`` (the model calls a function, for code that offers it tools with ``bind_tools``).
``delay_s`` waits before each reply and ``chunk_delay_s`` between streamed words, to test timeouts.
Every call is recorded: ``calls`` holds the messages received, ``call_options`` the keyword options.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterator, Union

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field, PrivateAttr


class ScriptedModelExhausted(AssertionError):
    """The code under test asked the scripted model for more replies than the test scripted."""


@dataclass(frozen=True)
class Interrupted:
    """A reply whose stream gives ``text`` word by word and then fails with ``error``."""

    text: str
    error: BaseException


@dataclass(frozen=True)
class CallTool:
    """A reply that calls the function ``name`` with ``args`` (what an OpenAI-compatible model sends as tool_calls)."""

    name: str
    args: dict


ScriptedReply = Union[str, BaseException, Interrupted, CallTool]


def split_words(text: str) -> list[str]:
    """``"a b  c"`` -> ``["a ", "b  ", "c"]``: each word with the whitespace after it, so the parts join back exactly."""
    return re.findall(r"\s*\S+\s*", text) if text.strip() else ([text] if text else [])


class ScriptedChatModel(BaseChatModel):
    """Gives ``replies`` in order, records what it was asked, and raises ``ScriptedModelExhausted`` when out."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    replies: list[Any] = Field(default_factory=list, description="str, exception instance or Interrupted, in order.")
    delay_s: float = Field(0.0, ge=0, description="Seconds to wait before each reply (before its first word).")
    chunk_delay_s: float = Field(0.0, ge=0, description="Seconds to wait between streamed words.")
    calls: list[list[BaseMessage]] = Field(default_factory=list, description="The messages of every call, in order.")
    call_options: list[dict[str, Any]] = Field(default_factory=list, description="The options of every call.")

    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def enqueue(self, *replies: ScriptedReply) -> "ScriptedChatModel":
        """Add replies after the ones still waiting."""
        with self._lock:
            self.replies.extend(replies)
        return self

    @property
    def remaining(self) -> int:
        return len(self.replies)

    def _next_reply(self, messages: list[BaseMessage], options: dict[str, Any]) -> ScriptedReply:
        with self._lock:
            self.calls.append(list(messages))
            self.call_options.append(dict(options))
            if not self.replies:
                last = str(messages[-1].content)[:120] if messages else ""
                raise ScriptedModelExhausted(
                    f"ScriptedChatModel ran out of replies: call {len(self.calls)} was not scripted "
                    f"(its last message: {last!r}). Add replies with replies=[...] or enqueue(...).")
            reply = self.replies.pop(0)
        if self.delay_s:
            time.sleep(self.delay_s)
        if isinstance(reply, BaseException):
            raise reply
        if not isinstance(reply, (str, Interrupted, CallTool)):
            raise TypeError(f"ScriptedChatModel: a reply must be a str, an exception, Interrupted or CallTool, "
                            f"not {reply!r}")
        return reply

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        """Offer functions as OpenAI-compatible models take them; the schemas are recorded in ``call_options``."""
        from langchain_core.utils.function_calling import convert_to_openai_tool

        return self.bind(tools=[convert_to_openai_tool(tool) for tool in tools], **kwargs)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        reply = self._next_reply(messages, kwargs)
        if isinstance(reply, Interrupted):
            raise reply.error  # without streaming, a broken answer is no answer
        if isinstance(reply, CallTool):
            call = {"name": reply.name, "args": dict(reply.args), "id": f"call_{len(self.calls)}", "type": "tool_call"}
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content="", tool_calls=[call]))])
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=reply))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        reply = self._next_reply(messages, kwargs)
        if isinstance(reply, CallTool):
            raise TypeError("ScriptedChatModel: a CallTool reply was reached by a streamed call; script it for the "
                            "tool choice (invoke), not for an answer")
        text = reply.text if isinstance(reply, Interrupted) else reply
        for i, word in enumerate(split_words(text)):
            if i and self.chunk_delay_s:
                time.sleep(self.chunk_delay_s)
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=word))
            if run_manager:
                run_manager.on_llm_new_token(word, chunk=chunk)
            yield chunk
        if isinstance(reply, Interrupted):
            raise reply.error
        if not text:
            yield ChatGenerationChunk(message=AIMessageChunk(content=""))  # LangChain wants at least one chunk
