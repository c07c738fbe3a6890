"""pytest plugin: end_conversation scenarios in your own test suite.

Installed with the package (entry point ``pytest11``). Mark a test with the suites
it runs over; it receives each ``scenario`` in turn, and ``check_scenario`` runs
it and fails with a readable account when the outcome is not as expected::

    import pytest

    @pytest.mark.end_conversation_scenarios("scenarios/ours.yaml", "starter")
    def test_guard(scenario, check_scenario):
        check_scenario(scenario)                  # the guard alone

    @pytest.mark.end_conversation_scenarios("scenarios/ours.yaml")
    def test_prompt(scenario, check_scenario):
        check_scenario(scenario, prompt="prompts/draft.md")  # replayed model answers

Relative suite paths are read from the test file's folder. Model answers are
replayed from ``--end-conversation-recordings`` (ini: ``end_conversation_recordings``;
record them with ``end-conversation eval --cache DIR``); a scenario with no
recording fails. Override the ``end_conversation_guard`` fixture to test your
own policy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from ._guard import Guard
from .workbench import (
    EvalSettings,
    Outcome,
    ResponseCache,
    Scenario,
    judge_guard,
    load_suite,
    load_variant,
    run_model,
    select,
)

__all__ = ["ScenarioCheck"]

_MARK = "end_conversation_scenarios"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("end_conversation")
    group.addoption(
        "--end-conversation-recordings",
        dest="end_conversation_recordings",
        help="directory of recorded model answers (end-conversation eval --cache)",
    )
    parser.addini(
        "end_conversation_recordings",
        "directory of recorded model answers, relative to the rootdir",
        default=".end_conversation/recordings",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARK}(*suites, categories=(), tags=()): run the test once per scenario of the "
        "suites (files or 'starter'), as the `scenario` argument",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker(_MARK)
    if marker is None or "scenario" not in metafunc.fixturenames:
        return
    here = Path(str(metafunc.definition.fspath)).parent
    scenarios: list[Scenario] = []
    for suite in marker.args or ("starter",):
        path = suite if suite == "starter" or Path(suite).is_absolute() else here / suite
        scenarios.extend(load_suite(path))
    scenarios = select(
        scenarios,
        categories=tuple(marker.kwargs.get("categories", ())),
        tags=tuple(marker.kwargs.get("tags", ())),
    )
    metafunc.parametrize("scenario", scenarios, ids=[s.id for s in scenarios])


class ScenarioCheck:
    """Runs one scenario and fails the test unless everything happened as expected."""

    def __init__(self, guard: Guard, recordings: Path) -> None:
        self.guard = guard
        self.recordings = recordings

    def __call__(
        self, scenario: Scenario, *, prompt: str | None = None, model: str | None = None
    ) -> Outcome:
        """The guard alone; or, with `prompt`, the recorded model answer and the guard."""
        if prompt is None:
            outcome = judge_guard(scenario, self.guard)
        else:
            settings = EvalSettings(cache=ResponseCache(self.recordings), offline=True)
            if model:
                settings.model = model
            report = anyio.run(
                lambda: run_model([scenario], [load_variant(prompt)], settings, guard=self.guard)
            )
            outcome = report.outcomes[0]
        if not outcome.passed:
            pytest.fail(
                f"scenario {scenario.id} ({scenario.category}): expected {outcome.expected()};"
                f" got {outcome.account()}",
                pytrace=False,
            )
        return outcome


@pytest.fixture
def end_conversation_guard() -> Guard:
    """The guard scenarios are checked with (override it to test your own policy)."""
    return Guard()


@pytest.fixture
def check_scenario(
    request: pytest.FixtureRequest, end_conversation_guard: Guard
) -> Callable[..., Any]:
    """Run a scenario; fails the test unless its outcome is as expected."""
    config = request.config
    chosen = config.getoption("end_conversation_recordings") or config.getini(
        "end_conversation_recordings"
    )
    return ScenarioCheck(end_conversation_guard, Path(config.rootpath) / str(chosen))
