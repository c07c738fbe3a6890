"""A short, stable digest of what a detector reads turns with.

A detector's version is recorded in every verdict. The phrase rules' patterns and
the learned detector's run-time reading (chunking, floors, the words a warning must
name) are code, not weights, so a hand-kept number alone would let a changed pattern
go into the audit trail under the old name. The digest is taken over the values a
module defines (patterns by their source and flags, lexicons by their patterns,
numbers, strings, and tuples, frozen sets and mappings of them), never over functions,
lists, sets or comments: the same reading always has the same digest, in any process
(sets are sorted, so the string hash seed does not matter). The modules given must
keep no cache in a module-level mapping: a test reads turns and checks that the
digests stay the same.
"""

from __future__ import annotations

import hashlib
import re
from enum import Enum
from functools import cache
from types import ModuleType

__all__ = ["fingerprint"]

_DIGITS = 8


def _canonical(value: object) -> str | None:
    """A process-independent text for `value`, or None for what is not reading data."""
    if isinstance(value, re.Pattern):
        return f"re({value.pattern!r},{value.flags})"
    if isinstance(value, Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, bool | int | float | str | bytes) or value is None:
        return repr(value)
    if isinstance(value, tuple):
        items = [_canonical(v) for v in value]
        return None if None in items else "(" + ",".join(i for i in items if i is not None) + ")"
    if isinstance(value, frozenset):
        items = [_canonical(v) for v in value]
        if None in items:
            return None
        return "{" + ",".join(sorted(i for i in items if i is not None)) + "}"
    if isinstance(value, dict):
        pairs = [(_canonical(k), _canonical(v)) for k, v in value.items()]
        if any(k is None or v is None for k, v in pairs):
            return None
        return "{" + ",".join(sorted(f"{k}:{v}" for k, v in pairs)) + "}"
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:  # a lexicon: its patterns
        inner = [_canonical(getattr(value, name)) for name in fields]
        if None in inner:
            return None
        return f"{type(value).__name__}(" + ",".join(i for i in inner if i is not None) + ")"
    return None


def _module(module: ModuleType) -> str:
    parts = []
    for name in sorted(vars(module)):
        if name.startswith("__"):
            continue
        text = _canonical(vars(module)[name])
        if text is not None:
            parts.append(f"{name}={text}")
    return f"module {module.__name__}[" + ";".join(parts) + "]"


@cache
def fingerprint(*parts: object) -> str:
    """First eight hex digits of the sha256 of `parts` (modules by every reading value
    they define, anything else by its canonical text)."""
    texts = []
    for part in parts:
        if isinstance(part, ModuleType):
            texts.append(_module(part))
        else:
            text = _canonical(part)
            if text is None:
                raise TypeError(f"cannot fingerprint {type(part).__name__}")
            texts.append(text)
    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()[:_DIGITS]
