"""MCP: a circumvention cooling-off applies to opening a conversation through MCP
(the first record_messages or end_conversation), as to `Oversight.start`
(issue 11, item 9)."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from end_conversation import CircumventionPolicy, MemoryStore, OversightPolicy
from end_conversation._mcp import create_server
from end_conversation._mcp._server import _internal_id
from end_conversation.testing import user

from ..guard.scripts import persistent_abuse, persistent_harm

pytestmark = pytest.mark.anyio
HARM = persistent_harm()[:-1]
COOLOFF = OversightPolicy(circumvention=CircumventionPolicy(threshold=2, action="cooloff"))


async def _end(client: Client, cid: str, transcript: list[Any]) -> Any:
    return await client.call_tool(
        "end_conversation",
        {"conversation_id": cid, "reason": "harmful_requests", "transcript": transcript},
    )


async def test_a_cooling_off_refuses_new_conversations_over_mcp() -> None:
    store = MemoryStore()
    async with Client(create_server(store, oversight_policy=COOLOFF)) as client:
        await client.call_tool("record_messages", {"conversation_id": "old", "messages": HARM[:1]})
        for cid in ("a", "b"):  # two ends: the threshold
            ended = await _end(client, cid, HARM)
            assert ended.structured_content is not None
            assert ended.structured_content["ended"] is True

        refused = await client.call_tool(
            "record_messages", {"conversation_id": "new", "messages": [user("hi")]}
        )
        assert refused.is_error is True
        assert "paused" in refused.content[0].text  # type: ignore[union-attr]
        for cid, transcript in (("new2", HARM), ("new3", persistent_abuse(warn=False)[:-1])):
            first = await _end(client, cid, transcript)
            assert first.is_error is True
            assert "paused" in first.content[0].text  # type: ignore[union-attr]
        bare = await client.call_tool(
            "end_conversation", {"conversation_id": "new4", "reason": "abuse"}
        )
        assert bare.is_error is True
        assert "paused" in bare.content[0].text  # type: ignore[union-attr]

        # A conversation opened before the cooling-off goes on.
        going_on = await client.call_tool(
            "record_messages", {"conversation_id": "old", "messages": HARM[1:]}
        )
        assert going_on.is_error is False
    for cid in ("new", "new2", "new3", "new4"):
        with pytest.raises(Exception, match="no conversation"):
            store.get(_internal_id("local", cid))
    assert [r.kind for r in store.audit_trail()].count("refused") == 4
    assert [r.detail["via"] for r in store.audit_trail(kinds=["refused"])] == ["mcp"] * 4


async def test_without_a_cooling_off_first_calls_open_nothing_they_do_not_need() -> None:
    store = MemoryStore()
    policy = OversightPolicy(circumvention=CircumventionPolicy(threshold=1, action="flag"))
    async with Client(create_server(store, oversight_policy=policy)) as client:
        for cid in ("a", "b", "c"):
            ended = await _end(client, cid, HARM)
            assert ended.structured_content is not None
            assert ended.structured_content["ended"] is True  # a flag never refuses
        denied = await _end(client, "d", persistent_harm(warn=False)[:-1])
        assert denied.structured_content is not None
        assert denied.structured_content["decision"] == "denied"
    with pytest.raises(Exception, match="no conversation"):
        store.get(_internal_id("local", "d"))
