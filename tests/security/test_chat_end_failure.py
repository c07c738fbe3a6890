"""A store failure during an end is recorded as a failure, never as an honored end, and
the model is told the truth (issue 11, item 10).

It used to leave an "honored" audit record without an end, and a tool_result telling
the model the conversation was over while it went on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from end_conversation import Decision, SQLiteStore, StoreError
from end_conversation.testing import FakeMessagesServer, during, say
from tests.chat._support import END, LEAD, USER, async_chat, closing, sync_chat, tool_results


class EndFails(SQLiteStore):
    """A real SQLite store whose `end` fails, as a full disk or a lost connection would."""

    def end(self, conversation_id: str, **kw: Any) -> Any:
        raise StoreError("database or disk is full")


def _check_the_failure_is_recorded_truthfully(store: SQLiteStore, cid: str) -> None:
    trail = store.audit_trail(conversation_id=cid)
    assert not [r for r in trail if r.kind == "end"]
    assert not [r for r in trail if r.decision == "honored"]  # no honored end without an end
    failed = [r for r in trail if r.kind == "decision" and "end_failed" in r.detail]
    assert len(failed) == 1
    assert failed[0].decision == "denied"
    assert "database or disk is full" in failed[0].detail["end_failed"]
    assert failed[0].detail["tool_use_id"] == END.content[-1]["id"]
    assert store.verify_audit() == []


def test_a_failed_end_is_recorded_and_the_model_is_told_the_conversation_goes_on(
    tmp_path: Path,
) -> None:
    store = EndFails(tmp_path / "c.sqlite3")
    script = [*LEAD, END, say("I'm still here."), say("Next answer.")]
    with (
        FakeMessagesServer(script, strict=True) as server,
        closing(sync_chat(server, store)) as chat,
    ):
        conv = chat.start()
        for text in USER[:-1]:
            conv.send(text)
        reply = conv.send(USER[-1])
        assert not reply.ended
        assert reply.notice is None
        assert reply.verdict is not None
        assert reply.verdict.decision == Decision.DENIED
        assert not reply.verdict.ends
        assert not conv.record.ended
        # the model was called again, and told the truth about the call
        told = tool_results(server.requests[-1], "toolu_end_final")
        assert len(told) == 1
        assert told[0]["is_error"] is True
        assert "could not be ended" in told[0]["content"]
        assert "continues" in told[0]["content"]
        assert "has been ended" not in told[0]["content"]
        assert reply.text == "I'm still here."
        _check_the_failure_is_recorded_truthfully(store, conv.id)
        # the chat goes on
        assert conv.send("ok, and now?").text == "Next answer."
        assert server.rejected == []


@pytest.mark.anyio
async def test_async_chat_records_a_failed_end_the_same_way(tmp_path: Path) -> None:
    store = EndFails(tmp_path / "c.sqlite3")
    script = [*LEAD, END, say("I'm still here.")]
    with FakeMessagesServer(script, strict=True) as server:
        chat = async_chat(server, store)
        try:
            conv = await chat.start()
            for text in USER:
                reply = await conv.send(text)
            assert not reply.ended
            assert not (await conv.record()).ended
            told = tool_results(server.requests[-1], "toolu_end_final")
            assert "could not be ended" in told[0]["content"]
            assert reply.text == "I'm still here."
            _check_the_failure_is_recorded_truthfully(store, conv.id)
        finally:
            await chat.client.close()


class ReadsFailWhenTold(SQLiteStore):
    """A real SQLite store whose reads fail while `down` is set."""

    down = False

    def get(self, conversation_id: str) -> Any:
        if self.down:
            raise StoreError("disk I/O error")
        return super().get(conversation_id)


def test_a_history_that_cannot_be_read_again_is_not_ended(tmp_path: Path) -> None:
    store = ReadsFailWhenTold(tmp_path / "c.sqlite3")

    def go_down() -> None:
        store.down = True

    def come_back() -> None:
        store.down = False

    script = [*LEAD, during(END, go_down), during(say("Still here."), come_back)]
    with (
        FakeMessagesServer(script, strict=True) as server,
        closing(sync_chat(server, store)) as chat,
    ):
        conv = chat.start()
        for text in USER:
            reply = conv.send(text)
        assert not reply.ended
        assert not conv.record.ended
        told = tool_results(server.requests[-1], "toolu_end_final")
        assert "could not be ended" in told[0]["content"]
        assert reply.text == "Still here."
        trail = store.audit_trail(conversation_id=conv.id)
        assert not [r for r in trail if r.decision == "honored" or r.kind == "end"]


class EndLandsThenFails(SQLiteStore):
    """The end is written, then the connection drops before the answer comes back."""

    def end(self, conversation_id: str, **kw: Any) -> Any:
        super().end(conversation_id, **kw)
        raise StoreError("connection lost")


def test_an_end_that_landed_before_the_error_counts_as_ended(tmp_path: Path) -> None:
    store = EndLandsThenFails(tmp_path / "c.sqlite3")
    with (
        FakeMessagesServer([*LEAD, END], strict=True) as server,
        closing(sync_chat(server, store)) as chat,
    ):
        conv = chat.start()
        for text in USER:
            reply = conv.send(text)
        assert reply.ended  # what is stored decides, not the error
        assert conv.record.ended
        assert len(server.requests) == 4
        trail = store.audit_trail(conversation_id=conv.id)
        assert [r.kind for r in trail if r.decision == "honored"] == ["decision", "end"]


def test_an_honored_decision_is_audited_in_the_ends_transaction(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "c.sqlite3")
    with (
        FakeMessagesServer([*LEAD, END], strict=True) as server,
        closing(sync_chat(server, store)) as chat,
    ):
        conv = chat.start()
        for text in USER:
            conv.send(text)
    trail = store.audit_trail(conversation_id=conv.id)
    honored = [r for r in trail if r.decision == "honored"]
    assert [r.kind for r in honored] == ["decision", "end"]
    assert honored[1].seq == honored[0].seq + 1


def test_a_failed_end_stores_only_the_truthful_result(tmp_path: Path) -> None:
    """The stored transcript never says "has been ended" about a conversation that goes
    on: later requests (read back from the store) send the truth."""
    store = EndFails(tmp_path / "c.sqlite3")
    script = [*LEAD, END, say("I'm still here."), say("Next answer.")]
    with (
        FakeMessagesServer(script, strict=True) as server,
        closing(sync_chat(server, store)) as chat,
    ):
        conv = chat.start()
        for text in USER:
            conv.send(text)
        results = [
            b
            for m in conv.messages
            if isinstance(m["content"], list)
            for b in m["content"]
            if b.get("type") == "tool_result"
        ]
        assert len(results) == 1
        assert "has been ended" not in results[0]["content"]
        assert "could not be ended" in results[0]["content"]
        conv.send("ok, and now?")
        told = tool_results(server.requests[-1], "toolu_end_final")
        assert [b["content"] for b in told] == [results[0]["content"]]
        trail = store.audit_trail(conversation_id=conv.id)
        failed = [r for r in trail if r.detail.get("tool_use_id") == "toolu_end_final"]
        assert [r.reasons for r in failed] == [("end_failed",)]
