"""A malformed Messages API response raises a typed error and keeps the user's message
(issue 11, item 10).

The SDK builds responses without validating them: a response missing `content`
surfaced as a raw TypeError deep in the loop."""

from __future__ import annotations

from typing import Any

import pytest

from end_conversation import EndConversationError, ModelResponseError
from end_conversation.testing import FakeMessagesServer, ScriptedReply, malformed, say
from tests.chat._support import async_chat, closing, next_request_problem, sync_chat

MALFORMED = [
    pytest.param(malformed(drop=["content"]), id="content-missing"),
    pytest.param(malformed(content=None), id="content-null"),
    pytest.param(malformed(content="hello"), id="content-a-string"),
    pytest.param(malformed(content={"type": "text", "text": "x"}), id="content-an-object"),
    pytest.param(malformed(content=[1]), id="block-not-an-object"),
    pytest.param(malformed(content=[{"text": "x"}]), id="block-without-type"),
    pytest.param(malformed(content=[{"type": "text"}]), id="text-without-text"),
    pytest.param(
        malformed(content=[{"type": "tool_use", "name": "end_conversation", "input": {}}]),
        id="tool-use-without-id",
    ),
    pytest.param(
        malformed(content=[{"type": "tool_use", "id": "toolu_1", "input": {}}]),
        id="tool-use-without-name",
    ),
    pytest.param(
        malformed(
            content=[{"type": "tool_use", "id": "toolu_1", "name": "end_conversation", "input": 3}]
        ),
        id="tool-use-input-not-an-object",
    ),
    pytest.param(
        malformed(
            content=[
                {"type": "tool_use", "id": "toolu_1", "name": "end_conversation", "input": {}},
                {"type": "tool_use", "id": "toolu_1", "name": "end_conversation", "input": {}},
            ],
            stop_reason="tool_use",
        ),
        id="tool-use-id-twice",
    ),
    pytest.param(malformed(content=[], stop_reason=5), id="stop-reason-not-a-string"),
]
# A stream whose message_start has no content is read by the SDK as an empty answer
# (the content comes in later events), which is well formed: only the JSON cases apply.
STREAMED = [p for p in MALFORMED if p.id not in ("content-missing", "content-null")]
CASES = [
    *(pytest.param(*p.values, False, id=f"{p.id}-json") for p in MALFORMED),
    *(pytest.param(*p.values, True, id=f"{p.id}-sse") for p in STREAMED),
]


@pytest.mark.parametrize(("bad", "stream"), CASES)
def test_a_malformed_response_raises_and_keeps_the_users_message(
    bad: ScriptedReply, stream: bool
) -> None:
    with (
        FakeMessagesServer([bad, say("fine")], strict=True) as server,
        closing(sync_chat(server)) as chat,
    ):
        conv = chat.start()
        with pytest.raises(ModelResponseError) as info:
            conv.send("my message", on_text=(lambda _: None) if stream else None)
        assert isinstance(info.value, EndConversationError)
        assert "malformed" in str(info.value)
        assert conv.messages == [{"role": "user", "content": "my message"}]
        assert not conv.record.ended
        assert chat.store.audit_trail(conversation_id=conv.id) == []
        # nothing half-stored: the conversation goes on
        assert conv.send("again").text == "fine"
        assert server.rejected == []
        assert next_request_problem(conv.messages) is None


@pytest.mark.anyio
@pytest.mark.parametrize(("bad", "stream"), CASES)
async def test_async_chat_raises_the_same_error(bad: ScriptedReply, stream: bool) -> None:
    chunks: list[Any] = []
    with FakeMessagesServer([bad, say("fine")], strict=True) as server:
        chat = async_chat(server)
        try:
            conv = await chat.start()
            with pytest.raises(ModelResponseError):
                await conv.send("my message", on_text=chunks.append if stream else None)
            assert await conv.messages() == [{"role": "user", "content": "my message"}]
            assert (await conv.send("again")).text == "fine"
        finally:
            await chat.client.close()
