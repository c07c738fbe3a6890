"""``end-conversation audit | review | feedback | metrics``: operating the feature."""

from __future__ import annotations

import argparse
import functools
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO, Any

from ._errors import EndConversationError, StoreError
from ._oversight import Oversight
from ._store import AuditProblem, ConversationStore
from ._store._open import open_existing_store
from .metrics import compute_metrics, to_prometheus

__all__ = ["add_commands"]

DEFAULT_STORE = "sqlite:///end_conversation.sqlite3"


def add_commands(sub: Any, fail: type[Exception]) -> None:
    """Register the oversight subcommands on the main parser."""

    def store_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--store", default=DEFAULT_STORE, help=f"store URL (default {DEFAULT_STORE})"
        )

    audit = sub.add_parser("audit", help="show or verify the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    show = audit_sub.add_parser("show", help="list audit records (filters combine)")
    store_arg(show)
    show.add_argument("--conversation", help="one conversation id")
    show.add_argument("--user", help="one user id")
    show.add_argument("--decision", help="honored, denied, escalated, upheld, overturned")
    show.add_argument("--kind", action="append", default=[], help="event kind (repeatable)")
    show.add_argument("--since", help="from this time (ISO 8601 or seconds since the epoch)")
    show.add_argument("--until", help="before this time")
    show.add_argument("--limit", type=int, help="only the newest N")
    show.add_argument("--format", choices=["table", "json"], default="table")
    show.set_defaults(run=_guarded(lambda a, out: _audit_show(a, out, fail), fail))
    verify = audit_sub.add_parser(
        "verify", help="check the hash chain: exit 1 if any record was edited, removed or moved"
    )
    store_arg(verify)
    verify.add_argument(
        "--expect-head", help="the head hash recorded earlier (detects a rewritten trail)"
    )
    verify.set_defaults(run=_guarded(lambda a, out: _audit_verify(a, out, fail), fail))

    review = sub.add_parser("review", help="the human review queue")
    review_sub = review.add_subparsers(dest="review_command", required=True)
    listing = review_sub.add_parser("list", help="review items (pending by default)")
    store_arg(listing)
    listing.add_argument("--status", default="pending", help="pending, upheld, overturned, all")
    listing.add_argument("--format", choices=["table", "json"], default="table")
    listing.set_defaults(run=_guarded(lambda a, out: _review_list(a, out, fail), fail))
    for outcome in ("uphold", "overturn"):
        act = review_sub.add_parser(
            outcome,
            help="uphold a decision (an escalated call then ends the conversation)"
            if outcome == "uphold"
            else "overturn a decision (an ended conversation is unlocked)",
        )
        store_arg(act)
        act.add_argument("review_id")
        act.add_argument("--reviewer", required=True, help="who decides (recorded)")
        act.add_argument("--note", default="", help="why (recorded)")
        act.set_defaults(
            run=_guarded(functools.partial(_review_decide, fail=fail, outcome=outcome), fail)
        )
    request = review_sub.add_parser("request", help="put an ended conversation up for review")
    store_arg(request)
    request.add_argument("conversation_id")
    request.add_argument("--reason", default="", help="why it should be reviewed (recorded)")
    request.set_defaults(run=_guarded(lambda a, out: _review_request(a, out, fail), fail))

    feedback = sub.add_parser(
        "feedback",
        help="record a user's feedback on a conversation",
        description=(
            "Record a user's feedback on a conversation (by default, that an end was "
            "unexpected); feedback on an end is linked to its verdict and queues a review."
        ),
    )
    store_arg(feedback)
    feedback.add_argument("conversation_id")
    feedback.add_argument(
        "--kind",
        choices=["unexpected_end", "agree", "other"],
        default="unexpected_end",
        help="what the user says: the end was unexpected (default), they agree, or other",
    )
    feedback.add_argument("--text", default="", help="the user's own words (recorded)")
    feedback.set_defaults(run=_guarded(lambda a, out: _feedback(a, out, fail), fail))

    metrics = sub.add_parser(
        "metrics",
        help="metrics from the audit trail",
        description=(
            "Metrics computed from the audit trail (decisions by reason, ends by reason, "
            "time from first refusal to end, overturn and feedback rates), as Prometheus "
            "text or JSON."
        ),
    )
    store_arg(metrics)
    metrics.add_argument("--since", help="from this time (ISO 8601 or seconds since the epoch)")
    metrics.add_argument("--format", choices=["prometheus", "json"], default="prometheus")
    metrics.set_defaults(run=_guarded(lambda a, out: _metrics(a, out, fail), fail))


def _open(
    args: argparse.Namespace, fail: type[Exception], *, read_only: bool = True
) -> ConversationStore:
    """The store these commands work on. They all act on what is there: a missing
    file is an error, never a new store (it would only hide a typo). Commands that
    only look open it read-only, so nothing is ever created, migrated or written."""
    try:
        return open_existing_store(str(args.store), read_only=read_only, must_exist=True)
    except EndConversationError as exc:
        raise fail(_one_line(exc)) from exc


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _guarded(
    run: Callable[[argparse.Namespace, IO[str]], int], fail: type[Exception]
) -> Callable[[argparse.Namespace, IO[str]], int]:
    """A store that fails while being read or written is a one-line error too, never
    a traceback."""

    def guarded(args: argparse.Namespace, out: IO[str]) -> int:
        try:
            return run(args, out)
        except EndConversationError as exc:
            raise fail(_one_line(exc)) from exc

    return guarded


def _time(value: str | None, fail: type[Exception]) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"not a time: {value!r} (use ISO 8601 or seconds since the epoch)") from exc
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def _iso(at: float | None) -> str:
    return "" if at is None else datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _table(out: IO[str], title: str, headers: list[str], rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for h in headers:
        table.add_column(h)
    for row in rows:
        table.add_row(*row)
    Console(file=out, width=200).print(table)


def _audit_show(args: argparse.Namespace, out: IO[str], fail: type[Exception]) -> int:
    store = _open(args, fail)
    try:
        records = store.audit_trail(
            conversation_id=args.conversation,
            user_id=args.user,
            kinds=args.kind,
            decision=args.decision,
            since=_time(args.since, fail),
            until=_time(args.until, fail),
            limit=args.limit,
        )
    finally:
        store.close()
    if args.format == "json":
        out.write(json.dumps([r.model_dump(mode="json") for r in records], indent=2) + "\n")
        return 0
    _table(
        out,
        f"audit trail ({len(records)} records)",
        ["seq", "time (UTC)", "kind", "conversation", "user", "decision", "reasons", "evidence"],
        [
            [
                str(r.seq),
                _iso(r.at),
                r.kind,
                r.conversation_id or "",
                r.user_id or "",
                r.decision or "",
                ",".join(r.reasons),
                ",".join(str(i) for i in r.evidence),
            ]
            for r in records
        ],
    )
    return 0


def _audit_verify(args: argparse.Namespace, out: IO[str], fail: type[Exception]) -> int:
    store = _open(args, fail)
    try:
        problems = store.verify_audit()
        # (an unreadable record is already a problem: the trail is listed only when whole)
        records = [] if problems else store.audit_trail()
    finally:
        store.close()
    if not problems and args.expect_head and all(r.hash != args.expect_head for r in records):
        # An intact chain that no longer holds the anchored record was rewritten.
        problems.append(
            AuditProblem(seq=None, problem="the anchored record is gone: the trail was rewritten")
        )
    for p in problems:
        where = f"record {p.seq}: " if p.seq is not None else ""
        out.write(f"TAMPERED {where}{p.problem}\n")
    if problems:
        return 1
    head = records[-1].hash if records else "(empty)"
    out.write(f"OK: {len(records)} records, chain intact; head {head}\n")
    return 0


def _review_list(args: argparse.Namespace, out: IO[str], fail: type[Exception]) -> int:
    store = _open(args, fail)
    try:
        items = store.reviews(status=None if args.status == "all" else args.status)
    finally:
        store.close()
    if args.format == "json":
        out.write(json.dumps([r.model_dump(mode="json") for r in items], indent=2) + "\n")
        return 0
    _table(
        out,
        f"reviews ({args.status}: {len(items)})",
        ["id", "opened (UTC)", "origin", "conversation", "user", "reason", "status", "reviewer"],
        [
            [
                r.id,
                _iso(r.created_at),
                r.origin,
                r.conversation_id,
                r.user_id or "",
                r.reason,
                r.status,
                r.reviewer or "",
            ]
            for r in items
        ],
    )
    return 0


def _review_decide(
    args: argparse.Namespace, out: IO[str], *, fail: type[Exception], outcome: str
) -> int:
    store = _open(args, fail, read_only=False)
    try:
        review = Oversight(store).decide(
            args.review_id,
            outcome="upheld" if outcome == "uphold" else "overturned",
            reviewer=args.reviewer,
            note=args.note,
        )
        record = store.get(review.conversation_id)
    except EndConversationError as exc:  # a store error, or an end the guard refuses
        raise fail(str(exc)) from exc
    finally:
        store.close()
    state = "ended" if record.ended else "open"
    out.write(f"review {review.id} {review.status}; conversation {record.id} is {state}\n")
    return 0


def _review_request(args: argparse.Namespace, out: IO[str], fail: type[Exception]) -> int:
    store = _open(args, fail, read_only=False)
    try:
        review = Oversight(store).request_review(args.conversation_id, reason=args.reason)
    except StoreError as exc:
        raise fail(str(exc)) from exc
    finally:
        store.close()
    out.write(f"review {review.id} opened for conversation {review.conversation_id}\n")
    return 0


def _feedback(args: argparse.Namespace, out: IO[str], fail: type[Exception]) -> int:
    store = _open(args, fail, read_only=False)
    try:
        oversight = Oversight(store)
        item = oversight.feedback(args.conversation_id, kind=args.kind, text=args.text)
        opened = store.reviews(status="pending", conversation_id=args.conversation_id)
    except StoreError as exc:
        raise fail(str(exc)) from exc
    finally:
        store.close()
    out.write(f"feedback {item.id} recorded")
    out.write(f"; review {opened[-1].id} pending\n" if opened else "\n")
    return 0


def _metrics(args: argparse.Namespace, out: IO[str], fail: type[Exception]) -> int:
    store = _open(args, fail)
    try:
        metrics = compute_metrics(store.audit_trail(since=_time(args.since, fail)))
    finally:
        store.close()
    if args.format == "json":
        data = metrics.model_dump(mode="json")
        data["decisions_by_reason"] = {
            f"{d}/{r}": n for (d, r), n in metrics.decisions_by_reason.items()
        }
        data.update(
            overturn_rate=metrics.overturn_rate,
            feedback_rate=metrics.feedback_rate,
            seconds_to_end_p50=metrics.percentile(50),
            seconds_to_end_p90=metrics.percentile(90),
        )
        out.write(json.dumps(data, indent=2) + "\n")
    else:
        out.write(to_prometheus(metrics))
    return 0
