"""end_conversation for any MCP client.

MCP servers do not see the host's chat, so each call says what the guard can
check it against (its *basis*):

- ``transcript``: the host sends the conversation with the call (``transcript``);
- ``recorded``: the host recorded the conversation beforehand, through the
  ``record_messages`` tool or through the library against the same store;
- ``attested``: neither; only the model's word. `Policy.unverified_calls` decides
  whether such calls are denied (default) or escalated to human review. The
  guard never honors what it cannot check.

Recorded history comes first. A ``transcript`` is the model's own account of the
chat, so it may only *extend* what was recorded: the recorded messages must be
its first messages (compared canonically: key order, and a string content versus
one text block, do not matter). Then the call is decided on the transcript, which
holds the record. A transcript that leaves out, reorders or rewrites a recorded
message is denied (``invalid_input``; ``risk_veto`` when the record shows risk or
distress): it is never used in place of the record, and recorded risk always
vetoes.

Conversation ids are the client's own names, scoped to the caller's credential
(the bearer token that `bearer_auth` checked over HTTP, the local user over
stdio or in process; without tokens every HTTP client is the one identity
``http``, never the local user): one client can never read or touch another
client's conversation.

Failures are logged once, in one line (tool, exception type, message) on the
``end_conversation.mcp`` logger; the traceback only at debug level.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from typing import Annotated, Any, Literal, TypeVar

import anyio.to_thread
from mcp import MCPError
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from mcp.types import (
    INVALID_PARAMS,
    CallToolResult,
    TextContent,
    ToolAnnotations,
)
from pydantic import BaseModel, Field

from .._errors import (
    ConfigurationError,
    ConversationEndedError,
    HistoryChangedError,
    StoreError,
    UnknownConversationError,
)
from .._guard import Decision, Guard, Verdict
from .._oversight import CoolingOffError, Oversight, OversightPolicy
from .._prompts import prompt_versions, system_prompt
from .._store import (
    ConversationRecord,
    ConversationStore,
    MemoryStore,
    SQLiteStore,
)
from .._store._open import open_existing_store
from .._tool import TOOL_NAME, EndReason

__all__ = [
    "EndResult",
    "RecordResult",
    "bearer_auth",
    "create_server",
    "http_app",
    "metrics_endpoint",
]

_T = TypeVar("_T")
logger = logging.getLogger("end_conversation.mcp")

_IDENTITY = "end_conversation.identity"
"""Key in the ASGI scope's ``state`` under which `bearer_auth` puts the identity it checked."""
_ATTEMPTS = 3
"""How many times a call is decided again when the history changed before its end."""
_CALL_ID = "mcp_call"


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


class RecordResult(BaseModel):
    """Structured result of a record_messages call."""

    message_count: int = Field(description="Messages now recorded for this conversation.")
    """Messages now recorded for this conversation."""


def _token_identity(token: str) -> str:
    # The hash of the canonical header keeps identities stable across scheme casing.
    return "token:" + hashlib.sha256(f"Bearer {token}".encode()).hexdigest()[:16]


def _owner(ctx: Context[Any, Any] | None) -> str:
    """Whose conversations a request may touch: only what `bearer_auth` checked.

    A request header is the client's claim, never an identity by itself.
    """
    try:
        request = ctx.request_context.request if ctx is not None else None
    except ValueError:  # called outside a request (in process): the local user
        request = None
    if request is None:  # stdio, or in process
        return "local"
    scope: Mapping[str, Any] = getattr(request, "scope", None) or {}
    identity = (scope.get("state") or {}).get(_IDENTITY)
    # Over HTTP without checked tokens (loopback only) every client is one identity,
    # and never the local (stdio) user.
    return identity if isinstance(identity, str) else "http"


def _canonical(message: Any) -> str:
    """One message as comparable text: key order and ``"text"`` versus one text
    block do not matter; anything else does."""
    if isinstance(message, Mapping):
        data = dict(message)
        if isinstance(data.get("content"), str):
            data["content"] = [{"type": "text", "text": data["content"]}]
        message = data
    try:
        return json.dumps(message, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):  # not JSON: never equal to a stored message
        return f"<unserializable {id(message)}>"


def _divergence(recorded: Sequence[Any], transcript: Sequence[Any]) -> int | None:
    """The first recorded message the transcript does not repeat, or None when the
    transcript extends the record."""
    for i, stored in enumerate(recorded):
        if i >= len(transcript) or _canonical(stored) != _canonical(transcript[i]):
            return i
    return None


def _brief(exc: BaseException) -> str:
    """An exception in one short line, for logs and error results."""
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."


def _error(text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)


def _failed(tool: str, exc: Exception) -> CallToolResult:
    """A tool failure: logged once in one line (traceback at debug level only); the
    model is told that nothing ended."""
    logger.warning("tool %s failed: %s: %s", tool, type(exc).__name__, _brief(exc))
    logger.debug("tool %s traceback", tool, exc_info=exc)
    return _error(
        f"{tool} failed ({type(exc).__name__}); nothing was ended."
        " Continue the conversation normally."
    )


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


class _Server(MCPServer[Any]):
    """MCPServer whose prompt errors are clean protocol errors, logged in one line."""

    async def get_prompt(
        self,
        name: str,
        arguments: dict[str, Any] | None = None,
        context: Context[Any, Any] | None = None,
    ) -> Any:
        """Get a prompt; an unknown name or bad argument is an INVALID_PARAMS error."""
        try:
            result = await super().get_prompt(name, arguments, context)
        except MCPError as exc:
            logger.warning("prompt %.80r refused: %s", name, _brief(exc))
            raise
        except ValueError as exc:  # the SDK's form for an unknown prompt or bad arguments
            logger.warning("prompt %.80r refused: %s", name, _brief(exc))
            logger.debug("prompt %.80r traceback", name, exc_info=exc)
            raise MCPError(code=INVALID_PARAMS, message=_brief(exc)) from None
        return result


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

    Opening a conversation (its first `record_messages` or `end_conversation`) goes
    through `Oversight.check_may_open` (``via="mcp"``), so a circumvention
    cooling-off refuses it. A first call that is denied opens nothing.
    """
    store = store if store is not None else MemoryStore()
    if offload is None:
        offload = not isinstance(store, MemoryStore | SQLiteStore)

    async def run_store(work: Callable[[], _T]) -> _T:
        return await anyio.to_thread.run_sync(work) if offload else work()

    guard = (guard or Guard()).warm()  # the first client's call should not pay for it
    oversight = Oversight(store, oversight_policy, guard=guard)
    server = _Server(
        name,
        version="0.1.0",
        instructions=guard.prompts.system.text,
        log_level="WARNING",
    )
    shipped = ("latest", *prompt_versions("system"))

    def open_record(owner: str, conversation_id: str) -> ConversationRecord:
        """The caller's conversation, opened on first mention (CoolingOffError while
        the caller is cooling off)."""
        internal = _internal_id(owner, conversation_id)
        try:
            return store.get(internal)
        except UnknownConversationError:
            oversight.check_may_open(owner, via="mcp")
            try:
                return store.create(user_id=owner, conversation_id=internal)
            except StoreError:  # created meanwhile by a concurrent call
                return store.get(internal)

    def verdict_on(
        history: list[dict[str, Any]],
        transcript: list[dict[str, Any]] | None,
        call: dict[str, Any],
        tool_input: dict[str, Any],
    ) -> Verdict:
        """The guard's verdict on the recorded history, extended by the transcript."""
        if transcript:
            at = _divergence(history, transcript)
            if at is None:  # the transcript holds the whole record, and maybe more
                return guard.evaluate([*transcript, call], tool_use_id=_CALL_ID)
            # Never decided on the model's account in place of the record: recorded
            # risk is reported as such, anything else is a mismatch.
            if guard.risk(history) is not None:
                vetoed = guard.evaluate([*history, call], tool_use_id=_CALL_ID)
                if not vetoed.ends:
                    return vetoed.model_copy(update={"basis": "recorded"})
            denied = guard.invalid_input(
                f"the transcript does not extend the recorded history: recorded message {at}"
                f" of {len(history)} is {'missing' if at >= len(transcript) else 'different'};"
                " send the recorded messages first, or no transcript",
                _CALL_ID,
            )
            return denied.model_copy(update={"basis": "recorded"})
        if history:
            verdict = guard.evaluate([*history, call], tool_use_id=_CALL_ID)
            return verdict.model_copy(update={"basis": "recorded"})
        return guard.evaluate_unverified(tool_input, tool_use_id=_CALL_ID)

    @server.tool(
        name=TOOL_NAME,
        title="End conversation",
        description=guard.prompts.tool.text.strip()
        + "\n\nHistory: a conversation recorded with record_messages is checked as"
        " recorded; a transcript may only extend it (the recorded messages first, then"
        " newer ones), otherwise the call is declined.",
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
                description="The conversation so far (Messages API format), for full"
                " validation. If messages were recorded for this conversation, it must"
                " start with exactly those messages."
            ),
        ] = None,
        ctx: Context[Any, Any] | None = None,
    ) -> Annotated[CallToolResult, EndResult]:
        """Permanently end the conversation, if the guard agrees.

        The decision rests on the recorded history whenever there is one; a
        `transcript` may only extend it (the same first messages), and recorded
        risk always vetoes. A transcript that diverges from the record is declined.
        """
        owner = _owner(ctx)
        tool_input = {"reason": EndReason(reason).value, "summary": summary}
        call = {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": _CALL_ID, "name": TOOL_NAME, "input": tool_input}
            ],
        }

        def decide() -> CallToolResult:
            # One store step per call (see `offload`); every decision is written to the audit trail.
            internal = _internal_id(owner, conversation_id)
            record: ConversationRecord | None
            try:
                record = store.get(internal)
            except UnknownConversationError:
                # A first call may open the conversation (an end creates it): whether
                # this caller may open one is checked before anything is decided.
                oversight.check_may_open(owner, via="mcp")
                record = None
            for _ in range(_ATTEMPTS):
                if record is not None and record.ended:
                    text = f"Already ended. {record.notice or ''}".strip()
                    return _error(text)
                history = store.messages(internal) if record is not None else []
                verdict = verdict_on(history, transcript, call, tool_input)
                # Every decision is audited, in the same write as the end it causes.
                events = oversight.decisions(internal, owner, [verdict])
                if not verdict.ends:
                    if record is None and verdict.decision is Decision.ESCALATED:
                        open_record(owner, conversation_id)  # a reviewer who upholds it ends this
                    store.record(events)
                    oversight.after_decisions(internal, owner, [verdict])
                    return _result(verdict, ended=False)
                try:
                    final = oversight.end(  # creates the record if this is its first mention
                        internal,
                        verdict,
                        user_id=owner,
                        create=record is None,
                        events=events,
                        # Only on the history that was checked: a message that arrived
                        # meanwhile (say, a disclosure) must be checked too.
                        expected_messages=len(history),
                    )
                except HistoryChangedError:
                    record = store.get(internal)  # decide again on what it holds now
                    continue
                return _result(verdict, ended=final.ended)
            return _error(
                "Not ended: the conversation kept changing while the call was checked."
                " Continue the conversation normally."
            )

        try:
            return await run_store(decide)
        except CoolingOffError as exc:
            logger.info("tool %s refused: cooling-off", TOOL_NAME)
            return _error(str(exc))
        except Exception as exc:  # the log says why; the model is told what holds
            failed = _failed(TOOL_NAME, exc)
            try:  # a failure after the end (say, in the circumvention check) ended it
                after = await run_store(lambda: store.get(_internal_id(owner, conversation_id)))
            except Exception:  # unknown or unreadable: it was not ended here
                return failed
            if not after.ended:
                return failed
            return _error(
                f"The conversation was ended, but {TOOL_NAME} then failed"
                f" ({type(exc).__name__}). {after.notice or ''}".strip()
            )

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
    ) -> Annotated[CallToolResult, RecordResult]:
        """Record the host's conversation so later end_conversation calls can be checked."""
        owner = _owner(ctx)

        def record() -> int:
            return store.append(open_record(owner, conversation_id).id, messages)

        try:
            count = await run_store(record)
        except CoolingOffError as exc:
            logger.info("tool record_messages refused: cooling-off")
            return _error(str(exc))
        except ConversationEndedError as exc:
            return _error(f"Already ended; nothing was recorded. {exc.notice}".strip())
        except Exception as exc:
            return _failed("record_messages", exc)
        result = RecordResult(message_count=count)
        return CallToolResult(
            content=[TextContent(type="text", text=result.model_dump_json())],
            structured_content=result.model_dump(),
        )

    @server.prompt(name="end_conversation_policy", title="end_conversation instructions")
    def end_conversation_policy(version: str = "latest") -> str:
        """The instructions for when end_conversation may and may not be used
        (`version`: a shipped version name such as "latest" or "v1")."""
        # A remote caller names shipped versions only: no path is ever opened.
        if version not in shipped:
            raise MCPError(
                code=INVALID_PARAMS,
                message=f"no prompt version {version[:80]!r}; available: {', '.join(shipped)}",
            )
        return system_prompt(version, allow_path=False)

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
            raise ResourceError(f"no conversation {conversation_id[:200]!r}") from exc
        except StoreError as exc:
            logger.warning("resource conversations failed: %s: %s", type(exc).__name__, _brief(exc))
            logger.debug("resource conversations traceback", exc_info=exc)
            raise ResourceError("the conversation store failed") from exc
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


def _check_token(token: str) -> str:
    """A bearer token as given, or ConfigurationError: it must be non-empty visible
    ASCII with no spaces (anything else cannot be sent, or would match too much)."""
    if not isinstance(token, str) or not token:
        raise ConfigurationError("empty bearer token; give each client a non-empty token")
    if not all("!" <= c <= "~" for c in token):
        raise ConfigurationError("a bearer token must be visible ASCII characters without spaces")
    return token


def _authenticate(
    headers: Sequence[tuple[bytes, bytes]], allowed: Sequence[tuple[bytes, str]]
) -> str | None:
    """The identity of the one ``Authorization: Bearer <token>`` header, or None.

    Exactly one Authorization header is accepted (two, even if one is empty, is
    ambiguous: refused). The scheme is case-insensitive (RFC 9110), followed by
    one space and the token, compared in constant time.
    """
    given = [value for name, value in headers if name.lower() == b"authorization"]
    if len(given) != 1:
        return None
    scheme, space, token = given[0].partition(b" ")
    if not space or scheme.lower() != b"bearer" or not token:
        return None
    found = None
    for secret, identity in allowed:  # no early exit: the time does not say which
        if hmac.compare_digest(token, secret):
            found = identity
    return found


async def _refuse(send: Callable[[Any], Awaitable[None]]) -> None:
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


def bearer_auth(app: ASGIApp, tokens: str | Sequence[str]) -> ASGIApp:
    """Wrap an ASGI app: HTTP requests without exactly one
    ``Authorization: Bearer <token>`` header naming one of `tokens` get 401.

    Each token is one client identity: conversations are scoped to it, and the
    identity comes from the header that was checked. An empty token is a
    ConfigurationError.
    """
    listed = [tokens] if isinstance(tokens, str) else list(tokens)
    if not listed:
        raise ConfigurationError("bearer_auth needs at least one token")
    allowed = [(_check_token(t).encode("ascii"), _token_identity(t)) for t in listed]

    async def guarded(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":  # nothing is served there: refuse before reading
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] == "http":
            identity = _authenticate(scope.get("headers") or [], allowed)
            if identity is None:
                await _refuse(send)
                return
            scope.setdefault("state", {})[_IDENTITY] = identity
        await app(scope, receive, send)

    return guarded


_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _security(host: str) -> TransportSecuritySettings:
    """DNS-rebinding protection for `host` (the same for /mcp and /metrics)."""
    if host in _LOOPBACK:
        return TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
            allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
        )
    # Only this host name is accepted.
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[f"{host}:*", host],
        allowed_origins=[f"http://{host}:*", f"https://{host}:*"],
    )


def metrics_endpoint(app: ASGIApp, store: ConversationStore, *, host: str = "127.0.0.1") -> ASGIApp:
    """Wrap an ASGI app: ``GET /metrics`` answers with the audit trail's metrics in
    the Prometheus text format (read incrementally: each scrape reads new records).

    The Host and Origin headers are checked as for ``/mcp`` (DNS-rebinding
    protection for `host`)."""
    from starlette.requests import Request

    from ..metrics import MetricsCollector, to_prometheus

    collector = MetricsCollector(store)
    lock = anyio.Lock()
    checker = TransportSecurityMiddleware(_security(host))

    async def wrapped(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("path") == "/metrics":
            refused = await checker.validate_request(Request(scope, receive))
            if refused is not None:
                await refused(scope, receive, send)
                return
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


def serve(
    *,
    store_url: str,
    policy: Any,
    http: bool = False,
    host: str = "127.0.0.1",
    port: int = 8765,
    tokens: Sequence[str] = (),
) -> int:
    """Run the server until interrupted (stdio, or streamable HTTP at /mcp).

    Raises EndConversationError (one line, before anything is served) for an empty
    token, a missing token off loopback, or a store that cannot be opened.
    """
    tokens = [_check_token(t) for t in tokens]
    if http and host not in _LOOPBACK and not tokens:
        raise ConfigurationError(
            f"serving on {host} (not loopback) needs a bearer token: "
            "--token or END_CONVERSATION_TOKEN"
        )
    store = open_existing_store(store_url)
    server = create_server(store, Guard(policy=policy))
    if not http:
        server.run()
        return 0
    import uvicorn

    from .._store._open import redact_url

    # One line to stderr (stdout stays clean): where it listens, on what, and how guarded.
    guarded = f"{len(tokens)} bearer token(s) required" if tokens else "no token required"
    print(
        f"end-conversation serve: http://{host}:{port}/mcp (store {redact_url(store_url)};"
        f" {guarded})",
        file=sys.stderr,
        flush=True,
    )
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
    Prometheus metrics at ``/metrics``, bearer tokens in front of both, and the same
    DNS-rebinding protection (Host/Origin) on both."""
    app: Any = server.streamable_http_app(
        streamable_http_path="/mcp", host=host, transport_security=_security(host)
    )
    app = metrics_endpoint(app, store, host=host)
    if tokens:
        app = bearer_auth(app, tokens)  # /metrics needs a token too
    return app  # type: ignore[no-any-return]
