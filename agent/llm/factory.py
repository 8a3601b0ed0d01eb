"""Building the configured chat model. Vendor packages are imported lazily, only for the chosen provider."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from agent.config import LLMConfig
from agent.llm.gateway import ModelGateway


def build_chat_model(config: LLMConfig) -> BaseChatModel | None:
    """The chat model for ``config.provider``; None for 'extractive', which needs no model."""
    if config.provider == "extractive":
        return None
    if config.provider == "scripted":
        from agent.llm.scripted import ScriptedChatModel

        return ScriptedChatModel(replies=list(config.scripted_replies))
    if config.provider == "openai":
        from agent.llm.openai_provider import build_openai_chat_model

        return build_openai_chat_model(config)
    from agent.llm.local_provider import LocalLlamaChatModel

    return LocalLlamaChatModel.from_path(config.model_path, context_size=config.context_size, threads=config.threads,
                                         max_tokens=config.max_tokens, temperature=config.temperature)


def build_gateway(config: LLMConfig) -> ModelGateway | None:
    model = build_chat_model(config)
    if model is None:
        return None
    describe = f"{config.provider}: {config.base_url or ''} {config.model}" if config.provider == "openai" else None
    return ModelGateway(model, timeout_s=config.timeout_s, max_retries=config.max_retries, describe=describe)
