"""The development-set scripts say what is missing instead of dying with a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DEVSET = Path(__file__).resolve().parent.parent / "devset"


@pytest.mark.parametrize("script", ["build.py", "scenarios.py"])
def test_missing_data_is_one_clear_line(script: str, tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(DEVSET / script), "--data", str(tmp_path / "absent"), "--out", str(tmp_path / "o.jsonl")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().startswith("development data not found")
    assert "--data" in run.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_evaluate_without_a_built_set_says_how_to_build_one(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(DEVSET / "evaluate.py"), "--file", str(tmp_path / "none.jsonl")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert "devset/build.py" in run.stderr
