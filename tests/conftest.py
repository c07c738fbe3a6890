from __future__ import annotations

import pytest

from end_conversation import Guard, Policy, RuleDetector


@pytest.fixture(scope="session")
def detector() -> RuleDetector:
    return RuleDetector()


@pytest.fixture
def guard() -> Guard:
    return Guard(policy=Policy())


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
