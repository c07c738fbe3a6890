"""`end-conversation serve` refuses a bad store or an empty token in one line on
stderr, exit status 2, before serving anything (issue 11, items 3 and 8)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest


def _serve(
    *args: str, env: dict[str, str] | None = None, cwd: Path
) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != "END_CONVERSATION_TOKEN"}
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "end_conversation._cli", "serve", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=full,
        cwd=cwd,
        timeout=120,
    )


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens there once closed


def _assert_one_line_failure(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("end-conversation: ")
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0]


def test_a_store_that_cannot_be_opened_is_one_line_and_exit_2(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    before = corrupt.read_bytes()
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a database\n" * 100)
    http = ["--http", "--port", str(_closed_port())]
    for url, extra in (
        (f"sqlite:///{tmp_path / 'nonexistent' / 'dir' / 'x.db'}", []),
        ("sqlite:///nonexistent/dir/x.db", []),
        (f"sqlite:///{corrupt}", []),
        (f"sqlite:///{corrupt}", http),
        (f"sqlite:///{foreign}", []),
        (f"postgresql://127.0.0.1:{_closed_port()}/x", []),
        (f"postgresql://127.0.0.1:{_closed_port()}/x", http),
        ("mysql://nowhere/x", []),
    ):
        _assert_one_line_failure(_serve("--store", url, *extra, cwd=tmp_path))
    assert corrupt.read_bytes() == before
    assert not (tmp_path / "nonexistent").exists()


def test_a_postgres_password_is_not_printed(tmp_path: Path) -> None:
    done = _serve("--store", f"postgresql://u:hunter2@127.0.0.1:{_closed_port()}/x", cwd=tmp_path)
    _assert_one_line_failure(done)
    assert "hunter2" not in done.stderr


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--token", ""], {}),
        (["--http", "--token", ""], {}),
        (["--http", "--token", "ok", "--token", ""], {}),
        (["--http", "--token", "two words"], {}),
        (["--http"], {"END_CONVERSATION_TOKEN": ","}),
        (["--http"], {"END_CONVERSATION_TOKEN": ""}),
        (["--http"], {"END_CONVERSATION_TOKEN": "a,,b"}),
        (["--http"], {"END_CONVERSATION_TOKEN": " "}),
        (["--http", "--host", "0.0.0.0"], {"END_CONVERSATION_TOKEN": ","}),
    ],
)
def test_an_empty_token_is_refused_at_start(
    tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    done = _serve(*args, "--store", "memory:", "--port", str(_closed_port()), env=env, cwd=tmp_path)
    _assert_one_line_failure(done, "token")


def test_http_start_says_where_it_listens_the_store_and_the_token_rule(tmp_path: Path) -> None:
    port = _closed_port()
    store = tmp_path / "s.sqlite3"
    env = {k: v for k, v in os.environ.items() if k != "END_CONVERSATION_TOKEN"}
    with subprocess.Popen(
        [sys.executable, "-m", "end_conversation._cli", "serve", "--http", "--port", str(port),
         "--store", f"sqlite:///{store}", "--token", "s3cret"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    ) as proc:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        proc.terminate()
        proc.communicate(timeout=30)
    assert line.startswith(f"end-conversation serve: http://127.0.0.1:{port}/mcp")
    assert str(store) in line
    assert "1 bearer token(s) required" in line
    assert "s3cret" not in line
