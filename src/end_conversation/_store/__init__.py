"""Conversation stores: where lifecycle state and the audit trail live."""

from ._audit import AuditEvent, AuditProblem, AuditRecord
from ._memory import MemoryStore
from ._open import open_store
from ._postgres import PostgresStore
from ._protocol import ChangeCounting, ConversationRecord, ConversationStore, Feedback, Review
from ._sqlite import SQLiteStore

__all__ = [
    "AuditEvent",
    "AuditProblem",
    "AuditRecord",
    "ChangeCounting",
    "ConversationRecord",
    "ConversationStore",
    "Feedback",
    "MemoryStore",
    "PostgresStore",
    "Review",
    "SQLiteStore",
    "open_store",
]
