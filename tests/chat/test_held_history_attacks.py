"""Attacks on the held history (a chat trusting its copy while the store's change counts
have not moved, or while the record still shows as many messages and no end).

Each test asserts the safe behaviour: the model is never sent a history that misses
what was stored before the call, never called on a conversation ended meanwhile, and
the stored transcript can always go on. Interleavings are forced with a store wrapper
that holds a named thread just after one of its reads returns (what a preempted
thread or a slow store does), or with `during` (a write while the model answers)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from end_conversation import (
    ConversationEndedError,
    ConversationStore,
    EndReason,
    Guard,
    MemoryStore,
    Oversight,
    Policy,
    ReasonCode,
    SQLiteStore,
    StoreError,
)
from end_conversation.testing import FakeMessagesServer, call_tool, during, say
from tests.chat._support import (
    END,
    LEAD,
    PILLS,
    USER,
    async_chat,
    closing,
    next_request_problem,
    sync_chat,
    tool_results,
)


def _texts(messages: list[dict[str, Any]]) -> list[Any]:
    """Each message's text (a plain string, or its first text block)."""
    out: list[Any] = []
    for m in messages:
        content = m["content"]
        if isinstance(content, str):
            out.append(content)
        else:
            texts = [b["text"] for b in content if b.get("type") == "text"]
            out.append(texts[0] if texts else content)
    return out


def _sent(request: dict[str, Any]) -> list[Any]:
    return _texts(request["messages"])


def lookup(key: str) -> str:
    """Look a key up."""
    return f"value of {key}"


LOOKUP = call_tool("lookup", {"key": "k"}, id="toolu_lookup")


@pytest.fixture(params=["memory", "sqlite"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ConversationStore]:
    """One store object, shared by everyone in the test."""
    store: ConversationStore = (
        MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "c.sqlite3")
    )
    yield store
    store.close()


# ------------------------------------------------------------------ forced interleavings
class _Gate:
    def __init__(self) -> None:
        self.reached = threading.Event()
        self.go = threading.Event()

    def wait(self) -> None:
        assert self.reached.wait(10), "the thread never got there"


class Held:
    """Delegates everything (change_counts included, via __getattr__) to `inner`, and
    can hold a named thread once: just after its next `get` or `messages` returns, or
    just before its next `append`."""

    def __init__(self, inner: ConversationStore) -> None:
        self._inner = inner
        self._gates: dict[tuple[str, str], _Gate] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def hold(self, thread: str, method: str) -> _Gate:
        gate = self._gates[(thread, method)] = _Gate()
        return gate

    def _stop(self, method: str) -> None:
        gate = self._gates.pop((threading.current_thread().name, method), None)
        if gate is not None:
            gate.reached.set()
            assert gate.go.wait(10)

    def get(self, conversation_id: str) -> Any:
        record = self._inner.get(conversation_id)
        self._stop("get")
        return record

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        messages = self._inner.messages(conversation_id)
        self._stop("messages")
        return messages

    def append(self, conversation_id: str, messages: Any, **kw: Any) -> int:
        self._stop("append")
        return self._inner.append(conversation_id, messages, **kw)


class _Turn(threading.Thread):
    """A send on its own thread, keeping what it raised."""

    def __init__(self, name: str, send: Callable[[], Any]) -> None:
        super().__init__(name=name, daemon=True)
        self._send = send
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._send()
        except BaseException as exc:  # reported by the test
            self.error = exc


def test_a_stale_read_landing_during_a_record_check_is_not_trusted(tmp_path: Path) -> None:
    """Three sends on one Chat (a server's worker threads). R reads the conversation in
    full, and is preempted before it keeps what it read. Meanwhile T1's turn is stored
    (the held copy grows to match), an unrelated write moves the counts, and T2 checks
    the record: it shows as many messages as T2's copy. R now keeps its older read; T2
    then confirms the entry at today's counts, though the entry is R's, not the one T2
    checked. Nothing is committed after that, so the next turn trusts R's read, which
    misses T1's turn."""
    path = tmp_path / "c.sqlite3"
    store = Held(SQLiteStore(path))
    other = SQLiteStore(path)
    script = [say("a0"), say("a1"), say("ar"), say("a2"), say("a4")]
    with (
        FakeMessagesServer(script, strict=True) as server,
        closing(sync_chat(server, store)) as chat,
    ):
        conv = chat.start()
        conv.send("first")
        other.append(conv.id, [{"role": "user", "content": "from elsewhere"}])
        r_read = store.hold("R", "messages")
        r = _Turn("R", lambda: conv.send("r"))
        r.start()
        r_read.wait()  # R has read [first, a0, from elsewhere] and not kept it yet
        conv.send("t1")  # T1: stored, the held copy grows to five messages
        other.create()  # an unrelated write: the counts move
        t2_get = store.hold("T2", "get")
        t2 = _Turn("T2", lambda: conv.send("t2"))
        t2.start()
        t2_get.wait()  # T2 has read the record: five messages, as many as its copy
        r_append, t2_append = store.hold("R", "append"), store.hold("T2", "append")
        r_read.go.set()  # R keeps its three-message read
        r_append.wait()
        t2_get.go.set()  # T2 confirms "the entry" at the current counts
        t2_append.wait()
        try:
            conv.send("t4")  # nothing was committed since T2's check
        finally:
            r_append.go.set()
            t2_append.go.set()
            r.join(10)
            t2.join(10)
        assert r.error is None
        assert t2.error is None
        t4_request = server.requests[-1]
        assert _sent(t4_request)[-1] == "t4"
        # T1's turn was stored before T4 began: the model must see it
        assert _sent(t4_request)[:5] == ["first", "a0", "from elsewhere", "t1", "a1"]
        assert next_request_problem(other.messages(conv.id)) is None


_PROTOCOL = frozenset(n for n in dir(ConversationStore) if not n.startswith("_"))


class ProtocolOnly:
    """A proxy that forwards the store protocol and refuses anything else, as an RPC
    or access-checking proxy does (NotImplementedError, not AttributeError)."""

    def __init__(self, inner: ConversationStore) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        if name in _PROTOCOL:
            return getattr(self._inner, name)
        raise NotImplementedError(f"{name} is not part of the store protocol")


def test_a_store_that_refuses_unknown_attributes_is_read_not_broken(tmp_path: Path) -> None:
    """Looking for the optional change counts must not break a store that has none: the
    chat falls back to reading the record, as for PostgresStore."""
    inner = SQLiteStore(tmp_path / "c.sqlite3")
    with FakeMessagesServer([say("one"), say("two")], strict=True) as server:
        chat = sync_chat(server, ProtocolOnly(inner))
        with closing(chat):
            conv = chat.start()
            conv.send("first")
            SQLiteStore(tmp_path / "c.sqlite3").append(
                conv.id, [{"role": "user", "content": "meanwhile"}]
            )
            conv.send("second")
            assert _sent(server.requests[-1])[2:] == ["meanwhile", "second"]


# ------------------------------------------------------------------ one store object
def test_a_second_chat_on_the_same_store_object_is_seen_mid_turn(
    shared: ConversationStore,
) -> None:
    """Two chats (two tabs served by one process) on one store object: only the store's
    own write count moves. Tab B's whole turn, stored while tab A's model answers a
    tool call, reaches A's next model call; A's turn, in turn, reaches B's next one."""
    tabs: dict[str, Any] = {}
    script = [
        say("a0"),
        say("b0"),
        during(LOOKUP, lambda: tabs["b"].send("b2")),
        say("b2 answered"),
        say("found k"),
        say("b3 answered"),
    ]
    with (
        FakeMessagesServer(script, strict=True) as server,
        closing(sync_chat(server, shared, tools=[lookup])) as tab_a,
        closing(sync_chat(server, shared)) as tab_b,
    ):
        conv = tab_a.start()
        conv.send("hello")
        tabs["b"] = other = tab_b.conversation(conv.id)
        other.send("b1")  # tab B holds the conversation too
        reply = conv.send("look up k")
        assert reply.text == "found k"
        # tab B's turn, stored while A's model answered, is in A's second call (A's own
        # turn was stored after it, the call next to its result)
        second_call = _sent(server.requests[-1])
        assert second_call[:7] == ["hello", "a0", "b1", "b0", "b2", "b2 answered", "look up k"]
        other.send("b3")
        assert "look up k" in _sent(server.requests[-1])
        assert "found k" in _sent(server.requests[-1])
        assert next_request_problem(shared.messages(conv.id)) is None
        assert server.rejected == []


@pytest.mark.parametrize("how", ["end", "review upheld"])
def test_an_end_from_another_thread_on_the_same_store_object_stops_the_turn(
    shared: ConversationStore, how: str
) -> None:
    """While the model answers a tool call, another thread ends the conversation through
    the chat's own store object (an operator, a reviewer in the same process): the
    model is not called again, and nothing more is stored."""
    guard = Guard(Policy(review_reasons=frozenset({EndReason.HARMFUL_REQUESTS})))  # END escalates

    def end_it() -> None:
        if how == "end":  # (the message count stays the same)
            shared.end(cid, verdict={"by": "operator"}, notice="Ended by an operator.")
        else:
            reviewer = Oversight(shared, guard=guard)
            (review,) = reviewer.pending()
            reviewer.decide(review.id, outcome="upheld", reviewer="rita")

    with (
        FakeMessagesServer(
            [*LEAD, END, say("Noted."), during(LOOKUP, end_it), say("never sent")],
            strict=True,
        ) as server,
        closing(sync_chat(server, shared, tools=[lookup], guard=guard)) as chat,
    ):
        conv = chat.start(user_id="alice")
        cid = conv.id
        for text in USER:
            reply = conv.send(text)
        assert reply.verdict is not None
        assert reply.verdict.reasons[-1] == ReasonCode.REVIEW_REQUIRED  # escalated
        before = len(shared.messages(cid))
        calls = len(server.requests)
        with pytest.raises(ConversationEndedError):
            conv.send("look up k")
        assert len(server.requests) == calls + 1  # the model was not called again
        assert shared.get(cid).ended
        stored = shared.messages(cid)
        assert "look up k" not in _texts(stored)
        assert len(stored) == before
        assert next_request_problem(stored) is None


@pytest.mark.parametrize("writer", ["the same store object", "another connection"])
def test_an_end_and_an_unlock_elsewhere_between_two_turns(tmp_path: Path, writer: str) -> None:
    """Ended and reopened elsewhere between two turns, with no send in between: the
    message count is the same, the lifecycle is not. The conversation is open, and the
    next turn is sent the whole stored history (what the end left in it included)."""
    path = tmp_path / "c.sqlite3"
    mine = SQLiteStore(path)
    theirs = mine if writer == "the same store object" else SQLiteStore(path)
    with (
        FakeMessagesServer([say("one"), say("two"), say("three")], strict=True) as server,
        closing(sync_chat(server, mine)) as chat,
    ):
        conv = chat.start()
        conv.send("first")
        theirs.end(conv.id, verdict={"by": "operator"}, notice="Ended.")
        theirs.unlock(conv.id)
        conv.send("second")
        assert _sent(server.requests[-1]) == ["first", "one", "second"]
        theirs.end(
            conv.id,
            verdict={"by": "operator"},
            notice="Ended.",
            messages=[{"role": "user", "content": "operator: reopened after review"}],
        )
        theirs.unlock(conv.id)
        conv.send("third")
        assert _sent(server.requests[-1])[-2:] == ["operator: reopened after review", "third"]
        assert next_request_problem(mine.messages(conv.id)) is None


# ------------------------------------------------------------------ failing stores
class LandsThenRaises:
    """The first append commits, then raises (the connection dropped after COMMIT)."""

    def __init__(self, inner: ConversationStore) -> None:
        self._inner = inner
        self.failed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def append(self, conversation_id: str, messages: Any, **kw: Any) -> int:
        count = self._inner.append(conversation_id, messages, **kw)
        if not self.failed:
            self.failed = True
            raise StoreError("connection lost after COMMIT")
        return count


def test_a_turn_whose_write_landed_then_raised_is_read_back_once(
    shared: ConversationStore,
) -> None:
    store = LandsThenRaises(shared)
    script = [LOOKUP, say("found k"), say("next")]
    with (
        FakeMessagesServer(script, strict=True) as server,
        closing(sync_chat(server, store, tools=[lookup])) as chat,
    ):
        conv = chat.start()
        with pytest.raises(StoreError):
            conv.send("look up k")
        conv.send("and then?")
        sent = _sent(server.requests[-1])
        assert sent.count("look up k") == 1  # landed: sent once, not lost, not doubled
        assert sent[-2:] == ["found k", "and then?"]
        assert len(tool_results(server.requests[-1], "toolu_lookup")) == 1
        assert next_request_problem(shared.messages(conv.id)) is None


class FrozenCounts:
    """A store whose change counts never move (a builder's store that breaks the
    ChangeCounting promise)."""

    def __init__(self, inner: ConversationStore) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def change_counts(self) -> tuple[int, int]:
        return (0, 0)


def test_the_check_before_an_end_reads_even_when_the_counts_say_nothing_moved(
    tmp_path: Path,
) -> None:
    """Counts only ever spare reads before model calls: an end is decided on what a
    read of the store shows, so a disclosure written meanwhile still vetoes it."""
    path = tmp_path / "c.sqlite3"
    mine, theirs = SQLiteStore(path), SQLiteStore(path)
    store = FrozenCounts(mine)

    def other_tab() -> None:
        theirs.append(conv.id, [{"role": "user", "content": PILLS}])

    script = [*LEAD, during(END, other_tab), say("I'm here with you.")]
    with (
        FakeMessagesServer(script, strict=True) as server,
        closing(sync_chat(server, store)) as chat,
    ):
        conv = chat.start()
        for text in USER:
            reply = conv.send(text)
        assert not reply.ended
        assert reply.verdict is not None
        assert reply.verdict.reasons[0] == ReasonCode.RISK_VETO
        assert not mine.get(conv.id).ended
        assert PILLS in _sent(server.requests[-1])
        assert next_request_problem(mine.messages(conv.id)) is None


# ------------------------------------------------------------------ branch, async
def test_a_branch_is_read_after_another_writer_stores_on_it(
    shared: ConversationStore,
) -> None:
    script = [say("one"), say("two"), say("edited"), say("after")]
    with (
        FakeMessagesServer(script, strict=True) as server,
        closing(sync_chat(server, shared)) as chat,
    ):
        conv = chat.start()
        conv.send("first")
        conv.send("second")
        branch, _ = conv.branch(2, "second, edited")
        shared.append(branch.id, [{"role": "user", "content": "on the branch, elsewhere"}])
        conv.send("parent goes on")  # the parent's held copy is untouched by the branch
        assert _sent(server.requests[-1]) == ["first", "one", "second", "two", "parent goes on"]
        server.add(say("branch answer"))
        branch.send("branch goes on")
        assert _sent(server.requests[-1]) == [
            "first",
            "one",
            "second, edited",
            "edited",
            "on the branch, elsewhere",
            "branch goes on",
        ]


@pytest.mark.anyio
async def test_async_chat_an_end_through_the_same_store_object_mid_turn(
    shared: ConversationStore,
) -> None:
    """AsyncChat runs its store calls in worker threads: an end through the same store
    object from yet another thread, while the model answers, stops the turn."""

    def end_it() -> None:
        shared.end(cid, verdict={"by": "operator"}, notice="Ended by an operator.")

    with FakeMessagesServer(
        [say("hi"), during(LOOKUP, end_it), say("never sent")], strict=True
    ) as server:
        chat = async_chat(server, shared, tools=[lookup])
        try:
            conv = await chat.start()
            cid = conv.id
            await conv.send("hello")
            with pytest.raises(ConversationEndedError):
                await conv.send("look up k")
            assert len(server.requests) == 2
            assert _texts(shared.messages(cid)) == ["hello", "hi"]
        finally:
            await chat.client.close()
