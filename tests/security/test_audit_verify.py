"""`audit verify` covers every stored field of a record, refuses unknown and retyped
fields and unreadable bodies without crashing, and record times follow sequence
order under concurrency (issue 11, item 8)."""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from end_conversation import (
    AuditEvent,
    ConversationStore,
    MemoryStore,
    PostgresStore,
    SQLiteStore,
    StoreError,
)
from end_conversation._cli import main


def _trail(store: ConversationStore) -> str:
    record = store.create(user_id="u")
    store.append(
        record.id,
        [{"role": "user", "content": "hi"}],
        events=[
            AuditEvent(
                kind="decision",
                conversation_id=record.id,
                user_id="u",
                decision="denied",
                reasons=("no_warning",),
                evidence=(0,),
                versions={"policy": "1"},
                detail={"basis": "transcript"},
            )
        ],
    )
    store.record([AuditEvent(kind="feedback", conversation_id=record.id, user_id="u")])
    store.end(
        record.id,
        verdict={"decision": "honored"},
        notice="n",
        events=[AuditEvent(kind="end", conversation_id=record.id, decision="honored")],
    )
    return record.id


def _edit_json(change: Any) -> Any:
    def edit(body: str) -> str:
        data = json.loads(body)
        change(data)
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    return edit


BODY_TAMPERING: dict[str, tuple[Any, str]] = {
    "time in the body": (_edit_json(lambda d: d.update(at=d["at"] - 3600)), "hash"),
    "added key": (_edit_json(lambda d: d.update(approved_by="admin")), "unknown field"),
    "removed key": (_edit_json(lambda d: d.pop("detail")), "missing field"),
    "retyped seq": (_edit_json(lambda d: d.update(seq=str(d["seq"]))), "retyped field"),
    "retyped time": (_edit_json(lambda d: d.update(at=str(d["at"]))), "retyped field"),
    "retyped evidence": (_edit_json(lambda d: d.update(evidence=["0"])), "retyped field"),
    "retyped reasons": (_edit_json(lambda d: d.update(reasons="no_warning")), "retyped field"),
    "not JSON": (lambda body: "{not json", "not JSON"),
    "JSON array": (lambda body: "[1, 2]", "not a JSON object"),
    "JSON null": (lambda body: "null", "not a JSON object"),
    "JSON string": (lambda body: '"x"', "not a JSON object"),
    "empty": (lambda body: "", "not JSON"),
}


def _open(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Any, Any]:
    if backend == "sqlite":
        path = tmp_path / "c.sqlite3"
        return SQLiteStore(path), path
    url = request.getfixturevalue("postgres_url")
    return PostgresStore(url), url


def _execute(backend: str, target: Any, statement: str, params: tuple[Any, ...]) -> None:
    if backend == "sqlite":
        with sqlite3.connect(target) as db:
            db.execute(statement, params)
        db.close()
        return
    import psycopg

    with psycopg.connect(target, autocommit=True) as db:
        db.execute(statement.replace("?", "%s"), params)


def _stored_body(backend: str, target: Any, seq: int) -> str:
    if backend == "sqlite":
        with sqlite3.connect(target) as db:
            (body,) = db.execute("SELECT body FROM audit WHERE seq = ?", (seq,)).fetchone()
        db.close()
        return str(body)
    import psycopg

    with psycopg.connect(target, autocommit=True) as db:
        row = db.execute("SELECT body FROM audit WHERE seq = %s", (seq,)).fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
@pytest.mark.parametrize("how", list(BODY_TAMPERING))
def test_every_body_edit_is_a_problem_not_a_crash(
    backend: str, how: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store, target = _open(backend, tmp_path, request)
    _trail(store)
    assert store.verify_audit() == []
    edit, expected = BODY_TAMPERING[how]
    _execute(
        backend,
        target,
        "UPDATE audit SET body = ? WHERE seq = 1",
        (edit(_stored_body(backend, target, 1)),),
    )
    problems = store.verify_audit()
    store.close()
    assert problems, how
    assert all(p.seq in (1, None) for p in problems), problems
    assert any(expected in p.problem for p in problems), problems


COLUMN_TAMPERING = {
    "time column": ("UPDATE audit SET at = at - 86400 WHERE seq = 2", "column 'at'"),
    "kind column": ("UPDATE audit SET kind = 'branch' WHERE seq = 2", "column 'kind'"),
    "user column": ("UPDATE audit SET user_id = 'mallory' WHERE seq = 2", "column 'user_id'"),
    "conversation column": (
        "UPDATE audit SET conversation_id = 'other' WHERE seq = 2",
        "column 'conversation_id'",
    ),
}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
@pytest.mark.parametrize("how", list(COLUMN_TAMPERING))
def test_every_indexed_column_is_checked_against_the_body(
    backend: str, how: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store, target = _open(backend, tmp_path, request)
    _trail(store)
    statement, expected = COLUMN_TAMPERING[how]
    _execute(backend, target, statement, ())
    problems = store.verify_audit()
    store.close()
    assert any(p.seq == 2 and expected in p.problem for p in problems), problems


def test_the_cli_reports_a_non_json_body_and_show_fails_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.sqlite3"
    store = SQLiteStore(path)
    _trail(store)
    store.close()
    _execute("sqlite", path, "UPDATE audit SET body = 'garbage' WHERE seq = 2", ())
    url = f"sqlite:///{path}"
    assert main(["audit", "verify", "--store", url]) == 1
    captured = capsys.readouterr()
    assert "TAMPERED record 2: edited: the body is not JSON" in captured.out
    assert "Traceback" not in captured.err
    assert main(["audit", "show", "--store", url]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "audit verify" in err
    with pytest.raises(StoreError):
        SQLiteStore(path, read_only=True).audit_trail()


def test_an_intact_trail_with_an_integer_clock_verifies(tmp_path: Path) -> None:
    ticks = iter(range(1_000, 2_000))
    store = SQLiteStore(tmp_path / "c.sqlite3", clock=lambda: next(ticks))
    _trail(store)
    assert store.verify_audit() == []
    store.close()


# ------------------------------------------------------------------ times in order


class _SlowClock:
    """A clock that ticks by one per read, then dawdles before answering: a thread
    that reads it outside the store's lock is overtaken by others."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._now = 1_700_000_000.0

    def __call__(self) -> float:
        with self._lock:
            self._now += 1.0
            now = self._now
        time.sleep(0.0005)
        return now


def _writers(store: ConversationStore, threads: int = 6, rounds: int = 12) -> None:
    conversations = [store.create(user_id=f"u{i}").id for i in range(threads)]
    start = threading.Barrier(threads)

    def work(i: int) -> None:
        cid = conversations[i]
        start.wait()
        for n in range(rounds):
            event = AuditEvent(kind="decision", conversation_id=cid, decision="denied")
            step = n % 4
            if step == 0:
                store.record([event])
            elif step == 1:
                store.append(cid, [{"role": "user", "content": "x"}], events=[event])
            elif step == 2:
                store.add_feedback(cid, kind="other", events=[event])
            else:
                store.open_review(
                    conversation_id=cid, user_id=None, origin="requested", events=[event]
                )
        store.end(cid, verdict={}, notice="n", events=[AuditEvent(kind="end", conversation_id=cid)])

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_record_times_never_run_backwards_in_sequence_order(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    clock = _SlowClock()
    store: ConversationStore
    if backend == "memory":
        store = MemoryStore(clock=clock)
    elif backend == "sqlite":
        store = SQLiteStore(tmp_path / "c.sqlite3", clock=clock)
    else:
        store = PostgresStore(request.getfixturevalue("postgres_url"), clock=clock)
    try:
        _writers(store)
        trail = store.audit_trail()
        assert len(trail) == 6 * 12 + 6
        assert [r.seq for r in trail] == list(range(1, len(trail) + 1))
        times = [r.at for r in trail]
        backwards = [(a.seq, b.seq) for a, b in itertools.pairwise(trail) if b.at < a.at]
        assert backwards == [], backwards
        assert times == sorted(times)
        assert store.verify_audit() == []
    finally:
        store.close()
