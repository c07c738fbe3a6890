"""The guard's answer, as data."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .._tool import EndReason

if TYPE_CHECKING:
    from anthropic.types import ToolResultBlockParam

__all__ = ["Basis", "Decision", "ReasonCode", "Verdict", "Versions"]


class Decision(StrEnum):
    """What the guard decided about one ``end_conversation`` call."""

    HONORED = "honored"
    """The call qualifies (the conversation ends unless the policy is in shadow mode)."""
    DENIED = "denied"
    """The call does not qualify; the conversation continues."""
    ESCALATED = "escalated"
    """The call qualifies but goes to human review; the conversation continues for now."""


class ReasonCode(StrEnum):
    """Machine-readable reasons attached to a verdict."""

    # why an end was honored
    PERSISTED_AFTER_WARNING = "persisted_after_warning"
    """Enough refusals, an explicit warning, and the user persisted."""
    CONFIRMED_REQUEST = "confirmed_request"
    """The user asked to end, was asked to confirm, and confirmed."""
    # operator controls
    SHADOW_MODE = "shadow_mode"
    """Shadow mode: the decision is recorded but nothing ends."""
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    """Two-step mode: the model must call again to end."""
    REVIEW_REQUIRED = "review_required"
    """The policy sends this reason to human review."""
    DISABLED = "disabled"
    """Ending is switched off for this reason or altogether."""
    # why an end was denied
    RISK_VETO = "risk_veto"
    """The user may be at risk of harming themselves or others."""
    DISTRESS_VETO = "distress_veto"
    """The user appears to be in distress."""
    NO_REFUSAL_STREAK = "no_refusal_streak"
    """Too few consecutive refusals/redirections before the call."""
    NO_WARNING = "no_warning"
    """No explicit warning in the streak."""
    NO_PERSISTENCE = "no_persistence"
    """The user did not persist after the refusals and warning."""
    NO_BEHAVIOUR = "no_behaviour"
    """No user message reads as a harmful request or as abuse: the refusals alone
    show what the model thought, not what the user did (`Policy.require_behaviour_signal`)."""
    NO_END_REQUEST = "no_end_request"
    """The user never explicitly asked to end this conversation."""
    NO_CONFIRMATION_ASKED = "no_confirmation_asked"
    """The assistant did not ask the user to confirm the end is permanent."""
    NOT_CONFIRMED = "not_confirmed"
    """The user did not clearly confirm."""
    NOT_LAST_TURN = "not_last_turn"
    """The call is not in the latest assistant turn."""
    INVALID_INPUT = "invalid_input"
    """The transcript or the tool input could not be read."""
    DETECTOR_ERROR = "detector_error"
    """A detector failed or timed out."""
    UNVERIFIED = "unverified"
    """No history to check the call against: only the model's word (MCP without a transcript)."""
    END_FAILED = "end_failed"
    """The call qualified but the end could not be carried out (the history changed
    before it, or the store failed); the conversation continues."""


class Versions(BaseModel):
    """What decided a verdict: the exact policy, prompts and detectors."""

    model_config = ConfigDict(frozen=True)

    policy: str
    """Policy name and configuration hash."""
    prompts: str
    """Prompt references (``kind@version#hash``)."""
    detectors: str
    """Detector names and versions."""


Basis = Literal["transcript", "recorded", "attested"]
"""What the guard checked: a transcript sent with the call, the history recorded in the
store, or nothing but the model's word."""


class Verdict(BaseModel):
    """The guard's decision on one ``end_conversation`` call.

    A denial is data, never an exception: send `tool_result` back to the model and
    the conversation goes on.
    """

    model_config = ConfigDict(frozen=True)

    decision: Decision
    """honored, denied or escalated."""
    reasons: tuple[ReasonCode, ...]
    """Machine reason codes, most important first."""
    evidence: tuple[int, ...] = ()
    """Indices of the messages the decision rests on."""
    ends: bool = False
    """Whether the conversation ends now (honored and not in shadow mode)."""
    end_reason: EndReason | None = None
    """The reason the model gave, if its input was valid."""
    summary: str = ""
    """The model's summary, for the audit record; never shown to the user."""
    tool_use_id: str | None = None
    """The id of the call this verdict answers."""
    tool_result: dict[str, Any] = Field(default_factory=dict)
    """The ``tool_result`` block to send back to the model."""
    notice: str | None = None
    """The notice to show the user when the conversation ends."""
    detail: str = ""
    """A human-readable explanation."""
    versions: Versions
    """The policy, prompts and detectors that decided this."""
    basis: Basis = "transcript"
    """What the decision rests on (see `Basis`)."""

    @classmethod
    def honor(
        cls,
        *,
        reasons: tuple[ReasonCode, ...],
        evidence: tuple[int, ...],
        tool_use_id: str | None,
        text: str,
        notice: str | None,
        ends: bool,
        versions: Versions,
        end_reason: EndReason | None = None,
        summary: str = "",
        detail: str = "",
    ) -> Verdict:
        """A qualifying call (ends unless shadow mode)."""
        return cls(
            decision=Decision.HONORED,
            reasons=reasons,
            evidence=evidence,
            ends=ends,
            end_reason=end_reason,
            summary=summary,
            tool_use_id=tool_use_id,
            tool_result=_result(tool_use_id, text, is_error=False),
            notice=notice if ends else None,
            detail=detail,
            versions=versions,
        )

    @classmethod
    def deny(
        cls,
        reason: ReasonCode,
        *,
        text: str,
        versions: Versions,
        evidence: tuple[int, ...] = (),
        tool_use_id: str | None = None,
        more: tuple[ReasonCode, ...] = (),
        end_reason: EndReason | None = None,
        summary: str = "",
        detail: str = "",
        is_error: bool = True,
    ) -> Verdict:
        """A call that does not end the conversation; `text` tells the model what to do."""
        return cls(
            decision=Decision.DENIED,
            reasons=(reason, *more),
            evidence=evidence,
            end_reason=end_reason,
            summary=summary,
            tool_use_id=tool_use_id,
            tool_result=_result(tool_use_id, text, is_error=is_error),
            detail=detail or text,
            versions=versions,
        )

    @classmethod
    def escalate(
        cls,
        *,
        reasons: tuple[ReasonCode, ...],
        evidence: tuple[int, ...],
        tool_use_id: str | None,
        text: str,
        versions: Versions,
        end_reason: EndReason | None = None,
        summary: str = "",
        detail: str = "",
    ) -> Verdict:
        """A qualifying call sent to human review; the conversation stays open."""
        return cls(
            decision=Decision.ESCALATED,
            reasons=reasons,
            evidence=evidence,
            end_reason=end_reason,
            summary=summary,
            tool_use_id=tool_use_id,
            tool_result=_result(tool_use_id, text, is_error=False),
            detail=detail,
            versions=versions,
        )

    def tool_result_block(self) -> ToolResultBlockParam:
        """The ``tool_result`` as a typed Messages API block."""
        return {
            "type": "tool_result",
            "tool_use_id": str(self.tool_result.get("tool_use_id", "")),
            "content": str(self.tool_result.get("content", "")),
            "is_error": bool(self.tool_result.get("is_error", False)),
        }

    def to_json(self) -> str:
        """Compact JSON (what ``end-conversation check`` prints)."""
        return self.model_dump_json()


def _result(tool_use_id: str | None, text: str, *, is_error: bool) -> dict[str, Any]:
    return {
        "type": "tool_result",
        "tool_use_id": tool_use_id or "",
        "content": text,
        "is_error": is_error,
    }
