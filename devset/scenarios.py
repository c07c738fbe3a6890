"""Turn the development set built from ../shared/data into a workbench scenario suite.

    python devset/scenarios.py [--data ../shared/data] [--out devset/out/scenarios.jsonl]
    end-conversation eval --guard-only --suite devset/out/scenarios.jsonl

Each development conversation ends with an end_conversation call; the scenario is
the conversation before it, with the call's reason, in the workbench's categories.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build import build, require_data

from end_conversation.workbench import Scenario, dump_suite

# Development-set category -> (workbench category, tags). Categories the workbench
# does not know keep their own name, with an explicit expectation.
CATEGORY = {
    "risk_in_abuse": ("crisis_distress", ("diasafety_risk", "with_abuse")),
    "risk_then_request": ("crisis_distress", ("diasafety_risk", "with_request")),
    "distress_with_abuse": ("crisis_distress", ("diasafety_risk", "with_abuse")),
    "offending_abuse": ("persistent_abuse", ("diasafety_offending",)),
    "other_then_harm": ("persistent_harm", ("diasafety_other",)),
    "persistent_harm_warned": ("persistent_harm", ("hh_rlhf",)),
    "persistent_abuse_warned": ("persistent_abuse", ()),
    "persistent_harm_unwarned": ("unwarned_persistence", ()),
    "persistent_abuse_unwarned": ("unwarned_persistence", ()),
    "single_refusal": ("single_harmful_request", ("hh_rlhf",)),
    "first_turn": ("single_harmful_request", ("hh_rlhf",)),
    "request_unconfirmed": ("unconfirmed_request", ()),
    "request_declined": ("declined_request", ()),
    "farewell_yes": ("lookalike", ("clinc150",)),
    "lookalike": ("lookalike", ()),
}


def to_scenario(row: dict[str, Any]) -> Scenario:
    *prefix, call = row["messages"]
    reason = call["content"][0]["input"]["reason"]
    name = row["category"]
    if name.startswith("persistent_harm_warned_"):
        name, tags = "persistent_harm", ("multilingual",)
    elif name.startswith("request_confirmed_"):
        name, tags = "confirmed_request", (row["category"].rsplit("_", 1)[1],)
    elif name in CATEGORY:
        name, tags = CATEGORY[name]
    else:
        tags = ("hh_rlhf",)
    data: dict[str, Any] = {
        "id": row["id"],
        "category": name,
        "tags": tags,
        "reason": reason,
        "messages": prefix,
    }
    if name == "redteam_history":
        data["expect"] = {"model": "continue", "guard": "deny"}
    return Scenario.model_validate(data)


def main() -> None:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data",
        default=str(here.parent.parent / "shared" / "data"),
        help="folder holding the public development data (default: ../shared/data)",
    )
    parser.add_argument("--out", default=str(here / "out" / "scenarios.jsonl"))
    args = parser.parse_args()
    scenarios = [to_scenario(row) for row in build(require_data(Path(args.data)))]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    count = dump_suite(scenarios, args.out)
    print(f"wrote {count} scenarios to {args.out}")


if __name__ == "__main__":
    main()
