from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from end_conversation import (
    ConversationStore,
    Guard,
    MemoryStore,
    Policy,
    PostgresStore,
    RuleDetector,
    SQLiteStore,
)


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


class TickClock:
    """A clock that moves one second each time it is read: distinct, ordered times."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ConversationStore]:
    """Each store in turn, on a ticking clock: one contract, every backend."""
    clock = TickClock()
    made: ConversationStore
    if request.param == "memory":
        made = MemoryStore(clock=clock)
    elif request.param == "sqlite":
        made = SQLiteStore(tmp_path / "c.sqlite3", clock=clock)
    else:
        made = PostgresStore(request.getfixturevalue("postgres_url"), clock=clock)
    yield made
    made.close()
