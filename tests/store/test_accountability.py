"""The audit trail, reviews and feedback: one contract for Memory, SQLite and PostgreSQL;
tampering detected on the databases."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from end_conversation import (
    AuditEvent,
    ConversationEndedError,
    ConversationStore,
    PostgresStore,
    SQLiteStore,
    StoreError,
)

MSG = {"role": "user", "content": "hi"}


def decision(cid: str | None, user: str, what: str = "denied") -> AuditEvent:
    return AuditEvent(
        kind="decision",
        conversation_id=cid,
        user_id=user,
        decision=what,
        reasons=("no_warning",),
        evidence=(0, 1),
        versions={"policy": "default#1"},
        detail={"basis": "transcript"},
    )


def test_events_land_with_their_change_and_chain(store: ConversationStore) -> None:
    record = store.create(user_id="u1", events=[AuditEvent(kind="branch", user_id="u1")])
    assert store.append(record.id, [MSG], events=[decision(record.id, "u1")]) == 1
    store.end(
        record.id,
        verdict={"decision": "honored"},
        notice="n",
        events=[AuditEvent(kind="end", conversation_id=record.id, user_id="u1")],
    )
    # A second end does not win, and records nothing.
    store.end(
        record.id,
        verdict={},
        notice="x",
        events=[AuditEvent(kind="end", conversation_id=record.id)],
    )
    trail = store.audit_trail()
    assert [r.kind for r in trail] == ["branch", "decision", "end"]
    assert [r.seq for r in trail] == [1, 2, 3]
    assert trail[0].conversation_id == record.id  # create stamps its own id
    assert trail[1].prev_hash == trail[0].hash
    assert trail[1].evidence == (0, 1)
    assert trail[1].versions == {"policy": "default#1"}
    assert trail[0].at < trail[2].at
    assert store.verify_audit() == []


def test_a_failed_change_records_nothing(store: ConversationStore) -> None:
    record = store.create()
    store.end(record.id, verdict={}, notice="n")
    with pytest.raises(ConversationEndedError):
        store.append(record.id, [MSG], events=[decision(record.id, "u")])
    with pytest.raises((TypeError, ValueError)):
        store.append(record.id, [{"x": object()}], events=[decision(record.id, "u")])
    assert store.audit_trail() == []


def test_audit_filters(store: ConversationStore) -> None:
    a, b = store.create(user_id="alice"), store.create(user_id="bob")
    store.record([decision(a.id, "alice", "denied"), decision(b.id, "bob", "honored")])
    store.record([AuditEvent(kind="feedback", conversation_id=a.id, user_id="alice")])
    assert [r.user_id for r in store.audit_trail(user_id="bob")] == ["bob"]
    assert [r.kind for r in store.audit_trail(conversation_id=a.id)] == ["decision", "feedback"]
    assert len(store.audit_trail(decision="honored")) == 1
    assert len(store.audit_trail(kinds=["feedback", "decision"])) == 3
    assert [r.seq for r in store.audit_trail(limit=2)] == [2, 3]
    everything = store.audit_trail()
    assert store.audit_trail(since=everything[-1].at) == everything[-1:]
    assert store.audit_trail(until=everything[-1].at) == everything[:-1]


def test_reviews_uphold_overturn_unlock_end(store: ConversationStore) -> None:
    ended = store.create(user_id="u")
    store.append(ended.id, [MSG])
    store.end(ended.id, verdict={"decision": "honored"}, notice="n")
    review = store.open_review(
        conversation_id=ended.id,
        user_id="u",
        origin="feedback",
        reason="unexpected",
        verdict={"decision": "honored"},
        events=[AuditEvent(kind="review_opened", conversation_id=ended.id)],
    )
    assert [r.id for r in store.reviews(status="pending")] == [review.id]
    assert store.reviews(review_id=review.id) == [review]
    assert store.reviews(review_id="nope") == []
    decided = store.decide_review(
        review.id,
        status="overturned",
        reviewer="rita",
        note="not abuse",
        unlock=True,
        events=[AuditEvent(kind="unlock", conversation_id=ended.id)],
    )
    assert decided.status == "overturned"
    assert decided.reviewer == "rita"
    assert not store.get(ended.id).ended
    assert store.append(ended.id, [MSG]) == 2  # the conversation goes on
    with pytest.raises(StoreError, match="already overturned"):
        store.decide_review(review.id, status="upheld", reviewer="x")
    with pytest.raises(StoreError, match="no review"):
        store.decide_review("nope", status="upheld", reviewer="x")
    opened = store.create(user_id="u")
    escalated = store.open_review(conversation_id=opened.id, user_id="u", origin="escalated")
    store.decide_review(escalated.id, status="upheld", reviewer="rita", end=({"r": 1}, "bye"))
    assert store.get(opened.id).ended
    assert store.get(opened.id).notice == "bye"
    trail = store.audit_trail()
    assert all(r.detail.get("review_id") for r in trail)
    assert store.verify_audit() == []
    assert store.reviews(conversation_id=opened.id)[0].status == "upheld"


def test_feedback_and_ended_since(store: ConversationStore) -> None:
    first, second, other = (
        store.create(user_id="u"),
        store.create(user_id="u"),
        store.create(user_id="v"),
    )
    for rec in (first, second, other):
        store.end(rec.id, verdict={}, notice="n")
    times = store.ended_since("u", 0)
    assert len(times) == 2
    assert times == sorted(times)
    assert store.ended_since("u", times[1]) == times[1:]
    item = store.add_feedback(first.id, kind="unexpected_end", text="why?", user_id="u")
    assert store.feedback(first.id) == [item]
    assert store.feedback() == [item]
    with pytest.raises(StoreError):
        store.add_feedback("nope", kind="other")


def test_message_times(store: ConversationStore) -> None:
    record = store.create(messages=[MSG])
    store.append(record.id, [MSG, MSG])
    times = store.message_times(record.id)
    assert len(times) == 3
    assert times[0] < times[1] == times[2]


# ---------------------------------------------------------------- tampering


def _trail(store: ConversationStore) -> None:
    record = store.create(user_id="u")
    for i in range(5):
        store.append(record.id, [MSG], events=[decision(record.id, "u", f"d{i}")])


def _tamper(kind: str, path_or_url: Any, statement: str) -> None:
    if kind == "sqlite":
        with sqlite3.connect(path_or_url) as db:
            db.executescript(statement)
    else:
        import psycopg

        with psycopg.connect(path_or_url, autocommit=True) as db:
            db.execute(statement)


TAMPERING = {
    "edited body": (
        "UPDATE audit SET body = replace(body, '\"d2\"', '\"d9\"') WHERE seq = 3",
        "record 3: edited",
    ),
    "edited column": ("UPDATE audit SET decision = 'honored' WHERE seq = 2", "column 'decision'"),
    "deleted middle": ("DELETE FROM audit WHERE seq = 3", "expected record 3"),
    "deleted tail": ("DELETE FROM audit WHERE seq = 5", "should end at record 5"),
    "reordered": (
        "UPDATE audit SET seq = -2 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 4;"
        " UPDATE audit SET seq = 4 WHERE seq = -2",
        "record 2",
    ),
    "inserted": (
        "INSERT INTO audit SELECT seq + 10, at, kind, conversation_id, user_id, decision,"
        " body, prev_hash, hash FROM audit WHERE seq = 1",
        "expected record 6",
    ),
}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
@pytest.mark.parametrize("how", list(TAMPERING))
def test_tampering_is_detected(
    backend: str, how: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    target: Any
    if backend == "sqlite":
        target = tmp_path / "c.sqlite3"
        store: ConversationStore = SQLiteStore(target)
    else:
        target = request.getfixturevalue("postgres_url")
        store = PostgresStore(target)
    _trail(store)
    assert store.verify_audit() == []
    statement, expected = TAMPERING[how]
    _tamper(backend, target, statement)
    problems = store.verify_audit()
    store.close()
    assert problems, how
    assert any(expected in f"record {p.seq}: {p.problem}" for p in problems), problems


def test_postgres_refuses_a_foreign_database(request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("postgres_url")
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE conversations (id INTEGER)")
    with pytest.raises(StoreError, match="not ours"):
        PostgresStore(url)


def test_an_old_sqlite_file_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # the first schema, as earlier releases wrote it
        db.executescript(
            """
            CREATE TABLE conversations (id TEXT PRIMARY KEY, user_id TEXT, parent_id TEXT,
                branched_at INTEGER, created_at REAL NOT NULL, message_count INTEGER NOT NULL
                DEFAULT 0, ended_at REAL, end_verdict TEXT, notice TEXT);
            CREATE TABLE messages (conversation_id TEXT NOT NULL REFERENCES conversations(id),
                seq INTEGER NOT NULL, content TEXT NOT NULL, PRIMARY KEY (conversation_id, seq))
                WITHOUT ROWID;
            INSERT INTO conversations VALUES ('c', 'u', NULL, NULL, 1.0, 1, NULL, NULL, NULL);
            INSERT INTO messages VALUES ('c', 0, '{"role": "user", "content": "hi"}');
            PRAGMA application_id = 1161搭;
            """.replace("1161搭", str(0x45434F4E))
        )
        db.execute("PRAGMA user_version = 1")
    store = SQLiteStore(path)
    assert store.messages("c") == [MSG]
    assert store.append("c", [MSG], events=[decision("c", "u")]) == 2
    assert len(store.audit_trail()) == 1
    assert store.verify_audit() == []
    store.close()
