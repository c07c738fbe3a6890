"""Conversation stores: where lifecycle state lives."""

from ._memory import MemoryStore
from ._protocol import ConversationRecord, ConversationStore
from ._sqlite import SQLiteStore

__all__ = ["ConversationRecord", "ConversationStore", "MemoryStore", "SQLiteStore"]
