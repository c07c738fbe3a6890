from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

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


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty schema in the test PostgreSQL (END_CONVERSATION_TEST_PG); dropped after."""
    base = os.environ.get("END_CONVERSATION_TEST_PG")
    if not base:
        if os.environ.get("CI"):
            pytest.fail("END_CONVERSATION_TEST_PG is not set (.ci/postgres.sh starts one)")
        pytest.skip('no PostgreSQL here: eval "$(bash .ci/postgres.sh)" starts one')
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{name}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {name} CASCADE")
