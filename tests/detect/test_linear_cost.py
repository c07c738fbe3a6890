"""The rule detector's cost grows linearly with a turn's length.

A complexity property, not a speed target: 16 times the text may cost at most
about 4 times more than 16 times as much (linear work gives ~16x, the quadratic
prefix rescans this guards against gave ~250x). CPU time of the best of three
runs, so a busy machine does not decide the outcome.
"""

from __future__ import annotations

import time

import pytest

from end_conversation import RuleDetector, TurnText

SHAPES = {
    "clauses with matches": "I don't want to die, kill the process and end this chat, you are stupid, I feel sad ",
    "one endless sentence": "i feel so sad and lonely you stupid bot end this chat if i kill my self not ",
    "cjk": "我不想活了结束这个对话你真笨",
    "plain words": "lorem ipsum dolor sit amet ",
}


def _cost(detector: RuleDetector, turn: TurnText) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        detector.annotate(turn)
        best = min(best, time.process_time() - start)
    return max(best, 1e-4)


@pytest.mark.parametrize("role", ["user", "assistant"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_sixteen_times_the_text_costs_about_sixteen_times_more(shape: str, role: str) -> None:
    detector = RuleDetector()
    base = SHAPES[shape]
    small = TurnText(role=role, text=base * (4096 // len(base) + 1))  # type: ignore[arg-type]
    large = TurnText(role=role, text=small.text * 16)  # type: ignore[arg-type]
    detector.annotate(small)  # compile the patterns first
    ratio = _cost(detector, large) / _cost(detector, small)
    assert ratio < 64, f"{shape}/{role}: 16x the text cost {ratio:.0f}x"
