"""What SQLiteStore and PostgresStore share: the schema and every statement.

A dialect supplies connections and transactions; statements are written with ``?``
placeholders. Concurrency rests on two rules: a conversation's row is updated
(``... WHERE ended_at IS NULL``) before its messages are written, so an append and
an end on one conversation are serialized by the database; and every audit write
first locks the one-row ``audit_head`` table, so the chain is extended by one
writer at a time, in commit order. A transaction that writes audit records takes
that lock first and only then reads the clock, so record times follow their
sequence numbers.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol

from pydantic import ValidationError

from .._errors import (
    ConversationEndedError,
    HistoryChangedError,
    ReviewStateChangedError,
    StoreError,
    UnknownConversationError,
)
from ._audit import (
    GENESIS,
    AuditEvent,
    AuditProblem,
    AuditRecord,
    links,
    verify_chain,
    with_detail,
)
from ._protocol import ConversationRecord, Feedback, FeedbackKind, Review, ReviewOrigin

__all__ = [
    "Cursor",
    "SQLStore",
    "check_review_state",
    "default_notice",
    "lifecycle_migration",
    "schema",
]

_ROWS_PER_INSERT = 200
"""Messages per INSERT statement: 800 parameters, under every SQLite build's limit (999);
audit records, at 9 parameters, go half as many at a time."""
_AUDIT_COLUMNS = ("at", "kind", "conversation_id", "user_id", "decision")
# The fields a stored record's body holds: no more, no fewer.
_BODY_FIELDS = frozenset(AuditRecord.model_fields) - {"prev_hash", "hash"}


def lifecycle_migration() -> list[str]:
    """From schema 2: conversations count their ends and unlocks; reviews remember
    the count they were opened on."""
    return [
        "ALTER TABLE conversations ADD COLUMN lifecycle INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE reviews ADD COLUMN lifecycle INTEGER",
    ]


def schema(*, bigint: str, real: str) -> list[str]:
    """The tables, in either dialect."""
    return [
        f"""CREATE TABLE IF NOT EXISTS conversations (
            id TEXT PRIMARY KEY,
            user_id TEXT,
            parent_id TEXT,
            branched_at INTEGER,
            created_at {real} NOT NULL,
            message_count INTEGER NOT NULL DEFAULT 0,
            ended_at {real},
            end_verdict TEXT,
            notice TEXT,
            lifecycle INTEGER NOT NULL DEFAULT 0
        )""",
        f"""CREATE TABLE IF NOT EXISTS messages (
            conversation_id TEXT NOT NULL REFERENCES conversations(id),
            seq INTEGER NOT NULL,
            content TEXT NOT NULL,
            at {real},
            PRIMARY KEY (conversation_id, seq)
        )""",
        "CREATE INDEX IF NOT EXISTS conversations_user ON conversations(user_id, ended_at)",
        f"""CREATE TABLE IF NOT EXISTS audit (
            seq {bigint} PRIMARY KEY,
            at {real} NOT NULL,
            kind TEXT NOT NULL,
            conversation_id TEXT,
            user_id TEXT,
            decision TEXT,
            body TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS audit_conversation ON audit(conversation_id)",
        "CREATE INDEX IF NOT EXISTS audit_user ON audit(user_id, at)",
        f"""CREATE TABLE IF NOT EXISTS audit_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq {bigint} NOT NULL,
            hash TEXT NOT NULL
        )""",
        f"INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '{GENESIS}') ON CONFLICT DO NOTHING",
        f"""CREATE TABLE IF NOT EXISTS reviews (
            id TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            user_id TEXT,
            origin TEXT NOT NULL,
            reason TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at {real} NOT NULL,
            decided_at {real},
            reviewer TEXT,
            note TEXT NOT NULL,
            verdict TEXT,
            lifecycle INTEGER
        )""",
        "CREATE INDEX IF NOT EXISTS reviews_status ON reviews(status, created_at)",
        f"""CREATE TABLE IF NOT EXISTS feedback (
            id TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            user_id TEXT,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            at {real} NOT NULL
        )""",
    ]


class Cursor(Protocol):
    """The part of a DB-API cursor or connection the statements use."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...


_COLUMNS = (
    "id, user_id, parent_id, branched_at, created_at, message_count, ended_at, end_verdict,"
    " notice, lifecycle"
)
_REVIEW = (
    "SELECT id, conversation_id, user_id, origin, reason, status, created_at, decided_at,"
    " reviewer, note, verdict, lifecycle FROM reviews"
)


class SQLStore:
    """The store's behaviour over SQL; subclasses supply the connection handling."""

    _clock: Callable[[], float] = time.time
    _legacy = False
    """Opened read-only on an older schema (no lifecycle columns): reads stand in for them."""

    # -------------------------------------------------------------- dialect hooks
    def _write(self) -> AbstractContextManager[Cursor]:
        """A write transaction (committed on exit, rolled back on an exception)."""
        raise NotImplementedError

    def _read(self) -> AbstractContextManager[Cursor]:
        """A read-only view."""
        raise NotImplementedError

    def _sql(self, statement: str) -> str:
        """The statement in this dialect's placeholder style."""
        return statement

    def _lock_head(self) -> str:
        return "SELECT seq, hash FROM audit_head WHERE id = 1"

    # -------------------------------------------------------------- helpers
    def _x(self, db: Cursor, statement: str, params: Sequence[Any] = ()) -> Any:
        if self._legacy:  # read-only on schema 2: stand-ins for the columns it lacks
            statement = statement.replace(
                ", lifecycle FROM conversations", ", 0 FROM conversations"
            ).replace(", lifecycle FROM reviews", ", NULL FROM reviews")
        return db.execute(self._sql(statement), tuple(params))

    def _row(self, db: Cursor, conversation_id: str) -> ConversationRecord:
        row = self._x(
            db, f"SELECT {_COLUMNS} FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        if row is None:
            raise UnknownConversationError(conversation_id)
        return _conversation(row)

    def _now(self, db: Cursor, events: Sequence[AuditEvent] = ()) -> float:
        """The time for this transaction's changes. With audit events to write, the
        chain's lock is taken first: a later sequence number never gets an earlier
        time."""
        return self._locked_now(db, events)[0]

    def _locked_now(
        self, db: Cursor, events: Sequence[AuditEvent]
    ) -> tuple[float, tuple[Any, Any] | None]:
        """`_now`, with the chain's head row it locked (None without events): the
        transaction's `_audit` chains onto it without reading it again."""
        head = tuple(self._x(db, self._lock_head()).fetchone()) if events else None
        return self._clock(), head

    def _audit(
        self,
        db: Cursor,
        events: Sequence[AuditEvent],
        at: float,
        head: tuple[Any, Any] | None = None,
    ) -> list[tuple[AuditEvent, int, str, str, str]]:
        """Chain `events` after the head (one INSERT), as `links` describes them; `head` is
        the row this transaction already locked (nothing else can have moved it since),
        else it is locked and read here."""
        if not events:
            return []
        seq, last_hash = head if head is not None else self._x(db, self._lock_head()).fetchone()
        chained = links(events, int(seq), str(last_hash), at)
        for first in range(0, len(chained), _ROWS_PER_INSERT // 2):
            chunk = chained[first : first + _ROWS_PER_INSERT // 2]  # 9 parameters a row
            params: list[Any] = []
            for event, number, body, prev, digest in chunk:
                params += (
                    number,
                    float(at),
                    event.kind,
                    event.conversation_id,
                    event.user_id,
                    event.decision,
                    body,
                    prev,
                    digest,
                )
            rows = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
            self._x(
                db,
                "INSERT INTO audit (seq, at, kind, conversation_id, user_id, decision, body,"
                f" prev_hash, hash) VALUES {rows}",
                params,
            )
        _, last_seq, _, _, last_digest = chained[-1]
        self._x(db, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (last_seq, last_digest))
        return chained

    def _insert_messages(
        self, db: Cursor, conversation_id: str, start: int, encoded: Sequence[str], at: float
    ) -> None:
        """Store encoded messages as seq `start`, `start` + 1, ...: one statement per
        `_ROWS_PER_INSERT` messages (a turn's messages take one)."""
        for first in range(0, len(encoded), _ROWS_PER_INSERT):
            chunk = encoded[first : first + _ROWS_PER_INSERT]
            params: list[Any] = []
            for i, text in enumerate(chunk, start + first):
                params += (conversation_id, i, text, at)
            rows = ", ".join(["(?, ?, ?, ?)"] * len(chunk))
            self._x(
                db,
                f"INSERT INTO messages (conversation_id, seq, content, at) VALUES {rows}",
                params,
            )

    # -------------------------------------------------------------- conversations
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
        cid = conversation_id or uuid.uuid4().hex
        encoded = [json.dumps(m) for m in messages]  # fail before touching the database
        with self._write() as db:
            now = self._now(db, events)
            inserted = self._x(
                db,
                "INSERT INTO conversations (id, user_id, parent_id, branched_at, created_at,"
                " message_count) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
                " RETURNING id",
                (cid, user_id, parent_id, branched_at, now, len(encoded)),
            ).fetchone()
            if inserted is None:
                raise StoreError(f"conversation {cid!r} already exists")
            self._insert_messages(db, cid, 0, encoded, now)
            self._audit(db, [e.model_copy(update={"conversation_id": cid}) for e in events], now)
            return self._row(db, cid)

    def get(self, conversation_id: str) -> ConversationRecord:
        """The conversation's state."""
        with self._read() as db:
            return self._row(db, conversation_id)

    def _message_rows(self, conversation_id: str, column: str) -> list[Any]:
        with self._read() as db:
            rows = self._x(
                db,
                f"SELECT {column} FROM messages WHERE conversation_id = ? ORDER BY seq",
                (conversation_id,),
            ).fetchall()
            if not rows:
                self._row(db, conversation_id)  # unknown id, or just empty
        return [r[0] for r in rows]

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation's messages, oldest first."""
        return [json.loads(text) for text in self._message_rows(conversation_id, "content")]

    def message_times(self, conversation_id: str) -> list[float]:
        """When each message was stored, oldest first."""
        return [float(at or 0.0) for at in self._message_rows(conversation_id, "at")]

    def append(
        self,
        conversation_id: str,
        messages: Sequence[dict[str, Any]],
        *,
        events: Sequence[AuditEvent] = (),
    ) -> int:
        """Append messages unless the conversation has been ended."""
        encoded = [json.dumps(m) for m in messages]  # fail before touching the database
        with self._write() as db:
            now, head = self._locked_now(db, events)
            row = self._x(
                db,
                "UPDATE conversations SET message_count = message_count + ?"
                " WHERE id = ? AND ended_at IS NULL RETURNING message_count",
                (len(encoded), conversation_id),
            ).fetchone()
            if row is None:  # unknown, or ended: say which
                record = self._row(db, conversation_id)
                raise ConversationEndedError(conversation_id, record.notice or "")
            count = int(row[0])
            self._insert_messages(db, conversation_id, count - len(encoded), encoded, now)
            self._audit(db, events, now, head)
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
        """Mark ended; the first end wins. `create` makes a missing conversation first,
        in the same transaction; `expected_messages` makes the end conditional on the
        stored message count (HistoryChangedError otherwise, nothing written);
        `messages` are appended by the end that wins, in its transaction."""
        encoded = json.dumps(verdict)
        added = [json.dumps(m) for m in messages]  # fail before touching the database
        notice = notice or default_notice()  # an ended conversation always has a notice
        with self._write() as db:
            now, head = self._locked_now(db, events)
            won = None
            if create:  # a new conversation, created ended: one statement
                won = self._x(
                    db,
                    "INSERT INTO conversations (id, user_id, created_at, message_count, ended_at,"
                    " end_verdict, notice, lifecycle) VALUES (?, ?, ?, ?, ?, ?, ?, 1)"
                    f" ON CONFLICT (id) DO NOTHING RETURNING {_COLUMNS}",
                    (conversation_id, user_id, now, len(added), now, encoded, notice),
                ).fetchone()
            if won is None:
                # The count is compared in the UPDATE itself: an append updates the same
                # row first, so the two are serialized by the row (PostgreSQL re-checks
                # the WHERE after a concurrent commit) or by the write lock (SQLite).
                condition = "" if expected_messages is None else " AND message_count = ?"
                won = self._x(
                    db,
                    "UPDATE conversations SET ended_at = ?, end_verdict = ?, notice = ?,"
                    " lifecycle = lifecycle + 1, message_count = message_count + ?"
                    f" WHERE id = ? AND ended_at IS NULL{condition} RETURNING {_COLUMNS}",
                    (now, encoded, notice, len(added), conversation_id)
                    + (() if expected_messages is None else (expected_messages,)),
                ).fetchone()
            if won is None:  # already ended (the first end wins), unknown, or changed
                current = self._row(db, conversation_id)
                if expected_messages is not None and current.message_count != expected_messages:
                    raise HistoryChangedError(
                        conversation_id, expected_messages, current.message_count
                    )
                return current
            record = _conversation(won)
            self._insert_messages(
                db, conversation_id, record.message_count - len(added), added, now
            )
            self._audit(db, events, now, head)
            return record

    def _unlock(self, db: Cursor, conversation_id: str) -> None:
        self._x(
            db,
            "UPDATE conversations SET ended_at = NULL, notice = NULL, lifecycle = lifecycle + 1"
            " WHERE id = ? AND ended_at IS NOT NULL",
            (conversation_id,),
        )

    def unlock(
        self, conversation_id: str, *, events: Sequence[AuditEvent] = ()
    ) -> ConversationRecord:
        """Reopen an ended conversation."""
        with self._write() as db:
            now = self._now(db, events)
            self._row(db, conversation_id)
            self._unlock(db, conversation_id)
            self._audit(db, events, now)
            return self._row(db, conversation_id)

    def ended_since(self, user_id: str, since: float) -> list[float]:
        """When this user's conversations were ended, since `since`."""
        with self._read() as db:
            rows = self._x(
                db,
                "SELECT ended_at FROM conversations WHERE user_id = ? AND ended_at >= ?"
                " ORDER BY ended_at",
                (user_id, since),
            ).fetchall()
        return [float(r[0]) for r in rows]

    # -------------------------------------------------------------- audit
    def record(self, events: Sequence[AuditEvent]) -> list[AuditRecord]:
        """Append events to the audit trail."""
        with self._write() as db:
            at, head = self._locked_now(db, events)
            chained = self._audit(db, events, at, head)
        return [
            AuditRecord(**dict(event), seq=seq, at=float(at), prev_hash=prev, hash=digest)
            for event, seq, _, prev, digest in chained
        ]

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
        where, params = _filters(
            conversation_id=conversation_id,
            user_id=user_id,
            kinds=kinds,
            decision=decision,
            since=since,
            until=until,
            after_seq=after_seq,
            before_seq=before_seq,
        )
        order = "DESC" if limit is not None else "ASC"
        tail = f" LIMIT {int(limit)}" if limit is not None else ""
        with self._read() as db:
            rows = self._x(
                db,
                f"SELECT body, prev_hash, hash FROM audit{where} ORDER BY seq {order}{tail}",
                params,
            ).fetchall()
        records = []
        for row in rows:
            try:
                records.append(_record(*row))
            except ValueError as exc:
                raise StoreError(
                    f"an audit record is unreadable ({exc}); run `end-conversation audit verify`"
                ) from None
        return records[::-1] if limit is not None else records

    def verify_audit(self) -> list[AuditProblem]:
        """Every way the stored trail is not intact."""
        with self._read() as db:
            rows = self._x(
                db,
                "SELECT body, prev_hash, hash, seq, at, kind, conversation_id, user_id, decision"
                " FROM audit ORDER BY seq",
            ).fetchall()
            head = self._x(db, "SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
        records: list[AuditRecord] = []
        problems: list[AuditProblem] = []
        columns: list[dict[str, Any]] = []
        bodies: list[str] = []
        for row in rows:
            try:
                records.append(_record(row[0], row[1], row[2], strict=True))
            except ValueError as exc:
                problems.append(AuditProblem(seq=row[3], problem=f"edited: {exc}"))
                # Its place in the chain still counts: the records after it are checked
                # against it, not reported as misplaced.
                records.append(
                    AuditRecord.model_construct(
                        seq=row[3], at=row[4], kind=row[5], prev_hash=row[1], hash=row[2]
                    )
                )
                bodies.append(row[0] if isinstance(row[0], str) else "")
                columns.append({"seq": row[3]})
                continue
            bodies.append(row[0])
            columns.append({"seq": row[3], **dict(zip(_AUDIT_COLUMNS, row[4:], strict=True))})
        if head is None:
            problems.append(AuditProblem(seq=None, problem="the trail's head row is missing"))
        return problems + verify_chain(
            records,
            head=(int(head[0]), str(head[1])) if head else None,
            columns=columns,
            bodies=bodies,
        )

    # -------------------------------------------------------------- reviews
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
        review_id = uuid.uuid4().hex
        with self._write() as db:
            now = self._now(db, events)
            found = self._x(
                db, "SELECT lifecycle FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            review = Review(
                id=review_id,
                conversation_id=conversation_id,
                user_id=user_id,
                origin=origin,
                reason=reason,
                created_at=now,
                verdict=verdict,
                conversation_lifecycle=None if found is None else int(found[0]),
            )
            self._x(
                db,
                "INSERT INTO reviews (id, conversation_id, user_id, origin, reason, status,"
                " created_at, note, verdict, lifecycle)"
                " VALUES (?, ?, ?, ?, ?, 'pending', ?, '', ?, ?)",
                (
                    review.id,
                    conversation_id,
                    user_id,
                    origin,
                    reason,
                    review.created_at,
                    json.dumps(verdict) if verdict is not None else None,
                    review.conversation_lifecycle,
                ),
            )
            self._audit(db, with_detail(events, review_id=review.id), now)
        return review

    def reviews(
        self,
        *,
        status: str | None = None,
        conversation_id: str | None = None,
        review_id: str | None = None,
    ) -> list[Review]:
        """Review items matching every filter, oldest first."""
        clauses, params = [], []
        for column, value in (
            ("status", status),
            ("conversation_id", conversation_id),
            ("id", review_id),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._read() as db:
            rows = self._x(db, f"{_REVIEW}{where} ORDER BY created_at, id", params).fetchall()
        return [_review(row) for row in rows]

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
        encoded = json.dumps(end[0]) if end is not None else None
        notice = (end[1] or default_notice()) if end is not None else None
        with self._write() as db:
            now = self._now(db, events)
            row = self._x(
                db,
                "UPDATE reviews SET status = ?, decided_at = ?, reviewer = ?, note = ?"
                " WHERE id = ? AND status = 'pending' RETURNING conversation_id, lifecycle",
                (status, now, reviewer, note, review_id),
            ).fetchone()
            if row is None:
                found = self._x(db, f"{_REVIEW} WHERE id = ?", (review_id,)).fetchone()
                if found is None:
                    raise StoreError(f"no review {review_id!r}")
                raise StoreError(f"review {review_id!r} was already {found[5]}")
            cid, opened_on = str(row[0]), row[1]
            if status == "upheld" or end is not None or unlock:
                # A no-op update locks the conversation's row until commit (PostgreSQL):
                # nothing ends, reopens or appends to it between this check and the change.
                current = self._x(
                    db,
                    "UPDATE conversations SET lifecycle = lifecycle WHERE id = ?"
                    " RETURNING lifecycle, ended_at, message_count",
                    (cid,),
                ).fetchone()
                if current is None:
                    raise UnknownConversationError(cid)
                check_review_state(
                    review_id,
                    cid,
                    opened_on=opened_on,
                    lifecycle=int(current[0]),
                    ended=current[1] is not None,
                    count=int(current[2]),
                    ending=end is not None,
                    expected_messages=expected_messages,
                )
            if end is not None:
                self._x(
                    db,
                    "UPDATE conversations SET ended_at = ?, end_verdict = ?, notice = ?,"
                    " lifecycle = lifecycle + 1 WHERE id = ? AND ended_at IS NULL",
                    (now, encoded, notice, cid),
                )
            if unlock:
                self._unlock(db, cid)
            self._audit(db, with_detail(events, review_id=review_id), now)
            return _review(self._x(db, f"{_REVIEW} WHERE id = ?", (review_id,)).fetchone())

    # -------------------------------------------------------------- feedback
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
        with self._write() as db:
            item = Feedback(
                id=uuid.uuid4().hex,
                conversation_id=conversation_id,
                user_id=user_id,
                kind=kind,
                text=text,
                at=self._now(db, events),
            )
            self._row(db, conversation_id)
            self._x(
                db,
                "INSERT INTO feedback (id, conversation_id, user_id, kind, text, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (item.id, conversation_id, user_id, kind, text, item.at),
            )
            self._audit(db, events, item.at)
        return item

    def feedback(self, conversation_id: str | None = None) -> list[Feedback]:
        """Feedback, oldest first."""
        where, params = (
            ("", ())
            if conversation_id is None
            else (
                " WHERE conversation_id = ?",
                (conversation_id,),
            )
        )
        with self._read() as db:
            rows = self._x(
                db,
                f"SELECT id, conversation_id, user_id, kind, text, at FROM feedback{where}"
                " ORDER BY at, id",
                params,
            ).fetchall()
        return [
            Feedback(id=r[0], conversation_id=r[1], user_id=r[2], kind=r[3], text=r[4], at=r[5])
            for r in rows
        ]


def default_notice() -> str:
    """The shipped notice: what an end that names none shows the user."""
    from .._prompts import notice

    return notice()


def check_review_state(
    review_id: str,
    conversation_id: str,
    *,
    opened_on: int | None,
    lifecycle: int,
    ended: bool,
    count: int,
    ending: bool,
    expected_messages: int | None,
) -> None:
    """Refuse a review decision that no longer fits its conversation (shared by every
    store, so they refuse alike)."""
    if opened_on is not None and lifecycle != opened_on:
        if ended:
            what = "was ended by something else"
        elif ending:
            what = "was ended and reopened"
        else:
            what = "had its end overturned (it is open again)"
        raise ReviewStateChangedError(review_id, conversation_id, what)
    if ending and ended:
        raise ReviewStateChangedError(review_id, conversation_id, "was ended by something else")
    if ending and expected_messages is not None and count != expected_messages:
        raise HistoryChangedError(conversation_id, expected_messages, count)


def _conversation(row: Sequence[Any]) -> ConversationRecord:
    return ConversationRecord(
        id=row[0],
        user_id=row[1],
        parent_id=row[2],
        branched_at=row[3],
        created_at=row[4],
        message_count=row[5],
        ended_at=row[6],
        end_verdict=json.loads(row[7]) if row[7] else None,
        notice=row[8],
        lifecycle=row[9],
    )


def _filters(**given: Any) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column in ("conversation_id", "user_id", "decision"):
        if given[column] is not None:
            clauses.append(f"{column} = ?")
            params.append(given[column])
    if given["kinds"]:
        clauses.append(f"kind IN ({', '.join('?' for _ in given['kinds'])})")
        params.extend(given["kinds"])
    if given["since"] is not None:
        clauses.append("at >= ?")
        params.append(given["since"])
    if given["until"] is not None:
        clauses.append("at < ?")
        params.append(given["until"])
    if given["after_seq"] is not None:
        clauses.append("seq > ?")
        params.append(given["after_seq"])
    if given["before_seq"] is not None:
        clauses.append("seq < ?")
        params.append(given["before_seq"])
    return (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params


def _record(body: str, prev_hash: str, hash_: str, *, strict: bool = False) -> AuditRecord:
    """A stored record; a ValueError saying why if its body is not one. `strict` (for
    verification) refuses unknown, missing and retyped fields."""
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        raise ValueError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise ValueError("the body is not a JSON object")
    if strict:
        if unknown := sorted(set(data) - _BODY_FIELDS):
            raise ValueError(f"unknown field(s) {', '.join(map(repr, unknown))}")
        if missing := sorted(_BODY_FIELDS - set(data)):
            raise ValueError(f"missing field(s) {', '.join(map(repr, missing))}")
    try:
        if strict:
            return AuditRecord.model_validate_json(
                json.dumps({**data, "prev_hash": prev_hash, "hash": hash_}), strict=True
            )
        return AuditRecord(**data, prev_hash=prev_hash, hash=hash_)
    except ValidationError as exc:
        fields = sorted({".".join(str(x) for x in e["loc"][:1]) for e in exc.errors()})
        raise ValueError(f"retyped field(s) {', '.join(map(repr, fields))}") from None


def _review(row: Sequence[Any]) -> Review:
    return Review(
        id=row[0],
        conversation_id=row[1],
        user_id=row[2],
        origin=row[3],
        reason=row[4],
        status=row[5],
        created_at=row[6],
        decided_at=row[7],
        reviewer=row[8],
        note=row[9],
        verdict=json.loads(row[10]) if row[10] else None,
        conversation_lifecycle=row[11],
    )
