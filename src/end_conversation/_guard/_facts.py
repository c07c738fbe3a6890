"""The transcript as the rules see it: logical turns with their signals."""

from __future__ import annotations

from dataclasses import dataclass, field

from .._detect._protocol import Annotation, Signal
from .._transcript import Turn

__all__ = ["LogicalTurn", "group_turns"]


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
    signals: set[Signal] = field(default_factory=set)
    """Union of the signals of its messages."""
    where: dict[Signal, int] = field(default_factory=dict)
    """For each signal, the first message index that raised it (evidence)."""

    def has(self, *signals: Signal) -> bool:
        """True if any of `signals` was raised in this turn."""
        return any(s in self.signals for s in signals)

    def at(self, *signals: Signal) -> int:
        """Message index of the first of `signals` found, else the turn's first index."""
        for s in signals:
            if s in self.where:
                return self.where[s]
        return self.indices[0]


def group_turns(turns: tuple[Turn, ...], notes: list[Annotation]) -> list[LogicalTurn]:
    """Fold messages into logical turns; tool-only user messages join the assistant turn."""
    out: list[LogicalTurn] = []
    for turn, note in zip(turns, notes, strict=True):
        role = "assistant" if turn.is_tool_only else turn.role
        if not out or out[-1].role != role:
            out.append(LogicalTurn(role=role))
        current = out[-1]
        current.indices.append(turn.index)
        for signal in note.signals:
            current.signals.add(signal)
            current.where.setdefault(signal, turn.index)
    return out
