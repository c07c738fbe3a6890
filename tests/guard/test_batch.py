"""Deciding many transcripts at once: one batched detector pass, the same verdicts."""

from __future__ import annotations

from collections.abc import Sequence

from end_conversation import Annotation, Guard, RuleDetector, Signal, TurnText
from tests.guard.scripts import confirmed_request, persistent_abuse, persistent_harm


class BatchDetector:
    """Flags 'pineapple' as risk; counts how it was called."""

    name = "batch"
    version = "1"

    def __init__(self) -> None:
        self.batches: list[int] = []
        self.singles = 0

    def annotate(self, turn: TurnText) -> Annotation:
        self.singles += 1
        return self.annotate_many([turn])[0]

    def annotate_many(self, turns: Sequence[TurnText]) -> list[Annotation]:
        self.batches.append(len(turns))
        return [
            Annotation(signals=frozenset({Signal.RISK_SELF}))
            if t.role == "user" and "pineapple" in t.text
            else Annotation()
            for t in turns
        ]


class BrokenBatch(BatchDetector):
    def annotate_many(self, turns: Sequence[TurnText]) -> list[Annotation]:
        raise RuntimeError("encoder failed")


def _transcripts() -> list[object]:
    harm = persistent_harm()
    risky = persistent_harm()
    risky[2] = {"role": "user", "content": "pineapple tonight, then nothing"}
    return [harm, persistent_abuse(), confirmed_request(), risky, {"messages": "nope"}]


def test_evaluate_many_gives_the_verdicts_evaluate_gives_one_by_one() -> None:
    transcripts = _transcripts()
    one_by_one = [Guard(detectors=[RuleDetector(), BatchDetector()]).evaluate(t) for t in transcripts]
    batched = Guard(detectors=[RuleDetector(), BatchDetector()]).evaluate_many(transcripts)
    assert [v.model_dump() for v in batched] == [v.model_dump() for v in one_by_one]
    assert [v.decision.value for v in batched] == ["honored", "honored", "honored", "denied", "denied"]
    assert batched[3].reasons[0].value == "risk_veto"
    assert batched[4].reasons[0].value == "invalid_input"


def test_a_batch_calls_a_batching_detector_once_for_every_distinct_turn() -> None:
    detector = BatchDetector()
    transcripts = _transcripts()
    Guard(detectors=[detector]).evaluate_many(transcripts * 3)
    distinct = {
        (m["role"], str(m["content"]))
        for t in transcripts
        if isinstance(t, list)
        for m in t
        if isinstance(m["content"], str) or any(b.get("type") == "text" for b in m["content"])
    }
    assert len(detector.batches) == 1
    assert detector.batches[0] <= len(distinct)
    assert detector.singles == 0


def test_a_failing_batch_denies_every_transcript_with_detector_error() -> None:
    verdicts = Guard(detectors=[RuleDetector(), BrokenBatch()]).evaluate_many(_transcripts()[:3])
    assert [v.decision.value for v in verdicts] == ["denied"] * 3
    assert all(v.reasons[0].value == "detector_error" for v in verdicts)
    assert "encoder failed" in verdicts[0].detail


def test_prepare_caches_so_a_later_evaluate_calls_no_detector() -> None:
    detector = BatchDetector()
    guard = Guard(detectors=[detector])
    transcripts = _transcripts()[:3]
    guard.prepare(transcripts)
    calls = len(detector.batches)
    for t in transcripts:
        guard.evaluate(t)
    assert len(detector.batches) == calls


# ------------------------------------------------ one decision, one batch
def test_one_cold_decision_annotates_its_turns_in_one_batch() -> None:
    detector = BatchDetector()
    messages = persistent_harm()
    verdict = Guard(detectors=[RuleDetector(), detector]).evaluate(messages)
    assert verdict.decision.value == "honored", verdict.reasons
    # every distinct text turn once, together: not turn by turn
    assert detector.batches == [4]
    assert detector.singles == 0


def test_a_warm_decision_calls_no_detector_and_a_new_turn_alone_is_read() -> None:
    detector = BatchDetector()
    guard = Guard(detectors=[detector])
    messages = persistent_harm()
    guard.evaluate(messages)
    guard.evaluate(messages)
    assert detector.batches == [4]
    messages[2] = {"role": "user", "content": "pineapple tonight, then nothing"}
    assert guard.evaluate(messages).reasons[0].value == "risk_veto"
    assert detector.batches == [4, 1]


def test_a_long_history_is_batched_in_bounded_groups() -> None:
    from end_conversation._guard import _guard

    detector = BatchDetector()
    big = "x" * (_guard._BATCH_CHARS // 2 + 1)
    messages: list[dict[str, object]] = []
    for i in range(150):
        messages.append({"role": "user", "content": f"question {i}"})
        messages.append({"role": "assistant", "content": f"answer {i}"})
    messages += [{"role": "user", "content": big + "a"}, {"role": "assistant", "content": big + "b"}]
    messages += persistent_harm()
    Guard(detectors=[detector]).evaluate(messages)
    assert sum(detector.batches) == 300 + 2 + 4
    assert max(detector.batches) <= _guard._BATCH_TURNS
    assert len(detector.batches) >= 300 // _guard._BATCH_TURNS + 2  # the two big turns apart


def test_turns_the_cache_has_no_room_for_are_still_read_once_per_decision() -> None:
    detector = BatchDetector()
    guard = Guard(detectors=[detector], cache_size=2)
    risky = persistent_harm()
    risky[2] = {"role": "user", "content": "pineapple tonight, then nothing"}
    assert guard.evaluate(risky).reasons[0].value == "risk_veto"
    assert detector.batches == [4]
    assert detector.singles == 0
