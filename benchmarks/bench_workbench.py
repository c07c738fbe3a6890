"""How fast the workbench judges scenarios with --guard-only, and that it is deterministic.

    python benchmarks/bench_workbench.py [--repeat 20]

Figures: scenarios/s on the starter suite (cold: a new guard per run, as the CLI
does; warm: one guard, its per-turn cache filled), and on the development-set suite
when devset/out/scenarios.jsonl exists (python devset/scenarios.py builds it).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from end_conversation import Guard
from end_conversation.workbench import load_suite, run_guard, starter_suite


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    suites = {"starter": starter_suite()}
    dev = Path(__file__).resolve().parents[1] / "devset" / "out" / "scenarios.jsonl"
    if dev.exists():
        suites["devset"] = load_suite(dev)
    print(f"{'suite':>8} {'scenarios':>9} {'cold/s':>9} {'warm/s':>9} {'deterministic':>14}")
    for name, scenarios in suites.items():
        cold, warm, seen = [], [], set()
        warm_guard = Guard().warm()
        repeat = args.repeat if len(scenarios) < 500 else max(2, args.repeat // 10)
        for _ in range(repeat):
            report = run_guard(scenarios, Guard())
            cold.append(len(scenarios) / report.seconds)
            start = time.perf_counter()
            again = run_guard(scenarios, warm_guard)
            warm.append(len(scenarios) / (time.perf_counter() - start))
            seen.add(tuple(o.model_dump_json() for o in report.outcomes))
            seen.add(tuple(o.model_dump_json() for o in again.outcomes))
        print(
            f"{name:>8} {len(scenarios):9d} {statistics.median(cold):9.0f}"
            f" {statistics.median(warm):9.0f} {'yes' if len(seen) == 1 else 'NO':>14}"
        )


if __name__ == "__main__":
    main()
