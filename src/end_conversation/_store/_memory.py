"""In-memory store: for tests and single-process experiments."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from .._errors import ConversationEndedError, StoreError, UnknownConversationError
from ._protocol import ConversationRecord

__all__ = ["MemoryStore"]


def _copy(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    # A JSON round trip copies and checks at once: what SQLite cannot store,
    # this store refuses too, so both behave the same.
    return list(json.loads(json.dumps(list(messages))))


class MemoryStore:
    """Conversations in a dict, guarded by a lock. Nothing survives the process."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.RLock()
        self._records: dict[str, ConversationRecord] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}

    def create(
        self,
        *,
        conversation_id: str | None = None,
        user_id: str | None = None,
        messages: Sequence[dict[str, Any]] = (),
        parent_id: str | None = None,
        branched_at: int | None = None,
    ) -> ConversationRecord:
        """Create a conversation, optionally seeded with messages."""
        record = ConversationRecord(
            id=conversation_id or uuid.uuid4().hex,
            user_id=user_id,
            parent_id=parent_id,
            branched_at=branched_at,
            created_at=self._clock(),
            message_count=len(messages),
        )
        seeded = _copy(messages)
        with self._lock:
            if record.id in self._records:
                raise StoreError(f"conversation {record.id!r} already exists")
            self._records[record.id] = record
            self._messages[record.id] = seeded
        return record

    def get(self, conversation_id: str) -> ConversationRecord:
        """The conversation's state."""
        with self._lock:
            try:
                return self._records[conversation_id]
            except KeyError:
                raise UnknownConversationError(conversation_id) from None

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation's messages (a copy)."""
        with self._lock:
            if conversation_id not in self._messages:
                raise UnknownConversationError(conversation_id)
            return _copy(self._messages[conversation_id])

    def append(self, conversation_id: str, messages: Sequence[dict[str, Any]]) -> int:
        """Append messages unless the conversation has been ended."""
        copied = _copy(messages)  # fail before touching the conversation
        with self._lock:
            record = self._records.get(conversation_id)
            if record is None:
                raise UnknownConversationError(conversation_id)
            if record.ended:
                raise ConversationEndedError(conversation_id, record.notice or "")
            stored = self._messages[conversation_id]
            stored.extend(copied)
            self._records[conversation_id] = record.model_copy(
                update={"message_count": len(stored)}
            )
            return len(stored)

    def end(
        self,
        conversation_id: str,
        *,
        verdict: dict[str, Any],
        notice: str,
        create: bool = False,
        user_id: str | None = None,
    ) -> ConversationRecord:
        """Mark ended; the first end wins. `create` makes a missing conversation first."""
        with self._lock:
            record = self._records.get(conversation_id)
            if record is None and create:
                record = self.create(conversation_id=conversation_id, user_id=user_id)
            if record is None:
                raise UnknownConversationError(conversation_id)
            if not record.ended:
                record = record.model_copy(
                    update={"ended_at": self._clock(), "end_verdict": verdict, "notice": notice}
                )
                self._records[conversation_id] = record
            return record

    def close(self) -> None:
        """Nothing to release."""
