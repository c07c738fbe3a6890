"""SQLite store: one file, WAL, no server. The default."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .._errors import ConversationEndedError, StoreError, UnknownConversationError
from ._protocol import ConversationRecord

__all__ = ["SQLiteStore"]

_APPLICATION_ID = 0x45434F4E  # "ECON": marks the file as ours
_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    user_id TEXT,
    parent_id TEXT,
    branched_at INTEGER,
    created_at REAL NOT NULL,
    message_count INTEGER NOT NULL DEFAULT 0,
    ended_at REAL,
    end_verdict TEXT,
    notice TEXT
);
CREATE TABLE IF NOT EXISTS messages (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    seq INTEGER NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS conversations_user ON conversations(user_id);
"""


class SQLiteStore:
    """Conversations in one SQLite file (WAL). Safe across threads and processes.

    Appends and ends take the database write lock (``BEGIN IMMEDIATE``), so an
    append that races an end either lands before it or raises
    `ConversationEndedError` — never after.
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
        db.executescript(_SCHEMA)
        db.execute(f"PRAGMA application_id={_APPLICATION_ID}")
        db.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")

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

    def _row(self, db: sqlite3.Connection, conversation_id: str) -> ConversationRecord:
        row = db.execute(
            "SELECT id, user_id, parent_id, branched_at, created_at, message_count, ended_at,"
            " end_verdict, notice FROM conversations WHERE id = ?",
            (conversation_id,),
        ).fetchone()
        if row is None:
            raise UnknownConversationError(conversation_id)
        return ConversationRecord(
            id=row[0],
            user_id=row[1],
            parent_id=row[2],
            branched_at=row[3],
            created_at=row[4],
            message_count=row[5],
            ended_at=row[6],
            end_verdict=json.loads(row[7]) if row[7] else None,
            notice=row[8],
        )

    def create(
        self,
        *,
        conversation_id: str | None = None,
        user_id: str | None = None,
        messages: Sequence[dict[str, Any]] = (),
        parent_id: str | None = None,
        branched_at: int | None = None,
    ) -> ConversationRecord:
        """Create a conversation, optionally seeded with messages."""
        cid = conversation_id or uuid.uuid4().hex
        with self._write() as db:
            db.execute(
                "INSERT INTO conversations (id, user_id, parent_id, branched_at, created_at,"
                " message_count) VALUES (?, ?, ?, ?, ?, ?)",
                (cid, user_id, parent_id, branched_at, self._clock(), len(messages)),
            )
            db.executemany(
                "INSERT INTO messages (conversation_id, seq, content) VALUES (?, ?, ?)",
                [(cid, i, json.dumps(m)) for i, m in enumerate(messages)],
            )
            return self._row(db, cid)

    def get(self, conversation_id: str) -> ConversationRecord:
        """The conversation's state."""
        with self._lock:
            return self._row(self._db, conversation_id)

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation's messages, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT content FROM messages WHERE conversation_id = ? ORDER BY seq",
                (conversation_id,),
            ).fetchall()
            if not rows:
                self._row(self._db, conversation_id)  # unknown id, or just empty
        return [json.loads(r[0]) for r in rows]

    def append(self, conversation_id: str, messages: Sequence[dict[str, Any]]) -> int:
        """Append messages unless the conversation has been ended."""
        encoded = [json.dumps(m) for m in messages]  # fail before touching the database
        with self._write() as db:
            row = db.execute(
                "UPDATE conversations SET message_count = message_count + ?"
                " WHERE id = ? AND ended_at IS NULL RETURNING message_count",
                (len(encoded), conversation_id),
            ).fetchone()
            if row is None:  # unknown, or ended: say which
                record = self._row(db, conversation_id)
                raise ConversationEndedError(conversation_id, record.notice or "")
            count = int(row[0])
            start = count - len(encoded)
            db.executemany(
                "INSERT INTO messages (conversation_id, seq, content) VALUES (?, ?, ?)",
                [(conversation_id, start + i, text) for i, text in enumerate(encoded)],
            )
            return count

    def end(
        self,
        conversation_id: str,
        *,
        verdict: dict[str, Any],
        notice: str,
        create: bool = False,
        user_id: str | None = None,
    ) -> ConversationRecord:
        """Mark ended; the first end wins. `create` makes a missing conversation first,
        in the same transaction."""
        with self._write() as db:
            if create:
                db.execute(
                    "INSERT INTO conversations (id, user_id, created_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (id) DO NOTHING",
                    (conversation_id, user_id, self._clock()),
                )
            db.execute(
                "UPDATE conversations SET ended_at = ?, end_verdict = ?, notice = ?"
                " WHERE id = ? AND ended_at IS NULL",
                (self._clock(), json.dumps(verdict), notice, conversation_id),
            )
            return self._row(db, conversation_id)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()
