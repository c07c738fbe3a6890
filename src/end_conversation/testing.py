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
from dataclasses import dataclass
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
    "end_call",
    "pause",
    "refuse",
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
    name: str, input: dict[str, Any], *, id: str | None = None, text: str | None = None
) -> ScriptedReply:
    """A tool call, optionally after some text."""
    blocks: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    blocks.append(
        {
            "type": "tool_use",
            "id": id or f"toolu_{uuid.uuid4().hex[:12]}",
            "name": name,
            "input": input,
        }
    )
    return ScriptedReply(content=blocks, stop_reason="tool_use")


def call_end(reason: str = "harmful_requests", summary: str = "", **kw: Any) -> ScriptedReply:
    """An end_conversation call."""
    return call_tool(TOOL_NAME, {"reason": reason, "summary": summary}, **kw)


def api_error(
    status: int = 429, error_type: str = "rate_limit_error", *, retry_after: float | None = 0
) -> ScriptedReply:
    """An API error answer: by default a rate limit (429) that may be retried at once."""
    return ScriptedReply(content=[], status=status, error_type=error_type, retry_after=retry_after)


def calls(*replies: ScriptedReply) -> ScriptedReply:
    """Several tool calls in one assistant turn (parallel tool use)."""
    return ScriptedReply(content=[b for r in replies for b in r.content], stop_reason="tool_use")


Script = Callable[[dict[str, Any]], ScriptedReply]


class FakeMessagesServer:
    """A Messages API stand-in on 127.0.0.1 that answers from a script, in JSON or SSE.

    Give it a list of replies (used in order) or a function of the request body.
    Point the real SDK at `url`; every request body is kept in `requests`.

        with FakeMessagesServer([say("hi")]) as server:
            client = Anthropic(api_key="test", base_url=server.url)
    """

    def __init__(self, script: Sequence[ScriptedReply] | Script, *, port: int = 0) -> None:
        self.requests: list[dict[str, Any]] = []
        """Request bodies received, in order."""
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
                    reply = server._next(body)
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


def _message(reply: ScriptedReply, model: str) -> dict[str, Any]:
    return {
        "id": f"msg_{uuid.uuid4().hex[:16]}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": reply.content,
        "stop_reason": reply.stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 10},
    }


def _events(message: dict[str, Any]) -> list[dict[str, Any]]:
    start = {**message, "content": [], "stop_reason": None}
    events: list[dict[str, Any]] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(message["content"]):
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
            raw = json.dumps(block["input"])
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
            "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
            "usage": {"output_tokens": 10},
        }
    )
    events.append({"type": "message_stop"})
    return events
