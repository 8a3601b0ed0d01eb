"""The LLM seam: every provider is a LangChain chat model, called through one ``ModelGateway``.

    from agent.llm import ChatMessage, build_gateway
    gateway = build_gateway(config.llm)          # None for the 'extractive' provider
    text = gateway.complete([ChatMessage("user", "Do you deliver?")], max_tokens=120)

Providers: ``LocalLlamaChatModel`` (llama.cpp in-process, ``agent.llm.local_provider``), ChatOpenAI
for any OpenAI-compatible server (``agent.llm.openai_provider``) and ``ScriptedChatModel`` for tests.
Names other than ``ChatMessage`` load on first use (PEP 562), so importing ``agent.llm.base`` (the
prompt builder does) does not import LangChain.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from agent.llm.base import ChatMessage

if TYPE_CHECKING:
    from agent.llm.factory import build_chat_model, build_gateway
    from agent.llm.gateway import CallStats, ModelGateway, ToolCall
    from agent.llm.scripted import CallTool, Interrupted, ScriptedChatModel, ScriptedModelExhausted

_LAZY = {
    "ModelGateway": "agent.llm.gateway",
    "CallStats": "agent.llm.gateway",
    "ToolCall": "agent.llm.gateway",
    "CallTool": "agent.llm.scripted",
    "build_gateway": "agent.llm.factory",
    "build_chat_model": "agent.llm.factory",
    "ScriptedChatModel": "agent.llm.scripted",
    "ScriptedModelExhausted": "agent.llm.scripted",
    "Interrupted": "agent.llm.scripted",
}

__all__ = ["ChatMessage", "ModelGateway", "CallStats", "ToolCall", "build_gateway", "build_chat_model",
           "ScriptedChatModel", "ScriptedModelExhausted", "Interrupted", "CallTool"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'agent.llm' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
