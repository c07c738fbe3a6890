"""`change_counts`: equal counts at two moments must mean nothing was committed in
between (a chat then trusts the history it holds). Every write moves them, a commit
through another connection or process moves them, a read does not; PostgresStore keeps
none, and a chat on it reads."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from end_conversation import AuditEvent, ChangeCounting, MemoryStore, PostgresStore, SQLiteStore

MSG = {"role": "user", "content": "hi"}


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "memory":
        return MemoryStore()
    return SQLiteStore(tmp_path / "c.sqlite3")


def _writes(store: Any) -> list[tuple[str, Callable[[], Any]]]:
    """Every kind of write, each on the state the ones before it left."""
    cid = store.create().id
    event = AuditEvent(kind="refused", conversation_id=cid)
    state: dict[str, Any] = {}

    def review() -> None:
        state["review"] = store.open_review(conversation_id=cid, user_id=None, origin="requested")

    return [
        ("create", lambda: store.create(messages=[MSG])),
        ("append", lambda: store.append(cid, [MSG])),
        ("append with events", lambda: store.append(cid, [MSG], events=[event])),
        ("record", lambda: store.record([event])),
        ("feedback", lambda: store.add_feedback(cid, kind="other", text="x")),
        ("end", lambda: store.end(cid, verdict={"by": "test"}, notice="ended")),
        ("unlock", lambda: store.unlock(cid)),
        ("open a review", review),
        (
            "decide it with an end",
            lambda: store.decide_review(
                state["review"].id, status="upheld", reviewer="r", end=({"by": "r"}, "ended")
            ),
        ),
    ]


def test_every_write_moves_the_counts_and_reads_do_not(store: Any) -> None:
    assert isinstance(store, ChangeCounting)
    for name, write in _writes(store):
        before = store.change_counts()
        write()
        after = store.change_counts()
        assert after[1] == before[1] + 1, name  # one write through this object: one more
        assert after[0] == before[0], name  # and nobody else's
        cid = store.create().id
        counts = store.change_counts()
        store.get(cid), store.messages(cid), store.audit_trail(), store.reviews()
        assert store.change_counts() == counts  # reads commit nothing


def test_another_connection_commit_moves_the_others_count(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    mine, theirs = SQLiteStore(path), SQLiteStore(path)
    cid = mine.create().id
    before = mine.change_counts()
    theirs.append(cid, [MSG])
    assert mine.change_counts()[0] != before[0]
    assert mine.change_counts()[1] == before[1]


def test_another_process_commit_moves_the_others_count(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    mine = SQLiteStore(path)
    cid = mine.create().id
    before = mine.change_counts()
    code = (
        "import sys; from end_conversation import SQLiteStore;"
        "SQLiteStore(sys.argv[1]).append(sys.argv[2], [{'role': 'user', 'content': 'x'}])"
    )
    subprocess.run([sys.executable, "-c", code, str(path), cid], check=True, timeout=60)
    assert mine.change_counts() != before


def test_a_read_only_store_counts_what_the_writer_commits(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    writer = SQLiteStore(path)
    cid = writer.create().id
    reader = SQLiteStore(path, read_only=True)
    before = reader.change_counts()
    writer.append(cid, [MSG])
    assert reader.change_counts() != before


def test_postgres_keeps_no_counts() -> None:
    assert not hasattr(PostgresStore, "change_counts")
