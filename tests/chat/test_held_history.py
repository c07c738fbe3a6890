"""A chat keeps each conversation's history in memory instead of reading it back every
turn. The store stays the source of truth: what another handle (a second tab, another
process) stores or ends between two turns reaches the next turn before the model is
called, and what a Reply hands out cannot change what the model is sent next."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from end_conversation import (
    ConversationEndedError,
    ConversationStore,
    MemoryStore,
    SQLiteStore,
)
from end_conversation._chat._chat import _Histories
from end_conversation._store import ConversationRecord
from end_conversation.testing import FakeMessagesServer, call_end, say
from tests.chat._support import async_chat, closing, sync_chat


class ReadCountingStore:
    """A store that counts record reads and message reads; with `counts=False` it keeps
    no change counts (as PostgresStore), with `counts="broken"` they fail."""

    def __init__(self, inner: ConversationStore, counts: bool | str = True) -> None:
        self._inner = inner
        self._counts = counts
        self.record_reads = 0
        self.message_reads = 0

    def __getattr__(self, name: str) -> Any:
        if name == "change_counts" and self._counts is False:
            raise AttributeError(name)
        if name == "change_counts" and self._counts == "broken":
            raise_it = RuntimeError("the counts cannot be read")

            def broken() -> tuple[int, int]:
                raise raise_it

            return broken
        if name == "change_counts" and self._counts == "odd":
            return lambda: {"others": 0, "own": 1}
        return getattr(self._inner, name)

    def get(self, conversation_id: str) -> ConversationRecord:
        self.record_reads += 1
        return self._inner.get(conversation_id)  # type: ignore[no-any-return]

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        self.message_reads += 1
        return self._inner.messages(conversation_id)  # type: ignore[no-any-return]


def _contents(request: dict[str, Any]) -> list[Any]:
    return [m["content"] for m in request["messages"]]


@pytest.fixture(params=["memory", "sqlite"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Any, Any]:
    """Two handles on one store: the chat's, and another writer's."""
    if request.param == "memory":
        shared = MemoryStore()
        return shared, shared
    path = tmp_path / "shared.sqlite3"
    return SQLiteStore(path), SQLiteStore(path)


def test_turns_in_a_conversation_nobody_else_writes_read_no_messages_back() -> None:
    store = ReadCountingStore(MemoryStore())
    with (
        FakeMessagesServer([say("one"), say("two"), say("three")], strict=True) as server,
        closing(sync_chat(server, store)) as chat,  # type: ignore[arg-type]
    ):
        conv = chat.start()
        for text in ("a", "b", "c"):
            conv.send(text)
        assert store.message_reads == 0
        assert _contents(server.requests[-1])[::2] == ["a", "b", "c"]
        assert [m["content"] for m in store.messages(conv.id)][::2] == ["a", "b", "c"]


def test_messages_another_writer_stored_between_turns_reach_the_model(pair: Any) -> None:
    mine, theirs = pair
    with (
        FakeMessagesServer([say("one"), say("two")], strict=True) as server,
        closing(sync_chat(server, mine)) as chat,
    ):
        conv = chat.start()
        conv.send("first")
        theirs.append(
            conv.id,
            [
                {"role": "user", "content": "from the other tab"},
                {"role": "assistant", "content": [{"type": "text", "text": "answered there"}]},
            ],
        )
        conv.send("second")
        assert _contents(server.requests[-1])[2:] == [
            "from the other tab",
            [{"type": "text", "text": "answered there"}],
            "second",
        ]
        stored = [m["content"] for m in conv.messages]
        assert len(stored) == 6
        assert stored[0] == "first"
        assert stored[4] == "second"


def test_a_conversation_ended_elsewhere_is_refused_without_calling_the_model(pair: Any) -> None:
    mine, theirs = pair
    with (
        FakeMessagesServer([say("one")], strict=True) as server,
        closing(sync_chat(server, mine)) as chat,
    ):
        conv = chat.start()
        conv.send("hello")
        theirs.end(conv.id, verdict={"tool_use_id": "elsewhere"}, notice="Ended elsewhere.")
        with pytest.raises(ConversationEndedError) as raised:
            conv.send("are you there?")
        assert raised.value.notice == "Ended elsewhere."
        assert len(server.requests) == 1  # the model was not called again
        assert [m["content"] for m in conv.messages][-1] != "are you there?"


def test_a_conversation_reopened_elsewhere_can_be_written_to_again(pair: Any) -> None:
    mine, theirs = pair
    script = [say("hi"), say("welcome back")]
    with (
        FakeMessagesServer(script, strict=True) as server,
        closing(sync_chat(server, mine)) as chat,
    ):
        conv = chat.start()
        conv.send("hello")
        theirs.end(conv.id, verdict={"tool_use_id": "elsewhere"}, notice="Ended.")
        with pytest.raises(ConversationEndedError):
            conv.send("still there?")
        theirs.unlock(conv.id)
        reply = conv.send("I'm back")
        assert not reply.ended
        assert _contents(server.requests[-1])[-1] == "I'm back"


def test_changing_what_a_reply_hands_out_does_not_change_the_next_request() -> None:
    with (
        FakeMessagesServer([say("one"), say("two")], strict=True) as server,
        closing(sync_chat(server, MemoryStore())) as chat,
    ):
        conv = chat.start()
        reply = conv.send("first")
        reply.messages[0]["content"] = "tampered"
        reply.messages[1]["content"][0]["text"] = "tampered too"
        conv.send("second")
        assert _contents(server.requests[-1]) == [
            "first",
            [{"type": "text", "text": "one"}],
            "second",
        ]


def test_every_chat_on_one_store_sees_the_others_turns(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    with (
        FakeMessagesServer([say(f"answer {i}") for i in range(4)], strict=True) as server,
        closing(sync_chat(server, SQLiteStore(path))) as tab_a,
        closing(sync_chat(server, SQLiteStore(path))) as tab_b,
    ):
        conv = tab_a.start()
        other = tab_b.conversation(conv.id)
        conv.send("a1")
        other.send("b1")
        conv.send("a2")
        other.send("b2")
        assert _contents(server.requests[-1])[::2] == ["a1", "b1", "a2", "b2"]
        assert [m["content"] for m in conv.messages][::2] == ["a1", "b1", "a2", "b2"]


@pytest.mark.anyio
async def test_the_async_chat_reads_what_another_writer_stored_between_turns(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shared.sqlite3"
    other = SQLiteStore(path)
    with FakeMessagesServer([say("one"), say("two")], strict=True) as server:
        chat = async_chat(server, SQLiteStore(path))
        try:
            conv = await chat.start()
            await conv.send("first")
            other.append(conv.id, [{"role": "user", "content": "meanwhile"}])
            await conv.send("second")
            assert _contents(server.requests[-1])[2:] == ["meanwhile", "second"]
        finally:
            await chat.client.close()


def test_held_histories_stay_within_their_bounds() -> None:
    histories = _Histories(max_entries=2, max_chars=10_000)
    record = ConversationRecord(id="x", created_at=0.0)
    for cid in ("a", "b", "c"):
        histories.read(cid, record, [{"role": "user", "content": cid}], None)
    assert histories.get("a") is None  # the oldest went first
    assert histories.get("c") is not None
    histories.appended("c", [{"role": "assistant", "content": "x" * 2_000}], 2)
    assert histories.get("c") is None  # over a tenth of the text budget: not held
    histories.appended("b", [{"role": "user", "content": "more"}], 5)
    assert histories.get("b") is None  # someone else wrote (count 5, not 2): dropped
    ended = ConversationRecord(id="d", created_at=0.0, ended_at=1.0)
    histories.read("d", ended, [], (0, 0))
    assert histories.get("d") is None  # an ended conversation is read every time


TOO_EARLY = call_end("abuse", "one rude message", id="toolu_early")


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_turns_nobody_else_writes_read_nothing_back(kind: str, tmp_path: Path) -> None:
    inner = MemoryStore() if kind == "memory" else SQLiteStore(tmp_path / "c.sqlite3")
    store = ReadCountingStore(inner)
    # a plain turn, then one with a denied call (a second model call, checked before)
    script = [say("one"), TOO_EARLY, say("two"), say("three")]
    with (
        FakeMessagesServer(script, strict=True) as server,
        closing(sync_chat(server, store)) as chat,  # type: ignore[arg-type]
    ):
        conv = chat.start()
        for text in ("a", "you are useless", "c"):
            conv.send(text)
        assert (store.record_reads, store.message_reads) == (0, 0)
        assert len(inner.messages(conv.id)) == 8


def _second_turn_after(
    writer: str, tmp_path: Path, write: Callable[[SQLiteStore, str], Any]
) -> tuple[ReadCountingStore, dict[str, Any]]:
    """Two turns in one conversation of a chat on SQLite, with `write(theirs, id)`
    between them (`theirs`: the chat's own store object, or another connection); the
    chat's store, counting its reads from the second turn on, and the last request."""
    path = tmp_path / "c.sqlite3"
    inner = SQLiteStore(path)
    theirs = inner if writer == "the same store" else SQLiteStore(path)
    store = ReadCountingStore(inner)
    with (
        FakeMessagesServer([say("one"), say("two")], strict=True) as server,
        closing(sync_chat(server, store)) as chat,  # type: ignore[arg-type]
    ):
        conv = chat.start()
        conv.send("first")
        write(theirs, conv.id)
        store.record_reads = store.message_reads = 0
        conv.send("second")
        return store, server.requests[-1]


@pytest.mark.parametrize("writer", ["another connection", "the same store"])
def test_a_write_to_another_conversation_costs_one_record_read(
    writer: str, tmp_path: Path
) -> None:
    def elsewhere(theirs: SQLiteStore, _: str) -> None:
        theirs.append(theirs.create().id, [{"role": "user", "content": "another conversation"}])

    store, request = _second_turn_after(writer, tmp_path, elsewhere)
    # the counts moved: the record is read (one row), it shows the history whole
    assert (store.record_reads, store.message_reads) == (1, 0)
    assert _contents(request)[::2] == ["first", "second"]


@pytest.mark.parametrize("writer", ["another connection", "the same store"])
def test_a_write_to_this_conversation_is_read_before_the_model_is_called(
    writer: str, tmp_path: Path
) -> None:
    def here(theirs: SQLiteStore, cid: str) -> None:
        theirs.append(cid, [{"role": "user", "content": "from elsewhere"}])

    store, request = _second_turn_after(writer, tmp_path, here)
    assert store.message_reads == 1
    assert _contents(request)[2:] == ["from elsewhere", "second"]


@pytest.mark.parametrize("counts", [False, "broken", "odd"])
def test_a_store_without_counts_is_asked_for_the_record_before_each_model_call(
    counts: bool | str, tmp_path: Path
) -> None:
    path = tmp_path / "c.sqlite3"
    store = ReadCountingStore(SQLiteStore(path), counts=counts)
    other = SQLiteStore(path)
    with (
        FakeMessagesServer([say("one"), TOO_EARLY, say("two")], strict=True) as server,
        closing(sync_chat(server, store)) as chat,  # type: ignore[arg-type]
    ):
        conv = chat.start()
        conv.send("first")
        assert (store.record_reads, store.message_reads) == (1, 0)
        other.append(conv.id, [{"role": "user", "content": "from elsewhere"}])
        conv.send("you are useless")  # read at the start; the record before the second call
        assert (store.record_reads, store.message_reads) == (3, 1)
        assert "from elsewhere" in _contents(server.requests[-1])
        other.end(conv.id, verdict={"tool_use_id": "elsewhere"}, notice="Ended elsewhere.")
        with pytest.raises(ConversationEndedError):
            conv.send("still there?")
        assert len(server.requests) == 3  # an end elsewhere is still seen without counts
