"""SQLite store: one file, WAL, no server. The default."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .._errors import StoreError
from ._sql import SQLStore, schema

__all__ = ["SQLiteStore"]

_APPLICATION_ID = 0x45434F4E  # "ECON": marks the file as ours
_SCHEMA_VERSION = 2


class SQLiteStore(SQLStore):
    """Conversations and their audit trail in one SQLite file (WAL). Safe across
    threads and processes.

    Writes take the database write lock (``BEGIN IMMEDIATE``), so an append that
    races an end either lands before it or raises `ConversationEndedError` — never
    after — and audit records are chained in commit order.
    """

    def __init__(
        self,
        path: str | Path = "end_conversation.sqlite3",
        *,
        clock: Callable[[], float] = time.time,
        timeout: float = 30.0,
    ) -> None:
        self.path = Path(path)
        """The database file."""
        self._clock = clock
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            self._setup()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path} is not a usable end-conversation database: {exc}"
            ) from exc

    def _setup(self) -> None:
        db = self._db
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
        if app_id not in (0, _APPLICATION_ID) or (app_id == 0 and tables):
            raise StoreError(
                f"{self.path} belongs to another application; use a new file for conversations"
            )
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > _SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer version (schema {version})")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        with self._write() as tx:
            if version == 1:  # messages gain their time; the rest is new tables
                tx.execute("ALTER TABLE messages ADD COLUMN at REAL")
            for statement in schema(bigint="INTEGER", real="REAL"):
                tx.execute(statement)
            tx.execute(f"PRAGMA application_id={_APPLICATION_ID}")
            tx.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path}: {exc}") from exc

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path}: {exc}") from exc

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()
