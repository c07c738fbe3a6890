"""``end-conversation eval`` and ``end-conversation scenarios``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import IO, Any

import anyio

from .._errors import ConfigurationError
from .._guard import Guard
from ._render import to_html, to_json, to_markdown, to_table
from ._report import Report
from ._run import DEFAULT_MODEL, EvalSettings, ResponseCache, load_variant, run_guard, run_model
from ._scenario import CATEGORIES, Scenario, load_suite, select, suite_schema

__all__ = ["add_commands"]

DEFAULT_CACHE = ".end_conversation/recordings"


def add_commands(sub: Any, fail: type[Exception]) -> None:
    """Register the workbench's subcommands on the main parser."""
    ev = sub.add_parser(
        "eval",
        help="run scenario suites against prompt versions and the model, or the guard alone",
        description=(
            "Run scenarios against one or more prompt versions (side by side) and a model, "
            "live (ANTHROPIC_API_KEY) or replayed from recordings (--offline); or the guard "
            "alone (--guard-only). Exit status: 0 as expected, 1 when a conversation with a "
            "user who may be at risk or in distress ended (a CI gate), 2 on bad input, 3 "
            "when scenarios could not be run."
        ),
    )
    ev.add_argument(
        "--suite",
        action="append",
        default=[],
        help="suite file (.yaml/.yml/.jsonl), or 'starter' (default); repeatable",
    )
    ev.add_argument(
        "--prompt",
        action="append",
        default=[],
        help="prompt version (v1, latest) or a prompt file (front matter kind: system or "
        "tool); repeat to compare, the first is the baseline (default: latest)",
    )
    ev.add_argument("--model", default=DEFAULT_MODEL, help=f"model (default {DEFAULT_MODEL})")
    ev.add_argument("--guard-only", action="store_true", help="evaluate the guard alone")
    ev.add_argument("--category", action="append", default=[], help="only these categories")
    ev.add_argument("--tag", action="append", default=[], help="only scenarios with these tags")
    ev.add_argument(
        "--cache", default=DEFAULT_CACHE, help=f"recordings directory (default {DEFAULT_CACHE})"
    )
    ev.add_argument("--no-cache", action="store_true", help="neither replay nor record")
    ev.add_argument("--offline", action="store_true", help="replay recordings only; send nothing")
    ev.add_argument("--base-url", help="Messages API base URL (default: the SDK's)")
    ev.add_argument("--concurrency", type=int, default=4, help="requests in flight (default 4)")
    ev.add_argument("--retries", type=int, default=5, help="retries on rate limits (default 5)")
    ev.add_argument("--max-tokens", type=int, default=1024)
    ev.add_argument(
        "--price",
        help="US$ per million input and output tokens, as IN,OUT (for a model not in the table)",
    )
    ev.add_argument(
        "--format",
        choices=["table", "json", "markdown", "html"],
        default="table",
        help="what to print (default table)",
    )
    ev.add_argument("--json", dest="json_out", help="also write the JSON report here")
    ev.add_argument("--markdown", dest="md_out", help="also write the Markdown report here")
    ev.add_argument("--html", dest="html_out", help="also write the HTML report here")
    ev.add_argument("--no-progress", action="store_true", help="no progress bar")
    ev.set_defaults(run=lambda args, out: _eval(args, out, fail))

    sc = sub.add_parser("scenarios", help="scenario suites: schema, categories, list, check")
    sc.add_argument("action", choices=["schema", "categories", "list", "check"])
    sc.add_argument("suite", nargs="?", default="starter", help="suite file or 'starter'")
    sc.set_defaults(run=lambda args, out: _scenarios(args, out, fail))


def _suites(names: list[str], fail: type[Exception]) -> list[Scenario]:
    scenarios: list[Scenario] = []
    try:
        for name in names or ["starter"]:
            scenarios.extend(load_suite(name))
    except ConfigurationError as exc:
        raise fail(str(exc)) from exc
    ids = [s.id for s in scenarios]
    if len(set(ids)) != len(ids):
        raise fail("scenario ids repeat across suites; give each suite its own ids")
    return scenarios


def _scenarios(args: argparse.Namespace, out: IO[str], fail: type[Exception]) -> int:
    if args.action == "schema":
        out.write(json.dumps(suite_schema(), indent=2) + "\n")
        return 0
    if args.action == "categories":
        out.write(
            "category; what the model should do by default (end / continue); the reason its "
            "end_conversation call gives; what the category holds\n\n"
        )
        out.write(f"{'category':24} {'expects':8} {'reason':24} description\n")
        for c in CATEGORIES.values():
            what = "end" if c.should_end else "continue"
            risk = " [at risk: never end]" if c.at_risk else ""
            out.write(f"{c.name:24} {what:8} reason={c.reason.value:17} {c.description}{risk}\n")
        return 0
    scenarios = _suites([args.suite], fail)
    if args.action == "list":
        for s in scenarios:
            out.write(
                f"{s.id:32} {s.category:24} model={s.expect.model:8} guard={s.expect.guard:5}"
                f" {','.join(s.tags)}\n"
            )
    else:
        out.write(f"{len(scenarios)} scenarios OK\n")
    return 0


def _eval(args: argparse.Namespace, out: IO[str], fail: type[Exception]) -> int:
    scenarios = select(_suites(args.suite, fail), categories=args.category, tags=args.tag)
    if not scenarios:
        raise fail("no scenarios selected")
    runs = 1 if args.guard_only else max(1, len(args.prompt))  # one run per prompt variant
    progress = _Progress(len(scenarios) * runs, enabled=not args.no_progress)
    if args.guard_only:
        with progress:
            report = run_guard(scenarios, Guard(), on_outcome=progress.advance)
    else:
        try:
            variants = [load_variant(p) for p in args.prompt or ["latest"]]
        except ConfigurationError as exc:
            raise fail(str(exc)) from exc
        settings = EvalSettings(
            model=args.model,
            max_tokens=args.max_tokens,
            concurrency=args.concurrency,
            retries=args.retries,
            cache=None if args.no_cache else ResponseCache(args.cache),
            offline=args.offline,
            prices=_price(args, fail),
        )
        client = None
        if not args.offline:
            if not os.environ.get("ANTHROPIC_API_KEY") and not args.base_url:
                raise fail(
                    "set ANTHROPIC_API_KEY for live runs, or use --offline to replay recordings"
                )
            from anthropic import AsyncAnthropic

            client = AsyncAnthropic(
                api_key=os.environ.get("ANTHROPIC_API_KEY") or "unused",
                base_url=args.base_url,
                max_retries=args.retries,
            )

        async def go() -> Report:
            try:
                return await run_model(
                    scenarios, variants, settings, client=client, on_outcome=progress.advance
                )
            finally:
                if client is not None:
                    await client.close()

        with progress:
            report = anyio.run(go)
    _write(report, args)
    if args.format == "table":
        from rich.console import Console

        Console(file=out, width=max(100, 24 + 10 * 7 * len(report.variants))).print(
            to_table(report)
        )
    else:
        render = {"json": to_json, "markdown": to_markdown, "html": to_html}[args.format]
        out.write(render(report))
    if report.gate_failed:
        return 1
    return 3 if report.errors else 0


def _price(args: argparse.Namespace, fail: type[Exception]) -> dict[str, tuple[float, float]]:
    if not args.price:
        return {}
    try:
        tokens_in, tokens_out = (float(x) for x in args.price.split(","))
    except ValueError as exc:
        raise fail("--price takes IN,OUT in US$ per million tokens, e.g. 15,75") from exc
    return {args.model: (tokens_in, tokens_out)}


def _write(report: Report, args: argparse.Namespace) -> None:
    for path, render in (
        (args.json_out, to_json),
        (args.md_out, to_markdown),
        (args.html_out, to_html),
    ):
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(render(report), encoding="utf-8")


class _Progress:
    """A progress bar on a terminal's stderr; nothing when stderr is not a terminal."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self._bar: Any = None
        if enabled and sys.stderr.isatty():
            from rich.progress import Progress

            self._bar = Progress(transient=True)
            self._task = self._bar.add_task("scenarios", total=total)

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, _: Any) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)
