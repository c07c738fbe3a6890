"""MCP: a remote caller names shipped prompt versions only; paths stay local
(issue 11, item 5)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mcp import Client, MCPError
from mcp.types import INVALID_PARAMS

from end_conversation import UnknownPromptVersionError, prompt_versions, system_prompt
from end_conversation._mcp import create_server

pytestmark = pytest.mark.anyio

SECRET = "SECRET-PROMPT-BODY"


@pytest.fixture
def prompt_shaped(tmp_path: Path) -> Path:
    """A readable file the local loader would accept as a system prompt."""
    path = tmp_path / "leak.md"
    path.write_text(f"---\nkind: system\nversion: v1\n---\n{SECRET}\n", encoding="utf-8")
    return path


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.md"
    os.mkfifo(path)  # opening it for reading would block until a writer comes
    return path


def _remote_versions(prompt_shaped: Path, fifo: Path) -> list[str]:
    return [
        "/etc/passwd",
        "../prompts/system/v1.md",
        "prompts/system/v1.md",
        "v1.md",
        "/dev/zero",
        str(prompt_shaped),
        str(fifo),
        "v99",
        "",
        "latest/../v1",
        "x" * 100_000,
    ]


async def test_only_shipped_versions_are_served(prompt_shaped: Path, fifo: Path) -> None:
    async with Client(create_server()) as client:
        for version in ("latest", *prompt_versions("system")):
            result = await client.get_prompt("end_conversation_policy", {"version": version})
            assert "last resort" in result.messages[0].content.text  # type: ignore[union-attr]
        for version in _remote_versions(prompt_shaped, fifo):
            with pytest.raises(MCPError) as caught:
                await client.get_prompt("end_conversation_policy", {"version": version})
            assert caught.value.code == INVALID_PARAMS
            assert "no prompt version" in caught.value.message
            shipped = ", ".join(("latest", *prompt_versions("system")))
            assert f"available: {shipped}" in caught.value.message
            assert SECRET not in caught.value.message
            assert len(caught.value.message) < 300


def test_the_loader_reads_no_path_when_paths_are_not_allowed(
    prompt_shaped: Path, fifo: Path
) -> None:
    # Locally a path is a feature...
    assert SECRET in system_prompt(prompt_shaped)
    # ...and refused, without opening anything, for names from remote callers.
    for version in [*_remote_versions(prompt_shaped, fifo), prompt_shaped, fifo]:
        with pytest.raises(UnknownPromptVersionError):
            system_prompt(version, allow_path=False)
    assert system_prompt("latest", allow_path=False) == system_prompt("latest")
