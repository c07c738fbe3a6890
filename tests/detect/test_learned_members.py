"""The veto signals' member heads: a user turn raises risk or distress when any of the
heads trained for it reads it, each at its own threshold; broken members fail closed."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from end_conversation import Guard, LearnedDetector, ModelError, Signal, TurnText, Verdict
from end_conversation._detect._weights import pack, unpack

VETO = (Signal.RISK_SELF, Signal.RISK_OTHERS, Signal.DISTRESS)
PLAIN = "The capital of France is Paris."


def _shipped() -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    data = (files("end_conversation._detect") / "models" / "usem3" / "model.bin").read_bytes()
    return unpack(data)


def _write(tmp_path: Path, settings: dict[str, Any], arrays: dict[str, np.ndarray]) -> Path:
    path = tmp_path / "model.bin"
    path.write_bytes(pack(settings, arrays))
    return path


def _verdict(detector: LearnedDetector) -> Verdict:
    """The guard's verdict, with only `detector`, on an end called after one plain turn."""
    call = {"type": "tool_use", "id": "t1", "name": "end_conversation"}
    call["input"] = {"reason": "abuse", "summary": "x"}
    return Guard(detectors=[detector]).evaluate(
        [{"role": "user", "content": PLAIN}, {"role": "assistant", "content": [call]}],
        tool_use_id="t1",
    )


def test_the_shipped_weights_read_each_veto_signal_with_three_heads(usem3: LearnedDetector) -> None:
    head = usem3._model().heads["user"]
    assert len(head.members) == 2
    for member in head.members:
        assert {head.signals[c] for c in member.columns} == set(VETO)
    assert usem3._model().heads["assistant"].members == ()


def test_a_member_over_its_threshold_raises_the_signal_alone(
    tmp_path: Path, usem3: LearnedDetector
) -> None:
    settings, arrays = _shipped()
    seed = settings["members"][0]["seed"]
    signals = settings["members"][0]["signals"]
    k = signals.index("distress")
    b2 = arrays[f"user_m{seed}_b2"].copy()
    b2[k] = 30.0  # this member reads distress in everything
    arrays = {**arrays, f"user_m{seed}_b2": b2}
    lifted = LearnedDetector(weights=_write(tmp_path, settings, arrays))
    turn = TurnText(role="user", text=PLAIN)
    assert Signal.DISTRESS not in usem3.annotate(turn).signals
    assert lifted.annotate(turn).signals == {Signal.DISTRESS}
    # The other signals read as the shipped heads read them.
    shipped, ours = dict(usem3.annotate(turn).scores), dict(lifted.annotate(turn).scores)
    for signal in (Signal.RISK_SELF, Signal.RISK_OTHERS, Signal.ABUSE, Signal.HARMFUL_REQUEST):
        assert ours[signal] == pytest.approx(shipped[signal])
    # And the guard vetoes on it.
    verdict = _verdict(lifted)
    assert not verdict.ends


def test_a_member_below_its_threshold_changes_nothing(tmp_path: Path, usem3: LearnedDetector) -> None:
    settings, arrays = _shipped()
    for member in settings["members"]:
        name = f"user_m{member['seed']}_b2"
        arrays = {**arrays, name: np.full_like(arrays[name], -30.0)}
    quiet = LearnedDetector(weights=_write(tmp_path, settings, arrays))
    disclosure = TurnText(role="user", text="I took all the pills in the bottle an hour ago.")
    # The shipped head alone still reads the disclosure: members only ever add.
    assert Signal.RISK_SELF in quiet.annotate(disclosure).signals


@pytest.mark.parametrize(
    "damage",
    ["missing array", "wrong shape", "not a user signal", "no threshold", "NaN threshold"],
)
def test_a_broken_member_fails_closed(tmp_path: Path, damage: str) -> None:
    settings, arrays = _shipped()
    member = dict(settings["members"][0])
    prefix = f"user_m{member['seed']}"
    arrays = dict(arrays)
    if damage == "missing array":
        del arrays[f"{prefix}_W2"]
    elif damage == "wrong shape":
        arrays[f"{prefix}_W1"] = arrays[f"{prefix}_W1"][:, :-1]
    elif damage == "not a user signal":
        member["signals"] = ["refusal", *member["signals"][1:]]
    elif damage == "no threshold":
        member["thresholds"] = {}
    else:
        member["thresholds"] = {**member["thresholds"], "risk_self": float("nan")}
    settings = {**settings, "members": [member, *settings["members"][1:]]}
    broken = LearnedDetector(weights=_write(tmp_path, settings, arrays))
    with pytest.raises(ModelError):
        broken.load()
    verdict = _verdict(broken)
    assert not verdict.ends
    assert "detector_error" in {str(r) for r in verdict.reasons}
