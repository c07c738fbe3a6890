"""Metrics from the audit trail: counts and rates by decision and reason, time from
the first refusal to the end, overturn and feedback rates. Computed purely from
audit records; exported as Prometheus text or as OpenTelemetry instruments."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from ._store import AuditRecord, ConversationStore

__all__ = ["Metrics", "MetricsCollector", "compute_metrics", "instrument", "to_prometheus"]

# Seconds from the first refusal to the end: histogram bucket bounds.
BUCKETS = (10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 6 * 3600.0, 86400.0)


class Metrics(BaseModel):
    """Figures over a stretch of the audit trail."""

    model_config = ConfigDict(frozen=True)

    decisions: dict[str, int]
    """Decisions by ``decision`` (honored, denied, escalated)."""
    decisions_by_reason: dict[tuple[str, str], int]
    """Decisions by (decision, first reason code)."""
    decisions_by_basis: dict[str, int]
    ends: int
    ends_by_reason: dict[str, int]
    """Ends by the reason the model gave (harmful_requests, abuse, user_requested)."""
    seconds_to_end: tuple[float, ...]
    """For each end: seconds from the first refusal to the end."""
    reviews_opened: dict[str, int]
    """By origin (escalated, feedback, circumvention, requested)."""
    reviews_decided: dict[str, int]
    """By outcome (upheld, overturned)."""
    feedback: dict[str, int]
    """By kind (unexpected_end, agree, other)."""
    circumvention: int
    refused: int
    branches: int

    @property
    def decision_total(self) -> int:
        """All decisions."""
        return sum(self.decisions.values())

    def rate(self, decision: str) -> float:
        """Share of decisions with this outcome."""
        return self.decisions.get(decision, 0) / self.decision_total if self.decision_total else 0.0

    @property
    def overturn_rate(self) -> float:
        """Share of decided reviews that overturned the decision."""
        decided = sum(self.reviews_decided.values())
        return self.reviews_decided.get("overturned", 0) / decided if decided else 0.0

    @property
    def feedback_rate(self) -> float:
        """Feedback items per ended conversation."""
        return sum(self.feedback.values()) / self.ends if self.ends else 0.0

    def percentile(self, q: float) -> float | None:
        """A percentile (0..100) of seconds from first refusal to end."""
        if not self.seconds_to_end:
            return None
        ordered = sorted(self.seconds_to_end)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


class MetricsCollector:
    """Metrics kept up to date from a store: each `collect` reads only the audit
    records written since the last one (for a scrape endpoint or an exporter)."""

    def __init__(self, store: ConversationStore | None = None) -> None:
        self.store = store
        self._seq = 0
        self._decisions: Counter[str] = Counter()
        self._by_reason: Counter[tuple[str, str]] = Counter()
        self._by_basis: Counter[str] = Counter()
        self._ends_by_reason: Counter[str] = Counter()
        self._opened: Counter[str] = Counter()
        self._decided: Counter[str] = Counter()
        self._feedback: Counter[str] = Counter()
        self._seconds: list[float] = []
        self._counts: Counter[str] = Counter()

    def ingest(self, records: Iterable[AuditRecord]) -> None:
        """Count records (each once, in any order of arrival)."""
        for r in records:
            self._seq = max(self._seq, r.seq)
            if r.kind == "decision" and r.decision:
                self._decisions[r.decision] += 1
                self._by_reason[r.decision, r.reasons[0] if r.reasons else "none"] += 1
                self._by_basis[str(r.detail.get("basis", "transcript"))] += 1
            elif r.kind == "end":
                self._counts["ends"] += 1
                self._ends_by_reason[str(r.detail.get("end_reason", "unknown"))] += 1
                if "seconds_from_first_refusal" in r.detail:
                    self._seconds.append(float(r.detail["seconds_from_first_refusal"]))
            elif r.kind == "review_opened":
                self._opened[str(r.detail.get("origin", "unknown"))] += 1
            elif r.kind == "review_decided" and r.decision:
                self._decided[r.decision] += 1
            elif r.kind == "feedback":
                self._feedback[str(r.detail.get("kind", "other"))] += 1
            elif r.kind == "circumvention":
                self._counts["circumvention"] += 1
                if r.detail.get("action") == "review":
                    self._opened["circumvention"] += 1
            elif r.kind in ("refused", "branch"):
                self._counts[r.kind] += 1

    def collect(self) -> Metrics:
        """Read the store's new audit records, then return the figures so far."""
        if self.store is not None:
            self.ingest(self.store.audit_trail(after_seq=self._seq))
        return Metrics(
            decisions=dict(self._decisions),
            decisions_by_reason=dict(self._by_reason),
            decisions_by_basis=dict(self._by_basis),
            ends=self._counts["ends"],
            ends_by_reason=dict(self._ends_by_reason),
            seconds_to_end=tuple(self._seconds),
            reviews_opened=dict(self._opened),
            reviews_decided=dict(self._decided),
            feedback=dict(self._feedback),
            circumvention=self._counts["circumvention"],
            refused=self._counts["refused"],
            branches=self._counts["branch"],
        )


def compute_metrics(records: Iterable[AuditRecord]) -> Metrics:
    """Aggregate audit records (any stretch of the trail, any filter)."""
    collector = MetricsCollector()
    collector.ingest(records)
    return collector.collect()


def _labels(**labels: str) -> str:
    inner = ",".join(
        f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in labels.items()
    )
    return "{" + inner + "}" if inner else ""


def to_prometheus(m: Metrics, *, prefix: str = "end_conversation") -> str:
    """The Prometheus text exposition format (version 0.0.4)."""
    out: list[str] = []

    def family(name: str, kind: str, help_: str, samples: Sequence[tuple[str, float]]) -> None:
        out.append(f"# HELP {prefix}_{name} {help_}")
        out.append(f"# TYPE {prefix}_{name} {kind}")
        for suffix_labels, value in samples:
            out.append(f"{prefix}_{name}{suffix_labels} {_number(value)}")

    family(
        "decisions_total",
        "counter",
        "Guard decisions on end_conversation calls, by decision and first reason code.",
        [(_labels(decision=d, reason=r), n) for (d, r), n in sorted(m.decisions_by_reason.items())],
    )
    family(
        "decision_ratio",
        "gauge",
        "Share of decisions with each outcome.",
        [(_labels(decision=d), m.rate(d)) for d in ("honored", "denied", "escalated")],
    )
    family(
        "decisions_by_basis_total",
        "counter",
        "Decisions by what they rest on (transcript, recorded, attested).",
        [(_labels(basis=b), n) for b, n in sorted(m.decisions_by_basis.items())],
    )
    family(
        "ends_total",
        "counter",
        "Conversations ended, by the reason given.",
        [(_labels(reason=r), n) for r, n in sorted(m.ends_by_reason.items())],
    )
    name = f"{prefix}_seconds_from_first_refusal_to_end"
    out.append(f"# HELP {name} Seconds from the first refusal to the end of a conversation.")
    out.append(f"# TYPE {name} histogram")
    for bound in BUCKETS:
        count = sum(1 for s in m.seconds_to_end if s <= bound)
        out.append(f'{name}_bucket{{le="{_number(bound)}"}} {count}')
    out.append(f'{name}_bucket{{le="+Inf"}} {len(m.seconds_to_end)}')
    out.append(f"{name}_sum {_number(sum(m.seconds_to_end))}")
    out.append(f"{name}_count {len(m.seconds_to_end)}")
    family(
        "reviews_opened_total",
        "counter",
        "Decisions and ends sent to human review, by origin.",
        [(_labels(origin=o), n) for o, n in sorted(m.reviews_opened.items())],
    )
    family(
        "reviews_decided_total",
        "counter",
        "Reviews decided, by outcome.",
        [(_labels(outcome=o), n) for o, n in sorted(m.reviews_decided.items())],
    )
    family(
        "review_overturn_ratio",
        "gauge",
        "Share of decided reviews that overturned the decision.",
        [("", m.overturn_rate)],
    )
    family(
        "feedback_total",
        "counter",
        "User feedback on conversations, by kind.",
        [(_labels(kind=k), n) for k, n in sorted(m.feedback.items())],
    )
    family(
        "feedback_ratio", "gauge", "Feedback items per ended conversation.", [("", m.feedback_rate)]
    )
    family(
        "circumvention_total",
        "counter",
        "Times a user crossed the ended-conversations threshold.",
        [("", m.circumvention)],
    )
    family(
        "refused_total",
        "counter",
        "New conversations refused while cooling off.",
        [("", m.refused)],
    )
    return "\n".join(out) + "\n"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def instrument(
    store: ConversationStore,
    *,
    meter_provider: Any = None,
    since: Callable[[], float] | None = None,
) -> list[Any]:
    """Publish the metrics as OpenTelemetry observable instruments.

    Each collection by the configured exporter reads the audit trail (from
    `since()`, if given). Needs ``opentelemetry-api``; returns the instruments.
    """
    from opentelemetry.metrics import CallbackOptions, Observation, get_meter

    meter = get_meter("end_conversation", meter_provider=meter_provider)
    collector = MetricsCollector(store)

    def current() -> Metrics:
        if since is not None:  # a moving window: recount it
            return compute_metrics(store.audit_trail(since=since()))
        return collector.collect()

    def observe(pick: Callable[[Metrics], Iterable[tuple[dict[str, str], float]]]) -> Any:
        def callback(options: CallbackOptions) -> Iterable[Observation]:
            return [Observation(value, attributes) for attributes, value in pick(current())]

        return callback

    return [
        meter.create_observable_counter(
            "end_conversation.decisions",
            callbacks=[
                observe(
                    lambda m: [
                        ({"decision": d, "reason": r}, n)
                        for (d, r), n in m.decisions_by_reason.items()
                    ]
                )
            ],
            description="Guard decisions on end_conversation calls.",
        ),
        meter.create_observable_counter(
            "end_conversation.ends",
            callbacks=[
                observe(lambda m: [({"reason": r}, n) for r, n in m.ends_by_reason.items()])
            ],
            description="Conversations ended.",
        ),
        meter.create_observable_counter(
            "end_conversation.reviews_decided",
            callbacks=[
                observe(lambda m: [({"outcome": o}, n) for o, n in m.reviews_decided.items()])
            ],
            description="Reviews decided, by outcome.",
        ),
        meter.create_observable_counter(
            "end_conversation.feedback",
            callbacks=[observe(lambda m: [({"kind": k}, n) for k, n in m.feedback.items()])],
            description="User feedback on conversations.",
        ),
        meter.create_observable_gauge(
            "end_conversation.review_overturn_ratio",
            callbacks=[observe(lambda m: [({}, m.overturn_rate)])],
            description="Share of decided reviews that overturned the decision.",
        ),
        meter.create_observable_gauge(
            "end_conversation.feedback_ratio",
            callbacks=[observe(lambda m: [({}, m.feedback_rate)])],
            description="Feedback items per ended conversation.",
        ),
        meter.create_observable_gauge(
            "end_conversation.seconds_from_first_refusal_to_end.p50",
            callbacks=[observe(lambda m: [({}, m.percentile(50) or 0.0)])],
            unit="s",
            description="Median seconds from the first refusal to the end.",
        ),
    ]
