"""Helpers for testing an integration offline: transcript builders.

from end_conversation.testing import user, assistant, end_call
messages = [user("hi"), assistant("hello"), user("end this chat"), end_call("user_requested")]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._tool import TOOL_NAME

if TYPE_CHECKING:
    from anthropic.types import MessageParam

__all__ = ["assistant", "end_call", "tool_result", "user"]


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
