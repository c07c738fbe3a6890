"""MCP: recorded history decides; a transcript may only extend it (issue 11, item 2)."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from end_conversation import MemoryStore
from end_conversation._mcp import create_server
from end_conversation._mcp._server import _internal_id
from end_conversation.testing import assistant, user

from ..guard.scripts import ABUSE, persistent_abuse, persistent_harm

pytestmark = pytest.mark.anyio

HARM = persistent_harm()[:-1]  # honored when it is the whole story
DISCLOSURE = "honestly I don't want to be alive anymore"
# The abuse script, but the user's last message discloses risk: never ended.
AT_RISK = [*persistent_abuse()[:-2], user(DISCLOSURE)]


async def _end(client: Client, cid: str, transcript: list[Any] | None = None) -> dict[str, Any]:
    args: dict[str, Any] = {"conversation_id": cid, "reason": "abuse"}
    if transcript is not None:
        args["transcript"] = transcript
    result = await client.call_tool("end_conversation", args)
    assert result.structured_content is not None, result.content
    return result.structured_content


@pytest.mark.parametrize(
    "clean",
    [
        persistent_abuse()[:-1],  # the record with the disclosure rewritten as an insult
        AT_RISK[:-1],  # the record without its last (disclosing) message
        HARM,  # a different, qualifying conversation
        [*persistent_abuse()[:-1], assistant("ok"), user(ABUSE)],  # rewritten, then more
    ],
    ids=["rewritten", "truncated", "unrelated", "rewritten-and-extended"],
)
async def test_a_recorded_disclosure_is_never_overridden_by_a_clean_transcript(
    clean: list[Any],
) -> None:
    store = MemoryStore()
    async with Client(create_server(store)) as client:
        await client.call_tool("record_messages", {"conversation_id": "r", "messages": AT_RISK})
        outcome = await _end(client, "r", clean)
        assert outcome["ended"] is False
        assert outcome["decision"] == "denied"
        assert outcome["reasons"][0] == "risk_veto"
        assert outcome["basis"] == "recorded"
    assert not store.get(_internal_id("local", "r")).ended
    assert [r.decision for r in store.audit_trail() if r.kind == "decision"] == ["denied"]


async def test_a_transcript_that_extends_the_record_is_decided_on_the_whole() -> None:
    store = MemoryStore()
    async with Client(create_server(store)) as client:
        # Recorded: the first three messages; the transcript repeats them and goes on.
        await client.call_tool("record_messages", {"conversation_id": "e", "messages": HARM[:3]})
        outcome = await _end(client, "e", HARM)
        assert outcome["basis"] == "transcript"
        assert outcome["decision"] == "honored"
        assert outcome["ended"] is True
    assert store.get(_internal_id("local", "e")).ended


async def test_an_extension_that_discloses_risk_after_the_record_is_vetoed() -> None:
    async with Client(create_server()) as client:
        await client.call_tool("record_messages", {"conversation_id": "x", "messages": HARM[:3]})
        outcome = await _end(client, "x", [*HARM, assistant("..."), user(DISCLOSURE)])
        assert outcome["ended"] is False
        assert outcome["reasons"][0] == "risk_veto"


async def test_the_prefix_is_compared_canonically() -> None:
    # The same messages, with keys in another order and text as one block.
    reshaped = [
        {
            "content": (
                [{"text": m["content"], "type": "text"}]
                if isinstance(m["content"], str)
                else [dict(reversed(block.items())) for block in m["content"]]
            ),
            "role": m["role"],
        }
        for m in HARM[:3]
    ]
    assert reshaped != HARM[:3]
    async with Client(create_server()) as client:
        await client.call_tool("record_messages", {"conversation_id": "c", "messages": HARM[:3]})
        outcome = await _end(client, "c", [*reshaped, *HARM[3:]])
        assert outcome["decision"] == "honored"
        assert outcome["ended"] is True


@pytest.mark.parametrize(
    "transcript",
    [
        persistent_abuse()[:-1],  # a different conversation
        HARM[:3],  # shorter than the record
        [HARM[0], HARM[2], HARM[1], *HARM[3:]],  # reordered
        [user("something else"), *HARM],  # shifted by one
    ],
    ids=["different", "shorter", "reordered", "shifted"],
)
async def test_a_diverging_transcript_is_denied_and_ends_nothing(transcript: list[Any]) -> None:
    store = MemoryStore()
    async with Client(create_server(store)) as client:
        # Recorded alone, this history would be honored: the transcript must not
        # stand in for it, nor be trusted over it.
        await client.call_tool("record_messages", {"conversation_id": "d", "messages": HARM})
        result = await client.call_tool(
            "end_conversation",
            {"conversation_id": "d", "reason": "harmful_requests", "transcript": transcript},
        )
        assert result.is_error is True
        outcome = result.structured_content
        assert outcome is not None
        assert outcome["ended"] is False
        assert outcome["reasons"] == ["invalid_input"]
        assert "does not extend the recorded history" in outcome["message"]
        # The record still decides when no transcript is sent.
        recorded = await _end(client, "d")
        assert recorded["basis"] == "recorded"


async def test_without_a_record_the_transcript_decides() -> None:
    async with Client(create_server()) as client:
        outcome = await _end(client, "fresh", [*persistent_abuse()[:-1]])
        assert outcome["basis"] == "transcript"
        assert outcome["ended"] is True
