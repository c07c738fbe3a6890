"""end-conversation: an end_conversation tool for Claude, and a guard that checks every call.

Quick start::

    from end_conversation import Guard, Policy
    verdict = Guard(policy=Policy()).evaluate(messages)
    verdict.decision  # "honored" | "denied" | "escalated"
"""

from ._chat import (
    AsyncChat,
    AsyncConversation,
    Chat,
    Conversation,
    Reply,
    Tool,
    ToolFailure,
    evaluate_call,
)
from ._detect import Annotation, Detector, LearnedDetector, RuleDetector, Signal, TurnText
from ._errors import (
    ConfigurationError,
    ConversationEndedError,
    EndConversationError,
    HistoryChangedError,
    InvalidTranscriptError,
    ModelError,
    ModelResponseError,
    ReviewStateChangedError,
    StoreError,
    UnknownConversationError,
    UnknownPromptVersionError,
    UnsendableTextError,
)
from ._guard import Decision, Guard, Mode, Policy, ReasonCode, Verdict, Versions
from ._oversight import (
    CircumventionPolicy,
    CoolingOffError,
    Oversight,
    OversightPolicy,
    UserStanding,
)
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
from ._store import (
    AuditEvent,
    AuditProblem,
    AuditRecord,
    ChangeCounting,
    ConversationRecord,
    ConversationStore,
    Feedback,
    MemoryStore,
    PostgresStore,
    Review,
    SQLiteStore,
    open_store,
)
from ._tool import TOOL_NAME, EndConversationInput, EndReason, input_schema, tool_param
from ._transcript import ToolResult, ToolUse, Turn, parse_messages

__version__ = "0.1.0"

__all__ = [
    "TOOL_NAME",
    "Annotation",
    "AsyncChat",
    "AsyncConversation",
    "AuditEvent",
    "AuditProblem",
    "AuditRecord",
    "ChangeCounting",
    "Chat",
    "CircumventionPolicy",
    "ConfigurationError",
    "Conversation",
    "ConversationEndedError",
    "ConversationRecord",
    "ConversationStore",
    "CoolingOffError",
    "Decision",
    "Detector",
    "EndConversationError",
    "EndConversationInput",
    "EndReason",
    "Feedback",
    "Guard",
    "HistoryChangedError",
    "InvalidTranscriptError",
    "LearnedDetector",
    "MemoryStore",
    "Mode",
    "ModelError",
    "ModelResponseError",
    "Oversight",
    "OversightPolicy",
    "Policy",
    "PostgresStore",
    "Prompt",
    "PromptSet",
    "ReasonCode",
    "Reply",
    "ResultTexts",
    "Review",
    "ReviewStateChangedError",
    "RuleDetector",
    "SQLiteStore",
    "Signal",
    "StoreError",
    "Tool",
    "ToolFailure",
    "ToolResult",
    "ToolUse",
    "Turn",
    "TurnText",
    "UnknownConversationError",
    "UnknownPromptVersionError",
    "UnsendableTextError",
    "UserStanding",
    "Verdict",
    "Versions",
    "__version__",
    "evaluate_call",
    "input_schema",
    "load_prompt",
    "notice",
    "open_store",
    "parse_messages",
    "prompt_versions",
    "system_prompt",
    "tool_description",
    "tool_param",
]
