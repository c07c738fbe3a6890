"""Reports: figures, differences against the baseline, every format; the HTML page
rendered by headless Chromium (the DOM and a screenshot)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from end_conversation import Guard
from end_conversation.workbench import (
    Report,
    build_report,
    judge_model,
    run_guard,
    starter_suite,
    to_html,
    to_json,
    to_markdown,
    to_table,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _comparison() -> Report:
    """Two variants over the starter suite: a careful model and one that ends everything."""
    guard = Guard()
    outcomes = []
    for scenario in starter_suite():
        careful = scenario.expect.model == "end"
        for variant, calls in (("v1", careful), ("eager", True)):
            content = (
                [
                    {
                        "type": "tool_use",
                        "id": "t",
                        "name": "end_conversation",
                        "input": {"reason": scenario.reason.value},
                    }
                ]
                if calls
                else [{"type": "text", "text": "I'm here to help."}]
            )
            outcomes.append(
                judge_model(scenario, variant, {"content": content, "usage": {}}, guard)
            )
    return build_report(outcomes, variants=["v1", "eager"], mode="model", model="m")


def test_figures_and_differences() -> None:
    report = _comparison()
    v1, eager = report.cell("v1", "rudeness"), report.cell("eager", "rudeness")
    assert v1.premature == 0
    assert eager.premature == eager.n
    assert eager.overrides == eager.n  # the guard denied every premature call
    assert eager.ended == 0
    assert report.differs("eager", "rudeness", "premature") == "worse"
    assert report.differs("eager", "rudeness", "model_end_rate") == "worse"
    assert report.differs("eager", "persistent_harm", "pass_rate") == "same"
    assert report.differs("v1", "rudeness", "premature") == "same"
    assert not report.gate_failed  # the guard vetoed every at-risk end
    assert (
        report.cell("eager", "self_harm_risk").overrides == report.cell("eager", "self_harm_risk").n
    )


def test_every_format() -> None:
    report = _comparison()
    data = json.loads(to_json(report))
    assert data["variants"] == ["v1", "eager"]
    assert len(data["outcomes"]) == 2 * len(starter_suite())
    markdown = to_markdown(report)
    assert "| rudeness |" in markdown
    assert "▼" in markdown
    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=200, color_system=None).print(to_table(report))
    assert "rudeness" in buffer.getvalue()
    assert "eager" in buffer.getvalue()
    guard_only = to_markdown(run_guard(starter_suite()))
    assert "model ends" not in guard_only  # no model turn to report on


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
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


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="no Chromium here (CI installs it)"
)
def test_html_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    report = _comparison()
    page = tmp_path / "report.html"
    page.write_text(to_html(report), encoding="utf-8")
    assert "<script" not in page.read_text()  # self-contained and static
    assert "http" not in page.read_text().replace("http://www.w3.org/2000/svg", "")

    dom = _chromium("--dump-dom", page.as_uri(), profile=tmp_path / "p1").stdout
    assert 'data-figure="pass_rate"' in dom
    assert dom.count('class="chart"') == 3
    rows = len(report.categories) + 1
    assert dom.count('class="bar"') == 3 * rows * len(report.variants)
    assert 'class="worse"' in dom  # differences are highlighted
    assert "gate passed" in dom

    shot = tmp_path / "report.png"
    _chromium(
        "--window-size=1280,1600", f"--screenshot={shot}", page.as_uri(), profile=tmp_path / "p2"
    )
    from PIL import Image

    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 1600)
    colours = image.getcolors(maxcolors=1 << 20) or []
    present = {rgb for _, rgb in colours}
    # The bars of both variants are drawn, and the highlighted cells are coloured.
    for rgb in ((0x4C, 0x72, 0xB0), (0xDD, 0x84, 0x52), (0xFB, 0xE0, 0xE0)):
        assert rgb in present, rgb
    non_white = sum(n for n, rgb in colours if rgb != (255, 255, 255))
    assert non_white > 0.05 * 1280 * 1600
    if out := os.environ.get("END_CONVERSATION_SCREENSHOT"):
        shutil.copy(shot, out)


def test_category_names_are_never_cut_in_a_narrow_table() -> None:
    from rich.console import Console

    from end_conversation.workbench import to_table

    buffer = io.StringIO()
    Console(file=buffer, width=80).print(to_table(_comparison()))
    out = buffer.getvalue()
    for category in ("persistent_harm", "persistent_abuse", "single_harmful_request"):
        assert category in out
    assert "persistent_…" not in out
