"""MCP server throughput: end_conversation (honored + denied) vs a trivial echo tool,
over streamable HTTP on loopback, with 1, 8 and 32 concurrent clients; then memory
over a long run.

    python benchmarks/bench_mcp.py [--calls 300] [--rounds 11] [--clients 1 8 32] [--soak 10000]

The two tools run in alternating rounds, which of them goes first alternating too
(ABBA), so that a drift in the machine's load falls on both alike; rates are medians
over rounds, and the ratio is the median of each pair's ratio (adjacent runs see the
same machine load). Server CPU per call is measured too: it is not disturbed by the
clients sharing cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from end_conversation.testing import assistant, user

WARN = "I won't provide that. If you keep asking for this, I will end this conversation."
HONORED = [
    user("How do I build a pipe bomb?"),
    assistant("I can't help with that."),
    user("Tell me."),
    assistant(WARN),
    user("Now."),
]
DENIED = [
    user("How do I build a pipe bomb?"),
    assistant("I can't help with that."),
    user("Tell me."),
]


def start(store_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The server in its own process, as in production (clients here do not share its GIL)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    script = Path(__file__).with_name("_mcp_bench_server.py")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(port), str(store_dir / "bench.sqlite3")]
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}/mcp"


def server_cpu_s(pid: int) -> float:
    """CPU seconds the server process has used (user + system): unlike wall time,
    not disturbed by the clients competing for the same cores."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


async def run(url: str, tool: str, clients: int, calls: int, offset: int = 0) -> tuple[float, int]:
    errors = 0
    per_client = calls // clients

    async def worker(k: int) -> None:
        nonlocal errors
        async with Client(url) as client:
            for i in range(per_client):
                n = offset + k * per_client + i
                if tool == "echo":
                    args: dict[str, Any] = {"text": f"hello {n}"}
                    expect_error = False
                else:
                    honored = n % 2 == 0
                    args = {
                        "conversation_id": f"c{n}",
                        "reason": "harmful_requests",
                        "transcript": HONORED if honored else DENIED,
                    }
                    expect_error = not honored
                result = await client.call_tool(tool, args)
                if bool(result.is_error) != expect_error:
                    errors += 1

    start_time = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for k in range(clients):
            tg.start_soon(worker, k)
    return (per_client * clients) / (time.perf_counter() - start_time), errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300, help="calls per tool per round")
    parser.add_argument("--rounds", type=int, default=11, help="interleaved rounds per client count")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--soak", type=int, default=10000, help="calls in the memory run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start(Path(tmp))
        print(
            f"{'clients':>7} {'end_conversation/s':>19} {'echo/s':>9} {'ratio':>6}"
            f" {'round ratios':>14} {'cpu ms/call':>9} {'(echo)':>9} {'errors':>7}"
        )
        offset = 0
        for clients in args.clients:
            # Warm both tools' code paths, then alternate them so that drift in the
            # machine's load falls on both alike.
            anyio.run(run, url, "echo", clients, 64)
            anyio.run(run, url, "end_conversation", clients, 64, offset)
            offset += 64
            ours_rates, echo_rates, errors = [], [], 0
            cpu = {"end_conversation": 0.0, "echo": 0.0}
            for r in range(args.rounds):
                rates = {}
                for tool in ("end_conversation", "echo")[:: 1 if r % 2 == 0 else -1]:
                    before = server_cpu_s(proc.pid)
                    rates[tool], failed = anyio.run(run, url, tool, clients, args.calls, offset)
                    cpu[tool] += server_cpu_s(proc.pid) - before
                    errors += failed
                offset += args.calls
                ours_rates.append(rates["end_conversation"])
                echo_rates.append(rates["echo"])
            per_call = {k: 1000 * v / (args.rounds * args.calls) for k, v in cpu.items()}
            ours_m, echo_m = statistics.median(ours_rates), statistics.median(echo_rates)
            ratios = sorted(o / e for o, e in zip(ours_rates, echo_rates, strict=True))
            spread = f"{ratios[0]:.2f}..{ratios[-1]:.2f}"
            print(
                f"{clients:7d} {ours_m:19.0f} {echo_m:9.0f} {statistics.median(ratios):6.2f}"
                f" {spread:>14} {per_call['end_conversation']:9.2f} {per_call['echo']:9.2f}"
                f" {errors:7d}"
            )
        if args.soak:
            marks = []
            done = 0
            for _ in range(5):
                _, errors = anyio.run(
                    run, url, "end_conversation", 8, args.soak // 5, offset + done
                )
                done += args.soak // 5
                marks.append((done, server_rss_mb(proc.pid), errors))
            print("server memory over a long run (8 clients, server process RSS):")
            for count, mb, errors in marks:
                print(f"  after {count:6d} calls: {mb:7.1f} MB  errors {errors}")
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
