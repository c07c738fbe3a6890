"""Loop overhead: one full turn through Chat vs the same requests with the bare SDK.

    python benchmarks/bench_chat.py [--turns 300] [--long 100] [--statements]

A turn: user message -> model calls end_conversation (denied: too early) ->
tool_result -> model's final reply. Both sides talk to the same scripted
Messages API server on loopback, in its own process as the real API would be (in
this one, its thread would compete with the loop for the GIL, and each store call
that releases the GIL would hand it over), interleaved in one run, the order
rotating from round to round. Every side shares one Guard, warmed on the round's text before
any side is timed: a cold annotation (milliseconds with the learned detector) would
otherwise fall on whichever side runs first, and the figure is the loop's own cost.
A second table times the same turn in one long conversation per side (--long
earlier messages, growing by the turns timed): what reading the history back would
cost grows with it. Also reports the size of stored conversations. With
--statements, only times each statement the SQLite store runs during a turn.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from anthropic import Anthropic

from end_conversation import Chat, Guard, MemoryStore, SQLiteStore, system_prompt, tool_param
from end_conversation.testing import FakeMessagesServer, ScriptedReply, call_end, say

MODEL = "claude-opus-4-8"


def script(body: dict[str, Any]) -> ScriptedReply:
    last = body["messages"][-1]
    if isinstance(last["content"], str):
        return call_end("abuse", "x", id="toolu_bench")
    return say("Let's keep going: how can I help?")


def bare_turn(client: Anthropic, guard: Guard, params: dict[str, Any], text: str) -> None:
    """What a builder writes without the loop: two calls, the guard, the tool_result."""
    messages: list[Any] = [{"role": "user", "content": text}]
    first = client.messages.create(messages=messages, **params)
    messages.append({"role": "assistant", "content": first.content})
    verdict = guard.evaluate(messages, tool_use_id="toolu_bench")
    messages.append({"role": "user", "content": [verdict.tool_result_block()]})
    client.messages.create(messages=messages, **params)


def warm(guard: Guard, text: str) -> None:
    """Annotate the round's turns (untimed), so no side pays a cold annotation."""
    call = {"type": "tool_use", "id": "toolu_bench", "name": "end_conversation"}
    call["input"] = {"reason": "abuse", "summary": "x"}
    guard.evaluate(
        [{"role": "user", "content": text}, {"role": "assistant", "content": [call]}],
        tool_use_id="toolu_bench",
    )


def serve() -> None:
    """The fake API for `fake_api`: prints its URL, serves until stdin closes."""
    with FakeMessagesServer(script) as server:
        print(server.url, flush=True)
        sys.stdin.read()


@contextmanager
def fake_api() -> Iterator[str]:
    """The scripted Messages API in its own process; its URL."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


@contextmanager
def rig() -> Iterator[tuple[Anthropic, Guard, dict[str, Any], dict[str, Any]]]:
    """A client on the scripted API, one shared guard, the bare side's request parameters
    and the two stores compared."""
    with fake_api() as url, tempfile.TemporaryDirectory() as tmp:
        client = Anthropic(api_key="bench", base_url=url, max_retries=0)
        params = {
            "model": MODEL,
            "max_tokens": 1024,
            "system": system_prompt(),
            "tools": [tool_param()],
        }
        stores = {"memory": MemoryStore(), "sqlite": SQLiteStore(Path(tmp) / "bench.sqlite3")}
        try:
            yield client, Guard(), params, stores
        finally:
            client.close()


def report(timings: dict[str, list[float]]) -> None:
    """The bare side's median, then each store's and its ratio to it."""
    bare = statistics.median(timings["bare"])
    print(f"  bare SDK            {bare * 1e3:7.2f} ms")
    for name in ("memory", "sqlite"):
        ours = statistics.median(timings[name])
        print(f"  Chat + {name:7} store {ours * 1e3:7.2f} ms   ratio {ours / bare:.3f}")


def bench_overhead(turns: int) -> None:
    with rig() as (client, guard, params, stores):
        chats = {
            name: Chat(client, model=MODEL, store=s, guard=guard) for name, s in stores.items()
        }
        timings: dict[str, list[float]] = {"bare": [], "memory": [], "sqlite": []}
        for i in range(turns + 20):  # interleaved; the first 20 warm up
            text = f"you are useless {i}"
            # Each timed turn runs in an existing, new conversation (creating it is not
            # part of a turn), so histories stay as short as the bare side's.
            conversations = {name: chat.start() for name, chat in chats.items()}
            warm(guard, text)
            order = ("bare", "memory", "sqlite")
            for name in order[i % 3 :] + order[: i % 3]:
                start = time.perf_counter()
                if name == "bare":
                    bare_turn(client, guard, params, text)
                else:
                    reply = conversations[name].send(text)
                    assert not reply.ended
                elapsed = time.perf_counter() - start
                if i >= 20:
                    timings[name].append(elapsed)
        print(f"one full turn (2 model calls, guard, tool_result), median of {turns}:")
        report(timings)


def bench_long(turns: int, prior: int) -> None:
    seed: list[dict[str, Any]] = []
    for i in range(prior // 2):
        seed.append({"role": "user", "content": f"Here is part {i} of my question about the garden."})
        seed.append({"role": "assistant", "content": [{"type": "text", "text": f"Noted, part {i}."}]})
    with rig() as (client, guard, params, stores):
        conversations = {}
        for name, store in stores.items():
            chat = Chat(client, model=MODEL, store=store, guard=guard)
            conversations[name] = chat.conversation(store.create(messages=seed).id)
            conversations[name].send("hello again")  # the first turn reads the history
        history = [*seed, {"role": "user", "content": "hello again"}]
        timings: dict[str, list[float]] = {"bare": [], "memory": [], "sqlite": []}
        for i in range(turns + 10):
            text = f"you are useless {i}"
            warm(guard, text)
            order = ("bare", "memory", "sqlite")
            for name in order[i % 3 :] + order[: i % 3]:
                start = time.perf_counter()
                if name == "bare":  # the builder's own loop keeps its history in a list
                    messages = [*history, {"role": "user", "content": text}]
                    first = client.messages.create(messages=messages, **params)
                    messages.append({"role": "assistant", "content": first.content})
                    verdict = guard.evaluate(messages, tool_use_id="toolu_bench")
                    messages.append({"role": "user", "content": [verdict.tool_result_block()]})
                    final = client.messages.create(messages=messages, **params)
                    messages.append({"role": "assistant", "content": final.content})
                    history = messages
                else:
                    assert not conversations[name].send(text).ended
                if i >= 10:
                    timings[name].append(time.perf_counter() - start)
        print(
            f"the same turn in one conversation of {prior} to {prior + 4 * (turns + 10)}"
            f" messages, median of {turns}:"
        )
        report(timings)


class _TimedConnection:
    """Stands in for the store's sqlite3 connection and times each statement it runs."""

    def __init__(self, db: Any) -> None:
        self._db = db
        self.on = False
        self.times: dict[str, list[float]] = {}

    def execute(self, sql: str, *args: Any) -> Any:
        start = time.perf_counter()
        result = self._db.execute(sql, *args)
        if self.on:
            self.times.setdefault(" ".join(sql.split()[:4]), []).append(time.perf_counter() - start)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


def bench_statements(turns: int) -> None:
    """Where the SQLite side of the same turn goes: each statement the store runs during
    `Chat.send` (conversations started untimed, as in the first table)."""
    with rig() as (client, guard, _params, stores):
        store = stores["sqlite"]
        timed = _TimedConnection(store._db)  # the store's own connection, wrapped
        store._db = timed
        chat = Chat(client, model=MODEL, store=store, guard=guard)
        for i in range(turns + 20):
            text = f"you are useless {i}"
            conversation = chat.start()
            warm(guard, text)
            timed.on = i >= 20
            assert not conversation.send(text).ended
            timed.on = False
        print(f"SQLite statements in one turn, median of {turns} turns:")
        total = 0.0
        for sql, times in sorted(timed.times.items(), key=lambda kv: -sum(kv[1])):
            per_turn = len(times) / turns
            median = statistics.median(times)
            total += per_turn * median
            print(f"  {per_turn:4.1f} x {median * 1e6:6.1f} us  {sql}")
        print(f"  in all about {total * 1e6:.0f} us per turn")


def bench_storage(conversations: int) -> None:
    turn = [
        {"role": "user", "content": "Can you help me plan a three-day trip to Lisbon in May?"},
        {
            "role": "assistant",
            "content": [
                {
                    "type": "text",
                    "text": "Sure! Day one: Alfama and the castle; day two: Belem; day three: Sintra.",
                }
            ],
            "stop_reason": "end_turn",
        },
    ]
    messages = turn * 5
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "size.sqlite3"
        store = SQLiteStore(path)
        for _ in range(conversations):
            store.append(store.create().id, messages)
        store.close()
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
    tracemalloc.start()
    memory = MemoryStore()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(conversations):
        memory.append(memory.create().id, messages)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(
        f"stored conversation of {len(messages)} messages: SQLite {size / conversations:,.0f} bytes on disk, MemoryStore {(after - before) / conversations:,.0f} bytes in memory ({conversations} conversations)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--long", type=int, default=100, help="earlier messages (0: skip)")
    parser.add_argument(
        "--statements", action="store_true", help="only time the SQLite store's statements"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    if args.statements:
        bench_statements(args.turns)
        return
    bench_overhead(args.turns)
    if args.long:
        bench_long(args.turns // 2, args.long)
    bench_storage(args.conversations)


if __name__ == "__main__":
    main()
