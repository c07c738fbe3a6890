"""`end-conversation check`: no line of input, however broken, aborts a batch or
prints a traceback. Each bad ``--jsonl`` line is one denied ``invalid_input``
verdict, in its place; the lines around it are decided as usual."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ..guard.scripts import persistent_abuse, persistent_harm

EXE = shutil.which("end-conversation")

GOOD = json.dumps({"messages": persistent_harm()}).encode()
ALSO_GOOD = json.dumps({"messages": persistent_abuse()}).encode()

BAD_LINES: dict[str, bytes] = {
    # Python refuses to read integers of more than 4,300 digits (int_max_str_digits).
    "huge integer": b'{"messages": ' + b"9" * 4301 + b"}",
    "4,300-digit integer": b'{"messages": ' + b"9" * 4300 + b"}",
    "huge integer in a tool input": b'{"messages": [{"role": "user", "content": "hi"}, '
    b'{"role": "assistant", "content": [{"type": "tool_use", "id": "t", '
    b'"name": "end_conversation", "input": {"reason": ' + b"7" * 10_000 + b"}}]}]}",
    "huge integer in a message": b'{"messages": [{"role": "user", "content": "hi", "n": '
    + b"1" * 5000
    + b"}]}",
    "invalid UTF-8": b'{"messages": [{"role": "user", "content": "\xff\xfe caf\xe9"}]}',
    "truncated UTF-8": b'{"messages": "\xe2\x82"}',
    "deep nesting": b"[" * 50_000 + b"]" * 50_000,
    "deep object nesting": b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
    "NaN": b'{"messages": NaN}',
    "Infinity": b'{"messages": [{"role": "user", "content": "x", "n": -Infinity}]}',
    "overflowing float": b'{"messages": [], "n": 1e99999}',
    "a number": b"42",
    "a string": b'"messages"',
    "null": b"null",
    "a boolean": b"true",
    "an empty list": b"[]",
    "whitespace only": b" \t  ",
    "not JSON": b"{not json",
    "a NUL byte": b"\x00",
    "lone surrogate escape": b'{"messages": [{"role": "user", "content": "\\ud800"}, '
    b'{"role": "assistant", "content": [{"type": "tool_use", "id": "t", '
    b'"name": "end_conversation", "input": {"reason": "abuse", "summary": "\\udfff"}}]}]}',
    "lone surrogate in the call's id": b'{"messages": [{"role": "user", "content": "x"}, '
    b'{"role": "assistant", "content": [{"type": "tool_use", "id": "\\ud800", '
    b'"name": "end_conversation", "input": {"reason": "abuse"}}]}]}',
}


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    command = [EXE] if EXE else [sys.executable, "-m", "end_conversation._cli"]
    return subprocess.run([*command, *args], capture_output=True, timeout=120)


def verdicts(done: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stderr
    return [json.loads(line) for line in done.stdout.decode().splitlines()]


@pytest.mark.parametrize("name", sorted(BAD_LINES))
def test_a_bad_line_is_one_denied_verdict_in_its_place(name: str, tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"\n".join([GOOD, BAD_LINES[name], ALSO_GOOD]) + b"\n")
    got = verdicts(run("check", "--jsonl", str(path)))
    assert [v["decision"] for v in got] == ["honored", "denied", "honored"]
    assert got[1]["reasons"] == ["invalid_input"]
    assert got[1]["ends"] is False
    assert got[0]["reasons"] == got[2]["reasons"] == ["persisted_after_warning"]


def test_every_bad_line_in_one_batch_keeps_order(tmp_path: Path) -> None:
    lines = [GOOD]
    for bad in BAD_LINES.values():
        lines += [bad, ALSO_GOOD]
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"\n".join(lines))  # no newline after the last line
    got = verdicts(run("check", "--jsonl", str(path)))
    assert len(got) == len(lines)
    assert got[0]["decision"] == "honored"
    for k in range(len(BAD_LINES)):
        bad, good = got[1 + 2 * k], got[2 + 2 * k]
        assert bad["reasons"] == ["invalid_input"], list(BAD_LINES)[k]
        assert good["decision"] == "honored"


def test_bad_lines_say_which_line(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"\n".join([GOOD, BAD_LINES["invalid UTF-8"], BAD_LINES["huge integer"]]))
    got = verdicts(run("check", "--jsonl", str(path)))
    assert got[1]["detail"].startswith("line 2: not UTF-8 text")
    assert got[2]["detail"].startswith("line 3: not valid JSON")


def test_a_line_over_the_limit_is_skipped_unread_and_the_batch_goes_on(tmp_path: Path) -> None:
    long_good = json.dumps({"messages": persistent_harm(), "pad": "x" * 5000}).encode()
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"\n".join([GOOD, long_good, ALSO_GOOD, long_good[:4000]]) + b"\n")
    got = verdicts(run("check", "--jsonl", "--max-line", "4096", str(path)))
    assert [v["decision"] for v in got] == ["honored", "denied", "honored", "denied"]
    assert "longer than 4096 bytes" in got[1]["detail"]
    assert "not valid JSON" in got[3]["detail"]  # under the limit: read, and it is cut short


def test_the_default_line_limit_holds_a_very_long_line(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    with path.open("wb") as fh:
        fh.write(GOOD + b"\n")
        fh.write(b'{"messages": "' + b"a" * (65 * 1024 * 1024) + b'"}\n')
        fh.write(ALSO_GOOD + b"\n")
    got = verdicts(run("check", "--jsonl", str(path)))
    assert [v["decision"] for v in got] == ["honored", "denied", "honored"]
    assert "longer than" in got[1]["detail"]


def test_standard_input_is_read_as_bytes_too(tmp_path: Path) -> None:
    command = [EXE] if EXE else [sys.executable, "-m", "end_conversation._cli"]
    done = subprocess.run(
        [*command, "check", "--jsonl", "-"],
        input=b"\n".join([BAD_LINES["invalid UTF-8"], GOOD]),
        capture_output=True,
        timeout=60,
    )
    got = verdicts(done)
    assert [v["decision"] for v in got] == ["denied", "honored"]


def test_a_byte_order_mark_is_not_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD + b"\r\n" + ALSO_GOOD + b"\r\n")
    got = verdicts(run("check", "--jsonl", str(path)))
    assert [v["decision"] for v in got] == ["honored", "honored"]


# A single transcript: bad JSON is a denied verdict (exit 0); bytes that are not
# text are a one-line error (exit 2). Never a traceback.
SINGLE_DENIED = [
    "lone surrogate in the call's id",
    "huge integer",
    "deep nesting",
    "deep object nesting",
    "NaN",
    "Infinity",
    "overflowing float",
    "a number",
    "null",
    "whitespace only",
]


@pytest.mark.parametrize("name", SINGLE_DENIED)
def test_a_bad_single_file_is_a_denied_verdict(name: str, tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_bytes(BAD_LINES[name])
    done = run("check", str(path))
    (verdict,) = verdicts(done)
    assert verdict["decision"] == "denied"
    assert verdict["reasons"] == ["invalid_input"]


@pytest.mark.parametrize("name", ["invalid UTF-8", "truncated UTF-8"])
def test_a_single_file_that_is_not_text_is_a_one_line_error(name: str, tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_bytes(BAD_LINES[name])
    done = run("check", str(path))
    assert done.returncode == 2
    assert done.stdout == b""
    err = done.stderr.decode()
    assert len(err.strip().splitlines()) == 1
    assert "not UTF-8 text" in err
    assert "Traceback" not in err
