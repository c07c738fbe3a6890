"""Races and crashes across processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from end_conversation import ConversationEndedError, open_store

ROOT = Path(__file__).resolve().parents[2]


def _url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'c.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


def _worker(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store._worker", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_no_message_is_accepted_after_an_end(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Three processes and four threads append while the main thread ends the chat."""
    url = _url(backend, tmp_path, request)
    store = open_store(url)
    record = store.create()
    procs = [_worker("append", url, record.id, "400") for _ in range(3)]
    for p in procs:
        assert p.stdout is not None
        assert p.stdout.readline().strip() == "ready"
    accepted: list[int] = []

    def thread_writer() -> None:
        n = 0
        for _ in range(400):
            try:
                store.append(record.id, [{"role": "user", "content": "t"}])
            except ConversationEndedError:
                break
            n += 1
        accepted.append(n)

    threads = [threading.Thread(target=thread_writer) for _ in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while store.get(record.id).message_count < 40 and time.monotonic() < deadline:
        time.sleep(0.005)
    final = store.end(record.id, verdict={"decision": "honored"}, notice="ended")
    for t in threads:
        t.join()
    for p in procs:
        p.wait(timeout=60)
        assert p.stdout is not None
        assert p.stderr is not None
        # (not communicate(): it would skip what readline() already buffered)
        out, err = p.stdout.read(), p.stderr.read()
        p.stdout.close()
        p.stderr.close()
        assert p.returncode == 0, err
        assert out.startswith("accepted "), (out, err)
        accepted.append(int(out.split()[-1]))
    assert final.message_count >= 40
    assert final.message_count < 7 * 400  # the end really raced the writers
    # Every accepted append is stored, and none landed after the end.
    assert sum(accepted) == final.message_count
    assert store.get(record.id).message_count == final.message_count
    assert len(store.messages(record.id)) == final.message_count
    store.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_killed_writer_loses_no_committed_audit_record(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = _url(backend, tmp_path, request)
    open_store(url).close()  # the schema exists before the writer starts
    writer = _worker("audit", url, "100000")
    assert writer.stdout is not None
    committed: list[int] = []
    while len(committed) < 60:
        line = writer.stdout.readline()
        assert line, writer.stderr.read() if writer.stderr else ""
        committed.append(int(line.split()[1]))
    os.kill(writer.pid, signal.SIGKILL)  # mid-stream: between or inside transactions
    writer.wait(timeout=30)
    assert writer.stdout is not None
    committed += [int(line.split()[1]) for line in writer.stdout.read().splitlines() if line]
    writer.stdout.close()
    assert writer.stderr is not None
    writer.stderr.close()
    store = open_store(url)
    trail = {r.seq: r for r in store.audit_trail()}
    assert store.verify_audit() == []
    assert set(committed) <= set(trail)  # every acknowledged record survived
    assert len(trail) % 2 == 0  # a decision and its end land together, or neither
    for seq in range(1, len(trail) + 1, 2):
        assert (trail[seq].kind, trail[seq + 1].kind) == ("decision", "end")
        assert store.get(str(trail[seq].conversation_id)).ended
    store.close()
