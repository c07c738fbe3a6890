"""The Messages API integration: a conversation loop that offers end_conversation."""

from ._chat import AsyncChat, AsyncConversation, Chat, Conversation, evaluate_call
from ._core import Reply
from ._tools import Tool, ToolFailure

__all__ = [
    "AsyncChat",
    "AsyncConversation",
    "Chat",
    "Conversation",
    "Reply",
    "Tool",
    "ToolFailure",
    "evaluate_call",
]
