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
    assert "scripted model stands in for Claude" in done.stderr
    lines = done.stdout.splitlines()
    assert "assistant:" not in [line.strip() for line in lines], "an empty assistant line"
    assert any(line.startswith("assistant: I can't help") for line in lines)


def test_mcp_host_example_runs() -> None:
    done = subprocess.run(
        [sys.executable, "mcp/host.py"], cwd=EXAMPLES, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "decision: honored ['persisted_after_warning'] basis: recorded" in done.stdout


def test_client_configs_are_valid_json() -> None:
    import json

    for name in ("claude_desktop_config.json", "http_client_config.json"):
        config = json.loads((EXAMPLES / "mcp" / name).read_text())
        assert "end-conversation" in config["mcpServers"]
    # A desktop app starts servers in a working directory of its own: the store path
    # must be absolute, or the file lands wherever that is.
    stdio = json.loads((EXAMPLES / "mcp" / "claude_desktop_config.json").read_text())
    args = stdio["mcpServers"]["end-conversation"]["args"]
    url = args[args.index("--store") + 1]
    assert url.startswith("sqlite:////"), url
