"""The conversation loop, written once, without I/O.

`ChatCore.turn` is a generator: it yields effects (load the conversation, append
messages, call the model, run a tool, end the conversation) and receives their
results. `Chat` drives it with plain calls, `AsyncChat` with awaits, so the
twins cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._errors import ConversationEndedError, EndConversationError
from .._guard import Guard, Verdict
from .._store import ConversationRecord
from .._tool import TOOL_NAME, input_schema
from ._tools import Tool, ToolFailure, result_content

if TYPE_CHECKING:
    from anthropic.types import Message

__all__ = ["ChatCore", "Reply", "advance"]

_WIRE_KEYS = ("role", "content")


@dataclass(frozen=True, kw_only=True)
class Reply:
    """What one user message led to."""

    conversation_id: str
    """The conversation this reply belongs to."""
    text: str
    """The assistant's text in this turn (all text blocks, in order)."""
    ended: bool
    """Whether the conversation has been ended in this turn."""
    notice: str | None = None
    """The notice to show the user when the conversation ended."""
    verdicts: tuple[Verdict, ...] = ()
    """Every end_conversation decision made during the turn."""
    messages: tuple[dict[str, Any], ...] = ()
    """The messages this turn added to the conversation."""
    stop_reason: str | None = None
    """Why the model stopped (``end_turn``, ``refusal``, ``max_steps`` ...)."""

    @property
    def verdict(self) -> Verdict | None:
        """The last end_conversation verdict of the turn, if any."""
        return self.verdicts[-1] if self.verdicts else None


# ---------------------------------------------------------------- effects
@dataclass(frozen=True, slots=True)
class Load:
    """Read a conversation's record and messages."""

    conversation_id: str


@dataclass(frozen=True, slots=True)
class Append:
    """Append messages (raises ConversationEndedError if the conversation was ended)."""

    conversation_id: str
    messages: list[dict[str, Any]]
    user_id: str | None = None
    verdicts: tuple[Verdict, ...] = ()
    """Guard verdicts on calls in these messages: audited with them."""


@dataclass(frozen=True, slots=True)
class CallModel:
    """Call the Messages API; the driver returns the final `Message`."""

    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RunTool:
    """Run a builder's tool handler with validated arguments."""

    tool: Tool
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class End:
    """Record that the guard honored an end."""

    conversation_id: str
    verdict: Verdict
    user_id: str | None = None


Effect = Load | Append | CallModel | RunTool | End


def advance(
    flow: Generator[Effect, Any, Reply], result: Any, error: BaseException | None
) -> Effect | Reply:
    """Resume the flow with an effect's result (or its error): the next effect, or the reply."""
    try:
        return flow.throw(error) if error is not None else flow.send(result)
    except StopIteration as done:
        reply: Reply = done.value
        return reply


def wire(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages as the API accepts them (bookkeeping keys such as stop_reason removed)."""
    return [{k: m[k] for k in _WIRE_KEYS if k in m} for m in messages]


def assistant_message(message: Message) -> dict[str, Any]:
    """An SDK response as a stored assistant message (stop_reason kept for the guard)."""
    dumped = message.model_dump(mode="json", exclude_none=True)
    stored: dict[str, Any] = {"role": "assistant", "content": dumped.get("content", [])}
    if message.stop_reason is not None:
        stored["stop_reason"] = message.stop_reason
    return stored


def _text(message: Message) -> str:
    return "".join(block.text for block in message.content if block.type == "text")


@dataclass(kw_only=True)
class ChatCore:
    """Configuration and the loop shared by Chat and AsyncChat."""

    model: str
    """Model name."""
    guard: Guard
    """Checks every end_conversation call."""
    system: str | None = None
    """The builder's own system prompt; the end_conversation section is appended."""
    tools: Sequence[Tool] = ()
    """The builder's own tools."""
    max_tokens: int = 1024
    """max_tokens for each request."""
    max_steps: int = 8
    """Model calls allowed in one turn (tool round trips, pause_turn resends)."""
    params: dict[str, Any] = field(default_factory=dict)
    """Extra keyword arguments for messages.create (metadata, thinking, ...)."""

    def __post_init__(self) -> None:
        names = [t.name for t in self.tools]
        if TOOL_NAME in names or len(set(names)) != len(names):
            raise EndConversationError(f"tool names must be unique and not {TOOL_NAME!r}")
        self._by_name = {t.name: t for t in self.tools}
        prompts = self.guard.prompts
        section = prompts.system.text
        self._system = f"{self.system}\n\n{section}" if self.system else section
        # The description comes from the guard's prompt set, already loaded.
        end_tool = {
            "name": TOOL_NAME,
            "description": prompts.tool.text.strip(),
            "input_schema": input_schema(),
        }
        self._tool_params = [t.param() for t in self.tools] + [end_tool]

    def request(self, history: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """The keyword arguments for one messages.create call."""
        return {
            **self.params,
            "model": self.model,
            "max_tokens": self.max_tokens,
            "system": self._system,
            "tools": self._tool_params,
            "messages": wire(history),
        }

    def turn(self, conversation_id: str, text: str) -> Generator[Effect, Any, Reply]:
        """One user message, through to the model's final answer or an honored end."""
        record: ConversationRecord
        record, history = yield Load(conversation_id)
        if record.ended:
            # Sending to an ended conversation raises; it is not a no-op.
            raise ConversationEndedError(conversation_id, record.notice or "")
        user = {"role": "user", "content": text}
        uid = record.user_id
        yield Append(conversation_id, [user], uid)
        history.append(user)
        added: list[dict[str, Any]] = [user]
        verdicts: list[Verdict] = []
        texts: list[str] = []
        stop: str | None = "max_steps"
        for _ in range(self.max_steps):
            message: Message = yield CallModel(self.request(history))
            assistant = assistant_message(message)
            history.append(assistant)
            added.append(assistant)
            texts.append(_text(message))
            stop = message.stop_reason
            uses = [b for b in message.content if b.type == "tool_use"]
            if stop != "tool_use" or not uses:
                yield Append(conversation_id, [assistant], uid)
                if stop == "pause_turn":
                    continue  # send the paused turn back unchanged so the model goes on
                break
            results: list[dict[str, Any]] = []
            honored: Verdict | None = None
            decided: list[Verdict] = []  # this step's verdicts, audited with its messages
            for block in uses:
                if block.name == TOOL_NAME:
                    verdict = self.guard.evaluate(history, tool_use_id=block.id)
                    decided.append(verdict)
                    verdicts.append(verdict)
                    results.append(dict(verdict.tool_result_block()))
                    honored = honored or (verdict if verdict.ends else None)
                else:
                    results.append((yield from self._run(block.id, block.name, block.input)))
            outcome = {"role": "user", "content": results}
            # A tool call is stored together with its results: the stored transcript
            # never holds a tool_use without its tool_result.
            yield Append(conversation_id, [assistant, outcome], uid, tuple(decided))
            history.append(outcome)
            added.append(outcome)
            if honored is not None:
                # The model is not called again: it writes nothing after ending.
                yield End(conversation_id, honored, uid)
                return Reply(
                    conversation_id=conversation_id,
                    text="".join(texts),
                    ended=True,
                    notice=honored.notice,
                    verdicts=tuple(verdicts),
                    messages=tuple(added),
                    stop_reason="ended",
                )
        return Reply(
            conversation_id=conversation_id,
            text="".join(texts),
            ended=False,
            verdicts=tuple(verdicts),
            messages=tuple(added),
            stop_reason=stop,
        )

    def _run(self, tool_use_id: str, name: str, raw: Any) -> Generator[Effect, Any, dict[str, Any]]:
        tool = self._by_name.get(name)
        try:
            if tool is None:
                raise ToolFailure(f"unknown tool {name!r}")
            value = yield RunTool(tool, tool.arguments(raw))
        except ToolFailure as exc:
            return _tool_result(tool_use_id, str(exc), is_error=True)
        except Exception as exc:  # a failing handler is reported to the model, not raised
            return _tool_result(tool_use_id, f"{type(exc).__name__}: {exc}", is_error=True)
        return _tool_result(tool_use_id, result_content(value), is_error=False)


def _tool_result(tool_use_id: str, content: str, *, is_error: bool) -> dict[str, Any]:
    return {
        "type": "tool_result",
        "tool_use_id": tool_use_id,
        "content": content,
        "is_error": is_error,
    }
