"""One contract, every store."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from end_conversation import (
    ConversationEndedError,
    ConversationStore,
    SQLiteStore,
    StoreError,
    UnknownConversationError,
)

MSG = {"role": "user", "content": "hi"}
REPLY = {
    "role": "assistant",
    "content": [{"type": "text", "text": "hello"}],
    "stop_reason": "end_turn",
}


def test_create_append_read(store: ConversationStore) -> None:
    record = store.create(user_id="u1")
    assert not record.ended
    assert store.append(record.id, [MSG, REPLY]) == 2
    assert store.messages(record.id) == [MSG, REPLY]
    assert store.get(record.id).message_count == 2
    assert store.get(record.id).user_id == "u1"


def test_end_locks_and_keeps_the_first_verdict(store: ConversationStore) -> None:
    record = store.create()
    store.append(record.id, [MSG])
    ended = store.end(record.id, verdict={"decision": "honored"}, notice="ended")
    assert ended.ended
    assert ended.end_verdict == {"decision": "honored"}
    with pytest.raises(ConversationEndedError) as info:
        store.append(record.id, [MSG])
    assert info.value.notice == "ended"
    assert info.value.conversation_id == record.id
    again = store.end(record.id, verdict={"decision": "other"}, notice="other")
    assert again.end_verdict == {"decision": "honored"}
    assert store.messages(record.id) == [MSG]  # nothing lost, nothing added


def test_end_can_create_in_the_same_step(store: ConversationStore) -> None:
    with pytest.raises(UnknownConversationError):
        store.end("fresh", verdict={}, notice="n")
    ended = store.end(
        "fresh", verdict={"decision": "honored"}, notice="n", create=True, user_id="u"
    )
    assert ended.ended
    assert ended.user_id == "u"
    assert ended.message_count == 0
    existing = store.create()
    store.append(existing.id, [MSG])
    again = store.end(existing.id, verdict={}, notice="m", create=True, user_id="other")
    assert again.ended
    assert again.user_id is None  # an existing record is only ended
    assert store.messages(existing.id) == [MSG]


def test_other_conversations_are_untouched(store: ConversationStore) -> None:
    a, b = store.create(), store.create()
    store.end(a.id, verdict={}, notice="n")
    assert store.append(b.id, [MSG]) == 1
    assert not store.get(b.id).ended


def test_seeded_branch(store: ConversationStore) -> None:
    parent = store.create()
    store.append(parent.id, [MSG, REPLY])
    store.end(parent.id, verdict={}, notice="n")
    branch = store.create(messages=[MSG], parent_id=parent.id, branched_at=1)
    assert branch.parent_id == parent.id
    assert branch.branched_at == 1
    assert store.messages(branch.id) == [MSG]
    assert store.append(branch.id, [REPLY]) == 2


def test_unknown_ids(store: ConversationStore) -> None:
    for call in (store.get, store.messages):
        with pytest.raises(UnknownConversationError):
            call("nope")
    with pytest.raises(UnknownConversationError):
        store.append("nope", [MSG])


def test_unserializable_message_loses_nothing(store: ConversationStore) -> None:
    record = store.create()
    store.append(record.id, [MSG])
    with pytest.raises((TypeError, ValueError)):
        store.append(record.id, [{"role": "user", "content": object()}])
    assert store.messages(record.id) == [MSG]


def test_no_append_lands_after_an_end(store: ConversationStore) -> None:
    record = store.create()
    accepted_after_end: list[int] = []
    ended = threading.Event()
    barrier = threading.Barrier(9)

    def writer() -> None:
        barrier.wait()
        for _ in range(50):
            try:
                store.append(record.id, [MSG])
            except ConversationEndedError:
                return
            if ended.is_set():
                accepted_after_end.append(1)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for t in threads:
        t.start()
    barrier.wait()
    final = store.end(record.id, verdict={}, notice="n")
    ended.set()
    for t in threads:
        t.join()
    assert store.get(record.id).message_count == final.message_count
    assert len(store.messages(record.id)) == final.message_count


def test_sqlite_state_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    first = SQLiteStore(path)
    record = first.create()
    first.append(record.id, [MSG])
    first.end(record.id, verdict={"decision": "honored"}, notice="ended")
    first.close()
    second = SQLiteStore(path)
    assert second.get(record.id).ended
    assert second.messages(record.id) == [MSG]
    with pytest.raises(ConversationEndedError):
        second.append(record.id, [MSG])
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_sqlite_refuses_foreign_and_corrupt_files(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE accounts (id INTEGER)")
    with pytest.raises(StoreError, match="another application"):
        SQLiteStore(foreign)
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a usable"):
        SQLiteStore(corrupt)
    assert corrupt.read_bytes().startswith(b"this is not a database")  # left as it was


def test_chosen_ids_are_unique(store: ConversationStore) -> None:
    record = store.create(conversation_id="abc", user_id="u")
    assert record.id == "abc"
    with pytest.raises(StoreError):
        store.create(conversation_id="abc")
    assert store.get("abc").user_id == "u"
