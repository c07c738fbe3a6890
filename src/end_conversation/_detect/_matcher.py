"""Fast multi-pattern matching: run a branch's regex only if its required literals occur.

Python's ``re`` tries every alternative of a large alternation at every position.
For each branch we derive, from the parsed pattern, a set of triggers one of which
must occur in any match; a cheap test then skips branches that cannot match. A
trigger is a literal string (no whitespace: it lies inside one whitespace-free token
of the text) or, for a branch that starts with a short word between word boundaries
("ok", "if you ..."), that whole word. The pre-check is exact: a branch with no
derivable trigger always runs, so this never changes what matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# The regex parser is private but stable across 3.11+; only used to find literals.
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser as _p  # type: ignore[attr-defined]
from typing import Any

__all__ = ["LiteralIndex", "Matcher", "required_literals", "required_words", "split_top_level"]

_MIN = 3  # literals shorter than this filter too little to be worth checking
_Triggers = frozenset[str] | None
_WORD = re.compile(r"\w+")
_TOKENS = 1 << 16
"""Tokens remembered (the memo is cleared when full)."""
_TOKEN_CHARS = 40
"""Longest token remembered: the memo holds at most a few megabytes."""
_LIVES = 1 << 11
"""Branch sets each matcher remembers, by the triggers found (cleared when full)."""


def _long_enough(literal: str) -> bool:
    # One character is a word in Chinese or Japanese (and rare elsewhere); Latin needs
    # three to filter.
    return len(literal) >= (_MIN if literal.isascii() else 1)


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
        # Every whitespace-free piece of a literal run occurs in every match.
        for piece in "".join(run).split():
            if _long_enough(piece):
                options.append(frozenset({piece}))
        run.clear()

    for op, arg in items:
        if op is _c.LITERAL:
            run.append(chr(arg))  # type: ignore[arg-type]
            continue
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[0] >= 1:  # type: ignore[index]
            body = list(arg[2])  # type: ignore[index]
            if len(body) == 1 and body[0][0] is _c.LITERAL:
                # "yes+": the repeated character's first copies continue the run.
                run.append(chr(body[0][1]) * arg[0])  # type: ignore[index]
                flush()
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


_WORD_LIMIT = 8
"""Most words a branch may start with to be triggered by them."""


def _is_word(text: str) -> bool:
    return bool(text) and _WORD.fullmatch(text) is not None


def _space_item(op: Any, arg: Any) -> bool:
    r"""Whether a parsed item always matches at least one whitespace character first:
    ``\s``, ``\s+``, ``\s{2,}``, a literal space."""
    if op is _c.LITERAL:
        return chr(arg).isspace()
    if op is _c.IN:
        return bool(list(arg) == [(_c.CATEGORY, _c.CATEGORY_SPACE)])
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low, _, body = arg
        return bool(low >= 1 and len(body) == 1 and _space_item(*body[0]))
    return False


def _words(items: list[tuple[object, object]], bounded_after: bool) -> frozenset[str] | None:
    """The words a sequence can start with, if it always starts with one whole word
    (word characters up to whitespace, or up to the sequence's end when a word
    boundary follows it): a finite, small set, else None."""
    if items and items[0][0] is _c.AT and items[0][1] is _c.AT_BOUNDARY:
        items = items[1:]
    word: list[str] = []
    for i, (op, arg) in enumerate(items):
        if op is _c.LITERAL and _is_word(chr(arg)):  # type: ignore[arg-type]
            word.append(chr(arg))  # type: ignore[arg-type]
            continue
        if op is _c.BRANCH and not word:
            found: set[str] = set()
            rest = items[i + 1 :]
            for alt in arg[1]:  # type: ignore[index]
                words = _words(list(alt) + rest, bounded_after)
                if words is None:
                    return None
                found |= words
            return frozenset(found) if len(found) <= _WORD_LIMIT else None
        if op is _c.SUBPATTERN and not word:
            return _words(list(arg[-1]) + items[i + 1 :], bounded_after)  # type: ignore[index]
        if word and _space_item(op, arg):
            return frozenset({"".join(word)})
        return None
    return frozenset({"".join(word)}) if word and bounded_after else None


def required_words(pattern: str) -> frozenset[str] | None:
    r"""For a pattern ``\b...`` that always starts with one whole word (a run of word
    characters with a word boundary before it and whitespace or a word boundary
    after it): the words it can start with, one of which every match holds as a
    whole word of the text. None otherwise."""
    items = list(_p.parse(pattern))
    if not items or items[0][0] is not _c.AT or items[0][1] is not _c.AT_BOUNDARY:
        return None
    bounded_after = bool(items) and items[-1][0] is _c.AT and items[-1][1] is _c.AT_BOUNDARY
    body = items[1:-1] if bounded_after else items[1:]
    return _words(body, bounded_after)


class LiteralIndex:
    """Every pre-check trigger of a set of matchers.

    `scan` reads a text once and returns the triggers that occur in it; matchers
    use that set to decide which branches to run. A literal holds no whitespace,
    so it always lies inside one whitespace-free token: the scan is exact. Literals
    are keyed by their first three characters (fewer for the short words of Chinese
    and Japanese); what each token holds is remembered, as most tokens recur. A
    whole-word trigger is reported as the word with a space before it (no literal
    has one), when the text has it as a whole word (a run of word characters).
    """

    __slots__ = ("_by1", "_by2", "_by3", "_tokens", "_words")

    def __init__(self) -> None:
        self._by3: dict[str, list[str]] = {}
        self._by2: dict[str, list[str]] = {}
        self._by1: dict[str, list[str]] = {}
        self._words: set[str] = set()
        self._tokens: dict[str, tuple[str, ...]] = {}

    def add(self, literal: str) -> None:
        """Index one literal."""
        tables = {1: self._by1, 2: self._by2}
        table = tables.get(len(literal), self._by3)
        bucket = table.setdefault(literal[:3], [])
        if literal not in bucket:
            bucket.append(literal)
        self._tokens.clear()

    def add_word(self, word: str) -> str:
        """Index one whole-word trigger; the name `scan` reports it by."""
        self._words.add(word)
        return f" {word}"

    def _token(self, token: str) -> tuple[str, ...]:
        """The indexed literals inside one token."""
        found: set[str] = set()
        by3, by2, by1 = self._by3, self._by2, self._by1
        short = (by2 or by1) and not token.isascii()
        for i in range(len(token)):
            if short:
                for literal in by1.get(token[i], ()):
                    found.add(literal)
                for literal in by2.get(token[i : i + 2], ()):
                    if token.startswith(literal, i):
                        found.add(literal)
            hits = by3.get(token[i : i + 3])
            if hits:
                for literal in hits:
                    if token.startswith(literal, i):
                        found.add(literal)
        return tuple(found)

    def scan(self, text: str) -> frozenset[str]:
        """The indexed triggers occurring in `text`."""
        found: set[str] = set()
        tokens = self._tokens
        for token in set(text.split()):
            hits = tokens.get(token)
            if hits is None:
                hits = self._token(token)
                if len(token) <= _TOKEN_CHARS:  # words recur; a long run of text does not
                    if len(tokens) >= _TOKENS:
                        tokens.clear()
                    tokens[token] = hits
            found.update(hits)
        if self._words:
            found.update(f" {w}" for w in self._words.intersection(_WORD.findall(text)))
        return frozenset(found)


class Matcher:
    """A list of patterns searched like one alternation, with trigger pre-checks.

    Each branch runs its regex only if one of its triggers occurs in the text (as
    reported by the shared `LiteralIndex`), or if it has none. The branches to run
    are worked out once per set of triggers found (a turn's sentences share one).
    """

    __slots__ = (
        "_always",
        "_by_literal",
        "_index",
        "_keys",
        "_last",
        "_lives",
        "_regexes",
        "pattern",
    )

    def __init__(self, patterns: list[str], index: LiteralIndex | None = None) -> None:
        self.pattern = "|".join(patterns)
        """The equivalent single regular expression."""
        self._index = index or LiteralIndex()
        self._regexes = tuple(re.compile(p) for p in patterns)
        always: list[int] = []
        by_literal: dict[str, list[int]] = {}
        for i, p in enumerate(patterns):
            triggers = required_literals(p)
            if triggers is not None and not any(_SPACE.search(t) for t in triggers):
                for literal in triggers:
                    self._index.add(literal)
            elif (words := required_words(p)) is not None:
                triggers = frozenset(self._index.add_word(w) for w in words)
            else:
                always.append(i)
                continue
            for trigger in triggers:
                by_literal.setdefault(trigger, []).append(i)
        self._always = tuple(always)
        self._by_literal = by_literal
        self._keys = frozenset(by_literal)
        self._lives: dict[frozenset[str], tuple[re.Pattern[str], ...]] = {}
        self._last: tuple[frozenset[str] | None, tuple[re.Pattern[str], ...]] = (None, ())

    def _live(self, text: str, present: frozenset[str] | None) -> tuple[re.Pattern[str], ...]:
        if present is None:
            present = self._index.scan(text)
        last = self._last
        if last[0] is present:
            return last[1]
        mine = self._keys & present
        live = self._lives.get(mine)
        if live is None:
            branches = set(self._always)
            for trigger in mine:
                branches.update(self._by_literal[trigger])
            live = tuple(self._regexes[i] for i in sorted(branches))
            if len(self._lives) >= _LIVES:
                self._lives.clear()
            self._lives[mine] = live
        self._last = (present, live)
        return live

    def search(self, text: str, present: frozenset[str] | None = None) -> re.Match[str] | None:
        """Leftmost match over all branches, or None.

        `present` is the result of `LiteralIndex.scan` on `text` or on a text that
        contains it with its words whole (cut or joined only next to characters that
        are not word characters, as sentences and quote-stripped text are); without
        it the text is scanned here.
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
