"""A first-in, first-out map bounded by entry count and by the length of the texts it holds."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["ENTRY_COST", "TextCache"]

K = TypeVar("K")
V = TypeVar("V")

ENTRY_COST = 128
"""What one entry costs besides its text (key tuple, value, table slot), in characters.
Keeps a flood of tiny texts from being free."""


class TextCache(Generic[K, V]):
    """Maps keys that hold a text to values, within `max_entries` and `max_chars`.

    Each entry costs the length of its text plus `ENTRY_COST`; `used` is the sum.
    Adding past either bound drops the oldest entries first. A text longer than a
    tenth of the budget is not kept at all: one huge message must not flush
    everything else, and re-reading it costs little next to its size.
    """

    __slots__ = ("_costs", "_data", "get", "max_chars", "max_entries", "used")

    def __init__(self, *, max_entries: int, max_chars: int) -> None:
        if max_entries < 0 or max_chars < 0:
            raise ValueError("cache bounds must not be negative")
        self._data: OrderedDict[K, V] = OrderedDict()
        self._costs: dict[K, int] = {}
        self.max_entries = max_entries
        """At most this many entries."""
        self.max_chars = max_chars
        """At most this many characters of text, entry costs included."""
        self.used = 0
        """Characters accounted to the entries held now."""
        self.get: Callable[[K], V | None] = self._data.get
        """The value for a key, or None (a bound method: this sits on the hot path)."""

    def put(self, key: K, value: V, text_length: int) -> None:
        """Keep `value` for `key`, whose text is `text_length` characters long."""
        cost = text_length + ENTRY_COST
        old = self._costs.pop(key, None)
        if old is not None:
            self.used -= old
            del self._data[key]
        if cost > self.max_chars // 10 or self.max_entries == 0:
            return
        self._data[key] = value
        self._costs[key] = cost
        self.used += cost
        while self.used > self.max_chars or len(self._data) > self.max_entries:
            first, _ = self._data.popitem(last=False)
            self.used -= self._costs.pop(first)

    def clear(self) -> None:
        """Drop every entry."""
        self._data.clear()
        self._costs.clear()
        self.used = 0

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data
