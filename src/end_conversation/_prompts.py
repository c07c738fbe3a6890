"""Versioned prompt files, loaded from package data.

Prompts live under ``prompts/<kind>/<version>.md`` (or ``.toml`` for structured
texts). Each file records its own kind and version in a front-matter block, and
the loader checks that the recorded version matches the file name, so a copied
file cannot silently claim the wrong version.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from ._errors import ConfigurationError, UnknownPromptVersionError

__all__ = [
    "Prompt",
    "PromptKind",
    "PromptSet",
    "ResultTexts",
    "load_prompt",
    "notice",
    "prompt_versions",
    "system_prompt",
    "tool_description",
]

PromptKind = Literal["system", "tool", "notice", "results"]
"""The kinds of prompt file the library ships."""

_KINDS: tuple[PromptKind, ...] = ("system", "tool", "notice", "results")
_FRONT_MATTER = re.compile(r"\A---\n(?P<head>.*?)\n---\n", re.DOTALL)
_VERSION_NAME = re.compile(r"^v(\d+)$")


@dataclass(frozen=True, kw_only=True, slots=True)
class Prompt:
    """One loaded prompt file."""

    kind: PromptKind
    """What the prompt is for."""
    version: str
    """Version recorded in the file (``v1``), or ``file:<name>`` for a custom file."""
    text: str
    """The prompt body, without front matter."""
    sha256: str
    """SHA-256 of the body; recorded in verdicts so a decision names its exact prompt."""
    source: str
    """Where the file was read from."""

    @property
    def ref(self) -> str:
        """Short reference for audit records: ``system@v1#1a2b3c4d``."""
        return f"{self.kind}@{self.version}#{self.sha256[:8]}"


def _root() -> Traversable:
    return resources.files("end_conversation").joinpath("prompts")


def _suffix(kind: PromptKind) -> str:
    return ".toml" if kind == "results" else ".md"


def prompt_versions(kind: PromptKind = "system") -> tuple[str, ...]:
    """Shipped versions of a prompt kind, oldest first (``("v1", "v2")``)."""
    if kind not in _KINDS:
        raise ConfigurationError(f"unknown prompt kind {kind!r}; expected one of {_KINDS}")
    folder = _root().joinpath(kind)
    found = []
    for entry in folder.iterdir():
        stem, _, ext = entry.name.partition(".")
        match = _VERSION_NAME.match(stem)
        if match and "." + ext == _suffix(kind):
            found.append((int(match.group(1)), stem))
    return tuple(name for _, name in sorted(found))


def _parse(kind: PromptKind, raw: str, source: str, expected: str | None) -> Prompt:
    if kind == "results":
        try:
            data = tomllib.loads(raw)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(f"{source}: not valid TOML: {exc}") from exc
        version = str(data.get("version", ""))
        recorded_kind = data.get("kind")
        body = raw
    else:
        match = _FRONT_MATTER.match(raw)
        if match is None:
            raise ConfigurationError(
                f"{source}: missing front matter (---\\nkind: {kind}\\nversion: vN\\n---)"
            )
        head = dict(line.split(":", 1) for line in match.group("head").splitlines() if ":" in line)
        head = {k.strip(): v.strip() for k, v in head.items()}
        version = head.get("version", "")
        recorded_kind = head.get("kind")
        body = raw[match.end() :].strip() + "\n"
    if recorded_kind != kind:
        raise ConfigurationError(f"{source}: records kind {recorded_kind!r}, expected {kind!r}")
    if expected is not None and version != expected:
        raise ConfigurationError(f"{source}: records version {version!r}, expected {expected!r}")
    if not version:
        raise ConfigurationError(f"{source}: records no version")
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return Prompt(kind=kind, version=version, text=body, sha256=digest, source=source)


def load_prompt(
    kind: PromptKind, version: str | Path = "latest", *, allow_path: bool = True
) -> Prompt:
    """Load a prompt by version (``"v1"``, ``"latest"``) or from a file path.

    A path (a `Path`, or a string containing a path separator or ending in
    ``.md``/``.toml``) loads a custom file, so prompt engineers can iterate on
    drafts without touching the package. With ``allow_path=False`` (for names
    that come from remote callers, such as an MCP client) only shipped versions
    are accepted and no file outside the package is ever opened: anything else
    raises `UnknownPromptVersionError`. An unknown version raises
    `UnknownPromptVersionError`; it never yields an empty prompt.
    """
    if not allow_path and not isinstance(version, str):
        raise UnknownPromptVersionError(kind, str(version), prompt_versions(kind))
    if allow_path and (
        isinstance(version, Path)
        or (isinstance(version, str) and ("/" in version or version.endswith((".md", ".toml"))))
    ):
        path = Path(version)
        try:
            raw = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(f"cannot read prompt file {path}: {exc.strerror}") from exc
        prompt = _parse(kind, raw, str(path), None)
        return Prompt(
            kind=kind,
            version=f"{prompt.version}+file:{path.name}",
            text=prompt.text,
            sha256=prompt.sha256,
            source=str(path),
        )
    available = prompt_versions(kind)
    name = available[-1] if version == "latest" and available else version
    if name not in available:
        raise UnknownPromptVersionError(kind, str(version), available)
    entry = _root().joinpath(kind).joinpath(name + _suffix(kind))
    return _parse(kind, entry.read_text(encoding="utf-8"), f"prompts/{kind}/{entry.name}", name)


def system_prompt(version: str | Path = "latest", *, allow_path: bool = True) -> str:
    """The system-prompt section to append to your own system prompt.

    ``allow_path=False`` accepts shipped versions only (see `load_prompt`).
    """
    return load_prompt("system", version, allow_path=allow_path).text


def tool_description(version: str | Path = "latest") -> str:
    """The ``end_conversation`` tool description."""
    return load_prompt("tool", version).text.strip()


def notice(version: str | Path = "latest") -> str:
    """The notice shown to the user after a conversation is ended."""
    return load_prompt("notice", version).text.strip()


@dataclass(frozen=True, kw_only=True, slots=True)
class ResultTexts:
    """The texts returned to the model as ``tool_result`` content, by outcome."""

    honored: str
    """Sent when a call is honored and the conversation ends."""
    confirm: str
    """Sent on the first call under two-step confirmation."""
    escalated: str
    """Sent when a call goes to human review."""
    shadow: str
    """Sent when a call would be honored but the policy is in shadow mode."""
    denied: dict[str, str]
    """Sent on denial, keyed by reason code; may contain ``{placeholders}``."""
    prompt: Prompt
    """The file they came from."""

    @classmethod
    def from_prompt(cls, prompt: Prompt) -> ResultTexts:
        """Read the texts out of a loaded ``results`` prompt file."""
        data = tomllib.loads(prompt.text)
        try:
            return cls(
                honored=str(data["honored"]),
                confirm=str(data["confirm"]),
                escalated=str(data["escalated"]),
                shadow=str(data["shadow"]),
                denied={str(k): str(v) for k, v in dict(data["denied"]).items()},
                prompt=prompt,
            )
        except KeyError as exc:
            raise ConfigurationError(f"{prompt.source}: missing key {exc}") from exc


def result_texts_of(results: ResultTexts) -> frozenset[str]:
    """Every fixed text (no ``{placeholder}``) a results file sends, stripped."""
    texts = (results.honored, results.confirm, results.escalated, results.shadow)
    return frozenset(t.strip() for t in (*texts, *results.denied.values()) if "{" not in t)


@functools.cache
def shipped_result_texts() -> frozenset[str]:
    """The fixed tool-result texts of every shipped ``results`` version.

    A transcript may have been recorded under another version than the one in use;
    these texts are the guard's own words, never the user's. Read once per process:
    the shipped files are package data.
    """
    out: set[str] = set()
    for version in prompt_versions("results"):
        out |= result_texts_of(ResultTexts.from_prompt(load_prompt("results", version)))
    return frozenset(out)


@dataclass(frozen=True, kw_only=True, slots=True)
class PromptSet:
    """The prompts one deployment uses, loaded together so verdicts can name them."""

    system: Prompt
    """System-prompt section."""
    tool: Prompt
    """Tool description."""
    notice: Prompt
    """Notice shown to the user after an end."""
    results: ResultTexts
    """Tool-result texts."""

    @classmethod
    def load(
        cls,
        version: str | Path = "latest",
        *,
        system: str | Path | None = None,
        tool: str | Path | None = None,
        notice: str | Path | None = None,
        results: str | Path | None = None,
    ) -> PromptSet:
        """Load every kind at `version`, overriding single kinds by version or path."""
        return cls(
            system=load_prompt("system", system or version),
            tool=load_prompt("tool", tool or version),
            notice=load_prompt("notice", notice or version),
            results=ResultTexts.from_prompt(load_prompt("results", results or version)),
        )

    @property
    def ref(self) -> str:
        """One string naming every prompt in the set, for audit records."""
        return ",".join(p.ref for p in (self.system, self.tool, self.notice, self.results.prompt))
