"""Reading a Messages API transcript into typed turns.

Accepts what builders actually hold: a list of ``MessageParam`` dicts, SDK
``Message`` objects, block models mixed into dict content, string or block
content. Anything else raises `InvalidTranscriptError` with a message that says
which message and what was wrong.

Every text a person could have supplied is read, wherever the API lets it sit:

- ``text`` blocks and string content: the words of the message itself (`Turn.text`);
- ``document`` blocks (plain-text sources, ``content`` sources with text blocks,
  title and context) and ``search_result`` blocks (title and text blocks): material
  attached to the message (`Turn.attachments`);
- ``tool_result`` content, string or blocks, with the documents and search results
  nested in it (`ToolResult.text`): an ask-the-user tool puts the user's own answer
  there;
- ``thinking`` blocks of assistant messages (`Turn.thinking`).

Base64, URL and file PDF sources and images carry no text this reader can see, so
they add nothing (and never fail). Which signals the guard takes from which of these
sources is decided in ``_guard/_facts.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard

from ._errors import InvalidTranscriptError

__all__ = ["ToolResult", "ToolUse", "Turn", "as_message_list", "parse_messages", "parse_one"]

Role = Literal["user", "assistant"]

MAX_DEPTH = 8
"""How deep blocks may nest (tool_result > document > content source > text is 4).
Deeper content is refused as invalid rather than read by unbounded recursion."""


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
    """Every readable text in the result: its string content, or its text blocks and
    the texts of the documents and search results in it, joined by blank lines."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Turn:
    """One message of a transcript, reduced to what the guard reads."""

    index: int
    """Position in the original message list (used as evidence)."""
    role: Role
    """``user`` or ``assistant``."""
    text: str
    """All text blocks joined by blank lines (the words of the message itself)."""
    tool_uses: tuple[ToolUse, ...] = ()
    """Tool calls in this message (assistant only)."""
    tool_results: tuple[ToolResult, ...] = ()
    """Tool results in this message (user only)."""
    refusal_stop: bool = False
    """The model stopped with ``stop_reason == "refusal"``."""
    attachments: tuple[str, ...] = ()
    """Readable text of the ``document`` and ``search_result`` blocks (and of any other
    block a user message carries), one entry per block."""
    thinking: str = ""
    """The assistant's ``thinking`` blocks joined by blank lines (assistant only)."""

    @property
    def is_tool_only(self) -> bool:
        """A user message that only carries tool results (not something the person wrote)."""
        return self.role == "user" and not self.text.strip() and bool(self.tool_results)

    @property
    def wrote(self) -> bool:
        """The message has words of its own (not only images, attachments or tool results)."""
        return bool(self.text.strip())

    @property
    def supplied(self) -> tuple[str, ...]:
        """The texts supplied with a user message besides its own words: attachments and
        tool results. Read for risk; they never speak for the person otherwise."""
        return self.attachments + tuple(r.text for r in self.tool_results if r.text)


def _as_mapping(obj: Any, where: str) -> Mapping[str, Any]:
    if isinstance(obj, Mapping):
        return obj
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        result = dump()
        if isinstance(result, Mapping):
            return result
    raise InvalidTranscriptError(f"{where}: expected an object, got {type(obj).__name__}")


def _is_list(value: Any) -> TypeGuard[Sequence[Any]]:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray)


def _text_field(block: Mapping[str, Any], key: str, where: str) -> str:
    value = block.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidTranscriptError(f"{where}: {key} must be a string")
    return value


def _read_content(content: Any, where: str, depth: int, out: list[str]) -> None:
    """Append every readable text of `content` (a string or a list of blocks)."""
    if content is None:
        return
    if isinstance(content, str):
        out.append(content)
        return
    if not _is_list(content):
        raise InvalidTranscriptError(f"{where}: content must be a string or a list of blocks")
    for j, block in enumerate(content):
        _read_block(_as_mapping(block, f"{where}[{j}]"), f"{where}[{j}]", depth, out)


def _read_block(block: Mapping[str, Any], where: str, depth: int, out: list[str]) -> None:
    """Append the readable text of one block, of any type, nested blocks included."""
    if depth > MAX_DEPTH:
        raise InvalidTranscriptError(f"{where}: blocks nested deeper than {MAX_DEPTH} levels")
    kind = block.get("type")
    if not isinstance(kind, str):
        raise InvalidTranscriptError(f"{where}: block without a type")
    if kind == "text":
        text = block.get("text")
        if not isinstance(text, str):
            raise InvalidTranscriptError(f"{where}: text block without text")
        out.append(text)
    elif kind == "image":
        return  # no text to read
    elif kind == "document":
        out.append(_text_field(block, "title", where))
        out.append(_text_field(block, "context", where))
        source = block.get("source")
        if source is not None:
            src = _as_mapping(source, f"{where}.source")
            if src.get("type") == "text":
                out.append(_text_field(src, "data", f"{where}.source"))
            elif src.get("type") == "content":
                _read_content(src.get("content"), f"{where}.source.content", depth + 1, out)
            # base64 / url / file sources (PDFs) hold no text this reader can see.
    elif kind == "search_result":
        out.append(_text_field(block, "title", where))
        _read_content(block.get("content"), f"{where}.content", depth + 1, out)
    elif kind == "tool_result":
        _read_content(block.get("content"), f"{where}.content", depth + 1, out)
    else:
        # A block type this reader does not know: read every text it carries, under
        # any key and at any depth, so nothing a person supplied slips past the veto
        # by its type name or its shape.
        _read_strings(block, where, depth, out)


def _read_strings(value: Any, where: str, depth: int, out: list[str]) -> None:
    """Append every string inside `value` (mappings and lists, to MAX_DEPTH)."""
    if depth > MAX_DEPTH:
        raise InvalidTranscriptError(f"{where}: blocks nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key != "type":
                _read_strings(item, f"{where}.{key}", depth + 1, out)
    elif _is_list(value):
        for j, item in enumerate(value):
            _read_strings(item, f"{where}[{j}]", depth + 1, out)


def _joined(parts: list[str]) -> str:
    return "\n\n".join(p for p in parts if p)


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
    if not _is_list(content):
        raise InvalidTranscriptError(f"{where}: content must be a string or a list of blocks")
    texts: list[str] = []
    uses: list[ToolUse] = []
    results: list[ToolResult] = []
    attachments: list[str] = []
    thinking: list[str] = []
    for j, block in enumerate(content):
        at = f"{where}.content[{j}]"
        b = _as_mapping(block, at)
        kind = b.get("type")
        if not isinstance(kind, str):
            raise InvalidTranscriptError(f"{at}: block without a type")
        if kind == "text":
            text = b.get("text")
            if not isinstance(text, str):
                raise InvalidTranscriptError(f"{at}: text block without text")
            texts.append(text)
        elif kind == "tool_use":
            if role != "assistant":
                raise InvalidTranscriptError(f"{at}: tool_use in a user message")
            tid, name = b.get("id"), b.get("name")
            if not isinstance(tid, str) or not isinstance(name, str):
                raise InvalidTranscriptError(f"{at}: tool_use needs id and name")
            uses.append(ToolUse(id=tid, name=name, input=b.get("input")))
        elif kind == "tool_result":
            tid = b.get("tool_use_id")
            if not isinstance(tid, str):
                raise InvalidTranscriptError(f"{at}: tool_result needs tool_use_id")
            parts: list[str] = []
            _read_content(b.get("content"), f"{at}.content", 1, parts)
            results.append(
                ToolResult(
                    tool_use_id=tid, is_error=bool(b.get("is_error", False)), text=_joined(parts)
                )
            )
        elif role == "assistant":
            if kind == "thinking":
                thought = b.get("thinking")
                if isinstance(thought, str):
                    thinking.append(thought)
            # Other assistant blocks (redacted thinking, server tools, their results)
            # carry nothing the guard reads; they are skipped, not rejected.
        else:
            parts = []
            _read_block(b, at, 1, parts)
            if any(p.strip() for p in parts):
                attachments.append(_joined(parts))
    return Turn(
        index=index,
        role=role,
        text="\n\n".join(texts),
        tool_uses=tuple(uses),
        tool_results=tuple(results),
        refusal_stop=refusal,
        attachments=tuple(attachments),
        thinking=_joined(thinking),
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
