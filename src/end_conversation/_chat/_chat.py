"""Chat and AsyncChat: the conversation loop on the real anthropic SDK."""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import anyio.to_thread

from .._errors import EndConversationError, ModelResponseError
from .._guard import Guard, Verdict
from .._oversight import Oversight, OversightPolicy
from .._store import (
    ChangeCounting,
    ConversationRecord,
    ConversationStore,
    Feedback,
    SQLiteStore,
)
from .._store._protocol import FeedbackKind
from .._tool import TOOL_NAME
from ._core import (
    Append,
    CallModel,
    ChatCore,
    Effect,
    End,
    Load,
    Peek,
    Reply,
    RunTool,
    advance,
    sendable_text,
)
from ._tools import Tool

if TYPE_CHECKING:
    from anthropic import Anthropic, AsyncAnthropic  # noqa: F401 - named in the twins' bases
    from anthropic.types import Message

__all__ = ["AsyncChat", "AsyncConversation", "Chat", "Conversation", "evaluate_call"]

TextCallback = Callable[[str], Any]
ClientT = TypeVar("ClientT")


def evaluate_call(messages: Sequence[Any], tool_use: Any, *, guard: Guard | None = None) -> Verdict:
    """Check one end_conversation tool_use block from your own loop.

    `messages` is the transcript; if its last message is not the assistant message
    holding `tool_use`, that message is taken to be ``[tool_use]`` and appended.
    Send ``verdict.tool_result_block()`` back to the model; if ``verdict.ends``,
    lock the conversation and show ``verdict.notice``.
    """
    guard = guard or Guard()
    # Bad input is a denied verdict, never an exception (the call's id may be anything).
    block = tool_use.model_dump() if hasattr(tool_use, "model_dump") else tool_use
    if not isinstance(block, Mapping):
        return guard.invalid_input(f"the tool_use is {type(tool_use).__name__}, not a block")
    block = dict(block)
    use_id = block.get("id") if isinstance(block.get("id"), str) else None
    if block.get("name") != TOOL_NAME:
        return guard.invalid_input(f"tool_use {use_id!r} is not {TOOL_NAME}", use_id)
    if isinstance(messages, str | bytes) or not isinstance(messages, Sequence):
        return guard.invalid_input("transcript must be a list of messages", use_id)
    transcript = list(messages)
    last = transcript[-1] if transcript else None
    last_role = getattr(last, "role", None) or (
        last.get("role") if isinstance(last, dict) else None
    )
    if last_role != "assistant":
        transcript.append({"role": "assistant", "content": [block]})
    return guard.evaluate(transcript, tool_use_id=use_id)


def _seed(store_messages: list[dict[str, Any]], at: int) -> list[dict[str, Any]]:
    """Messages a branch keeps: everything before the user message being edited."""
    if not 0 <= at < len(store_messages):
        raise EndConversationError(f"no message {at}; the conversation has {len(store_messages)}")
    target = store_messages[at]
    content = target.get("content")
    is_text = isinstance(content, str) or (
        isinstance(content, list) and any(b.get("type") == "text" for b in content)
    )
    if target.get("role") != "user" or not is_text:
        raise EndConversationError(f"message {at} is not a user message that can be edited")
    return store_messages[:at]


def _malformed(exc: Exception) -> Exception:
    """A stream that broke: the SDK's own errors (HTTP status, connection) as they are;
    anything else means the events did not form a message."""
    from anthropic import APIError

    if isinstance(exc, APIError | EndConversationError):
        return exc
    return ModelResponseError(f"the stream could not be read ({type(exc).__name__}: {exc})")


def _read(chunks: Iterable[str]) -> Iterator[str]:
    """The stream's text; a malformed stream raises ModelResponseError. (Errors raised by
    the caller's on_text are not caught here: they do not come from the stream.)"""
    try:
        yield from chunks
    except Exception as exc:
        raise _malformed(exc) from exc


async def _aread(chunks: AsyncIterable[str]) -> AsyncIterator[str]:
    """The async twin of `_read`."""
    try:
        async for chunk in chunks:
            yield chunk
    except Exception as exc:
        raise _malformed(exc) from exc


Counts = tuple[int, int]
"""A store's `change_counts`: equal counts at two moments mean nothing was committed
in between."""


@dataclass(slots=True)
class _Held:
    """One conversation's held history."""

    record: ConversationRecord
    messages: list[dict[str, Any]]
    chars: int
    seen: Counts | None
    """The store's change counts when the entry was last known to be the whole stored
    conversation (None: not known, the store is asked)."""


def _change_counts_of(store: ConversationStore) -> Callable[[], Any] | None:
    """The store's `change_counts`, if it has them. Looking must not break a store
    that has none: a proxy may refuse an unknown attribute with any error."""
    try:
        return store.change_counts if isinstance(store, ChangeCounting) else None
    except Exception:
        return None


def _after_own(before: Counts | None) -> Counts | None:
    """What the store's counts will read if one write of ours is all that is committed
    after `before`: the next check compares them, so nothing is read here."""
    return None if before is None else (before[0], before[1] + 1)


class _Histories:
    """The histories of the conversations a chat works on, so that a turn need not
    read its conversation back from the store.

    An entry is the record as last read (never an ended one: nothing is sent to it),
    the conversation's messages as stored, and the store's change counts at which
    they were known to be all of them. Messages are only ever appended, so an entry
    stays the whole conversation while the store's counts do not move (nothing was
    committed at all), or while the stored record still shows as many messages and
    is open (one row, read when the counts moved or the store keeps none). When an
    append of k messages returns the count len(entry) + k, the entry plus those
    messages is the whole stored conversation; any other count drops the entry, and
    the next turn reads the conversation. Entries are copies (what a Reply hands out
    may be changed by its reader), bounded like the guard's caches by count and by
    the text they hold (the oldest go first; one huge conversation is simply read
    each time). Safe across threads (AsyncChat's store calls run in worker threads)."""

    def __init__(self, *, max_entries: int = 1024, max_chars: int = 32 * 2**20) -> None:
        self._held: dict[str, _Held] = {}
        self._chars = 0
        self._lock = threading.Lock()
        self.max_entries = max_entries
        self.max_chars = max_chars

    def get(
        self, conversation_id: str
    ) -> tuple[ConversationRecord, list[dict[str, Any]], Counts | None] | None:
        """The record as last read, the held history (a new list: the caller may
        extend it) and the counts it was last known whole at."""
        with self._lock:
            held = self._held.get(conversation_id)
            return None if held is None else (held.record, list(held.messages), held.seen)

    def unchanged(self, conversation_id: str, count: int, now: Counts | None) -> bool:
        """Whether the entry holds `count` messages and nothing was committed since it
        was known whole (the store's counts are still `now`)."""
        with self._lock:
            held = self._held.get(conversation_id)
            return (
                held is not None
                and now is not None
                and held.seen == now
                and len(held.messages) == count
            )

    def confirm(
        self, conversation_id: str, record: ConversationRecord, seen: Counts | None
    ) -> None:
        """A read of the record found a held copy still whole (`seen`: the counts taken
        before that read). Only an entry as long as the record says is confirmed: with
        sends from several threads, the entry held now may be another read than the
        copy that was checked."""
        with self._lock:
            held = self._held.get(conversation_id)
            if held is not None and len(held.messages) == record.message_count:
                held.record, held.seen = record, seen

    def read(
        self,
        conversation_id: str,
        record: ConversationRecord,
        messages: list[dict[str, Any]],
        seen: Counts | None,
    ) -> None:
        """What a read found (an ended conversation is not held: nothing is sent to
        it); `seen`: the counts taken before the read."""
        text = None if record.ended else _json(messages)
        with self._lock:
            self._drop(conversation_id)
            if text is not None:
                held = _Held(record, json.loads(text), len(text), seen)
                self._held[conversation_id] = held
                self._chars += len(text)
                self._trim(conversation_id)

    def appended(
        self, conversation_id: str, messages: Sequence[dict[str, Any]], count: int
    ) -> None:
        """An append of `messages` returned `count`. If the entry was whole at counts
        C, it is whole again at C with this one write added, unless something else
        was committed since C: the counts then differ, and the next check reads."""
        with self._lock:
            held = self._held.get(conversation_id)
            if held is None:
                return
            text = _json(messages)
            if text is None or len(held.messages) + len(messages) != count:
                self._drop(conversation_id)  # someone else wrote: read it next time
                return
            held.messages.extend(json.loads(text))
            held.chars += len(text)
            held.seen = _after_own(held.seen)
            self._chars += len(text)
            self._trim(conversation_id)

    def forget(self, conversation_id: str) -> None:
        with self._lock:
            self._drop(conversation_id)

    def _drop(self, conversation_id: str) -> None:
        held = self._held.pop(conversation_id, None)
        if held is not None:
            self._chars -= held.chars

    def _trim(self, conversation_id: str) -> None:
        """Keep within the bounds: an entry over a tenth of the text budget is not
        kept at all, then the oldest entries go."""
        if self._held[conversation_id].chars > self.max_chars // 10:
            self._drop(conversation_id)
        while self._held and (
            self._chars > self.max_chars or len(self._held) > self.max_entries
        ):
            self._drop(next(iter(self._held)))


def _json(messages: Sequence[dict[str, Any]]) -> str | None:
    """The messages as JSON text (what a held copy is made from), or None if they have
    none: such messages are not held."""
    try:
        return json.dumps(list(messages))
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Conversation:
    """A handle on one conversation of a `Chat`."""

    chat: Chat
    """The chat it belongs to."""
    id: str
    """The conversation id."""

    def send(self, text: str, *, on_text: TextCallback | None = None) -> Reply:
        """Send a user message; `on_text` streams the assistant's text as it arrives."""
        return self.chat.send(self.id, text, on_text=on_text)

    def branch(
        self, at: int, text: str, *, on_text: TextCallback | None = None
    ) -> tuple[Conversation, Reply]:
        """Edit the user message at index `at` and retry: a new conversation from there."""
        return self.chat.branch(self.id, at=at, text=text, on_text=on_text)

    def feedback(self, text: str = "", *, kind: FeedbackKind = "unexpected_end") -> Feedback:
        """The user's feedback on this conversation (on an end: queued for review)."""
        return self.chat.oversight.feedback(self.id, kind=kind, text=text)

    @property
    def record(self) -> ConversationRecord:
        """The stored state (ended or not, notice, verdict)."""
        return self.chat.store.get(self.id)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The stored messages."""
        return self.chat.store.messages(self.id)


class _BaseChat(Generic[ClientT]):
    """What Chat and AsyncChat share: configuration, the loop, and store-side logic."""

    def __init__(
        self,
        client: ClientT,
        *,
        model: str,
        store: ConversationStore | None = None,
        guard: Guard | None = None,
        system: str | None = None,
        tools: Sequence[Tool | Callable[..., Any]] = (),
        max_tokens: int = 1024,
        max_steps: int = 8,
        params: dict[str, Any] | None = None,
        oversight: OversightPolicy | None = None,
    ) -> None:
        self.client = client
        """The SDK client (its base_url, retries and timeouts are yours)."""
        self.store: ConversationStore = store if store is not None else SQLiteStore()
        """Where conversations live (SQLite file by default)."""
        self.core = ChatCore(
            model=model,
            guard=guard or Guard(),
            system=system,
            tools=[t if isinstance(t, Tool) else Tool.from_function(t) for t in tools],
            max_tokens=max_tokens,
            max_steps=max_steps,
            params=dict(params or {}),
        )
        """The loop and its configuration."""
        self.oversight = Oversight(self.store, oversight, guard=self.core.guard)
        """Audit trail, review, feedback and circumvention over the store."""
        self._histories = _Histories()
        self._change_counts = _change_counts_of(self.store)

    def _counts(self) -> Counts | None:
        """The store's change counts, if it keeps them (None: it does not, they could
        not be read, or they are not two integers, and the store is asked instead)."""
        if self._change_counts is None:
            return None
        try:
            counts: Any = self._change_counts()
        except Exception:
            return None
        if type(counts) is tuple and len(counts) == 2 and all(type(c) is int for c in counts):
            return (counts[0], counts[1])
        return None

    def _create(self, create: Callable[[], ConversationRecord]) -> ConversationRecord:
        """A conversation this chat creates: its (empty) history is known."""
        before = self._counts()
        record = create()
        self._histories.read(record.id, record, [], _after_own(before))
        return record

    def _fork(self, conversation_id: str, at: int) -> ConversationRecord:
        """Create the branch for an edit of message `at` (store calls only)."""
        parent = self.store.get(conversation_id)
        seed = _seed(self.store.messages(conversation_id), at)
        return self.oversight.branch(parent, seed, at)

    def _stored(self, effect: Load | Peek | Append | End) -> Any:
        """Carry out a store-side effect; every guard decision goes to the audit trail
        in the same transaction as the messages it concerns."""
        cid = effect.conversation_id
        if isinstance(effect, Peek):
            if self._histories.unchanged(cid, effect.count, self._counts()):
                return None
            return self.store.get(cid)
        if isinstance(effect, Load):
            return self._load(cid, known=effect.known)
        if isinstance(effect, Append):
            uid = effect.user_id
            events = self.oversight.decisions(cid, uid, effect.verdicts)
            try:
                count = self.store.append(cid, effect.messages, events=events)
            except BaseException:  # ended elsewhere, or did it land? read it next time
                self._histories.forget(cid)
                raise
            self._histories.appended(cid, effect.messages, count)
            self.oversight.after_decisions(cid, uid, effect.verdicts)
            return count
        uid = effect.user_id
        self._histories.forget(cid)  # ended or not, the next turn reads the store
        # The honored decision, the other calls' decisions, the call and its results
        # and the end share one transaction.
        events = self.oversight.decisions(cid, uid, [*effect.verdicts, effect.verdict])
        record = self.oversight.end(
            cid,
            effect.verdict,
            user_id=uid,
            events=events,
            expected_messages=effect.expected_messages,
            messages=effect.messages,
        )
        self.oversight.after_decisions(cid, uid, effect.verdicts)
        return record

    def _load(
        self, cid: str, *, known: bool
    ) -> tuple[ConversationRecord, list[dict[str, Any]]]:
        """The record and the stored messages; with `known`, the held history stands
        in for them while it is still the whole conversation."""
        held = self._histories.get(cid) if known else None
        now = self._counts()
        copy: list[dict[str, Any]] | None = None
        if held is not None:
            record, copy, seen = held
            if seen is not None and now == seen:
                return record, copy  # nothing was committed since
        try:
            record = self.store.get(cid)
            if copy is not None and not record.ended and record.message_count == len(copy):
                self._histories.confirm(cid, record, now)
                return record, copy
            messages = self.store.messages(cid)
        except BaseException:
            self._histories.forget(cid)
            raise
        self._histories.read(cid, record, messages, now)
        return record, messages


class Chat(_BaseChat["Anthropic"]):
    """A Claude conversation loop with end_conversation, checked by the guard.

    Keeps your system prompt and tools (the end_conversation section and tool are
    added), runs your tool handlers, handles ``pause_turn``, streams text when
    asked, and stores every message. When the guard honors an end, the
    conversation is locked: later sends raise `ConversationEndedError` with the
    notice; `branch` starts a new conversation from an edited earlier message.

    An end is carried out only on the stored history the call was checked against:
    if the user wrote meanwhile (another tab, another process), the guard decides
    again on what is stored, and the model is told what really happened. Every tool
    call gets a tool_result whatever the stop reason. Text the API cannot accept
    raises `UnsendableTextError` before anything is stored; a malformed response
    raises `ModelResponseError`, keeping the user's message.
    """

    def start(self, *, user_id: str | None = None) -> Conversation:
        """Start a new conversation (`CoolingOffError` if this user is cooling off)."""
        return Conversation(self, self._create(lambda: self.oversight.start(user_id=user_id)).id)

    def conversation(self, conversation_id: str) -> Conversation:
        """A handle on an existing conversation (raises UnknownConversationError)."""
        return Conversation(self, self.store.get(conversation_id).id)

    def send(
        self, conversation_id: str, text: str, *, on_text: TextCallback | None = None
    ) -> Reply:
        """Send a user message to a conversation."""
        return self._drive(self.core.turn(conversation_id, text), on_text)

    def branch(
        self, conversation_id: str, *, at: int, text: str, on_text: TextCallback | None = None
    ) -> tuple[Conversation, Reply]:
        """Edit-and-retry: copy messages before index `at` into a new conversation, send `text`."""
        sendable_text(text)  # refused before the branch is made
        record = self._fork(conversation_id, at)
        return Conversation(self, record.id), self.send(record.id, text, on_text=on_text)

    def _drive(self, flow: Generator[Effect, Any, Reply], on_text: TextCallback | None) -> Reply:
        step = advance(flow, None, None)
        while not isinstance(step, Reply):
            try:
                result = self._do(step, on_text)
            except Exception as exc:  # the effect failed: the flow decides what that means
                step = advance(flow, None, exc)
            else:
                step = advance(flow, result, None)
        return step

    def _do(self, effect: Effect, on_text: TextCallback | None) -> Any:
        if isinstance(effect, Load | Peek | Append | End):
            return self._stored(effect)
        if isinstance(effect, CallModel):
            return self._call(effect.params, on_text)
        if isinstance(effect, RunTool):
            value = effect.tool.handler(**effect.arguments)
            if inspect.isawaitable(value):
                raise EndConversationError(f"tool {effect.tool.name!r} is async; use AsyncChat")
            return value
        raise TypeError(f"unknown effect {effect!r}")

    def _call(self, params: dict[str, Any], on_text: TextCallback | None) -> Message:
        if on_text is None:
            message: Message = self.client.messages.create(**params)
            return message
        with self.client.messages.stream(**params) as stream:
            for chunk in _read(stream.text_stream):
                on_text(chunk)
            try:
                return stream.get_final_message()
            except Exception as exc:
                raise _malformed(exc) from exc


@dataclass(frozen=True)
class AsyncConversation:
    """A handle on one conversation of an `AsyncChat`."""

    chat: AsyncChat
    """The chat it belongs to."""
    id: str
    """The conversation id."""

    async def send(self, text: str, *, on_text: TextCallback | None = None) -> Reply:
        """Send a user message; `on_text` streams the assistant's text as it arrives."""
        return await self.chat.send(self.id, text, on_text=on_text)

    async def branch(
        self, at: int, text: str, *, on_text: TextCallback | None = None
    ) -> tuple[AsyncConversation, Reply]:
        """Edit the user message at index `at` and retry: a new conversation from there."""
        return await self.chat.branch(self.id, at=at, text=text, on_text=on_text)

    async def feedback(self, text: str = "", *, kind: FeedbackKind = "unexpected_end") -> Feedback:
        """The user's feedback on this conversation (on an end: queued for review)."""
        oversight = self.chat.oversight
        return await anyio.to_thread.run_sync(
            lambda: oversight.feedback(self.id, kind=kind, text=text)
        )

    async def record(self) -> ConversationRecord:
        """The stored state."""
        return await anyio.to_thread.run_sync(self.chat.store.get, self.id)

    async def messages(self) -> list[dict[str, Any]]:
        """The stored messages."""
        return await anyio.to_thread.run_sync(self.chat.store.messages, self.id)


class AsyncChat(_BaseChat["AsyncAnthropic"]):
    """The async twin of `Chat` (same loop, same arguments, `AsyncAnthropic`).

    Tool handlers may be sync or async; store calls run in a worker thread.
    """

    async def start(self, *, user_id: str | None = None) -> AsyncConversation:
        """Start a new conversation (`CoolingOffError` if this user is cooling off)."""
        record = await anyio.to_thread.run_sync(
            self._create, lambda: self.oversight.start(user_id=user_id)
        )
        return AsyncConversation(self, record.id)

    async def conversation(self, conversation_id: str) -> AsyncConversation:
        """A handle on an existing conversation."""
        record = await anyio.to_thread.run_sync(self.store.get, conversation_id)
        return AsyncConversation(self, record.id)

    async def send(
        self, conversation_id: str, text: str, *, on_text: TextCallback | None = None
    ) -> Reply:
        """Send a user message to a conversation."""
        return await self._drive(self.core.turn(conversation_id, text), on_text)

    async def branch(
        self, conversation_id: str, *, at: int, text: str, on_text: TextCallback | None = None
    ) -> tuple[AsyncConversation, Reply]:
        """Edit-and-retry: copy messages before index `at` into a new conversation, send `text`."""
        sendable_text(text)  # refused before the branch is made
        record = await anyio.to_thread.run_sync(self._fork, conversation_id, at)
        return AsyncConversation(self, record.id), await self.send(record.id, text, on_text=on_text)

    async def _drive(
        self, flow: Generator[Effect, Any, Reply], on_text: TextCallback | None
    ) -> Reply:
        step = advance(flow, None, None)
        while not isinstance(step, Reply):
            try:
                result = await self._do(step, on_text)
            except Exception as exc:  # the effect failed: the flow decides what that means
                step = advance(flow, None, exc)
            else:
                step = advance(flow, result, None)
        return step

    async def _do(self, effect: Effect, on_text: TextCallback | None) -> Any:
        if isinstance(effect, Load | Peek | Append | End):
            return await anyio.to_thread.run_sync(self._stored, effect)
        if isinstance(effect, CallModel):
            return await self._call(effect.params, on_text)
        if isinstance(effect, RunTool):
            value = effect.tool.handler(**effect.arguments)
            return await value if inspect.isawaitable(value) else value
        raise TypeError(f"unknown effect {effect!r}")

    async def _call(self, params: dict[str, Any], on_text: TextCallback | None) -> Message:
        if on_text is None:
            message: Message = await self.client.messages.create(**params)
            return message
        async with self.client.messages.stream(**params) as stream:
            async for chunk in _aread(stream.text_stream):
                on_text(chunk)
            try:
                return await stream.get_final_message()
            except Exception as exc:
                raise _malformed(exc) from exc
