"""Learned detector costs: first-use load, memory, and annotation time by turn size.

    python benchmarks/bench_learned.py [--model usem3|ngram]

Each figure is the best of a few runs on this machine; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

from end_conversation import LearnedDetector, TurnText

SENTENCE = "I went to the market this morning and the bread was still warm, which made my day. "


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="usem3")
    args = ap.parse_args()
    before = rss_mb()
    t = time.perf_counter()
    detector = LearnedDetector(args.model)
    print(f"construct ({detector.version}): {1000 * (time.perf_counter() - t):.1f} ms; "
          f"numpy loaded so far: {'numpy' in sys.modules}")
    t = time.perf_counter()
    detector.load()
    print(f"first-use load: {time.perf_counter() - t:.2f} s; peak RSS {rss_mb():.0f} MB (was {before:.0f} MB)")
    short = [TurnText(role="user", text=f"{SENTENCE} ({i})") for i in range(64)]
    per = best(lambda: detector.annotate_many(short)) / len(short)
    print(f"short turns (~90 chars), batched: {1000 * per:.2f} ms/turn")
    one = best(lambda: detector.annotate(short[0]), 5)
    print(f"one short turn alone: {1000 * one:.2f} ms")
    for kb in (1, 10, 100):
        text = (SENTENCE * (kb * 1024 // len(SENTENCE) + 1))[: kb * 1024]
        turn = TurnText(role="user", text=text)
        print(f"{kb:>3} KB turn: {1000 * best(lambda turn=turn: detector.annotate(turn), 2):.0f} ms")
    print(f"peak RSS {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
