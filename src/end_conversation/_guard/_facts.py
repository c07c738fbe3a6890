"""The transcript as the rules see it: compact per-message facts, folded into turns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .._detect._protocol import Signal, signal_mask
from .._tool import TOOL_NAME
from .._transcript import Turn, as_message_list, parse_one

__all__ = [
    "SUPPLIED_SIGNALS",
    "THINKING_SIGNALS",
    "Facts",
    "LogicalTurn",
    "as_message_list",
    "group_turns",
]

# Which signals each source of text may raise. The words of a message itself raise
# any signal. Text supplied with a user message (documents, search results, tool
# results, which someone else may have written) and the assistant's thinking (never
# shown to the user) may only ever stop an end: they can raise the veto, never a
# refusal, a warning, a request, a confirmation or a behaviour that helps one.
SUPPLIED_SIGNALS = frozenset({Signal.RISK_SELF, Signal.RISK_OTHERS, Signal.DISTRESS})
"""Signals read from documents, search results and tool results in user messages."""
THINKING_SIGNALS = frozenset({Signal.CRISIS_SUPPORT, Signal.SUPPORT})
"""Signals read from the assistant's thinking: its own reading of risk or distress."""


@dataclass(slots=True)
class Facts:
    """What the rules need of each message, in parallel lists (cheap for long histories)."""

    roles: list[str] = field(default_factory=list)
    """``user`` or ``assistant`` per message."""
    masks: list[int] = field(default_factory=list)
    """Signal bit mask per message."""
    tool_only: list[bool] = field(default_factory=list)
    """True for user messages that only carry tool results."""
    end_calls: list[bool] = field(default_factory=list)
    """True for assistant messages holding an end_conversation call."""
    speakers: list[str] = field(default_factory=list)
    """Whose turn each message belongs to: tool-only user messages are the assistant's."""
    wrote: list[bool] = field(default_factory=list)
    """True for messages with words of their own (not only images, attachments or
    tool results): only those can show a user persisting."""
    errors: dict[int, str] = field(default_factory=dict)
    """Detector failures by message index."""
    turns: dict[int, Turn] = field(default_factory=dict)
    """Fully parsed messages (block content), by index."""

    def append(
        self,
        role: str,
        mask: int,
        *,
        tool_only: bool = False,
        end_call: bool = False,
        wrote: bool = True,
    ) -> None:
        """Record one message."""
        self.roles.append(role)
        self.wrote.append(wrote)
        self.masks.append(mask)
        self.tool_only.append(tool_only)
        self.end_calls.append(end_call)
        self.speakers.append("assistant" if tool_only else role)

    def turn(self, messages: Sequence[Any], index: int) -> Turn:
        """The full parse of one message (parsed on demand for string messages)."""
        found = self.turns.get(index)
        if found is None:
            found = self.turns[index] = parse_one(index, messages[index])
        return found


def has_end_call(turn: Turn) -> bool:
    """Whether a parsed message calls end_conversation."""
    return any(u.name == TOOL_NAME for u in turn.tool_uses)


@dataclass(kw_only=True, slots=True)
class LogicalTurn:
    """Consecutive messages of one speaker, tool round-trips folded in.

    An assistant turn that calls a builder's tool, gets the result and goes on is
    one turn for the person reading it; the rules count it once.
    """

    role: str
    """``user`` or ``assistant``."""
    indices: list[int] = field(default_factory=list)
    """Message indices this turn covers."""
    masks: list[int] = field(default_factory=list)
    """Signal mask of each of those messages."""
    mask: int = 0
    """Union of the signals of its messages."""
    wrote: bool = False
    """Some message of the turn has words of its own."""

    def has(self, *signals: Signal) -> bool:
        """True if any of `signals` was raised in this turn."""
        return bool(self.mask & signal_mask(signals))

    def at(self, *signals: Signal) -> int:
        """Message index of the first message raising one of `signals`, else the first index."""
        for signal in signals:
            bit = signal_mask((signal,))
            for index, mask in zip(self.indices, self.masks, strict=True):
                if mask & bit:
                    return index
        return self.indices[0]


def group_turns(facts: Facts, start: int, end: int) -> list[LogicalTurn]:
    """Fold messages ``[start, end)`` into logical turns.

    Tool-only user messages join the assistant turn around them.
    """
    out: list[LogicalTurn] = []
    current: LogicalTurn | None = None
    speakers, masks, wrote = facts.speakers, facts.masks, facts.wrote
    for i in range(start, end):
        role = speakers[i]
        if current is None or current.role != role:
            current = LogicalTurn(role=role)
            out.append(current)
        current.indices.append(i)
        current.masks.append(masks[i])
        current.mask |= masks[i]
        current.wrote = current.wrote or wrote[i]
    return out
