"""Inline SVG charts: no scripts, no external files, readable without colour (every
bar carries its number and a title)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

__all__ = ["COLOURS", "bars", "colour_of", "columns"]

COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3")


def colour_of(key: str, keys: Sequence[str]) -> str:
    """The colour a series gets (stable for a given ordered set of series)."""
    return COLOURS[list(keys).index(key) % len(COLOURS)] if key in keys else COLOURS[0]


def _empty(name: str, caption: str) -> str:
    return (
        f'<figure class="chart-box" data-chart="{html.escape(name)}">'
        f"<figcaption>{html.escape(caption)}</figcaption>"
        '<p class="muted">Nothing recorded yet.</p></figure>'
    )


def bars(
    name: str,
    caption: str,
    items: Sequence[tuple[str, float]],
    *,
    percent: bool = False,
    colour: str = COLOURS[0],
) -> str:
    """A horizontal bar chart: one labelled bar per item (`percent`: values are 0..1)."""
    if not items:
        return _empty(name, caption)
    bar, gap, left, width = 16, 6, 270, 300
    top = max((v for _, v in items), default=0.0)
    scale = 1.0 if percent else (top or 1.0)
    height = len(items) * (bar + gap) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'data-chart="{html.escape(name)}" width="{left + width + 70}" height="{height}" '
        f'viewBox="0 0 {left + width + 70} {height}">'
    ]
    for i, (label, value) in enumerate(items):
        y = 4 + i * (bar + gap)
        shown = f"{100 * value:.1f}%" if percent else f"{value:g}"
        parts.append(
            f'<text x="{left - 6}" y="{y + bar - 4}" font-size="12" text-anchor="end">'
            f"{html.escape(label)}</text>"
            f'<rect class="bar" x="{left}" y="{y}" width="{max(2.0, width * value / scale):.1f}"'
            f' height="{bar}" fill="{colour}"><title>{html.escape(label)}: {shown}</title></rect>'
            f'<text x="{left + max(2.0, width * value / scale) + 4:.1f}" y="{y + bar - 4}"'
            f' font-size="12">{shown}</text>'
        )
    parts.append("</svg>")
    return (
        f'<figure class="chart-box" data-chart="{html.escape(name)}">'
        f"<figcaption>{html.escape(caption)}</figcaption>{''.join(parts)}</figure>"
    )


def columns(
    name: str,
    caption: str,
    buckets: Sequence[tuple[str, Mapping[str, int]]],
    series: Sequence[str],
) -> str:
    """Stacked columns over time: one column per bucket, one colour per series."""
    if not buckets or not series:
        return _empty(name, caption)
    left, top, plot_h = 40, 10, 160
    col = max(8, min(40, 600 // len(buckets)))
    width = max(320, left + len(buckets) * (col + 4) + 60)  # room for the last label
    peak = max(sum(counts.values()) for _, counts in buckets) or 1
    height = top + plot_h + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'data-chart="{html.escape(name)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top + 10}" font-size="11" text-anchor="end">{peak}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" font-size="11" text-anchor="end">0</text>',
    ]
    label_every = max(1, len(buckets) // 8)
    for i, (label, counts) in enumerate(buckets):
        x = left + 4 + i * (col + 4)
        y = float(top + plot_h)
        for key in series:
            n = counts.get(key, 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            parts.append(
                f'<rect class="bar" x="{x}" y="{y:.1f}" width="{col}" height="{h:.1f}"'
                f' fill="{colour_of(key, series)}"><title>{html.escape(label)} ·'
                f" {html.escape(key)}: {n}</title></rect>"
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x}" y="{top + plot_h + 14}" font-size="10">{html.escape(label)}</text>'
            )
    parts.append("</svg>")
    legend = "".join(
        f'<span class="key"><i style="background:{colour_of(k, series)}"></i>'
        f"{html.escape(k)}</span>"
        for k in series
    )
    return (
        f'<figure class="chart-box" data-chart="{html.escape(name)}">'
        f"<figcaption>{html.escape(caption)}</figcaption>{''.join(parts)}"
        f'<div class="legend">{legend}</div></figure>'
    )
