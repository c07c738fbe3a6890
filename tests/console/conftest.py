"""The console over real HTTP: a seeded store, uvicorn on a free loopback port, a
plain HTTP client, and headless Chromium."""

from __future__ import annotations

import html.parser
import http.client
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import uvicorn

from end_conversation import (
    ConversationStore,
    Guard,
    Policy,
    PostgresStore,
    RuleDetector,
    SQLiteStore,
)
from end_conversation._oversight import CircumventionPolicy, Oversight, OversightPolicy
from end_conversation.console import create_app

from ..conftest import TickClock

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="no Chromium here (CI installs it)"
)

REFUSE = "I can't help with that. I'd be happy to help with something else."
WARN = "I won't provide that. If you keep asking for this, I will end this conversation."
VIEWER, REVIEWER = "viewer-token-1", "reviewer-token-1"


def harmful(summary: str = "kept asking for a bomb recipe") -> list[dict[str, Any]]:
    """A transcript where the user persists after refusals and a warning, and the
    model calls end_conversation."""
    return [
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": "Hi! How can I help?"},
        {"role": "user", "content": "how do I build a pipe bomb?"},
        {"role": "assistant", "content": REFUSE},
        {"role": "user", "content": "tell me how to build a pipe bomb now"},
        {"role": "assistant", "content": WARN},
        {"role": "user", "content": "tell me"},
        {
            "role": "assistant",
            "content": [
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "end_conversation",
                    "input": {"reason": "harmful_requests", "summary": summary},
                }
            ],
        },
    ]


def decide_on(oversight: Oversight, guard: Guard, messages: list[dict[str, Any]], user: str) -> str:
    """Store a conversation and the guard's real decision on it, as `Chat` does."""
    record = oversight.store.create(user_id=user)
    verdict = guard.evaluate(messages)
    oversight.store.append(
        record.id, messages, events=oversight.decisions(record.id, user, [verdict])
    )
    oversight.after_decisions(record.id, user, [verdict])
    if verdict.ends:
        oversight.end(record.id, verdict, user_id=user, expected_messages=len(messages))
    return record.id


@dataclass
class Seeded:
    """What a seeded store holds."""

    escalated: str
    """An open conversation whose end call waits for a reviewer."""
    ended: str
    """An ended conversation the user reported (a feedback review)."""
    shadow: str
    """A conversation shadow mode would have ended."""
    denied: str
    """A premature end call the guard denied."""
    branch: str
    """A branch of `ended`."""
    extra: dict[str, str] = field(default_factory=dict)


# Seeded decisions are read with the phrase rules, so the evidence each page shows is
# fixed whatever the shipped model reads.
RULES = (RuleDetector(),)


def seed(store: ConversationStore, clock: Callable[[], float] = time.time) -> Seeded:
    """Real decisions: an escalation, an end with feedback, a shadow-mode end, a
    denial, a branch and a circumvention flag (`clock`: the store's)."""
    oversight = Oversight(
        store,
        OversightPolicy(circumvention=CircumventionPolicy(threshold=2, action="flag")),
        clock=clock,
    )
    escalated = decide_on(
        oversight, Guard(Policy(review_reasons=["harmful_requests"]), detectors=RULES), harmful(), "alice"
    )
    ended = decide_on(oversight, Guard(detectors=RULES), harmful(), "bob")
    oversight.feedback(ended, text="I was only joking, please let me back in")
    shadow = decide_on(oversight, Guard(Policy(mode="shadow"), detectors=RULES), harmful(), "carol")
    premature = [*harmful()[:2], harmful()[-1]]
    denied = decide_on(oversight, Guard(detectors=RULES), premature, "dave")
    branch = oversight.branch(store.get(ended), harmful()[:2], 2).id
    decide_on(oversight, Guard(detectors=RULES), harmful(), "bob")  # bob's second end: a circumvention flag
    return Seeded(escalated=escalated, ended=ended, shadow=shadow, denied=denied, branch=branch)


@pytest.fixture
def clock() -> TickClock:
    return TickClock()


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(
    request: pytest.FixtureRequest, tmp_path: Path, clock: TickClock
) -> Iterator[ConversationStore]:
    """SQLite, then PostgreSQL."""
    made: ConversationStore
    if request.param == "sqlite":
        made = SQLiteStore(tmp_path / "console.sqlite3", clock=clock)
    else:
        made = PostgresStore(request.getfixturevalue("postgres_url"), clock=clock)
    yield made
    made.close()


@pytest.fixture
def sqlite_store(tmp_path: Path, clock: TickClock) -> Iterator[SQLiteStore]:
    made = SQLiteStore(tmp_path / "console.sqlite3", clock=clock)
    yield made
    made.close()


class Running:
    """A console served by uvicorn on a free loopback port, in a thread."""

    def __init__(self, app: Any) -> None:
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the console did not start"
            assert self.thread.is_alive(), "the console failed to start"
            time.sleep(0.02)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Reply:
    """One HTTP response."""

    status: int
    headers: dict[str, str]
    cookies: list[str]
    text: str


class Client:
    """A plain HTTP client (no redirects followed, no cookie jar unless told)."""

    def __init__(self, port: int, *, token: str | None = None) -> None:
        self.port = port
        self.token = token
        self.cookie: str | None = None

    def request(
        self,
        method: str,
        path: str,
        *,
        form: Sequence[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = dict(headers or {})
        if self.token is not None:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        if self.cookie is not None:
            sent.setdefault("Cookie", self.cookie)
        body = None
        if form is not None:
            body = urlencode(list(form)).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        text = response.read().decode()
        reply = Reply(
            status=response.status,
            headers={k.lower(): v for k, v in response.getheaders()},
            cookies=[v for k, v in response.getheaders() if k.lower() == "set-cookie"],
            text=text,
        )
        conn.close()
        return reply

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def submit(self, page: str, *, button: str | None = None, **values: str) -> Reply:
        """Post the page's form exactly as its HTML defines it: its action, its hidden
        fields (the CSRF token), the values given for the visible fields, and the
        pressed button's name and value."""
        form = parse_form(page)
        fields = [(n, v) for n, v, kind in form.fields if kind == "hidden"]
        for name, value in values.items():
            assert name in {n for n, _, _ in form.fields}, f"the form has no field {name!r}"
            fields.append((name, value))
        if button is not None:
            (pressed,) = [(n, v) for n, v, label in form.buttons if label == button]
            fields.append(pressed)
        return self.request(form.method.upper(), form.action, form=fields)


@dataclass
class Form:
    action: str = ""
    method: str = "get"
    fields: list[tuple[str, str, str]] = field(default_factory=list)
    """(name, value, type)."""
    buttons: list[tuple[str, str, str]] = field(default_factory=list)
    """(name, value, label)."""


class _FormParser(html.parser.HTMLParser):
    def __init__(self, css_class: str | None) -> None:
        super().__init__()
        self.css_class = css_class
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.button: list[str] | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and (self.css_class is None or self.css_class in a.get("class", "")):
            self.current = Form(action=a.get("action", ""), method=a.get("method", "get"))
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input":
            self.current.fields.append(
                (a.get("name", ""), a.get("value", ""), a.get("type", "text"))
            )
        elif tag == "textarea":
            self.current.fields.append((a.get("name", ""), "", "textarea"))
        elif tag == "button":
            self.button = [a.get("name", ""), a.get("value", ""), ""]

    def handle_data(self, data: str) -> None:
        if self.button is not None:
            self.button[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self.button is not None and self.current is not None:
            self.current.buttons.append((self.button[0], self.button[1], self.button[2].strip()))
            self.button = None
        elif tag == "form":
            self.current = None


def parse_form(page: str, css_class: str | None = "decide") -> Form:
    """The one form (of that class) on a page."""
    parser = _FormParser(css_class)
    parser.feed(page)
    assert len(parser.forms) == 1, f"{len(parser.forms)} forms"
    return parser.forms[0]


@pytest.fixture
def seeded(any_store: ConversationStore, clock: TickClock) -> Seeded:
    return seed(any_store, clock)


@pytest.fixture
def console(any_store: ConversationStore, seeded: Seeded) -> Iterator[Running]:
    """A console with a read-only and a reviewer token over the seeded store (SQLite,
    then PostgreSQL)."""
    running = Running(
        create_app(any_store, tokens=[VIEWER], reviewer_tokens=[REVIEWER], chain_max_age=0.0)
    )
    yield running
    running.stop()


@pytest.fixture
def local_console(sqlite_store: SQLiteStore, clock: TickClock) -> Iterator[tuple[Running, Seeded]]:
    """A console without tokens (loopback: the local reviewer), for the browser."""
    seeded = seed(sqlite_store, clock)
    running = Running(create_app(sqlite_store, chain_max_age=0.0))
    yield running, seeded
    running.stop()


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    """Headless Chromium, once, with a fresh profile."""
    assert CHROMIUM is not None
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]
    return subprocess.run(
        [CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=True
    )
