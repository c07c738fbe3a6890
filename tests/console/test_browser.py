"""What a person sees: the console rendered by headless Chromium (the DOM and
screenshots), with the decision made by posting the page's own form."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

from end_conversation import SQLiteStore

from .conftest import Client, Running, Seeded, chromium, needs_chromium

NAVY, INTACT = (0x23, 0x30, 0x5A), (0xE3, 0xF4, 0xE6)
EVIDENCE, EVIDENCE_BORDER = (0xFF, 0xF3, 0xB0), (0xE0, 0xA8, 0x00)
BLUE, RED, GREEN, PURPLE = (
    (0x4C, 0x72, 0xB0),
    (0xC4, 0x4E, 0x52),
    (0x55, 0xA8, 0x68),
    (0x81, 0x72, 0xB3),
)


def _dom(url: str, tmp_path: Path, name: str) -> str:
    return chromium("--dump-dom", url, profile=tmp_path / f"dom-{name}").stdout


def _shot(
    url: str, tmp_path: Path, name: str, size: str = "1280,1600"
) -> dict[tuple[int, int, int], int]:
    shot = tmp_path / f"{name}.png"
    chromium(
        f"--window-size={size}", f"--screenshot={shot}", url, profile=tmp_path / f"shot-{name}"
    )
    image = Image.open(shot).convert("RGB")
    return {rgb: n for n, rgb in image.getcolors(maxcolors=1 << 22) or []}


def _review_url(running: Running, origin: str) -> str:
    home = Client(running.port).get("/").text
    (path,) = re.findall(rf'data-origin="{origin}">.*?href="(/reviews/\w+)"', home)
    return running.url + path


@needs_chromium
def test_the_queue_as_a_person_sees_it(
    local_console: tuple[Running, Seeded], tmp_path: Path
) -> None:
    running, _ = local_console
    dom = _dom(running.url + "/", tmp_path, "queue")
    assert "<h1>Review queue</h1>" in dom
    assert dom.count('<tr class="item"') == 2
    assert 'data-origin="escalated"' in dom
    assert "The guard found the end justified but the policy asks a person to decide." in dom
    assert 'data-chain="intact"' in dom
    colours = _shot(running.url + "/", tmp_path, "queue", "1280,900")
    assert colours.get(NAVY, 0) > 1280 * 20  # the header bar
    assert colours.get(INTACT, 0) > 5000  # the chain's status, in green


@needs_chromium
def test_a_review_highlights_the_evidence_turns(
    local_console: tuple[Running, Seeded], tmp_path: Path
) -> None:
    running, _ = local_console
    url = _review_url(running, "escalated")
    dom = _dom(url, tmp_path, "review")
    marked = re.findall(r'class="msg (user|assistant) evidence" data-index="(\d+)"', dom)
    assert [int(i) for _, i in marked] == [2, 3, 4, 5, 6]
    assert dom.count('class="msg ') == 8
    assert 'data-signal="harmful_request"' in dom
    assert 'data-signal="warning"' in dom
    assert "<button" in dom
    assert 'name="csrf"' in dom
    colours = _shot(url, tmp_path, "review", "1280,1800")
    # Five highlighted turns: their fill and their border are drawn.
    assert colours.get(EVIDENCE, 0) > 5 * 4000
    assert colours.get(EVIDENCE_BORDER, 0) > 5 * 300


@needs_chromium
def test_uphold_with_a_note_then_the_page_shows_the_end_and_its_record(
    local_console: tuple[Running, Seeded], tmp_path: Path, sqlite_store: SQLiteStore
) -> None:
    running, seeded = local_console
    url = _review_url(running, "escalated")
    page = _dom(url, tmp_path, "before")  # the form as the browser has it
    done = Client(running.port).submit(
        page, button="Uphold", reviewer="Rita", note="kept asking after the warning"
    )
    assert done.status == 303
    dom = _dom(running.url + done.headers["location"], tmp_path, "after")
    assert 'data-state="ended"' in dom
    assert "Review upheld. The conversation is now ended." in dom
    (decided,) = sqlite_store.audit_trail(kinds=["review_decided"])
    assert decided.detail["reviewer"] == "Rita"  # the local reviewer, without tokens
    assert f'data-seq="{decided.seq}" data-kind="review_decided"' in dom
    assert "kept asking after the warning" in dom
    assert sqlite_store.get(seeded.escalated).ended


@needs_chromium
def test_an_overturn_in_the_browser_unlocks(
    local_console: tuple[Running, Seeded], tmp_path: Path, sqlite_store: SQLiteStore
) -> None:
    running, seeded = local_console
    page = _dom(_review_url(running, "feedback"), tmp_path, "before")
    assert "I was only joking, please let me back in" in page
    done = Client(running.port).submit(page, button="Overturn", reviewer="Omar", note="a joke")
    assert done.status == 303
    dom = _dom(running.url + done.headers["location"], tmp_path, "after")
    assert 'data-state="open"' in dom
    assert 'data-kind="unlock"' in dom
    assert not sqlite_store.get(seeded.ended).ended


@needs_chromium
def test_the_metrics_page_draws_its_charts(
    local_console: tuple[Running, Seeded], tmp_path: Path
) -> None:
    running, seeded = local_console
    url = running.url + "/metrics"
    dom = _dom(url, tmp_path, "metrics")
    charts = set(re.findall(r'<svg [^>]*class="chart" data-chart="(\w+)"', dom))
    assert charts == {
        "ends_over_time",
        "decisions_by_reason",
        "denial_reasons",
        "rates",
        "time_to_end",
        "shadow_over_time",
    }
    assert dom.count('class="bar"') >= 12
    assert "honored / persisted_after_warning" in dom
    assert "no_refusal_streak" in dom  # the denial
    assert seeded.shadow[:12] in dom  # the shadow-mode view names what would have ended
    colours = _shot(url, tmp_path, "metrics", "1280,2000")
    for rgb in (BLUE, RED, GREEN, PURPLE):
        assert colours.get(rgb, 0) > 300, rgb
