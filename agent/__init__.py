"""Tactful's agent: configuration, the LLM seam, the turn pipeline, storage and the command line."""

from agent.config import TactfulConfig, load_config
from agent.customer import Customer
from agent.errors import BadInput, ConfigError, ModelUnavailable, ServiceUnavailable, StoreUnavailable, TactfulError
from agent.reply import Reply, ReplyStream, Source
from agent.agent import Agent

__all__ = [
    "Agent", "Reply", "ReplyStream", "Source", "Customer", "TactfulConfig", "load_config",
    "TactfulError", "ConfigError", "ServiceUnavailable", "ModelUnavailable", "StoreUnavailable", "BadInput",
]
