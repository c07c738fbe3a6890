"""Which rows are held out: one rule, shared by training and every held-out evaluation.

A row is held out when its *group* hashes into the held-out fifth. A group is the
source item a row belongs to, so translations of one prompt, a prompt and the
responses to it, or the attack prompts built from one goal never straddle the
split. On top of that, the training builder drops any training row whose
normalized text also occurs in a held-out row (the same short message, "yes" or
"fuck you", appears under many ids).

Sources kept for independent measurement only (XSTest, the OpenAI moderation
samples, the DiaSafety test split, CoSafe, C-SSRS, the CLINC150 test split) are
not read here at all.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["HELDOUT_PERCENT", "POOL_DIR", "group_of", "is_heldout", "norm_key", "pool_keys"]

HELDOUT_PERCENT = 20
"""Share of groups held out, in percent."""

_LANG_PART = re.compile(r"^[a-z]{2}$")


def group_of(row: Mapping[str, Any]) -> str:
    """The source item a row belongs to (``source:key``)."""
    source = str(row.get("source", ""))
    rid = str(row["id"])
    parts = rid.split(":")
    if source in ("xsafety", "multijail", "mhc"):
        # <source>:<lang>:...: the same item in every language shares one group.
        rest = [p for i, p in enumerate(parts[1:]) if not (i == 0 and _LANG_PART.match(p))]
        return f"{source}:{':'.join(rest)}"
    if source == "coconot" and len(parts) >= 4:
        # coconot:pref:<item>:prompt|chosen|rejected -> one group per prompt.
        return f"{source}:{parts[1]}:{parts[2]}"
    if source == "jailbreakbench":
        goal = row.get("labels", {}).get("goal_index")
        return f"{source}:goal:{goal}"
    group = row.get("group")
    if isinstance(group, str) and group:
        return f"{source}:{group}"  # curated rows name their paraphrase group
    return f"{source}:{rid}"


def is_heldout(row: Mapping[str, Any]) -> bool:
    """Whether `row` belongs to the held-out split (stable across runs and machines)."""
    digest = hashlib.sha256(group_of(row).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % 100 < HELDOUT_PERCENT


def norm_key(text: str) -> str:
    """Text identity for de-duplication across the split: case, accents and spacing folded."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split())


POOL_DIR = Path(__file__).resolve().parent / "heldout"
"""The evaluation-only pool (warnings, refusals, risk lines, ...) of the held-out conversations."""


def pool_keys(folder: Path = POOL_DIR) -> frozenset[str]:
    """`norm_key` of every text in the evaluation-only pool: no training row may equal one."""
    keys: set[str] = set()
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            keys.update(
                norm_key(v)
                for k, v in row.items()
                if isinstance(v, str) and k not in ("lang", "kind", "style", "id")
            )
    return frozenset(keys)
