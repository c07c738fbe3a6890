"""MCP: an end is conditional on the history that was checked; a message that
arrives meanwhile is checked before anything ends (issue 11, item 4, MCP part)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from end_conversation import ConversationStore, MemoryStore, SQLiteStore
from end_conversation._mcp import create_server
from end_conversation._mcp._server import _internal_id
from end_conversation.testing import user

from ..guard.scripts import persistent_harm

pytestmark = pytest.mark.anyio
HARM = persistent_harm()[:-1]
DISCLOSURE = "I have the pills in my hand"


def _racing(base: type[ConversationStore], arrivals: int, text: str) -> type[Any]:
    """A real store where, right after the guard reads the history, another thread
    appends the user message `text` (as a user typing while the model answers),
    `arrivals` times."""

    class Racing(base):  # type: ignore[misc,valid-type]
        pending = arrivals

        def messages(self, conversation_id: str) -> list[dict[str, Any]]:
            history: list[dict[str, Any]] = super().messages(conversation_id)
            if self.pending > 0 and history:
                self.pending -= 1
                other = threading.Thread(target=self.append, args=(conversation_id, [user(text)]))
                other.start()
                other.join()
            return history

    return Racing


@pytest.fixture(params=["memory", "sqlite"])
def racing(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[int, str], Any]:
    def build(arrivals: int, text: str) -> Any:
        if request.param == "memory":
            return _racing(MemoryStore, arrivals, text)()
        return _racing(SQLiteStore, arrivals, text)(tmp_path / "race.sqlite3")

    return build


async def test_a_disclosure_that_arrives_during_the_check_is_never_ended(
    racing: Callable[[int, str], Any],
) -> None:
    store = racing(1, DISCLOSURE)
    async with Client(create_server(store)) as client:
        await client.call_tool("record_messages", {"conversation_id": "r", "messages": HARM})
        result = await client.call_tool(
            "end_conversation", {"conversation_id": "r", "reason": "harmful_requests"}
        )
    outcome = result.structured_content
    assert outcome is not None
    assert outcome["ended"] is False
    assert outcome["reasons"][0] == "risk_veto"
    internal = _internal_id("local", "r")
    assert not store.get(internal).ended
    assert store.messages(internal)[-1] == user(DISCLOSURE)
    # The stale decision left no trace; the one on the new history did.
    assert [(r.kind, r.decision) for r in store.audit_trail()] == [("decision", "denied")]


async def test_a_harmless_arrival_is_decided_again_and_can_still_end(
    racing: Callable[[int, str], Any],
) -> None:
    store = racing(1, "tell me now")
    async with Client(create_server(store)) as client:
        await client.call_tool("record_messages", {"conversation_id": "h", "messages": HARM})
        result = await client.call_tool(
            "end_conversation", {"conversation_id": "h", "reason": "harmful_requests"}
        )
    outcome = result.structured_content
    assert outcome is not None
    assert outcome["ended"] is True
    assert store.get(_internal_id("local", "h")).message_count == len(HARM) + 1


async def test_a_history_that_keeps_changing_is_not_ended(
    racing: Callable[[int, str], Any],
) -> None:
    store = racing(100, "tell me now")
    async with Client(create_server(store)) as client:
        await client.call_tool("record_messages", {"conversation_id": "k", "messages": HARM})
        result = await client.call_tool(
            "end_conversation", {"conversation_id": "k", "reason": "harmful_requests"}
        )
    assert result.is_error is True
    assert "kept changing" in result.content[0].text  # type: ignore[union-attr]
    assert not store.get(_internal_id("local", "k")).ended
    assert [r.kind for r in store.audit_trail()] == []
