"""Build the development conversations: the held-out builder run on *training* rows.

    python training/dev_conversations.py [--out training/out/dev.jsonl]
    python training/score.py training/out/dev.jsonl
    python training/dev_conversations.py --tune   # tune-split rows only: dev_tune.jsonl

The same categories and shapes as ``training/conversations.py``, but every corpus row
quoted is a training row (``training.split.is_heldout`` inverted) and the warnings,
refusals, redirections, risk lines, harmless mentions, push-back and polite re-asks come
from the curated training rows, not from the evaluation-only pool. Thresholds and
run-time rules are chosen on these; the held-out conversations only report. End
requests and farewells still come from the pool (the phrase rules read them; nothing
is trained on them).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import training.conversations as C  # noqa: E402
import training.split as S  # noqa: E402
from training.conversations import Pool, Text  # noqa: E402

CURATED = HERE / "data" / "curated"
DEFAULT_OUT = HERE / "out" / "dev.jsonl"
TUNE_OUT = HERE / "out" / "dev_tune.jsonl"
SEED = 2024
COMPLIANT = "Good question. In short, here is what it means and where it comes from."


def _rows(name: str) -> list[dict[str, Any]]:
    lines = (CURATED / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def dev_pool(folder: Path = C.POOL) -> Pool:
    """The pool's end requests and farewells, everything else from curated training rows."""
    pool = C.load_pool(folder)
    pool.warnings, pool.refusals, pool.redirections, pool.persistence = {}, {}, {}, {}
    pool.polite = []
    for r in _rows("warning"):
        if r["labels"].get("warning") == 1:
            pool.warnings.setdefault(r["lang"], []).append({"kind": "any", "text": r["text"]})
    for r in _rows("refusal"):
        if r["labels"].get("refusal") == 1:
            pool.refusals.setdefault(r["lang"], []).append({"text": r["text"]})
    for r in _rows("redirection"):
        if r["labels"].get("redirection") == 1:
            pool.redirections.setdefault(r["lang"], []).append(r["text"])
    for r in _rows("user_pushback"):
        pool.persistence.setdefault(r["lang"], []).append(r["text"])
        if r["lang"] == "en" and r["labels"].get("abuse") == 0:
            pool.polite.append(r["text"])
    pool.risk = {"oblique": [], "disclosure": [], "method": []}
    for r in _rows("risk_pos") + _rows("supplement_passive"):
        if r["labels"].get("risk_self") != 1:
            continue
        note = str(r.get("note") or "").lower()
        if "method" in note:
            kind = "method"
        elif any(w in note for w in ("oblique", "ideation", "passive", "burden", "letter", "giving")):
            kind = "oblique"
        else:
            kind = "disclosure"
        pool.risk[kind].append(Text(r["text"], r["lang"], "curated"))
    pool.harmless = [
        {"lang": "en", "kind": r.get("note", ""), "user": r["text"], "assistant": COMPLIANT}
        for r in _rows("risk_hardneg")
        if r["role"] == "user" and r["lang"] == "en"
    ]
    return pool


def _training_row(row: dict[str, Any]) -> bool:
    return not S.is_heldout(row)


def _tune_row(row: dict[str, Any]) -> bool:
    from training.train import tune_split

    return not S.is_heldout(row) and tune_split(S.group_of(row))


def build(data: Path = C.DEFAULT_DATA, seed: int = SEED) -> list[dict[str, Any]]:
    """Every development conversation, in a fixed order for a given seed."""
    return C.build(data, seed, pool=dev_pool(), pick=_training_row)


def build_tune(data: Path = C.DEFAULT_DATA, seed: int = SEED) -> list[dict[str, Any]]:
    """The same, quoting only tune-split corpus rows: rows no head was fitted on, so
    the user turns read as a new conversation's would (the fit rows' scores are
    optimistic: persistent-harm requests the heads learnt read as harmful more surely
    than new ones do)."""
    return C.build(data, seed, pool=dev_pool(), pick=_tune_row)


def main(argv: Sequence[str] | None = None) -> int:
    tune = ("--tune", "quote only tune-split rows, which no head was fitted on", build_tune, TUNE_OUT)
    return C.cli(argv, doc=__doc__, make=build, out=DEFAULT_OUT, seed=SEED, variant=tune)


if __name__ == "__main__":
    raise SystemExit(main())
