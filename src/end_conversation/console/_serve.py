"""Running the console: open the store, say where it is, serve until interrupted."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO

from .._errors import ConfigurationError
from .._mcp._server import _LOOPBACK, _check_token
from .._store import ConversationStore
from .._store._open import open_existing_store, redact_url
from ._app import create_app

__all__ = ["open_console_store", "run_console"]


def open_console_store(url: str, *, read_only: bool) -> ConversationStore:
    """The store the console works on: one that exists (a missing SQLite file is an
    error, never a new empty store that would only hide a typo), or a one-line
    EndConversationError."""
    return open_existing_store(url, read_only=read_only, must_exist=True)


def run_console(
    *,
    store_url: str,
    host: str = "127.0.0.1",
    port: int = 8766,
    tokens: Sequence[str] = (),
    reviewer_tokens: Sequence[str] = (),
    allowed_hosts: Sequence[str] = (),
    err: IO[str] | None = None,
) -> int:
    """Serve the console until interrupted.

    Raises EndConversationError (one line, before anything is served) for an empty
    token, no token off loopback, or a store that cannot be opened. With read-only
    tokens only, the store is opened read-only: nothing can be written.
    """
    tokens = [_check_token(t) for t in tokens]
    reviewer_tokens = [_check_token(t) for t in reviewer_tokens]
    if host not in _LOOPBACK and not (tokens or reviewer_tokens):
        raise ConfigurationError(
            f"the console on {host} (not loopback) needs a token: --token or --reviewer-token"
        )
    read_only = bool(tokens) and not reviewer_tokens
    store = open_console_store(store_url, read_only=read_only)
    out = err or sys.stderr
    try:
        app = create_app(
            store,
            host=host,
            tokens=tokens,
            reviewer_tokens=reviewer_tokens,
            allowed_hosts=allowed_hosts,
        )
        shown = f"[{host}]" if ":" in host else host
        if tokens or reviewer_tokens:
            needed = (
                f"tokens required ({len(reviewer_tokens)} reviewer, {len(tokens)} read-only;"
                " Authorization: Bearer, or sign in at /login)"
            )
        else:
            needed = "no token required (loopback only; anyone on this machine may decide)"
        mode = "read-only" if read_only else "read-write"
        print(
            f"end-conversation console: http://{shown}:{port}/ · store {redact_url(store_url)}"
            f" ({mode}) · {needed}",
            file=out,
            flush=True,
        )
        import uvicorn

        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        store.close()
    return 0
