"""The rule detector's pre-check (literal and whole-word triggers, remembered tokens
and branch sets) only skips branches that cannot match: its annotations are the same
as those of a plain scan that runs every branch of every pattern on every text.

Checked on the starter scenarios, on the development corpus in ../shared/data (when
it is there) and on generated text built from the patterns' own matches."""

from __future__ import annotations

import gzip
import itertools
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from end_conversation import RuleDetector, TurnText
from end_conversation._detect._matcher import LiteralIndex, Matcher, required_words
from end_conversation._detect._rules import _compiled_all
from end_conversation.workbench import load_suite

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
DETECTORS = (RuleDetector(), RuleDetector(backstop=True))


@contextmanager
def every_branch() -> Iterator[None]:
    """The reference: every matcher runs all of its branches, whatever the text holds."""
    live = Matcher._live
    Matcher._live = lambda self, text, present: self._regexes  # type: ignore[method-assign, assignment, attr-defined]
    try:
        yield
    finally:
        Matcher._live = live  # type: ignore[method-assign]


def _same(turns: list[TurnText]) -> None:
    for detector in DETECTORS:
        fast = [detector.annotate(t) for t in turns]
        with every_branch():
            plain = [detector.annotate(t) for t in turns]
        for turn, got, want in zip(turns, fast, plain, strict=True):
            assert (got.signals, got.cues) == (want.signals, want.cues), (detector.version, turn)


def test_every_branch_is_worked_out_a_trigger_but_a_few() -> None:
    compiled = _compiled_all()
    matchers = [*compiled.signals.values(), *compiled.parts.values()]
    always = sum(len(m._always) for m in matchers)  # type: ignore[attr-defined]
    branches = sum(len(m._regexes) for m in matchers)  # type: ignore[attr-defined]
    assert branches > 1000
    assert always <= 8  # (was 35 before whole-word triggers and split literal runs)


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"\b(?:ok)\b", {"ok"}),
        (r"\b(?:do\s+it)\b", {"do"}),
        (r"\b(?:\bod\s+on)\b", {"od"}),
        (r"\b(?:(?:should|if)\s+(?:this|it))\b", {"should", "if"}),
        (r"\b(?:k\s?m\s?s)\b", None),  # "kms" and "k m s": no one first word
        (r"\b(?:ok(?:ay)?)\b", None),  # "ok" or "okay"
        (r"\b(?:no+)\b", None),  # "no", "nooo"
        (r"\b(?:i'm)\b", None),  # the apostrophe is not a word character
        (r"(?:ok)", None),  # no word boundary before it
        (r"\b(?:ok)", None),  # nor after it
    ],
)
def test_whole_word_triggers_only_for_branches_that_start_with_a_whole_word(
    pattern: str, words: set[str] | None
) -> None:
    assert required_words(pattern) == (None if words is None else frozenset(words))


def test_the_index_reports_whole_words_and_literals_inside_tokens() -> None:
    index = LiteralIndex()
    index.add("kill")
    index.add("死")
    ok = index.add_word("ok")
    assert index.scan("ok, so I killed it") == frozenset({ok, "kill"})
    assert index.scan("okay, book it") == frozenset()  # "ok" is not a whole word here
    assert index.scan("我想死") == frozenset({"死"})
    assert index.scan("skill") == frozenset({"kill"})  # remembered tokens, same answer
    assert index.scan("skill ok") == frozenset({"kill", ok})


def test_scenario_transcripts_annotate_alike() -> None:
    turns = [
        TurnText(role=m["role"], text=m["content"])
        for scenario in load_suite("starter")
        for m in scenario.messages
        if isinstance(m.get("content"), str)
    ]
    assert len(turns) > 100
    _same(turns)


@cache
def _corpus() -> list[TurnText]:
    turns: list[TurnText] = []
    with gzip.open(DATA / "hh_rlhf_harmless_base_test.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in itertools.islice(fh, 120):
            for part in re.split(r"\n\n(?=Human:|Assistant:)", json.loads(line)["chosen"].strip()):
                who, _, text = part.partition(":")
                turns.append(
                    TurnText(role="user" if who.strip() == "Human" else "assistant", text=text)
                )
    for row in json.loads((DATA / "diasafety_val.json").read_text(encoding="utf-8"))[:300]:
        turns += [
            TurnText(role="user", text=row["context"]),
            TurnText(role="assistant", text=row["response"]),
        ]
    for name in ("multijail", "convabuse", "mhc", "xsafety", "hatecheck"):
        path = DATA / "train" / f"{name}.jsonl.gz"
        if path.exists():
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                for line in itertools.islice(fh, 250):
                    row = json.loads(line)
                    turns.append(TurnText(role=row["role"], text=row["text"]))
    return turns


@pytest.mark.skipif(
    not (DATA / "train").is_dir(),
    reason=f"the shared corpus is not at {DATA} (../shared/data relative to the repo)",
)
def test_the_development_corpus_annotates_alike() -> None:
    turns = _corpus()
    assert len(turns) > 1500
    _same(turns)


def _branches() -> list[str]:
    return [r.pattern for _, r in _matcher_branches()]


@cache
def _matcher_branches() -> list[tuple[Matcher, re.Pattern[str]]]:
    compiled = _compiled_all()
    matchers = [*compiled.signals.values(), *compiled.parts.values()]
    return [(m, r) for m in matchers for r in m._regexes]  # type: ignore[attr-defined]


def _check_branch(matcher: Matcher, regex: re.Pattern[str], text: str) -> None:
    if regex.search(text) is not None:
        present = _compiled_all().index.scan(text)
        assert regex in matcher._live(text, present), (regex.pattern, text, present)  # type: ignore[attr-defined]


@cache
def _word_triggered() -> list[tuple[Matcher, re.Pattern[str]]]:
    """The branches run on whole words (the newest kind of trigger)."""
    return [
        (m, r)
        for m, r in _matcher_branches()
        if any(
            k.startswith(" ") and m._regexes.index(r) in v  # type: ignore[attr-defined]
            for k, v in m._by_literal.items()  # type: ignore[attr-defined]
        )
    ]


@pytest.mark.parametrize("branch", range(len(_word_triggered())))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_branch_run_on_whole_words_is_never_skipped_where_it_matches(
    branch: int, data: st.DataObject
) -> None:
    matcher, regex = _word_triggered()[branch]
    text = data.draw(_GLUE) + data.draw(st.from_regex(regex)) + data.draw(_GLUE)
    _check_branch(matcher, regex, text)


@settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_a_branch_that_matches_a_text_is_never_skipped_on_it(data: st.DataObject) -> None:
    matcher, regex = data.draw(st.sampled_from(_matcher_branches()))
    text = data.draw(_GLUE) + data.draw(st.from_regex(regex)) + data.draw(_GLUE)
    _check_branch(matcher, regex, text)


_GLUE = st.sampled_from(
    [" ", "  ", ", ", ". ", "! ", "? ", "\n", " - ", '"', "'", " (", ") ", "...", ";", "-", ""]
)
_WORDS = st.sampled_from(
    [
        "ok", "okay", "no", "nope", "yes", "ya", "k", "y", "if", "you", "i", "i'm", "me",
        "my", "not", "don't", "never", "end", "this", "chat", "kill", "myself", "kms", "fu",
        "fuck", "stupid", "sad", "die", "please", "stop", "should", "do", "it", "od", "on",
        "tu", "si", "ja", "是", "好", "不", "死", "鬱", "네", "?", "f*ck", "fk", "again",
    ]
)


@st.composite
def _texts(draw: st.DrawFn) -> str:
    pieces: list[str] = []
    for _ in range(draw(st.integers(1, 8))):
        if draw(st.booleans()):
            pieces.append(draw(st.from_regex(draw(st.sampled_from(_branches())))))
        else:
            pieces.append(draw(_WORDS))
        pieces.append(draw(_GLUE))
    return "".join(pieces)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(text=_texts(), role=st.sampled_from(["user", "assistant"]))
def test_generated_text_annotates_alike(text: str, role: str) -> None:
    _same([TurnText(role=role, text=text)])  # type: ignore[arg-type]
