"""An end is carried out only on the stored history it was checked against (issue 11,
item 4, the Chat side).

Chat used to check a call against the history loaded when the turn began and then
end without looking again: a user who wrote "I have the pills in my hand" from a
second tab while the model was still answering was ended. Here two handles on one
database (SQLite file, and PostgreSQL when END_CONVERSATION_TEST_PG is set) write from
real threads: the second tab's message arrives while the scripted model answers, or
between the chat storing the call and ending the conversation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from end_conversation import (
    ConversationStore,
    Decision,
    HistoryChangedError,
    PostgresStore,
    ReasonCode,
    SQLiteStore,
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

END_ID = END.content[-1]["id"]
Opener = Callable[[], ConversationStore]


@pytest.fixture(params=["sqlite", "postgres"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens another handle on one shared database each time it is called."""
    opened: list[ConversationStore] = []

    def open_sqlite() -> ConversationStore:
        opened.append(SQLiteStore(tmp_path / "shared.sqlite3"))
        return opened[-1]

    if request.param == "sqlite":
        yield open_sqlite
    else:
        url = request.getfixturevalue("postgres_url")

        def open_postgres() -> ConversationStore:
            opened.append(PostgresStore(url))
            return opened[-1]

        yield open_postgres
    for store in opened:
        store.close()


def _contents(request: dict[str, Any]) -> list[Any]:
    return [m["content"] for m in request["messages"]]


def _assert_not_ended_on_stale_history(store: ConversationStore, cid: str) -> None:
    assert not store.get(cid).ended
    trail = store.audit_trail(conversation_id=cid)
    assert not [r for r in trail if r.kind == "end"]
    assert not [r for r in trail if r.decision == "honored"]
    assert store.verify_audit() == []


def test_a_message_sent_from_another_tab_while_the_model_answers_is_read_before_the_end(
    opener: Opener,
) -> None:
    with (
        FakeMessagesServer([], strict=True) as server,
        closing(sync_chat(server, opener())) as tab_a,
        closing(sync_chat(server, opener())) as tab_b,
    ):
        conv = tab_a.start()
        other = tab_b.conversation(conv.id)
        server.add(
            *LEAD,
            # while the model is writing its end call, the user writes from tab B
            during(END, lambda: other.send(PILLS)),
            say("Tab B: please, you matter. Call or text 988 right now."),
            say("I'm here with you. Please call 988 or your local emergency number."),
        )
        for text in USER[:-1]:
            conv.send(text)
        reply = conv.send(USER[-1])

        assert not reply.ended
        assert reply.verdict is not None
        assert reply.verdict.decision == Decision.DENIED
        assert reply.verdict.reasons[0] == ReasonCode.RISK_VETO
        _assert_not_ended_on_stale_history(tab_a.store, conv.id)
        # nothing lost: tab B's message is stored before the call that was answered
        stored = conv.messages
        at_pills = [m["content"] for m in stored].index(PILLS)
        at_call = next(
            i
            for i, m in enumerate(stored)
            if m["role"] == "assistant" and any(b.get("id") == END_ID for b in m["content"])
        )
        assert at_pills < at_call
        # the model was told the truth (the risk veto), with tab B's message in view
        last = server.requests[-1]
        told = tool_results(last, END_ID)
        assert len(told) == 1
        assert told[0]["is_error"] is True
        assert "at risk" in told[0]["content"]
        assert PILLS in _contents(last)
        assert reply.text.endswith("Please call 988 or your local emergency number.")
        assert server.rejected == []
        assert next_request_problem(stored) is None


class TabWritesBeforeTheEnd:
    """Tab A's store: just before it ends the conversation, tab B's user writes (the
    narrowest window, after the call and its result are stored)."""

    def __init__(self, mine: ConversationStore, theirs: ConversationStore) -> None:
        self._mine, self._theirs = mine, theirs
        self.refused: list[HistoryChangedError] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._mine, name)

    def end(self, conversation_id: str, **kw: Any) -> Any:
        self._theirs.append(conversation_id, [{"role": "user", "content": PILLS}])
        try:
            return self._mine.end(conversation_id, **kw)
        except HistoryChangedError as exc:
            self.refused.append(exc)
            raise


def test_a_message_stored_between_the_call_and_the_end_stops_the_end(opener: Opener) -> None:
    store = TabWritesBeforeTheEnd(opener(), opener())
    script = [*LEAD, END, say("I'm here with you. Please call 988.")]
    with (
        FakeMessagesServer(script, strict=True) as server,
        closing(sync_chat(server, store)) as chat,
    ):
        conv = chat.start()
        for text in USER:
            reply = conv.send(text)
        assert len(store.refused) == 1  # the store refused the end on a moved history
        assert store.refused[0].actual == store.refused[0].expected + 1
        assert not reply.ended
        assert reply.verdict is not None
        assert reply.verdict.decision == Decision.DENIED
        assert reply.verdict.reasons[0] == ReasonCode.RISK_VETO
        _assert_not_ended_on_stale_history(store._mine, conv.id)
        assert PILLS in [m["content"] for m in conv.messages]
        # the model is called again, sees the new message and the real outcome
        last = server.requests[-1]
        assert PILLS in _contents(last)
        told = tool_results(last, END_ID)
        assert "at risk" in told[0]["content"]
        assert reply.text == "I'm here with you. Please call 988."
        failed = [
            r for r in store._mine.audit_trail(conversation_id=conv.id) if "end_failed" in r.detail
        ]
        assert len(failed) == 1
        assert failed[0].decision == "denied"


def test_a_harmless_message_between_the_call_and_the_end_is_answered_not_ended(
    opener: Opener,
) -> None:
    class Harmless(TabWritesBeforeTheEnd):
        def end(self, conversation_id: str, **kw: Any) -> Any:
            self._theirs.append(conversation_id, [{"role": "user", "content": "one more thing: what is the capital of France?"}])
            return self._mine.end(conversation_id, **kw)

    store = Harmless(opener(), opener())
    with (
        FakeMessagesServer([*LEAD, END, say("No problem.")], strict=True) as server,
        closing(sync_chat(server, store)) as chat,
    ):
        conv = chat.start()
        for text in USER:
            reply = conv.send(text)
        # the user wrote after the call and nobody has answered them: no end
        assert not reply.ended
        _assert_not_ended_on_stale_history(store._mine, conv.id)
        told = tool_results(server.requests[-1], END_ID)
        assert "not ended" in told[0]["content"]
        assert "one more thing: what is the capital of France?" in _contents(server.requests[-1])


def test_the_other_tabs_message_reaches_the_model_within_the_turn(opener: Opener) -> None:
    def lookup(key: str) -> str:
        """Look a key up."""
        return "found"

    with (
        FakeMessagesServer([], strict=True) as server,
        closing(sync_chat(server, opener(), tools=[lookup])) as tab_a,
    ):
        tab_b_store = opener()
        conv = tab_a.start()
        server.add(
            during(
                call_tool("lookup", {"key": "k"}, id="toolu_lookup"),
                lambda: tab_b_store.append(conv.id, [{"role": "user", "content": "also X"}]),
            ),
            say("Here is k, and about X too."),
        )
        conv.send("look up k")
        contents = [m["content"] for m in conv.messages]
        # this turn is stored whole after what the other tab stored meanwhile
        assert contents[:2] == ["also X", "look up k"]
        assert "also X" in _contents(server.requests[-1])  # the model saw it
        assert server.rejected == []


@pytest.mark.anyio
async def test_async_chat_reads_the_other_tab_before_ending(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    with FakeMessagesServer([], strict=True) as server:
        chat = async_chat(server, SQLiteStore(path))
        other = SQLiteStore(path)
        try:
            conv = await chat.start()
            server.add(
                *LEAD,
                during(END, lambda: other.append(conv.id, [{"role": "user", "content": PILLS}])),
                say("I'm here with you."),
            )
            for text in USER:
                reply = await conv.send(text)
            assert not reply.ended
            assert reply.verdict is not None
            assert reply.verdict.reasons[0] == ReasonCode.RISK_VETO
            _assert_not_ended_on_stale_history(chat.store, conv.id)
            assert "at risk" in tool_results(server.requests[-1], END_ID)[0]["content"]
        finally:
            await chat.client.close()
            other.close()


def _stored_results(store: ConversationStore, cid: str) -> list[dict[str, Any]]:
    return [
        b
        for m in store.messages(cid)
        if isinstance(m["content"], list)
        for b in m["content"]
        if b.get("type") == "tool_result" and b.get("tool_use_id") == END_ID
    ]


class TabWritesFromAThreadBeforeTheEnd(TabWritesBeforeTheEnd):
    """Tab B's user writes from its own thread, between the last check and the end."""

    def end(self, conversation_id: str, **kw: Any) -> Any:
        import threading

        tab_b = threading.Thread(
            target=self._theirs.append,
            args=(conversation_id, [{"role": "user", "content": PILLS}]),
        )
        tab_b.start()
        tab_b.join()
        try:
            return self._mine.end(conversation_id, **kw)
        except HistoryChangedError as exc:
            self.refused.append(exc)
            raise


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_refused_end_never_leaves_a_stored_has_been_ended(opener: Opener, kind: str) -> None:
    """The call and its "has been ended" result are stored only by the end itself: when
    the end is refused, the stored transcript holds the truthful result alone, and every
    later request sends only that."""
    store = TabWritesFromAThreadBeforeTheEnd(opener(), opener())
    ended_text = "has been ended"
    script = [*LEAD, END, say("I'm here with you. Please call 988."), say("Still here.")]
    with FakeMessagesServer(script, strict=True) as server:
        if kind == "sync":
            with closing(sync_chat(server, store)) as chat:
                conv = chat.start()
                for text in USER:
                    reply = conv.send(text)
                later = conv.send("are you still there?")
                cid = conv.id
        else:
            import anyio

            async def go() -> tuple[Any, Any, str]:
                achat = async_chat(server, store)
                try:
                    aconv = await achat.start()
                    for text in USER:
                        r = await aconv.send(text)
                    return r, await aconv.send("are you still there?"), aconv.id
                finally:
                    await achat.client.close()

            reply, later, cid = anyio.run(go)
        assert len(store.refused) == 1
        assert not reply.ended
        assert later.text == "Still here."
        stored = _stored_results(store._mine, cid)
        assert len(stored) == 1  # one result for the call: the truthful one
        assert stored[0]["is_error"] is True
        assert ended_text not in stored[0]["content"]
        assert "at risk" in stored[0]["content"]
        for request in server.requests[-2:]:
            told = tool_results(request, END_ID)
            assert [b["content"] for b in told] == [stored[0]["content"]]
        assert next_request_problem(store._mine.messages(cid)) is None
        failed = [r for r in store._mine.audit_trail(conversation_id=cid) if r.kind == "decision"]
        assert [r.reasons for r in failed if r.detail.get("tool_use_id") == END_ID] == [
            ("risk_veto", "end_failed")
        ]
        assert store._mine.verify_audit() == []
