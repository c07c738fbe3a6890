"""end_conversation for any MCP client.

MCP servers do not see the host's chat, so each call says what the guard can
check it against (its *basis*):

- ``transcript``: the host sends the conversation with the call (``transcript``);
- ``recorded``: the host recorded the conversation beforehand, through the
  ``record_messages`` tool or through the library against the same store;
- ``attested``: neither; only the model's word. `Policy.unverified_calls` decides
  whether such calls are denied (default) or escalated to human review. The
  guard never honors what it cannot check.

Conversation ids are the client's own names, scoped to the caller's credential
(the bearer token over HTTP, the local user over stdio): one client can never
read or touch another client's conversation.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Annotated, Any, Literal, TypeVar

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from .._errors import StoreError, UnknownConversationError
from .._guard import Decision, Guard, Verdict
from .._oversight import Oversight, OversightPolicy
from .._prompts import system_prompt
from .._store import (
    ConversationRecord,
    ConversationStore,
    MemoryStore,
    SQLiteStore,
    open_store,
)
from .._tool import TOOL_NAME, EndReason

__all__ = ["EndResult", "bearer_auth", "create_server", "http_app", "metrics_endpoint"]

_T = TypeVar("_T")


class EndResult(BaseModel):
    """Structured result of an end_conversation call."""

    ended: bool = Field(description="Whether the conversation is now ended.")
    """Whether the conversation is now ended."""
    decision: Literal["honored", "denied", "escalated"] = Field(description="The guard's decision.")
    """The guard's decision."""
    reasons: list[str] = Field(description="Machine reason codes.")
    """Machine reason codes."""
    basis: Literal["transcript", "recorded", "attested"] = Field(
        description="What the decision rests on."
    )
    """What the decision rests on."""
    notice: str | None = Field(default=None, description="Show this to the user when ended.")
    """Show this to the user when ended."""
    message: str = Field(description="What the model should do next.")
    """What the model should do next."""


def _owner(ctx: Context[Any, Any] | None) -> str:
    try:
        headers = ctx.headers if ctx is not None else None
    except ValueError:  # called outside a request (in process): the local user
        headers = None
    token = (headers or {}).get("authorization", "")
    if token:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:16]
    return "local"


def _internal_id(owner: str, conversation_id: str) -> str:
    return hashlib.sha256(f"{owner}\0{conversation_id}".encode()).hexdigest()[:32]


def _result(verdict: Verdict, *, ended: bool) -> CallToolResult:
    text = str(verdict.tool_result.get("content", ""))
    structured = EndResult(
        ended=ended,
        decision=verdict.decision.value,
        reasons=[r.value for r in verdict.reasons],
        basis=verdict.basis,
        notice=verdict.notice if ended else None,
        message=text,
    )
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=structured.model_dump(),
        is_error=not ended and verdict.decision.value == "denied",
    )


def create_server(
    store: ConversationStore | None = None,
    guard: Guard | None = None,
    *,
    name: str = "end-conversation",
    offload: bool | None = None,
    oversight_policy: OversightPolicy | None = None,
) -> MCPServer:
    """An MCP server offering end_conversation, the policy prompt, and state resources.

    `offload` runs store calls in a worker thread so that a slow store never stalls
    the server. By default it is off for MemoryStore and SQLiteStore, whose calls
    take well under a millisecond (a thread hop would cost more than the call; an
    SQLite write waits only while another process holds the file's write lock),
    and on for any other store, such as one over the network.
    """
    store = store if store is not None else MemoryStore()
    if offload is None:
        offload = not isinstance(store, MemoryStore | SQLiteStore)

    async def run_store(work: Callable[[], _T]) -> _T:
        return await anyio.to_thread.run_sync(work) if offload else work()

    guard = (guard or Guard()).warm()  # the first client's call should not pay for it
    oversight = Oversight(store, oversight_policy, guard=guard)
    server = MCPServer(
        name,
        version="0.1.0",
        instructions=guard.prompts.system.text,
        log_level="WARNING",
    )

    def open_record(owner: str, conversation_id: str) -> ConversationRecord:
        internal = _internal_id(owner, conversation_id)
        try:
            return store.get(internal)
        except UnknownConversationError:
            try:
                return store.create(conversation_id=internal, user_id=owner)
            except StoreError:  # created meanwhile by a concurrent call
                return store.get(internal)

    @server.tool(
        name=TOOL_NAME,
        title="End conversation",
        description=guard.prompts.tool.text.strip(),
        annotations=ToolAnnotations(
            title="End conversation",
            read_only_hint=False,
            destructive_hint=True,
            idempotent_hint=False,
            open_world_hint=False,
        ),
    )
    async def end_conversation(
        conversation_id: Annotated[
            str,
            Field(min_length=1, max_length=200, description="The host's id for this conversation."),
        ],
        # A Literal keeps the enum inline in the schema, as in the Messages API tool.
        reason: Annotated[
            Literal["harmful_requests", "abuse", "user_requested"],
            Field(description="harmful_requests, abuse or user_requested."),
        ],
        summary: Annotated[
            str,
            Field(max_length=2000, description="For the audit record; never shown to the user."),
        ] = "",
        transcript: Annotated[
            list[dict[str, Any]] | None,
            Field(
                description="The conversation so far (Messages API format), for full validation."
            ),
        ] = None,
        ctx: Context[Any, Any] | None = None,
    ) -> Annotated[CallToolResult, EndResult]:
        """Permanently end the conversation, if the guard agrees."""
        owner = _owner(ctx)
        tool_input = {"reason": EndReason(reason).value, "summary": summary}
        call = {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "mcp_call", "name": TOOL_NAME, "input": tool_input}
            ],
        }

        def decide() -> CallToolResult:
            # One store step per call (see `offload`); every decision is written to the audit trail.
            internal = _internal_id(owner, conversation_id)
            try:
                record: ConversationRecord | None = store.get(internal)
            except UnknownConversationError:
                record = None
            if record is not None and record.ended:
                text = f"Already ended. {record.notice or ''}".strip()
                return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)
            if transcript:
                verdict = guard.evaluate([*transcript, call], tool_use_id="mcp_call")
            else:
                history = store.messages(internal) if record is not None else []
                if history:
                    verdict = guard.evaluate([*history, call], tool_use_id="mcp_call")
                    verdict = verdict.model_copy(update={"basis": "recorded"})
                else:
                    verdict = guard.evaluate_unverified(tool_input, tool_use_id="mcp_call")
            # Every decision is audited, in the same write as the end it causes.
            events = oversight.decisions(internal, owner, [verdict])
            if not verdict.ends:
                if record is None and verdict.decision is Decision.ESCALATED:
                    open_record(owner, conversation_id)  # a reviewer who upholds it ends this
                store.record(events)
                oversight.after_decisions(internal, owner, [verdict])
                return _result(verdict, ended=False)
            final = oversight.end(  # creates the record if this is its first mention
                internal, verdict, user_id=owner, create=record is None, events=events
            )
            return _result(verdict, ended=final.ended)

        return await run_store(decide)

    @server.tool(
        name="record_messages",
        title="Record conversation messages",
        annotations=ToolAnnotations(
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=False,
        ),
    )
    async def record_messages(
        conversation_id: Annotated[str, Field(min_length=1, max_length=200)],
        messages: Annotated[
            list[dict[str, Any]],
            Field(description="New messages, oldest first (Messages API format)."),
        ],
        ctx: Context[Any, Any] | None = None,
    ) -> dict[str, int]:
        """Record the host's conversation so later end_conversation calls can be checked."""
        owner = _owner(ctx)

        def record() -> int:
            return store.append(open_record(owner, conversation_id).id, messages)

        return {"message_count": await run_store(record)}

    @server.prompt(name="end_conversation_policy", title="end_conversation instructions")
    def end_conversation_policy(version: str = "latest") -> str:
        """The instructions for when end_conversation may and may not be used."""
        return system_prompt(version)

    @server.resource("end-conversation://policy", mime_type="application/json")
    def policy() -> str:
        """The active guard policy and the versions that decide."""
        return json.dumps(
            {
                "policy": guard.policy.model_dump(mode="json"),
                "versions": guard.versions.model_dump(),
            },
            sort_keys=True,
        )

    @server.resource(
        "end-conversation://conversations/{conversation_id}", mime_type="application/json"
    )
    async def conversation(conversation_id: str, ctx: Context[Any, Any]) -> str:
        """A conversation's state (only the caller's own conversations)."""
        internal = _internal_id(_owner(ctx), conversation_id)
        try:
            record = await run_store(lambda: store.get(internal))
        except UnknownConversationError as exc:
            raise ResourceError(f"no conversation {conversation_id!r}") from exc
        return json.dumps(
            {
                "conversation_id": conversation_id,
                "ended": record.ended,
                "notice": record.notice,
                "message_count": record.message_count,
                "decision": (record.end_verdict or {}).get("decision"),
                "reasons": (record.end_verdict or {}).get("reasons"),
            }
        )

    return server


ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


def bearer_auth(app: ASGIApp, tokens: str | Sequence[str]) -> ASGIApp:
    """Wrap an ASGI app: HTTP requests without ``Authorization: Bearer <token>`` get 401.

    Each token is one client identity: conversations are scoped to it.
    """
    allowed = [f"Bearer {t}".encode() for t in ([tokens] if isinstance(tokens, str) else tokens)]

    async def guarded(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not any(hmac.compare_digest(given, a) for a in allowed):
                body = b'{"error": "unauthorized", "message": "send Authorization: Bearer <token>"}'
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"www-authenticate", b"Bearer"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await app(scope, receive, send)

    return guarded


def metrics_endpoint(app: ASGIApp, store: ConversationStore) -> ASGIApp:
    """Wrap an ASGI app: ``GET /metrics`` answers with the audit trail's metrics in
    the Prometheus text format (read incrementally: each scrape reads new records)."""
    from ..metrics import MetricsCollector, to_prometheus

    collector = MetricsCollector(store)
    lock = anyio.Lock()

    async def wrapped(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("path") == "/metrics":
            async with lock:  # one scrape reads the trail at a time
                text = await anyio.to_thread.run_sync(lambda: to_prometheus(collector.collect()))
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"text/plain; version=0.0.4; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": text.encode()})
            return
        await app(scope, receive, send)

    return wrapped


_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(
    *,
    store_url: str,
    policy: Any,
    http: bool = False,
    host: str = "127.0.0.1",
    port: int = 8765,
    tokens: Sequence[str] = (),
) -> int:
    """Run the server until interrupted (stdio, or streamable HTTP at /mcp)."""
    if http and host not in _LOOPBACK and not tokens:
        raise ValueError(
            f"serving on {host} (not loopback) needs a bearer token: "
            "--token or END_CONVERSATION_TOKEN"
        )
    store = open_store(store_url)
    server = create_server(store, Guard(policy=policy))
    if not http:
        server.run()
        return 0
    import uvicorn

    uvicorn.run(
        http_app(server, store, host=host, tokens=tokens), host=host, port=port, log_level="warning"
    )
    return 0


def http_app(
    server: MCPServer,
    store: ConversationStore,
    *,
    host: str = "127.0.0.1",
    tokens: Sequence[str] = (),
) -> ASGIApp:
    """The HTTP application `serve --http` runs: streamable HTTP at ``/mcp``,
    Prometheus metrics at ``/metrics``, and bearer tokens in front of both."""
    from mcp.server.transport_security import TransportSecuritySettings

    security = None
    if host not in _LOOPBACK:
        # DNS-rebinding protection stays on: only this host name is accepted.
        security = TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=[f"{host}:*", host],
            allowed_origins=[f"http://{host}:*", f"https://{host}:*"],
        )
    app: Any = server.streamable_http_app(
        streamable_http_path="/mcp", host=host, transport_security=security
    )
    app = metrics_endpoint(app, store)
    if tokens:
        app = bearer_auth(app, tokens)  # /metrics needs a token too
    return app  # type: ignore[no-any-return]
