"""In-memory store: for tests and single-process experiments."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Literal

from .._errors import (
    ConversationEndedError,
    HistoryChangedError,
    StoreError,
    UnknownConversationError,
)
from ._audit import (
    GENESIS,
    AuditEvent,
    AuditProblem,
    AuditRecord,
    chain,
    verify_chain,
    with_detail,
)
from ._protocol import ConversationRecord, Feedback, FeedbackKind, Review, ReviewOrigin
from ._sql import check_review_state, default_notice

__all__ = ["MemoryStore"]


def _copy(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    # A JSON round trip copies and checks at once: what SQLite cannot store,
    # this store refuses too, so both behave the same.
    return list(json.loads(json.dumps(list(messages))))


class MemoryStore:
    """Conversations in dicts, guarded by a lock. Nothing survives the process."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.RLock()
        self._records: dict[str, ConversationRecord] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._times: dict[str, list[float]] = {}
        self._audit: list[AuditRecord] = []
        self._reviews: dict[str, Review] = {}
        self._feedback: list[Feedback] = []
        self._writes = 0

    def _append_audit(self, events: Sequence[AuditEvent], at: float) -> list[AuditRecord]:
        """Chain `events` onto the trail. Every write calls this, with or without
        events: it is also where writes are counted (`change_counts`)."""
        self._writes += 1
        last = self._audit[-1] if self._audit else None
        records = chain(
            events,
            after_seq=last.seq if last else 0,
            after_hash=last.hash if last else GENESIS,
            at=at,
        )
        self._audit.extend(records)
        return records

    def _get(self, conversation_id: str) -> ConversationRecord:
        record = self._records.get(conversation_id)
        if record is None:
            raise UnknownConversationError(conversation_id)
        return record

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
        """Create a conversation, optionally seeded with messages."""
        seeded = _copy(messages)
        with self._lock:
            now = self._clock()  # under the lock: times follow the trail's order
            record = ConversationRecord(
                id=conversation_id or uuid.uuid4().hex,
                user_id=user_id,
                parent_id=parent_id,
                branched_at=branched_at,
                created_at=now,
                message_count=len(seeded),
            )
            if record.id in self._records:
                raise StoreError(f"conversation {record.id!r} already exists")
            self._records[record.id] = record
            self._messages[record.id] = seeded
            self._times[record.id] = [now] * len(seeded)
            self._append_audit(
                [e.model_copy(update={"conversation_id": record.id}) for e in events], now
            )
        return record

    def change_counts(self) -> tuple[int, int]:
        """``(others, own)`` (see `ChangeCounting`): nobody else writes to a
        MemoryStore, so `others` is always 0."""
        with self._lock:
            return 0, self._writes

    def get(self, conversation_id: str) -> ConversationRecord:
        """The conversation's state."""
        with self._lock:
            return self._get(conversation_id)

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation's messages, oldest first."""
        with self._lock:
            self._get(conversation_id)
            return _copy(self._messages[conversation_id])

    def message_times(self, conversation_id: str) -> list[float]:
        """When each message was stored, oldest first."""
        with self._lock:
            self._get(conversation_id)
            return list(self._times[conversation_id])

    def append(
        self,
        conversation_id: str,
        messages: Sequence[dict[str, Any]],
        *,
        events: Sequence[AuditEvent] = (),
    ) -> int:
        """Append messages unless the conversation has been ended."""
        added = _copy(messages)
        with self._lock:
            now = self._clock()
            record = self._get(conversation_id)
            if record.ended:
                raise ConversationEndedError(conversation_id, record.notice or "")
            self._messages[conversation_id].extend(added)
            self._times[conversation_id].extend([now] * len(added))
            count = len(self._messages[conversation_id])
            self._records[conversation_id] = record.model_copy(update={"message_count": count})
            self._append_audit(events, now)
            return count

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
        """Mark ended; the first end wins. `create` makes a missing conversation first;
        `expected_messages` makes the end conditional on the stored message count;
        `messages` are appended by the end that wins, in the same step."""
        added = _copy(messages)
        with self._lock:
            existed = conversation_id in self._records
            if create and not existed:
                self.create(conversation_id=conversation_id, user_id=user_id)
            record = self._get(conversation_id)
            if (
                existed
                and expected_messages is not None
                and record.message_count != expected_messages
            ):
                raise HistoryChangedError(conversation_id, expected_messages, record.message_count)
            if not record.ended:
                now = self._clock()
                self._messages[conversation_id].extend(added)
                self._times[conversation_id].extend([now] * len(added))
                record = record.model_copy(
                    update={
                        "message_count": len(self._messages[conversation_id]),
                        "ended_at": now,
                        "end_verdict": verdict,
                        "notice": notice or default_notice(),
                        "lifecycle": record.lifecycle + 1,
                    }
                )
                self._records[conversation_id] = record
                self._append_audit(events, now)
            return record

    def unlock(
        self, conversation_id: str, *, events: Sequence[AuditEvent] = ()
    ) -> ConversationRecord:
        """Reopen an ended conversation."""
        with self._lock:
            record = self._reopened(self._get(conversation_id))
            self._records[conversation_id] = record
            self._append_audit(events, self._clock())
            return record

    @staticmethod
    def _reopened(record: ConversationRecord) -> ConversationRecord:
        if not record.ended:
            return record
        return record.model_copy(
            update={"ended_at": None, "notice": None, "lifecycle": record.lifecycle + 1}
        )

    def ended_since(self, user_id: str, since: float) -> list[float]:
        """When this user's conversations were ended, since `since`."""
        with self._lock:
            return sorted(
                r.ended_at
                for r in self._records.values()
                if r.user_id == user_id and r.ended_at is not None and r.ended_at >= since
            )

    def record(self, events: Sequence[AuditEvent]) -> list[AuditRecord]:
        """Append events to the audit trail."""
        with self._lock:
            return self._append_audit(events, self._clock())

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
        """Audit records matching every filter, oldest first."""
        with self._lock:
            found = [
                r
                for r in self._audit
                if (conversation_id is None or r.conversation_id == conversation_id)
                and (user_id is None or r.user_id == user_id)
                and (not kinds or r.kind in kinds)
                and (decision is None or r.decision == decision)
                and (since is None or r.at >= since)
                and (until is None or r.at < until)
                and (after_seq is None or r.seq > after_seq)
                and (before_seq is None or r.seq < before_seq)
            ]
        return found[-limit:] if limit is not None else found

    def verify_audit(self) -> list[AuditProblem]:
        """Every way the trail is not intact."""
        with self._lock:
            records = list(self._audit)
        return verify_chain(records, head=None)

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
        """Put a decision or an end in the review queue, bound to the conversation's
        current state (its `lifecycle`)."""
        with self._lock:
            found = self._records.get(conversation_id)
            review = Review(
                id=uuid.uuid4().hex,
                conversation_id=conversation_id,
                user_id=user_id,
                origin=origin,
                reason=reason,
                created_at=self._clock(),
                verdict=verdict,
                conversation_lifecycle=None if found is None else found.lifecycle,
            )
            self._reviews[review.id] = review
            self._append_audit(with_detail(events, review_id=review.id), review.created_at)
        return review

    def reviews(
        self,
        *,
        status: str | None = None,
        conversation_id: str | None = None,
        review_id: str | None = None,
    ) -> list[Review]:
        """Review items, oldest first."""
        with self._lock:
            return sorted(
                (
                    r
                    for r in self._reviews.values()
                    if (status is None or r.status == status)
                    and (conversation_id is None or r.conversation_id == conversation_id)
                    and (review_id is None or r.id == review_id)
                ),
                key=lambda r: (r.created_at, r.id),
            )

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
        """Decide a pending review; optionally end or reopen its conversation with it,
        only while the conversation is in the state the review was opened on."""
        with self._lock:
            now = self._clock()
            review = self._reviews.get(review_id)
            if review is None:
                raise StoreError(f"no review {review_id!r}")
            if review.status != "pending":
                raise StoreError(f"review {review_id!r} was already {review.status}")
            record = self._get(review.conversation_id)
            if status == "upheld" or end is not None or unlock:
                check_review_state(
                    review_id,
                    record.id,
                    opened_on=review.conversation_lifecycle,
                    lifecycle=record.lifecycle,
                    ended=record.ended,
                    count=record.message_count,
                    ending=end is not None,
                    expected_messages=expected_messages,
                )
            if end is not None:
                record = record.model_copy(
                    update={
                        "ended_at": now,
                        "end_verdict": end[0],
                        "notice": end[1] or default_notice(),
                        "lifecycle": record.lifecycle + 1,
                    }
                )
            if unlock:
                record = self._reopened(record)
            self._records[record.id] = record
            decided = review.model_copy(
                update={"status": status, "decided_at": now, "reviewer": reviewer, "note": note}
            )
            self._reviews[review_id] = decided
            self._append_audit(with_detail(events, review_id=review_id), now)
            return decided

    def add_feedback(
        self,
        conversation_id: str,
        *,
        kind: FeedbackKind,
        text: str = "",
        user_id: str | None = None,
        events: Sequence[AuditEvent] = (),
    ) -> Feedback:
        """Store a user's feedback on a conversation."""
        with self._lock:
            item = Feedback(
                id=uuid.uuid4().hex,
                conversation_id=conversation_id,
                user_id=user_id,
                kind=kind,
                text=text,
                at=self._clock(),
            )
            self._get(conversation_id)
            self._feedback.append(item)
            self._append_audit(events, item.at)
        return item

    def feedback(self, conversation_id: str | None = None) -> list[Feedback]:
        """Feedback, oldest first."""
        with self._lock:
            return [
                f
                for f in self._feedback
                if conversation_id is None or f.conversation_id == conversation_id
            ]

    def close(self) -> None:
        """Nothing to release."""
