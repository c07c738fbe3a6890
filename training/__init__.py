"""Training and held-out evaluation for the learned detectors (never imported at run time).

Importing this package pins OpenBLAS to its Haswell (AVX2) kernels on x86-64, before
numpy loads it: OpenBLAS otherwise picks kernels by CPU, and its AVX-512 ones sum in
another order, which moves the trained weights' last bits, so a rebuild on another
machine would not give the shipped bytes. `blas_kernel` names what was loaded.
"""

from __future__ import annotations

import os
import platform
import sys

PINNED_KERNEL = "Haswell"


def cpu_has_avx2_fma() -> bool:
    """Whether this CPU can run the pinned kernels."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            flags = next((line for line in fh if line.startswith("flags")), "").split()
    except OSError:
        return True  # no /proc (macOS): every x86-64 Mac since 2013 has both
    return "avx2" in flags and "fma" in flags


if (
    "numpy" not in sys.modules
    and platform.machine().lower() in ("x86_64", "amd64")
    and cpu_has_avx2_fma()
):
    os.environ["OPENBLAS_CORETYPE"] = PINNED_KERNEL


def blas_kernel() -> str:
    """The loaded BLAS and its kernels, e.g. ``openblas/Haswell`` (what the shipped
    weights were built with)."""
    import numpy  # noqa: F401  (loads the BLAS)
    from threadpoolctl import threadpool_info

    for lib in threadpool_info():
        if lib.get("user_api") == "blas":
            return f"{lib.get('internal_api')}/{lib.get('architecture')}"
    return "unknown"
