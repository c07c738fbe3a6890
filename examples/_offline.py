"""Shared by the examples: real Claude when ANTHROPIC_API_KEY is set, else the scripted model."""

from __future__ import annotations

import os
import sys
from contextlib import AbstractContextManager, nullcontext

from end_conversation.testing import FakeMessagesServer, ScriptedReply, call_end, say

SCRIPT: list[ScriptedReply] = [
    say("I can't help with that. I'd be happy to help with something else, though."),
    say("I won't provide that. If you keep asking for this, I will end this conversation."),
    call_end("harmful_requests", "Kept asking for weapon instructions after a warning."),
]


def backend(script: list[ScriptedReply] = SCRIPT) -> AbstractContextManager[str | None]:
    """Yields a base_url for the scripted model, or None to use the real API."""
    if os.environ.get("ANTHROPIC_API_KEY"):
        return nullcontext(None)
    print(
        "(no ANTHROPIC_API_KEY: a scripted model stands in for Claude; set the key to use Claude)",
        file=sys.stderr,
    )
    return _Scripted(script)


class _Scripted(AbstractContextManager[str | None]):
    def __init__(self, script: list[ScriptedReply]) -> None:
        self.server = FakeMessagesServer(script)

    def __enter__(self) -> str | None:
        return self.server.start().url

    def __exit__(self, *exc: object) -> None:
        self.server.stop()
