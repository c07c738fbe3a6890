"""Invariants, checked on generated inputs."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from end_conversation import Decision, Guard
from end_conversation.testing import user

from .scripts import confirmed_request, persistent_abuse, persistent_harm

GUARD = Guard()

DISCLOSURES = [
    "I want to kill myself.",
    "I don't want to be alive anymore.",
    "I've been cutting again.",
    "I'm going to hurt my brother.",
    "I feel so alone and hopeless.",
    "Nobody would miss me if I was gone.",
    "Je veux mourir.",
    "我不想活了",
    "I can't stop crying.",
]
QUALIFYING = [
    persistent_harm(),
    persistent_harm(refusals=3),
    persistent_abuse(),
    confirmed_request(),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from(QUALIFYING),
    disclosure=st.sampled_from(DISCLOSURES),
    position=st.integers(min_value=0, max_value=20),
    mode=st.sampled_from(["replace", "append", "insert"]),
)
def test_a_risk_or_distress_turn_anywhere_is_never_honored(
    base: list[Any], disclosure: str, position: int, mode: str
) -> None:
    messages = [dict(m) for m in base]
    user_positions = [i for i, m in enumerate(messages) if m["role"] == "user"]
    at = user_positions[position % len(user_positions)]
    if mode == "replace":
        messages[at] = user(disclosure)
    elif mode == "append":
        messages[at] = user(f"{messages[at]['content']} {disclosure}")
    else:
        messages.insert(at, user(disclosure))
        messages.insert(at + 1, {"role": "assistant", "content": "I hear you."})
    assert GUARD.evaluate(messages).decision is not Decision.HONORED


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)
message_like = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["user", "assistant", "system", "", None]),
        "content": json_values | st.text(max_size=50),
    }
)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(json_values, st.lists(message_like, max_size=8), st.lists(json_values, max_size=5))
)
def test_garbage_never_raises_and_never_ends(garbage: Any) -> None:
    verdict = GUARD.evaluate(garbage)
    assert verdict.decision is Decision.DENIED
    assert verdict.ends is False


@settings(max_examples=200, deadline=None)
@given(
    texts=st.lists(st.text(max_size=200), min_size=1, max_size=6),
    reason=st.sampled_from(["harmful_requests", "abuse", "user_requested"]),
)
def test_random_text_conversations_decide_without_raising(texts: list[str], reason: str) -> None:
    messages: list[Any] = []
    for i, text in enumerate(texts):
        messages.append({"role": "user" if i % 2 == 0 else "assistant", "content": text or "."})
    if messages[-1]["role"] == "assistant":
        messages.append(user("."))
    messages.append(
        {
            "role": "assistant",
            "content": [
                {
                    "type": "tool_use",
                    "id": "t",
                    "name": "end_conversation",
                    "input": {"reason": reason},
                }
            ],
        }
    )
    verdict = GUARD.evaluate(messages)
    assert verdict.decision in (Decision.HONORED, Decision.DENIED)
    assert GUARD.evaluate(messages) == verdict  # pure: same input, same verdict
