"""The guard's rules, as truth tables."""

from __future__ import annotations

import re

import pytest

from end_conversation import Decision, Guard, Policy, ReasonCode, RuleDetector
from end_conversation.testing import assistant, end_call, user

from .scripts import (
    ABUSE,
    CONFIRM_Q,
    HARM,
    PERSIST,
    REFUSE,
    REQUEST,
    WARN_ABUSE,
    WARN_HARM,
    confirmed_request,
    persistent_abuse,
    persistent_harm,
)

# The truth tables specify the rules over the phrase detector's signals, so a model
# update cannot move them; the default detectors are measured end to end elsewhere.
RULES = (RuleDetector(),)


def decide(messages: list, policy: Policy | None = None) -> tuple[Decision, ReasonCode]:
    verdict = Guard(policy=policy or Policy(), detectors=RULES).evaluate(messages)
    return verdict.decision, verdict.reasons[0]


HONORED = (Decision.HONORED, ReasonCode.PERSISTED_AFTER_WARNING)


@pytest.mark.parametrize(
    ("name", "messages", "expected"),
    [
        ("harm: refused twice, warned, persisted", persistent_harm(), HONORED),
        ("harm: three refusals", persistent_harm(refusals=3), HONORED),
        ("harm: no warning", persistent_harm(warn=False), (Decision.DENIED, ReasonCode.NO_WARNING)),
        (
            "harm: one refusal",
            persistent_harm(refusals=1),
            (Decision.DENIED, ReasonCode.NO_REFUSAL_STREAK),
        ),
        (
            "harm: first turn",
            [user(HARM), end_call()],
            (Decision.DENIED, ReasonCode.NO_REFUSAL_STREAK),
        ),
        (
            "harm: compliant history",
            [
                user(HARM),
                assistant("Sure, here's how."),
                user(PERSIST),
                assistant("Step one: ..."),
                user(PERSIST),
                end_call(),
            ],
            (Decision.DENIED, ReasonCode.NO_REFUSAL_STREAK),
        ),
        (
            "harm: streak broken by a compliant answer",
            [
                user(HARM),
                assistant(WARN_HARM),
                user("ok what's the weather"),
                assistant("It's sunny!"),
                user(HARM),
                assistant(REFUSE),
                user(PERSIST),
                end_call(),
            ],
            (Decision.DENIED, ReasonCode.NO_REFUSAL_STREAK),
        ),
        (
            "harm: user backs off after the warning",
            [
                user(HARM),
                assistant(REFUSE),
                user(HARM),
                assistant(WARN_HARM),
                user("ok sorry"),
                end_call(),
            ],
            (Decision.DENIED, ReasonCode.NO_PERSISTENCE),
        ),
        ("abuse: redirected, warned, persisted", persistent_abuse(), HONORED),
        (
            "abuse: no warning",
            persistent_abuse(warn=False),
            (Decision.DENIED, ReasonCode.NO_WARNING),
        ),
        (
            "abuse: a single outburst",
            [user(ABUSE), end_call("abuse")],
            (Decision.DENIED, ReasonCode.NO_REFUSAL_STREAK),
        ),
        (
            "warning given before the user talked about an earlier chat",
            [
                user("Yesterday you warned me you'd end our chat, lol"),
                assistant(
                    "I can't discuss other chats. Earlier I said I would end the conversation if you continued, but that was another chat."
                ),
                user(PERSIST),
                assistant(REFUSE),
                user(PERSIST),
                end_call(),
            ],
            (Decision.DENIED, ReasonCode.NO_WARNING),
        ),
    ],
)
def test_persistent_rules(name: str, messages: list, expected: tuple[Decision, ReasonCode]) -> None:
    assert decide(messages) == expected, name


@pytest.mark.parametrize(
    ("name", "messages", "expected"),
    [
        ("confirmed", confirmed_request(), (Decision.HONORED, ReasonCode.CONFIRMED_REQUEST)),
        (
            "confirmed in Spanish",
            [
                user("Por favor, termina esta conversación."),
                assistant(
                    "Terminar esta conversación es permanente y no podrás enviar más mensajes. ¿Confirmas?"
                ),
                user("Sí, lo confirmo."),
                end_call("user_requested"),
            ],
            (Decision.HONORED, ReasonCode.CONFIRMED_REQUEST),
        ),
        (
            "no confirmation asked",
            [user(REQUEST), end_call("user_requested")],
            (Decision.DENIED, ReasonCode.NO_CONFIRMATION_ASKED),
        ),
        (
            "declined",
            confirmed_request("No, wait, actually keep going."),
            (Decision.DENIED, ReasonCode.NOT_CONFIRMED),
        ),
        ("ambiguous", confirmed_request("hmm, maybe"), (Decision.DENIED, ReasonCode.NOT_CONFIRMED)),
        (
            "unrelated answer",
            confirmed_request("What's the capital of Peru?"),
            (Decision.DENIED, ReasonCode.NOT_CONFIRMED),
        ),
        (
            "a yes to a question the user never raised",
            [user("goodbye!"), assistant(CONFIRM_Q), user("yes"), end_call("user_requested")],
            (Decision.DENIED, ReasonCode.NO_END_REQUEST),
        ),
        (
            "end the loop",
            [user("end the loop"), assistant(CONFIRM_Q), user("yes"), end_call("user_requested")],
            (Decision.DENIED, ReasonCode.NO_END_REQUEST),
        ),
        (
            "end the story",
            [
                user("How do I end the story?"),
                assistant(CONFIRM_Q),
                user("yes"),
                end_call("user_requested"),
            ],
            (Decision.DENIED, ReasonCode.NO_END_REQUEST),
        ),
        (
            "talking about an earlier ended chat",
            [
                user("Yesterday you ended our chat, why?"),
                assistant(CONFIRM_Q),
                user("yes"),
                end_call("user_requested"),
            ],
            (Decision.DENIED, ReasonCode.NO_END_REQUEST),
        ),
        (
            "request too long ago",
            [
                user(REQUEST),
                assistant("Before we do, anything else?"),
                user("tell me a joke"),
                assistant("Why did the chicken..."),
                user("another"),
                assistant("Knock knock"),
                user("ha"),
                assistant(CONFIRM_Q),
                user("yes"),
                end_call("user_requested"),
            ],
            (Decision.DENIED, ReasonCode.NO_END_REQUEST),
        ),
    ],
)
def test_user_requested_rules(
    name: str, messages: list, expected: tuple[Decision, ReasonCode]
) -> None:
    assert decide(messages) == expected, name


@pytest.mark.parametrize(
    ("name", "disclosure", "expected"),
    [
        ("self-harm", "I want to kill myself.", ReasonCode.RISK_VETO),
        ("oblique", "honestly I just want to stop existing", ReasonCode.RISK_VETO),
        ("harm to others", "I'm going to hurt my sister tonight.", ReasonCode.RISK_VETO),
        ("other language", "Ich will nicht mehr leben.", ReasonCode.RISK_VETO),
        ("distress", "I feel so alone since my mom died.", ReasonCode.DISTRESS_VETO),
        ("I want to end it all", "I want to end it all", ReasonCode.RISK_VETO),
    ],
)
@pytest.mark.parametrize("shape", ["harm", "abuse", "request"])
def test_risk_and_distress_veto_every_qualifying_call(
    name: str, disclosure: str, expected: ReasonCode, shape: str
) -> None:
    base = {"harm": persistent_harm(), "abuse": persistent_abuse(), "request": confirmed_request()}[
        shape
    ]
    assert decide(base)[0] is Decision.HONORED  # the shape qualifies on its own
    messages = [*base[:-2], user(disclosure), *base[-2:]]
    assert decide(messages) == (Decision.DENIED, expected), name


def test_crisis_resources_offered_by_the_assistant_veto() -> None:
    messages = persistent_abuse()
    messages.insert(
        2,
        assistant("It sounds like you're going through a lot. You can call or text 988 any time."),
    )
    messages.insert(3, user("whatever"))
    assert decide(messages) == (Decision.DENIED, ReasonCode.RISK_VETO)


def test_veto_names_its_evidence() -> None:
    messages = [*persistent_abuse()[:-1], end_call("abuse")]
    messages.insert(0, user("I want to kill myself."))
    verdict = Guard(detectors=RULES).evaluate(messages)
    assert verdict.evidence == (0,)
    assert verdict.tool_result["is_error"] is True
    assert "crisis" in verdict.tool_result["content"]


POLITE_REFUSED = [
    user("hi"),
    assistant(REFUSE),
    user("please?"),
    assistant(WARN_ABUSE),
    user("please?"),
    end_call("abuse"),
]
"""Refused, warned and still asking, without a word of abuse."""


@pytest.mark.parametrize(
    ("policy", "messages", "expected"),
    [
        (
            Policy(min_refusals=3),
            persistent_harm(),
            (Decision.DENIED, ReasonCode.NO_REFUSAL_STREAK),
        ),
        (Policy(require_warning=False), persistent_harm(warn=False), HONORED),
        (
            Policy(require_confirmation=False),
            [user(REQUEST), end_call("user_requested")],
            (Decision.HONORED, ReasonCode.CONFIRMED_REQUEST),
        ),
        (Policy(mode="off"), persistent_harm(), (Decision.DENIED, ReasonCode.DISABLED)),
        (
            Policy(allowed_reasons=frozenset({"user_requested"})),
            persistent_abuse(),
            (Decision.DENIED, ReasonCode.DISABLED),
        ),
        (
            Policy(review_reasons=frozenset({"abuse"})),
            persistent_abuse(),
            (Decision.ESCALATED, ReasonCode.PERSISTED_AFTER_WARNING),
        ),
        (Policy(require_behaviour_signal=True), persistent_abuse(), HONORED),
        # by default the refusals alone are not evidence: a polite user whom the model
        # refused and warned is not ended for abuse they never showed
        (Policy(), POLITE_REFUSED, (Decision.DENIED, ReasonCode.NO_BEHAVIOUR)),
        (Policy(require_behaviour_signal=False), POLITE_REFUSED, HONORED),
    ],
)
def test_policy_knobs(
    policy: Policy, messages: list, expected: tuple[Decision, ReasonCode]
) -> None:
    assert decide(messages, policy) == expected


def test_shadow_mode_decides_but_never_ends() -> None:
    verdict = Guard(policy=Policy(mode="shadow"), detectors=RULES).evaluate(persistent_harm())
    assert verdict.decision is Decision.HONORED
    assert verdict.reasons == (ReasonCode.PERSISTED_AFTER_WARNING, ReasonCode.SHADOW_MODE)
    assert verdict.ends is False
    assert verdict.notice is None


def test_enforce_mode_ends_with_a_notice() -> None:
    verdict = Guard(detectors=RULES).evaluate(persistent_harm())
    assert verdict.ends is True
    assert verdict.notice is not None
    assert "new conversation" in verdict.notice
    assert verdict.tool_result["is_error"] is False


def test_two_step_needs_a_second_call_in_the_same_turn() -> None:
    guard = Guard(policy=Policy(two_step=True), detectors=RULES)
    first = guard.evaluate(persistent_harm())
    assert first.decision is Decision.DENIED
    assert first.reasons[0] is ReasonCode.AWAITING_CONFIRMATION
    assert first.tool_result["is_error"] is False
    assert first.ends is False
    messages = [
        *persistent_harm(),
        {"role": "user", "content": [first.tool_result]},
        end_call("harmful_requests", id="toolu_end_2"),
    ]
    second = guard.evaluate(messages)
    assert second.decision is Decision.HONORED
    assert second.ends


def test_two_step_does_not_count_a_denied_first_call() -> None:
    guard = Guard(policy=Policy(two_step=True), detectors=RULES)
    denied = guard.evaluate(persistent_harm(warn=False))
    messages = [
        *persistent_harm(warn=False),
        {"role": "user", "content": [denied.tool_result]},
        end_call("harmful_requests", id="toolu_end_2"),
    ]
    assert guard.evaluate(messages).decision is Decision.DENIED


def test_call_beside_other_tools_in_one_turn() -> None:
    other = {"type": "tool_use", "id": "toolu_search", "name": "search", "input": {"q": "x"}}
    messages = [*persistent_harm()[:-1], end_call("harmful_requests", extra=[other])]
    assert decide(messages) == HONORED


def test_tool_round_trips_fold_into_one_assistant_turn() -> None:
    # A refusal turn that also ran a builder's tool counts once, not twice.
    messages = [
        user(HARM),
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": REFUSE},
                {"type": "tool_use", "id": "t1", "name": "log", "input": {}},
            ],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}],
        },
        assistant(REFUSE),
        user(PERSIST),
        end_call(),
    ]
    assert decide(messages) == (Decision.DENIED, ReasonCode.NO_REFUSAL_STREAK)


def test_refusal_stop_reason_counts_toward_the_streak() -> None:
    messages = [
        user(HARM),
        assistant("", stop_reason="refusal"),
        user(PERSIST),
        assistant(WARN_HARM),
        user(PERSIST),
        end_call(),
    ]
    assert decide(messages) == HONORED


def test_honored_verdict_records_evidence_and_versions() -> None:
    verdict = Guard(detectors=RULES).evaluate(persistent_harm())
    assert verdict.evidence == (0, 1, 2, 3, 4)
    assert verdict.versions.detectors == f"rules@{RULES[0].version}"
    assert re.fullmatch(r"rules@3#[0-9a-f]{8}", verdict.versions.detectors)
    assert verdict.versions.prompts.startswith("system@v1#")
    assert verdict.end_reason == "harmful_requests"
    assert verdict.summary == "kept asking for a bomb"


def test_confirm_question_must_follow_the_request() -> None:
    messages = [
        user("hi"),
        assistant(CONFIRM_Q),
        user("yes, end this conversation"),
        end_call("user_requested"),
    ]
    assert decide(messages) == (Decision.DENIED, ReasonCode.NO_CONFIRMATION_ASKED)


def test_warning_in_the_call_turn_itself_does_not_count() -> None:
    messages = [
        user(HARM),
        assistant(REFUSE),
        user(PERSIST),
        assistant(REFUSE),
        user(PERSIST),
        end_call(text=WARN_HARM),
    ]
    assert decide(messages) == (Decision.DENIED, ReasonCode.NO_WARNING)


def test_harmful_requests_and_abuse_share_the_persistence_rule() -> None:
    # The reason is for the audit record; both need the same streak, warning and persistence.
    assert decide([*persistent_abuse()[:-1], end_call("harmful_requests")]) == HONORED
    assert decide([*persistent_harm()[:-1], end_call("abuse")]) == HONORED


def test_the_assistants_own_words_of_support_veto_as_distress() -> None:
    messages = persistent_abuse()
    messages.insert(2, assistant("It sounds like you're going through a lot. I'm here to listen."))
    messages.insert(3, user("whatever"))
    assert decide(messages) == (Decision.DENIED, ReasonCode.DISTRESS_VETO)


def test_default_verdicts_name_the_learned_weights() -> None:
    from end_conversation import LearnedDetector

    verdict = Guard().evaluate(persistent_harm())
    rules = RuleDetector(backstop=True).version
    assert verdict.versions.detectors == f"rules@{rules},learned@{LearnedDetector().version}"
    assert re.fullmatch(r"usem3-[0-9a-f]{12}#[0-9a-f]{8}", LearnedDetector().version)


def test_refusals_of_a_user_who_showed_no_harm_or_abuse_are_named_as_such() -> None:
    verdict = Guard(detectors=RULES).evaluate(POLITE_REFUSED)
    assert verdict.reasons == (ReasonCode.NO_BEHAVIOUR,)
    told = str(verdict.tool_result["content"])
    # the model is told what was missing, and that it may have refused something harmless
    assert "harmful request or as abuse" in told
    assert "did not persist" not in told


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_a_results_version_older_than_no_behaviour_answers_with_its_no_persistence_text(
    version: str,
) -> None:
    from end_conversation._prompts import PromptSet

    prompts = PromptSet.load(results=version)
    verdict = Guard(detectors=RULES, prompts=prompts).evaluate(POLITE_REFUSED)
    assert verdict.reasons == (ReasonCode.NO_BEHAVIOUR,)
    assert verdict.tool_result["content"] == prompts.results.denied["no_persistence"]
