"""end-conversation check / prompt / tool, through the installed command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .guard.scripts import confirmed_request, persistent_abuse, persistent_harm

EXE = shutil.which("end-conversation")
ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [EXE] if EXE else [sys.executable, "-m", "end_conversation._cli"]
    return subprocess.run(
        [*command, *args], input=stdin, capture_output=True, text=True, timeout=60
    )


def test_check_one_transcript_file(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"messages": persistent_harm()}), encoding="utf-8")
    done = run("check", str(path))
    assert done.returncode == 0, done.stderr
    verdict = json.loads(done.stdout)
    assert verdict["decision"] == "honored"
    assert verdict["reasons"] == ["persisted_after_warning"]
    assert verdict["evidence"] == [0, 1, 2, 3, 4]


def test_check_a_bare_list_from_stdin() -> None:
    done = run("check", "-", stdin=json.dumps(persistent_harm(warn=False)))
    assert done.returncode == 0
    assert json.loads(done.stdout)["reasons"] == ["no_warning"]


def test_check_jsonl_keeps_order_and_survives_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"messages": persistent_harm()}),
        "{not json",
        json.dumps({"messages": confirmed_request("no")}),
        json.dumps({"nothing": 1}),
        json.dumps({"messages": persistent_abuse()}),
        "",
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run("check", "--jsonl", str(path))
    assert done.returncode == 0, done.stderr
    verdicts = [json.loads(line) for line in done.stdout.splitlines()]
    assert [v["decision"] for v in verdicts] == [
        "honored",
        "denied",
        "denied",
        "denied",
        "honored",
        "denied",
    ]
    assert verdicts[1]["reasons"] == ["invalid_input"]
    assert "not valid JSON" in verdicts[1]["detail"]
    assert verdicts[2]["reasons"] == ["not_confirmed"]
    assert verdicts[3]["reasons"] == ["invalid_input"]


def test_unreadable_file_exits_2_with_one_line(tmp_path: Path) -> None:
    done = run("check", str(tmp_path / "missing.json"))
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "cannot read" in done.stderr


def test_non_utf8_jsonl_line_is_one_denied_verdict(tmp_path: Path) -> None:
    path = tmp_path / "bin.jsonl"
    path.write_bytes(b"\xff\xfe\x00garbage\n")
    done = run("check", "--jsonl", str(path))
    assert done.returncode == 0, done.stderr
    (verdict,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert verdict["reasons"] == ["invalid_input"]
    assert "UTF-8" in verdict["detail"]


def test_non_utf8_single_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bin.json"
    path.write_bytes(b"\xff\xfe\x00garbage\n")
    done = run("check", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "UTF-8" in done.stderr


def test_policy_file_and_mode(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"name": "strict", "min_refusals": 3}), encoding="utf-8")
    transcript = tmp_path / "t.json"
    transcript.write_text(json.dumps(persistent_harm()), encoding="utf-8")
    strict = json.loads(run("check", "--policy", str(policy), str(transcript)).stdout)
    assert strict["reasons"] == ["no_refusal_streak"]
    assert strict["versions"]["policy"].startswith("strict#")
    shadow = json.loads(run("check", "--mode", "shadow", str(transcript)).stdout)
    assert shadow["decision"] == "honored"
    assert shadow["ends"] is False


def test_bad_policy_is_a_clear_error(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("min_refusals = 0\n", encoding="utf-8")
    done = run("check", "--policy", str(policy), "-", stdin="[]")
    assert done.returncode == 2
    assert "min_refusals" in done.stderr


def test_unknown_prompt_version_is_a_clear_error() -> None:
    done = run("check", "--prompts", "v99", "-", stdin="[]")
    assert done.returncode == 2
    assert "available: v1" in done.stderr


def test_prompt_and_tool_commands() -> None:
    listed = run("prompt", "--list")
    assert "system: v1" in listed.stdout
    assert "last resort" in run("prompt", "system").stdout
    tool: dict[str, Any] = json.loads(run("tool").stdout)
    assert tool["name"] == "end_conversation"


@pytest.mark.parametrize("example", sorted((ROOT / "examples" / "transcripts").glob("*.json")))
def test_shipped_examples_decide_as_their_names_say(example: Path) -> None:
    verdict = json.loads(run("check", str(example)).stdout)
    expected = example.stem.split("-")[0]
    assert verdict["decision"] == expected, (example.name, verdict["reasons"])


def test_demo_tells_the_whole_story_without_a_key(tmp_path: Path) -> None:
    store = tmp_path / "demo.sqlite3"
    env_free = run("demo", "--store", str(store))
    assert env_free.returncode == 0, env_free.stderr
    out = env_free.stdout
    assert "HONORED" in out
    assert "persisted_after_warning" in out
    assert "ConversationEndedError" in out
    assert "ended=False; original ended=True" in out
    assert "DENIED" in out
    assert "risk_veto" in out
    # The operator's view: each decision, the end and the branch, in a verified chain.
    trail = out[out.index("the audit trail") :]
    kinds = [line.split()[1] for line in trail.splitlines() if line.startswith("#")]
    assert kinds == ["decision", "end", "branch", "decision"]
    assert "audit verify: intact" in trail
    # The trail stays behind for the operator commands the demo names at the end.
    url = f"sqlite:///{store.resolve()}"
    for command in ("audit show", "audit verify", "metrics"):
        assert f"end-conversation {command} --store {url}" in out
    shown = run("audit", "show", "--store", url)
    assert shown.returncode == 0, shown.stderr
    assert "persisted_after_warning" in shown.stdout
    assert run("audit", "verify", "--store", url).returncode == 0
    assert "end_conversation_ends_total" in run("metrics", "--store", url).stdout
    # A second run adds its own conversations and shows only its own records.
    again = run("demo", "--store", str(store)).stdout
    kinds = [line.split()[1] for line in again[again.index("the audit trail") :].splitlines() if line.startswith("#")]
    assert kinds == ["decision", "end", "branch", "decision"]


def test_chat_without_a_key_says_what_is_missing() -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    command = [EXE] if EXE else [sys.executable, "-m", "end_conversation._cli"]
    done = subprocess.run(
        [*command, "chat"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert "ANTHROPIC_API_KEY" in done.stdout


def test_version_flag_prints_the_package_version() -> None:
    from end_conversation import __version__

    done = run("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"end-conversation {__version__}"


@pytest.mark.parametrize(
    "command", ["prompt", "demo", "chat", "serve", "tool", "feedback", "metrics", "check"]
)
def test_every_command_describes_itself_in_its_help(command: str) -> None:
    done = run(command, "--help")
    assert done.returncode == 0
    _usage, _, rest = done.stdout.partition("\n\n")
    description = rest.split("\n\n")[0]
    assert not description.startswith(("positional arguments", "options")), done.stdout
    assert len(description.split()) >= 8


def test_store_help_names_postgresql() -> None:
    assert "postgresql://" in run("serve", "--help").stdout


def test_scenario_categories_explain_their_columns() -> None:
    out = run("scenarios", "categories").stdout
    assert out.splitlines()[0].startswith("category;")
    assert "expects" in out
