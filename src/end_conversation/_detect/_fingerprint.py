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
from collections.abc import Iterable
from enum import Enum
from functools import cache
from types import ModuleType

__all__ = ["fingerprint"]

_DIGITS = 8


def _each(values: Iterable[object]) -> list[str] | None:
    """The canonical texts of `values`, or None if any of them is not reading data."""
    out = []
    for value in values:
        text = _canonical(value)
        if text is None:
            return None
        out.append(text)
    return out


def _canonical(value: object) -> str | None:
    """A process-independent text for `value`, or None for what is not reading data."""
    if isinstance(value, re.Pattern):
        return f"re({value.pattern!r},{value.flags})"
    if isinstance(value, Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, bool | int | float | str | bytes) or value is None:
        return repr(value)
    if isinstance(value, tuple):
        items = _each(value)
        return None if items is None else "(" + ",".join(items) + ")"
    if isinstance(value, frozenset):  # sorted: a set's order depends on the hash seed
        items = _each(value)
        return None if items is None else "{" + ",".join(sorted(items)) + "}"
    if isinstance(value, dict):
        keys, values = _each(value.keys()), _each(value.values())
        if keys is None or values is None:
            return None
        return "{" + ",".join(sorted(f"{k}:{v}" for k, v in zip(keys, values, strict=True))) + "}"
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:  # a lexicon: its patterns
        items = _each(getattr(value, name) for name in fields)
        return None if items is None else f"{type(value).__name__}(" + ",".join(items) + ")"
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
