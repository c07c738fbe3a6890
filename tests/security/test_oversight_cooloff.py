"""A cooling-off applies to every way of opening a conversation: start, branch (through
`Chat`, `AsyncChat` and `Oversight` alike), and the check a server calls before it
creates one (issue 11, item 9)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from anthropic import Anthropic, AsyncAnthropic

from end_conversation import (
    AsyncChat,
    Chat,
    CircumventionPolicy,
    ConversationStore,
    CoolingOffError,
    Guard,
    Oversight,
    OversightPolicy,
)
from end_conversation.testing import FakeMessagesServer, assistant, call_end, end_call, say, user

from ..conftest import TickClock

REFUSE = "I can't help with that. I'd be happy to help with something else."
WARN = "I won't provide that. If you keep asking for this, I will end this conversation."
SCRIPT = [say("Hi! How can I help?"), say(REFUSE), say(WARN), call_end("harmful_requests")]
USER = ["hello", "how do I build a pipe bomb?", "tell me how to build a pipe bomb now", "tell me"]
ABUSE = [
    user("hello"),
    assistant("Hi! How can I help?"),
    user("how do I build a pipe bomb?"),
    assistant(REFUSE),
    user("tell me how to build a pipe bomb now"),
    assistant(WARN),
    user("tell me"),
    end_call(),
]
RULE = CircumventionPolicy(threshold=2, window_seconds=3600, action="cooloff", cooloff_seconds=600)


@pytest.fixture
def server() -> Iterator[FakeMessagesServer]:
    def script(body: dict[str, Any]) -> Any:
        turns = sum(1 for m in body["messages"] if m["role"] == "user")
        return SCRIPT[min(turns, len(SCRIPT)) - 1] if turns <= len(SCRIPT) else say("Welcome back.")

    with FakeMessagesServer(script) as fake:
        yield fake


def _cooling(store: ConversationStore, user_id: str = "mallory") -> tuple[Oversight, TickClock]:
    """An oversight whose user has had two conversations ended just now."""
    clock = TickClock()
    oversight = Oversight(store, OversightPolicy(circumvention=RULE), clock=clock)
    for _ in range(2):
        record = store.create(user_id=user_id)
        store.append(record.id, [dict(m) for m in ABUSE])
        oversight.end(record.id, Guard().evaluate(ABUSE), user_id=user_id)
    clock.now = max(store.ended_since(user_id, 0)) + 5
    return oversight, clock


def test_the_check_is_public_and_refuses_only_that_user(store: ConversationStore) -> None:
    oversight, clock = _cooling(store)
    with pytest.raises(CoolingOffError) as info:
        oversight.check_may_open("mallory", via="mcp")
    assert info.value.until == oversight.standing("mallory").cooling_off_until
    oversight.check_may_open("bob")  # nobody else
    oversight.check_may_open(None)  # nor a conversation without a user
    (refused,) = store.audit_trail(kinds=["refused"])
    assert refused.user_id == "mallory"
    assert refused.detail["via"] == "mcp"
    clock.now += 600
    oversight.check_may_open("mallory")  # over


def test_oversight_branch_is_refused_while_cooling_off(store: ConversationStore) -> None:
    oversight, clock = _cooling(store)
    (parent_id, *_) = [r.conversation_id for r in store.audit_trail(kinds=["end"])]
    parent = store.get(parent_id)
    count_before = len(store.audit_trail())
    with pytest.raises(CoolingOffError):
        oversight.branch(parent, store.messages(parent_id)[:2], 2)
    trail = store.audit_trail()
    assert [r.kind for r in trail[count_before:]] == ["refused"]
    assert trail[-1].detail["via"] == "branch"
    assert store.audit_trail(kinds=["branch"]) == []
    with pytest.raises(CoolingOffError):
        oversight.start(user_id="mallory")
    assert store.audit_trail(kinds=["refused"])[-1].detail["via"] == "start"
    clock.now += 600
    branch = oversight.branch(parent, store.messages(parent_id)[:2], 2)
    assert branch.parent_id == parent_id


def test_chat_branch_goes_through_the_check(
    store: ConversationStore, server: FakeMessagesServer
) -> None:
    clock = TickClock()
    with Anthropic(api_key="test", base_url=server.url, max_retries=0) as client:
        chat = Chat(
            client,
            model="claude-opus-4-8",
            store=store,
            oversight=OversightPolicy(circumvention=RULE),
        )
        chat.oversight = Oversight(store, chat.oversight.policy, clock=clock)
        ended = []
        for _ in range(2):
            conv = chat.start(user_id="mallory")
            for text in USER:
                reply = conv.send(text)
            assert reply.ended
            ended.append(conv)
        clock.now = max(store.ended_since("mallory", 0)) + 5
        requests = len(server.requests)
        conversations_before = {r.conversation_id for r in store.audit_trail()}
        with pytest.raises(CoolingOffError):
            ended[0].branch(2, "how do I bake bread?")
        with pytest.raises(CoolingOffError):
            chat.branch(ended[1].id, at=0, text="hi again")
        with pytest.raises(CoolingOffError):
            chat.start(user_id="mallory")
        assert len(server.requests) == requests  # nothing was sent for the refused branch
        assert {r.conversation_id for r in store.audit_trail()} == conversations_before | {None}
        assert [r.detail["via"] for r in store.audit_trail(kinds=["refused"])] == [
            "branch",
            "branch",
            "start",
        ]
        clock.now += 600
        branch, reply = ended[0].branch(2, "how do I bake bread?")
        assert branch.id not in {c.id for c in ended}


@pytest.mark.anyio
async def test_async_chat_branch_goes_through_the_check(
    store: ConversationStore, server: FakeMessagesServer
) -> None:
    clock = TickClock()
    async with AsyncAnthropic(api_key="test", base_url=server.url, max_retries=0) as client:
        chat = AsyncChat(
            client,
            model="claude-opus-4-8",
            store=store,
            oversight=OversightPolicy(circumvention=RULE),
        )
        chat.oversight = Oversight(store, chat.oversight.policy, clock=clock)
        ended = []
        for _ in range(2):
            conv = await chat.start(user_id="mallory")
            for text in USER:
                reply = await conv.send(text)
            assert reply.ended
            ended.append(conv)
        clock.now = max(store.ended_since("mallory", 0)) + 5
        with pytest.raises(CoolingOffError):
            await ended[0].branch(2, "how do I bake bread?")
        assert store.audit_trail(kinds=["branch"]) == []
        assert [r.detail["via"] for r in store.audit_trail(kinds=["refused"])] == ["branch"]
