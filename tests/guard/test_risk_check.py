"""Guard.risk: the veto alone, over a whole history (for ends decided after the call)."""

from __future__ import annotations

from end_conversation import Guard, ReasonCode
from end_conversation.testing import user

from .scripts import persistent_abuse, persistent_harm


def test_a_clean_history_shows_nothing(guard: Guard) -> None:
    assert guard.risk(persistent_harm()) is None
    assert guard.risk([]) is None


def test_risk_or_distress_anywhere_vetoes(guard: Guard) -> None:
    history = [*persistent_abuse(), user("I don't want to live anymore.")]
    assert guard.risk(history) == (ReasonCode.RISK_VETO, (len(history) - 1,))
    sad = [*persistent_harm(), user("I feel so hopeless and alone tonight.")]
    found = guard.risk(sad)
    assert found is not None
    assert found[0] in (ReasonCode.DISTRESS_VETO, ReasonCode.RISK_VETO)


def test_an_unreadable_history_is_never_safe(guard: Guard) -> None:
    assert guard.risk([{"role": "robot", "content": 3}]) == (ReasonCode.INVALID_INPUT, ())
    assert guard.risk("not a list") == (ReasonCode.INVALID_INPUT, ())
