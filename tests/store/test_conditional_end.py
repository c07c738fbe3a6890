"""An end is conditional on the history it was checked against (every store)."""

from __future__ import annotations

import threading

import pytest

from end_conversation import (
    AuditEvent,
    ConversationEndedError,
    ConversationStore,
    EndConversationError,
    Guard,
    HistoryChangedError,
    Oversight,
    StoreError,
    UnknownConversationError,
)
from end_conversation.testing import end_call

MSG = {"role": "user", "content": "hi"}


def _end_event(conversation_id: str) -> AuditEvent:
    return AuditEvent(kind="end", conversation_id=conversation_id, decision="honored")


def test_the_error_is_public_and_a_store_error() -> None:
    error = HistoryChangedError("c1", 2, 3)
    assert isinstance(error, StoreError)
    assert isinstance(error, EndConversationError)
    assert (error.conversation_id, error.expected, error.actual) == ("c1", 2, 3)
    text = str(error)
    assert "'c1'" in text
    assert "2 messages checked, 3 stored" in text
    assert "nothing was ended" in text
    assert "decide again" in text


def test_an_end_on_the_checked_history_ends(store: ConversationStore) -> None:
    record = store.create()
    store.append(record.id, [MSG, MSG])
    ended = store.end(
        record.id,
        verdict={"decision": "honored"},
        notice="n",
        events=[_end_event(record.id)],
        expected_messages=2,
    )
    assert ended.ended
    assert ended.notice == "n"
    assert [r.kind for r in store.audit_trail(conversation_id=record.id)] == ["end"]


@pytest.mark.parametrize("expected", [0, 1, 3])
def test_a_changed_history_ends_nothing_and_records_nothing(
    store: ConversationStore, expected: int
) -> None:
    record = store.create()
    store.append(record.id, [MSG, MSG])
    before = store.audit_trail()
    with pytest.raises(HistoryChangedError) as info:
        store.end(
            record.id,
            verdict={"decision": "honored"},
            notice="n",
            events=[_end_event(record.id)],
            expected_messages=expected,
        )
    assert (info.value.conversation_id, info.value.expected, info.value.actual) == (
        record.id,
        expected,
        2,
    )
    after = store.get(record.id)
    assert not after.ended
    assert after.end_verdict is None
    assert after.notice is None
    assert store.audit_trail() == before
    assert store.append(record.id, [MSG]) == 3  # still open
    assert store.verify_audit() == []


def test_a_conditional_end_of_an_ended_conversation_keeps_the_first(
    store: ConversationStore,
) -> None:
    record = store.create()
    store.append(record.id, [MSG])
    store.end(record.id, verdict={"decision": "honored"}, notice="first")
    again = store.end(record.id, verdict={"decision": "other"}, notice="x", expected_messages=1)
    assert again.notice == "first"
    with pytest.raises(HistoryChangedError):
        store.end(record.id, verdict={"decision": "other"}, notice="x", expected_messages=0)
    assert store.get(record.id).notice == "first"


def test_unknown_and_created_conversations(store: ConversationStore) -> None:
    with pytest.raises(UnknownConversationError):
        store.end("nope", verdict={}, notice="n", expected_messages=0)
    made = store.end("fresh", verdict={}, notice="n", create=True, expected_messages=4)
    assert made.ended  # it did not exist: nothing to compare
    assert made.message_count == 0


def test_without_a_count_the_end_is_unconditional(store: ConversationStore) -> None:
    record = store.create()
    store.append(record.id, [MSG, MSG, MSG])
    assert store.end(record.id, verdict={}, notice="n").ended


def test_oversight_passes_the_count_through(store: ConversationStore) -> None:
    oversight = Oversight(store, guard=Guard())
    record = oversight.start(user_id="u")
    store.append(record.id, [MSG])
    verdict = Guard().evaluate([MSG, end_call()])
    with pytest.raises(HistoryChangedError):
        oversight.end(record.id, verdict, user_id="u", expected_messages=0)
    assert not store.get(record.id).ended
    assert store.audit_trail(conversation_id=record.id, kinds=["end"]) == []
    assert oversight.end(record.id, verdict, user_id="u", expected_messages=1).ended


def _race(store: ConversationStore, conversation_id: str) -> list[tuple[int, int]]:
    """One appender and two conditional enders on one conversation; returns every
    refused end as (expected, actual)."""
    start = threading.Barrier(3)
    refused: list[tuple[int, int]] = []

    def appender() -> None:
        start.wait()
        for _ in range(5):
            try:
                store.append(conversation_id, [MSG])
            except ConversationEndedError:
                return

    def ender() -> None:
        start.wait()
        for _ in range(5):
            seen = store.get(conversation_id).message_count
            try:
                store.end(
                    conversation_id,
                    verdict={"decision": "honored", "seen": seen},
                    notice="n",
                    events=[_end_event(conversation_id)],
                    expected_messages=seen,
                )
            except HistoryChangedError as exc:
                refused.append((exc.expected, exc.actual))
                continue
            return

    threads = [threading.Thread(target=f) for f in (appender, ender, ender)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return refused


def test_an_append_racing_a_conditional_end(store: ConversationStore) -> None:
    """Threads append while others try to end on the count they last saw: an end
    either lands on exactly the history it names, or raises and writes nothing."""
    for _ in range(25):
        record = store.create()
        store.append(record.id, [MSG])
        refused = _race(store, record.id)
        assert all(expected != actual for expected, actual in refused)
        final = store.get(record.id)
        stored = store.messages(record.id)
        assert final.message_count == len(stored)
        ends = store.audit_trail(conversation_id=record.id, kinds=["end"])
        if final.ended:
            # One end won, on the very history it was checked against: nothing after it.
            assert final.end_verdict is not None
            assert final.end_verdict["seen"] == len(stored)
            assert len(ends) == 1
        else:
            assert ends == []
    assert store.verify_audit() == []
