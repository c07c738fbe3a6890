"""The ``end_conversation`` tool: one input model feeds every schema."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from ._prompts import tool_description

if TYPE_CHECKING:
    from anthropic.types import ToolParam

__all__ = ["TOOL_NAME", "EndConversationInput", "EndReason", "input_schema", "tool_param"]

TOOL_NAME = "end_conversation"
"""The tool's name on the wire."""


class EndReason(StrEnum):
    """Why the model asks to end the conversation."""

    HARMFUL_REQUESTS = "harmful_requests"
    """Persistent requests for severely harmful content after refusals and a warning."""
    ABUSE = "abuse"
    """Persistent abuse directed at the assistant after redirections and a warning."""
    USER_REQUESTED = "user_requested"
    """The user asked to end this conversation and confirmed it is permanent."""


class EndConversationInput(BaseModel):
    """Input of the ``end_conversation`` tool."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)

    reason: EndReason = Field(
        description=(
            "Why the conversation should end: 'harmful_requests' (persistent requests for "
            "severely harmful content after refusals and a warning), 'abuse' (persistent "
            "abuse after redirections and a warning), or 'user_requested' (the user asked "
            "to end this conversation and confirmed they understand it is permanent)."
        )
    )
    """Why the conversation should end."""
    summary: str = Field(
        default="",
        max_length=2000,
        description=(
            "One or two sentences for the audit record describing what happened. "
            "Never shown to the user."
        ),
    )
    """Short free text for the audit record; never shown to the user."""


def input_schema() -> dict[str, Any]:
    """JSON schema of the tool input (Messages API ``input_schema`` / MCP ``inputSchema``)."""
    schema = EndConversationInput.model_json_schema()
    # Inline the enum so clients that do not resolve $ref see the allowed values.
    defs = schema.pop("$defs", {})
    for prop in schema["properties"].values():
        ref = prop.pop("$ref", None)
        if ref is not None:
            target = defs[ref.rsplit("/", 1)[-1]]
            prop.update({k: v for k, v in target.items() if k not in ("title", "description")})
    schema.pop("title", None)
    schema.pop("description", None)
    return schema


def tool_param(prompt_version: str | Path = "latest") -> ToolParam:
    """The Messages API ``ToolParam`` for ``end_conversation``."""
    return {
        "name": TOOL_NAME,
        "description": tool_description(prompt_version),
        "input_schema": input_schema(),
    }
