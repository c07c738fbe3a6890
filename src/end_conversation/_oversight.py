"""Accountability around the guard: every decision and lifecycle event in the audit
trail, human review, user feedback, and circumvention signals.

`Oversight` is the service layer over a store. `Chat`, `AsyncChat` and the MCP
server use it, so every guard decision lands in the audit trail in the same
transaction as the messages (or the end) it concerns.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ._errors import EndConversationError, StoreError
from ._guard import Decision, Guard, Verdict
from ._store import AuditEvent, ConversationRecord, ConversationStore, Feedback, Review
from ._store._audit import decision_event

__all__ = [
    "CircumventionPolicy",
    "CoolingOffError",
    "Oversight",
    "OversightPolicy",
    "UserStanding",
]

DAY = 86_400.0


class CircumventionPolicy(BaseModel):
    """What to do when one user's conversations keep being ended. Off by default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: int | None = Field(
        default=None,
        ge=1,
        description="Ended conversations within the window that trigger"
        " the action; None turns the signal off.",
    )
    window_seconds: float = Field(default=7 * DAY, gt=0)
    action: Literal["flag", "review", "cooloff"] = Field(
        default="flag",
        description="flag: an audit record only; review: the latest end goes to human review;"
        " cooloff: new conversations are refused for cooloff_seconds.",
    )
    cooloff_seconds: float = Field(default=DAY, gt=0)


class OversightPolicy(BaseModel):
    """Review, feedback and circumvention settings (the guard's rules are in `Policy`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    review_on_feedback: bool = Field(
        default=True, description="A user's report of an unexpected end opens a review."
    )
    circumvention: CircumventionPolicy = Field(default_factory=CircumventionPolicy)


class CoolingOffError(EndConversationError):
    """A new conversation was refused: this user is in a cooling-off period."""

    def __init__(self, until: float) -> None:
        self.until = until
        super().__init__(
            "New conversations are paused for a while after several conversations were"
            f" ended; try again after {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(until))}."
        )


class UserStanding(BaseModel):
    """One user's circumvention state (never anyone else's)."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    ended_in_window: int
    over_threshold: bool
    cooling_off_until: float | None = None


class Oversight:
    """The lifecycle service: decisions, ends, branches, reviews, feedback, circumvention."""

    def __init__(
        self,
        store: ConversationStore,
        policy: OversightPolicy | None = None,
        *,
        guard: Guard | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.policy = policy or OversightPolicy()
        self.guard = guard or Guard()
        """Re-checks a conversation before a reviewer's uphold ends it."""
        self._clock = clock

    # ------------------------------------------------------------ conversations
    def start(self, *, user_id: str | None = None, **create: Any) -> ConversationRecord:
        """Create a conversation, unless this user is cooling off (`CoolingOffError`)."""
        rule = self.policy.circumvention
        if user_id is not None and rule.threshold is not None and rule.action == "cooloff":
            # (only a cooling-off ever refuses: otherwise no need to count this user's ends)
            standing = self.standing(user_id)
            if standing.cooling_off_until is not None:
                self.store.record(
                    [
                        AuditEvent(
                            kind="refused",
                            user_id=user_id,
                            detail={"cooling_off_until": standing.cooling_off_until},
                        )
                    ]
                )
                raise CoolingOffError(standing.cooling_off_until)
        return self.store.create(user_id=user_id, **create)

    def branch(
        self, parent: ConversationRecord, messages: Sequence[dict[str, Any]], at: int
    ) -> ConversationRecord:
        """A new open conversation seeded with the parent's first messages."""
        event = AuditEvent(
            kind="branch",
            user_id=parent.user_id,
            detail={"parent_id": parent.id, "branched_at": at, "parent_ended": parent.ended},
        )
        return self.store.create(
            user_id=parent.user_id,
            messages=messages,
            parent_id=parent.id,
            branched_at=at,
            events=[event],
        )

    def decisions(
        self, conversation_id: str, user_id: str | None, verdicts: Sequence[Verdict]
    ) -> list[AuditEvent]:
        """The audit events for guard verdicts (stored with the messages they concern)."""
        return [
            decision_event(v, conversation_id=conversation_id, user_id=user_id) for v in verdicts
        ]

    def after_decisions(
        self, conversation_id: str, user_id: str | None, verdicts: Sequence[Verdict]
    ) -> list[Review]:
        """Escalated verdicts go to the review queue (the conversation continues)."""
        return [
            self._open_review(
                conversation_id,
                user_id,
                "escalated",
                reason=",".join(r.value for r in verdict.reasons),
                verdict=verdict.model_dump(mode="json"),
                reasons=tuple(r.value for r in verdict.reasons),
            )
            for verdict in verdicts
            if verdict.decision is Decision.ESCALATED
        ]

    def _open_review(
        self,
        conversation_id: str,
        user_id: str | None,
        origin: Literal["escalated", "feedback", "requested"],
        *,
        reason: str,
        verdict: dict[str, Any] | None,
        reasons: tuple[str, ...] = (),
        **detail: Any,
    ) -> Review:
        """Queue a review, with its `review_opened` audit record."""
        return self.store.open_review(
            conversation_id=conversation_id,
            user_id=user_id,
            origin=origin,
            reason=reason,
            verdict=verdict,
            events=[
                AuditEvent(
                    kind="review_opened",
                    conversation_id=conversation_id,
                    user_id=user_id,
                    reasons=reasons,
                    detail={"origin": origin, **detail},
                )
            ],
        )

    def end(
        self,
        conversation_id: str,
        verdict: Verdict,
        *,
        user_id: str | None = None,
        create: bool = False,
        events: Sequence[AuditEvent] = (),
        expected_messages: int | None = None,
    ) -> ConversationRecord:
        """End a conversation on an honored verdict; then check for circumvention.

        `expected_messages` is the length of the history the verdict was reached on:
        if the stored conversation holds a different number, HistoryChangedError is
        raised and nothing is ended or recorded (decide again on the new history).
        """
        detail: dict[str, Any] = {"notice_shown": bool(verdict.notice)}
        if verdict.end_reason is not None:
            detail["end_reason"] = verdict.end_reason.value
        times: list[float] = []
        messages: list[dict[str, Any]] = []
        if not create:  # (a conversation created here holds no messages to time)
            try:
                times = self.store.message_times(conversation_id)
                messages = self.store.messages(conversation_id)
            except StoreError:  # not stored here
                pass
        first = next(
            (
                i
                for i in sorted(verdict.evidence)
                if i < len(messages) and messages[i].get("role") == "assistant"
            ),
            None,
        )
        if first is not None and first < len(times) and times[first]:
            detail["first_refusal_index"] = first
            detail["seconds_from_first_refusal"] = round(self._clock() - times[first], 3)
        end_event = AuditEvent(
            kind="end",
            conversation_id=conversation_id,
            user_id=user_id,
            decision=verdict.decision.value,
            reasons=tuple(r.value for r in verdict.reasons),
            evidence=verdict.evidence,
            versions=verdict.versions.model_dump(),
            detail=detail,
        )
        record = self.store.end(
            conversation_id,
            verdict=verdict.model_dump(mode="json"),
            notice=verdict.notice or "",
            create=create,
            user_id=user_id,
            events=[*events, end_event],
            expected_messages=expected_messages,
        )
        if user_id is not None:
            self._check_circumvention(user_id, conversation_id)
        return record

    # ------------------------------------------------------------ circumvention
    def standing(self, user_id: str) -> UserStanding:
        """This user's ended-conversation count in the window, and any cooling-off."""
        rule = self.policy.circumvention
        now = self._clock()
        ended = self.store.ended_since(user_id, now - rule.window_seconds)
        over = rule.threshold is not None and len(ended) >= rule.threshold
        until = None
        if over and rule.action == "cooloff":
            candidate = ended[-1] + rule.cooloff_seconds
            until = candidate if candidate > now else None
        return UserStanding(
            user_id=user_id,
            ended_in_window=len(ended),
            over_threshold=over,
            cooling_off_until=until,
        )

    def _check_circumvention(self, user_id: str, conversation_id: str) -> None:
        rule = self.policy.circumvention
        if rule.threshold is None:
            return
        standing = self.standing(user_id)
        if not standing.over_threshold:
            return
        event = AuditEvent(
            kind="circumvention",
            conversation_id=conversation_id,
            user_id=user_id,
            detail={
                "ended_in_window": standing.ended_in_window,
                "window_seconds": rule.window_seconds,
                "action": rule.action,
                "cooling_off_until": standing.cooling_off_until,
            },
        )
        if rule.action == "review":
            self.store.open_review(
                conversation_id=conversation_id,
                user_id=user_id,
                origin="circumvention",
                reason=f"{standing.ended_in_window} conversations ended within the window",
                events=[event],
            )
        else:
            self.store.record([event])

    # ------------------------------------------------------------ feedback
    def feedback(
        self,
        conversation_id: str,
        *,
        kind: Literal["unexpected_end", "agree", "other"] = "unexpected_end",
        text: str = "",
    ) -> Feedback:
        """The user's feedback on a conversation (usually an ended one), linked to the
        verdict that ended it; an unexpected end goes to review when the policy says."""
        record = self.store.get(conversation_id)
        verdict = record.end_verdict or {}
        event = AuditEvent(
            kind="feedback",
            conversation_id=conversation_id,
            user_id=record.user_id,
            decision=verdict.get("decision"),
            reasons=tuple(verdict.get("reasons", ())),
            detail={"kind": kind, "text": text[:2000], "ended": record.ended},
        )
        item = self.store.add_feedback(
            conversation_id, kind=kind, text=text, user_id=record.user_id, events=[event]
        )
        if kind == "unexpected_end" and record.ended and self.policy.review_on_feedback:
            self._open_review(
                conversation_id,
                record.user_id,
                "feedback",
                reason=text[:200] or "the user reported an unexpected end",
                verdict=record.end_verdict,
                feedback_id=item.id,
            )
        return item

    # ------------------------------------------------------------ review
    def pending(self) -> list[Review]:
        """The review queue, oldest first."""
        return self.store.reviews(status="pending")

    def decide(
        self,
        review_id: str,
        *,
        outcome: Literal["upheld", "overturned"],
        reviewer: str,
        note: str = "",
    ) -> Review:
        """Uphold or overturn a pending review.

        An escalated call that is upheld ends the conversation now; overturned, it
        stays open. An end that is overturned unlocks the conversation; upheld, it
        stays ended. Either way the decision is in the audit trail. An uphold that
        would end a conversation showing risk or distress raises EndConversationError
        and leaves the review pending.
        """
        found = self.store.reviews(review_id=review_id)
        if not found:
            raise StoreError(f"no review {review_id!r}")
        review = found[0]
        record = self.store.get(review.conversation_id)
        end: tuple[dict[str, Any], str] | None = None
        unlock = False
        if review.origin == "escalated" and outcome == "upheld" and not record.ended:
            # The chat went on after the call: it is ended only if nothing since (or
            # before) shows a user who may be at risk or in distress.
            vetoed = self.guard.risk(self.store.messages(record.id))
            if vetoed is not None:
                reason, evidence = vetoed
                raise EndConversationError(
                    f"conversation {record.id} cannot be ended: {reason.value} at messages"
                    f" {list(evidence)}; overturn the review instead"
                )
            verdict = dict(review.verdict or {})
            verdict.update({"decision": "honored", "ends": True, "reviewed_by": reviewer})
            end = (verdict, str(verdict.get("notice") or ""))
        if review.origin != "escalated" and outcome == "overturned" and record.ended:
            unlock = True
        events = [
            AuditEvent(
                kind="review_decided",
                conversation_id=review.conversation_id,
                user_id=review.user_id,
                decision=outcome,
                detail={"reviewer": reviewer, "note": note, "origin": review.origin},
            )
        ]
        if end is not None:
            events.append(
                AuditEvent(
                    kind="end",
                    conversation_id=review.conversation_id,
                    user_id=review.user_id,
                    decision="honored",
                    reasons=tuple((review.verdict or {}).get("reasons", ())),
                    detail={"by_review": True},
                )
            )
        if unlock:
            events.append(
                AuditEvent(
                    kind="unlock",
                    conversation_id=review.conversation_id,
                    user_id=review.user_id,
                    detail={"by_review": True},
                )
            )
        return self.store.decide_review(
            review_id,
            status=outcome,
            reviewer=reviewer,
            note=note,
            end=end,
            unlock=unlock,
            events=events,
        )

    def request_review(self, conversation_id: str, *, reason: str = "") -> Review:
        """Put an ended conversation in the review queue (e.g. a sampled audit)."""
        record = self.store.get(conversation_id)
        return self._open_review(
            conversation_id, record.user_id, "requested", reason=reason, verdict=record.end_verdict
        )
