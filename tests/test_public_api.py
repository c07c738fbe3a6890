"""The public surface is explicit."""

from __future__ import annotations

import end_conversation


def test_all_matches_the_exports() -> None:
    # ("@..." names come from pytest's assertion rewriting, which pytest applies to the
    # package of an installed plugin such as ours.)
    exported = {name for name in dir(end_conversation) if not name.startswith(("_", "@"))}
    modules = {"testing", "mcp_server", "workbench", "pytest_plugin", "metrics", "console"}
    assert set(end_conversation.__all__) - {"__version__"} == exported - modules


def test_every_public_name_is_documented() -> None:
    for name in end_conversation.__all__:
        obj = getattr(end_conversation, name)
        if callable(obj):
            assert obj.__doc__, name


def test_design_contract_imports() -> None:
    from end_conversation import Guard, Policy, Verdict

    verdict = Guard(policy=Policy()).evaluate([])
    assert isinstance(verdict, Verdict)
    assert verdict.decision == "denied"
    assert isinstance(verdict.decision, str)


def test_the_guard_does_not_load_the_sdk() -> None:
    # Imports point down: integrations use the SDK, the guard needs none of it.
    import subprocess
    import sys

    code = (
        "import sys, end_conversation; end_conversation.Guard(); print('anthropic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
