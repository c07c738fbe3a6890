"""Running a suite: against the model (live or replayed from recordings) or the guard alone.

The edges live here: the API client, the record cache on disk, the clock.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from .._errors import ConfigurationError
from .._guard import Guard
from .._prompts import PromptSet, prompt_versions
from .._tool import TOOL_NAME, input_schema
from ._judge import Outcome, failed, judge_guard, judge_model
from ._report import Report, Usage, build_report
from ._scenario import Scenario

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

__all__ = [
    "EvalSettings",
    "ResponseCache",
    "Variant",
    "load_variant",
    "run_guard",
    "run_model",
]

DEFAULT_MODEL = "claude-opus-4-8"

# US$ per million input / output tokens, by model-name prefix (longest match wins).
# Override with EvalSettings.prices for other models or changed prices.
PRICES: dict[str, tuple[float, float]] = {
    "claude-opus-4": (15.0, 75.0),
    "claude-sonnet-4": (3.0, 15.0),
    "claude-3-7-sonnet": (3.0, 15.0),
    "claude-3-5-haiku": (0.8, 4.0),
    "claude-haiku-4": (1.0, 5.0),
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Variant:
    """One set of instructions under test: a system prompt and a tool description."""

    label: str
    prompts: PromptSet
    fingerprint: str = field(init=False)
    """Hash of exactly what the model is shown (system text, tool description, schema);
    made once, as every scenario's cache key includes it."""

    def __post_init__(self) -> None:
        digest = _digest(
            {
                "system": self.prompts.system.sha256,
                "tool": self.prompts.tool.sha256,
                "schema": input_schema(),
            }
        )
        object.__setattr__(self, "fingerprint", digest)


_FRONT_KIND = re.compile(r"\A---\s*\n(?:.*\n)*?kind:\s*(\w+)", re.MULTILINE)


def load_variant(spec: str | Path) -> Variant:
    """A variant from ``v1`` / ``latest`` (shipped), or a prompt file.

    A file's front matter says which prompt it replaces (``kind: system`` or
    ``kind: tool``); the rest comes from the latest shipped version.
    """
    text = str(spec)
    if text in ("latest", *prompt_versions("system")):
        prompts = PromptSet.load(text)
        return Variant(label=prompts.system.version if text == "latest" else text, prompts=prompts)
    path = Path(text)
    try:
        head = path.read_text(encoding="utf-8")[:2000]
    except OSError as exc:
        raise ConfigurationError(
            f"--prompt {text!r} is neither a shipped version"
            f" ({', '.join(prompt_versions('system'))}) nor a readable file: {exc.strerror}"
        ) from exc
    match = _FRONT_KIND.match(head)
    kind = match.group(1) if match else "system"
    if kind not in ("system", "tool"):
        raise ConfigurationError(f"{path}: kind {kind!r}; a variant replaces 'system' or 'tool'")
    prompts = PromptSet.load(**{kind: path})
    return Variant(label=path.name, prompts=prompts)


def _digest(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """Recorded model responses, one JSON file per request, keyed by what decides the
    response: the prompts' hashes, the scenario's messages, the model and parameters.

    Unchanged work is never paid for twice, and a directory of recordings (small,
    reviewable, fit to commit) replays the same evaluation offline, deterministically.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    @staticmethod
    def key(variant: Variant, scenario: Scenario, model: str, params: dict[str, Any]) -> str:
        """The cache key of one request."""
        return _digest(
            {
                "prompts": variant.fingerprint,
                "messages": list(scenario.messages),
                "model": model,
                "params": params,
            }
        )

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The recorded response message, or None."""
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"unreadable recording {self._path(key)}: {exc}") from exc
        response = data.get("response")
        return response if isinstance(response, dict) else None

    def put(self, key: str, response: dict[str, Any], *, about: dict[str, Any]) -> None:
        """Record a response (written atomically: a crash never leaves half a file)."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(
            json.dumps({"about": about, "response": response}, indent=1, ensure_ascii=False),
            encoding="utf-8",
        )
        tmp.replace(path)


@dataclass(kw_only=True)
class EvalSettings:
    """How to run a suite against the model."""

    model: str = DEFAULT_MODEL
    max_tokens: int = 1024
    concurrency: int = 4
    """Requests in flight at once."""
    retries: int = 5
    """Retries on rate limits, overload and server errors (exponential backoff,
    honouring ``retry-after``)."""
    timeout: float = 120.0
    cache: ResponseCache | None = None
    offline: bool = False
    """Replay only: a scenario with no recording fails with an error; nothing is sent."""
    prices: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, Any]:
        """The request parameters that change the response (part of the cache key)."""
        return {"max_tokens": self.max_tokens}

    def price(self) -> tuple[float, float] | None:
        """US$ per million input and output tokens for the model, if known."""
        table = {**PRICES, **self.prices}
        matches = [p for p in table if self.model.startswith(p)]
        return table[max(matches, key=len)] if matches else None


Progress = Callable[[Outcome], None]


def run_guard(
    scenarios: Sequence[Scenario], guard: Guard | None = None, *, on_outcome: Progress | None = None
) -> Report:
    """--guard-only: an end call right after each prefix, checked by the guard alone."""
    guard = (guard or Guard()).warm()  # one-off start-up costs are not the suite's
    start = time.perf_counter()
    outcomes = []
    for scenario in scenarios:
        outcome = judge_guard(scenario, guard)
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)
    return build_report(
        outcomes, variants=["guard"], mode="guard", seconds=time.perf_counter() - start
    )


def _request(variant: Variant, scenario: Scenario, settings: EvalSettings) -> dict[str, Any]:
    return {
        "model": settings.model,
        "system": variant.prompts.system.text,
        "tools": [
            {
                "name": TOOL_NAME,
                "description": variant.prompts.tool.text.strip(),
                "input_schema": input_schema(),
            }
        ],
        "messages": list(scenario.messages),
        **settings.params,
    }


async def run_model(
    scenarios: Sequence[Scenario],
    variants: Sequence[Variant],
    settings: EvalSettings,
    *,
    client: AsyncAnthropic | None = None,
    guard: Guard | None = None,
    on_outcome: Progress | None = None,
) -> Report:
    """Every scenario under every variant: the model's next turn, then the guard on any
    end call. Replays recordings where it can; records what it sends."""
    labels = [v.label for v in variants]
    if len(set(labels)) != len(labels):
        raise ConfigurationError(f"two variants share a name: {labels}")
    guard = guard or Guard()
    owned = api = None
    if not settings.offline:  # offline sends nothing, even with a client at hand
        if client is None:
            from anthropic import AsyncAnthropic

            owned = client = AsyncAnthropic(max_retries=settings.retries, timeout=settings.timeout)
        api = client.with_options(max_retries=settings.retries)
    limiter = anyio.Semaphore(max(1, settings.concurrency))
    outcomes: dict[tuple[int, int], Outcome] = {}
    sent: dict[str, int] = dict.fromkeys(labels, 0)
    start = time.perf_counter()

    async def one(vi: int, si: int) -> None:
        variant, scenario = variants[vi], scenarios[si]
        key = ResponseCache.key(variant, scenario, settings.model, settings.params)
        recorded = settings.cache.get(key) if settings.cache else None
        if recorded is not None:
            outcome = judge_model(scenario, variant.label, recorded, guard, cached=True)
        elif api is None:
            outcome = failed(scenario, variant.label, "not recorded (offline replay)")
        else:
            async with limiter:
                try:
                    response = await api.messages.create(**_request(variant, scenario, settings))
                except Exception as exc:  # one failed request never sinks the run
                    outcome = failed(scenario, variant.label, f"{type(exc).__name__}: {exc}")
                else:
                    message = response.model_dump(mode="json", exclude_none=True)
                    sent[variant.label] += 1
                    if settings.cache is not None:
                        settings.cache.put(
                            key,
                            message,
                            about={
                                "scenario": scenario.id,
                                "variant": variant.label,
                                "prompts": variant.prompts.ref,
                                "model": settings.model,
                                "params": settings.params,
                            },
                        )
                    outcome = judge_model(scenario, variant.label, message, guard)
        outcomes[vi, si] = outcome
        if on_outcome:
            on_outcome(outcome)

    try:
        async with anyio.create_task_group() as tg:
            for vi in range(len(variants)):
                for si in range(len(scenarios)):
                    tg.start_soon(one, vi, si)
    finally:
        if owned is not None:
            await owned.close()
    ordered = [outcomes[vi, si] for vi in range(len(variants)) for si in range(len(scenarios))]
    return build_report(
        ordered,
        variants=labels,
        mode="model",
        model=settings.model,
        usage=[_usage(label, ordered, sent[label], settings) for label in labels],
        seconds=time.perf_counter() - start,
    )


def _usage(label: str, outcomes: Sequence[Outcome], sent: int, settings: EvalSettings) -> Usage:
    mine = [o for o in outcomes if o.variant == label and o.error is None]
    paid = [o for o in mine if not o.cached]
    tokens_in = sum(o.input_tokens for o in paid)
    tokens_out = sum(o.output_tokens for o in paid)
    price = settings.price()
    return Usage(
        variant=label,
        requests=sent,
        replayed=sum(1 for o in mine if o.cached),
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        cost_usd=(tokens_in * price[0] + tokens_out * price[1]) / 1e6 if price else None,
    )
