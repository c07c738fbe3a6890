"""Bad input never raises and never ends a conversation."""

from __future__ import annotations

from typing import Any

import pytest

from end_conversation import Annotation, Decision, Guard, ReasonCode, Signal, TurnText
from end_conversation.testing import assistant, end_call, user

from .scripts import persistent_harm


@pytest.mark.parametrize(
    ("name", "messages", "reason"),
    [
        ("empty list", [], ReasonCode.INVALID_INPUT),
        ("not a list", "hello", ReasonCode.INVALID_INPUT),
        ("None", None, ReasonCode.INVALID_INPUT),
        ("a number", 42, ReasonCode.INVALID_INPUT),
        ("bad role", [{"role": "system", "content": "x"}], ReasonCode.INVALID_INPUT),
        ("content not text", [{"role": "user", "content": 3}], ReasonCode.INVALID_INPUT),
        (
            "block without type",
            [{"role": "user", "content": [{"text": "x"}]}],
            ReasonCode.INVALID_INPUT,
        ),
        ("no call at all", [user("hi"), assistant("hello")], ReasonCode.INVALID_INPUT),
        ("only a user turn", [user("hi")], ReasonCode.INVALID_INPUT),
        ("unknown reason", [user("hi"), end_call("bored")], ReasonCode.INVALID_INPUT),
        (
            "extra field",
            [
                user("hi"),
                {
                    "role": "assistant",
                    "content": [
                        {
                            "type": "tool_use",
                            "id": "t",
                            "name": "end_conversation",
                            "input": {"reason": "abuse", "x": 1},
                        }
                    ],
                },
            ],
            ReasonCode.INVALID_INPUT,
        ),
        (
            "input not an object",
            [
                user("hi"),
                {
                    "role": "assistant",
                    "content": [
                        {
                            "type": "tool_use",
                            "id": "t",
                            "name": "end_conversation",
                            "input": "abuse",
                        }
                    ],
                },
            ],
            ReasonCode.INVALID_INPUT,
        ),
        ("summary too long", [user("hi"), end_call("abuse", "x" * 5000)], ReasonCode.INVALID_INPUT),
        (
            "call in an older turn",
            [*persistent_harm(), user("and now?"), assistant("Hello")],
            ReasonCode.NOT_LAST_TURN,
        ),
        ("user spoke after the call", [*persistent_harm(), user("wait")], ReasonCode.NOT_LAST_TURN),
        (
            "tool_use in a user message",
            [
                {
                    "role": "user",
                    "content": [
                        {"type": "tool_use", "id": "t", "name": "end_conversation", "input": {}}
                    ],
                }
            ],
            ReasonCode.INVALID_INPUT,
        ),
    ],
)
def test_bad_input_is_a_denied_verdict(
    guard: Guard, name: str, messages: Any, reason: ReasonCode
) -> None:
    verdict = guard.evaluate(messages)
    assert verdict.decision is Decision.DENIED, name
    assert verdict.reasons[0] is reason, (name, verdict.detail)
    assert verdict.ends is False
    assert verdict.tool_result["is_error"] is True
    assert verdict.detail


def test_unknown_tool_use_id_names_the_other_tool(guard: Guard) -> None:
    messages = [
        user("hi"),
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t9", "name": "search", "input": {}}],
        },
    ]
    verdict = guard.evaluate(messages, tool_use_id="t9")
    assert verdict.reasons == (ReasonCode.INVALID_INPUT,)
    assert "'search'" in verdict.detail


def test_evaluation_does_not_mutate_the_transcript(guard: Guard) -> None:
    messages = persistent_harm()
    before = repr(messages)
    guard.evaluate(messages)
    assert repr(messages) == before


class Exploding:
    name = "exploding"
    version = "0"

    def annotate(self, turn: TurnText) -> Annotation:
        raise RuntimeError("model server unreachable")


class TimedOut:
    name = "llm-judge"
    version = "1"

    def annotate(self, turn: TurnText) -> Annotation:
        return Annotation(error="timed out after 2s")


@pytest.mark.parametrize("broken", [Exploding(), TimedOut()])
def test_a_failing_detector_never_lets_an_end_through(broken: Any) -> None:
    guard = Guard(detectors=[*Guard().detectors, broken])
    verdict = guard.evaluate(persistent_harm())
    assert verdict.decision is Decision.DENIED
    assert verdict.reasons[0] is ReasonCode.DETECTOR_ERROR
    assert verdict.ends is False


def test_failed_annotations_are_not_cached() -> None:
    class Flaky:
        name, version, failing, calls = "flaky", "1", True, 0

        def annotate(self, turn: TurnText) -> Annotation:
            self.calls += 1
            return Annotation(error="boom") if self.failing else Annotation()

    flaky = Flaky()
    guard = Guard(detectors=[*Guard().detectors, flaky])
    assert guard.evaluate(persistent_harm()).reasons[0] is ReasonCode.DETECTOR_ERROR
    failed_calls = flaky.calls
    flaky.failing = False  # the detector recovers: every turn is read again
    assert guard.evaluate(persistent_harm()).decision is Decision.HONORED
    assert flaky.calls == 2 * failed_calls


def test_edge_annotations_can_add_a_veto(guard: Guard) -> None:
    messages = persistent_harm()
    extra = {
        2: Annotation(
            signals=frozenset({Signal.RISK_SELF}), cues=((Signal.RISK_SELF, "embedding"),)
        )
    }
    verdict = guard.evaluate(messages, annotations=extra)
    assert verdict.reasons[0] is ReasonCode.RISK_VETO
    assert verdict.evidence == (2,)
