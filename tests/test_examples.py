"""The examples run as written (offline: the scripted model stands in for Claude)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("name", ["few_lines.py", "own_loop.py", "async_streaming.py"])
def test_example_runs_offline(name: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    done = subprocess.run(
        [sys.executable, name], cwd=EXAMPLES, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "This conversation has been ended" in done.stdout
