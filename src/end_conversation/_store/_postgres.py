"""PostgreSQL store: for many app servers or MCP replicas sharing one database."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .._errors import StoreError
from ._sql import SQLStore, lifecycle_migration, schema

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresStore"]

_SCHEMA_VERSION = "3"
_SETUP_LOCK = 0x45434F4E  # advisory lock: one process creates the tables at a time


class PostgresStore(SQLStore):
    """Conversations and their audit trail in PostgreSQL (psycopg 3).

    Same behaviour as SQLiteStore: an append and an end on one conversation are
    serialized on its row (``UPDATE ... WHERE ended_at IS NULL`` under READ
    COMMITTED re-checks the row after a concurrent end commits), and audit writes
    lock the chain's head row, so records are chained in commit order. One
    connection per thread.

    The tables go in the connection's current schema, which must be empty or ours:
    a schema holding anyone else's tables is refused, never shared. With
    `read_only`, sessions are read-only and nothing is created or migrated (a
    database without our tables is a StoreError).

        store = PostgresStore("postgresql://user@host/db")
    """

    def __init__(
        self,
        url: str,
        *,
        clock: Callable[[], float] = time.time,
        connect_timeout: float = 10.0,
        read_only: bool = False,
    ) -> None:
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise StoreError(
                "PostgresStore needs psycopg 3: pip install 'end-conversation[postgres]'"
            ) from exc
        self.url = url
        """The connection URL."""
        self.read_only = read_only
        """Opened for reading only."""
        self._clock = clock
        self._timeout = connect_timeout
        self._local = threading.local()
        self._all: list[Any] = []  # closed by close(), not by a thread's end
        self._all_lock = threading.Lock()
        self._closed = False
        try:
            self._setup()
        except BaseException:
            self.close()  # a refused database leaves no connection open
            raise

    def _connection(self) -> psycopg.Connection[Any]:
        import psycopg

        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            if self._closed:
                raise StoreError("the store is closed")
            try:
                conn = psycopg.connect(
                    self.url, autocommit=True, connect_timeout=int(self._timeout)
                )
            except psycopg.Error as exc:
                raise StoreError(f"cannot connect to PostgreSQL: {exc}") from exc
            if self.read_only:
                conn.read_only = True  # every transaction READ ONLY: the server refuses writes
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    def _tables(self, db: Any) -> set[str]:
        # From the catalog, not information_schema: that lists only the tables this
        # role may use, and a foreign table it cannot read is still not ours to share.
        return {
            r[0]
            for r in db.execute(
                "SELECT c.relname FROM pg_catalog.pg_class c"
                " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
            ).fetchall()
        }

    def _version(self, db: Any) -> int:
        row = db.execute("SELECT value FROM end_conversation_meta WHERE key = 'schema'").fetchone()
        version = int(row[0]) if row is not None else 0
        if version > int(_SCHEMA_VERSION):
            raise StoreError(f"the database was written by a newer version (schema {version})")
        return version

    def _setup(self) -> None:
        if self.read_only:
            with self._read() as db:
                if "end_conversation_meta" not in self._tables(db):
                    raise StoreError(
                        "this database holds no end-conversation store (nothing to read);"
                        " check the URL and its search_path"
                    )
                version = self._version(db)
                if version < 2:
                    raise StoreError(
                        f"the database was written by an older version (schema {version});"
                        " open it once for writing to upgrade it"
                    )
                self._legacy = version < int(_SCHEMA_VERSION)
            return
        with self._write() as db:
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_SETUP_LOCK,))
            tables = self._tables(db)
            if "end_conversation_meta" not in tables and tables:
                listed = ", ".join(sorted(tables)[:5])
                raise StoreError(
                    f"this database already holds tables that are not ours ({listed});"
                    " use an empty database or schema for conversations"
                )
            db.execute(
                "CREATE TABLE IF NOT EXISTS end_conversation_meta"
                " (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            version = self._version(db)
            if 0 < version < 3:  # reviews are bound to the conversation's state
                for statement in lifecycle_migration():
                    db.execute(
                        statement.replace("ALTER TABLE", "ALTER TABLE IF EXISTS").replace(
                            "ADD COLUMN", "ADD COLUMN IF NOT EXISTS"
                        )
                    )
            for statement in schema(bigint="BIGINT", real="DOUBLE PRECISION"):
                db.execute(statement)
            db.execute(
                "INSERT INTO end_conversation_meta (key, value) VALUES ('schema', %s)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_SCHEMA_VERSION,),
            )

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s")

    def _lock_head(self) -> str:
        return "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"

    @contextmanager
    def _write(self) -> Iterator[Any]:
        if self.read_only:
            raise StoreError("the store was opened read-only")
        with self._transaction() as db:
            yield db

    @contextmanager
    def _read(self) -> Iterator[Any]:
        # a transaction gives reads one consistent snapshot per statement
        with self._transaction() as db:
            yield db

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        import psycopg

        conn = self._connection()
        try:
            with conn.transaction():
                yield conn
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL: {exc}") from exc

    def close(self) -> None:
        """Close every connection this store opened."""
        self._closed = True
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
