"""What the pages show, read from a store with paged, indexed queries only: the
review queue, the chain's status (verified at most every few seconds), trends kept
up to date incrementally, and a conversation with its signals."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._detect import Signal, TurnText
from .._errors import EndConversationError
from .._guard import Guard
from .._store import AuditProblem, AuditRecord, ConversationRecord, ConversationStore, Review
from ..metrics import Metrics, MetricsCollector

__all__ = [
    "ChainStatus",
    "ChainWatch",
    "Queue",
    "Trends",
    "Turn",
    "children",
    "queue",
    "turns",
]

RISK_SIGNALS = frozenset({Signal.RISK_SELF, Signal.RISK_OTHERS, Signal.DISTRESS})


@dataclass(frozen=True, kw_only=True, slots=True)
class Queue:
    """The review queue: pending reviews oldest first, and recent circumvention flags."""

    pending: list[Review]
    flags: list[AuditRecord]
    """Circumvention records (the policy's ``flag`` action opens no review), newest last."""
    ends: list[AuditRecord] = field(default_factory=list)
    """The newest ends (any of them can be put up for review), newest last."""

    def counts(self) -> dict[str, int]:
        """Pending items per kind."""
        found = Counter(r.origin for r in self.pending)
        return {
            "escalated": found["escalated"],
            "feedback": found["feedback"],
            "circumvention": found["circumvention"] + len(self.flags),
            "requested": found["requested"],
        }


def queue(store: ConversationStore, *, flags: int = 50, ends: int = 10) -> Queue:
    """The queue as it is now."""
    return Queue(
        ends=store.audit_trail(kinds=["end"], limit=ends),
        pending=store.reviews(status="pending"),
        flags=[
            r
            for r in store.audit_trail(kinds=["circumvention"], limit=flags)
            if r.detail.get("action") != "review"  # those are in the queue as reviews
        ],
    )


# ---------------------------------------------------------------- the chain
@dataclass(frozen=True, kw_only=True, slots=True)
class ChainStatus:
    """The audit chain as last verified, and its head now."""

    problems: tuple[AuditProblem, ...] | None
    """What the last full verification found; None while the first one runs."""
    checked_at: float
    """When the whole chain was last verified (seconds since the epoch)."""
    checked_seq: int
    """The head record when it was verified."""
    head_seq: int
    head_hash: str

    @property
    def intact(self) -> bool:
        """Whether the last full verification found nothing wrong."""
        return self.problems is not None and not self.problems


class ChainWatch:
    """`verify_audit` reads the whole trail (seconds for 100,000 records), so it runs
    at most once every `max_age` seconds, in a background thread: a page never waits
    for it, and shows the last result with its time. Every page reads the head
    afresh. With `max_age` 0 every page verifies the chain itself, before it renders."""

    def __init__(
        self,
        store: ConversationStore,
        *,
        max_age: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._last: tuple[tuple[AuditProblem, ...], float, int] | None = None
        self._running = False

    def _verify(self) -> tuple[tuple[AuditProblem, ...], float, int]:
        newest = self.store.audit_trail(limit=1)
        at = self._clock()
        try:
            found = tuple(self.store.verify_audit())
        except EndConversationError as exc:  # unreadable: that is a finding too
            found = (AuditProblem(seq=None, problem=f"cannot be verified: {exc}"),)
        return found, at, newest[0].seq if newest else 0

    def _background(self) -> None:
        try:
            result = self._verify()
            with self._lock:
                self._last = result
        finally:
            with self._lock:
                self._running = False

    def start(self) -> None:
        """Verify now in the background (e.g. when the server starts)."""
        with self._lock:
            if self._running:
                return
            self._running = True
        threading.Thread(target=self._background, name="chain-verify", daemon=True).start()

    def status(self) -> ChainStatus:
        """The chain's status: the head now, and the last verification."""
        newest = self.store.audit_trail(limit=1)
        head_seq, head_hash = (newest[0].seq, newest[0].hash) if newest else (0, "0" * 64)
        if self.max_age <= 0:
            last: tuple[tuple[AuditProblem, ...], float, int] | None = self._verify()
            with self._lock:
                self._last = last
        else:
            with self._lock:
                last = self._last
            stale = last is None or self._clock() - last[1] >= self.max_age or head_seq < last[2]
            if stale:
                self.start()
        if last is None:
            return ChainStatus(
                problems=None, checked_at=0.0, checked_seq=0, head_seq=head_seq, head_hash=head_hash
            )
        problems, checked_at, checked_seq = last
        return ChainStatus(
            problems=problems,
            checked_at=checked_at,
            checked_seq=checked_seq,
            head_seq=head_seq,
            head_hash=head_hash,
        )


# ---------------------------------------------------------------- trends
HOUR = 3600


@dataclass(kw_only=True)
class Trends:
    """Figures for the metrics page, kept up to date incrementally: each `refresh`
    reads only the records written since the last one, in bounded chunks."""

    store: ConversationStore
    chunk: int = 5000
    seq: int = 0
    collector: MetricsCollector = field(default_factory=MetricsCollector)
    ends_by_hour: dict[int, Counter[str]] = field(default_factory=dict)
    """Ends per hour (epoch hour) by the reason given."""
    shadow_by_hour: dict[int, Counter[str]] = field(default_factory=dict)
    """Shadow-mode decisions that would have ended, per hour, by reason."""
    shadow_by_reason: Counter[str] = field(default_factory=Counter)
    shadow_recent: list[AuditRecord] = field(default_factory=list)
    """The newest shadow-mode decisions (up to 20), newest last."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    """Held while the trail is being read."""

    def refresh(self) -> Metrics:
        """Read new records (all of them, chunk by chunk) and return the totals."""
        with self.lock:
            while True:
                # seq numbers are contiguous, so a range on the primary key is one chunk
                batch = self.store.audit_trail(
                    after_seq=self.seq, before_seq=self.seq + self.chunk + 1
                )
                if not batch:
                    newest = self.store.audit_trail(after_seq=self.seq, limit=1)
                    if not newest:
                        break
                    # a gap (records removed outside the store): skip to what is there
                    batch = self.store.audit_trail(after_seq=self.seq, before_seq=newest[0].seq + 1)
                self._ingest(batch)
            return self.collector.collect()

    def _ingest(self, records: Sequence[AuditRecord]) -> None:
        self.collector.ingest(records)
        for r in records:
            self.seq = max(self.seq, r.seq)
            hour = int(r.at // HOUR)
            if r.kind == "end":
                reason = str(r.detail.get("end_reason") or "by review")
                self.ends_by_hour.setdefault(hour, Counter())[reason] += 1
            elif r.kind == "decision" and "shadow_mode" in r.reasons:
                reason = str(r.detail.get("end_reason") or "unknown")
                self.shadow_by_hour.setdefault(hour, Counter())[reason] += 1
                self.shadow_by_reason[reason] += 1
                self.shadow_recent.append(r)
                del self.shadow_recent[:-20]


def over_time(
    by_hour: dict[int, Counter[str]], *, max_buckets: int = 60
) -> list[tuple[str, dict[str, int]]]:
    """Hourly counts as columns: by hour over two days or less, else by day."""
    if not by_hour:
        return []
    first, last = min(by_hour), max(by_hour)
    if last - first < 48:
        step, fmt = 1, "%m-%d %H:00"
    else:
        step, fmt = 24, "%Y-%m-%d"
    start = first - first % step
    buckets: dict[int, Counter[str]] = {}
    for hour, counts in by_hour.items():
        buckets.setdefault(hour - (hour - start) % step, Counter()).update(counts)
    keys = sorted(buckets)[-max_buckets:]
    span = range(keys[0], keys[-1] + step, step)
    return [
        (time.strftime(fmt, time.gmtime(k * HOUR)), dict(buckets.get(k, Counter()))) for k in span
    ][-max_buckets:]


# ---------------------------------------------------------------- conversations
@dataclass(frozen=True, kw_only=True, slots=True)
class Turn:
    """One message as the review page shows it."""

    index: int
    role: str
    text: str
    calls: tuple[str, ...]
    """Tool calls in the message, described."""
    signals: tuple[Signal, ...]
    cues: tuple[tuple[str, str], ...]
    """(signal, what raised it: a phrase, or a detector's score)."""
    evidence: bool


def _describe_block(block: dict[str, Any]) -> tuple[str, str]:
    kind = block.get("type")
    if kind == "text":
        return "text", str(block.get("text", ""))
    if kind == "tool_use":
        args = block.get("input") or {}
        shown = ", ".join(f"{k}={v!r}" for k, v in args.items()) if isinstance(args, dict) else ""
        return "call", f"calls {block.get('name', 'a tool')}({shown})"
    if kind == "tool_result":
        content = block.get("content")
        if isinstance(content, list):
            content = " ".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
        return "call", f"tool result: {content or ''}"
    return "call", f"[{kind}]"


def turns(messages: Sequence[dict[str, Any]], evidence: Sequence[int], guard: Guard) -> list[Turn]:
    """The messages with each turn's signals (the detectors are pure: re-running them
    shows what the guard saw), the evidence turns marked."""
    marked = set(evidence)
    out: list[Turn] = []
    for i, message in enumerate(messages):
        role = str(message.get("role", "?"))
        content = message.get("content", "")
        texts: list[str] = []
        calls: list[str] = []
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            for block in content:
                if isinstance(block, dict):
                    what, text = _describe_block(block)
                    (texts if what == "text" else calls).append(text)
        text = "\n".join(t for t in texts if t)
        signals: tuple[Signal, ...] = ()
        cues: tuple[tuple[str, str], ...] = ()
        if text and role in ("user", "assistant"):
            note = guard.annotate(
                TurnText(role="user" if role == "user" else "assistant", text=text)
            )
            signals = tuple(sorted(note.signals))
            cues = tuple((str(s), c) for s, c in note.cues)
        out.append(
            Turn(
                index=i,
                role=role,
                text=text,
                calls=tuple(calls),
                signals=signals,
                cues=cues,
                evidence=i in marked,
            )
        )
    return out


def children(store: ConversationStore, record: ConversationRecord) -> list[str]:
    """Conversations branched from this one (from the branch records of its user:
    an indexed read; branches always belong to the parent's user)."""
    found = store.audit_trail(user_id=record.user_id, kinds=["branch"]) if record.user_id else []
    return [
        r.conversation_id
        for r in found
        if r.conversation_id and r.detail.get("parent_id") == record.id
    ]
