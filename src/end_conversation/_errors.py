"""Error types. Every error the library raises derives from `EndConversationError`."""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "ConversationEndedError",
    "EndConversationError",
    "HistoryChangedError",
    "InvalidTranscriptError",
    "ModelError",
    "ModelResponseError",
    "ReviewStateChangedError",
    "StoreError",
    "UnknownConversationError",
    "UnknownPromptVersionError",
    "UnsendableTextError",
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


class HistoryChangedError(StoreError):
    """An end was refused because the conversation changed after it was checked.

    An end is conditional on the history the guard checked: if messages were added
    (or the history otherwise differs) in the meantime, nothing is ended and nothing
    is recorded. Read the conversation again and decide again on what it now holds.
    """

    def __init__(self, conversation_id: str, expected: int, actual: int) -> None:
        self.conversation_id = conversation_id
        """The conversation that changed."""
        self.expected = expected
        """How many messages the checked history held."""
        self.actual = actual
        """How many messages the conversation holds now."""
        super().__init__(
            f"conversation {conversation_id!r} changed while it was being checked"
            f" ({expected} messages checked, {actual} stored); nothing was ended:"
            " check the new history and decide again"
        )


class ReviewStateChangedError(StoreError):
    """A review cannot be upheld: its conversation is no longer in the state it was
    in when the review was opened (ended by something else, its end overturned, or
    reopened). Nothing was changed; overturn the review, or open a new one on the
    conversation as it is now."""

    def __init__(self, review_id: str, conversation_id: str, what: str) -> None:
        self.review_id = review_id
        """The review that was not upheld."""
        self.conversation_id = conversation_id
        """Its conversation."""
        self.what = what
        """What changed, in words."""
        super().__init__(
            f"review {review_id!r} cannot be upheld: conversation {conversation_id!r} {what}"
            " since the review was opened; nothing was changed (overturn the review, or"
            " open a new one on the conversation as it is now)"
        )
class UnsendableTextError(EndConversationError, ValueError):
    """Text that the Messages API cannot accept: not a string, empty or only whitespace,
    or holding code points that are not valid UTF-8 (a lone surrogate such as ``"\\ud800"``).

    It is refused before anything is stored, so the conversation keeps working.
    """

    def __init__(self, problem: str, position: int | None = None) -> None:
        self.problem = problem
        """What is wrong with the text."""
        self.position = position
        """The index of the first offending character, when there is one."""
        where = f" at position {position}" if position is not None else ""
        super().__init__(f"the text cannot be sent: {problem}{where}; nothing was stored")


class ModelResponseError(EndConversationError):
    """The Messages API answered with something that is not a well-formed message
    (no content list, a block without a type, a tool_use without an id ...).

    Nothing from the answer is stored; the user's message is kept, so sending again
    retries.
    """

    def __init__(self, problem: str) -> None:
        self.problem = problem
        """What is malformed in the response."""
        super().__init__(f"malformed Messages API response: {problem}")
class ModelError(EndConversationError):
    """A learned detector's model could not be loaded or run (missing or damaged
    weights, an encoder that fails to import or raises). The guard records it as a
    ``detector_error``: the call is denied and the conversation goes on."""
