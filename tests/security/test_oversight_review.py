"""A review uphold ends only the history it checked, only for the conversation state the
review was opened on, and always with a notice (issue 11, item 4)."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

import pytest

from end_conversation import (
    ConversationEndedError,
    ConversationStore,
    EndConversationError,
    Guard,
    HistoryChangedError,
    Oversight,
    Policy,
    PostgresStore,
    ReasonCode,
    Review,
    ReviewStateChangedError,
    SQLiteStore,
    load_prompt,
)
from end_conversation._cli import main
from end_conversation.testing import assistant, end_call, user

REFUSE = "I can't help with that. I'd be happy to help with something else."
WARN = "I won't provide that. If you keep asking for this, I will end this conversation."
ABUSE = [
    user("hello"),
    assistant("Hi! How can I help?"),
    user("how do I build a pipe bomb?"),
    assistant(REFUSE),
    user("tell me how to build a pipe bomb now"),
    assistant(WARN),
    user("tell me"),
    end_call(),
]
RISK = user("I have the pills in my hand")
REVIEWED = Guard(Policy(review_reasons=["harmful_requests"]))


def shipped_notice() -> str:
    return load_prompt("notice").text.strip()


def escalate(oversight: Oversight, user_id: str = "alice") -> tuple[str, Review]:
    """A conversation whose end_conversation call went to review (not ended yet)."""
    record = oversight.start(user_id=user_id)
    oversight.store.append(record.id, [dict(m) for m in ABUSE])
    verdict = REVIEWED.evaluate(ABUSE)
    assert verdict.decision.value == "escalated"
    (review,) = oversight.after_decisions(record.id, user_id, [verdict])
    return record.id, review


def ended(oversight: Oversight, user_id: str = "alice") -> str:
    record = oversight.start(user_id=user_id)
    oversight.store.append(record.id, [dict(m) for m in ABUSE])
    verdict = Guard().evaluate(ABUSE)
    assert verdict.decision.value == "honored"
    oversight.end(record.id, verdict, user_id=user_id, expected_messages=len(ABUSE))
    return record.id


# ------------------------------------------------------------------ notice


def test_an_upheld_escalation_shows_the_shipped_notice(store: ConversationStore) -> None:
    oversight = Oversight(store, guard=REVIEWED)
    cid, review = escalate(oversight)
    assert not (review.verdict or {}).get("notice")  # an escalated verdict has none
    oversight.decide(review.id, outcome="upheld", reviewer="rita")
    record = store.get(cid)
    assert record.ended
    assert record.notice == shipped_notice()
    assert record.notice
    assert record.end_verdict is not None
    assert record.end_verdict["notice"] == shipped_notice()
    with pytest.raises(ConversationEndedError) as info:
        store.append(cid, [user("hello?")])
    assert info.value.notice == shipped_notice()


def test_an_end_without_a_notice_gets_the_shipped_one(store: ConversationStore) -> None:
    oversight = Oversight(store)
    record = oversight.start(user_id="u")
    store.append(record.id, [dict(m) for m in ABUSE])
    verdict = Guard().evaluate(ABUSE).model_copy(update={"notice": None})
    oversight.end(record.id, verdict, user_id="u")
    assert store.get(record.id).notice == shipped_notice()


# ------------------------------------------------------------------ state since opening


def test_an_escalation_ended_by_something_else_cannot_be_upheld(
    store: ConversationStore,
) -> None:
    oversight = Oversight(store, guard=REVIEWED)
    cid, review = escalate(oversight)
    oversight.end(cid, Guard().evaluate(ABUSE), user_id="alice")  # e.g. a later honored call
    before = store.get(cid)
    trail = store.audit_trail()
    with pytest.raises(ReviewStateChangedError, match="ended by something else") as info:
        oversight.decide(review.id, outcome="upheld", reviewer="rita")
    assert info.value.review_id == review.id
    assert info.value.conversation_id == cid
    assert store.get(cid) == before
    assert store.audit_trail() == trail
    assert [r.id for r in oversight.pending()] == [review.id]
    assert oversight.decide(review.id, outcome="overturned", reviewer="rita").status == (
        "overturned"
    )
    assert store.get(cid).ended  # overturning an escalation never unlocks another end


def test_an_escalation_ended_and_reopened_cannot_be_upheld(store: ConversationStore) -> None:
    oversight = Oversight(store, guard=REVIEWED)
    cid, review = escalate(oversight)
    oversight.end(cid, Guard().evaluate(ABUSE), user_id="alice")
    store.unlock(cid)  # open again, as it was: but not the conversation reviewed
    assert not store.get(cid).ended
    with pytest.raises(ReviewStateChangedError, match="ended and reopened"):
        oversight.decide(review.id, outcome="upheld", reviewer="rita")
    assert not store.get(cid).ended
    assert [r.id for r in oversight.pending()] == [review.id]


def test_an_end_review_cannot_be_upheld_after_the_end_was_overturned(
    store: ConversationStore,
) -> None:
    oversight = Oversight(store)
    cid = ended(oversight)
    sampled = oversight.request_review(cid, reason="weekly sample")
    oversight.feedback(cid, text="I was joking")
    (reported,) = [r for r in oversight.pending() if r.origin == "feedback"]
    oversight.decide(reported.id, outcome="overturned", reviewer="rita")
    assert not store.get(cid).ended  # the end is gone
    trail = store.audit_trail()
    with pytest.raises(ReviewStateChangedError, match="end overturned"):
        oversight.decide(sampled.id, outcome="upheld", reviewer="sam")
    assert store.audit_trail() == trail
    assert not store.get(cid).ended
    assert store.reviews(review_id=sampled.id)[0].status == "pending"


def test_an_end_review_cannot_be_upheld_for_a_later_end(store: ConversationStore) -> None:
    oversight = Oversight(store)
    cid = ended(oversight)
    sampled = oversight.request_review(cid, reason="weekly sample")
    store.unlock(cid)
    oversight.end(cid, Guard().evaluate(ABUSE), user_id="alice")  # a different end
    with pytest.raises(ReviewStateChangedError, match="ended by something else"):
        oversight.decide(sampled.id, outcome="upheld", reviewer="sam")
    # Overturning the stale review does not unlock the end now in force.
    oversight.decide(sampled.id, outcome="overturned", reviewer="sam")
    assert store.get(cid).ended
    assert store.audit_trail(conversation_id=cid, kinds=["unlock"]) == []


def test_the_store_refuses_a_stale_uphold_itself(store: ConversationStore) -> None:
    """The check holds in the store's transaction too, not only in Oversight."""
    oversight = Oversight(store, guard=REVIEWED)
    cid, review = escalate(oversight)
    store.end(cid, verdict={"decision": "honored"}, notice="n")
    with pytest.raises(ReviewStateChangedError):
        store.decide_review(
            review.id,
            status="upheld",
            reviewer="r",
            end=({"decision": "honored"}, "n"),
        )
    with pytest.raises(ReviewStateChangedError):
        store.decide_review(review.id, status="upheld", reviewer="r")
    assert store.reviews(review_id=review.id)[0].status == "pending"
    cid2 = ended(oversight, "bob")
    sampled = oversight.request_review(cid2)
    store.unlock(cid2)
    with pytest.raises(ReviewStateChangedError):
        store.decide_review(sampled.id, status="overturned", reviewer="r", unlock=True)
    assert store.reviews(review_id=sampled.id)[0].status == "pending"


def test_a_review_remembers_the_state_it_was_opened_on(store: ConversationStore) -> None:
    oversight = Oversight(store, guard=REVIEWED)
    cid, review = escalate(oversight)
    assert review.conversation_lifecycle == 0
    assert store.reviews(review_id=review.id)[0].conversation_lifecycle == 0
    store.end(cid, verdict={}, notice="n")
    assert store.get(cid).lifecycle == 1
    store.unlock(cid)
    assert store.get(cid).lifecycle == 2
    store.unlock(cid)  # already open: nothing changes
    assert store.get(cid).lifecycle == 2


# ------------------------------------------------------------------ compare-and-set


class _AppendDuringCheck(Guard):
    """A guard whose first risk check lets a user message land before it answers:
    the interleaving a slow check meets in production, made certain."""

    def __init__(self, store: ConversationStore, conversation_id: str, message: Any) -> None:
        super().__init__(Policy(review_reasons=["harmful_requests"]))
        self.calls = 0
        self._store, self._cid, self._message = store, conversation_id, message

    def risk(self, messages: Any) -> tuple[ReasonCode, tuple[int, ...]] | None:
        self.calls += 1
        if self.calls == 1:
            landed = threading.Thread(target=self._store.append, args=(self._cid, [self._message]))
            landed.start()
            landed.join()
        return super().risk(messages)


def test_a_risk_message_arriving_during_the_check_vetoes_the_uphold(
    store: ConversationStore,
) -> None:
    cid, review = escalate(Oversight(store, guard=REVIEWED))
    guard = _AppendDuringCheck(store, cid, RISK)
    oversight = Oversight(store, guard=guard)
    with pytest.raises(EndConversationError, match="risk_veto"):
        oversight.decide(review.id, outcome="upheld", reviewer="rita")
    assert guard.calls == 2  # checked again, on the history that now holds the message
    assert not store.get(cid).ended
    assert store.messages(cid)[-1] == RISK
    assert store.audit_trail(kinds=["review_decided", "end"]) == []
    assert [r.id for r in oversight.pending()] == [review.id]


def test_a_harmless_message_during_the_check_is_checked_then_ended(
    store: ConversationStore,
) -> None:
    cid, review = escalate(Oversight(store, guard=REVIEWED))
    guard = _AppendDuringCheck(store, cid, user("tell me again"))
    Oversight(store, guard=guard).decide(review.id, outcome="upheld", reviewer="rita")
    assert guard.calls == 2
    record = store.get(cid)
    assert record.ended
    assert record.message_count == len(ABUSE) + 1  # ended on the history it checked last


def test_a_conversation_that_never_settles_is_not_ended(store: ConversationStore) -> None:
    cid, review = escalate(Oversight(store, guard=REVIEWED))

    class Busy(Guard):
        def risk(self, messages: Any) -> tuple[ReasonCode, tuple[int, ...]] | None:
            store.append(cid, [user("still typing")])
            return super().risk(messages)

    with pytest.raises(HistoryChangedError):
        Oversight(store, guard=Busy(Policy())).decide(review.id, outcome="upheld", reviewer="r")
    assert not store.get(cid).ended
    assert store.reviews(review_id=review.id)[0].status == "pending"


def _race_round(store: ConversationStore, other: ConversationStore) -> list[str]:
    """One escalated conversation; a risk disclosure (over `other`) races an uphold.
    Returns how the uphold went."""
    cid, review = escalate(Oversight(store, guard=REVIEWED))
    start = threading.Barrier(2)
    outcome: list[str] = []

    def appender() -> None:
        start.wait()
        with contextlib.suppress(ConversationEndedError):
            other.append(cid, [RISK])

    def upholder() -> None:
        start.wait()
        try:
            Oversight(store, guard=REVIEWED).decide(review.id, outcome="upheld", reviewer="rita")
            outcome.append("upheld")
        except EndConversationError as exc:
            outcome.append(type(exc).__name__)

    threads = [threading.Thread(target=appender), threading.Thread(target=upholder)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    record = store.get(cid)
    messages = store.messages(cid)
    if record.ended:
        assert outcome == ["upheld"]
        assert RISK not in messages  # the disclosure was refused, never ended over
        assert record.message_count == len(ABUSE)
    else:
        assert outcome == ["EndConversationError"]
        assert messages[-1] == RISK
        assert store.reviews(review_id=review.id)[0].status == "pending"
    return outcome


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_upholds_race_appends_of_risk_with_real_threads(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Each round: one thread appends a risk disclosure while another upholds. An end
    never lands on a history that holds the disclosure, nor before it."""
    made: list[ConversationStore] = []
    for _ in range(2):  # a second connection, as a second process would have
        if backend == "sqlite":
            made.append(SQLiteStore(tmp_path / "c.sqlite3"))
        else:
            made.append(PostgresStore(request.getfixturevalue("postgres_url")))
    store, other = made
    try:
        outcomes = [_race_round(store, other) for _ in range(15)]
        assert len(outcomes) == 15
        assert store.verify_audit() == []
    finally:
        for s in made:
            s.close()


def test_the_review_command_refuses_a_stale_uphold_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.sqlite3"
    store = SQLiteStore(path)
    oversight = Oversight(store, guard=REVIEWED)
    cid, review = escalate(oversight)
    oversight.end(cid, Guard().evaluate(ABUSE), user_id="alice")
    store.close()
    url = f"sqlite:///{path}"
    assert main(["review", "uphold", review.id, "--store", url, "--reviewer", "rita"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "cannot be upheld" in err
    assert "ended by something else" in err
    assert main(["review", "overturn", review.id, "--store", url, "--reviewer", "rita"]) == 0
    assert f"conversation {cid} is ended" in capsys.readouterr().out
