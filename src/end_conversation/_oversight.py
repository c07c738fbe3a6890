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

from ._errors import (
    EndConversationError,
    HistoryChangedError,
    ReviewStateChangedError,
    StoreError,
)
from ._guard import Decision, Guard, Verdict
from ._prompts import notice as shipped_notice
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
_RECHECKS = 5  # an uphold re-reads a conversation that keeps changing this many times


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
    def check_may_open(self, user_id: str | None, *, via: str = "start") -> None:
        """Raise `CoolingOffError` if this user may not open a new conversation now.

        Every way of opening a conversation goes through this check: `start`,
        `branch`, and a server creating a conversation on a caller's behalf. A refusal
        is recorded in the audit trail (kind ``refused``, with `via`: how the
        conversation was to be opened). A conversation with no user is never refused.
        """
        rule = self.policy.circumvention
        if user_id is None or rule.threshold is None or rule.action != "cooloff":
            return  # only a cooling-off ever refuses: no need to count this user's ends
        standing = self.standing(user_id)
        if standing.cooling_off_until is None:
            return
        self.store.record(
            [
                AuditEvent(
                    kind="refused",
                    user_id=user_id,
                    detail={"cooling_off_until": standing.cooling_off_until, "via": via},
                )
            ]
        )
        raise CoolingOffError(standing.cooling_off_until)

    def start(self, *, user_id: str | None = None, **create: Any) -> ConversationRecord:
        """Create a conversation, unless this user is cooling off (`CoolingOffError`)."""
        self.check_may_open(user_id, via="start")
        return self.store.create(user_id=user_id, **create)

    def branch(
        self, parent: ConversationRecord, messages: Sequence[dict[str, Any]], at: int
    ) -> ConversationRecord:
        """A new open conversation seeded with the parent's first messages, unless
        the parent's user is cooling off (`CoolingOffError`: a branch is a new
        conversation too)."""
        self.check_may_open(parent.user_id, via="branch")
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
        messages: Sequence[dict[str, Any]] = (),
    ) -> ConversationRecord:
        """End a conversation on an honored verdict; then check for circumvention.

        `expected_messages` is the length of the history the verdict was reached on:
        if the stored conversation holds a different number, HistoryChangedError is
        raised and nothing is ended or recorded (decide again on the new history).
        `messages` (the call and its tool_result) are stored by the end itself, so they
        are stored only if it ends. A verdict that does not end (denied, escalated,
        shadow mode) raises EndConversationError: the guard is the only gate.
        """
        if not verdict.ends or verdict.decision is not Decision.HONORED:
            raise EndConversationError(
                f"the verdict does not end the conversation ({verdict.decision.value},"
                f" {', '.join(r.value for r in verdict.reasons)}); nothing was ended"
            )
        detail: dict[str, Any] = {"notice_shown": bool(verdict.notice)}
        if verdict.end_reason is not None:
            detail["end_reason"] = verdict.end_reason.value
        times: list[float] = []
        stored: list[dict[str, Any]] = []
        if not create:  # (a conversation created here holds no messages to time)
            try:
                times = self.store.message_times(conversation_id)
                stored = self.store.messages(conversation_id)
            except StoreError:  # not stored here
                pass
        first = next(
            (
                i
                for i in sorted(verdict.evidence)
                if i < len(stored) and stored[i].get("role") == "assistant"
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
            notice=verdict.notice or shipped_notice(),  # an ended conversation always has one
            create=create,
            user_id=user_id,
            events=[*events, end_event],
            expected_messages=expected_messages,
            messages=messages,
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
        stays ended. Either way the decision is in the audit trail.

        An uphold holds only for the conversation the review was opened on: one that
        has since been ended by something else, had its end overturned, or been
        reopened raises `ReviewStateChangedError`. An uphold that ends re-checks the
        history for risk or distress and ends only that exact history (compare-and-
        set on its message count): a message arriving meanwhile means reading and
        checking again. A veto raises EndConversationError. Whatever is refused, the
        review stays pending and nothing changes. The end shows the verdict's notice,
        or the shipped one.
        """
        found = self.store.reviews(review_id=review_id)
        if not found:
            raise StoreError(f"no review {review_id!r}")
        review = found[0]
        if review.status != "pending":
            raise StoreError(f"review {review_id!r} was already {review.status}")
        for attempt in range(_RECHECKS):
            record = self.store.get(review.conversation_id)
            changed = (
                review.conversation_lifecycle is not None
                and record.lifecycle != review.conversation_lifecycle
            )
            end: tuple[dict[str, Any], str] | None = None
            expected: int | None = None
            unlock = False
            if outcome == "upheld":
                self._still_as_opened(review, record, changed)
                if review.origin == "escalated":
                    # The chat went on after the call: it is ended only if nothing since
                    # (or before) shows a user who may be at risk or in distress, and only
                    # on the very history checked here.
                    messages = self.store.messages(record.id)
                    vetoed = self.guard.risk(messages)
                    if vetoed is not None:
                        reason, evidence = vetoed
                        raise EndConversationError(
                            f"conversation {record.id} cannot be ended: {reason.value} at"
                            f" messages {list(evidence)}; overturn the review instead"
                        )
                    verdict = dict(review.verdict or {})
                    verdict.update({"decision": "honored", "ends": True, "reviewed_by": reviewer})
                    notice = str(verdict.get("notice") or "") or shipped_notice()
                    verdict["notice"] = notice
                    end, expected = (verdict, notice), len(messages)
            elif review.origin != "escalated" and record.ended and not changed:
                unlock = True  # the end under review is still the one in force
            try:
                return self.store.decide_review(
                    review_id,
                    status=outcome,
                    reviewer=reviewer,
                    note=note,
                    end=end,
                    unlock=unlock,
                    events=self._decision_events(review, outcome, reviewer, note, end, unlock),
                    expected_messages=expected,
                )
            except HistoryChangedError:
                if attempt == _RECHECKS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _still_as_opened(review: Review, record: ConversationRecord, changed: bool) -> None:
        """Refuse an uphold whose conversation is not in the state it was reviewed in."""
        if changed:
            if record.ended:
                what = "was ended by something else"
            elif review.origin == "escalated":
                what = "was ended and reopened"
            else:
                what = "had its end overturned (it is open again)"
            raise ReviewStateChangedError(review.id, record.id, what)
        if review.origin == "escalated" and record.ended:
            raise ReviewStateChangedError(review.id, record.id, "was ended by something else")
        if review.origin != "escalated" and not record.ended:
            raise ReviewStateChangedError(
                review.id, record.id, "is not ended: the end under review is no longer in force"
            )

    @staticmethod
    def _decision_events(
        review: Review,
        outcome: str,
        reviewer: str,
        note: str,
        end: tuple[dict[str, Any], str] | None,
        unlock: bool,
    ) -> list[AuditEvent]:
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
        return events

    def request_review(self, conversation_id: str, *, reason: str = "") -> Review:
        """Put an ended conversation in the review queue (e.g. a sampled audit)."""
        record = self.store.get(conversation_id)
        return self._open_review(
            conversation_id, record.user_id, "requested", reason=reason, verdict=record.end_verdict
        )
