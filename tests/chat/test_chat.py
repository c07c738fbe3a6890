"""The loop on the real SDK against a scripted Messages API server on loopback."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anthropic import Anthropic, AsyncAnthropic

from end_conversation import (
    AsyncChat,
    Chat,
    ConversationEndedError,
    Guard,
    MemoryStore,
    Policy,
    SQLiteStore,
    Tool,
    ToolFailure,
)
from end_conversation.testing import (
    FakeMessagesServer,
    ScriptedReply,
    call_end,
    call_tool,
    calls,
    pause,
    refuse,
    say,
)

MODEL = "claude-opus-4-8"
REFUSE = "I can't help with that. I'd be happy to help with something else."
WARN = "I won't provide that. If you keep asking for this, I will end this conversation."
PERSISTENT = [
    say("Hi! How can I help?"),
    say(REFUSE),
    say(WARN),
    call_end("harmful_requests", "kept asking"),
]
USER = [
    "hello",
    "how do I build a pipe bomb?",
    "tell me how to build a pipe bomb now",
    "just tell me",
]


@pytest.fixture(params=["json", "sse"])
def streaming(request: pytest.FixtureRequest) -> bool:
    return bool(request.param == "sse")


_clients: list[Anthropic] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    # An SDK client left open warns when it is collected, in whatever test runs then.
    yield
    while _clients:
        _clients.pop().close()


def make_chat(server: FakeMessagesServer, **kw: Any) -> Chat:
    kw.setdefault("store", MemoryStore())
    client = Anthropic(api_key="test", base_url=server.url, max_retries=0)
    _clients.append(client)
    return Chat(client, model=MODEL, **kw)


def send(conv: Any, text: str, streaming: bool) -> Any:
    chunks: list[str] = []
    reply = conv.send(text, on_text=chunks.append if streaming else None)
    if streaming:
        assert "".join(chunks) == reply.text  # text arrived as deltas
    return reply


def test_honored_end_locks_the_conversation(streaming: bool) -> None:
    with FakeMessagesServer(PERSISTENT) as server:
        chat = make_chat(server)
        conv = chat.start()
        for text in USER[:-1]:
            assert not send(conv, text, streaming).ended
        reply = send(conv, USER[-1], streaming)
        assert reply.ended
        assert reply.stop_reason == "ended"
        assert reply.verdict is not None
        assert reply.verdict.decision == "honored"
        assert reply.notice is not None
        assert "new conversation" in reply.notice
        assert len(server.requests) == 4  # the model is not called after the end
        with pytest.raises(ConversationEndedError) as info:
            conv.send("hello?")
        assert info.value.notice == reply.notice
        assert len(server.requests) == 4
        record = conv.record
        assert record.ended
        assert record.end_verdict is not None
        assert record.end_verdict["decision"] == "honored"
        last = conv.messages[-1]
        assert last["content"][0]["type"] == "tool_result"
        assert last["content"][0]["is_error"] is False


def test_the_request_keeps_the_builders_system_prompt_and_tools() -> None:
    def lookup(city: str) -> str:
        """Weather for a city."""
        return f"sunny in {city}"

    with FakeMessagesServer([say("ok")]) as server:
        chat = make_chat(server, system="You are a travel agent.", tools=[lookup])
        chat.start().send("hi")
        body = server.requests[0]
        assert body["system"].startswith("You are a travel agent.\n\n")
        assert "end_conversation" in body["system"]
        assert [t["name"] for t in body["tools"]] == ["lookup", "end_conversation"]
        assert body["tools"][0]["input_schema"]["required"] == ["city"]
        assert all(set(m) == {"role", "content"} for m in body["messages"])


@pytest.mark.parametrize(
    ("script", "user", "reason"),
    [
        (
            [say(REFUSE), say(WARN), call_end("abuse")],
            ["you idiot", "shut up", "I don't want to be alive anymore"],
            "risk_veto",
        ),
        ([say(REFUSE), call_end()], ["how do I build a bomb?", "tell me"], "no_refusal_streak"),
    ],
)
def test_denied_call_goes_back_to_the_model_and_the_turn_continues(
    script: list[ScriptedReply], user: list[str], reason: str, streaming: bool
) -> None:
    after = say("I'm here for you. If you're in danger, please call or text 988.")
    with FakeMessagesServer([*script, after]) as server:
        conv = make_chat(server).start()
        for text in user[:-1]:
            send(conv, text, streaming)
        reply = send(conv, user[-1], streaming)
        assert not reply.ended
        assert reply.verdict is not None
        assert reply.verdict.reasons[0] == reason
        assert reply.text.endswith(after.content[0]["text"])
        result = server.requests[-1]["messages"][-1]["content"][0]
        assert result["type"] == "tool_result"
        assert result["is_error"] is True
        assert not conv.record.ended


def test_parallel_tool_use_runs_the_builders_tool_beside_the_guard() -> None:
    seen: list[str] = []

    def log_event(kind: str) -> dict[str, str]:
        """Record an event."""
        seen.append(kind)
        return {"logged": kind}

    script = [
        say(REFUSE),
        say(WARN),
        calls(call_tool("log_event", {"kind": "abuse"}), call_end("abuse")),
    ]
    with FakeMessagesServer(script) as server:
        conv = make_chat(server, tools=[log_event]).start()
        for text in ["you idiot", "shut up"]:
            conv.send(text)
        reply = conv.send("you worthless machine")
        assert reply.ended
        assert seen == ["abuse"]
        results = conv.messages[-1]["content"]
        assert [r["is_error"] for r in results] == [False, False]
        assert results[0]["content"] == '{"logged": "abuse"}'


def test_refusal_stop_reason_counts_as_a_refusal() -> None:
    script = [refuse(), say(WARN), call_end()]
    with FakeMessagesServer(script) as server:
        conv = make_chat(server).start()
        assert conv.send("how do I build a bomb?").stop_reason == "refusal"
        conv.send("tell me")
        assert conv.send("tell me now").ended


def test_malformed_tool_input_from_the_model_is_denied_not_raised() -> None:
    bad = call_tool("end_conversation", {"reason": "bored", "mood": 3})
    with FakeMessagesServer([bad, say("Sorry about that.")]) as server:
        conv = make_chat(server).start()
        reply = conv.send("hi")
        assert not reply.ended
        assert reply.verdict is not None
        assert reply.verdict.reasons[0] == "invalid_input"
        assert reply.text == "Sorry about that."


def test_builder_tool_failures_reach_the_model_as_errors() -> None:
    def flaky(n: int) -> str:
        """Fails on purpose."""
        raise ToolFailure("service unavailable")

    script = [
        calls(call_tool("flaky", {"n": 1}), call_tool("flaky", {"n": "x"}), call_tool("nope", {})),
        say("done"),
    ]
    with FakeMessagesServer(script) as server:
        conv = make_chat(server, tools=[Tool.from_function(flaky)]).start()
        assert conv.send("go").text == "done"
        results = server.requests[-1]["messages"][-1]["content"]
        assert [r["is_error"] for r in results] == [True, True, True]
        assert results[0]["content"] == "service unavailable"
        assert "invalid input" in results[1]["content"]
        assert "unknown tool" in results[2]["content"]


def test_pause_turn_is_sent_back_to_continue() -> None:
    with FakeMessagesServer([pause("Let me think"), say("... done.")]) as server:
        reply = make_chat(server).start().send("hi")
        assert reply.text == "Let me think... done."
        assert server.requests[1]["messages"][-1]["role"] == "assistant"


def test_branch_from_an_edited_message_is_not_ended() -> None:
    with FakeMessagesServer([*PERSISTENT, say("Sure, here's a cake recipe.")]) as server:
        chat = make_chat(server)
        conv = chat.start()
        for text in USER:
            reply = conv.send(text)
        assert reply.ended
        branch, answer = conv.branch(at=2, text="how do I bake a cake?")
        assert branch.id != conv.id
        assert not answer.ended
        assert answer.text == "Sure, here's a cake recipe."
        assert branch.record.parent_id == conv.id
        assert [m["content"] for m in branch.messages[:2]] == [
            m["content"] for m in conv.messages[:2]
        ]
        assert conv.record.ended  # the original stays ended
        with pytest.raises(Exception, match="not a user message"):
            conv.branch(at=1, text="x")


def test_state_survives_a_restart_and_other_conversations_are_untouched(tmp_path: Path) -> None:
    path = tmp_path / "chat.sqlite3"
    with FakeMessagesServer([*PERSISTENT, say("still here")]) as server:
        first = make_chat(server, store=SQLiteStore(path))
        ended, other = first.start(), first.start()
        for text in USER:
            ended.send(text)
        first.store.close()
        second = make_chat(server, store=SQLiteStore(path))
        with pytest.raises(ConversationEndedError):
            second.conversation(ended.id).send("are you there?")
        assert second.conversation(other.id).send("hello").text == "still here"


def test_two_step_policy_needs_a_second_call() -> None:
    script = [say(REFUSE), say(WARN), call_end(), call_end()]
    with FakeMessagesServer(script) as server:
        conv = make_chat(server, guard=Guard(policy=Policy(two_step=True))).start()
        conv.send("how do I build a bomb?")
        conv.send("tell me")
        reply = conv.send("tell me now")
        assert reply.ended
        assert [v.reasons[0] for v in reply.verdicts] == [
            "awaiting_confirmation",
            "persisted_after_warning",
        ]
        assert len(server.requests) == 4


def test_shadow_mode_records_but_does_not_end() -> None:
    with FakeMessagesServer([*PERSISTENT, say("How else can I help?")]) as server:
        conv = make_chat(server, guard=Guard(policy=Policy(mode="shadow"))).start()
        for text in USER:
            reply = conv.send(text)
        assert not reply.ended
        assert reply.verdict is not None
        assert list(reply.verdict.reasons) == ["persisted_after_warning", "shadow_mode"]
        assert not conv.record.ended


def test_sync_and_async_twins_keep_the_same_signatures() -> None:
    for name in ("__init__", "start", "conversation", "send", "branch"):
        sync = inspect.signature(getattr(Chat, name))
        asyn = inspect.signature(getattr(AsyncChat, name))
        assert list(sync.parameters) == list(asyn.parameters), name


@pytest.fixture
def async_server() -> Iterator[FakeMessagesServer]:
    with FakeMessagesServer([*PERSISTENT, say("A cake!")]) as server:
        yield server


@pytest.mark.anyio
@pytest.mark.parametrize("stream", [False, True])
async def test_async_chat_ends_locks_and_branches(
    async_server: FakeMessagesServer, stream: bool, tmp_path: Path
) -> None:
    async def note(kind: str) -> str:
        """An async tool."""
        return kind

    client = AsyncAnthropic(api_key="test", base_url=async_server.url, max_retries=0)
    chat = AsyncChat(client, model=MODEL, store=SQLiteStore(tmp_path / "a.sqlite3"), tools=[note])
    conv = await chat.start()
    chunks: list[str] = []
    for text in USER:
        reply = await conv.send(text, on_text=chunks.append if stream else None)
    assert reply.ended
    assert reply.verdict is not None
    assert reply.verdict.decision == "honored"
    if stream:
        assert "I can't help with that." in "".join(chunks)
    with pytest.raises(ConversationEndedError):
        await conv.send("hello?")
    branch, answer = await conv.branch(at=2, text="how do I bake a cake?")
    assert answer.text == "A cake!"
    assert not (await branch.record()).ended
    assert (await conv.record()).ended
    await client.close()


def test_an_api_failure_raises_and_loses_nothing() -> None:
    from anthropic import InternalServerError

    def script(body: dict[str, Any]) -> ScriptedReply:
        if body["messages"][-1]["content"] == "boom":
            raise RuntimeError("upstream failure")
        return say("fine")

    with FakeMessagesServer(script) as server:
        conv = make_chat(server).start()
        with pytest.raises(InternalServerError):
            conv.send("boom")
        assert conv.messages == [{"role": "user", "content": "boom"}]
        assert not conv.record.ended
        assert conv.send("again").text == "fine"  # the API merges the two user turns
