"""Stores by URL, for the command line and configuration files."""

from __future__ import annotations

from pathlib import Path

from .._errors import ConfigurationError, EndConversationError, StoreError
from ._memory import MemoryStore
from ._postgres import PostgresStore
from ._protocol import ConversationStore
from ._sqlite import SQLiteStore

__all__ = ["open_existing_store", "open_store", "redact_url"]


def open_store(url: str, *, read_only: bool = False) -> ConversationStore:
    """A store from a URL: ``sqlite:///PATH``, ``postgresql://...`` or ``memory:``.

    With `read_only` (for commands that only look: audit, metrics, review list), an
    existing store is opened for reading and nothing is ever created, migrated or
    written; a missing, empty, damaged or foreign one is a StoreError and is left
    exactly as it was. A store that cannot be opened is a StoreError with a one-line
    message; an unknown URL scheme is a ValueError.
    """
    if url in ("memory:", "memory://"):
        if read_only:
            raise StoreError(
                "memory: holds nothing to read; give a sqlite:/// or postgresql:// store"
            )
        return MemoryStore()
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if not path.strip():
            raise StoreError(
                f"{url!r} names no file: use sqlite:///PATH (e.g. sqlite:///conversations.db)"
            )
        return SQLiteStore(path, read_only=read_only)
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url, read_only=read_only)
    raise ValueError(f"unknown store URL {url!r}; use sqlite:///PATH, postgresql://... or memory:")


def redact_url(url: str) -> str:
    """A store URL without its password, for messages and logs."""
    if "://" in url and "@" in url.split("://", 1)[1]:
        scheme, rest = url.split("://", 1)
        creds, _, where = rest.rpartition("@")
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{where}" if ":" in creds else url
    return url


def open_existing_store(
    url: str, *, read_only: bool = False, must_exist: bool = False
) -> ConversationStore:
    """`open_store` for commands and servers: every failure is one short line.

    With `must_exist`, a SQLite file that is not there is an error, never a new empty
    store (that would only hide a typo). An unknown URL scheme is a
    ConfigurationError; a driver's own error (network, file system) a StoreError.
    """
    if must_exist and url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path.strip() and not Path(path).exists():
            raise StoreError(f"no store at {path} (give --store)")
    try:
        return open_store(url, read_only=read_only)
    except EndConversationError:
        raise
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc
    except Exception as exc:  # a driver's own error (network, file system)
        text = " ".join(str(exc).split())
        text = text if len(text) <= 300 else text[:297] + "..."
        raise StoreError(f"cannot open the store: {type(exc).__name__}: {text}") from exc
