"""Store throughput: appends and ends per second on SQLite and PostgreSQL with 1 and 8
writer processes; then store growth per 10,000 conversations.

    python benchmarks/bench_store.py [--seconds 3] [--conversations 10000] [--pg URL]

PostgreSQL is measured when --pg or END_CONVERSATION_TEST_PG names a server
(eval "$(bash .ci/postgres.sh)" starts one). Each writer is a process with its own
connection. An "append" stores one message; an "end" creates a conversation,
appends two messages, and ends it with its decision and end audit records (what
an honored call costs). Conversations for growth hold 10 messages and end one in
ten, with their audit records.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from end_conversation import AuditEvent, ConversationStore, open_store

MSG = {"role": "user", "content": "How do I get to the station from here? " * 2}
REPLY = {
    "role": "assistant",
    "content": [{"type": "text", "text": "Take the second left, then walk for five minutes."}],
}


def _events(cid: str) -> list[AuditEvent]:
    common: dict[str, Any] = {
        "conversation_id": cid,
        "user_id": "u",
        "decision": "honored",
        "reasons": ("persisted_after_warning",),
        "evidence": (0, 1, 2, 3, 4, 5, 6),
        "versions": {"policy": "default#3c8eea8f", "prompts": "system@v1", "detectors": "rules@1"},
    }
    return [AuditEvent(kind="decision", **common), AuditEvent(kind="end", **common)]


def _writer(url: str, action: str, seconds: float, start: Any, out: Any) -> None:
    store = open_store(url)
    cid = store.create(user_id="u").id
    start.wait()
    done, stop = 0, time.perf_counter() + seconds
    while time.perf_counter() < stop:
        if action == "append":
            store.append(cid, [MSG])
        else:
            record = store.create(user_id="u")
            store.append(record.id, [MSG, REPLY])
            store.end(
                record.id, verdict={"decision": "honored"}, notice="n", events=_events(record.id)
            )
        done += 1
    out.put(done)
    store.close()


def rate(url: str, action: str, writers: int, seconds: float) -> float:
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(url, action, seconds, start, out)) for _ in range(writers)
    ]
    for p in procs:
        p.start()
    time.sleep(1.5)  # let every writer connect before the clock starts
    start.set()
    total = sum(out.get(timeout=120) for _ in procs)
    for p in procs:
        p.join()
    return total / seconds


def growth(store: ConversationStore, conversations: int) -> None:
    for i in range(conversations):
        record = store.create(user_id=f"user{i % 500}")
        store.append(record.id, [MSG, REPLY] * 5)
        if i % 10 == 0:
            store.end(
                record.id, verdict={"decision": "honored"}, notice="n", events=_events(record.id)
            )


def size_bytes(url: str, store: ConversationStore) -> int:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        store.close()
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT sum(pg_total_relation_size(quote_ident(table_name)))"
            " FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchone()
    store.close()
    return int(row[0] if row else 0)


def fresh_pg(base: str) -> str:
    import uuid

    import psycopg

    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{name}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--conversations", type=int, default=10000)
    parser.add_argument("--pg", default=os.environ.get("END_CONVERSATION_TEST_PG"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        backends = {"sqlite": lambda name: f"sqlite:///{tmp}/{name}.sqlite3"}
        if args.pg:
            backends["postgres"] = lambda name: fresh_pg(args.pg)
        else:
            print("(PostgreSQL skipped: pass --pg URL or set END_CONVERSATION_TEST_PG)")
        print(f"{'store':>9} {'writers':>7} {'appends/s':>10} {'ends/s':>8}")
        for name, make in backends.items():
            for writers in (1, 8):
                url = make(f"rate{writers}")
                open_store(url).close()  # create the schema once, before the writers
                appends = rate(url, "append", writers, args.seconds)
                ends = rate(url, "end", writers, args.seconds)
                print(f"{name:>9} {writers:7d} {appends:10.0f} {ends:8.0f}")
        print(f"growth per {args.conversations:,} conversations (10 messages each, 1 in 10 ended):")
        for name, make in backends.items():
            url = make("growth")
            store = open_store(url)
            started = time.perf_counter()
            growth(store, args.conversations)
            took = time.perf_counter() - started
            mb = size_bytes(url, store) / 2**20
            print(
                f"  {name:>9}: {mb:7.1f} MB ({1024 * mb / args.conversations:.2f} kB each), {took:.1f} s"
            )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
