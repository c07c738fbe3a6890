"""The audit trail: append-only, hash-chained records of every decision and lifecycle
event. Pure: building events, chaining them, and checking a chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .._guard import ReasonCode, Verdict

__all__ = [
    "AuditEvent",
    "AuditProblem",
    "AuditRecord",
    "EventKind",
    "chain",
    "chain_bodies",
    "decision_event",
    "links",
    "verify_chain",
    "with_detail",
]

EventKind = Literal[
    "decision",  # the guard decided on an end_conversation call (honored, denied, escalated)
    "end",  # a conversation was ended
    "branch",  # a conversation was branched from an earlier message
    "review_opened",  # a decision or an end went to human review
    "review_decided",  # a reviewer upheld or overturned it
    "unlock",  # an overturned end: the conversation is open again
    "feedback",  # the user said something about an end
    "circumvention",  # a user crossed the ended-conversations threshold
    "refused",  # a new conversation was refused (cooling-off period)
]

GENESIS = "0" * 64


class AuditEvent(BaseModel):
    """What happened, before the store stamps it with time and chains it."""

    model_config = ConfigDict(frozen=True)

    kind: EventKind
    conversation_id: str | None = None
    user_id: str | None = None
    decision: str | None = None
    """For decisions: honored, denied or escalated; for reviews: upheld or overturned."""
    reasons: tuple[str, ...] = ()
    evidence: tuple[int, ...] = ()
    """Message indices the decision rests on."""
    versions: dict[str, str] = Field(default_factory=dict)
    """Policy, prompt and detector versions that decided."""
    detail: dict[str, Any] = Field(default_factory=dict)


class AuditRecord(AuditEvent):
    """A stored event: numbered, timed, and chained to the one before."""

    seq: int
    at: float
    prev_hash: str
    hash: str

    def body(self) -> str:
        """The canonical text the hash covers (everything but the hashes)."""
        return _canonical(self.model_dump(mode="json", exclude={"hash", "prev_hash"}))


class AuditProblem(BaseModel):
    """One way a stored chain differs from an intact one."""

    model_config = ConfigDict(frozen=True)

    seq: int | None
    problem: str


def _canonical(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _hash(prev_hash: str, body: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def chain(
    events: Sequence[AuditEvent], *, after_seq: int, after_hash: str, at: float
) -> list[AuditRecord]:
    """Number, time and chain `events` after the record (`after_seq`, `after_hash`)."""
    return [record for record, _ in chain_bodies(events, after_seq, after_hash, at)]


def chain_bodies(
    events: Sequence[AuditEvent], after_seq: int, after_hash: str, at: float
) -> list[tuple[AuditRecord, str]]:
    """`chain`, with each record's canonical body (what a store writes), made once."""
    return [
        (AuditRecord(**dict(event), seq=seq, at=float(at), prev_hash=prev, hash=digest), body)
        for event, seq, body, prev, digest in links(events, after_seq, after_hash, at)
    ]


def links(
    events: Sequence[AuditEvent], after_seq: int, after_hash: str, at: float
) -> list[tuple[AuditEvent, int, str, str, str]]:
    """What chaining `events` makes of each, as (event, seq, body, prev_hash, hash):
    what a store writes, without building the records."""
    out: list[tuple[AuditEvent, int, str, str, str]] = []
    prev = after_hash or GENESIS
    for seq, event in enumerate(events, after_seq + 1):
        fields = event.model_dump(mode="json")
        fields.update(seq=seq, at=float(at))
        body = _canonical(fields)
        digest = _hash(prev, body)
        out.append((event, seq, body, prev, digest))
        prev = digest
    return out


def verify_chain(
    records: Sequence[AuditRecord],
    *,
    head: tuple[int, str] | None,
    columns: Sequence[Mapping[str, Any]] | None = None,
    bodies: Sequence[str] | None = None,
) -> list[AuditProblem]:
    """Every way `records` (oldest first) is not an intact chain ending at `head`.

    Detects an edited record (its hash no longer matches), a deleted one (a gap in
    the numbering or a broken link), reordered ones, and a deleted tail (the stored
    head names a record that is gone). `columns` are the indexed copies of each
    record's fields, which must agree with the hashed body. `bodies` are the stored
    texts the hashes were made over: when given, the hash is checked against exactly
    what is stored, not a re-encoding of it.
    """
    problems: list[AuditProblem] = []
    prev_hash, expected = GENESIS, 1
    for i, record in enumerate(records):
        if record.seq != expected:
            problems.append(
                AuditProblem(seq=record.seq, problem=f"expected record {expected} here")
            )
        if record.prev_hash != prev_hash:
            problems.append(
                AuditProblem(seq=record.seq, problem="does not link to the record before it")
            )
        body = bodies[i] if bodies is not None else record.body()
        if _hash(record.prev_hash, body) != record.hash:
            problems.append(AuditProblem(seq=record.seq, problem="edited: the hash does not match"))
        if columns is not None:
            for name, value in columns[i].items():
                if getattr(record, name) != value:
                    problems.append(
                        AuditProblem(seq=record.seq, problem=f"edited: column {name!r} differs")
                    )
        prev_hash, expected = record.hash, record.seq + 1
    last = (records[-1].seq, records[-1].hash) if records else (0, GENESIS)
    if head is not None and tuple(head) != last:
        problems.append(
            AuditProblem(
                seq=None,
                problem=f"the trail should end at record {head[0]}, but ends at {last[0]}"
                " (records removed or added outside the store)",
            )
        )
    return problems


def decision_event(
    verdict: Verdict, *, conversation_id: str | None, user_id: str | None, basis: str | None = None
) -> AuditEvent:
    """The audit event for one guard verdict (honored, denied or escalated)."""
    detail: dict[str, Any] = {"tool_use_id": verdict.tool_use_id, "basis": basis or verdict.basis}
    if verdict.end_reason is not None:
        detail["end_reason"] = verdict.end_reason.value
    if verdict.summary:
        detail["summary"] = verdict.summary
    if ReasonCode.END_FAILED in verdict.reasons:  # why the end was not carried out
        detail["end_failed"] = verdict.detail
    return AuditEvent(
        kind="decision",
        conversation_id=conversation_id,
        user_id=user_id,
        decision=verdict.decision.value,
        reasons=tuple(r.value for r in verdict.reasons),
        evidence=tuple(verdict.evidence),
        versions=verdict.versions.model_dump(),
        detail=detail,
    )


def with_detail(events: Sequence[AuditEvent], **detail: Any) -> list[AuditEvent]:
    """The events with `detail` added (e.g. the review they belong to)."""
    return [e.model_copy(update={"detail": {**e.detail, **detail}}) for e in events]
