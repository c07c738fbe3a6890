"""end-conversation: an end_conversation tool for Claude, and a guard that checks every call.

Quick start::

    from end_conversation import Guard, Policy
    verdict = Guard(policy=Policy()).evaluate(messages)
    verdict.decision  # "honored" | "denied" | "escalated"
"""

from ._detect import Annotation, Detector, RuleDetector, Signal, TurnText
from ._errors import (
    ConfigurationError,
    ConversationEndedError,
    EndConversationError,
    InvalidTranscriptError,
    UnknownPromptVersionError,
)
from ._guard import Decision, Guard, Mode, Policy, ReasonCode, Verdict, Versions
from ._prompts import (
    Prompt,
    PromptSet,
    ResultTexts,
    load_prompt,
    notice,
    prompt_versions,
    system_prompt,
    tool_description,
)
from ._tool import TOOL_NAME, EndConversationInput, EndReason, input_schema, tool_param
from ._transcript import ToolResult, ToolUse, Turn, parse_messages

__version__ = "0.1.0"

__all__ = [
    "TOOL_NAME",
    "Annotation",
    "ConfigurationError",
    "ConversationEndedError",
    "Decision",
    "Detector",
    "EndConversationError",
    "EndConversationInput",
    "EndReason",
    "Guard",
    "InvalidTranscriptError",
    "Mode",
    "Policy",
    "Prompt",
    "PromptSet",
    "ReasonCode",
    "ResultTexts",
    "RuleDetector",
    "Signal",
    "ToolResult",
    "ToolUse",
    "Turn",
    "TurnText",
    "UnknownPromptVersionError",
    "Verdict",
    "Versions",
    "__version__",
    "input_schema",
    "load_prompt",
    "notice",
    "parse_messages",
    "prompt_versions",
    "system_prompt",
    "tool_description",
    "tool_param",
]
