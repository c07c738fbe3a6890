"""The rules: pure functions from logical turns and a policy to an outcome.

Each rule returns an `Outcome`: either the evidence that the call qualifies, or
the reason it does not. The guard turns outcomes into verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .._detect._protocol import Signal, signal_mask
from .._tool import EndReason
from ._facts import Facts, LogicalTurn
from ._policy import Policy
from ._verdict import ReasonCode

__all__ = ["Outcome", "check_call", "suffix_start", "veto"]

_RISK = (Signal.RISK_SELF, Signal.RISK_OTHERS)
_STREAK = (Signal.REFUSAL, Signal.REDIRECTION, Signal.WARNING)


@dataclass(frozen=True, kw_only=True, slots=True)
class Outcome:
    """What a rule found."""

    qualifies: bool
    """The call meets every condition of its rule."""
    reason: ReasonCode
    """Why it qualifies, or the first condition it fails."""
    evidence: tuple[int, ...] = ()
    """Message indices supporting the outcome."""
    params: dict[str, str] = field(default_factory=dict)
    """Values for the tool_result text placeholders."""


_RISK_MASK = signal_mask(_RISK)
_CRISIS_MASK = signal_mask((Signal.CRISIS_SUPPORT,))
_DISTRESS_MASK = signal_mask((Signal.DISTRESS,))
_SUPPORT_MASK = signal_mask((Signal.SUPPORT,))
_STREAK_MASK = signal_mask(_STREAK)


def veto(facts: Facts, end: int) -> Outcome | None:
    """Risk or distress anywhere in messages ``[0, end)`` vetoes any end.

    The assistant's own reading counts too: crisis resources it offered are a
    risk sign, words of support for someone struggling a distress sign. The model
    saw something, even if the detectors did not.
    """
    risk: list[int] = []
    distress: list[int] = []
    for i, (role, mask) in enumerate(zip(facts.roles[:end], facts.masks[:end], strict=True)):
        if not mask:
            continue
        if role == "user":
            if mask & _RISK_MASK:
                risk.append(i)
            elif mask & _DISTRESS_MASK:
                distress.append(i)
        elif mask & _CRISIS_MASK:
            risk.append(i)
        elif mask & _SUPPORT_MASK:
            distress.append(i)
    if risk:
        return Outcome(qualifies=False, reason=ReasonCode.RISK_VETO, evidence=tuple(risk))
    if distress:
        return Outcome(qualifies=False, reason=ReasonCode.DISTRESS_VETO, evidence=tuple(distress))
    return None


def suffix_start(facts: Facts, end: int, policy: Policy) -> int:
    """First message the rules can look at, so long histories are grouped only in part.

    Walking back from the call, the rules stop at the first assistant turn that is
    not a refusal, redirection or warning (the streak), and look at most
    `request_window` user turns back (an end request). Everything before both
    limits cannot change the outcome.
    """
    speakers, masks = facts.speakers, facts.masks
    users = 0
    broken = False
    i = end - 1
    first = True
    while i >= 0:
        role = speakers[i]
        mask = 0
        j = i
        while j >= 0 and speakers[j] == role:
            mask |= masks[j]
            j -= 1
        if role == "user":
            users += 1
        elif not first and not mask & _STREAK_MASK:
            broken = True
        first = False
        if broken and users > policy.request_window + 1:
            return j + 1
        i = j
    return 0


def _persistent(turns: list[LogicalTurn], policy: Policy) -> Outcome:
    """harmful_requests / abuse: a refusal streak, a warning in it, and persistence after."""
    call = len(turns) - 1
    streak: list[int] = []  # positions in `turns`, newest first
    pos = call - 1
    while pos >= 0:
        turn = turns[pos]
        if turn.role == "assistant":
            if not turn.has(*_STREAK):
                break
            streak.append(pos)
        pos -= 1
    if len(streak) < policy.min_refusals:
        return Outcome(
            qualifies=False,
            reason=ReasonCode.NO_REFUSAL_STREAK,
            evidence=tuple(turns[p].at(*_STREAK) for p in reversed(streak)),
            params={"found": str(len(streak)), "required": str(policy.min_refusals)},
        )
    oldest = streak[-1]
    warned = [p for p in streak if turns[p].has(Signal.WARNING)]
    if policy.require_warning and not warned:
        return Outcome(
            qualifies=False,
            reason=ReasonCode.NO_WARNING,
            evidence=tuple(turns[p].at(*_STREAK) for p in reversed(streak)),
        )
    users = [p for p in range(max(oldest - 1, 0), call) if turns[p].role == "user"]
    last_user = turns[call - 1] if call >= 1 and turns[call - 1].role == "user" else None
    # A turn with no words of its own (an image, an empty or blank message) says
    # nothing, so it cannot be persisting.
    if last_user is None or not last_user.wrote or last_user.has(Signal.BACK_OFF):
        return Outcome(
            qualifies=False,
            reason=ReasonCode.NO_PERSISTENCE,
            evidence=(last_user.indices[0],) if last_user else (),
        )
    if policy.require_behaviour_signal:
        # The refusals show what the model thought of the requests, not what they
        # were: a model may refuse a benign one. Some user turn must read as a harmful
        # request or as abuse (either, for either reason: the ask that started it may
        # lie before the streak, and abuse while pressing a harmful ask is both).
        said = [p for p in range(call) if turns[p].role == "user"]
        if not any(turns[p].has(Signal.HARMFUL_REQUEST, Signal.ABUSE) for p in said):
            return Outcome(
                qualifies=False,
                reason=ReasonCode.NO_BEHAVIOUR,
                evidence=tuple(turns[p].indices[0] for p in users),
            )
    evidence = {turns[p].at(*_STREAK) for p in streak}
    evidence |= {turns[p].at(Signal.WARNING) for p in warned}
    evidence |= {turns[p].indices[0] for p in users}
    return Outcome(
        qualifies=True,
        reason=ReasonCode.PERSISTED_AFTER_WARNING,
        evidence=tuple(sorted(evidence)),
    )


def _requested(turns: list[LogicalTurn], policy: Policy) -> Outcome:
    """user_requested: a recent explicit request, a confirm question, an explicit yes."""
    call = len(turns) - 1
    users = [p for p in range(call) if turns[p].role == "user"]
    if not users or users[-1] != call - 1:
        return Outcome(qualifies=False, reason=ReasonCode.NO_END_REQUEST)
    recent = users[-policy.request_window :]
    requests = [p for p in recent if turns[p].has(Signal.END_REQUEST)]
    last = turns[call - 1]
    if not requests:
        return Outcome(
            qualifies=False, reason=ReasonCode.NO_END_REQUEST, evidence=(last.indices[0],)
        )
    if not policy.require_confirmation:
        if last.has(Signal.DECLINE) or not last.wrote:  # an image or a blank says nothing
            return Outcome(
                qualifies=False, reason=ReasonCode.NOT_CONFIRMED, evidence=(last.indices[0],)
            )
        return Outcome(
            qualifies=True,
            reason=ReasonCode.CONFIRMED_REQUEST,
            evidence=tuple(turns[p].at(Signal.END_REQUEST) for p in requests),
        )
    question = call - 2
    asked = question >= 0 and turns[question].has(Signal.CONFIRM_QUESTION)
    earlier = [p for p in requests if p < question]
    if not asked or not earlier:
        return Outcome(
            qualifies=False,
            reason=ReasonCode.NO_CONFIRMATION_ASKED,
            evidence=tuple(turns[p].at(Signal.END_REQUEST) for p in requests),
        )
    if not last.has(Signal.AFFIRM) or last.has(Signal.DECLINE):
        return Outcome(
            qualifies=False, reason=ReasonCode.NOT_CONFIRMED, evidence=(last.indices[0],)
        )
    return Outcome(
        qualifies=True,
        reason=ReasonCode.CONFIRMED_REQUEST,
        evidence=(
            turns[earlier[-1]].at(Signal.END_REQUEST),
            turns[question].at(Signal.CONFIRM_QUESTION),
            last.at(Signal.AFFIRM),
        ),
    )


def check_call(turns: list[LogicalTurn], reason: EndReason, policy: Policy) -> Outcome:
    """Apply the rule for `reason`. ``turns[-1]`` is the assistant turn holding the call."""
    if reason is EndReason.USER_REQUESTED:
        return _requested(turns, policy)
    return _persistent(turns, policy)
