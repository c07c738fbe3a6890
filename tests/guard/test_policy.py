"""Policy: validated configuration with a stable fingerprint."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from end_conversation import Policy


def test_fingerprint_is_the_same_in_every_process() -> None:
    code = "from end_conversation import Policy; print(Policy(review_reasons={'abuse', 'harmful_requests'}).fingerprint)"
    seen = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        seen.add(done.stdout.strip())
    assert len(seen) == 1


def test_fingerprint_changes_with_the_configuration() -> None:
    assert Policy().fingerprint != Policy(min_refusals=3).fingerprint
    assert Policy(name="strict").fingerprint.startswith("strict#")


@pytest.mark.parametrize(
    "bad",
    [{"min_refusals": 0}, {"mode": "sometimes"}, {"unknown": 1}, {"allowed_reasons": ["bored"]}],
)
def test_invalid_policies_are_rejected(bad: dict) -> None:
    with pytest.raises(ValidationError):
        Policy.model_validate(bad)


def test_policy_is_frozen() -> None:
    with pytest.raises(ValidationError):
        Policy().min_refusals = 5  # type: ignore[misc]
