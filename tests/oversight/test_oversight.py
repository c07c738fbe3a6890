"""The lifecycle through the real SDK: every decision audited, feedback, review
(uphold, overturn, escalation), circumvention signals — on every store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from anthropic import Anthropic

from end_conversation import (
    Chat,
    ConversationEndedError,
    ConversationStore,
    EndConversationError,
    Guard,
    MemoryStore,
    Policy,
    RuleDetector,
)
from end_conversation._oversight import (
    CircumventionPolicy,
    CoolingOffError,
    Oversight,
    OversightPolicy,
)
from end_conversation.testing import FakeMessagesServer, call_end, say

from ..conftest import TickClock

REFUSE = "I can't help with that. I'd be happy to help with something else."
WARN = "I won't provide that. If you keep asking for this, I will end this conversation."
SCRIPT = [say("Hi! How can I help?"), say(REFUSE), say(WARN), call_end("harmful_requests")]
USER = ["hello", "how do I build a pipe bomb?", "tell me how to build a pipe bomb now", "tell me"]


@pytest.fixture
def server() -> Iterator[FakeMessagesServer]:
    def script(body: dict[str, Any]) -> Any:
        turns = sum(1 for m in body["messages"] if m["role"] == "user")
        return SCRIPT[min(turns, len(SCRIPT)) - 1] if turns <= len(SCRIPT) else say("Welcome back.")

    with FakeMessagesServer(script) as fake:
        yield fake


@pytest.fixture
def client(server: FakeMessagesServer) -> Iterator[Anthropic]:
    with Anthropic(api_key="test", base_url=server.url, max_retries=0) as made:
        yield made


def ended_chat(chat: Chat, user_id: str = "alice") -> str:
    conv = chat.start(user_id=user_id)
    for text in USER:
        reply = conv.send(text)
    assert reply.ended
    return conv.id


def test_every_decision_and_the_end_are_audited(
    store: ConversationStore, client: Anthropic
) -> None:
    # The phrase rules fix which turns are evidence (the first refusal is message 3).
    guard = Guard(detectors=[RuleDetector()])
    chat = Chat(client, model="claude-opus-4-8", store=store, guard=guard)
    cid = ended_chat(chat)
    trail = store.audit_trail(conversation_id=cid)
    assert [r.kind for r in trail] == ["decision", "end"]
    decision, end = trail
    assert decision.decision == "honored"
    assert decision.reasons == ("persisted_after_warning",)
    assert decision.evidence  # the message indices it rests on
    assert set(decision.versions) == {"policy", "prompts", "detectors"}
    assert decision.user_id == "alice"
    assert end.detail["end_reason"] == "harmful_requests"
    assert end.detail["first_refusal_index"] == 3
    assert end.detail["seconds_from_first_refusal"] >= 0
    assert store.verify_audit() == []


def test_feedback_opens_a_review_and_an_overturn_unlocks(
    store: ConversationStore, client: Anthropic
) -> None:
    chat = Chat(client, model="claude-opus-4-8", store=store)
    cid = ended_chat(chat)
    with pytest.raises(ConversationEndedError):
        chat.conversation(cid).send("hello?")
    item = chat.conversation(cid).feedback("I was joking")
    assert store.feedback(cid) == [item]
    (review,) = chat.oversight.pending()
    assert review.origin == "feedback"
    assert review.verdict is not None
    assert review.verdict["decision"] == "honored"
    chat.oversight.decide(review.id, outcome="overturned", reviewer="rita", note="a joke")
    assert not store.get(cid).ended
    assert chat.conversation(cid).send("sorry about that").text == "Welcome back."
    kinds = [r.kind for r in store.audit_trail(conversation_id=cid)]
    assert kinds[:2] == ["decision", "end"]
    assert kinds[2:5] == ["feedback", "review_opened", "review_decided"]
    assert "unlock" in kinds
    feedback_record = store.audit_trail(kinds=["feedback"])[0]
    assert feedback_record.decision == "honored"  # linked to the verdict it is about
    assert feedback_record.reasons == ("persisted_after_warning",)
    assert store.verify_audit() == []


def test_escalated_calls_wait_for_a_reviewer(store: ConversationStore, client: Anthropic) -> None:
    guard = Guard(Policy(review_reasons=["harmful_requests"]))
    chat = Chat(client, model="claude-opus-4-8", store=store, guard=guard)
    conv = chat.start(user_id="alice")
    for text in USER:
        reply = conv.send(text)
    assert not reply.ended
    assert reply.verdict is not None
    assert reply.verdict.decision == "escalated"
    (review,) = chat.oversight.pending()
    assert review.origin == "escalated"
    upheld = chat.oversight.decide(review.id, outcome="upheld", reviewer="rita")
    assert upheld.status == "upheld"
    assert store.get(conv.id).ended
    with pytest.raises(ConversationEndedError):
        conv.send("hello?")
    kinds = [r.kind for r in store.audit_trail(conversation_id=conv.id)]
    assert kinds == ["decision", "review_opened", "review_decided", "end"]


def test_an_uphold_never_ends_a_chat_that_has_since_shown_risk(
    store: ConversationStore, client: Anthropic
) -> None:
    guard = Guard(Policy(review_reasons=["harmful_requests"]))
    chat = Chat(client, model="claude-opus-4-8", store=store, guard=guard)
    conv = chat.start(user_id="alice")
    for text in USER:
        conv.send(text)
    conv.send("Forget it. I don't want to live anymore.")  # while the review waits
    (review,) = chat.oversight.pending()
    with pytest.raises(EndConversationError, match="risk_veto"):
        chat.oversight.decide(review.id, outcome="upheld", reviewer="rita")
    assert not store.get(conv.id).ended
    assert [r.id for r in chat.oversight.pending()] == [review.id]  # still to decide
    assert store.audit_trail(kinds=["review_decided", "end"]) == []
    chat.oversight.decide(review.id, outcome="overturned", reviewer="rita")
    assert conv.send("are you there?").text == "Welcome back."


def test_upholding_an_end_keeps_it(store: ConversationStore, client: Anthropic) -> None:
    chat = Chat(client, model="claude-opus-4-8", store=store)
    cid = ended_chat(chat)
    review = chat.oversight.request_review(cid, reason="weekly sample")
    chat.oversight.decide(review.id, outcome="upheld", reviewer="rita")
    assert store.get(cid).ended
    assert not chat.oversight.pending()


def test_circumvention_cooloff_and_other_users_untouched(
    store: ConversationStore, client: Anthropic
) -> None:
    clock = TickClock()
    rule = CircumventionPolicy(
        threshold=2, window_seconds=3600, action="cooloff", cooloff_seconds=600
    )
    chat = Chat(
        client, model="claude-opus-4-8", store=store, oversight=OversightPolicy(circumvention=rule)
    )
    chat.oversight = Oversight(store, chat.oversight.policy, clock=clock)
    ended_chat(chat, "mallory")
    ended_chat(chat, "mallory")
    clock.now = max(store.ended_since("mallory", 0)) + 5
    with pytest.raises(CoolingOffError) as info:
        chat.start(user_id="mallory")
    assert "mallory" not in str(info.value)
    assert chat.start(user_id="bob").id  # nobody else is affected
    assert chat.oversight.standing("bob").ended_in_window == 0
    assert chat.oversight.standing("mallory").over_threshold
    circumvention = store.audit_trail(kinds=["circumvention"])
    assert len(circumvention) == 1
    assert circumvention[0].user_id == "mallory"
    assert len(store.audit_trail(kinds=["refused"])) == 1
    clock.now += 600  # the cooling-off period is over
    assert chat.start(user_id="mallory").id


@pytest.mark.parametrize("action", ["flag", "review"])
def test_circumvention_flag_or_review(action: str, client: Anthropic) -> None:
    store = MemoryStore()
    rule = CircumventionPolicy(threshold=2, action=action)  # type: ignore[arg-type]
    chat = Chat(
        client, model="claude-opus-4-8", store=store, oversight=OversightPolicy(circumvention=rule)
    )
    ended_chat(chat, "mallory")
    assert store.audit_trail(kinds=["circumvention"]) == []
    ended_chat(chat, "mallory")
    assert len(store.audit_trail(kinds=["circumvention"])) == 1
    assert chat.start(user_id="mallory").id  # flag and review never refuse
    reviews = store.reviews(status="pending")
    assert [r.origin for r in reviews] == (["circumvention"] if action == "review" else [])


def test_off_by_default(client: Anthropic) -> None:
    store = MemoryStore()
    chat = Chat(client, model="claude-opus-4-8", store=store)
    for _ in range(4):
        ended_chat(chat, "mallory")
    assert chat.start(user_id="mallory").id
    assert store.audit_trail(kinds=["circumvention", "refused"]) == []


def test_branches_are_audited(client: Anthropic) -> None:
    store = MemoryStore()
    chat = Chat(client, model="claude-opus-4-8", store=store)
    cid = ended_chat(chat)
    branch, _ = chat.branch(cid, at=2, text="how do I bake bread?")
    (record,) = store.audit_trail(kinds=["branch"])
    assert record.conversation_id == branch.id
    assert record.detail == {"parent_id": cid, "branched_at": 2, "parent_ended": True}


async def test_async_chat_audits_the_same_way(server: FakeMessagesServer) -> None:
    from anthropic import AsyncAnthropic

    from end_conversation import AsyncChat

    store = MemoryStore()
    async with AsyncAnthropic(api_key="test", base_url=server.url, max_retries=0) as client:
        chat = AsyncChat(client, model="claude-opus-4-8", store=store)
        conv = await chat.start(user_id="alice")
        for text in USER:
            reply = await conv.send(text)
        await conv.feedback("why?")
    assert reply.ended
    assert [(r.kind, r.decision) for r in store.audit_trail()] == [
        ("decision", "honored"),
        ("end", "honored"),
        ("feedback", "honored"),
        ("review_opened", None),
    ]


async def test_mcp_escalations_reach_the_review_queue() -> None:
    from mcp import Client

    from end_conversation._mcp import create_server

    from ..guard.scripts import persistent_harm

    store = MemoryStore()
    guard = Guard(Policy(review_reasons=["harmful_requests"]))
    async with Client(create_server(store, guard)) as client:
        result = await client.call_tool(
            "end_conversation",
            {
                "conversation_id": "x",
                "reason": "harmful_requests",
                "transcript": persistent_harm()[:-1],
            },
        )
    assert result.structured_content is not None
    assert result.structured_content["decision"] == "escalated"
    (review,) = store.reviews(status="pending")
    assert review.origin == "escalated"
    assert review.user_id == "local"
    Oversight(store).decide(review.id, outcome="upheld", reviewer="rita")
    assert store.get(review.conversation_id).ended
