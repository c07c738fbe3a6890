"""A detector's version names what it reads with: a changed pattern is a new version."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import types

from end_conversation import Guard, LearnedDetector, RuleDetector, TurnText
from end_conversation._detect._fingerprint import fingerprint
from end_conversation._detect._lexicon import Lexicon

VERSIONS = """
from end_conversation import LearnedDetector, RuleDetector
print(RuleDetector().version, RuleDetector(backstop=True).version, LearnedDetector().version)
"""

# The same, after one risk phrase of the rules was changed and one word a learned
# warning may name was dropped: both versions must move.
CHANGED = """
import re
from end_conversation._detect import _lexicon as lx
lx.RISK_SELF = lx.Lexicon(bounded=(*lx.RISK_SELF.bounded, r"changed\\s+phrase"))
lx.END_VOCABULARY = re.compile(lx.END_VOCABULARY.pattern.replace("conversation|", "", 1))
from end_conversation import LearnedDetector, RuleDetector
print(RuleDetector().version, RuleDetector(backstop=True).version, LearnedDetector().version)
"""


def _run(code: str, seed: str) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return proc.stdout.split()


def test_versions_are_the_same_in_every_process() -> None:
    # sets and string hashes differ between processes; the digests must not
    here = [RuleDetector().version, RuleDetector(backstop=True).version, LearnedDetector().version]
    assert _run(VERSIONS, "1") == _run(VERSIONS, "2") == here
    assert re.fullmatch(r"3#[0-9a-f]{8}", here[0])
    assert re.fullmatch(r"usem3-[0-9a-f]{12}#[0-9a-f]{8}", here[2])


def test_a_changed_pattern_or_word_list_changes_the_versions() -> None:
    before, after = _run(VERSIONS, "0"), _run(CHANGED, "0")
    assert before[0] != after[0]
    assert before[1] != after[1]
    # the learned reading names the end vocabulary; its weights' part stays the same
    assert before[2] != after[2]
    assert before[2].split("#")[0] == after[2].split("#")[0]


def test_reading_turns_and_loading_a_model_leave_the_versions_as_they_were() -> None:
    # the digested modules hold no caches: what a process has read must not show
    learned = LearnedDetector("ngram")
    first = (RuleDetector(backstop=True).version, learned.version)
    guard = Guard(detectors=[RuleDetector(backstop=True), learned])
    guard.annotate_many([TurnText(role="user", text="I feel low. End this chat.")])
    fingerprint.cache_clear()  # digest the modules again, as they are now
    assert (RuleDetector(backstop=True).version, LearnedDetector("ngram").version) == first


def test_the_digest_reads_values_not_functions_or_order() -> None:
    one = types.ModuleType("reading")
    one.PATTERN = re.compile(r"a+")  # type: ignore[attr-defined]
    one.WORDS = frozenset({"x", "y", "z"})  # type: ignore[attr-defined]
    one.helper = lambda: 1  # type: ignore[attr-defined]
    two = types.ModuleType("reading")
    two.WORDS = frozenset({"z", "y", "x"})  # type: ignore[attr-defined]
    two.PATTERN = re.compile(r"a+")  # type: ignore[attr-defined]
    assert fingerprint(one) == fingerprint(two)
    three = types.ModuleType("reading")
    three.PATTERN = re.compile(r"a+", re.IGNORECASE)  # type: ignore[attr-defined]
    three.WORDS = frozenset({"x", "y", "z"})  # type: ignore[attr-defined]
    assert fingerprint(one) != fingerprint(three)
    assert fingerprint(Lexicon(bounded=("a",))) != fingerprint(Lexicon(bounded=("a", "b")))
    assert fingerprint(Lexicon(bounded=("a",))) != fingerprint(Lexicon(bounded=(), unbounded=("a",)))
