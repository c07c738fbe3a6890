"""The conversation loop, written once, without I/O.

`ChatCore.turn` is a generator: it yields effects (load the conversation, append
messages, call the model, run a tool, end the conversation) and receives their
results. `Chat` drives it with plain calls, `AsyncChat` with awaits, so the
twins cannot drift apart.

A turn starts from the history the driver holds for the conversation, if it holds
one and knows it to be still the whole stored conversation (a store that counts its
commits says nothing was committed since; otherwise the record, one row, shows as
many messages and no end); else the history is read. The whole turn (the user's
message, denied calls with their results and decisions, the answer) is stored in
one write at its end; before each later model call the driver checks the same way
whether anyone else stored or ended something meanwhile, and if so the turn stores
what it has and reads the history again. An end stores what the turn has not stored
yet first, and the checks before an end always read. A turn that fails (the model
call, a malformed response) stores what it has, the user's message included, before
the error reaches the caller.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .._errors import (
    ConversationEndedError,
    EndConversationError,
    HistoryChangedError,
    ModelResponseError,
    UnsendableTextError,
)
from .._guard import Decision, Guard, ReasonCode, Verdict
from .._store import ConversationRecord
from .._tool import TOOL_NAME, input_schema
from ._tools import Tool, ToolFailure, result_content

if TYPE_CHECKING:
    from anthropic.types import Message

__all__ = ["ChatCore", "Reply", "advance", "sendable_text"]

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
    known: bool = False
    """The record and history the driver already holds may stand in for the read,
    while the driver knows them to be the whole stored conversation still (nothing
    was committed since, or the stored record shows as many messages and is open)."""


@dataclass(frozen=True, slots=True)
class Append:
    """Append messages (raises ConversationEndedError if the conversation was ended)."""

    conversation_id: str
    messages: list[dict[str, Any]]
    user_id: str | None = None
    verdicts: tuple[Verdict, ...] = ()
    """Guard verdicts on calls in these messages: audited with them."""


@dataclass(frozen=True, slots=True)
class Peek:
    """Whether the stored conversation still holds `count` messages and is open: None
    when the driver knows so without reading (nothing was committed since it last
    saw the conversation with `count` messages), else its record (one row)."""

    conversation_id: str
    count: int


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
    """End the conversation on an honored verdict, only if the stored conversation
    still holds exactly `expected_messages` (the history the call was checked against),
    storing `messages` (the call and its results) and auditing `verdicts` (the other
    calls' decisions) in the end's own transaction.

    The driver returns the ended record, or raises: `HistoryChangedError` when the
    history moved, another error when the store failed. Either way nothing was stored."""

    conversation_id: str
    verdict: Verdict
    user_id: str | None = None
    expected_messages: int | None = None
    """The stored message count the end is conditional on."""
    messages: list[dict[str, Any]] = field(default_factory=list)
    """Stored only by the end: a stored "has been ended" always means it was."""
    verdicts: tuple[Verdict, ...] = ()
    """Decisions on the other calls in the same message, audited with the end."""


Effect = Load | Peek | Append | CallModel | RunTool | End


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
    """Messages as the API accepts them (bookkeeping keys such as stop_reason removed).

    A message with no content (a refusal that wrote nothing) stays in the store for the
    guard but is not sent: the API rejects empty messages before the last one."""
    return [{k: m[k] for k in _WIRE_KEYS if k in m} for m in messages if m.get("content")]


def sendable_text(text: Any) -> str:
    """The user's text, if the Messages API can accept it; `UnsendableTextError` if not.

    Checked before anything is stored: a stored text that cannot be encoded would
    make every later request of the conversation fail."""
    if not isinstance(text, str):
        raise UnsendableTextError(f"expected a string, got {type(text).__name__}")
    if not text.strip():
        raise UnsendableTextError("it is empty or only whitespace")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UnsendableTextError(
            f"{text[exc.start]!r} is a lone surrogate, not a Unicode character", exc.start
        ) from None
    return text


def _sendable(value: Any) -> bool:
    """Whether `value` can go into a request body (valid UTF-8 once encoded as JSON)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, TypeError, ValueError):
        return False
    return True


def assistant_message(message: Any) -> dict[str, Any]:
    """An SDK response as a stored assistant message (stop_reason kept for the guard).

    The SDK builds responses without validating them, so a malformed answer would
    surface later as a raw TypeError or a request the API rejects; it is refused here,
    before anything of it is stored, with a `ModelResponseError`."""
    content = getattr(message, "content", None)
    if not isinstance(content, list):
        raise ModelResponseError(f"content is {type(content).__name__}, not a list of blocks")
    blocks: list[dict[str, Any]] = []
    ids: set[str] = set()
    for i, block in enumerate(content):
        kind = getattr(block, "type", None)
        if not isinstance(block, BaseModel) or not isinstance(kind, str) or not kind:
            raise ModelResponseError(f"content block {i} has no type")
        if kind == "text" and not isinstance(getattr(block, "text", None), str):
            raise ModelResponseError(f"text block {i} has no text")
        if kind == "tool_use":
            use_id, name = getattr(block, "id", None), getattr(block, "name", None)
            if not isinstance(use_id, str) or not use_id:
                raise ModelResponseError(f"tool_use block {i} has no id")
            if use_id in ids:
                raise ModelResponseError(f"tool_use id {use_id!r} appears twice")
            if not isinstance(name, str) or not name:
                raise ModelResponseError(f"tool_use block {i} has no name")
            if not isinstance(getattr(block, "input", None), dict):
                raise ModelResponseError(f"tool_use block {i} has no input object")
            ids.add(use_id)
        blocks.append(block.model_dump(mode="json", exclude_none=True, warnings=False))
    stop = getattr(message, "stop_reason", None)
    if stop is not None and not isinstance(stop, str):
        raise ModelResponseError(f"stop_reason is {type(stop).__name__}, not a string")
    if not _sendable(blocks):
        raise ModelResponseError("the content holds text that is not valid Unicode")
    stored: dict[str, Any] = {"role": "assistant", "content": blocks}
    if stop is not None:
        stored["stop_reason"] = stop
    return stored


def _text(assistant: dict[str, Any]) -> str:
    return "".join(b["text"] for b in assistant["content"] if b["type"] == "text")


@dataclass(slots=True)
class _Unsaved:
    """What a turn has added and not stored yet, with the decisions on its calls: it
    is stored in one write at the end of the turn, before an end, or when the turn
    fails (the user's message is never lost)."""

    conversation_id: str
    user_id: str | None
    messages: list[dict[str, Any]] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)

    def add(self, messages: list[dict[str, Any]], verdicts: Sequence[Verdict] = ()) -> None:
        self.messages.extend(messages)
        self.verdicts.extend(verdicts)

    def take(self) -> tuple[list[dict[str, Any]], tuple[Verdict, ...]]:
        taken = self.messages, tuple(self.verdicts)
        self.messages, self.verdicts = [], []
        return taken


@dataclass(frozen=True, kw_only=True, slots=True)
class _Step:
    """One answered assistant turn with tool calls."""

    history: list[dict[str, Any]]
    outcome: dict[str, Any]
    verdicts: tuple[Verdict, ...]
    ended: Verdict | None


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
        user = {"role": "user", "content": sendable_text(text)}  # before anything is stored
        record: ConversationRecord
        record, history = yield Load(conversation_id, known=True)
        if record.ended:
            # Sending to an ended conversation raises; it is not a no-op.
            raise ConversationEndedError(conversation_id, record.notice or "")
        # Stored with the rest of the turn, in one write (or when the turn fails).
        unsaved = _Unsaved(conversation_id, record.user_id, [user])
        history = [*history, user]
        try:
            return (yield from self._steps(unsaved, history, user))
        except ConversationEndedError:
            raise  # ended elsewhere: nothing more can be stored
        except Exception:
            if unsaved.messages:  # the calls already answered are kept
                yield from self._save(unsaved)
            raise

    def _steps(
        self, unsaved: _Unsaved, history: list[dict[str, Any]], user: dict[str, Any]
    ) -> Generator[Effect, Any, Reply]:
        conversation_id = unsaved.conversation_id
        added: list[dict[str, Any]] = [user]
        verdicts: list[Verdict] = []
        texts: list[str] = []
        stop: str | None = "max_steps"
        for called in range(self.max_steps):
            if called and unsaved.messages:  # (the first call's history was just loaded)
                history = yield from self._refresh(unsaved, history)
            message: Message = yield CallModel(self.request(history))
            assistant = assistant_message(message)
            added.append(assistant)
            texts.append(_text(assistant))
            stop = assistant.get("stop_reason")
            uses = [b for b in assistant["content"] if b["type"] == "tool_use"]
            if not uses:
                unsaved.add([assistant])
                history = [*history, assistant]
                if stop == "pause_turn":
                    continue  # send the paused turn back unchanged so the model goes on
                break
            # Every tool call gets a result whatever the stop reason (end_turn,
            # max_tokens, pause_turn ...): a tool_use left unanswered makes the API
            # reject every later request of the conversation.
            step = yield from self._answer(unsaved, history, assistant, uses, stop)
            history = step.history
            added.append(step.outcome)
            verdicts.extend(step.verdicts)
            if step.ended is not None:
                # The model is not called again: it writes nothing after ending.
                return Reply(
                    conversation_id=conversation_id,
                    text="".join(texts),
                    ended=True,
                    notice=step.ended.notice,
                    verdicts=tuple(verdicts),
                    messages=tuple(added),
                    stop_reason="ended",
                )
        yield from self._save(unsaved)
        return Reply(
            conversation_id=conversation_id,
            text="".join(texts),
            ended=False,
            verdicts=tuple(verdicts),
            messages=tuple(added),
            stop_reason=stop,
        )

    def _append(
        self, unsaved: _Unsaved, history: list[dict[str, Any]]
    ) -> Generator[Effect, Any, list[dict[str, Any]]]:
        """Store the unsaved messages now (`history` ends with them); the history the
        model sees next, with anything another writer (a second tab) stored meanwhile."""
        if (yield from self._save(unsaved)) == len(history):
            return history
        stored: list[dict[str, Any]]
        _, stored = yield Load(unsaved.conversation_id)
        return stored

    def _refresh(
        self, unsaved: _Unsaved, history: list[dict[str, Any]]
    ) -> Generator[Effect, Any, list[dict[str, Any]]]:
        """Before a later model call: the history with anything another writer stored
        meanwhile (the turn then stores what it has first, and reads it all back)."""
        cid = unsaved.conversation_id
        stored = len(history) - len(unsaved.messages)
        record: ConversationRecord | None
        try:
            record = yield Peek(cid, stored)
        except Exception:  # the record cannot be read: the write below tells instead
            return (yield from self._append(unsaved, history))
        if record is None:
            return history  # nothing was committed since
        if record.ended:
            raise ConversationEndedError(cid, record.notice or "")
        if record.message_count == stored:
            return history
        return (yield from self._append(unsaved, history))

    def _save(self, unsaved: _Unsaved) -> Generator[Effect, Any, int | None]:
        """Store the turn's unsaved messages with the decisions on their calls, in one
        write (never twice: an append that failed may still have landed); the stored
        count it returned. What another writer (a second tab) stored meanwhile is read
        before the next model call, by the check before an end, or by the next turn."""
        messages, verdicts = unsaved.take()
        if not messages:
            return None
        count: int = yield Append(unsaved.conversation_id, messages, unsaved.user_id, verdicts)
        return count

    def _answer(
        self,
        unsaved: _Unsaved,
        history: list[dict[str, Any]],
        assistant: dict[str, Any],
        uses: list[dict[str, Any]],
        stop: str | None,
    ) -> Generator[Effect, Any, _Step]:
        """Results for every tool call of one assistant turn; an honored end is
        carried out only on the history it was checked against."""
        conversation_id, user_id = unsaved.conversation_id, unsaved.user_id
        ran: dict[str, dict[str, Any]] = {}
        for block in uses:
            if block["name"] == TOOL_NAME:
                continue
            if stop == "max_tokens":  # the call may be cut short: never run half a call
                ran[block["id"]] = _tool_result(block["id"], _NOT_RUN, is_error=True)
            else:
                ran[block["id"]] = yield from self._run(block["id"], block["name"], block["input"])
        # The builder's tools' results are read with the call: an ask-the-user tool may
        # bring back a disclosure the end must not pass over.
        beside = [{"role": "user", "content": list(ran.values())}] if ran else []
        for attempt in range(_ATTEMPTS):
            checked = [*history, assistant, *beside]
            decided = {
                b["id"]: self.guard.evaluate(checked, tool_use_id=b["id"])
                for b in uses
                if b["name"] == TOOL_NAME
            }
            ending = next((v for v in decided.values() if v.ends), None)
            if ending is None:
                break
            # What the turn has not stored yet is stored first: the end is conditional
            # on the stored count, and the stored transcript holds everything before it.
            yield from self._save(unsaved)
            # The end must rest on what is stored now, not on what was loaded when the
            # turn began: a user may have written from another tab meanwhile.
            try:
                record, stored = yield Load(conversation_id)
            except ConversationEndedError:
                raise
            except Exception as exc:  # unreadable: what it holds cannot be checked, no end
                why = f"the history could not be read ({type(exc).__name__}: {exc})"
                decided = {
                    k: _not_ended(v, _STORE_FAILED, why) if v.ends else v
                    for k, v in decided.items()
                }
                ending = None
                break
            if record.ended:
                raise ConversationEndedError(conversation_id, record.notice or "")
            if len(stored) == len(history):
                break
            history = stored  # decide again, on the stored history
            if attempt == _ATTEMPTS - 1:  # it will not hold still: no end on a moving history
                decided = {
                    k: _not_ended(v, _CHANGED, "the history kept changing") if v.ends else v
                    for k, v in decided.items()
                }
                ending = None

        def results(verdicts: dict[str, Verdict]) -> dict[str, Any]:
            return {
                "role": "user",
                "content": [
                    dict(verdicts[b["id"]].tool_result_block())
                    if b["id"] in verdicts
                    else ran[b["id"]]
                    for b in uses
                ],
            }

        outcome = results(decided)
        # A tool call is stored together with its results: the stored transcript
        # never holds a tool_use without its tool_result. Denied calls are stored with
        # the rest of the turn (one write); an end always writes before it is told.
        if ending is None:
            every = tuple(decided.values())
            unsaved.add([assistant, outcome], every)
            history = [*history, assistant, outcome]
            return _Step(history=history, outcome=outcome, verdicts=every, ended=None)
        # The call, its results and the honored decision are stored by the end's own
        # transaction: the stored transcript never says "ended" about a conversation
        # that goes on, and the audit never says "honored" about one that was not ended.
        others = tuple(v for v in decided.values() if v is not ending)
        ended: ConversationRecord | None = None
        why = ""
        try:
            ended = yield End(
                conversation_id,
                ending,
                user_id,
                expected_messages=len(history),
                messages=[assistant, outcome],
                verdicts=others,
            )
        except HistoryChangedError:
            why = "the history changed before the end"
        except Exception as exc:  # the store failed: did the end land or not?
            why = f"the end could not be stored ({type(exc).__name__}: {exc})"
            if (yield from self._ended_by(conversation_id, ending)):
                why = ""
        by = (ended.end_verdict or {}).get("tool_use_id") if ended is not None else None
        if ended is not None and by != ending.tool_use_id:
            # Ended meanwhile by another call (the first end wins): that end stands.
            raise ConversationEndedError(conversation_id, ended.notice or "")
        if not why:
            history = [*history, assistant, outcome]
            return _Step(
                history=history, outcome=outcome, verdicts=tuple(decided.values()), ended=ending
            )
        # Not ended, and nothing of the call stored: the truthful result is stored with
        # it, then the model is called again.
        if why.startswith("the end could not be stored"):
            final = _not_ended(ending, _STORE_FAILED, why)
        else:
            try:
                _, history = yield Load(conversation_id)
            except ConversationEndedError:
                raise
            except Exception as exc:  # unreadable: what it holds cannot be checked
                why = f"the history could not be read ({type(exc).__name__}: {exc})"
                final = _not_ended(ending, _STORE_FAILED, why)
            else:
                final = self._decide_again(ending, [*history, assistant, *beside], why)
        # Every call that would have ended is told the same truth (two calls in one message).
        decided = {
            k: final if v is ending else _same_outcome(final, v) if v.ends else v
            for k, v in decided.items()
        }
        told = results(decided)
        every = tuple(decided.values())
        unsaved.add([assistant, told], every)
        history = [*history, assistant, told]
        return _Step(history=history, outcome=told, verdicts=every, ended=None)

    def _ended_by(self, conversation_id: str, verdict: Verdict) -> Generator[Effect, Any, bool]:
        """Whether the conversation is stored as ended by this verdict's call."""
        try:
            record, _ = yield Load(conversation_id)
        except Exception:  # unknown counts as not ended: the chat goes on
            return False
        ended_by = (record.end_verdict or {}).get("tool_use_id")
        return bool(record.ended and ended_by == verdict.tool_use_id)

    def _decide_again(self, ending: Verdict, checked: list[dict[str, Any]], why: str) -> Verdict:
        """The guard's word on the call over the history as it now stands; never an end
        (the user wrote after the call, and nobody has answered them yet)."""
        again = self.guard.evaluate(checked, tool_use_id=ending.tool_use_id)
        if again.decision is Decision.DENIED:
            return again.model_copy(
                update={"reasons": (*again.reasons, ReasonCode.END_FAILED), "detail": why}
            )
        return _not_ended(ending, _CHANGED, why)

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


_ATTEMPTS = 3
"""Re-decisions on a history that keeps changing before the call is declined."""

_NOT_RUN = (
    "This call was cut off (stop_reason max_tokens) and was not run."
    " Call the tool again if it is still needed."
)
_STORE_FAILED = (
    "The conversation could not be ended: the conversation store failed, so the"
    " conversation continues. Do not tell the user it has ended; continue the conversation"
    " normally."
)
_CHANGED = (
    "The conversation was not ended: the user wrote again while this call was being"
    " checked. Read their new message and continue the conversation normally."
)
_UNSENDABLE = "The tool's result holds text that cannot be sent (it is not valid Unicode)."


def _not_ended(verdict: Verdict, text: str, detail: str) -> Verdict:
    """A call that qualified but was not carried out: denied, and the model told why."""
    block = {
        "type": "tool_result",
        "tool_use_id": verdict.tool_use_id or "",
        "content": text,
        "is_error": True,
    }
    return verdict.model_copy(
        update={
            "decision": Decision.DENIED,
            "reasons": (ReasonCode.END_FAILED,),
            "ends": False,
            "notice": None,
            "tool_result": block,
            "detail": detail,
        }
    )


def _same_outcome(final: Verdict, verdict: Verdict) -> Verdict:
    """`final` (a call that was not carried out) as the answer to another call."""
    use_id = verdict.tool_use_id or ""
    return final.model_copy(
        update={
            "tool_use_id": verdict.tool_use_id,
            "tool_result": {**final.tool_result, "tool_use_id": use_id},
            "end_reason": verdict.end_reason,
            "summary": verdict.summary,
        }
    )


def _tool_result(tool_use_id: str, content: str, *, is_error: bool) -> dict[str, Any]:
    if not _sendable(content):  # a handler's bad text would break every later request
        content, is_error = _UNSENDABLE, True
    return {
        "type": "tool_result",
        "tool_use_id": tool_use_id,
        "content": content,
        "is_error": is_error,
    }
