"""SQLite store: one file, WAL, no server. The default."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._errors import StoreError
from ._audit import AuditProblem
from ._sql import SQLStore, lifecycle_migration, schema

__all__ = ["SQLiteStore"]

_APPLICATION_ID = 0x45434F4E  # "ECON": marks the file as ours
_SCHEMA_VERSION = 3


class _Transaction:
    """The store's connection under its lock: a write transaction (``BEGIN IMMEDIATE``,
    committed on exit, rolled back on an exception) or reads; a database error is a
    StoreError. (A class, not a generator context manager: it is on every turn's path.)"""

    __slots__ = ("_store", "_write")

    def __init__(self, store: SQLiteStore, *, write: bool) -> None:
        self._store = store
        self._write = write

    def __enter__(self) -> sqlite3.Connection:
        store = self._store
        store._lock.acquire()
        if self._write:
            try:
                store._db.execute("BEGIN IMMEDIATE")
            except BaseException as exc:
                store._lock.release()
                if isinstance(exc, sqlite3.DatabaseError):
                    raise StoreError(f"{store.path}: {exc}") from exc
                raise
        return store._db

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> None:
        store = self._store
        try:
            if self._write:
                store._writes += 1  # (counted before COMMIT: a failed one may still land)
                store._db.execute("COMMIT" if kind is None else "ROLLBACK")
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{store.path}: {error}") from error
        finally:
            store._lock.release()
        if isinstance(exc, sqlite3.DatabaseError):
            raise StoreError(f"{store.path}: {exc}") from exc


class SQLiteStore(SQLStore):
    """Conversations and their audit trail in one SQLite file (WAL). Safe across
    threads and processes.

    Writes take the database write lock (``BEGIN IMMEDIATE``), so an append that
    races an end either lands before it or raises `ConversationEndedError` — never
    after — and audit records are chained in commit order.

    With `read_only`, the file is opened with SQLite's ``mode=ro``: it must already
    be an end-conversation store, nothing is created or migrated, and no write is
    ever attempted (a missing, empty or damaged file is a StoreError and stays as
    it was). A writable open creates a missing file, refuses an empty one (what a
    truncated store looks like) and checks an older file before migrating it.
    """

    def __init__(
        self,
        path: str | Path = "end_conversation.sqlite3",
        *,
        clock: Callable[[], float] = time.time,
        timeout: float = 30.0,
        read_only: bool = False,
    ) -> None:
        if not str(path).strip():
            raise StoreError("no SQLite file given: name one, e.g. sqlite:///conversations.db")
        self.path = Path(path)
        """The database file."""
        self.read_only = read_only
        """Opened for reading only."""
        self._clock = clock
        self._lock = threading.RLock()
        self._writes = 0
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a directory, not an end-conversation database")
        exists = self.path.exists()
        if read_only and not exists:
            raise StoreError(f"no store at {self.path}: nothing to read")
        if exists and self.path.stat().st_size == 0:
            raise StoreError(
                f"{self.path} is empty (0 bytes), not an end-conversation database"
                + ("" if read_only else "; remove it to start a new store")
            )
        try:
            if read_only:
                self._db = sqlite3.connect(
                    f"{self.path.resolve().as_uri()}?mode=ro",
                    uri=True,
                    timeout=timeout,
                    isolation_level=None,
                    check_same_thread=False,
                )
            else:
                self._db = sqlite3.connect(
                    self.path, timeout=timeout, isolation_level=None, check_same_thread=False
                )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {self.path}: {exc}") from exc
        try:
            self._setup()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(
                f"{self.path} is not a usable end-conversation database: {exc}"
            ) from exc
        except BaseException:
            self._db.close()
            raise

    def _setup(self) -> None:
        db = self._db
        # Reads only, until the file is known to be ours and sound.
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        objects = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        fresh = app_id == 0 and objects == 0  # (a view or index alone is someone's too)
        if not fresh and app_id != _APPLICATION_ID:
            raise StoreError(
                f"{self.path} belongs to another application; use a new file for conversations"
            )
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > _SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer version (schema {version})")
        if self.read_only:
            if fresh:
                raise StoreError(f"{self.path} holds no end-conversation store")
            if version < 2:  # no audit trail yet: nothing these readers could show
                raise StoreError(
                    f"{self.path} was written by an older version (schema {version}); open it"
                    " once for writing (e.g. `end-conversation serve`) to upgrade it"
                )
            self._legacy = version < _SCHEMA_VERSION
            db.execute("PRAGMA query_only=ON")
            return
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        if not fresh and version == _SCHEMA_VERSION:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            return  # ours and current: nothing to write on open
        if not fresh:  # an older file: migrate only one that reads back whole
            check = db.execute("PRAGMA quick_check(1)").fetchone()[0]
            if check != "ok":
                raise StoreError(f"{self.path} is damaged ({check}); it was left unchanged")
        db.execute("PRAGMA journal_mode=WAL")
        with self._write() as tx:
            if version == 1:  # messages gain their time; the rest is new tables
                tx.execute("ALTER TABLE messages ADD COLUMN at REAL")
            if version in (1, 2):  # reviews are bound to the conversation's state
                conversations, reviews = lifecycle_migration()
                tx.execute(conversations)
                if version == 2:  # (schema 1 had no reviews: they are created below)
                    tx.execute(reviews)
            for statement in schema(bigint="INTEGER", real="REAL"):
                tx.execute(statement)
            tx.execute(f"PRAGMA application_id={_APPLICATION_ID}")
            tx.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")

    def _write(self) -> _Transaction:
        if self.read_only:
            raise StoreError(f"{self.path} was opened read-only")
        return _Transaction(self, write=True)

    def _read(self) -> _Transaction:
        return _Transaction(self, write=False)

    def change_counts(self) -> tuple[int, int]:
        """``(others, own)`` (see `ChangeCounting`): SQLite's ``data_version``, which
        changes whenever another connection commits to the file, and the writes made
        through this store."""
        with self._lock:
            try:
                (version,) = self._db.execute("PRAGMA data_version").fetchone()
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: {exc}") from exc
            return int(version), self._writes

    def verify_audit(self) -> list[AuditProblem]:
        """Every way the stored trail is not intact; a damaged file is a StoreError
        (the whole file is checked first: a trail is only as sound as its pages)."""
        with self._read() as db:
            check = db.execute("PRAGMA quick_check(1)").fetchone()[0]
        if check != "ok":
            raise StoreError(f"{self.path} is damaged ({check})")
        return super().verify_audit()

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()
