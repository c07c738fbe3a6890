"""Command line: ``end-conversation check | serve | eval | ...`` (see ``--help``)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from ._errors import ConfigurationError
from ._guard import Guard, Mode, Policy, Verdict
from ._prompts import PromptSet, load_prompt, prompt_versions
from ._tool import tool_param

__all__ = ["main"]


class _Fail(Exception):
    """A one-line error for stderr; exit status 2."""


def _load_policy(args: argparse.Namespace) -> Policy:
    data: dict[str, Any] = {}
    if args.policy:
        path = Path(args.policy)
        try:
            raw = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise _Fail(f"cannot read policy file {path}: {exc.strerror}") from exc
        try:
            data = tomllib.loads(raw) if path.suffix == ".toml" else json.loads(raw)
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise _Fail(f"policy file {path} is not valid {path.suffix or 'JSON'}: {exc}") from exc
    if args.mode:
        data["mode"] = args.mode
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _Fail(f"invalid policy: {where}: {first['msg']}") from exc


_MAX_LINE = 64 * 1024 * 1024
"""Default longest ``--jsonl`` line read, in bytes; a longer one is skipped unread."""


def _open(name: str) -> IO[bytes]:
    # Bytes, not text: each line is decoded on its own, so one bad byte costs one
    # verdict, not the batch.
    if name == "-":
        return sys.stdin.buffer
    try:
        return open(name, "rb")
    except OSError as exc:
        raise _Fail(f"cannot read {name}: {exc.strerror}") from exc


class _BadJSON(ValueError):
    """A JSON value the guard cannot take (NaN, Infinity, a number out of range)."""


def _no_constant(name: str) -> Any:
    raise _BadJSON(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _BadJSON(f"number {text[:20]}... is out of range")
    return value


def _verdict_for_text(guard: Guard, text: str, where: str = "") -> Verdict:
    parsed = _transcript_of(guard, text, where)
    return parsed if isinstance(parsed, Verdict) else _evaluate(guard, parsed, where)


def _transcript_of(guard: Guard, text: str, where: str) -> dict[str, Any] | list[Any] | Verdict:
    """The JSON transcript in `text`, or the denied verdict saying why it is none."""
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except _BadJSON as exc:
        return guard.invalid_input(f"{where}not valid JSON: {exc}")
    except (ValueError, RecursionError) as exc:
        # ValueError covers JSONDecodeError and integers longer than Python reads
        # (int_max_str_digits); RecursionError, nesting deeper than the parser goes.
        return guard.invalid_input(f"{where}not valid JSON: {_short(str(exc))}")
    if not isinstance(data, dict | list):
        return guard.invalid_input(
            f"{where}not a transcript: expected an object or a list, got {_json_kind(data)}"
        )
    return data


def _evaluate(guard: Guard, data: Any, where: str) -> Verdict:
    try:
        return guard.evaluate(data)
    except RecursionError:  # a structure too deep to walk is not a transcript
        return guard.invalid_input(f"{where}not a transcript: nested too deeply")


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    return "a number"


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _check(args: argparse.Namespace, out: IO[str]) -> int:
    policy = _load_policy(args)
    try:
        prompts = PromptSet.load(args.prompts)
    except ConfigurationError as exc:
        raise _Fail(str(exc)) from exc
    guard = Guard(policy=policy, prompts=prompts)
    if args.max_line < 1:
        raise _Fail("--max-line must be at least 1 byte")
    stream = _open(args.file)
    try:
        if args.jsonl:
            _check_lines(guard, stream, out, args.max_line)
        else:
            try:
                text = stream.read().decode("utf-8-sig")
            except OSError as exc:
                raise _Fail(f"cannot read {args.file}: {exc.strerror or exc}") from exc
            except UnicodeDecodeError as exc:
                raise _Fail(
                    f"cannot read {args.file}: not UTF-8 text ({exc.reason} at byte {exc.start})"
                ) from exc
            verdict = _verdict_for_text(guard, text)
            indent = 2 if args.pretty else None
            try:
                written = verdict.model_dump_json(indent=indent)
            except ValueError:  # a value that cannot be written as UTF-8 (a lone surrogate)
                bad = guard.invalid_input("the transcript holds text that is not valid Unicode")
                written = bad.model_dump_json(indent=indent)
            out.write(written + "\n")
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    return 0


def _lines(stream: IO[bytes], limit: int) -> Iterator[bytes | None]:
    """The lines of `stream`; None for a line longer than `limit` bytes (skipped unread)."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit:
            while line and not line.endswith(b"\n"):  # skip the rest of it, a chunk at a time
                line = stream.readline(1024 * 1024)
            yield None
        else:
            yield line


def _check_lines(guard: Guard, stream: IO[bytes], out: IO[str], limit: int) -> None:
    # One verdict per input line, in order; a bad line gives one denied verdict and
    # the batch goes on.
    # Lines are read in batches whose turns are annotated together before any of them
    # is decided: a learned detector then encodes many turns at once.
    batch: list[tuple[int, dict[str, Any] | list[Any] | Verdict]] = []
    try:
        for number, raw in enumerate(_lines(stream, limit), start=1):
            batch.append((number, _parse_line(guard, number, raw, limit)))
            if len(batch) >= _BATCH:
                _decide(guard, batch, out)
                batch = []
        _decide(guard, batch, out)
    except OSError as exc:
        raise _Fail(f"cannot read input: {exc.strerror or exc}") from exc


_BATCH = 64
"""Transcripts whose turns `check --jsonl` annotates in one batch."""


def _decide(
    guard: Guard, batch: list[tuple[int, dict[str, Any] | list[Any] | Verdict]], out: IO[str]
) -> None:
    # A transcript too deep to walk is reported by its own evaluate below.
    with contextlib.suppress(RecursionError):
        guard.prepare([item for _, item in batch if not isinstance(item, Verdict)])
    for number, item in batch:
        verdict = item if isinstance(item, Verdict) else _evaluate(guard, item, f"line {number}: ")
        try:
            line = verdict.to_json()
        except ValueError:  # a value that cannot be written as UTF-8 (a lone surrogate)
            bad = f"line {number}: holds text that is not valid Unicode"
            line = guard.invalid_input(bad).to_json()
        out.write(line + "\n")
    out.flush()


def _parse_line(
    guard: Guard, number: int, raw: bytes | None, limit: int
) -> dict[str, Any] | list[Any] | Verdict:
    if raw is None:
        return guard.invalid_input(f"line {number}: longer than {limit} bytes; not read")
    try:
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        return guard.invalid_input(
            f"line {number}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        )
    if not text.strip():
        return guard.invalid_input(f"line {number}: empty line; not valid JSON")
    return _transcript_of(guard, text, f"line {number}: ")


def _prompt(args: argparse.Namespace, out: IO[str]) -> int:
    if args.list:
        for kind in ("system", "tool", "notice", "results"):
            out.write(f"{kind}: {' '.join(prompt_versions(kind))}\n")
        return 0
    try:
        prompt = load_prompt(args.kind, args.version)
    except ConfigurationError as exc:
        raise _Fail(str(exc)) from exc
    text = prompt.text if prompt.text.endswith("\n") else prompt.text + "\n"
    if args.draft:
        if args.kind == "results":
            raise _Fail("--draft works for system, tool and notice prompts; copy the .toml file")
        # A file the loader accepts as is: edit it and pass it to --prompt / --prompts.
        text = f"---\nkind: {args.kind}\nversion: {args.draft}\n---\n{text}"
    out.write(text)
    return 0


def _tool(args: argparse.Namespace, out: IO[str]) -> int:
    try:
        param = tool_param(args.version)
    except ConfigurationError as exc:
        raise _Fail(str(exc)) from exc
    out.write(json.dumps(param, indent=2, ensure_ascii=False) + "\n")
    return 0


def _demo_main(store: str) -> int:
    from ._demo import run_demo  # imports the SDK and rich only when asked

    return run_demo(store_path=store)


def _chat_main(model: str, db: str) -> int:
    from ._demo import run_chat

    return run_chat(model, db)


def _serve_main(args: argparse.Namespace) -> int:
    import logging
    import os

    from ._errors import EndConversationError
    from ._mcp import serve

    policy = _load_policy(args)
    tokens = list(args.token)
    env = os.environ.get("END_CONVERSATION_TOKEN")
    if env is not None:
        listed = [t.strip() for t in env.split(",")]
        if not all(listed):  # "", "," or "a,,b": a token is missing, so fail closed
            raise _Fail(
                "END_CONVERSATION_TOKEN holds an empty token;"
                " set it to token[,token...] or unset it"
            )
        tokens += listed
    # One line per record on stderr (tracebacks only at debug level); set before the
    # server's own logging setup, which then leaves it alone.
    logging.basicConfig(
        level=args.log_level.upper(),
        format="end-conversation: %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return serve(
            store_url=args.store,
            policy=policy,
            http=args.http,
            host=args.host,
            port=args.port,
            tokens=tokens,
        )
    except (EndConversationError, ValueError) as exc:
        raise _Fail(" ".join(str(exc).split())) from exc


def _parser() -> argparse.ArgumentParser:
    from . import __version__
    parser = argparse.ArgumentParser(
        prog="end-conversation",
        description="Check end_conversation calls against conversation history.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="print the version"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser(
        "check",
        help="print the guard's verdict for a transcript as JSON",
        description=(
            'Read one transcript ({"messages": [...]} or a bare list) and print one verdict '
            "as JSON; with --jsonl, read one transcript per line and print one verdict per line."
        ),
    )
    check.add_argument("file", help="transcript file, or - for standard input")
    check.add_argument("--jsonl", action="store_true", help="one transcript per line")
    check.add_argument("--policy", help="policy file (.json or .toml)")
    check.add_argument("--mode", choices=[m.value for m in Mode], help="override the policy mode")
    check.add_argument("--prompts", default="latest", help="prompt version (default: latest)")
    check.add_argument("--pretty", action="store_true", help="indent the JSON")
    check.add_argument(
        "--max-line",
        type=int,
        default=_MAX_LINE,
        metavar="BYTES",
        help="with --jsonl, the longest line read; a longer one is a denied verdict (64 MiB)",
    )
    check.set_defaults(run=_check)

    prompt = sub.add_parser(
        "prompt",
        help="print a prompt file, or list versions",
        description=(
            "Print one of the shipped, versioned prompt files (the system instructions, the "
            "tool description, the notice a user sees, the tool results), list the versions, "
            "or print one as a draft file to edit and compare with `eval --prompt`."
        ),
    )
    prompt.add_argument(
        "kind", nargs="?", default="system", choices=["system", "tool", "notice", "results"]
    )
    prompt.add_argument("--version", default="latest", help="version or path (default: latest)")
    prompt.add_argument("--list", action="store_true", help="list the shipped versions")
    prompt.add_argument(
        "--draft",
        metavar="VERSION",
        help="print it as a new prompt file with this version, to edit and evaluate",
    )
    prompt.set_defaults(run=_prompt)

    demo = sub.add_parser(
        "demo",
        help="play scripted conversations through the real SDK (no API key needed)",
        description=(
            "Play two scripted conversations through the real anthropic SDK against a built-in "
            "scripted model on loopback: one the guard ends, one it refuses to end. The audit "
            "trail stays in --store for the operator commands printed at the end."
        ),
    )
    demo.add_argument(
        "--store",
        default="end_conversation-demo.sqlite3",
        help="SQLite file the demo writes its conversations and audit trail to"
        " (default: end_conversation-demo.sqlite3), for `audit show` and `metrics` afterwards",
    )
    demo.set_defaults(run=lambda args, out: _demo_main(args.store))

    chat = sub.add_parser(
        "chat",
        help="chat with Claude interactively (needs ANTHROPIC_API_KEY)",
        description=(
            "Chat with Claude in the terminal with the end_conversation tool and the guard; "
            "/edit N TEXT branches from an earlier message. Needs ANTHROPIC_API_KEY."
        ),
    )
    chat.add_argument("--model", default="claude-opus-4-8", help="model name")
    chat.add_argument(
        "--db", default="end_conversation.sqlite3", help="SQLite file for conversations"
    )
    chat.set_defaults(run=lambda args, out: _chat_main(args.model, args.db))

    serve = sub.add_parser(
        "serve",
        help="MCP server offering end_conversation (stdio; --http for streamable HTTP)",
        description=(
            "Serve the end_conversation tool, its policy prompt and resources over MCP: on "
            "stdio by default, or streamable HTTP at http://HOST:PORT/mcp with --http "
            "(bearer tokens required off loopback). Every decision goes to the store's audit trail."
        ),
    )
    serve.add_argument("--http", action="store_true", help="serve streamable HTTP at /mcp")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="HTTP port (default 8765)")
    serve.add_argument(
        "--token",
        action="append",
        default=[],
        help=(
            "bearer token required on HTTP, one per client identity (repeat it; or "
            "END_CONVERSATION_TOKEN, comma-separated); required off loopback"
        ),
    )
    serve.add_argument(
        "--store",
        default="sqlite:///end_conversation.sqlite3",
        help="store URL: sqlite:///PATH, postgresql://USER@HOST/DB or memory:"
        " (default sqlite:///end_conversation.sqlite3)",
    )
    serve.add_argument("--policy", help="policy file (.json or .toml)")
    serve.add_argument("--mode", choices=[m.value for m in Mode], help="override the policy mode")
    serve.add_argument(
        "--log-level",
        default="warning",
        choices=["debug", "info", "warning", "error"],
        help="stderr log level (default warning; tracebacks only at debug)",
    )
    serve.set_defaults(run=lambda args, out: _serve_main(args))

    tool = sub.add_parser(
        "tool",
        help="print the Messages API tool definition as JSON",
        description="Print the end_conversation tool definition (a Messages API ToolParam).",
    )
    tool.add_argument("--version", default="latest", help="tool description version or path")
    tool.set_defaults(run=_tool)

    from ._cli_console import add_command as console_command
    from ._cli_oversight import add_commands as oversight_commands
    from .workbench._cli import add_commands as workbench_commands

    oversight_commands(sub, _Fail)
    console_command(sub, _Fail)
    workbench_commands(sub, _Fail)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``end-conversation`` command."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args, sys.stdout)
    except _Fail as exc:
        print(f"end-conversation: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    sys.stdout.flush()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
