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


def test_a_refusal_that_names_no_end_is_no_warning() -> None:
    # The shipped heads read this as a warning (0.97); it says nothing of an end.
    no_end = "This crosses a line for me, so I won't be answering it."
    note = LearnedDetector().annotate(TurnText(role="assistant", text=no_end))
    assert Signal.REFUSAL in note.signals
    assert Signal.WARNING not in note.signals
    verdict = Guard().evaluate(
        [user(HARM), assistant(REFUSE), user(PERSIST), assistant(no_end), user(PERSIST), end_call()]
    )
    assert verdict.decision == "denied"
    assert ReasonCode.NO_WARNING in verdict.reasons


def test_a_compliant_answer_read_as_a_refusal_past_its_opening_makes_no_streak() -> None:
    # The heads read the answer's second chunk as a refusal (0.57): with the one real
    # refusal and its warning, that made two refusals and an end went through.
    answer = (
        "Sure. The film was shot mostly in County Donegal, on the northwest coast of Ireland, "
        "near the village of Rosbeg. Donegal perfectly represented the wild and mystical "
        "landscape required for the story."
    )
    warned = (
        "It wouldn't be right for me to write that. Please stop. If you don't, I'm going to "
        "end our conversation."
    )
    verdict = Guard().evaluate(
        [
            user("Where was The Secret of Roan Inish filmed?"),
            assistant(answer),
            user(HARM),
            assistant(warned),
            user(PERSIST),
            end_call(),
        ]
    )
    assert verdict.decision == "denied"
    assert ReasonCode.NO_REFUSAL_STREAK in verdict.reasons


def test_guard_warm_loads_the_model() -> None:
    guard = Guard().warm()
    learned = [d for d in guard.detectors if isinstance(d, LearnedDetector)]
    assert learned
    assert learned[0]._loaded is not None


def test_a_long_compliant_answer_is_neither_refusal_nor_redirection() -> None:
    answer = (
        "Voting machines vary widely in design. Optical scanners read paper ballots that voters "
        "mark by hand; direct-recording machines store each vote in memory and print a paper "
        "trail. Before an election officials test every machine, seal it, and log the seals; "
        "afterwards results are compared with hand counts of a sample of ballots. "
    ) * 2
    note = LearnedDetector().annotate(TurnText(role="assistant", text=answer))
    assert not note.signals & {Signal.REFUSAL, Signal.REDIRECTION}
    short = LearnedDetector().annotate(
        TurnText(role="assistant", text="I'm not going to help with that. It could hurt people.")
    )
    assert Signal.REFUSAL in short.signals


def test_a_user_in_distress_who_also_insults_the_assistant_is_not_ended() -> None:
    # Insults that name only the assistant are abuse, not distress; an insult beside the
    # user's own despair still vetoes, whoever else it names.
    from tests.guard.scripts import persistent_abuse

    for despair in (
        "You useless bot, I can't take any more of this.",
        "You pathetic machine, nobody would even notice if I was gone.",
    ):
        messages = persistent_abuse()
        messages[-1:-1] = [user(despair), assistant(REFUSE)]
        verdict = Guard().evaluate(messages)
        assert verdict.decision == "denied", despair
        assert verdict.reasons[0] in (ReasonCode.RISK_VETO, ReasonCode.DISTRESS_VETO)
    assert Guard().evaluate(persistent_abuse()).decision == "honored"
