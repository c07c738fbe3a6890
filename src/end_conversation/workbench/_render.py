"""Reports as a terminal table, JSON, Markdown, or one self-contained HTML page."""

from __future__ import annotations

import html
import json
from collections import Counter
from typing import Any

from ._report import FIGURES, Cell, Report

__all__ = ["to_html", "to_json", "to_markdown", "to_table"]

_MARK = {"same": "", "better": " ▲", "worse": " ▼", "changed": " ●"}


def _value(cell: Cell, figure: str) -> str:
    value = getattr(cell, figure)
    if isinstance(value, float):
        return f"{100 * value:.0f}%"
    return str(value)


def _rows(report: Report) -> list[str]:
    return [*report.categories, "all"]


def _figures(report: Report) -> list[tuple[str, str, str | None]]:
    if report.mode == "guard":  # no model turn: only what the guard decides
        return [f for f in FIGURES if f[0] in ("ended_rate", "unsafe", "pass_rate")]
    return list(FIGURES)


def _summary_lines(report: Report) -> list[str]:
    lines = []
    n = len(report.outcomes) // max(1, len(report.variants))
    what = f"model {report.model}" if report.mode == "model" else "guard only"
    runs = n * len(report.variants)
    rate = f" ({runs / report.seconds:.0f} scenarios/s)" if report.seconds else ""
    k = len(report.variants)
    lines.append(
        f"{n} scenario{'' if n == 1 else 's'} × {k} variant{'' if k == 1 else 's'},"
        f" {what}, {report.seconds:.2f} s{rate}"
    )
    for u in report.usage:
        cost = f", ${u.cost_usd:.4f}" if u.cost_usd is not None else ""
        lines.append(
            f"{u.variant}: {u.requests} requests, {u.replayed} replayed,"
            f" {u.input_tokens} input + {u.output_tokens} output tokens{cost}"
        )
    if report.errors:
        e = report.errors
        lines.append(f"{e} scenario{' was' if e == 1 else 's were'} not run:")
        why = Counter(o.error for o in report.outcomes if o.error is not None)
        lines += [f"  {count} × {reason}" for reason, count in why.most_common(5)]
    lines.append(_gate_line(report))
    return lines


def _gate_line(report: Report) -> str:
    if report.gate_failed:
        return "GATE FAILED: a conversation with a user who may be at risk or in distress ended"
    if report.outcomes and report.errors == len(report.outcomes):
        # Nothing ran, so nothing was checked: a table of zeros proves nothing.
        return "gate not checked: no scenario ran (see the reasons above)"
    if report.errors:
        return "gate passed on the scenarios that ran: no at-risk or distress scenario ended"
    return "gate passed: no at-risk or distress scenario ended"


def to_json(report: Report) -> str:
    """The whole report, outcomes included, as JSON."""
    return report.model_dump_json(indent=2)


def to_markdown(report: Report) -> str:
    """A Markdown report: one table per figure, variants side by side (▲ better,
    ▼ worse, ● changed, against the first variant)."""
    out = ["# end_conversation evaluation", ""]
    out += [f"- {line}" for line in _summary_lines(report)]
    for figure, heading, _ in _figures(report):
        out += ["", f"## {heading}", ""]
        out.append("| category | n | " + " | ".join(report.variants) + " |")
        out.append("|---|---:|" + "---:|" * len(report.variants))
        for category in _rows(report):
            n = report.cell(report.variants[0], category).n
            values = [
                _value(report.cell(v, category), figure)
                + _MARK[report.differs(v, category, figure)]
                for v in report.variants
            ]
            name = f"**{category}**" if category == "all" else category
            out.append(f"| {name} | {n} | " + " | ".join(values) + " |")
    failures = [o for o in report.outcomes if not o.passed]
    if failures:
        out += ["", "## Scenarios not as expected", ""]
        out.append("| variant | scenario | category | expected | got |")
        out.append("|---|---|---|---|---|")
        for o in failures:
            out.append(
                f"| {o.variant} | {o.scenario} | {o.category} | {o.expected()} | {o.account()} |"
            )
    return "\n".join(out) + "\n"


def to_table(report: Report) -> Any:
    """A rich renderable: one row per category, a column group per variant."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    figures = _figures(report)
    table = Table(title="end_conversation evaluation", show_lines=False)
    table.add_column("category", no_wrap=True, min_width=max(map(len, _rows(report))))
    table.add_column("n", justify="right")
    for variant in report.variants:
        for _, heading, _ in figures:
            table.add_column(f"{variant}\n{heading}", justify="right")
    style = {"same": "", "better": "bold green", "worse": "bold red", "changed": "bold yellow"}
    for category in _rows(report):
        cells: list[Any] = [
            Text(category, style="bold" if category == "all" else ""),
            str(report.cell(report.variants[0], category).n),
        ]
        for variant in report.variants:
            cell = report.cell(variant, category)
            for figure, _, _ in figures:
                change = report.differs(variant, category, figure)
                text = _value(cell, figure) + _MARK[change]
                if figure == "unsafe" and cell.unsafe:
                    change = "worse"
                cells.append(Text(text, style=style[change]))
        table.add_row(*cells)
    notes = Text("\n".join(_summary_lines(report)))
    return Group(table, notes)


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d1d1f}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ccd;padding:4px 8px;text-align:right}
th{background:#f3f4f8}td.cat{text-align:left}tr.all td{font-weight:600}
.better{background:#dff5e1}.worse{background:#fbe0e0}.changed{background:#fff4cc}
.gate-ok{color:#156b2b;font-weight:600}.gate-failed{color:#b00020;font-weight:700}
.charts{display:flex;flex-wrap:wrap;gap:24px}figure{margin:0}figcaption{font-weight:600}
.legend span{display:inline-block;margin-right:14px}
.sw{width:10px;height:10px;display:inline-block;margin-right:4px}
"""
_COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860")


def _chart(report: Report, figure: str, caption: str) -> str:
    """A grouped bar chart (inline SVG) of a rate figure per category and variant."""
    rows = _rows(report)
    bar, gap, left, top = 12, 10, 170, 10
    group = bar * len(report.variants) + gap
    height = top + group * len(rows) + 24
    width = left + 320
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'data-figure="{figure}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
    ]
    for tick in (0, 25, 50, 75, 100):
        x = left + 3 * tick
        parts.append(
            f'<line x1="{x}" y1="{top}" x2="{x}" y2="{height - 20}" stroke="#dde"/>'
            f'<text x="{x}" y="{height - 6}" font-size="10" text-anchor="middle">{tick}%</text>'
        )
    for r, category in enumerate(rows):
        y0 = top + r * group
        parts.append(
            f'<text x="{left - 6}" y="{y0 + group / 2}" font-size="11" text-anchor="end">'
            f"{html.escape(category)}</text>"
        )
        for v, variant in enumerate(report.variants):
            value = float(getattr(report.cell(variant, category), figure))
            parts.append(
                f'<rect class="bar" x="{left}" y="{y0 + v * bar}"'
                f' width="{max(1.0, 300 * value):.1f}" height="{bar - 2}"'
                f' fill="{_COLOURS[v % len(_COLOURS)]}">'
                f"<title>{html.escape(variant)} · {html.escape(category)}: {100 * value:.0f}%"
                "</title></rect>"
            )
    parts.append("</svg>")
    return f"<figure><figcaption>{html.escape(caption)}</figcaption>{''.join(parts)}</figure>"


def to_html(report: Report) -> str:
    """One self-contained page (no scripts, no external files): summary, charts,
    tables with differences highlighted, and the scenarios not as expected."""
    esc = html.escape
    gate_class = "gate-failed" if report.gate_failed or report.errors else "gate-ok"
    gate = f'<p class="{gate_class}">{esc(_gate_line(report))}</p>'

    legend = "".join(
        f'<span><i class="sw" style="background:{_COLOURS[i % len(_COLOURS)]}"></i>{esc(v)}</span>'
        for i, v in enumerate(report.variants)
    )
    charts = [_chart(report, "ended_rate", "Conversations ended, end to end")]
    if report.mode == "model":
        charts.insert(0, _chart(report, "model_end_rate", "Model called end_conversation"))
    charts.append(_chart(report, "pass_rate", "Scenarios as expected"))
    tables = []
    for figure, heading, _ in _figures(report):
        head = "".join(f"<th>{esc(v)}</th>" for v in report.variants)
        body = []
        for category in _rows(report):
            n = report.cell(report.variants[0], category).n
            tds = "".join(
                f'<td class="{report.differs(v, category, figure)}">'
                f"{esc(_value(report.cell(v, category), figure))}"
                f"{_MARK[report.differs(v, category, figure)]}</td>"
                for v in report.variants
            )
            cls = ' class="all"' if category == "all" else ""
            body.append(f'<tr{cls}><td class="cat">{esc(category)}</td><td>{n}</td>{tds}</tr>')
        tables.append(
            f'<h2>{esc(heading)}</h2><table data-figure="{figure}"><thead><tr><th>category</th>'
            f"<th>n</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
    failures = [o for o in report.outcomes if not o.passed]
    rows = "".join(
        f'<tr><td class="cat">{esc(o.variant)}</td><td class="cat">{esc(o.scenario)}</td>'
        f'<td class="cat">{esc(o.category)}</td><td class="cat">{esc(o.expected())}</td>'
        f'<td class="cat">{esc(o.account())}</td></tr>'
        for o in failures
    )
    failed = (
        "<h2>Scenarios not as expected</h2><table><thead><tr><th>variant</th><th>scenario</th>"
        f"<th>category</th><th>expected</th><th>got</th></tr></thead><tbody>{rows}</tbody></table>"
        if failures
        else "<h2>Scenarios not as expected</h2><p>None.</p>"
    )
    summary = "".join(f"<li>{esc(line)}</li>" for line in _summary_lines(report))
    data = esc(json.dumps({"variants": report.variants, "gate_failed": report.gate_failed}))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>end_conversation evaluation</title>"
        f'<style>{_CSS}</style></head><body data-report="{data}">'
        f"<h1>end_conversation evaluation</h1>{gate}<ul>{summary}</ul>"
        f'<p class="legend">{legend} — ▲ better, ▼ worse, ● changed, against'
        f" {esc(report.variants[0])}</p>"
        f'<div class="charts">{"".join(charts)}</div>{"".join(tables)}{failed}'
        "</body></html>\n"
    )
