"""What a conversation store is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from ._audit import AuditEvent, AuditProblem, AuditRecord

__all__ = ["ChangeCounting", "ConversationRecord", "ConversationStore", "Feedback", "Review"]


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
    lifecycle: int = 0
    """How many times it was ended or reopened. It changes with every end and every
    unlock, so a review can tell whether the conversation is still in the state it
    was opened on."""

    @property
    def ended(self) -> bool:
        """Whether the conversation has been ended."""
        return self.ended_at is not None


ReviewStatus = Literal["pending", "upheld", "overturned"]
ReviewOrigin = Literal["escalated", "feedback", "circumvention", "requested"]


class Review(BaseModel):
    """An item in the human review queue: a decision or an end a person must look at."""

    model_config = ConfigDict(frozen=True)

    id: str
    conversation_id: str
    user_id: str | None = None
    origin: ReviewOrigin
    """``escalated`` (the policy sent a qualifying call to review: not ended yet),
    ``feedback`` (the user reported an end), ``circumvention`` or ``requested``."""
    reason: str = ""
    status: ReviewStatus = "pending"
    created_at: float
    decided_at: float | None = None
    reviewer: str | None = None
    note: str = ""
    verdict: dict[str, Any] | None = None
    """The verdict under review."""
    conversation_lifecycle: int | None = None
    """The conversation's `lifecycle` when the review was opened (None if it was not
    stored then): a review is upheld only while the conversation is still there."""


FeedbackKind = Literal["unexpected_end", "agree", "other"]


class Feedback(BaseModel):
    """What a user said about an ended conversation."""

    model_config = ConfigDict(frozen=True)

    id: str
    conversation_id: str
    user_id: str | None = None
    kind: FeedbackKind
    text: str = ""
    at: float


@runtime_checkable
class ConversationStore(Protocol):
    """Durable conversation state and its audit trail.

    Implementations: MemoryStore, SQLiteStore, PostgresStore; one contract test
    suite runs against all three.

    `append` and `end` are atomic with respect to each other: once `end` returns,
    no `append` to that conversation succeeds (it raises ConversationEndedError).
    Every method taking `events` writes them to the audit trail in the same
    transaction as its change: both land, or neither.
    """

    def create(
        self,
        *,
        conversation_id: str | None = None,
        user_id: str | None = None,
        messages: Sequence[dict[str, Any]] = (),
        parent_id: str | None = None,
        branched_at: int | None = None,
        events: Sequence[AuditEvent] = (),
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

    def message_times(self, conversation_id: str) -> list[float]:
        """When each message was stored (seconds since the epoch), oldest first."""
        ...

    def append(
        self,
        conversation_id: str,
        messages: Sequence[dict[str, Any]],
        *,
        events: Sequence[AuditEvent] = (),
    ) -> int:
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
        events: Sequence[AuditEvent] = (),
        expected_messages: int | None = None,
        messages: Sequence[dict[str, Any]] = (),
    ) -> ConversationRecord:
        """Mark the conversation ended (idempotent: the first end wins; `events` are
        recorded only by the end that wins). An empty `notice` stores the shipped one:
        an ended conversation always has a notice.

        With `create`, a conversation that does not exist yet is created for
        `user_id` and ended in the same step; otherwise UnknownConversationError.

        With `expected_messages` (the length of the history that was checked), the
        end is conditional: if the conversation exists and holds a different number
        of messages, HistoryChangedError is raised and nothing is written. The count
        is compared in the same transaction as the end, so an append cannot slip in
        between.

        `messages` (the call that ended it and its tool_result) are appended after that
        check, in the end's own transaction, and only by the end that wins: a stored
        "has been ended" never sits in a conversation that goes on.
        """
        ...

    def unlock(
        self, conversation_id: str, *, events: Sequence[AuditEvent] = ()
    ) -> ConversationRecord:
        """Reopen an ended conversation (an end overturned on review)."""
        ...

    def ended_since(self, user_id: str, since: float) -> list[float]:
        """When this user's conversations were ended, since `since` (oldest first)."""
        ...

    def record(self, events: Sequence[AuditEvent]) -> list[AuditRecord]:
        """Append events to the audit trail."""
        ...

    def audit_trail(
        self,
        *,
        conversation_id: str | None = None,
        user_id: str | None = None,
        kinds: Sequence[str] = (),
        decision: str | None = None,
        since: float | None = None,
        until: float | None = None,
        after_seq: int | None = None,
        limit: int | None = None,
        before_seq: int | None = None,
    ) -> list[AuditRecord]:
        """Audit records matching every filter, oldest first (`after_seq`: only records
        after that one; `before_seq`: only records before that one; `limit`: the newest
        N, so `before_seq` with `limit` pages back through the trail)."""
        ...

    def verify_audit(self) -> list[AuditProblem]:
        """Every way the stored trail is not intact (empty when it is)."""
        ...

    def open_review(
        self,
        *,
        conversation_id: str,
        user_id: str | None,
        origin: ReviewOrigin,
        reason: str = "",
        verdict: dict[str, Any] | None = None,
        events: Sequence[AuditEvent] = (),
    ) -> Review:
        """Put a decision or an end in the review queue."""
        ...

    def reviews(
        self,
        *,
        status: str | None = None,
        conversation_id: str | None = None,
        review_id: str | None = None,
    ) -> list[Review]:
        """Review items matching every filter, oldest first."""
        ...

    def decide_review(
        self,
        review_id: str,
        *,
        status: Literal["upheld", "overturned"],
        reviewer: str,
        note: str = "",
        end: tuple[dict[str, Any], str] | None = None,
        unlock: bool = False,
        events: Sequence[AuditEvent] = (),
        expected_messages: int | None = None,
    ) -> Review:
        """Decide a pending review (a StoreError if it is not pending). In the same
        transaction: `end` = (verdict, notice) ends the conversation; `unlock`
        reopens it.

        An uphold, or an unlock, holds only while the conversation is in the state the
        review was opened on (same `lifecycle`); otherwise ReviewStateChangedError. An
        uphold with `end` needs the conversation open and, with `expected_messages`,
        holding exactly that many messages (HistoryChangedError otherwise). Whatever
        is refused, nothing is written and the review stays pending.
        """
        ...

    def add_feedback(
        self,
        conversation_id: str,
        *,
        kind: FeedbackKind,
        text: str = "",
        user_id: str | None = None,
        events: Sequence[AuditEvent] = (),
    ) -> Feedback:
        """Store a user's feedback on a conversation (usually an ended one)."""
        ...

    def feedback(self, conversation_id: str | None = None) -> list[Feedback]:
        """Feedback, oldest first."""
        ...

    def close(self) -> None:
        """Release resources."""
        ...


@runtime_checkable
class ChangeCounting(Protocol):
    """A store that can tell, without reading anything back, whether anything at all
    was committed to it since it last said: what lets a chat trust the history it
    holds instead of reading it again. Optional (MemoryStore and SQLiteStore have
    it); a store without it is simply read."""

    def change_counts(self) -> tuple[int, int]:
        """``(others, own)``: `own` counts the writes made through this object (each
        one adds one, committed or not); `others` changes, by any amount, whenever
        anyone else commits (another connection, another process). Equal counts
        taken at two moments mean nothing was committed in between."""
        ...
