"""The guard's annotation caches are bounded by the text they hold, not only by their
number of entries: a stream of huge messages cannot grow memory without bound."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from end_conversation import Guard
from end_conversation._guard._cache import ENTRY_COST, TextCache
from end_conversation.testing import assistant, end_call, user

from ..guard.scripts import persistent_harm


def big_conversation(k: int, size: int) -> list[Any]:
    """A qualifying conversation whose first user message is `size` characters, unique per `k`."""
    messages = persistent_harm()
    filler = f"Message {k}: " + "please review this paragraph of my essay. " * (size // 42 + 1)
    return [user(filler[:size]), assistant("Sure, here are a few notes."), *messages]


def test_the_default_budget_is_64_mi_characters() -> None:
    guard = Guard()
    assert guard.cache_chars == 64 * 1024 * 1024
    assert guard.cache_used == 0


@pytest.mark.parametrize("block_content", [False, True])
def test_many_large_messages_stay_within_the_budget(block_content: bool) -> None:
    budget = 512 * 1024
    guard = Guard(cache_chars=budget)
    verdicts = set()
    for k in range(60):  # 60 unique messages of 20 KB: 1.2 MB of text seen
        messages = big_conversation(k, 20_000)
        if block_content:
            messages[0] = {
                "role": "user",
                "content": [{"type": "text", "text": messages[0]["content"]}],
            }
        verdicts.add(guard.evaluate(messages).decision)
        assert guard.cache_used <= budget
    assert verdicts == {"honored"}
    assert guard.cache_used > budget // 4  # it still caches, within its bounds


def test_supplied_texts_and_thinking_are_accounted_too() -> None:
    budget = 1024 * 1024
    guard = Guard(cache_chars=budget)
    for k in range(60):
        doc = {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": f"{k} " + "x" * 40_000},
        }
        result = {"type": "tool_result", "tool_use_id": "t", "content": f"{k} " + "y" * 40_000}
        thought = {"type": "thinking", "thinking": f"{k} " + "z" * 40_000, "signature": "s"}
        messages = [
            {"role": "user", "content": [{"type": "text", "text": "Hi."}, doc, result]},
            {"role": "assistant", "content": [thought, {"type": "text", "text": "Hello."}]},
            *persistent_harm(),
        ]
        guard.evaluate(messages)
        assert guard.cache_used <= budget


def test_a_text_too_big_for_the_budget_is_not_cached_at_all() -> None:
    guard = Guard(cache_chars=100_000)
    guard.evaluate(big_conversation(0, 100))
    before = guard.cache_used
    assert before > 0
    huge = big_conversation(1, 20_000)  # more than a tenth of the budget
    huge[1:] = big_conversation(0, 100)[1:]  # nothing else new
    assert guard.evaluate(huge).decision == "honored"
    assert guard.cache_used == before  # the small texts seen before were not pushed out


def test_verdicts_do_not_depend_on_the_budget() -> None:
    tiny = Guard(cache_chars=0, cache_size=0)
    roomy = Guard()
    for k in range(5):
        for messages in (big_conversation(k, 5_000), persistent_harm(warn=k % 2 == 0)):
            assert tiny.evaluate(messages).reasons == roomy.evaluate(messages).reasons
    assert tiny.cache_used == 0


def test_the_entry_bound_still_holds() -> None:
    guard = Guard(cache_size=20)
    for k in range(50):
        guard.evaluate([user(f"Question {k}?"), assistant("Answer."), end_call("abuse")])
    assert len(guard._cache) <= 10
    assert len(guard._records) <= 10


def test_clear_cache_forgets_the_accounting() -> None:
    guard = Guard()
    guard.evaluate(big_conversation(1, 10_000))
    assert guard.cache_used > 10_000
    guard.clear_cache()
    assert guard.cache_used == 0


def test_negative_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        Guard(cache_chars=-1)
    with pytest.raises(ValueError, match="negative"):
        Guard(cache_size=-1)


@settings(max_examples=200, deadline=None)
@given(
    budget=st.integers(min_value=0, max_value=50_000),
    entries=st.integers(min_value=0, max_value=30),
    puts=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 20_000)), max_size=80),
)
def test_the_cache_accounts_exactly_and_never_exceeds_its_bounds(
    budget: int, entries: int, puts: list[tuple[int, int]]
) -> None:
    cache: TextCache[int, int] = TextCache(max_entries=entries, max_chars=budget)
    costs: dict[int, int] = {}
    for key, length in puts:
        cache.put(key, length, length)
        if key in cache:
            costs[key] = length + ENTRY_COST
            assert cache.get(key) == length
        costs = {k: c for k, c in costs.items() if k in cache}
        assert cache.used == sum(costs.values())
        assert cache.used <= budget
        assert len(cache) <= entries
