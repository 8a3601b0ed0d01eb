"""Building the configured chat model and its gateway. The app factory calls these once at start-up.

Vendor packages (``xllamacpp``, ``langchain_openai``) are imported inside the branch that needs
them, so ``import agent`` stays fast and an unused provider's package need not even import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.config import LLMConfig
from agent.llm.circuit import CircuitBreaker
from agent.llm.gateway import ModelGateway

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


def build_chat_model(config: LLMConfig) -> BaseChatModel | None:
    """The chat model for ``config.provider``; None for 'extractive', which answers from the passages alone.

    Raises ConfigError when the provider cannot be set up (no API key, no model file).
    """
    if config.provider == "extractive":
        return None
    if config.provider == "scripted":
        from agent.llm.scripted import ScriptedChatModel

        return ScriptedChatModel(replies=list(config.scripted_replies))
    if config.provider == "openai":
        from agent.llm.openai_provider import build_openai_chat_model

        return build_openai_chat_model(config)
    if config.provider == "local":
        from agent.llm.local_provider import LocalLlamaChatModel

        return LocalLlamaChatModel.from_config(config)
    raise AssertionError(f"unhandled llm.provider {config.provider!r}")  # LLMConfig validates the choice


def build_gateway(config: LLMConfig) -> ModelGateway | None:
    """The gateway around the configured model, with its deadline, retries and circuit breaker; None for 'extractive'."""
    chat_model = build_chat_model(config)
    if chat_model is None:
        return None
    description = None
    if config.provider == "openai":
        description = f"the model '{config.model}' at {config.base_url or 'https://api.openai.com/v1'}"
    breaker = None
    if config.circuit_failures:
        breaker = CircuitBreaker(config.circuit_failures, config.circuit_cooldown_s,
                                 description=description or "the model")
    return ModelGateway(chat_model, timeout_s=config.timeout_s, max_retries=config.max_retries,
                        description=description, breaker=breaker)
