"""Fast multi-pattern matching: run a branch's regex only if its required literals occur.

Python's ``re`` tries every alternative of a large alternation at every position.
For each branch we derive, from the parsed pattern, a set of literal strings one
of which must occur in any match; a cheap substring test then skips branches that
cannot match. The pre-check is exact: a branch with no derivable literal always
runs, so this never changes what matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# The regex parser is private but stable across 3.11+; only used to find literals.
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser as _p  # type: ignore[attr-defined]

__all__ = ["LiteralIndex", "Matcher", "required_literals", "split_top_level"]

_MIN = 3  # literals shorter than this filter too little to be worth checking
_Triggers = frozenset[str] | None


def _long_enough(literal: str) -> bool:
    # Two characters make a word in Chinese or Japanese; Latin needs three to filter.
    return len(literal) >= (_MIN if literal.isascii() else 2)


def split_top_level(pattern: str) -> list[str]:
    """Split a pattern at its top-level ``|`` (outside groups and classes)."""
    parts: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def _best(options: list[frozenset[str]]) -> _Triggers:
    if not options:
        return None
    # Prefer the constraint whose weakest literal is longest, then the smallest set.
    return max(options, key=lambda s: (min(map(len, s)), -len(s)))


def _seq(items: list[tuple[object, object]]) -> _Triggers:
    options: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if _long_enough("".join(run)):
            options.append(frozenset({"".join(run)}))
        run.clear()

    for op, arg in items:
        if op is _c.LITERAL:
            run.append(chr(arg))  # type: ignore[arg-type]
            continue
        flush()
        sub: _Triggers = None
        if op is _c.SUBPATTERN:
            sub = _seq(list(arg[-1]))  # type: ignore[index]
        elif op is _c.BRANCH:
            alts = [_seq(list(a)) for a in arg[1]]  # type: ignore[index]
            if all(a is not None for a in alts):
                sub = frozenset().union(*alts)  # type: ignore[arg-type]
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[0] >= 1:  # type: ignore[index]
            sub = _seq(list(arg[2]))  # type: ignore[index]
        if sub is not None and all(_long_enough(s) for s in sub):
            options.append(sub)
    flush()
    return _best(options)


def required_literals(pattern: str) -> _Triggers:
    """Literals one of which occurs in every match of `pattern`, or None if unknown."""
    return _seq(list(_p.parse(pattern)))


class LiteralIndex:
    """Every pre-check literal of a set of matchers, keyed by its first characters.

    `scan` reads a text once and returns the literals that occur in it; matchers
    use that set to decide which branches to run. A literal holds no whitespace,
    so it always lies inside one whitespace-free token: the scan is exact.
    Literals are keyed by their first three characters (two for the two-character
    words of Chinese and Japanese).
    """

    __slots__ = ("_by2", "_by3")

    def __init__(self) -> None:
        self._by3: dict[str, list[str]] = {}
        self._by2: dict[str, list[str]] = {}

    def add(self, literal: str) -> None:
        """Index one literal."""
        table = self._by3 if len(literal) >= 3 else self._by2
        bucket = table.setdefault(literal[:3], [])
        if literal not in bucket:
            bucket.append(literal)

    def scan(self, text: str) -> frozenset[str]:
        """The indexed literals occurring in `text`."""
        found: set[str] = set()
        by3, by2 = self._by3, self._by2
        for token in set(text.split()):
            short = by2 and not token.isascii()
            for i in range(len(token) - 1):
                if short:
                    for literal in by2.get(token[i : i + 2], ()):
                        found.add(literal)
                hits = by3.get(token[i : i + 3])
                if hits:
                    for literal in hits:
                        if token.startswith(literal, i):
                            found.add(literal)
        return frozenset(found)


class Matcher:
    """A list of patterns searched like one alternation, with literal pre-checks.

    Each branch runs its regex only if one of its required literals occurs in the
    text (as reported by the shared `LiteralIndex`), or if it has none.
    """

    __slots__ = ("_always", "_by_literal", "_index", "_regexes", "pattern")

    def __init__(self, patterns: list[str], index: LiteralIndex | None = None) -> None:
        self.pattern = "|".join(patterns)
        """The equivalent single regular expression."""
        self._index = index or LiteralIndex()
        self._regexes = tuple(re.compile(p) for p in patterns)
        always: list[int] = []
        by_literal: dict[str, list[int]] = {}
        for i, p in enumerate(patterns):
            triggers = required_literals(p)
            if triggers is None or any(_SPACE.search(t) for t in triggers):
                always.append(i)
                continue
            for literal in triggers:
                by_literal.setdefault(literal, []).append(i)
                self._index.add(literal)
        self._always = tuple(always)
        self._by_literal = by_literal

    def _live(self, text: str, present: frozenset[str] | None) -> list[re.Pattern[str]]:
        if present is None:
            present = self._index.scan(text)
        live = set(self._always)
        for literal in present:
            branches = self._by_literal.get(literal)
            if branches:
                live.update(branches)
        return [self._regexes[i] for i in sorted(live)]

    def search(self, text: str, present: frozenset[str] | None = None) -> re.Match[str] | None:
        """Leftmost match over all branches, or None.

        `present` is the result of `LiteralIndex.scan` on `text` or on a text that
        contains it; without it the text is scanned here.
        """
        best: re.Match[str] | None = None
        for regex in self._live(text, present):
            m = regex.search(text)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
                if m.start() == 0:
                    break
        return best

    def finditer(self, text: str, present: frozenset[str] | None = None) -> Iterator[re.Match[str]]:
        """Every match of every branch (branch by branch)."""
        for regex in self._live(text, present):
            yield from regex.finditer(text)


_SPACE = re.compile(r"\s")
