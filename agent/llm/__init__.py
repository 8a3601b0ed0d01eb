"""The LLM seam: every provider is a LangChain chat model behind one ``ModelGateway``."""

from agent.llm.base import ChatMessage
from agent.llm.factory import build_chat_model, build_gateway
from agent.llm.gateway import ModelGateway
from agent.llm.scripted import ScriptedChatModel, ScriptedModelExhausted

__all__ = ["ChatMessage", "ModelGateway", "build_chat_model", "build_gateway", "ScriptedChatModel",
           "ScriptedModelExhausted"]
