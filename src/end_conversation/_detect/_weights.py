"""A small, byte-stable container for a learned detector's weights.

Layout: the magic ``ECLM``, a format number and a header length (little-endian
uint32 each), a JSON header (sorted keys, no whitespace) naming each array's
dtype, shape and offset plus the model's settings and the payload's sha256,
then the arrays' raw little-endian bytes. No timestamps, no pickles: the same
weights always give the same file, and a truncated or altered file is
detected on load.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["FORMAT", "WeightsFormatError", "pack", "unpack"]

MAGIC = b"ECLM"
FORMAT = 1


class WeightsFormatError(ValueError):
    """The weights file is not a valid, intact weights container."""


def pack(settings: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> bytes:
    """Serialize `arrays` (little-endian, C order) and `settings` to bytes."""
    payload = bytearray()
    index: dict[str, Any] = {}
    for name in sorted(arrays):
        arr = np.ascontiguousarray(arrays[name])
        arr = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
        index[name] = {"dtype": arr.dtype.str, "shape": list(arr.shape), "offset": len(payload)}
        payload += arr.tobytes()
    header = {
        "arrays": index,
        "settings": dict(settings),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "payload_len": len(payload),
    }
    raw = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    return MAGIC + struct.pack("<II", FORMAT, len(raw)) + raw + bytes(payload)


def unpack(data: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Parse and verify a container; raises `WeightsFormatError` on any damage."""
    if len(data) < 12 or data[:4] != MAGIC:
        raise WeightsFormatError("not a weights file (bad magic)")
    fmt, hlen = struct.unpack("<II", data[4:12])
    if fmt != FORMAT:
        raise WeightsFormatError(f"unsupported weights format {fmt}")
    try:
        header = json.loads(data[12 : 12 + hlen].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WeightsFormatError(f"unreadable header: {exc}") from None
    payload = data[12 + hlen :]
    if len(payload) != header.get("payload_len") or (
        hashlib.sha256(payload).hexdigest() != header.get("payload_sha256")
    ):
        raise WeightsFormatError("payload damaged (length or sha256 mismatch)")
    arrays: dict[str, np.ndarray] = {}
    for name, spec in header["arrays"].items():
        dtype = np.dtype(spec["dtype"])
        shape = tuple(int(s) for s in spec["shape"])
        count = int(np.prod(shape)) if shape else 1
        start = int(spec["offset"])
        end = start + count * dtype.itemsize
        if end > len(payload):
            raise WeightsFormatError(f"array {name!r} runs past the payload")
        arrays[name] = np.frombuffer(payload[start:end], dtype=dtype).reshape(shape)
    return dict(header["settings"]), arrays
