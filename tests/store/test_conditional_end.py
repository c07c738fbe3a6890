"""An end is conditional on the history it was checked against (every store)."""

from __future__ import annotations

import contextlib
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from end_conversation import (
    AuditEvent,
    ConversationEndedError,
    ConversationStore,
    EndConversationError,
    Guard,
    HistoryChangedError,
    MemoryStore,
    Oversight,
    StoreError,
    UnknownConversationError,
    load_prompt,
)
from tests.guard.scripts import persistent_harm

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
    verdict = Guard().evaluate(persistent_harm())  # an honored verdict: only those end
    assert verdict.ends
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


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("append"), st.integers(1, 3)),
            st.tuples(st.just("end"), st.integers(-1, 8)),
            st.tuples(st.just("unlock"), st.just(0)),
        ),
        max_size=12,
    )
)
def test_a_conditional_end_lands_exactly_when_the_count_matches(
    steps: list[tuple[str, int]],
) -> None:
    """Any interleaving of appends, conditional ends and unlocks (memory store: the
    same contract runs on every store above): an end lands iff its count is the
    stored one, and a refused end changes nothing."""
    store = MemoryStore()
    cid = store.create().id
    count, ended = 0, False
    for action, n in steps:
        if action == "append":
            if ended:
                with pytest.raises(ConversationEndedError):
                    store.append(cid, [MSG] * n)
            else:
                count = store.append(cid, [MSG] * n)
        elif action == "unlock":
            store.unlock(cid)
            ended = False
        else:
            before = (store.get(cid), store.audit_trail())
            if n != count:
                with pytest.raises(HistoryChangedError):
                    store.end(
                        cid, verdict={}, notice="n", events=[_end_event(cid)], expected_messages=n
                    )
                assert (store.get(cid), store.audit_trail()) == before
            else:
                record = store.end(
                    cid, verdict={}, notice="n", events=[_end_event(cid)], expected_messages=n
                )
                assert record.ended
                assert len(store.audit_trail()) == len(before[1]) + (0 if ended else 1)
                ended = True
        assert store.get(cid).message_count == count
        assert store.get(cid).ended is ended


def test_an_ended_conversation_always_has_a_notice(store: ConversationStore) -> None:
    shipped = load_prompt("notice").text.strip()
    assert shipped
    plain = store.create()
    assert store.end(plain.id, verdict={}, notice="").notice == shipped
    with pytest.raises(ConversationEndedError) as info:
        store.append(plain.id, [MSG])
    assert info.value.notice == shipped
    assert store.end("made", verdict={}, notice="", create=True).notice == shipped
    reviewed = store.create()
    review = store.open_review(conversation_id=reviewed.id, user_id=None, origin="escalated")
    store.decide_review(review.id, status="upheld", reviewer="r", end=({}, ""))
    assert store.get(reviewed.id).notice == shipped


CALL = {
    "role": "assistant",
    "content": [{"type": "tool_use", "id": "t1", "name": "x", "input": {}}],
}
ENDED = {
    "role": "user",
    "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ended"}],
}


def test_an_end_stores_its_messages_in_its_own_transaction(store: ConversationStore) -> None:
    record = store.create()
    store.append(record.id, [MSG, MSG])
    ended = store.end(
        record.id,
        verdict={"decision": "honored"},
        notice="n",
        events=[_end_event(record.id)],
        expected_messages=2,
        messages=[CALL, ENDED],
    )
    assert ended.ended
    assert ended.message_count == 4
    assert store.get(record.id).message_count == 4
    assert store.messages(record.id) == [MSG, MSG, CALL, ENDED]
    assert len(store.message_times(record.id)) == 4
    assert store.verify_audit() == []


def test_a_refused_end_stores_none_of_its_messages(store: ConversationStore) -> None:
    record = store.create()
    store.append(record.id, [MSG, MSG])
    with pytest.raises(HistoryChangedError):
        store.end(
            record.id,
            verdict={},
            notice="n",
            events=[_end_event(record.id)],
            expected_messages=1,
            messages=[CALL, ENDED],
        )
    assert store.messages(record.id) == [MSG, MSG]
    assert store.get(record.id).message_count == 2
    assert not store.get(record.id).ended
    assert store.audit_trail(conversation_id=record.id) == []
    # The conversation goes on, and a later end on the new count stores its messages.
    assert store.append(record.id, [MSG]) == 3
    ended = store.end(record.id, verdict={}, notice="n", expected_messages=3, messages=[CALL])
    assert store.messages(record.id) == [MSG, MSG, MSG, CALL]
    assert ended.message_count == 4


def test_messages_that_cannot_be_stored_end_nothing(store: ConversationStore) -> None:
    record = store.create()
    store.append(record.id, [MSG])
    with pytest.raises((TypeError, ValueError)):
        store.end(record.id, verdict={}, notice="n", messages=[{"role": "user", "content": {1j}}])
    assert not store.get(record.id).ended
    assert store.messages(record.id) == [MSG]


def test_only_the_end_that_wins_stores_its_messages(store: ConversationStore) -> None:
    record = store.create()
    store.append(record.id, [MSG])
    store.end(record.id, verdict={"by": "first"}, notice="n", expected_messages=1, messages=[CALL])
    second = store.end(
        record.id, verdict={"by": "second"}, notice="n", expected_messages=2, messages=[ENDED]
    )
    assert second.end_verdict == {"by": "first"}
    assert store.messages(record.id) == [MSG, CALL]
    created = store.end("fresh", verdict={}, notice="n", create=True, messages=[CALL, ENDED])
    assert created.message_count == 2
    assert store.messages("fresh") == [CALL, ENDED]


def _race_with_messages(store: ConversationStore, cid: str) -> None:
    barrier = threading.Barrier(6)

    def writer() -> None:
        barrier.wait()
        for _ in range(3):
            try:
                store.append(cid, [MSG])
            except ConversationEndedError:
                return

    def ender() -> None:
        barrier.wait()
        seen = store.get(cid).message_count
        with contextlib.suppress(HistoryChangedError):
            store.end(
                cid,
                verdict={"seen": seen},
                notice="n",
                expected_messages=seen,
                messages=[CALL, ENDED],
            )

    threads = [threading.Thread(target=f) for f in (writer, writer, writer, ender, ender, ender)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_ends_with_messages_racing_appends(store: ConversationStore) -> None:
    """Threads append while others end with messages on the count they last saw: the
    stored count always matches the stored messages, and an end's messages are the last."""
    for _ in range(10):
        record = store.create()
        store.append(record.id, [MSG])
        _race_with_messages(store, record.id)
        final = store.get(record.id)
        stored = store.messages(record.id)
        assert final.message_count == len(stored)
        if final.ended:
            assert final.end_verdict is not None
            assert stored[final.end_verdict["seen"] :] == [CALL, ENDED]
        else:
            assert CALL not in stored
