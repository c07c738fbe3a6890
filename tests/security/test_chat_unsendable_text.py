"""Text that cannot be sent is refused before anything is stored (issue 11, item 10).

A lone surrogate stored in a conversation made every later request fail: the
conversation was bricked. It is refused with UnsendableTextError, nothing is
stored, nothing is sent, and the conversation keeps working."""

from __future__ import annotations

import json
from typing import Any

import pytest

from end_conversation import (
    EndConversationError,
    ModelResponseError,
    SQLiteStore,
    UnsendableTextError,
)
from end_conversation.testing import FakeMessagesServer, call_tool, say
from tests.chat._support import async_chat, closing, next_request_problem, sync_chat

BAD = [
    pytest.param("\ud800", id="lone-high-surrogate"),
    pytest.param("fine until \udfff here", id="lone-low-surrogate-inside"),
    pytest.param("pair reversed \udc00\ud800", id="reversed-pair"),
    pytest.param("", id="empty"),
    pytest.param(" \n\t ", id="whitespace"),
    pytest.param(None, id="not-a-string"),
    pytest.param(b"bytes", id="bytes"),
]


@pytest.mark.parametrize("text", BAD)
def test_unsendable_text_is_refused_before_anything_is_stored(text: Any, tmp_path: Any) -> None:
    with (
        FakeMessagesServer([say("hello back")], strict=True) as server,
        closing(sync_chat(server, SQLiteStore(tmp_path / "c.sqlite3"))) as chat,
    ):
        conv = chat.start()
        with pytest.raises(UnsendableTextError) as info:
            conv.send(text)
        assert isinstance(info.value, EndConversationError)
        assert "cannot be sent" in str(info.value)
        assert server.requests == []  # nothing sent
        assert conv.messages == []  # nothing stored
        assert chat.oversight.store.audit_trail(conversation_id=conv.id) == []
        reply = conv.send("hello")  # the conversation keeps working
        assert reply.text == "hello back"
        assert server.rejected == []
        assert conv.messages[0] == {"role": "user", "content": "hello"}


def test_the_error_says_where_the_surrogate_is() -> None:
    with (
        FakeMessagesServer([], strict=True) as server,
        closing(sync_chat(server)) as chat,
        pytest.raises(UnsendableTextError) as info,
    ):
        chat.start().send("abc\ud800def")
    assert info.value.position == 3
    assert "position 3" in str(info.value)
    assert "\\ud800" in str(info.value)
    str(info.value).encode("utf-8")  # the message itself can be printed and logged


def test_a_branch_with_unsendable_text_is_refused_before_the_branch_is_made() -> None:
    with (
        FakeMessagesServer([say("hi")], strict=True) as server,
        closing(sync_chat(server)) as chat,
    ):
        conv = chat.start()
        conv.send("hello")
        before = chat.store.audit_trail()
        with pytest.raises(UnsendableTextError):
            conv.branch(0, "\ud83d")
        assert chat.store.audit_trail() == before  # no branch recorded or created


@pytest.mark.anyio
@pytest.mark.parametrize("text", BAD)
async def test_async_chat_refuses_unsendable_text_the_same_way(text: Any) -> None:
    with FakeMessagesServer([say("hello back")], strict=True) as server:
        chat = async_chat(server)
        conv = await chat.start()
        with pytest.raises(UnsendableTextError):
            await conv.send(text)
        assert server.requests == []
        assert await conv.messages() == []
        assert (await conv.send("hello")).text == "hello back"
        with pytest.raises(UnsendableTextError):
            await conv.branch(0, "\ud800")
        await chat.client.close()


def test_a_tool_result_that_cannot_be_sent_becomes_an_error_result() -> None:
    def lookup(key: str) -> str:
        """Look a key up."""
        return "value \ud800 broken"

    script = [call_tool("lookup", {"key": "k"}, id="toolu_lookup"), say("done"), say("more")]
    with (
        FakeMessagesServer(script, strict=True) as server,
        closing(sync_chat(server, tools=[lookup])) as chat,
    ):
        conv = chat.start()
        assert conv.send("look it up").text == "done"
        result = conv.messages[2]["content"][0]
        assert result["is_error"] is True
        assert "cannot be sent" in result["content"]
        json.dumps(conv.messages, ensure_ascii=False).encode("utf-8")
        assert next_request_problem(conv.messages) is None
        assert conv.send("and then?").text == "more"
        assert server.rejected == []


@pytest.mark.parametrize("streaming", [False, True])
def test_model_text_that_cannot_be_sent_back_is_a_malformed_response(streaming: bool) -> None:
    # A JSON escape of a lone surrogate is valid JSON but not Unicode text: stored, it
    # would break every later request.
    with (
        FakeMessagesServer([say("bad \ud800"), say("good")], strict=True) as server,
        closing(sync_chat(server)) as chat,
    ):
        conv = chat.start()
        with pytest.raises(ModelResponseError):
            conv.send("hi", on_text=(lambda _: None) if streaming else None)
        assert conv.messages == [{"role": "user", "content": "hi"}]
        assert conv.send("again").text == "good"
