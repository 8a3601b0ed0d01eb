"""Conversation storage."""

from agent.store.conversation_store import ConversationInfo, ConversationStore, StoredTurn

__all__ = ["ConversationStore", "ConversationInfo", "StoredTurn"]
