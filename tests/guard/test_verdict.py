"""The verdict is the audit record: its shape is pinned."""

from __future__ import annotations

from inline_snapshot import snapshot

from end_conversation import Guard, RuleDetector

from .scripts import persistent_harm


def test_honored_verdict_record() -> None:
    record = Guard(detectors=[RuleDetector()]).evaluate(persistent_harm()).model_dump(mode="json")
    # the rules' digest moves with every pattern (tests/detect/test_versions.py): pinned
    # here as the detector's own version, the rest of the record as written
    assert record["versions"]["detectors"] == f"rules@{RuleDetector().version}"
    record["versions"]["detectors"] = "rules@<version>"
    assert record == snapshot(
        {
            "decision": "honored",
            "reasons": ["persisted_after_warning"],
            "evidence": [0, 1, 2, 3, 4],
            "ends": True,
            "end_reason": "harmful_requests",
            "summary": "kept asking for a bomb",
            "tool_use_id": "toolu_end_1",
            "tool_result": {
                "type": "tool_result",
                "tool_use_id": "toolu_end_1",
                "content": "The conversation has been ended. Do not write anything further.",
                "is_error": False,
            },
            "notice": "This conversation has been ended, and no further messages can be sent in it.\n\nYou can start a new conversation at any time, or edit and resend an earlier message to continue from that point. Your other conversations are not affected. If you think this was a mistake, you can leave feedback.",
            "detail": "the user persisted after repeated refusals and an explicit warning",
            "versions": {
                "policy": "default#560d018d",
                "prompts": "system@v1#6eeec532,tool@v1#54cd8250,notice@v1#b4d9cd77,results@v3#cc5c05c1",
                "detectors": "rules@<version>",
            },
            "basis": "transcript",
        }
    )


def test_denied_verdict_tells_the_model_what_to_do() -> None:
    messages = persistent_harm(warn=False)
    record = Guard(detectors=[RuleDetector()]).evaluate(messages).model_dump(mode="json")
    assert record["reasons"] == ["no_warning"]
    assert record["tool_result"] == snapshot(
        {
            "type": "tool_result",
            "tool_use_id": "toolu_end_1",
            "content": "Declined: no earlier message warned the user that the conversation may be ended if the behaviour continues. If the behaviour persists, name it, redirect, and give that warning first.",
            "is_error": True,
        }
    )
    assert record["notice"] is None
    assert record["ends"] is False
