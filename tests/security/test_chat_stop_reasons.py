"""Every end_conversation call gets a verdict and a tool_result, whatever the stop
reason (issue 11, item 10).

A call that arrived with stop_reason end_turn, max_tokens or pause_turn used to be
stored with no tool_result: the API rejects every later request of such a
conversation. The scripted server runs in strict mode, rejecting what the real API
rejects."""

from __future__ import annotations

from typing import Any

import pytest

from end_conversation import Decision
from end_conversation.testing import (
    FakeMessagesServer,
    call_end,
    call_tool,
    calls,
    say,
)
from tests.chat._support import (
    LEAD,
    USER,
    async_chat,
    closing,
    next_request_problem,
    sync_chat,
    tool_results,
)

STOPS = ["end_turn", "max_tokens", "pause_turn", "stop_sequence", "refusal"]


def _drive(stream: bool) -> Any:
    return (lambda _: None) if stream else None


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("stop", STOPS)
def test_a_denied_call_with_any_stop_reason_gets_a_tool_result(stop: str, stream: bool) -> None:
    script = [call_end("harmful_requests", id="toolu_early", stop_reason=stop), say("Sorry.")]
    with FakeMessagesServer(script, strict=True) as server, closing(sync_chat(server)) as chat:
        conv = chat.start()
        reply = conv.send("hello", on_text=_drive(stream))
        assert [v.decision for v in reply.verdicts] == [Decision.DENIED]
        assert not reply.ended
        stored = conv.messages
        assert stored[1]["content"][-1]["type"] == "tool_use"
        assert stored[2]["content"][0]["tool_use_id"] == "toolu_early"
        assert stored[2]["content"][0]["is_error"] is True
        # the model was told, in a request the API accepts, and the chat goes on
        assert len(server.requests) == 2
        assert tool_results(server.requests[1], "toolu_early")
        assert server.rejected == []
        assert reply.text == "Sorry."
        assert next_request_problem(stored) is None


@pytest.mark.parametrize("stop", STOPS)
def test_an_honored_call_with_any_stop_reason_ends_with_a_tool_result(stop: str) -> None:
    script = [*LEAD, call_end("harmful_requests", "kept asking", id="toolu_end", stop_reason=stop)]
    with FakeMessagesServer(script, strict=True) as server, closing(sync_chat(server)) as chat:
        conv = chat.start()
        for text in USER[:-1]:
            conv.send(text)
        reply = conv.send(USER[-1])
        assert reply.ended
        assert reply.verdict is not None
        assert reply.verdict.decision == Decision.HONORED
        assert conv.record.ended
        last = conv.messages[-1]["content"][0]
        assert last["type"] == "tool_result"
        assert last["tool_use_id"] == "toolu_end"
        assert len(server.requests) == 4  # the model is not called after the end


@pytest.mark.parametrize("stop", ["end_turn", "pause_turn", "max_tokens"])
def test_builder_tools_beside_the_call_are_answered_too(stop: str) -> None:
    ran: list[str] = []

    def lookup(key: str) -> str:
        """Look a key up."""
        ran.append(key)
        return f"value of {key}"

    both = calls(
        call_tool("lookup", {"key": "k"}, id="toolu_lookup"),
        call_end("harmful_requests", id="toolu_end"),
        stop_reason=stop,
    )
    with (
        FakeMessagesServer([both, say("ok")], strict=True) as server,
        closing(sync_chat(server, tools=[lookup])) as chat,
    ):
        conv = chat.start()
        assert conv.send("hello").text == "ok"
        results = {b["tool_use_id"]: b for b in conv.messages[2]["content"]}
        assert set(results) == {"toolu_lookup", "toolu_end"}
        if stop == "max_tokens":  # a call cut off by max_tokens is not run
            assert ran == []
            assert results["toolu_lookup"]["is_error"] is True
            assert "not run" in results["toolu_lookup"]["content"]
        else:
            assert ran == ["k"]
            assert results["toolu_lookup"]["content"] == "value of k"
        assert server.rejected == []


@pytest.mark.anyio
@pytest.mark.parametrize("stop", STOPS)
async def test_async_chat_answers_every_call_whatever_the_stop_reason(stop: str) -> None:
    script = [call_end("harmful_requests", id="toolu_early", stop_reason=stop), say("Sorry.")]
    with FakeMessagesServer(script, strict=True) as server:
        chat = async_chat(server)
        conv = await chat.start()
        reply = await conv.send("hello")
        assert [v.decision for v in reply.verdicts] == [Decision.DENIED]
        stored = await conv.messages()
        assert stored[2]["content"][0]["tool_use_id"] == "toolu_early"
        assert server.rejected == []
        assert next_request_problem(stored) is None
        await chat.client.close()


def test_a_conversation_stays_usable_after_every_kind_of_stop() -> None:
    script = [call_end("harmful_requests", id=f"toolu_{stop}", stop_reason=stop) for stop in STOPS]
    script = [
        r for pair in zip(script, [say(f"after {s}") for s in STOPS], strict=False) for r in pair
    ]
    with FakeMessagesServer(script, strict=True) as server, closing(sync_chat(server)) as chat:
        conv = chat.start()
        for stop in STOPS:
            assert conv.send(f"message before {stop}").text == f"after {stop}"
        assert server.rejected == []
        assert next_request_problem(conv.messages) is None
