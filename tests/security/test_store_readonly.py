"""Commands that only look open stores read-only: they never create, migrate or write,
and a missing, empty, damaged or foreign store is a one-line error that leaves it
exactly as it was (issue 11, item 8)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from end_conversation import (
    AuditEvent,
    PostgresStore,
    SQLiteStore,
    StoreError,
    open_store,
)
from end_conversation._cli import main

LOOKING = [
    ["audit", "show"],
    ["audit", "show", "--format", "json"],
    ["audit", "verify"],
    ["metrics"],
    ["metrics", "--format", "json"],
    ["review", "list"],
]
SQLITE_HEADER = b"SQLite format 3\x00"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def a_store(path: Path) -> None:
    store = SQLiteStore(path)
    record = store.create(user_id="u")
    store.append(
        record.id,
        [{"role": "user", "content": "hi"}],
        events=[AuditEvent(kind="decision", conversation_id=record.id, decision="denied")],
    )
    store.end(record.id, verdict={"decision": "honored"}, notice="n")
    store.close()


def damaged(kind: str, path: Path) -> None:
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "garbage":
        path.write_bytes(os.urandom(8192))
    elif kind == "header_then_garbage":
        path.write_bytes(SQLITE_HEADER + os.urandom(8192 - len(SQLITE_HEADER)))
    elif kind == "text":
        path.write_text("not a database\n")
    elif kind == "truncated":
        a_store(path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2 + 7])
    elif kind == "tail":  # sound at the front, damaged where the audit trail lives
        store = SQLiteStore(path)
        store.record([AuditEvent(kind="decision", detail={"pad": "x" * 500})] * 400)
        store.close()
        data = bytearray(path.read_bytes())
        for page in range(len(data) // 4096 - 3, len(data) // 4096):
            data[page * 4096 + 8 : page * 4096 + 4000] = os.urandom(3992)
        path.write_bytes(bytes(data))
    else:  # a store whose first page was overwritten past the header
        a_store(path)
        data = bytearray(path.read_bytes())
        data[100:1100] = os.urandom(1000)
        path.write_bytes(bytes(data))


DAMAGE = ["empty", "garbage", "header_then_garbage", "text", "truncated", "page_one"]
READ_DAMAGE = [*DAMAGE, "tail"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("end-conversation: ")
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        pytest.param(c, k, id=f"{k}-{' '.join(c)}")
        for k in READ_DAMAGE
        for c in LOOKING
        if not (k == "tail" and c[0] == "review")  # the damage is not in the review queue
    ],
)
def test_a_damaged_file_is_one_line_and_left_byte_identical(
    command: list[str], kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.sqlite3"
    damaged(kind, path)
    before = sha256(path)
    listing = sorted(os.listdir(tmp_path))
    code, out, err = run([*command, "--store", f"sqlite:///{path}"], capsys)
    assert code == 2
    assert out == ""
    one_line_error(err)
    assert sha256(path) == before
    # Nothing new but the WAL's read-side files SQLite keeps beside a WAL database.
    assert set(os.listdir(tmp_path)) - set(listing) <= {"c.sqlite3-wal", "c.sqlite3-shm"}


@pytest.mark.parametrize("command", LOOKING, ids=" ".join)
def test_a_missing_file_is_not_created(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nope.sqlite3"
    code, _, err = run([*command, "--store", f"sqlite:///{path}"], capsys)
    assert code == 2
    assert "no store at" in one_line_error(err)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("command", LOOKING, ids=" ".join)
def test_an_empty_sqlite_path_is_refused(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run([*command, "--store", "sqlite:///"], capsys)
    assert code == 2
    assert "names no file" in one_line_error(err)
    assert os.listdir(tmp_path) == []


def test_open_store_refuses_an_empty_path_either_way(tmp_path: Path) -> None:
    for read_only in (True, False):
        with pytest.raises(StoreError, match="names no file"):
            open_store("sqlite:///", read_only=read_only)
        with pytest.raises(StoreError, match="no SQLite file"):
            SQLiteStore("", read_only=read_only)


@pytest.mark.parametrize("command", LOOKING, ids=" ".join)
def test_reading_a_good_store_leaves_it_byte_identical(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.sqlite3"
    a_store(path)
    before = sha256(path)
    code, _, err = run([*command, "--store", f"sqlite:///{path}"], capsys)
    assert code == 0, err
    assert sha256(path) == before


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_writable_open_never_writes_to_a_damaged_file(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    damaged(kind, path)
    before = sha256(path)
    with pytest.raises(StoreError) as info:
        SQLiteStore(path)
    assert "\n" not in str(info.value)
    assert sha256(path) == before


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_writing_command_fails_the_same_way(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.sqlite3"
    damaged(kind, path)
    before = sha256(path)
    code, _, err = run(["feedback", "c1", "--store", f"sqlite:///{path}"], capsys)
    assert code == 2
    one_line_error(err)
    assert sha256(path) == before


def test_a_read_only_store_refuses_every_write(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    a_store(path)
    before = sha256(path)
    store = open_store(f"sqlite:///{path}", read_only=True)
    (cid,) = {r.conversation_id for r in store.audit_trail()}
    assert store.get(cid).ended
    with pytest.raises(StoreError, match="read-only"):
        store.create()
    with pytest.raises(StoreError, match="read-only"):
        store.record([AuditEvent(kind="decision")])
    with pytest.raises(StoreError, match="read-only"):
        store.unlock(cid)
    store.close()
    assert sha256(path) == before


def test_an_older_file_is_read_without_being_migrated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.sqlite3"
    a_store(path)
    with sqlite3.connect(path) as db:  # as schema 2 wrote it: no lifecycle columns
        db.execute("ALTER TABLE conversations DROP COLUMN lifecycle")
        db.execute("ALTER TABLE reviews DROP COLUMN lifecycle")
        db.execute("PRAGMA user_version = 2")
    db.close()
    before = sha256(path)
    code, out, err = run(["audit", "verify", "--store", f"sqlite:///{path}"], capsys)
    assert code == 0, err
    assert out.startswith("OK: 1 records")
    code, out, _ = run(["review", "list", "--store", f"sqlite:///{path}"], capsys)
    assert code == 0
    assert sha256(path) == before
    store = SQLiteStore(path, read_only=True)
    (cid,) = {r.conversation_id for r in store.audit_trail()}
    assert store.get(cid).lifecycle == 0
    store.close()
    assert sha256(path) == before
    writable = SQLiteStore(path)  # a writable open migrates it
    assert writable.get(cid).ended
    writable.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 3
    db.close()


@pytest.mark.parametrize(
    "theirs",
    [
        "CREATE TABLE messages (id INTEGER, body TEXT); INSERT INTO messages VALUES (1, 'x')",
        "CREATE VIEW conversations AS SELECT 1 AS id",
    ],
    ids=["table", "view only"],
)
def test_a_foreign_sqlite_file_is_refused_untouched(theirs: str, tmp_path: Path) -> None:
    path = tmp_path / "theirs.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(theirs)
    db.close()
    before = sha256(path)
    for read_only in (True, False):
        with pytest.raises(StoreError, match="another application"):
            SQLiteStore(path, read_only=read_only)
    assert sha256(path) == before


# ------------------------------------------------------------------ PostgreSQL


def _tables(url: str) -> set[str]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        return {
            r[0]
            for r in db.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            ).fetchall()
        }


@pytest.mark.parametrize("foreign", ["messages", "audit", "users"])
def test_postgres_refuses_a_database_holding_someone_elses_tables(
    foreign: str, request: pytest.FixtureRequest
) -> None:
    url: str = request.getfixturevalue("postgres_url")
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"CREATE TABLE {foreign} (id INTEGER, body TEXT)")
        db.execute(f"INSERT INTO {foreign} VALUES (1, 'theirs')")
    for read_only in (False, True):
        with pytest.raises(StoreError) as info:
            PostgresStore(url, read_only=read_only)
        assert "\n" not in str(info.value)
    assert _tables(url) == {foreign}  # ours were never created beside theirs
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute(f"SELECT id, body FROM {foreign}").fetchall()
    assert rows == [(1, "theirs")]


def test_postgres_read_only_creates_nothing(
    request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    url: str = request.getfixturevalue("postgres_url")
    for command in LOOKING:
        code, _, err = run([*command, "--store", url], capsys)
        assert code == 2
        assert "no end-conversation store" in one_line_error(err)
    assert _tables(url) == set()
    store = PostgresStore(url)  # ours, once made by a writer
    record = store.create(user_id="u")
    store.close()
    reader: Any = PostgresStore(url, read_only=True)
    assert reader.get(record.id).user_id == "u"
    with pytest.raises(StoreError, match="read-only"):
        reader.create()
    reader.close()
    code, out, _ = run(["audit", "verify", "--store", url], capsys)
    assert code == 0
    assert out.startswith("OK: 0 records")


def test_postgres_an_empty_database_is_ours_to_create(request: pytest.FixtureRequest) -> None:
    url: str = request.getfixturevalue("postgres_url")
    PostgresStore(url).close()
    PostgresStore(url).close()  # ours now: opened again, not refused
    assert {"conversations", "messages", "audit", "end_conversation_meta"} <= _tables(url)


def test_postgres_an_older_schema_is_read_without_being_migrated(
    request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    url: str = request.getfixturevalue("postgres_url")
    store = PostgresStore(url)
    cid = store.create(user_id="u").id
    store.record([AuditEvent(kind="decision", conversation_id=cid)])
    store.close()
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:  # as schema 2 left it
        db.execute("ALTER TABLE conversations DROP COLUMN lifecycle")
        db.execute("ALTER TABLE reviews DROP COLUMN lifecycle")
        db.execute("UPDATE end_conversation_meta SET value = '2' WHERE key = 'schema'")
    reader = PostgresStore(url, read_only=True)
    assert reader.get(cid).lifecycle == 0
    assert reader.verify_audit() == []
    reader.close()
    code, out, _ = run(["audit", "verify", "--store", url], capsys)
    assert code == 0
    assert out.startswith("OK: 1 records")
    with psycopg.connect(url, autocommit=True) as db:
        columns = {
            r[0]
            for r in db.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = 'conversations'"
            ).fetchall()
        }
        (version,) = db.execute(
            "SELECT value FROM end_conversation_meta WHERE key = 'schema'"
        ).fetchone() or ("",)
    assert "lifecycle" not in columns  # not migrated by a reader
    assert version == "2"
    PostgresStore(url).close()  # a writer migrates it
    with psycopg.connect(url, autocommit=True) as db:
        (version,) = db.execute(
            "SELECT value FROM end_conversation_meta WHERE key = 'schema'"
        ).fetchone() or ("",)
    assert version == "3"


def test_postgres_a_table_this_role_cannot_see_still_counts(
    request: pytest.FixtureRequest,
) -> None:
    url: str = request.getfixturevalue("postgres_url")
    import psycopg

    role = "ec_limited_" + url.rsplit("search_path%3D", 1)[-1]
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE private_notes (id INTEGER)")
        db.execute(f"CREATE ROLE {role} LOGIN")
        schema = db.execute("SELECT current_schema()").fetchone()
        assert schema is not None
        db.execute(f"GRANT USAGE, CREATE ON SCHEMA {schema[0]} TO {role}")
    try:
        limited = url.replace("postgres@", f"{role}@", 1)
        with pytest.raises(StoreError, match="not ours"):
            PostgresStore(limited)
        assert _tables(url) == {"private_notes"}
    finally:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(f"DROP OWNED BY {role}")
            db.execute(f"DROP ROLE {role}")
