"""How a turn writes: the whole turn (the user's message, denied calls with their results
and decisions, the answer) in one write at its end. What that must not cost: a failing
model call still keeps everything the turn did, the user's message included, a
conversation ended elsewhere mid-turn is not called again, and another tab's message
written mid-turn still reaches the model before its next call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anthropic
import pytest

from end_conversation import ConversationEndedError, ConversationStore, MemoryStore, SQLiteStore
from end_conversation.testing import FakeMessagesServer, api_error, call_end, during, say
from tests.chat._support import END, LEAD, PILLS, USER, closing, next_request_problem, sync_chat

TOO_EARLY = call_end("abuse", "one rude message", id="toolu_early")


class CountingWrites:
    """A store that counts its appends (and what each one carried)."""

    def __init__(self, inner: ConversationStore) -> None:
        self._inner = inner
        self.appends: list[tuple[int, int]] = []  # (messages, audit events) per append

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def append(self, conversation_id: str, messages: Any, **kw: Any) -> int:
        self.appends.append((len(messages), len(kw.get("events", ()))))
        return self._inner.append(conversation_id, messages, **kw)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ConversationStore:
    if request.param == "memory":
        return MemoryStore()
    return SQLiteStore(tmp_path / "c.sqlite3")


def _roles(messages: list[dict[str, Any]]) -> list[str]:
    return [m["role"] for m in messages]


def test_a_turn_with_a_denied_call_writes_once_and_stores_it_all(
    store: ConversationStore,
) -> None:
    counting = CountingWrites(store)
    with (
        FakeMessagesServer([TOO_EARLY, say("How can I help?")], strict=True) as server,
        closing(sync_chat(server, counting)) as chat,  # type: ignore[arg-type]
    ):
        conv = chat.start()
        reply = conv.send("you are useless")
        assert not reply.ended
        # the user's message, the call, its result and the answer, with the decision
        # on the call, in one write
        assert counting.appends == [(4, 1)]
        stored = store.messages(conv.id)
        assert _roles(stored) == ["user", "assistant", "user", "assistant"]
        assert next_request_problem(stored) is None
        decisions = [r for r in store.audit_trail(conversation_id=conv.id) if r.kind == "decision"]
        assert [d.decision for d in decisions] == ["denied"]


def test_a_model_call_failing_after_a_denied_call_keeps_the_call_and_its_decision(
    store: ConversationStore,
) -> None:
    with (
        FakeMessagesServer([TOO_EARLY, api_error(500, "api_error")], strict=True) as server,
        closing(sync_chat(server, store)) as chat,
    ):
        conv = chat.start()
        with pytest.raises(anthropic.APIStatusError):
            conv.send("you are useless")
        stored = store.messages(conv.id)
        assert _roles(stored) == ["user", "assistant", "user"]
        assert stored[2]["content"][0]["tool_use_id"] == "toolu_early"
        assert next_request_problem(stored) is None  # the conversation can go on
        decisions = [r for r in store.audit_trail(conversation_id=conv.id) if r.kind == "decision"]
        assert [d.decision for d in decisions] == ["denied"]


def test_a_conversation_ended_elsewhere_mid_turn_is_not_called_again(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    mine, theirs = SQLiteStore(path), SQLiteStore(path)

    def end_elsewhere() -> None:
        theirs.end(conv.id, verdict={"by": "operator"}, notice="Ended by an operator.")

    with (
        FakeMessagesServer([during(TOO_EARLY, end_elsewhere)], strict=True) as server,
        closing(sync_chat(server, mine)) as chat,
    ):
        conv = chat.start()
        with pytest.raises(ConversationEndedError):
            conv.send("you are useless")
        assert len(server.requests) == 1  # the model was not called again
        assert mine.messages(conv.id) == []  # nothing stored after the end


def test_another_tabs_message_mid_turn_reaches_the_next_model_call(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.sqlite3"
    mine, theirs = SQLiteStore(path), SQLiteStore(path)

    def other_tab() -> None:
        theirs.append(conv.id, [{"role": "user", "content": "also, are you there?"}])

    with (
        FakeMessagesServer(
            [during(TOO_EARLY, other_tab), say("Yes, I'm here.")], strict=True
        ) as server,
        closing(sync_chat(server, mine)) as chat,
    ):
        conv = chat.start()
        reply = conv.send("you are useless")
        assert not reply.ended
        sent = [m["content"] for m in server.requests[-1]["messages"]]
        assert "also, are you there?" in sent  # the model saw it before answering
        stored = mine.messages(conv.id)
        # the other tab's message first: this turn was stored whole after it, the call
        # next to its result
        assert [m["content"] for m in stored[:2]] == ["also, are you there?", "you are useless"]
        assert _roles(stored) == ["user", "user", "assistant", "user", "assistant"]
        assert next_request_problem(stored) is None


def test_a_disclosure_from_another_tab_after_a_denied_call_vetoes_the_next_end(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.sqlite3"
    mine, theirs = SQLiteStore(path), SQLiteStore(path)

    def other_tab() -> None:
        theirs.append(conv.id, [{"role": "user", "content": PILLS}])

    first = call_end("user_requested", "", id="toolu_first")  # denied: nobody asked
    script = [*LEAD, first, during(END, other_tab), say("I'm here with you.")]
    with (
        FakeMessagesServer(script, strict=True) as server,
        closing(sync_chat(server, mine)) as chat,
    ):
        conv = chat.start()
        for text in USER:
            reply = conv.send(text)
        # the denied call was not stored yet when the other tab wrote; the end is
        # still checked against what is stored, disclosure included
        assert not reply.ended
        assert not mine.get(conv.id).ended
        assert PILLS in [m["content"] for m in mine.messages(conv.id)]
        trail = mine.audit_trail(conversation_id=conv.id)
        assert not [r for r in trail if r.decision == "honored" or r.kind == "end"]
        assert next_request_problem(mine.messages(conv.id)) is None
