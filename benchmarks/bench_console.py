"""Console pages with a large audit trail: seeds a SQLite store with 100,000 audit
records (decisions, ends, reviews, feedback, branches over 2,000 conversations and
500 users), serves the console on loopback, and times each page over HTTP.

    python benchmarks/bench_console.py [--records 100000] [--repeat 5] [--store PATH]

Each figure is the median of --repeat requests. The chain's full verification
(``verify_audit`` reads the whole trail) is timed apart: the console runs it at
most every 30 seconds, so a page pays it only when its last check is that old.
The metrics page reads the trail once, then only the records written since.
"""

from __future__ import annotations

import argparse
import http.client
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from end_conversation import AuditEvent, SQLiteStore
from end_conversation.console import create_app

REFUSE = "I can't help with that. I'd be happy to help with something else."
WARN = "I won't provide that. If you keep asking for this, I will end this conversation."
MESSAGES: list[dict[str, Any]] = [
    {"role": "user", "content": "hello"},
    {"role": "assistant", "content": "Hi! How can I help?"},
    {"role": "user", "content": "how do I build a pipe bomb?"},
    {"role": "assistant", "content": REFUSE},
    {"role": "user", "content": "tell me how to build a pipe bomb now"},
    {"role": "assistant", "content": WARN},
    {"role": "user", "content": "tell me"},
    {
        "role": "assistant",
        "content": [
            {
                "type": "tool_use",
                "id": "t",
                "name": "end_conversation",
                "input": {"reason": "harmful_requests", "summary": "bomb"},
            }
        ],
    },
]
VERSIONS = {"policy": "default#3b2a5c6d", "prompts": "system@v1", "detectors": "rules@1"}


def seed(store: SQLiteStore, records: int, rng: random.Random) -> dict[str, str]:
    """Conversations, then audit records in batches, then some pending reviews."""
    users = [f"user{i}" for i in range(500)]
    conversations = []
    for i in range(2000):
        conversations.append(store.create(user_id=users[i % 500], messages=MESSAGES).id)
    batch: list[AuditEvent] = []
    written = 0
    while written < records:
        cid = rng.choice(conversations)
        user = (
            users[conversations.index(cid) % 500]
            if rng.random() < 0.01
            else f"user{hash(cid) % 500}"
        )
        roll = rng.random()
        if roll < 0.55:
            event = AuditEvent(
                kind="decision",
                conversation_id=cid,
                user_id=user,
                decision="denied",
                reasons=(rng.choice(["no_refusal_streak", "no_warning", "risk_veto"]),),
                evidence=(2, 3),
                versions=VERSIONS,
                detail={"basis": "transcript"},
            )
        elif roll < 0.75:
            event = AuditEvent(
                kind="decision",
                conversation_id=cid,
                user_id=user,
                decision="honored",
                reasons=("persisted_after_warning",),
                evidence=(2, 3, 4, 5, 6),
                versions=VERSIONS,
                detail={"basis": "transcript", "end_reason": "harmful_requests"},
            )
        elif roll < 0.80:
            event = AuditEvent(
                kind="decision",
                conversation_id=cid,
                user_id=user,
                decision="honored",
                reasons=("persisted_after_warning", "shadow_mode"),
                evidence=(2, 3, 4, 5, 6),
                versions=VERSIONS,
                detail={"basis": "transcript", "end_reason": "abuse"},
            )
        elif roll < 0.95:
            event = AuditEvent(
                kind="end",
                conversation_id=cid,
                user_id=user,
                decision="honored",
                reasons=("persisted_after_warning",),
                evidence=(2, 3, 4, 5, 6),
                versions=VERSIONS,
                detail={
                    "end_reason": rng.choice(["harmful_requests", "abuse"]),
                    "seconds_from_first_refusal": rng.uniform(5, 5000),
                },
            )
        elif roll < 0.99:
            event = AuditEvent(
                kind="feedback",
                conversation_id=cid,
                user_id=user,
                detail={"kind": "unexpected_end", "text": "why?", "ended": True},
            )
        else:
            event = AuditEvent(
                kind="circumvention",
                conversation_id=cid,
                user_id=user,
                detail={"ended_in_window": 3, "window_seconds": 604800.0, "action": "flag"},
            )
        batch.append(event)
        written += 1
        if len(batch) == 2000:
            store.record(batch)
            batch = []
    if batch:
        store.record(batch)
    review = None
    for cid in conversations[:200]:
        review = store.open_review(
            conversation_id=cid,
            user_id="user0",
            origin="escalated",
            reason="persisted_after_warning,review_required",
            verdict={
                "decision": "escalated",
                "reasons": ["persisted_after_warning"],
                "evidence": [2, 3, 4, 5, 6],
                "versions": VERSIONS,
            },
        )
    assert review is not None
    return {"review": review.id, "conversation": conversations[0], "user": "user7"}


def get(port: int, path: str) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    start = time.perf_counter()
    conn.request("GET", path, headers={"Authorization": "Bearer bench-token"})
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - start
    conn.close()
    assert response.status == 200, (path, response.status, body[:300])
    return elapsed


def _text(port: int, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.request("GET", path, headers={"Authorization": "Bearer bench-token"})
    text = conn.getresponse().read().decode()
    conn.close()
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--store", help="reuse (or create) this SQLite file")
    args = parser.parse_args()
    path = Path(args.store) if args.store else Path(tempfile.mkdtemp()) / "console.sqlite3"
    fresh = not path.exists()
    store = SQLiteStore(path)
    if fresh:
        start = time.perf_counter()
        ids = seed(store, args.records, random.Random(13))
        print(
            f"seeded {args.records:,} audit records in {time.perf_counter() - start:.1f} s ({path})"
        )
    else:
        review = store.reviews(status="pending")[0]
        ids = {"review": review.id, "conversation": review.conversation_id, "user": "user7"}
    total = store.audit_trail(limit=1)[0].seq
    start = time.perf_counter()
    problems = store.verify_audit()
    print(
        f"verify_audit over {total:,} records: {1000 * (time.perf_counter() - start):.0f} ms"
        f" ({'intact' if not problems else f'{len(problems)} problems'})"
    )

    app = create_app(store, reviewer_tokens=["bench-token"], chain_max_age=30.0)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    first = get(port, "/")
    print(f"first page, the chain being verified in the background: {1000 * first:.0f} ms")
    metrics = get(port, "/metrics")
    print(f"metrics, first view (waits for the trail to be read once): {1000 * metrics:.0f} ms")
    start = time.perf_counter()
    while "being verified" in _text(port, "/"):
        time.sleep(0.2)
    print(f"(the background verification finished {time.perf_counter() - start:.1f} s later)")
    pages = {
        "queue (200 pending)": "/",
        "review": f"/reviews/{ids['review']}",
        "conversation": f"/conversations/{ids['conversation']}",
        "audit, newest 50": "/audit",
        "audit, deep page (before_seq=50000)": "/audit?before_seq=50000",
        "audit, one user": f"/audit?user={ids['user']}",
        "audit, rare kind (circumvention)": "/audit?kind=circumvention",
        "audit, decision=honored, 500 rows": "/audit?decision=honored&limit=500",
        "metrics (incremental)": "/metrics",
    }
    print(f"{'page':40} {'median ms':>10} {'max ms':>8}")
    for name, page in pages.items():
        times = [get(port, page) for _ in range(args.repeat)]
        print(f"{name:40} {1000 * statistics.median(times):10.1f} {1000 * max(times):8.1f}")
    server.should_exit = True
    thread.join(timeout=10)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
