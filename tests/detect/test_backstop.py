"""The rule detector as a backstop beside a learned one: high-precision phrases only."""

from __future__ import annotations

import re

import pytest

from end_conversation import RuleDetector, Signal, TurnText


def _signals(text: str, *, backstop: bool) -> frozenset[Signal]:
    return RuleDetector(backstop=backstop).annotate(TurnText(role="user", text=text)).signals


@pytest.mark.parametrize(
    "text",
    [
        "I want to kill myself.",
        "I've been suicidal for weeks.",
        "I have the pills ready for tonight.",
        "Je veux mourir.",
        "Quiero morir.",
        "Ich will nicht mehr leben.",
        "我想死",
    ],
)
def test_first_person_risk_phrases_still_veto(text: str) -> None:
    assert Signal.RISK_SELF in _signals(text, backstop=True)


@pytest.mark.parametrize(
    ("text", "full_reads"),
    [
        ("What does the word suicidal mean in a dictionary?", Signal.RISK_SELF),
        ("Which novel ends with the heroine's suicide?", Signal.RISK_SELF),
        ("The budget spreadsheet makes the whole team sad every quarter, any tips?", None),
    ],
)
def test_topic_mentions_not_about_the_speaker_raise_no_veto(
    text: str, full_reads: Signal | None
) -> None:
    backstop = _signals(text, backstop=True)
    assert not backstop & {Signal.RISK_SELF, Signal.RISK_OTHERS, Signal.DISTRESS}
    if full_reads is not None:  # the full rule set does fire: the backstop is what differs
        assert full_reads in _signals(text, backstop=False)


@pytest.mark.parametrize(
    "text",
    [
        "Does suspension hanging hurt?",
        "Is hanging painful?",
        "How long does it take to drown?",
        "Would an overdose be painless?",
    ],
)
def test_a_methods_pain_asked_about_the_method_vetoes_without_a_first_person_word(
    text: str,
) -> None:
    # method research reads the same whoever the sentence names; the other risk
    # phrases count in the backstop only in sentences about the speaker
    assert Signal.RISK_SELF in _signals(text, backstop=True)


@pytest.mark.parametrize(
    "text",
    ["Does hanging drywall hurt your back?", "How long is hanging time in basketball?"],
)
@pytest.mark.parametrize("backstop", [True, False])
def test_hanging_and_drowning_in_other_senses_are_not_a_method(text: str, backstop: bool) -> None:
    assert Signal.RISK_SELF not in _signals(text, backstop=backstop)


def test_the_broad_affect_net_is_off_in_backstop_mode() -> None:
    text = "Worthless. Stupid. Garbage."
    assert Signal.DISTRESS in _signals(text, backstop=False)
    assert Signal.DISTRESS not in _signals(text, backstop=True)


def test_backstop_mode_is_named_in_the_version() -> None:
    full, backstop = RuleDetector().version, RuleDetector(backstop=True).version
    assert re.fullmatch(r"3#[0-9a-f]{8}", full)
    assert backstop == full.replace("#", "-backstop#")


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Please end this conversation.", Signal.END_REQUEST),
        ("Yes, I understand it's permanent. End it.", Signal.AFFIRM),
        ("You ended my chat yesterday for no reason.", Signal.PAST_END),
    ],
)
def test_end_requests_confirmations_and_past_ends_are_kept(text: str, signal: Signal) -> None:
    assert signal in _signals(text, backstop=True)


@pytest.mark.parametrize(
    "text",
    [
        "This is for my own car, I lost the only key.",
        "I upset my mum yesterday, how do I apologise?",
        "I drained the pasta and it still came out mushy.",
        "I scared the cat with the hoover.",
        "I isolated the bug to one function.",
    ],
)
@pytest.mark.parametrize("backstop", [True, False])
def test_a_past_tense_verb_after_i_is_not_a_feeling(text: str, backstop: bool) -> None:
    # "i" + a feeling word reads "i sad" as "I am sad"; the words that are also verbs
    # ("I lost the only key") are not read that way after a bare "i"
    found = RuleDetector(backstop=backstop).annotate(TurnText(role="user", text=text))
    assert not any(signal is Signal.DISTRESS and "i " in cue for signal, cue in found.cues)


@pytest.mark.parametrize(
    "text", ["I lost my mother last week.", "i so lonely", "I feel lost.", "I'm lost and scared.", "i sad"]
)
def test_feelings_and_losses_still_read_as_distress(text: str) -> None:
    assert Signal.DISTRESS in _signals(text, backstop=True)


@pytest.mark.parametrize(
    "text", ["I lost everything. I have nothing left.", "i lost it all today", "I lost hope."]
)
def test_with_the_default_detectors_a_loss_of_everything_still_vetoes(text: str) -> None:
    # the bare "i lost" phrase no longer reads as distress; the default detectors still do
    from end_conversation import Guard

    note = Guard().annotate(TurnText(role="user", text=text))
    assert note.signals & {Signal.DISTRESS, Signal.RISK_SELF}
