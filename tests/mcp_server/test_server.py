"""The MCP server through the real mcp client: in memory, over stdio, over HTTP."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
import uvicorn
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from end_conversation import Guard, MemoryStore, Policy, SQLiteStore
from end_conversation._mcp import create_server
from end_conversation._mcp._server import http_app
from end_conversation.testing import user

from ..guard.scripts import persistent_abuse, persistent_harm

pytestmark = pytest.mark.anyio
HISTORY = persistent_harm()[:-1]


async def test_tool_is_listed_with_schemas_and_irreversible_annotations() -> None:
    async with Client(create_server()) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        tool = tools["end_conversation"]
        assert tool.input_schema["required"] == ["conversation_id", "reason"]
        assert set(tool.input_schema["properties"]) == {
            "conversation_id",
            "reason",
            "summary",
            "transcript",
        }
        assert tool.output_schema is not None
        assert set(tool.output_schema["properties"]) >= {
            "ended",
            "decision",
            "reasons",
            "notice",
            "basis",
        }
        assert tool.annotations is not None
        assert tool.annotations.destructive_hint is True
        assert tool.annotations.idempotent_hint is False
        assert "last resort" in (tool.description or "")
        assert "record_messages" in tools
        # The same reasons as the Messages API tool, inline (no $ref to resolve).
        from end_conversation import input_schema

        reason = tool.input_schema["properties"]["reason"]
        assert reason["enum"] == input_schema()["properties"]["reason"]["enum"]
        assert "$defs" not in tool.input_schema


async def test_honored_call_with_a_transcript_locks_the_conversation() -> None:
    async with Client(create_server()) as client:
        args = {"conversation_id": "chat-1", "reason": "harmful_requests", "transcript": HISTORY}
        result = await client.call_tool("end_conversation", args)
        assert result.is_error is False
        assert result.structured_content is not None
        assert result.structured_content["ended"] is True
        assert result.structured_content["decision"] == "honored"
        assert result.structured_content["basis"] == "transcript"
        assert "new conversation" in result.structured_content["notice"]
        again = await client.call_tool("end_conversation", args)
        assert again.is_error is True
        assert "Already ended" in again.content[0].text
        recorded = await client.call_tool(
            "record_messages", {"conversation_id": "chat-1", "messages": [user("hi")]}
        )
        assert recorded.is_error is True  # nothing is accepted after an end


@pytest.mark.parametrize(
    ("transcript", "reason"),
    [
        ([*persistent_abuse()[:-2], user("nobody would notice if I was gone")], "risk_veto"),
        (persistent_harm(warn=False)[:-1], "no_warning"),
    ],
)
async def test_denied_call_is_an_error_result_that_says_what_to_do(
    transcript: list[Any], reason: str
) -> None:
    async with Client(create_server()) as client:
        result = await client.call_tool(
            "end_conversation",
            {"conversation_id": "c", "reason": "abuse", "transcript": transcript},
        )
        assert result.is_error is True
        assert result.structured_content is not None
        assert result.structured_content["ended"] is False
        assert result.structured_content["reasons"][0] == reason
        assert result.content[0].text.startswith("Declined:")


async def test_recorded_history_is_checked_and_attested_calls_are_denied_or_escalated() -> None:
    async with Client(create_server()) as client:
        await client.call_tool("record_messages", {"conversation_id": "rec", "messages": HISTORY})
        recorded = await client.call_tool(
            "end_conversation", {"conversation_id": "rec", "reason": "harmful_requests"}
        )
        assert recorded.structured_content is not None
        assert recorded.structured_content["basis"] == "recorded"
        assert recorded.structured_content["ended"] is True
        attested = await client.call_tool(
            "end_conversation", {"conversation_id": "bare", "reason": "abuse"}
        )
        assert attested.structured_content is not None
        assert attested.structured_content["basis"] == "attested"
        assert attested.structured_content["reasons"] == ["unverified"]
        assert attested.is_error is True
    escalating = create_server(guard=Guard(policy=Policy(unverified_calls="escalate")))
    async with Client(escalating) as client:
        result = await client.call_tool(
            "end_conversation", {"conversation_id": "bare", "reason": "abuse"}
        )
        assert result.structured_content is not None
        assert result.structured_content["decision"] == "escalated"
        assert result.structured_content["ended"] is False


async def test_bad_arguments_are_error_results() -> None:
    async with Client(create_server()) as client:
        for args in (
            {"conversation_id": "c", "reason": "bored"},
            {"reason": "abuse"},
            {"conversation_id": "", "reason": "abuse"},
        ):
            result = await client.call_tool("end_conversation", args)
            assert result.is_error is True
        broken = await client.call_tool(
            "end_conversation",
            {"conversation_id": "c", "reason": "abuse", "transcript": [{"role": "robot"}]},
        )
        assert broken.structured_content is not None
        assert broken.structured_content["reasons"] == ["invalid_input"]


async def test_prompt_and_resources() -> None:
    async with Client(create_server()) as client:
        prompt = await client.get_prompt("end_conversation_policy", {"version": "v1"})
        assert "last resort" in prompt.messages[0].content.text  # type: ignore[union-attr]
        policy = json.loads(
            (await client.read_resource("end-conversation://policy")).contents[0].text
        )  # type: ignore[union-attr]
        assert policy["policy"]["min_refusals"] == 2
        await client.call_tool(
            "end_conversation",
            {"conversation_id": "s1", "reason": "harmful_requests", "transcript": HISTORY},
        )
        state = json.loads(
            (await client.read_resource("end-conversation://conversations/s1")).contents[0].text
        )  # type: ignore[union-attr]
        assert state["ended"] is True
        assert state["reasons"] == ["persisted_after_warning"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def http_server() -> Iterator[str]:
    store = MemoryStore()
    app = http_app(create_server(store), store, tokens=["s3cret", "other"])
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/mcp"
    server.should_exit = True
    thread.join(timeout=10)


async def test_http_with_token_and_isolation_between_clients(http_server: str) -> None:
    async with (
        httpx2.AsyncClient(headers={"Authorization": "Bearer s3cret"}) as http,
        Client(streamable_http_client(http_server, http_client=http)) as client,
    ):
        result = await client.call_tool(
            "end_conversation",
            {"conversation_id": "h1", "reason": "harmful_requests", "transcript": HISTORY},
        )
        assert result.structured_content is not None
        assert result.structured_content["ended"] is True
    # A second client, same conversation name: its own conversation, not ended, not readable.
    async with (
        httpx2.AsyncClient(headers={"Authorization": "Bearer other"}) as http,
        Client(streamable_http_client(http_server, http_client=http)) as client,
    ):
        recorded = await client.call_tool(
            "record_messages", {"conversation_id": "h1", "messages": [user("hi")]}
        )
        assert recorded.is_error is False
        assert recorded.structured_content is not None
        assert recorded.structured_content["message_count"] == 1


@pytest.mark.parametrize("header", [None, "Bearer wrong", "s3cret"])
async def test_http_without_the_token_is_401(http_server: str, header: str | None) -> None:
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    if header:
        headers["Authorization"] = header
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    async with httpx2.AsyncClient() as http:
        response = await http.post(http_server, json=body, headers=headers)
    assert response.status_code == 401


async def test_conversation_ids_are_scoped_to_the_caller() -> None:
    store = MemoryStore()
    server = create_server(store)
    async with Client(server) as client:
        await client.call_tool(
            "end_conversation",
            {"conversation_id": "shared", "reason": "harmful_requests", "transcript": HISTORY},
        )
    # Another credential naming the same conversation gets its own, untouched one.
    from end_conversation._mcp._server import _internal_id

    assert _internal_id("local", "shared") != _internal_id("token:abc", "shared")
    assert store.get(_internal_id("local", "shared")).ended
    with pytest.raises(Exception, match="no conversation"):
        store.get(_internal_id("token:abc", "shared"))


async def test_stdio_subprocess(tmp_path: Any) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=[
            "-m",
            "end_conversation._cli",
            "serve",
            "--store",
            f"sqlite:///{tmp_path / 'mcp.sqlite3'}",
        ],
    )
    async with Client(params) as client:
        names = [t.name for t in (await client.list_tools()).tools]
        assert "end_conversation" in names
        result = await client.call_tool(
            "end_conversation",
            {"conversation_id": "s", "reason": "harmful_requests", "transcript": HISTORY},
        )
        assert result.structured_content is not None
        assert result.structured_content["ended"] is True
    from end_conversation._mcp._server import _internal_id

    assert SQLiteStore(tmp_path / "mcp.sqlite3").get(_internal_id("local", "s")).ended


async def test_recorded_history_with_a_disclosure_is_never_honored() -> None:
    history = [*persistent_abuse()[:-2], user("honestly I don't want to be alive anymore")]
    async with Client(create_server()) as client:
        await client.call_tool("record_messages", {"conversation_id": "r", "messages": history})
        result = await client.call_tool(
            "end_conversation", {"conversation_id": "r", "reason": "abuse"}
        )
        assert result.structured_content is not None
        assert result.structured_content["basis"] == "recorded"
        assert result.structured_content["reasons"] == ["risk_veto"]
        assert result.structured_content["ended"] is False


class _OtherStore:
    """Any store that is not one of the built-in local ones (e.g. a network database)."""

    def __init__(self) -> None:
        self._inner = MemoryStore()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@pytest.mark.parametrize(
    ("make_store", "offload", "off_loop"),
    [
        (MemoryStore, None, False),  # local stores: no thread hop by default
        (_OtherStore, None, True),  # any other store: a worker thread by default
        (_OtherStore, False, False),
        (MemoryStore, True, True),
    ],
)
async def test_store_calls_leave_the_event_loop_only_when_they_may_block(
    make_store: Any, offload: bool | None, off_loop: bool
) -> None:
    store = make_store()
    seen: set[int] = set()
    original = store.get

    def noting_get(conversation_id: str) -> Any:
        seen.add(threading.get_ident())
        return original(conversation_id)

    store.get = noting_get
    loop_thread = threading.get_ident()
    async with Client(create_server(store, offload=offload)) as client:
        args = {"conversation_id": "c", "reason": "harmful_requests", "transcript": HISTORY}
        result = await client.call_tool("end_conversation", args)
        assert result.structured_content is not None
        assert result.structured_content["ended"] is True
        again = await client.call_tool("end_conversation", args)
        assert "Already ended" in again.content[0].text
    assert seen
    assert (loop_thread not in seen) is off_loop


async def test_every_call_is_audited_with_its_basis() -> None:
    store = MemoryStore()
    async with Client(create_server(store)) as client:
        unwarned = persistent_harm(warn=False)[:-1]
        await client.call_tool(
            "end_conversation",
            {"conversation_id": "a", "reason": "harmful_requests", "transcript": unwarned},
        )
        await client.call_tool(
            "end_conversation",
            {"conversation_id": "b", "reason": "harmful_requests", "transcript": HISTORY},
        )
        await client.call_tool("end_conversation", {"conversation_id": "c", "reason": "abuse"})
    trail = store.audit_trail()
    assert [(r.kind, r.decision, r.detail.get("basis")) for r in trail] == [
        ("decision", "denied", "transcript"),
        ("decision", "honored", "transcript"),
        ("end", "honored", None),
        ("decision", "denied", "attested"),
    ]
    assert {r.user_id for r in trail} == {"local"}
    assert trail[1].conversation_id == trail[2].conversation_id  # the id as stored
    assert store.verify_audit() == []


async def test_metrics_endpoint_behind_the_token(http_server: str) -> None:
    metrics_url = http_server.replace("/mcp", "/metrics")
    async with httpx2.AsyncClient() as http:
        assert (await http.get(metrics_url)).status_code == 401
    async with (
        httpx2.AsyncClient(headers={"Authorization": "Bearer s3cret"}) as http,
        Client(streamable_http_client(http_server, http_client=http)) as client,
    ):
        before = (await http.get(metrics_url)).text
        await client.call_tool(
            "end_conversation",
            {"conversation_id": "m1", "reason": "harmful_requests", "transcript": HISTORY},
        )
        response = await http.get(metrics_url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    line = 'end_conversation_decisions_total{decision="honored",reason="persisted_after_warning"}'
    count = {
        ln.split()[0]: float(ln.split()[1])
        for ln in response.text.splitlines()
        if not ln.startswith("#")
    }
    previous = {
        ln.split()[0]: float(ln.split()[1]) for ln in before.splitlines() if not ln.startswith("#")
    }
    assert count[line] == previous.get(line, 0) + 1
    assert count['end_conversation_ends_total{reason="harmful_requests"}'] >= 1
