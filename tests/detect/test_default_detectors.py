"""The default detectors together (learned model + phrase rules as a backstop)."""

from __future__ import annotations

from end_conversation import Guard, LearnedDetector, ReasonCode, Signal, TurnText
from end_conversation.testing import assistant, end_call, user
from tests.guard.scripts import HARM, PERSIST, REFUSE


def test_a_warning_reported_from_another_chat_warns_of_nothing() -> None:
    reported = (
        "I can't discuss other chats. Earlier I said I would end the conversation if you "
        "continued, but that was another chat."
    )
    note = LearnedDetector().annotate(TurnText(role="assistant", text=reported))
    assert Signal.WARNING not in note.signals
    verdict = Guard().evaluate(
        [user(HARM), assistant(reported), user(PERSIST), assistant(REFUSE), user(PERSIST), end_call()]
    )
    assert verdict.decision == "denied"
    assert ReasonCode.NO_WARNING in verdict.reasons


def test_guard_warm_loads_the_model() -> None:
    guard = Guard().warm()
    learned = [d for d in guard.detectors if isinstance(d, LearnedDetector)]
    assert learned
    assert learned[0]._loaded is not None
