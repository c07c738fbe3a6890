"""What a detector is: something that annotates one turn with signals."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, Protocol, runtime_checkable

__all__ = ["Annotation", "Detector", "Signal", "TurnText", "signal_mask"]


class Signal(StrEnum):
    """What a detector can say about a turn."""

    # user turns
    RISK_SELF = "risk_self"
    """The user may be considering suicide or self-harm."""
    RISK_OTHERS = "risk_others"
    """The user may intend to harm other people."""
    DISTRESS = "distress"
    """The user is sad, lonely, frightened, grieving or otherwise distressed."""
    END_REQUEST = "end_request"
    """The user explicitly asks to end this conversation."""
    AFFIRM = "affirm"
    """A clear yes / confirmation."""
    DECLINE = "decline"
    """A no, a hesitation or a change of mind."""
    HARMFUL_REQUEST = "harmful_request"
    """A request for severely harmful content."""
    ABUSE = "abuse"
    """Insults, threats or degrading language aimed at the assistant."""
    BACK_OFF = "back_off"
    """The user apologises, drops the matter or changes the subject."""
    PAST_END = "past_end"
    """The turn talks about an earlier ended conversation or an earlier warning."""
    # assistant turns
    REFUSAL = "refusal"
    """The assistant declines to do what was asked."""
    REDIRECTION = "redirection"
    """The assistant steers toward something else or asks for respectful conduct."""
    WARNING = "warning"
    """The assistant warns that the conversation may be ended if the behaviour continues."""
    CONFIRM_QUESTION = "confirm_question"
    """The assistant asks the user to confirm that ending is permanent."""
    CRISIS_SUPPORT = "crisis_support"
    """The assistant offers crisis resources (it saw a sign of risk)."""
    SUPPORT = "support"
    """The assistant responds to distress (it saw the user struggling)."""


_BITS: dict[Signal, int] = {signal: 1 << i for i, signal in enumerate(Signal)}


def signal_mask(signals: frozenset[Signal] | set[Signal] | tuple[Signal, ...]) -> int:
    """The signals as a bit mask (for fast set tests over long histories)."""
    mask = 0
    for signal in signals:
        mask |= _BITS[signal]
    return mask


@dataclass(frozen=True, kw_only=True, slots=True)
class TurnText:
    """What a detector sees of one turn."""

    role: Literal["user", "assistant"]
    """Who wrote it."""
    text: str
    """The text of the turn."""
    refusal_stop: bool = False
    """The model's turn ended with ``stop_reason == "refusal"``."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Annotation:
    """What one detector found in one turn."""

    signals: frozenset[Signal] = frozenset()
    """The signals found."""
    cues: tuple[tuple[Signal, str], ...] = ()
    """For audit: which phrase raised which signal."""
    error: str | None = None
    """Set when the detector failed or timed out; the guard then never honors."""
    scores: tuple[tuple[Signal, float], ...] = ()
    """For audit: a learned detector's highest score per signal (0 to 1)."""

    def has(self, *signals: Signal) -> bool:
        """True if any of `signals` was found."""
        return not self.signals.isdisjoint(signals)

    @property
    def mask(self) -> int:
        """The signals as a bit mask."""
        return signal_mask(self.signals)

    def merge(self, other: Annotation) -> Annotation:
        """Union of two annotations of the same turn (errors are kept)."""
        errors = [e for e in (self.error, other.error) if e]
        return Annotation(
            signals=self.signals | other.signals,
            cues=self.cues + other.cues,
            error="; ".join(errors) or None,
            scores=self.scores + other.scores,
        )


EMPTY = Annotation()


@runtime_checkable
class Detector(Protocol):
    """Annotates turns. Must be pure: the same turn always gets the same annotation.

    A detector that needs I/O (an embedding model, an LLM judge) runs before the
    guard and hands its annotations in (see `Guard.evaluate`'s ``annotations``);
    if it failed or timed out it reports that in `Annotation.error`.
    """

    name: str
    """Short name, recorded in verdicts."""
    version: str
    """Version, recorded in verdicts; change it whenever behaviour changes."""

    def annotate(self, turn: TurnText) -> Annotation:
        """Annotate one turn."""
        ...
