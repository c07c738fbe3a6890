"""Hashed word and character n-gram features (pure Python, stable across runs).

One function shared by training and run time, so the features a model was
trained on are exactly the features it sees. Hashing is CRC-32 (stable, unlike
Python's salted ``hash``); cost is linear in the text's length.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib

__all__ = ["BUCKETS", "features"]

BUCKETS = 1 << 17
"""Number of hash buckets (the model's input width)."""

_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")
_CHAR_ORDERS = (2, 3, 4)


def features(text: str, buckets: int = BUCKETS) -> dict[int, float]:
    """Sparse feature vector of `text`: bucket -> weight (log counts, L2-normalized).

    Word unigrams and bigrams, and character 2- to 4-grams of the casefolded,
    NFKC-normalized text (spaces collapsed, padded with one space each side).
    """
    folded = _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
    counts: dict[int, int] = {}
    mask = buckets - 1
    crc = zlib.crc32
    words = _WORD.findall(folded)
    prev = ""
    for word in words:
        h = crc(word.encode("utf-8"), 1) & mask
        counts[h] = counts.get(h, 0) + 1
        if prev:
            h = crc(f"{prev} {word}".encode(), 2) & mask
            counts[h] = counts.get(h, 0) + 1
        prev = word
    padded = f" {folded} "
    n = len(padded)
    for order in _CHAR_ORDERS:
        seed = 10 + order
        for i in range(n - order + 1):
            h = crc(padded[i : i + order].encode("utf-8"), seed) & mask
            counts[h] = counts.get(h, 0) + 1
    if not counts:
        return {}
    weights = {k: 1.0 + math.log(v) for k, v in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {k: w / norm for k, w in sorted(weights.items())}
