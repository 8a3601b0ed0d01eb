"""Any OpenAI-compatible server: OpenAI itself, Ollama, vLLM, llama.cpp's server, LM Studio.

The only module importing ``langchain_openai`` (and through it ``openai``). The client never
retries on its own (``max_retries=0``): retries and the deadline belong to ``ModelGateway``.
Note: langchain-openai sends the answer bound as ``max_completion_tokens``, which current
Ollama, vLLM and llama.cpp servers accept.
"""

from __future__ import annotations

import os
from typing import Mapping

from langchain_openai import ChatOpenAI

from agent.config import LLMConfig
from agent.errors import ConfigError

#: Local servers ignore the key, but the client will not start without one.
PLACEHOLDER_API_KEY = "sk-local-server-ignores-this-key"


def resolve_api_key(config: LLMConfig, environ: Mapping[str, str] | None = None) -> str:
    """``llm.api_key``, else ``OPENAI_API_KEY``, else a placeholder when ``llm.base_url`` names a local server."""
    environ = os.environ if environ is None else environ
    key = config.api_key.get_secret_value() if config.api_key else environ.get("OPENAI_API_KEY", "")
    if key.strip():
        return key.strip()
    if config.base_url:
        return PLACEHOLDER_API_KEY
    raise ConfigError("llm.api_key: the 'openai' provider needs an API key: set TACTFUL_LLM__API_KEY or "
                      "OPENAI_API_KEY, or set llm.base_url for a local server (for example "
                      "http://localhost:11434/v1 for Ollama).")


def build_openai_chat_model(config: LLMConfig, environ: Mapping[str, str] | None = None) -> ChatOpenAI:
    """A streaming ChatOpenAI for ``config``. Building it makes no network call."""
    return ChatOpenAI(
        base_url=config.base_url or None,
        model=config.model,
        api_key=resolve_api_key(config, environ),
        timeout=config.timeout_s,
        max_retries=0,
        max_tokens=config.max_tokens,
        temperature=config.temperature,
        streaming=True,
    )
