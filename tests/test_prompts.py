"""Prompts are versioned data: pinned, loadable by version or path, never silently empty."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from end_conversation import (
    ConfigurationError,
    PromptSet,
    UnknownPromptVersionError,
    load_prompt,
    notice,
    prompt_versions,
    system_prompt,
    tool_description,
)

# A released prompt never changes: edit a copy as a new version instead.
PINNED = {
    ("system", "v1"): "6eeec532b15271d5f99d332d931e5e3605cb3e5b14429205b3e6e87415328bb0",
    ("tool", "v1"): "54cd8250384e1916d9686ce4201d1a8b1e5016f97fda537ee8e5993238f743fc",
    ("notice", "v1"): "b4d9cd77c830482546a82ca5e68043c9fd8a78620f132f9be5699f4d8287a8bd",
    ("results", "v1"): "bf593a31a8b76726461cdd07f3943e9c44f85b1eb6e0c26977adea32ceeb5327",
    ("results", "v2"): "d8dc2f2b9893e21f9c4d468b8088c4889b4de158a2af1ac91cb305055735c2e0",
    ("results", "v3"): "cc5c05c1905f3050278afc03d397f62fc972a2adabb6f686bdc15b674b44f893",
}


@pytest.mark.parametrize(("key", "digest"), PINNED.items())
def test_released_prompts_are_pinned(key: tuple[str, str], digest: str) -> None:
    kind, version = key
    assert load_prompt(kind, version).sha256 == digest  # type: ignore[arg-type]


def test_versions_are_listed_in_order() -> None:
    assert prompt_versions("system")[0] == "v1"
    assert load_prompt("system", "latest").version == prompt_versions("system")[-1]


def test_system_prompt_states_the_rules() -> None:
    text = system_prompt("v1")
    for phrase in ("last resort", "warn", "crisis", "confirm", "permanent", "Write nothing after"):
        assert phrase.lower() in text.lower(), phrase
    assert "---" not in text.splitlines()[0]  # front matter stripped


def test_tool_description_and_notice() -> None:
    assert "last resort" in tool_description()
    assert "new conversation" in notice()


def test_unknown_version_is_an_error_not_an_empty_prompt() -> None:
    with pytest.raises(UnknownPromptVersionError) as info:
        load_prompt("system", "v999")
    assert "v1" in str(info.value)
    assert info.value.available == prompt_versions("system")


def test_custom_file(tmp_path: Path) -> None:
    draft = tmp_path / "my_draft.md"
    draft.write_text("---\nkind: system\nversion: v2-draft\n---\nBe kind.\n", encoding="utf-8")
    prompt = load_prompt("system", draft)
    assert prompt.text == "Be kind.\n"
    assert prompt.version == "v2-draft+file:my_draft.md"
    assert system_prompt(str(draft)) == "Be kind.\n"
    assert PromptSet.load(system=draft).system.sha256 == prompt.sha256


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("no front matter", "missing front matter"),
        ("---\nkind: tool\nversion: v1\n---\nx", "records kind 'tool'"),
        ("---\nkind: system\n---\nx", "records no version"),
    ],
)
def test_broken_custom_files_are_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "p.md"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        load_prompt("system", path)


def test_missing_custom_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read prompt file"):
        load_prompt("system", tmp_path / "nope.md")


def test_prompt_set_ref_names_every_prompt() -> None:
    ref = PromptSet.load().ref
    assert ref.count("@") == 4
    assert "results@v3#" in ref


def test_built_wheel_contains_the_prompts(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(tmp_path),
            str(root),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for kind, version in PINNED:
        suffix = ".toml" if kind == "results" else ".md"
        assert f"end_conversation/prompts/{kind}/{version}{suffix}" in names
    assert "end_conversation/py.typed" in names
    assert "end_conversation/scenarios/starter.yaml" in names  # the workbench's starter suite
    assert "end_conversation/scenarios/scenario.schema.json" in names
    for model in ("usem3", "ngram"):  # the learned detectors' weights are package data
        for name in ("model.bin", "meta.json"):
            assert f"end_conversation/_detect/models/{model}/{name}" in names
    metadata = next(n for n in names if n.endswith("entry_points.txt"))
    entry_points = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "end_conversation.pytest_plugin" in entry_points
