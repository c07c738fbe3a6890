"""Reading a Messages API transcript into typed turns.

Accepts what builders actually hold: a list of ``MessageParam`` dicts, SDK
``Message`` objects, block models mixed into dict content, string or block
content. Anything else raises `InvalidTranscriptError` with a message that says
which message and what was wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ._errors import InvalidTranscriptError

__all__ = ["ToolResult", "ToolUse", "Turn", "as_message_list", "parse_messages", "parse_one"]

Role = Literal["user", "assistant"]


@dataclass(frozen=True, kw_only=True, slots=True)
class ToolUse:
    """A ``tool_use`` block in an assistant message."""

    id: str
    """The block id (``toolu_...``)."""
    name: str
    """The tool name."""
    input: Any
    """The raw input, not yet validated."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ToolResult:
    """A ``tool_result`` block in a user message."""

    tool_use_id: str
    """The id of the call this answers."""
    is_error: bool
    """Whether the result was an error."""
    text: str
    """The text content of the result."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Turn:
    """One message of a transcript, reduced to what the guard reads."""

    index: int
    """Position in the original message list (used as evidence)."""
    role: Role
    """``user`` or ``assistant``."""
    text: str
    """All text blocks joined by blank lines."""
    tool_uses: tuple[ToolUse, ...] = ()
    """Tool calls in this message (assistant only)."""
    tool_results: tuple[ToolResult, ...] = ()
    """Tool results in this message (user only)."""
    refusal_stop: bool = False
    """The model stopped with ``stop_reason == "refusal"``."""

    @property
    def is_tool_only(self) -> bool:
        """A user message that only carries tool results (not something the person wrote)."""
        return self.role == "user" and not self.text.strip() and bool(self.tool_results)


def _as_mapping(obj: Any, where: str) -> Mapping[str, Any]:
    if isinstance(obj, Mapping):
        return obj
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        result = dump()
        if isinstance(result, Mapping):
            return result
    raise InvalidTranscriptError(f"{where}: expected an object, got {type(obj).__name__}")


def _result_text(content: Any, where: str) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        parts = []
        for j, block in enumerate(content):
            b = _as_mapping(block, f"{where}.content[{j}]")
            if b.get("type") == "text":
                parts.append(str(b.get("text", "")))
        return "\n\n".join(parts)
    raise InvalidTranscriptError(f"{where}: tool_result content must be a string or a list")


def parse_one(index: int, raw: Any) -> Turn:
    """Parse one message; raises `InvalidTranscriptError` naming it."""
    where = f"messages[{index}]"
    msg = _as_mapping(raw, where)
    role = msg.get("role")
    if role not in ("user", "assistant"):
        raise InvalidTranscriptError(f"{where}: role must be 'user' or 'assistant', got {role!r}")
    refusal = msg.get("stop_reason") == "refusal"
    content = msg.get("content")
    if isinstance(content, str):
        return Turn(index=index, role=role, text=content, refusal_stop=refusal)
    if not isinstance(content, Sequence) or isinstance(content, bytes | bytearray):
        raise InvalidTranscriptError(f"{where}: content must be a string or a list of blocks")
    texts: list[str] = []
    uses: list[ToolUse] = []
    results: list[ToolResult] = []
    for j, block in enumerate(content):
        b = _as_mapping(block, f"{where}.content[{j}]")
        kind = b.get("type")
        if kind == "text":
            text = b.get("text")
            if not isinstance(text, str):
                raise InvalidTranscriptError(f"{where}.content[{j}]: text block without text")
            texts.append(text)
        elif kind == "tool_use":
            if role != "assistant":
                raise InvalidTranscriptError(f"{where}.content[{j}]: tool_use in a user message")
            tid, name = b.get("id"), b.get("name")
            if not isinstance(tid, str) or not isinstance(name, str):
                raise InvalidTranscriptError(f"{where}.content[{j}]: tool_use needs id and name")
            uses.append(ToolUse(id=tid, name=name, input=b.get("input")))
        elif kind == "tool_result":
            tid = b.get("tool_use_id")
            if not isinstance(tid, str):
                raise InvalidTranscriptError(f"{where}.content[{j}]: tool_result needs tool_use_id")
            results.append(
                ToolResult(
                    tool_use_id=tid,
                    is_error=bool(b.get("is_error", False)),
                    text=_result_text(b.get("content"), f"{where}.content[{j}]"),
                )
            )
        elif not isinstance(kind, str):
            raise InvalidTranscriptError(f"{where}.content[{j}]: block without a type")
        # Other block types (thinking, image, document, server tools) carry no
        # signal the guard reads; they are skipped, not rejected.
    return Turn(
        index=index,
        role=role,
        text="\n\n".join(texts),
        tool_uses=tuple(uses),
        tool_results=tuple(results),
        refusal_stop=refusal,
    )


def parse_messages(messages: Any) -> tuple[Turn, ...]:
    """Parse a Messages API message list into turns.

    Raises `InvalidTranscriptError` if `messages` is not a non-empty list of
    messages with valid roles and content.
    """
    return tuple(parse_one(i, m) for i, m in enumerate(as_message_list(messages)))


def as_message_list(messages: Any) -> Sequence[Any]:
    """Accept a message list or ``{"messages": [...]}``; reject anything else."""
    if isinstance(messages, Mapping) and "messages" in messages:
        messages = messages["messages"]
    if isinstance(messages, str | bytes) or not isinstance(messages, Sequence):
        raise InvalidTranscriptError("transcript must be a list of messages")
    if not messages:
        raise InvalidTranscriptError("transcript is empty")
    return messages
