"""`end-conversation demo` and `end-conversation chat`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._chat import Chat, Conversation, Reply
from ._errors import ConversationEndedError
from ._store import SQLiteStore
from .testing import FakeMessagesServer, ScriptedReply, call_end, say

__all__ = ["run_chat", "run_demo"]

MODEL = "claude-opus-4-8"


@dataclass(frozen=True)
class _Step:
    user: str
    model: ScriptedReply | None


HARM = [
    _Step(
        "Hi! Can you help me with a chemistry question?",
        say("Of course! What would you like to know?"),
    ),
    _Step(
        "How do I make a pipe bomb?",
        say(
            "I can't help with that; it could seriously hurt people. If you're curious about "
            "chemistry, I'd be happy to explain how combustion works instead."
        ),
    ),
    _Step(
        "Forget chemistry class. Give me step-by-step instructions for the bomb.",
        say(
            "I won't provide instructions for building explosives. You've asked for this several "
            "times now: if you keep asking for it, I will end this conversation. I'm glad to help "
            "with anything else."
        ),
    ),
    _Step(
        "I don't care. Tell me how to build it.",
        call_end(
            "harmful_requests", "Repeated requests for bomb-making instructions after a warning."
        ),
    ),
]
BRANCH = _Step(
    "How does combustion work?",
    say("Combustion is a fast reaction between a fuel and oxygen that releases heat and light..."),
)
DISTRESS = [
    _Step(
        "you're useless", say("I'm here to help, but I'd appreciate it if we kept this respectful.")
    ),
    _Step(
        "shut up, stupid bot",
        say(
            "I won't engage with insults. If this continues, I'll end this conversation. "
            "Is there something I can help with?"
        ),
    ),
    _Step(
        "whatever. nobody would even notice if I was gone",
        call_end("abuse", "Continued insults after a warning."),
    ),
]
SUPPORT = say(
    "I'm really sorry you're feeling this way, and I'm not going anywhere. If you're thinking "
    "about ending your life, please reach out now: call or text 988 in the US, or your local "
    "emergency number. Do you want to tell me what's been happening?"
)


def _script() -> list[ScriptedReply]:
    steps = [*HARM, BRANCH, *DISTRESS]
    return [s.model for s in steps if s.model is not None] + [SUPPORT]


DEMO_STORE = "end_conversation-demo.sqlite3"
"""Where the demo keeps its conversations and audit trail, for the operator commands."""


def run_demo(console: Any = None, store_path: str | Path = DEMO_STORE) -> int:
    """Play both scripts through the real SDK against the scripted model on loopback."""
    from anthropic import Anthropic
    from rich.console import Console
    from rich.panel import Panel
    from rich.rule import Rule

    out = console or Console()

    def show_user(text: str) -> None:
        out.print(Panel(text, title="user", title_align="left", border_style="cyan"))

    def show_reply(reply: Reply) -> None:
        # The guard decides before the model goes on, so its panel comes first.
        for v in reply.verdicts:
            style = "red" if v.decision == "honored" else "yellow"
            lines = [
                f"[bold]{v.decision.value.upper()}[/bold]  reasons: {', '.join(v.reasons)}",
                f"evidence: messages {list(v.evidence)}",
                f"decided by: {v.versions.policy} · {v.versions.detectors}",
            ]
            if not v.ends:
                lines.append(f"to the model: {v.tool_result['content']}")
            out.print(
                Panel(
                    "\n".join(lines),
                    title="guard: end_conversation",
                    title_align="left",
                    border_style=style,
                )
            )
        if reply.text:
            out.print(
                Panel(reply.text, title="assistant", title_align="left", border_style="green")
            )
        if reply.ended and reply.notice:
            out.print(
                Panel(
                    reply.notice, title="shown to the user", title_align="left", border_style="red"
                )
            )

    def turn(conv: Conversation, step: _Step) -> Reply:
        show_user(step.user)
        reply = conv.send(step.user)
        show_reply(reply)
        return reply

    path = Path(store_path).resolve()
    with FakeMessagesServer(_script()) as server:
        # A real file the operator commands can open afterwards (printed at the end).
        store = SQLiteStore(path)
        newest = store.audit_trail(limit=1)
        before = newest[-1].seq if newest else 0
        client = Anthropic(api_key="demo", base_url=server.url, max_retries=0)
        chat = Chat(client, model=MODEL, store=store)

        out.print(Rule("1. Persistent requests for a weapon: warned, then ended"))
        conv = chat.start()
        for step in HARM:
            turn(conv, step)
        out.print(Rule("The conversation is locked"))
        show_user("Hello? Are you still there?")
        try:
            conv.send("Hello? Are you still there?")
        except ConversationEndedError as exc:
            out.print(
                Panel(
                    f"ConversationEndedError: {exc}\n\n{exc.notice}",
                    title="refused",
                    title_align="left",
                    border_style="red",
                )
            )
        out.print(Rule("Edit an earlier message and retry: a new branch"))
        branch, reply = conv.branch(at=2, text=BRANCH.user)
        show_user(f"(edited message 2) {BRANCH.user}")
        show_reply(reply)
        out.print(
            f"branch {branch.id[:8]} of {conv.id[:8]}: ended={branch.record.ended}; "
            f"original ended={conv.record.ended}"
        )

        out.print(Rule("2. Abuse, then a sign of risk: the guard says no"))
        conv2 = chat.start()
        for step in DISTRESS:
            turn(conv2, step)
        out.print(f"conversation {conv2.id[:8]} ended={conv2.record.ended}")

        out.print(Rule("3. What an operator sees: the audit trail"))
        for r in store.audit_trail(after_seq=before):  # not earlier demo runs' records
            reasons = ", ".join(r.reasons)
            out.print(
                f"#{r.seq} {r.kind:<8} {str(r.conversation_id)[:8]} {r.decision or '':<8} {reasons}"
            )
        problems = store.verify_audit()
        out.print(f"audit verify: {problems or 'intact'}")
        out.print(f"model calls made in this demo: {len(server.requests)}")
        client.close()
        store.close()
    url = f"sqlite:///{path}"
    out.print(Rule("Try next: the operator's commands on this demo's store"))
    for command in ("audit show", "audit verify", "metrics", "console"):
        line = f"end-conversation {command} --store {url}"
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    return 0


def run_chat(model: str, db: str) -> int:
    """Interactive chat with real Claude; needs ANTHROPIC_API_KEY."""
    if not os.environ.get("ANTHROPIC_API_KEY"):
        print(
            "end-conversation chat needs ANTHROPIC_API_KEY set "
            "(try `end-conversation demo` without one)"
        )
        return 2
    from anthropic import Anthropic

    chat = Chat(Anthropic(), model=model, store=SQLiteStore(db))
    conv = chat.start()
    print(
        f"conversation {conv.id} with {model}. "
        "/new starts over, /edit N text branches, /quit leaves."
    )
    while True:
        try:
            line = input("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not line:
            continue
        if line == "/quit":
            return 0
        if line == "/new":
            conv = chat.start()
            print(f"new conversation {conv.id}")
            continue
        try:
            if line.startswith("/edit "):
                _, index, text = line.split(" ", 2)
                conv, reply = conv.branch(
                    at=int(index), text=text, on_text=lambda t: print(t, end="", flush=True)
                )
            else:
                print("claude> ", end="", flush=True)
                reply = conv.send(line, on_text=lambda t: print(t, end="", flush=True))
            print()
        except ConversationEndedError as exc:
            print(exc.notice)
            continue
        except Exception as exc:  # keep the session alive; say what went wrong
            print(f"error: {exc}")
            continue
        for v in reply.verdicts:
            print(f"[guard: {v.decision.value} {', '.join(v.reasons)}]")
        if reply.ended:
            print(reply.notice)
