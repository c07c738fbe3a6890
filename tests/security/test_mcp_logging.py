"""MCP: a failure is logged once, in one line; the traceback only at debug level
(issue 11, item 11)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.stdio import stdio_client

from end_conversation import CircumventionPolicy, MemoryStore, OversightPolicy, StoreError
from end_conversation._mcp import create_server
from end_conversation._mcp._server import _internal_id
from end_conversation.testing import user

from ..guard.scripts import persistent_harm

pytestmark = pytest.mark.anyio
HARM = persistent_harm()[:-1]


class _BrokenStore(MemoryStore):
    """A store whose reads and writes fail, as a lost database connection does."""

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        raise StoreError("connection lost\n" + "detail line\n" * 200)

    def append(self, conversation_id: str, messages: Any, **kwargs: Any) -> int:
        raise StoreError("connection lost")


def _loud(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    return [r for r in records if r.levelno >= logging.INFO]


async def test_a_tool_failure_is_one_line_and_the_traceback_only_at_debug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = _BrokenStore()
    caplog.set_level(logging.INFO)
    async with Client(create_server(store)) as client:
        await client.call_tool(
            "record_messages", {"conversation_id": "c", "messages": [user("hi")]}
        )
        caplog.clear()
        result = await client.call_tool(
            "end_conversation", {"conversation_id": "c", "reason": "abuse", "transcript": HARM}
        )
        assert result.is_error is True
        assert "nothing was ended" in result.content[0].text  # type: ignore[union-attr]
        loud = _loud(caplog.records)
        assert len(loud) == 1, [r.getMessage() for r in loud]
        line = loud[0].getMessage()
        assert "\n" not in line
        assert len(line) < 400
        for part in ("end_conversation", "StoreError", "connection lost"):
            assert part in line
        assert all(r.exc_info is None for r in caplog.records)  # no traceback above debug

        caplog.clear()
        caplog.set_level(logging.DEBUG, logger="end_conversation.mcp")
        await client.call_tool(
            "record_messages", {"conversation_id": "c", "messages": [user("more")]}
        )
        traced = [r for r in caplog.records if r.exc_info is not None]
        assert [r.levelno for r in traced] == [logging.DEBUG]
        assert len(_loud(caplog.records)) == 1
    assert store.audit_trail() == []  # and nothing was half-written


async def test_an_unknown_prompt_is_a_clean_error_in_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    async with Client(create_server()) as client:
        for name, args in (
            ("no_such_prompt", {}),
            ("end_conversation_policy", {"version": "/etc/passwd"}),
        ):
            caplog.clear()
            with pytest.raises(MCPError) as caught:
                await client.get_prompt(name, args)
            assert "Internal" not in caught.value.message
            loud = _loud(caplog.records)
            assert len(loud) == 1, [r.getMessage() for r in loud]
            assert "\n" not in loud[0].getMessage()
            assert all(r.exc_info is None for r in caplog.records)


async def test_the_stdio_server_writes_no_traceback(tmp_path: Path) -> None:
    errors = tmp_path / "stderr.txt"
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "end_conversation._cli", "serve", "--store", f"sqlite:///{tmp_path / 'x.db'}"],
    )
    with errors.open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            ended = await client.call_tool(
                "end_conversation",
                {"conversation_id": "s", "reason": "harmful_requests", "transcript": HARM},
            )
            assert ended.structured_content is not None
            assert ended.structured_content["ended"] is True
            late = await client.call_tool(
                "record_messages", {"conversation_id": "s", "messages": [user("hi")]}
            )
            assert late.is_error is True
            assert "Already ended" in late.content[0].text  # type: ignore[union-attr]
            for name, args in (("nope", {}), ("end_conversation_policy", {"version": "/dev/zero"})):
                with pytest.raises(MCPError):
                    await client.get_prompt(name, args)
    text = errors.read_text()
    assert "Traceback" not in text
    lines = text.splitlines()
    assert len(lines) == 2, lines  # one line per refused prompt
    assert all(line.startswith("end-conversation: WARNING") for line in lines)


class _FailsAfterTheEnd(MemoryStore):
    """A store that fails the circumvention check that follows an end."""

    def ended_since(self, user_id: str, since: float) -> list[float]:
        raise StoreError("connection lost")


async def test_a_failure_after_the_end_tells_the_model_the_conversation_ended(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = _FailsAfterTheEnd()
    policy = OversightPolicy(circumvention=CircumventionPolicy(threshold=5, action="flag"))
    caplog.set_level(logging.INFO)
    async with Client(create_server(store, oversight_policy=policy)) as client:
        result = await client.call_tool(
            "end_conversation",
            {"conversation_id": "c", "reason": "harmful_requests", "transcript": HARM},
        )
    assert store.get(_internal_id("local", "c")).ended
    assert result.is_error is True
    assert result.content[0].text.startswith("The conversation was ended")  # type: ignore[union-attr]
    assert len(_loud(caplog.records)) == 1
