"""Stores by URL, for the command line and configuration files."""

from __future__ import annotations

from ._memory import MemoryStore
from ._postgres import PostgresStore
from ._protocol import ConversationStore
from ._sqlite import SQLiteStore

__all__ = ["open_store"]


def open_store(url: str) -> ConversationStore:
    """A store from a URL: ``sqlite:///PATH``, ``postgresql://...`` or ``memory:``."""
    if url in ("memory:", "memory://"):
        return MemoryStore()
    if url.startswith("sqlite:///"):
        return SQLiteStore(url.removeprefix("sqlite:///") or "end_conversation.sqlite3")
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url)
    raise ValueError(f"unknown store URL {url!r}; use sqlite:///PATH, postgresql://... or memory:")
