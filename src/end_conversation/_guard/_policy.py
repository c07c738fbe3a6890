"""Operator configuration for the guard. Every threshold lives here."""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .._tool import EndReason

__all__ = ["Mode", "Policy"]


class Mode(StrEnum):
    """What the guard does with a call that qualifies."""

    ENFORCE = "enforce"
    """Honored calls end the conversation."""
    SHADOW = "shadow"
    """Decide and record as usual, but never end: to measure before switching on."""
    OFF = "off"
    """Ending is switched off: every call is denied with reason ``disabled``."""


class Policy(BaseModel):
    """How strict the guard is. The defaults follow the published rules of Claude's feature.

    The risk and distress veto is not configurable: no policy can make the guard
    end a conversation with a user who may be at risk or is in distress.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(default="default", description="Name recorded in verdicts.")
    """Name recorded in verdicts."""
    mode: Mode = Field(default=Mode.ENFORCE, description="enforce, shadow or off.")
    """enforce, shadow or off."""
    min_refusals: int = Field(
        default=2,
        ge=1,
        le=20,
        description=(
            "Consecutive refusals/redirections required right"
            " before a harmful_requests or abuse call."
        ),
    )
    """Consecutive refusals/redirections required right before a harmful_requests or abuse call."""
    require_warning: bool = Field(
        default=True,
        description=(
            "A harmful_requests/abuse end needs an explicit"
            " warning in an earlier turn of the streak."
        ),
    )
    """A harmful_requests/abuse end needs an explicit warning in an earlier turn of the streak."""
    require_confirmation: bool = Field(
        default=True,
        description=(
            "A user_requested end needs a confirm-it-is-permanent question and an explicit yes."
        ),
    )
    """A user_requested end needs a confirm-it-is-permanent question and an explicit yes."""
    request_window: int = Field(
        default=3,
        ge=1,
        le=20,
        description=("How many user turns back an explicit end request may lie and still count."),
    )
    """How many user turns back an explicit end request may lie and still count."""
    require_behaviour_signal: bool = Field(
        default=True,
        description=(
            "An end for harmful requests or abuse also needs the detectors to read a user "
            "turn as a harmful request or as abuse: the assistant's refusals alone are not "
            "evidence enough (a model may refuse a benign request). Off: the refusals, the "
            "warning and the persistence suffice."
        ),
    )
    """An end for harmful requests / abuse needs a user turn read as a harmful request or
    abuse, not only the assistant's refusals (a model may over-refuse)."""
    two_step: bool = Field(
        default=False,
        description=(
            "The first qualifying call asks the model to confirm;"
            " only a second call in the same turn ends."
        ),
    )
    """The first qualifying call asks the model to confirm; a second call in that turn ends."""
    allowed_reasons: frozenset[EndReason] = Field(
        default=frozenset(EndReason),
        description=("Reasons that may end a conversation at all; others are denied as disabled."),
    )
    """Reasons that may end a conversation at all; others are denied as disabled."""
    unverified_calls: Literal["deny", "escalate"] = Field(
        default="deny",
        description=(
            "What to do with a call that has no history to check (an MCP client that sends "
            "no transcript): deny it, or escalate it to human review."
        ),
    )
    """What to do with a call that has no history to check: deny or escalate."""
    review_reasons: frozenset[EndReason] = Field(
        default=frozenset(),
        description=(
            "Reasons whose qualifying calls go to human review (escalated) instead of ending."
        ),
    )
    """Reasons whose qualifying calls go to human review (escalated) instead of ending."""

    @property
    def fingerprint(self) -> str:
        """``name#hash`` of the full configuration, recorded in verdicts."""
        # Sets dump as lists in hash order; sort them so the hash is the same everywhere.
        data = {
            k: sorted(v) if isinstance(v, list | set | frozenset) else v
            for k, v in self.model_dump(mode="json").items()
        }
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:8]
        return f"{self.name}#{digest}"
