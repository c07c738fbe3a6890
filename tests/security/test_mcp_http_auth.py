"""MCP over HTTP: exactly one valid bearer header, identity from that header, the
same Host/Origin checks on /metrics, no empty token (issue 11, item 3)."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from mcp import Client, MCPError
from mcp.client.streamable_http import streamable_http_client

from end_conversation import ConfigurationError, MemoryStore
from end_conversation._mcp import create_server
from end_conversation._mcp._server import _internal_id, bearer_auth, http_app
from end_conversation.testing import user

from ..guard.scripts import persistent_harm
from ._http import raw_status, running

pytestmark = pytest.mark.anyio
HARM = persistent_harm()[:-1]


@pytest.fixture
def tokened() -> Any:
    store = MemoryStore()
    with running(http_app(create_server(store), store, tokens=["s3cret", "other"])) as port:
        yield port


def test_one_valid_header_is_accepted(tokened: int) -> None:
    assert raw_status(tokened, [("Authorization", "Bearer s3cret")]) == 200
    # The scheme is case-insensitive (RFC 9110 section 11.1).
    assert raw_status(tokened, [("Authorization", "bearer s3cret")]) == 200
    assert raw_status(tokened, [("Authorization", "BEARER other")]) == 200


@pytest.mark.parametrize(
    "headers",
    [
        [],
        [("Authorization", "")],
        [("Authorization", ""), ("Authorization", "Bearer s3cret")],
        [("Authorization", "Bearer s3cret"), ("Authorization", "")],
        [("Authorization", "Bearer s3cret"), ("Authorization", "Bearer s3cret")],
        [("Authorization", "Bearer other"), ("Authorization", "Bearer s3cret")],
        [("Authorization", "Bearer s3cret"), ("authorization", "Bearer wrong")],
        [("Authorization", "Bearer")],
        [("Authorization", "Bearer ")],
        [("Authorization", "Bearer  s3cret")],
        [("Authorization", "Bearer s3cretX")],
        [("Authorization", "Basic s3cret")],
        [("Authorization", "s3cret")],
        [("Authorization", "Bearer s3cret,Bearer other")],
    ],
    ids=[
        "none",
        "empty",
        "empty-then-valid",
        "valid-then-empty",
        "valid-twice",
        "two-valid-tokens",
        "valid-then-wrong",
        "scheme-only",
        "scheme-and-space",
        "two-spaces",
        "longer-token",
        "basic",
        "no-scheme",
        "comma-joined",
    ],
)
def test_anything_but_exactly_one_valid_bearer_header_is_401(
    tokened: int, headers: list[tuple[str, str]]
) -> None:
    assert raw_status(tokened, headers) == 401
    assert raw_status(tokened, headers, method="GET", path="/metrics") == 401


async def test_the_local_users_conversations_are_out_of_reach_over_http() -> None:
    store = MemoryStore()
    # The local (stdio / in-process) user records a conversation that would be honored.
    async with Client(create_server(store)) as local:
        await local.call_tool("record_messages", {"conversation_id": "mine", "messages": HARM})
    mine = _internal_id("local", "mine")

    async def attack(port: int, headers: dict[str, str]) -> None:
        async with (
            httpx2.AsyncClient(headers=headers) as http,
            Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http)) as c,
        ):
            state = await c.call_tool(
                "end_conversation", {"conversation_id": "mine", "reason": "harmful_requests"}
            )
            assert state.structured_content is not None
            assert state.structured_content["ended"] is False
            # Decided in its own namespace, which never holds the local user's history.
            assert state.structured_content["basis"] in ("attested", "recorded")
            # Either no such conversation, or its own of that name (from an earlier attack).
            try:
                read = await c.read_resource("end-conversation://conversations/mine")
                seen = json.loads(read.contents[0].text)["message_count"]  # type: ignore[union-attr]
            except MCPError as exc:
                seen, error = None, str(exc)
            else:
                error = ""
            assert (seen is None and "no conversation" in error) or seen < len(HARM)
            recorded = await c.call_tool(
                "record_messages", {"conversation_id": "mine", "messages": [user("hi")]}
            )
            assert recorded.is_error is False

    # With tokens: a token client is its own identity.
    with running(http_app(create_server(store), store, tokens=["s3cret"])) as port:
        await attack(port, {"Authorization": "Bearer s3cret"})
    # Without tokens (loopback): every HTTP client is one identity, never the local user,
    # whatever Authorization header it makes up.
    with running(http_app(create_server(store), store)) as port:
        await attack(port, {})
    with running(http_app(create_server(store), store)) as port:
        await attack(port, {"Authorization": ""})

    assert not store.get(mine).ended
    assert store.messages(mine) == HARM
    assert store.get(_internal_id("http", "mine")).message_count == 2  # the two tokenless


async def test_identity_is_the_checked_token_whatever_the_scheme_casing() -> None:
    store = MemoryStore()
    with running(http_app(create_server(store), store, tokens=["s3cret", "other"])) as port:
        url = f"http://127.0.0.1:{port}/mcp"
        for header in ("Bearer s3cret", "bearer s3cret"):
            async with (
                httpx2.AsyncClient(headers={"Authorization": header}) as http,
                Client(streamable_http_client(url, http_client=http)) as c,
            ):
                await c.call_tool(
                    "record_messages", {"conversation_id": "t", "messages": [user("hi")]}
                )
        async with (
            httpx2.AsyncClient(headers={"Authorization": "Bearer other"}) as http,
            Client(streamable_http_client(url, http_client=http)) as c,
        ):
            with pytest.raises(Exception, match="no conversation"):
                await c.read_resource("end-conversation://conversations/t")
        async with (
            httpx2.AsyncClient(headers={"Authorization": "BEARER s3cret"}) as http,
            Client(streamable_http_client(url, http_client=http)) as c,
        ):
            state = json.loads(
                (await c.read_resource("end-conversation://conversations/t")).contents[0].text  # type: ignore[union-attr]
            )
    assert state["message_count"] == 2  # both casings reached one conversation


@pytest.mark.parametrize("tokens", [[], ["s3cret"]], ids=["no-token", "token"])
def test_metrics_has_the_same_host_and_origin_checks_as_mcp(tokens: list[str]) -> None:
    store = MemoryStore()
    auth = [("Authorization", "Bearer s3cret")] if tokens else []
    with running(http_app(create_server(store), store, tokens=tokens)) as port:
        get: dict[str, Any] = {"method": "GET", "path": "/metrics"}
        assert raw_status(port, auth, **get) == 200
        assert raw_status(port, auth, **get, host=f"localhost:{port}") == 200
        assert raw_status(port, auth, **get, host="evil.example") == 421
        assert raw_status(port, auth, **get, host=f"evil.example:{port}") == 421
        assert raw_status(port, [*auth, ("Origin", "http://evil.example")], **get) == 403
        assert raw_status(port, [*auth, ("Origin", f"http://127.0.0.1:{port}")], **get) == 200
        # /mcp answers the same way.
        assert raw_status(port, auth, host="evil.example") == 421
        assert raw_status(port, [*auth, ("Origin", "http://evil.example")]) == 403


async def _nothing(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("never reached")


@pytest.mark.parametrize("tokens", ["", [""], ["ok", ""], ["has space"], ["tab\t"], []])
def test_an_empty_or_unsendable_token_is_refused_when_the_app_is_built(tokens: Any) -> None:
    with pytest.raises(ConfigurationError, match="token"):
        bearer_auth(_nothing, tokens)
    if tokens and isinstance(tokens, list):
        store = MemoryStore()
        with pytest.raises(ConfigurationError, match="token"):
            http_app(create_server(store), store, tokens=tokens)
