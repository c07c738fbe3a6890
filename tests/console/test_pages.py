"""The conversation view, the audit trail (filters, paging, chain status) and the
metrics page, over real HTTP; the command that serves them."""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from end_conversation import AuditEvent, ConversationStore, SQLiteStore

from .conftest import REVIEWER, VIEWER, Client, Running, Seeded, seed


def _seqs(page: str) -> list[int]:
    return [int(s) for s in re.findall(r'<tr class="record" data-seq="(\d+)"', page)]


def test_the_conversation_view_shows_state_branches_and_every_record(
    console: Running, seeded: Seeded, any_store: ConversationStore
) -> None:
    client = Client(console.port, token=VIEWER)
    ended = client.get(f"/conversations/{seeded.ended}").text
    assert 'data-state="locked"' in ended  # ended, and its end is under review
    assert f'<li class="child">branch <a href="/conversations/{seeded.branch}">' in ended
    records = any_store.audit_trail(conversation_id=seeded.ended)
    assert _seqs(ended) == [r.seq for r in records]
    assert {r.kind for r in records} >= {"decision", "end", "feedback", "review_opened"}
    branch = client.get(f"/conversations/{seeded.branch}").text
    assert 'data-state="open"' in branch
    assert f'branched from <a href="/conversations/{seeded.ended}">' in branch
    assert 'data-kind="branch"' in branch
    escalated = client.get(f"/conversations/{seeded.escalated}").text
    assert 'data-state="open-review"' in escalated
    assert client.get("/conversations/no-such-thing").status == 404


def test_the_audit_trail_filters_and_pages_back(
    console: Running, seeded: Seeded, any_store: ConversationStore
) -> None:
    any_store.record(
        [
            AuditEvent(kind="refused", user_id=f"u{i % 3}", detail={"via": "start"})
            for i in range(120)
        ]
    )
    client = Client(console.port, token=VIEWER)
    newest = client.get("/audit?limit=50")
    assert newest.status == 200
    head = any_store.audit_trail(limit=1)[0].seq
    assert _seqs(newest.text) == list(range(head, head - 50, -1))  # newest first
    (older,) = re.findall(r'class="older" href="([^"]+)"', newest.text)
    page2 = client.get(older.replace("&amp;", "&"))
    assert _seqs(page2.text) == list(range(head - 50, head - 100, -1))
    assert 'data-chain="intact"' in page2.text  # on every page
    after = client.get(f"/audit?after_seq={head - 3}")
    assert _seqs(after.text) == [head, head - 1, head - 2]
    not_a_number = client.get("/audit?after_seq=x")
    assert not_a_number.status == 400
    assert "after_seq must be a whole number" in not_a_number.text
    bob = client.get("/audit?user=bob").text
    assert _seqs(bob) == [r.seq for r in any_store.audit_trail(user_id="bob")][::-1]
    assert 'data-kind="end"' in bob
    denied = client.get("/audit?decision=denied").text
    assert _seqs(denied) == [r.seq for r in any_store.audit_trail(decision="denied")]
    assert len(_seqs(denied)) == 1
    ends = client.get("/audit?kind=end").text
    assert set(re.findall(r'data-kind="(\w+)"', ends)) == {"end"}
    first = any_store.audit_trail()[0]
    window = client.get(f"/audit?since={first.at}&until={first.at + 0.5}").text
    assert _seqs(window) == [first.seq]
    bad = client.get("/audit?since=yesterday-ish")
    assert bad.status == 400
    assert "not a time" in bad.text


def test_a_tampered_chain_is_shown_on_every_page(
    tmp_path: Path, sqlite_store: SQLiteStore, clock: object
) -> None:
    from end_conversation.console import create_app

    seed(sqlite_store)
    with sqlite3.connect(sqlite_store.path) as db:
        db.execute("UPDATE audit SET body = replace(body, 'alice', 'mallory') WHERE seq = 1")
    running = Running(create_app(sqlite_store, tokens=[VIEWER], chain_max_age=0.0))
    try:
        client = Client(running.port, token=VIEWER)
        for path in ("/", "/audit", "/metrics"):
            page = client.get(path).text
            assert 'data-chain="tampered"' in page, path
            assert "record 1: edited" in page
    finally:
        running.stop()


def test_the_metrics_page_shows_rates_and_the_shadow_view(
    console: Running, seeded: Seeded, any_store: ConversationStore
) -> None:
    client = Client(console.port, token=VIEWER)
    page = client.get("/metrics").text
    decisions = len(any_store.audit_trail(kinds=["decision"]))
    assert f"{decisions} decisions · 2 ends" in page
    assert '<section class="shadow">' in page
    assert "1 calls would have ended their conversation" in page
    assert f'href="/conversations/{seeded.shadow}"' in page
    assert "feedback per end: 50.0%" in page  # one feedback item, two ends
    # Counted incrementally: a new end shows up on the next view.
    from end_conversation import Guard
    from end_conversation._oversight import Oversight

    from .conftest import decide_on, harmful

    decide_on(Oversight(any_store), Guard(), harmful(), "erin")
    assert f"{decisions + 1} decisions · 3 ends" in client.get("/metrics").text


def test_paging_back_with_before_seq_on_every_store(store: ConversationStore) -> None:
    store.record([AuditEvent(kind="refused", user_id=f"u{i % 2}") for i in range(10)])
    assert [r.seq for r in store.audit_trail(before_seq=4)] == [1, 2, 3]
    assert [r.seq for r in store.audit_trail(before_seq=8, limit=3)] == [5, 6, 7]
    assert [r.seq for r in store.audit_trail(user_id="u1", before_seq=8, limit=2)] == [4, 6]
    assert [r.seq for r in store.audit_trail(after_seq=2, before_seq=5)] == [3, 4]


# ---------------------------------------------------------------- the command
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "end_conversation._cli", "console", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("END_CONVERSATION_")},
    )


def test_a_bad_store_or_a_public_address_without_tokens_is_one_line(tmp_path: Path) -> None:
    missing = _command("--store", f"sqlite:///{tmp_path / 'nope.sqlite3'}")
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0
    assert "no store at" in missing.stderr
    assert not (tmp_path / "nope.sqlite3").exists()  # nothing created
    store = tmp_path / "s.sqlite3"
    SQLiteStore(store).close()
    public = _command("--store", f"sqlite:///{store}", "--host", "0.0.0.0")
    assert public.returncode == 2
    assert "needs a token" in public.stderr
    assert _command("--store", "ftp://x").returncode == 2


def test_the_command_serves_and_says_where(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    made = SQLiteStore(path)
    seeded = seed(made)
    made.close()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("END_CONVERSATION_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "end_conversation._cli",
            "console",
            "--store",
            f"sqlite:///{path}",
            "--port",
            str(port),
            "--reviewer-token",
            REVIEWER,
            "--token",
            VIEWER,
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert f"http://127.0.0.1:{port}/" in line
        assert f"sqlite:///{path}" in line
        assert "tokens required" in line
        deadline = time.monotonic() + 20
        while True:
            try:
                reply = Client(port, token=REVIEWER).get("/")
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert reply.status == 200
        assert seeded.escalated[:12] in reply.text
        assert Client(port).get("/").status == 401
        # Another process writes to the store; the running console sees it.
        client = Client(port, token=REVIEWER)
        before = re.findall(r"(\d+) decisions · (\d+) ends", client.get("/metrics").text)
        writer = SQLiteStore(path)
        try:
            from end_conversation import Guard
            from end_conversation._oversight import Oversight

            from .conftest import decide_on, harmful

            decide_on(Oversight(writer), Guard(), harmful(), "erin")
        finally:
            writer.close()
        after = re.findall(r"(\d+) decisions · (\d+) ends", client.get("/metrics").text)
        assert [(int(d) + 1, int(e) + 1) for d, e in before] == [(int(d), int(e)) for d, e in after]
        page = client.get("/").text
        assert 'data-chain="intact"' in page or 'data-chain="checking"' in page
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if proc.stderr is not None:
            proc.stderr.close()


@pytest.mark.parametrize("given", ["", "a,,b"])
def test_an_empty_token_in_the_environment_fails_closed(tmp_path: Path, given: str) -> None:
    store = tmp_path / "s.sqlite3"
    SQLiteStore(store).close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("END_CONVERSATION_")}
    done = subprocess.run(
        [sys.executable, "-m", "end_conversation._cli", "console", "--store", f"sqlite:///{store}"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "END_CONVERSATION_REVIEWER_TOKEN": given},
    )
    assert done.returncode == 2
    assert "empty token" in done.stderr


def test_the_chain_is_verified_in_the_background_and_again_when_old(
    sqlite_store: SQLiteStore,
) -> None:
    from end_conversation.console._data import ChainStatus, ChainWatch

    seed(sqlite_store)
    now = [1000.0]
    watch = ChainWatch(sqlite_store, max_age=30.0, clock=lambda: now[0])

    def settled() -> ChainStatus:
        """The status once the background check started at `now` has finished."""
        deadline = time.monotonic() + 30
        while True:
            status = watch.status()
            if status.problems is not None and status.checked_at == now[0]:
                return status
            assert time.monotonic() < deadline
            time.sleep(0.05)

    first = watch.status()
    assert first.problems is None  # never waits: the first check runs in the background
    assert first.head_seq == sqlite_store.audit_trail(limit=1)[0].seq
    status = settled()
    assert status.intact
    with sqlite3.connect(sqlite_store.path) as db:
        db.execute("UPDATE audit SET body = replace(body, 'alice', 'mallory') WHERE seq = 1")
    assert watch.status().intact  # the last result stands until it is old
    now[0] += 31
    watch.status()
    assert not settled().intact


def test_from_the_demo_to_a_decided_review(tmp_path: Path) -> None:
    """The README's walk-through: the demo's store, an empty queue, a recent end put
    up for review from its page, then overturned with a note."""
    import io

    from rich.console import Console

    from end_conversation._demo import run_demo
    from end_conversation.console import create_app

    path = tmp_path / "demo.sqlite3"
    assert run_demo(Console(file=io.StringIO()), store_path=path) == 0
    store = SQLiteStore(path)
    running = Running(create_app(store, chain_max_age=0.0))
    try:
        client = Client(running.port)
        home = client.get("/").text
        assert "Nothing is waiting for review." in home
        (link,) = re.findall(r'<tr class="recent-end"><td>[^<]*</td><td><a href="([^"]+)"', home)
        page = client.get(link).text
        assert 'data-state="ended"' in page
        from .conftest import parse_form

        form = parse_form(page, css_class="request")
        hidden = [(n, v) for n, v, kind in form.fields if kind == "hidden"]
        opened = client.request("POST", form.action, form=[*hidden, ("reason", "sampled audit")])
        assert opened.status == 303
        review = client.get(opened.headers["location"]).text
        assert "An operator asked for this end to be looked at." in review
        assert 'class="msg user evidence"' in review
        done = client.submit(review, button="Overturn", reviewer="Ola", note="too early")
        assert done.status == 303
        assert 'data-state="open"' in client.get(done.headers["location"]).text
        (decided,) = store.audit_trail(kinds=["review_decided"])
        assert decided.detail["note"] == "too early"
        assert store.verify_audit() == []
        no_csrf = client.request("POST", form.action, form=[("reason", "x")])
        assert no_csrf.status == 403
    finally:
        running.stop()
        store.close()


def test_with_read_only_tokens_only_the_store_is_opened_read_only(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    made = SQLiteStore(path)
    seed(made)
    made.close()
    before = path.read_bytes()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("END_CONVERSATION_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "end_conversation._cli",
            "console",
            "--store",
            f"sqlite:///{path}",
            "--port",
            str(port),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "END_CONVERSATION_CONSOLE_TOKEN": VIEWER},
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "(read-only)" in line
        assert "0 reviewer, 1 read-only" in line
        deadline = time.monotonic() + 20
        while True:
            try:
                home = Client(port, token=VIEWER).get("/")
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert home.status == 200
        assert "read-only" in home.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if proc.stderr is not None:
            proc.stderr.close()
    assert path.read_bytes() == before  # nothing was written
