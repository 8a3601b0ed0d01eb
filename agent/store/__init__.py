"""Conversation storage."""

from agent.store.bulk_records import AuditEvent, ConversationRecords
from agent.store.conversation_store import ConversationInfo, ConversationStore, Rating, StoredTurn, Ticket

__all__ = ["AuditEvent", "ConversationInfo", "ConversationRecords", "ConversationStore", "Rating", "StoredTurn",
           "Ticket"]
