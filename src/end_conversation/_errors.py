"""Error types. Every error the library raises derives from `EndConversationError`."""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "ConversationEndedError",
    "EndConversationError",
    "InvalidTranscriptError",
    "ModelError",
    "StoreError",
    "UnknownConversationError",
    "UnknownPromptVersionError",
]


class EndConversationError(Exception):
    """Root of every error raised by end-conversation."""


class ConfigurationError(EndConversationError):
    """A policy, prompt or option is invalid; the message says which and how to fix it."""


class UnknownPromptVersionError(ConfigurationError):
    """A prompt version was asked for that does not exist."""

    def __init__(self, kind: str, version: str, available: tuple[str, ...]) -> None:
        self.kind = kind
        """The prompt kind asked for (``system``, ``tool``, ...)."""
        self.version = version
        """The version that was not found."""
        self.available = available
        """The versions that do exist."""
        listed = ", ".join(available) or "none"
        super().__init__(
            f"no {kind} prompt version {version!r}; available: {listed} "
            "(or pass a path to your own file)"
        )


class InvalidTranscriptError(EndConversationError):
    """A transcript could not be read as a Messages API message list.

    The guard never lets this escape: it turns it into a denied verdict with the
    reason ``invalid_input``. It is public so that callers of the parsing helpers
    can catch it.
    """


class ConversationEndedError(EndConversationError):
    """A message was sent to a conversation that has been ended.

    Sending to an ended conversation raises; it is not a no-op. Start a new
    conversation, or branch from an earlier message.
    """

    def __init__(self, conversation_id: str, notice: str) -> None:
        self.conversation_id = conversation_id
        """The id of the ended conversation."""
        self.notice = notice
        """The notice to show the user."""
        super().__init__(f"conversation {conversation_id!r} has been ended")


class StoreError(EndConversationError):
    """The conversation store failed (unreadable file, foreign database, I/O error)."""


class UnknownConversationError(StoreError):
    """No conversation has this id (for this caller)."""

    def __init__(self, conversation_id: str) -> None:
        self.conversation_id = conversation_id
        """The id that was not found."""
        super().__init__(f"no conversation {conversation_id!r}; start a new one")


class ModelError(EndConversationError):
    """A learned detector's model could not be loaded or run (missing or damaged
    weights, an encoder that fails to import or raises). The guard records it as a
    ``detector_error``: the call is denied and the conversation goes on."""
