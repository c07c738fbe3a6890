"""Helpers for testing an integration offline: transcript builders.

from end_conversation.testing import user, assistant, end_call
messages = [user("hi"), assistant("hello"), user("end this chat"), end_call("user_requested")]
"""

from __future__ import annotations

import json
import re
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from ._store import MemoryStore
from ._tool import TOOL_NAME

if TYPE_CHECKING:
    from anthropic.types import MessageParam

__all__ = [
    "FakeMessagesServer",
    "MemoryStore",
    "ScriptedReply",
    "api_error",
    "assistant",
    "call_end",
    "call_tool",
    "calls",
    "during",
    "end_call",
    "malformed",
    "pause",
    "refuse",
    "request_problem",
    "say",
    "tool_result",
    "user",
]


def user(text: str) -> MessageParam:
    """A user message with string content."""
    return {"role": "user", "content": text}


def assistant(text: str, *, stop_reason: str | None = None) -> dict[str, Any]:
    """An assistant message; `stop_reason="refusal"` marks a refusal stop."""
    msg: dict[str, Any] = {"role": "assistant", "content": [{"type": "text", "text": text}]}
    if stop_reason is not None:
        msg["stop_reason"] = stop_reason
    return msg


def end_call(
    reason: str = "harmful_requests",
    summary: str = "",
    *,
    id: str = "toolu_end_1",
    text: str | None = None,
    extra: list[dict[str, Any]] | None = None,
) -> MessageParam:
    """An assistant message calling ``end_conversation`` (optionally after text or other tools)."""
    blocks: list[Any] = []
    if text:
        blocks.append({"type": "text", "text": text})
    blocks.extend(extra or [])
    blocks.append(
        {
            "type": "tool_use",
            "id": id,
            "name": TOOL_NAME,
            "input": {"reason": reason, "summary": summary},
        }
    )
    return {"role": "assistant", "content": blocks}


def tool_result(tool_use_id: str, content: str, *, is_error: bool = False) -> MessageParam:
    """A user message carrying one tool result."""
    return {
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": tool_use_id,
                "content": content,
                "is_error": is_error,
            }
        ],
    }


# ---------------------------------------------------------------- a scripted Messages API server


@dataclass(frozen=True, kw_only=True)
class ScriptedReply:
    """One response of the scripted model."""

    content: list[dict[str, Any]]
    """Content blocks (``text``, ``tool_use``)."""
    stop_reason: str = "end_turn"
    """The stop reason to report."""
    status: int = 200
    """HTTP status; anything else answers with an API error (see `api_error`)."""
    error_type: str = ""
    """The API error's type, for a non-200 status."""
    retry_after: float | None = None
    """The ``retry-after`` header of an error answer, in seconds."""
    overrides: dict[str, Any] = field(default_factory=dict)
    """Message fields replaced as given, however wrong (see `malformed`)."""
    drop: tuple[str, ...] = ()
    """Message fields left out (see `malformed`)."""
    on_request: Callable[[dict[str, Any]], None] | None = None
    """Called with the request body before the answer is sent: something happening
    while the model answers, such as the user writing from another tab (see `during`)."""


def say(text: str) -> ScriptedReply:
    """A plain text answer."""
    return ScriptedReply(content=[{"type": "text", "text": text}])


def refuse(text: str = "") -> ScriptedReply:
    """A refusal stop (``stop_reason == "refusal"``)."""
    return ScriptedReply(
        content=[{"type": "text", "text": text}] if text else [], stop_reason="refusal"
    )


def pause(text: str) -> ScriptedReply:
    """A ``pause_turn`` response; the loop must send it back to continue."""
    return ScriptedReply(content=[{"type": "text", "text": text}], stop_reason="pause_turn")


def call_tool(
    name: str,
    input: dict[str, Any],
    *,
    id: str | None = None,
    text: str | None = None,
    stop_reason: str = "tool_use",
) -> ScriptedReply:
    """A tool call, optionally after some text; `stop_reason` may be anything the API
    sends beside a tool_use block (``end_turn``, ``max_tokens``, ``pause_turn`` ...)."""
    blocks: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    blocks.append(
        {
            "type": "tool_use",
            "id": id or f"toolu_{uuid.uuid4().hex[:12]}",
            "name": name,
            "input": input,
        }
    )
    return ScriptedReply(content=blocks, stop_reason=stop_reason)


def call_end(reason: str = "harmful_requests", summary: str = "", **kw: Any) -> ScriptedReply:
    """An end_conversation call."""
    return call_tool(TOOL_NAME, {"reason": reason, "summary": summary}, **kw)


def api_error(
    status: int = 429, error_type: str = "rate_limit_error", *, retry_after: float | None = 0
) -> ScriptedReply:
    """An API error answer: by default a rate limit (429) that may be retried at once."""
    return ScriptedReply(content=[], status=status, error_type=error_type, retry_after=retry_after)


def calls(*replies: ScriptedReply, stop_reason: str = "tool_use") -> ScriptedReply:
    """Several tool calls in one assistant turn (parallel tool use)."""
    return ScriptedReply(content=[b for r in replies for b in r.content], stop_reason=stop_reason)


def malformed(
    reply: ScriptedReply | None = None, *, drop: Sequence[str] = (), **fields: Any
) -> ScriptedReply:
    """An answer the real API should never send: `reply`'s message (an empty text answer
    by default) with `fields` replaced as given and the keys in `drop` left out.

        malformed(drop=["content"])                      # no content at all
        malformed(content="hi")                          # content not a list
        malformed(content=[{"text": "x"}])               # a block without a type
        malformed(content=[{"type": "tool_use", "name": "end_conversation", "input": {}}])
    """
    base = reply or ScriptedReply(content=[])
    return replace(base, overrides={**base.overrides, **fields}, drop=(*base.drop, *drop))


def during(reply: ScriptedReply, action: Callable[[], Any]) -> ScriptedReply:
    """`reply`, answered after `action` runs: something that happens while the model is
    answering (another tab sending a message, a store going down ...)."""
    return replace(reply, on_request=lambda body: action())


Script = Callable[[dict[str, Any]], ScriptedReply]


class FakeMessagesServer:
    """A Messages API stand-in on 127.0.0.1 that answers from a script, in JSON or SSE.

    Give it a list of replies (used in order) or a function of the request body.
    Point the real SDK at `url`; every request body is kept in `requests`. With
    `strict`, a request the real API would reject (a tool_use without its
    tool_result, an empty message or text block) gets the same 400
    ``invalid_request_error`` (see `request_problem`).

        with FakeMessagesServer([say("hi")]) as server:
            client = Anthropic(api_key="test", base_url=server.url)
    """

    def __init__(
        self, script: Sequence[ScriptedReply] | Script, *, port: int = 0, strict: bool = False
    ) -> None:
        self.requests: list[dict[str, Any]] = []
        """Request bodies received, in order."""
        self.strict = strict
        """Whether requests the real API would reject are rejected."""
        self.rejected: list[str] = []
        """Why each rejected request was rejected (with `strict`)."""
        self._queue = list(script) if not callable(script) else None
        self._script = script if callable(script) else None
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in separate writes; without this, Nagle's
                # algorithm and delayed ACKs add ~40 ms to every loopback request.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                    problem = request_problem(body) if server.strict else None
                    if problem is not None:
                        server.rejected.append(problem)
                        error = {"type": "invalid_request_error", "message": problem}
                        self._send_json(400, {"type": "error", "error": error})
                        return
                    reply = server._next(body)
                    if reply.on_request is not None:
                        reply.on_request(body)
                except Exception as exc:  # a broken script is a 500, like a server fault
                    self._send_json(
                        500, {"type": "error", "error": {"type": "api_error", "message": str(exc)}}
                    )
                    return
                if reply.status != 200:
                    error = {"type": reply.error_type, "message": f"scripted {reply.status}"}
                    extra = (
                        {} if reply.retry_after is None else {"retry-after": str(reply.retry_after)}
                    )
                    self._send_json(reply.status, {"type": "error", "error": error}, extra)
                    return
                message = _message(reply, body.get("model", "scripted"))
                if body.get("stream"):
                    self._send_sse(message)
                else:
                    self._send_json(200, message)

            def _send_json(
                self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _send_sse(self, message: dict[str, Any]) -> None:
                data = "".join(
                    f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in _events(message)
                ).encode()
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL for the SDK's ``base_url``."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def _next(self, body: dict[str, Any]) -> ScriptedReply:
        with self._lock:
            self.requests.append(body)
        if self._script is not None:  # outside the lock: concurrent requests stay concurrent
            return self._script(body)
        with self._lock:
            if not self._queue:
                raise RuntimeError("the scripted model has no more replies")
            return self._queue.pop(0)

    def add(self, *replies: ScriptedReply) -> None:
        """Queue more replies (for a script that names objects made after the server,
        such as a conversation another tab writes to)."""
        if self._queue is None:
            raise TypeError("this server answers from a function, not a list")
        with self._lock:
            self._queue.extend(replies)

    def start(self) -> FakeMessagesServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeMessagesServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def request_problem(body: dict[str, Any]) -> str | None:
    """What the real Messages API would reject in this request body, or None.

    Checks the rules a conversation loop can break: every tool_use answered by a
    tool_result in the next message (and every tool_result answering one), no empty
    message before the last, no empty or whitespace-only text."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            return f"messages.{i}: must be an object"
        content = message.get("content")
        if message.get("role") not in ("user", "assistant"):
            return f"messages.{i}.role: must be user or assistant"
        last_assistant = i == len(messages) - 1 and message["role"] == "assistant"
        if isinstance(content, str):
            if not content.strip() and not last_assistant:
                return f"messages.{i}: text content blocks must contain non-whitespace text"
            blocks: list[Any] = []
        elif isinstance(content, list):
            if not content and not last_assistant:
                return f"messages.{i}: all messages must have non-empty content"
            blocks = content
        else:
            return f"messages.{i}.content: must be a string or a list of blocks"
        for j, block in enumerate(blocks):
            if not isinstance(block, dict) or not isinstance(block.get("type"), str):
                return f"messages.{i}.content.{j}.type: Field required"
            if block["type"] == "text" and not str(block.get("text", "")).strip():
                return f"messages.{i}.content.{j}: text content blocks must be non-empty"
        uses = [str(b.get("id")) for b in blocks if b["type"] == "tool_use"]
        answered = [b.get("tool_use_id") for b in blocks if b["type"] == "tool_result"]
        before: Any = (
            messages[i - 1].get("content") if i and isinstance(messages[i - 1], dict) else None
        )
        asked = [
            b.get("id")
            for b in (before if isinstance(before, list) else [])
            if isinstance(b, dict) and b.get("type") == "tool_use"
        ]
        if message["role"] == "user" and any(a not in asked for a in answered):
            return (
                f"messages.{i}.content: unexpected tool_use_id found in tool_result blocks:"
                " each tool_result block must have a corresponding tool_use block in the"
                " previous message"
            )
        if message["role"] == "assistant" and uses and i < len(messages) - 1:
            after = messages[i + 1] if isinstance(messages[i + 1], dict) else {}
            results: Any = after.get("content")
            ids = {
                b.get("tool_use_id")
                for b in (results if isinstance(results, list) else [])
                if isinstance(b, dict)
            }
            missing = [u for u in uses if u not in ids]
            if after.get("role") != "user" or missing:
                return (
                    f"messages.{i + 1}: tool_use ids were found without tool_result blocks"
                    f" immediately after: {', '.join(missing or uses)}. Each tool_use block"
                    " must have a corresponding tool_result block in the next message."
                )
    return None


def _message(reply: ScriptedReply, model: str) -> dict[str, Any]:
    message = {
        "id": f"msg_{uuid.uuid4().hex[:16]}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": reply.content,
        "stop_reason": reply.stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 10},
    }
    message.update(reply.overrides)
    for key in reply.drop:
        message.pop(key, None)
    return message


def _events(message: dict[str, Any]) -> list[dict[str, Any]]:
    content: list[Any] = message.get("content") or []
    well_formed = isinstance(content, list) and all(
        isinstance(b, dict)
        and (
            (b.get("type") == "text" and isinstance(b.get("text"), str))
            or (b.get("type") == "tool_use" and isinstance(b.get("input"), dict))
        )
        for b in content
    )
    # A malformed message is streamed whole in message_start, as the server wrote it.
    start = {**message, "content": [], "stop_reason": None} if well_formed else message
    events: list[dict[str, Any]] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(content if well_formed else []):
        if block["type"] == "text":
            events.append(
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "text", "text": ""},
                }
            )
            for word in re.findall(r"\S+\s*|\s+", block["text"]):
                events.append(
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "text_delta", "text": word},
                    }
                )
        else:
            events.append(
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {**block, "input": {}},
                }
            )
            raw = json.dumps(block.get("input", {}))
            for i in range(0, len(raw), 8):
                events.append(
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "input_json_delta", "partial_json": raw[i : i + 8]},
                    }
                )
        events.append({"type": "content_block_stop", "index": index})
    events.append(
        {
            "type": "message_delta",
            "delta": {"stop_reason": message.get("stop_reason"), "stop_sequence": None},
            "usage": {"output_tokens": 10},
        }
    )
    events.append({"type": "message_stop"})
    return events
