"""Any OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp server, LM Studio). The only module
importing ``langchain_openai``."""

from __future__ import annotations

import os

from langchain_core.language_models import BaseChatModel

from agent.config import LLMConfig
from agent.errors import ConfigError

#: Local servers ignore the key, but the client insists on one.
PLACEHOLDER_KEY = "not-needed-by-local-servers"


def build_openai_chat_model(config: LLMConfig) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    key = config.api_key.get_secret_value() if config.api_key else os.environ.get("OPENAI_API_KEY")
    if not key:
        if not config.base_url:
            raise ConfigError("llm.api_key: the 'openai' provider needs an API key. Set TACTFUL_LLM__API_KEY or "
                              "OPENAI_API_KEY, or set llm.base_url to a local OpenAI-compatible server.")
        key = PLACEHOLDER_KEY
    return ChatOpenAI(model=config.model, base_url=config.base_url, api_key=key, timeout=config.timeout_s,
                      max_retries=0, max_tokens=config.max_tokens, temperature=config.temperature, streaming=True)
