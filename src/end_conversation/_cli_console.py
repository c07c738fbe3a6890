"""``end-conversation console``: the web console for reviewers and operators."""

from __future__ import annotations

import argparse
import os
from typing import IO, Any

__all__ = ["add_command"]

DEFAULT_STORE = "sqlite:///end_conversation.sqlite3"


def add_command(sub: Any, fail: type[Exception]) -> None:
    """Register the console subcommand on the main parser."""
    console = sub.add_parser(
        "console",
        help="web console: review queue, conversations, audit trail, metrics",
        description=(
            "Serve the review console at http://HOST:PORT/ (127.0.0.1:8766 by default). "
            "Tokens are required off loopback: --token may look, --reviewer-token may also "
            "uphold and overturn (or END_CONVERSATION_CONSOLE_TOKEN and "
            "END_CONVERSATION_REVIEWER_TOKEN, comma-separated). Give a token as "
            "Authorization: Bearer, or sign in with it at /login."
        ),
    )
    console.add_argument(
        "--store", default=DEFAULT_STORE, help=f"store URL (default {DEFAULT_STORE})"
    )
    console.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    console.add_argument("--port", type=int, default=8766, help="port (default 8766)")
    console.add_argument(
        "--token", action="append", default=[], help="a read-only token (repeatable)"
    )
    console.add_argument(
        "--reviewer-token",
        action="append",
        default=[],
        help="a token that may also decide reviews (repeatable)",
    )
    console.add_argument(
        "--allow-host",
        action="append",
        default=[],
        help="another Host name people use to reach it (behind a proxy, or on 0.0.0.0)",
    )
    console.set_defaults(run=lambda args, out: _console(args, out, fail))


def _env_tokens(name: str, fail: type[Exception]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return []
    listed = [t.strip() for t in value.split(",")]
    if not all(listed):  # "", "," or "a,,b": a token is missing, so fail closed
        raise fail(f"{name} holds an empty token; set it to token[,token...] or unset it")
    return listed


def _console(args: argparse.Namespace, out: IO[str], fail: type[Exception]) -> int:
    from ._errors import EndConversationError
    from .console import run_console

    tokens = [*args.token, *_env_tokens("END_CONVERSATION_CONSOLE_TOKEN", fail)]
    reviewers = [*args.reviewer_token, *_env_tokens("END_CONVERSATION_REVIEWER_TOKEN", fail)]
    try:
        return run_console(
            store_url=args.store,
            host=args.host,
            port=args.port,
            tokens=tokens,
            reviewer_tokens=reviewers,
            allowed_hosts=args.allow_host,
        )
    except (EndConversationError, ValueError) as exc:
        raise fail(" ".join(str(exc).split())) from exc
