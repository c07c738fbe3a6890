"""Reason codes, review origins and signals in one plain sentence each."""

from __future__ import annotations

from .._detect import Signal
from .._guard import ReasonCode

__all__ = ["ORIGINS", "REASONS", "SIGNALS", "explain"]

REASONS: dict[ReasonCode, str] = {
    ReasonCode.PERSISTED_AFTER_WARNING: (
        "The assistant refused several times and warned that the chat could end,"
        " and the user kept on anyway."
    ),
    ReasonCode.CONFIRMED_REQUEST: (
        "The user asked to end the chat, was told it is permanent, and confirmed."
    ),
    ReasonCode.SHADOW_MODE: (
        "Shadow mode: this end would have been allowed, but nothing was ended; it is only recorded."
    ),
    ReasonCode.AWAITING_CONFIRMATION: (
        "Two-step mode: the model has to call a second time before the chat ends."
    ),
    ReasonCode.REVIEW_REQUIRED: (
        "The policy sends ends for this reason to a person first: the chat stays open"
        " until a reviewer decides."
    ),
    ReasonCode.DISABLED: "Ending is switched off for this reason (or altogether) by the policy.",
    ReasonCode.RISK_VETO: (
        "The user may be at risk of harming themselves or others, so the chat must not end."
    ),
    ReasonCode.DISTRESS_VETO: "The user seems to be in distress, so the chat must not end.",
    ReasonCode.NO_REFUSAL_STREAK: (
        "The assistant had not yet refused or redirected enough times in a row."
    ),
    ReasonCode.NO_WARNING: (
        "The assistant never clearly warned that the chat would end if this went on."
    ),
    ReasonCode.NO_PERSISTENCE: "The user did not keep on after the refusals and the warning.",
    ReasonCode.NO_BEHAVIOUR: (
        "Nothing the user wrote reads as a harmful request or as abuse: the assistant's"
        " refusals alone are not evidence (it may have refused a harmless request)."
    ),
    ReasonCode.NO_END_REQUEST: "The user never clearly asked to end this chat.",
    ReasonCode.NO_CONFIRMATION_ASKED: (
        "The assistant did not ask the user to confirm that ending is permanent."
    ),
    ReasonCode.NOT_CONFIRMED: "The user did not clearly confirm that they want the chat ended.",
    ReasonCode.NOT_LAST_TURN: "The end call was not in the assistant's latest message.",
    ReasonCode.INVALID_INPUT: "The conversation or the end call could not be read.",
    ReasonCode.DETECTOR_ERROR: (
        "A detector failed or timed out, so nothing was ended (when in doubt, continue)."
    ),
    ReasonCode.UNVERIFIED: (
        "There was no conversation history to check the call against: only the model's word."
    ),
    ReasonCode.END_FAILED: (
        "The end was decided but could not be carried out (the conversation changed or the "
        "store failed), so the conversation went on and the model was told so."
    ),
}

ORIGINS: dict[str, str] = {
    "escalated": "The guard found the end justified but the policy asks a person to decide.",
    "feedback": "The user said the end was unexpected.",
    "circumvention": "This user's conversations keep being ended.",
    "requested": "An operator asked for this end to be looked at.",
}

SIGNALS: dict[Signal, str] = {
    Signal.RISK_SELF: "may be considering suicide or self-harm",
    Signal.RISK_OTHERS: "may intend to harm others",
    Signal.DISTRESS: "seems distressed",
    Signal.END_REQUEST: "asks to end the chat",
    Signal.AFFIRM: "confirms",
    Signal.DECLINE: "declines or hesitates",
    Signal.HARMFUL_REQUEST: "asks for severely harmful content",
    Signal.ABUSE: "insults or threatens the assistant",
    Signal.BACK_OFF: "backs off or changes the subject",
    Signal.PAST_END: "talks about an earlier end or warning",
    Signal.REFUSAL: "refuses",
    Signal.REDIRECTION: "redirects",
    Signal.WARNING: "warns the chat may be ended",
    Signal.CONFIRM_QUESTION: "asks the user to confirm the end is permanent",
    Signal.CRISIS_SUPPORT: "offers crisis resources",
    Signal.SUPPORT: "responds with support",
}


def explain(code: str) -> str:
    """One plain sentence for a reason code (an unknown one says so)."""
    try:
        return REASONS[ReasonCode(code)]
    except ValueError:
        return f"An unrecognised reason code ({code})."
