"""What a conversation store is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

__all__ = ["ConversationRecord", "ConversationStore"]


class ConversationRecord(BaseModel):
    """One conversation's state (its messages are read separately)."""

    model_config = ConfigDict(frozen=True)

    id: str
    """The conversation id."""
    user_id: str | None = None
    """Who the conversation belongs to, if the application says."""
    parent_id: str | None = None
    """For a branch: the conversation it was branched from."""
    branched_at: int | None = None
    """For a branch: how many of the parent's messages it shares."""
    created_at: float
    """Creation time (seconds since the epoch, from the store's clock)."""
    message_count: int = 0
    """How many messages it holds."""
    ended_at: float | None = None
    """When it was ended, if it was."""
    end_verdict: dict[str, Any] | None = None
    """The verdict that ended it."""
    notice: str | None = None
    """The notice shown to the user after the end."""

    @property
    def ended(self) -> bool:
        """Whether the conversation has been ended."""
        return self.ended_at is not None


@runtime_checkable
class ConversationStore(Protocol):
    """Durable conversation state. Implementations: MemoryStore, SQLiteStore.

    `append` and `end` are atomic with respect to each other: once `end` returns,
    no `append` to that conversation succeeds (it raises ConversationEndedError).
    """

    def create(
        self,
        *,
        conversation_id: str | None = None,
        user_id: str | None = None,
        messages: Sequence[dict[str, Any]] = (),
        parent_id: str | None = None,
        branched_at: int | None = None,
    ) -> ConversationRecord:
        """Create a conversation, optionally seeded with messages (a branch).

        `conversation_id` picks the id (a StoreError if it exists); by default a
        random one is made.
        """
        ...

    def get(self, conversation_id: str) -> ConversationRecord:
        """The conversation's state; raises UnknownConversationError."""
        ...

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation's messages, oldest first."""
        ...

    def append(self, conversation_id: str, messages: Sequence[dict[str, Any]]) -> int:
        """Append messages; returns the new count. Raises ConversationEndedError if ended."""
        ...

    def end(
        self,
        conversation_id: str,
        *,
        verdict: dict[str, Any],
        notice: str,
        create: bool = False,
        user_id: str | None = None,
    ) -> ConversationRecord:
        """Mark the conversation ended (idempotent: the first end wins).

        With `create`, a conversation that does not exist yet is created for
        `user_id` and ended in the same step; otherwise UnknownConversationError.
        """
        ...

    def close(self) -> None:
        """Release resources."""
        ...
