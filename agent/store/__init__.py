"""Conversation storage."""

from agent.store.conversation_store import ConversationInfo, ConversationStore, Rating, StoredTurn, Ticket

__all__ = ["ConversationStore", "ConversationInfo", "StoredTurn", "Ticket", "Rating"]
