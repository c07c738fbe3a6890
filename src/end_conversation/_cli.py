"""Command line: ``end-conversation check | serve | eval | ...`` (see ``--help``)."""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Iterable, Sequence
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


def _open(name: str) -> IO[str]:
    if name == "-":
        return sys.stdin
    try:
        return open(name, encoding="utf-8")
    except OSError as exc:
        raise _Fail(f"cannot read {name}: {exc.strerror}") from exc


def _verdict_for_text(guard: Guard, text: str) -> Verdict:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        return guard.invalid_input(f"not valid JSON: {exc}")
    return guard.evaluate(data)


def _check(args: argparse.Namespace, out: IO[str]) -> int:
    policy = _load_policy(args)
    try:
        prompts = PromptSet.load(args.prompts)
    except ConfigurationError as exc:
        raise _Fail(str(exc)) from exc
    guard = Guard(policy=policy, prompts=prompts)
    stream = _open(args.file)
    try:
        if args.jsonl:
            _check_lines(guard, stream, out)
        else:
            try:
                text = stream.read()
            except (OSError, UnicodeDecodeError) as exc:
                raise _Fail(f"cannot read {args.file}: {exc}") from exc
            verdict = _verdict_for_text(guard, text)
            out.write(verdict.model_dump_json(indent=2 if args.pretty else None) + "\n")
    finally:
        if stream is not sys.stdin:
            stream.close()
    return 0


def _check_lines(guard: Guard, stream: Iterable[str], out: IO[str]) -> None:
    # One verdict per input line, in order; a bad line gives a denied verdict.
    try:
        for line in stream:
            out.write(_verdict_for_text(guard, line).to_json() + "\n")
    except UnicodeDecodeError as exc:
        raise _Fail(f"input is not UTF-8 text: {exc.reason}") from exc


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
