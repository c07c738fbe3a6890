"""The pages, as Python string templates: every value from the store goes through
`html.escape`. No scripts, no external files."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from .._store import AuditRecord, ConversationRecord, Feedback, Review
from ..metrics import BUCKETS, Metrics
from . import _charts
from ._auth import Principal
from ._data import ChainStatus, Queue, Trends, Turn, over_time
from ._explain import ORIGINS, SIGNALS, explain

__all__ = [
    "audit_page",
    "conversation_page",
    "error_page",
    "login_page",
    "metrics_page",
    "queue_page",
    "review_page",
]

esc = html.escape

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#f6f6f8}
header{background:#23305a;color:#fff;padding:.6em 1.2em;display:flex;gap:1.4em;align-items:center}
header a{color:#fff;text-decoration:none}header a.on{text-decoration:underline}
header .who{margin-left:auto;font-size:13px;opacity:.85}
main{max-width:1100px;margin:1em auto;padding:0 1em}
.chain{font-size:13px;padding:.4em .8em;border-radius:4px;margin:.6em 0;word-break:break-all}
.chain.ok{background:#e3f4e6;border:1px solid #9fd3a9}
.chain.checking{background:#fff3b0;border:1px solid #e0a800}
.chain.bad{background:#fbe0e0;border:1px solid #d88;font-weight:600}
table{border-collapse:collapse;width:100%;background:#fff;font-size:14px}
th,td{border-bottom:1px solid #e3e3e8;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#eef0f6}
.counts span{display:inline-block;margin-right:1em;padding:.2em .6em;background:#fff;
border:1px solid #ccd;border-radius:12px}
.chat{display:flex;flex-direction:column;gap:.5em;margin:1em 0}
.msg{max-width:78%;padding:.55em .8em;border-radius:10px;background:#fff;border:1px solid #dde;
white-space:pre-wrap}
.msg.user{align-self:flex-start}.msg.assistant{align-self:flex-end;background:#eef3ff}
.msg.evidence{background:#fff3b0;border:2px solid #e0a800}
.msg .meta{font-size:12px;color:#555;white-space:normal}
.msg .call{font-family:ui-monospace,monospace;font-size:13px;color:#4a3a00}
.sig{display:inline-block;font-size:12px;padding:0 .45em;margin:.15em .2em 0 0;border-radius:8px;
background:#e6e8f0;white-space:normal}
.sig.risk{background:#c44e52;color:#fff}
.reasons li{margin:.2em 0}code{background:#eef0f6;padding:0 .25em;border-radius:3px}
form.decide{background:#fff;border:1px solid #ccd;padding:.8em;margin:.6em 0;border-radius:6px}
textarea{width:100%;min-height:4em;font:inherit}
.error{background:#fbe0e0;border:1px solid #d88;padding:.5em .8em;border-radius:4px}
.notice{background:#e3f4e6;border:1px solid #9fd3a9;padding:.5em .8em;border-radius:4px}
.muted{color:#666}.state{font-weight:700;padding:.1em .5em;border-radius:4px;background:#eef0f6}
.state.ended{background:#fbe0e0}.state.open{background:#e3f4e6}.state.review{background:#fff3b0}
.charts{display:flex;flex-wrap:wrap;gap:1em}
figure.chart-box{background:#fff;border:1px solid #dde;padding:.6em;margin:0;border-radius:6px}
figcaption{font-weight:600;margin-bottom:.3em}
.legend .key{margin-right:.8em;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
form.filters input,form.filters select{margin-right:.6em}
button{font:inherit;padding:.3em .9em}
"""


def iso(at: float | None) -> str:
    """A time as people read it (UTC)."""
    return "" if at is None else datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _chain(status: ChainStatus | None) -> str:
    if status is None:
        return ""
    head = (
        f"head record {status.head_seq}, hash <code>{esc(status.head_hash)}</code>"
        " (note it down: a later check against it detects a rewritten trail)"
    )
    if status.problems is None:
        return (
            f'<div class="chain checking" data-chain="checking">Audit chain: being verified'
            f" (reload in a moment); {head}</div>"
        )
    checked = f"verified through record {status.checked_seq} at {esc(iso(status.checked_at))}"
    if status.intact:
        return (
            f'<div class="chain ok" data-chain="intact">Audit chain intact: {checked}; {head}</div>'
        )
    listed = "; ".join(
        (f"record {p.seq}: " if p.seq is not None else "") + p.problem for p in status.problems[:5]
    )
    more = f" (and {len(status.problems) - 5} more)" if len(status.problems) > 5 else ""
    return (
        f'<div class="chain bad" data-chain="tampered">AUDIT CHAIN TAMPERED — {esc(listed)}{more};'
        f" {checked}; {head}</div>"
    )


def layout(
    title: str,
    body: str,
    *,
    principal: Principal | None,
    chain: ChainStatus | None = None,
    active: str = "",
    csrf: str = "",
    tokens_required: bool = True,
) -> str:
    """The page around a body: navigation, who is signed in, the chain's status."""
    nav = "".join(
        f'<a href="{href}"{" class=on" if key == active else ""}>{label}</a>'
        for key, href, label in (
            ("queue", "/", "Review queue"),
            ("audit", "/audit", "Audit trail"),
            ("metrics", "/metrics", "Metrics"),
        )
    )
    who = ""
    if principal is not None:
        role = "reviewer (may decide)" if principal.may_decide else "read-only"
        who = f'<span class="who">{esc(principal.identity)} · {role}'
        if tokens_required and csrf:
            who += (
                '<form method="post" action="/logout" style="display:inline;margin-left:.6em">'
                f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
                '<button type="submit">Sign out</button></form>'
            )
        who += "</span>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)} · end-conversation console</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<header><strong>end-conversation</strong>{nav}{who}</header>"
        f"<main>{_chain(chain)}<h1>{esc(title)}</h1>{body}</main></body></html>\n"
    )


def _link(cid: str | None) -> str:
    if not cid:
        return ""
    return f'<a href="/conversations/{esc(quote(cid, safe=""))}">{esc(cid[:12])}</a>'


# ---------------------------------------------------------------- queue
def _end_reason(record: AuditRecord) -> str:
    given = record.detail.get("end_reason")
    return str(given) if given else ("by review" if record.detail.get("by_review") else "")


def queue_page(q: Queue) -> str:
    """The home page: what waits for a person, oldest first."""
    counts = q.counts()
    badges = "".join(
        f'<span data-kind="{k}">{esc(k)}: <strong>{n}</strong></span>' for k, n in counts.items()
    )
    if q.pending:
        rows = "".join(
            f'<tr class="item" data-origin="{esc(r.origin)}"><td>{esc(iso(r.created_at))}</td>'
            f"<td>{esc(r.origin)}</td><td>{esc(ORIGINS.get(r.origin, ''))}"
            f"<br><span class=muted>{esc(r.reason)}</span></td>"
            f"<td>{esc(r.user_id or '')}</td><td>{_link(r.conversation_id)}</td>"
            f'<td><a class="open" href="/reviews/{esc(r.id)}">Open review</a></td></tr>'
            for r in q.pending
        )
        table = (
            "<table><thead><tr><th>opened</th><th>kind</th><th>why it is here</th><th>user</th>"
            f"<th>conversation</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
        )
    else:
        table = (
            '<p class="empty">Nothing is waiting for review.'
            + (
                " To look at an end anyway, open it under Recent ends and put it up for review."
                if q.ends
                else ""
            )
            + "</p>"
        )
    flags = ""
    if q.flags:
        rows = "".join(
            f'<tr class="flag"><td>{esc(iso(r.at))}</td><td>'
            f'<a href="/audit?{urlencode({"user": r.user_id or ""})}">{esc(r.user_id or "")}</a>'
            f"</td><td>{esc(str(r.detail.get('ended_in_window', '')))} conversations ended within"
            f" {esc(str(round(float(r.detail.get('window_seconds', 0)) / 86400, 1)))} days</td>"
            f"<td>{_link(r.conversation_id)}</td></tr>"
            for r in q.flags
        )
        flags = (
            "<h2>Circumvention flags</h2><p class=muted>Users whose conversations keep being"
            " ended (recorded only; open their trail to look).</p><table><thead><tr><th>when</th>"
            "<th>user</th><th>what</th><th>latest end</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    ends = ""
    if q.ends:
        rows = "".join(
            f'<tr class="recent-end"><td>{esc(iso(r.at))}</td><td>{_link(r.conversation_id)}</td>'
            f"<td>{esc(r.user_id or '')}</td>"
            f"<td>{esc(_end_reason(r))}</td><td>{esc(', '.join(r.reasons))}</td></tr>"
            for r in reversed(q.ends)
        )
        ends = (
            "<h2>Recent ends</h2><p class=muted>Open one to read it; a reviewer can put any end"
            " up for review from its page.</p><table><thead><tr><th>ended</th>"
            "<th>conversation</th><th>user</th><th>reason given</th><th>reason codes</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    return (
        f'<p class="counts">{badges}</p><h2>Pending reviews (oldest first)</h2>{table}'
        "<p class=muted>Open a review to read the conversation, then uphold or overturn it"
        f" with a note.</p>{flags}{ends}"
    )


# ---------------------------------------------------------------- transcript
def _chat(turns: Sequence[Turn]) -> str:
    parts = []
    for t in turns:
        chips = []
        for signal in t.signals:
            cue = "; ".join(c for s, c in t.cues if s == str(signal) and c)
            label = f"{signal.value}: {SIGNALS.get(signal, '')}"
            risk = " risk" if signal.value in ("risk_self", "risk_others", "distress") else ""
            chips.append(
                f'<span class="sig{risk}" data-signal="{esc(signal.value)}">{esc(label)}'
                + (f" — “{esc(cue)}”" if cue else "")
                + "</span>"
            )
        calls = "".join(f'<div class="call">{esc(c)}</div>' for c in t.calls)
        evidence = " evidence" if t.evidence else ""
        marker = " · <strong>evidence</strong>" if t.evidence else ""
        parts.append(
            f'<div class="msg {esc(t.role)}{evidence}" data-index="{t.index}" id="m{t.index}">'
            f'<div class="meta">#{t.index} {esc(t.role)}{marker}</div>{esc(t.text)}{calls}'
            f'<div class="meta">{"".join(chips)}</div></div>'
        )
    return f'<div class="chat">{"".join(parts)}</div>'


def _state(record: ConversationRecord, pending: Sequence[Review]) -> str:
    if record.ended and pending:
        return '<span class="state review" data-state="locked">ended — locked under review</span>'
    if record.ended:
        return '<span class="state ended" data-state="ended">ended</span>'
    if pending:
        return (
            '<span class="state review" data-state="open-review">open — an end awaits review</span>'
        )
    return '<span class="state open" data-state="open">open</span>'


def _versions(verdict: Mapping[str, Any]) -> str:
    versions = verdict.get("versions") or {}
    if not isinstance(versions, dict) or not versions:
        return "<p class=muted>No versions recorded.</p>"
    rows = "".join(
        f"<tr><th>{esc(str(k))}</th><td><code>{esc(str(v))}</code></td></tr>"
        for k, v in sorted(versions.items())
    )
    return f'<table class="versions">{rows}</table>'


def _feedback(items: Sequence[Feedback]) -> str:
    if not items:
        return "<p class=muted>No feedback from the user.</p>"
    return (
        "<ul>"
        + "".join(
            f'<li class="feedback"><strong>{esc(f.kind)}</strong> ({esc(iso(f.at))}):'
            f" “{esc(f.text)}”</li>"
            for f in items
        )
        + "</ul>"
    )


def review_page(
    review: Review,
    record: ConversationRecord,
    turns: Sequence[Turn],
    feedback: Sequence[Feedback],
    *,
    principal: Principal,
    csrf: str,
    error: str = "",
    note: str = "",
    reviewer: str = "",
) -> str:
    """One review: the conversation with its evidence, the reasons in plain words,
    the versions, the feedback, and the two decisions."""
    verdict = review.verdict or record.end_verdict or {}
    reasons = [str(r) for r in verdict.get("reasons", ())]
    evidence = [int(i) for i in verdict.get("evidence", ())]
    reason_list = (
        "".join(
            f'<li data-reason="{esc(r)}"><code>{esc(r)}</code> — {esc(explain(r))}</li>'
            for r in reasons
        )
        or "<li class=muted>No reason codes recorded.</li>"
    )
    what_upholding_does = {
        "escalated": "Uphold ends the conversation now (after checking again that the user"
        " shows no sign of risk or distress). Overturn leaves it open.",
    }.get(
        review.origin,
        "Uphold keeps the conversation ended. Overturn unlocks it: the user can write again.",
    )
    summary = str(verdict.get("summary") or "")
    waiting = [review] if review.status == "pending" else []
    head = (
        f"<p>{esc(ORIGINS.get(review.origin, review.origin))}"
        f" Opened {esc(iso(review.created_at))}; user {esc(review.user_id or '(none)')};"
        f" conversation {_link(record.id)} is {_state(record, waiting)}."
        "</p>"
        + (
            f"<p>Reason given by the model: <strong>{esc(str(verdict.get('end_reason') or ''))}"
            f"</strong>{' — ' + esc(summary) if summary else ''}</p>"
            if verdict
            else ""
        )
        + f"<p>Review reason: {esc(review.reason)}</p>"
    )
    if review.status != "pending":
        decided = (
            f'<p class="notice" data-status="{esc(review.status)}">This review was'
            f" <strong>{esc(review.status)}</strong> by {esc(review.reviewer or '')} at"
            f" {esc(iso(review.decided_at))}: “{esc(review.note)}”</p>"
        )
        forms = decided
    elif not principal.may_decide:
        forms = (
            '<p class="notice" data-readonly="1">You are signed in read-only: a reviewer'
            " token is needed to uphold or overturn.</p>"
        )
    else:
        forms = (
            f"<p>{esc(what_upholding_does)}</p>"
            f'<form class="decide" method="post" action="/reviews/{esc(review.id)}/decide">'
            f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
            '<label>Your name (recorded) <input name="reviewer" required maxlength="100"'
            f' value="{esc(reviewer)}"></label><br>'
            "<label>Note: why (required, recorded in the audit trail)<br>"
            f'<textarea name="note" required maxlength="2000">{esc(note)}</textarea></label><br>'
            '<button type="submit" name="outcome" value="upheld">Uphold</button> '
            '<button type="submit" name="outcome" value="overturned">Overturn</button>'
            "</form>"
        )
    if error:
        forms = f'<p class="error" role="alert">{esc(error)}</p>{forms}'
    chat = _chat(turns) if turns else "<p class=muted>No messages stored.</p>"
    return (
        f"{head}<h2>Decision</h2>{forms}"
        f'<h2>Why</h2><ul class="reasons">{reason_list}</ul>'
        f"<p>Evidence: messages {esc(', '.join(str(i) for i in evidence) or 'none')}"
        " (highlighted below, with what the detectors saw in each).</p>"
        f"<h2>Conversation</h2>{chat}"
        f"<h2>The user's feedback</h2>{_feedback(feedback)}"
        f"<h2>What decided it</h2>{_versions(verdict)}"
    )


# ---------------------------------------------------------------- conversation
def _audit_rows(records: Sequence[AuditRecord]) -> str:
    rows = []
    for r in records:
        detail = json.dumps(r.detail, ensure_ascii=False, sort_keys=True)
        rows.append(
            f'<tr class="record" data-seq="{r.seq}" data-kind="{esc(r.kind)}"><td>{r.seq}</td>'
            f"<td>{esc(iso(r.at))}</td><td>{esc(r.kind)}</td><td>{_link(r.conversation_id)}</td>"
            f"<td>{esc(r.user_id or '')}</td><td>{esc(r.decision or '')}</td>"
            f"<td>{esc(', '.join(r.reasons))}</td><td>{esc(', '.join(map(str, r.evidence)))}</td>"
            f'<td class="detail"><code>{esc(detail[:400])}</code></td></tr>'
        )
    return (
        "<table><thead><tr><th>seq</th><th>time</th><th>kind</th><th>conversation</th>"
        "<th>user</th><th>decision</th><th>reasons</th><th>evidence</th><th>detail</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def conversation_page(
    record: ConversationRecord,
    turns: Sequence[Turn],
    records: Sequence[AuditRecord],
    reviews: Sequence[Review],
    children: Sequence[str],
    *,
    flash: str = "",
    csrf: str = "",
    may_decide: bool = False,
) -> str:
    """A conversation: its state, its branches, its messages and every audit record."""
    pending = [r for r in reviews if r.status == "pending"]
    parent = (
        f"<li>branched from {_link(record.parent_id)} after {record.branched_at} messages</li>"
        if record.parent_id
        else "<li>an original conversation (not a branch)</li>"
    )
    kids = "".join(f'<li class="child">branch {_link(c)}</li>' for c in children)
    kids = kids or "<li class=muted>no branches</li>"
    tree = f'<ul class="tree">{parent}<li><strong>this one</strong><ul>{kids}</ul></li></ul>'
    review_links = "".join(
        f'<li><a href="/reviews/{esc(r.id)}">{esc(r.origin)} review</a>: {esc(r.status)}'
        f"{' by ' + esc(r.reviewer or '') if r.reviewer else ''}</li>"
        for r in reviews
    )
    ended = (
        f"<p>Ended at {esc(iso(record.ended_at))}. The user saw: “{esc(record.notice or '')}”</p>"
        if record.ended
        else ""
    )
    flash_html = f'<p class="notice" role="status">{esc(flash)}</p>' if flash else ""
    if record.ended and not pending and may_decide:
        target = f"/conversations/{quote(record.id, safe='')}/review"
        ended += (
            f'<form class="request" method="post" action="{esc(target)}">'
            f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
            '<label>Why it should be looked at (optional) <input name="reason" size="50"'
            ' maxlength="200"></label> <button type="submit">Put this end up for review</button>'
            "</form>"
        )
    return (
        f"{flash_html}<p>State: {_state(record, pending)} · user {esc(record.user_id or '(none)')}"
        f" · created {esc(iso(record.created_at))} · {record.message_count} messages</p>{ended}"
        f"<h2>Branches</h2>{tree}"
        f"<h2>Reviews</h2><ul>{review_links or '<li class=muted>none</li>'}</ul>"
        f"<h2>Messages</h2>{_chat(turns) if turns else '<p class=muted>none</p>'}"
        f"<h2>Audit records ({len(records)})</h2>{_audit_rows(records)}"
    )


# ---------------------------------------------------------------- audit
KINDS = (
    "decision",
    "end",
    "branch",
    "review_opened",
    "review_decided",
    "unlock",
    "feedback",
    "circumvention",
    "refused",
)
DECISIONS = ("honored", "denied", "escalated", "upheld", "overturned")


def audit_page(
    records: Sequence[AuditRecord],
    filters: Mapping[str, str],
    *,
    limit: int,
    older: int | None,
    error: str = "",
) -> str:
    """The audit trail, newest first, filtered and paged."""

    def select(name: str, options: Sequence[str]) -> str:
        opts = "".join(
            f'<option value="{esc(o)}"{" selected" if filters.get(name) == o else ""}>'
            f"{esc(o or 'any')}</option>"
            for o in ("", *options)
        )
        return f'<label>{name} <select name="{name}">{opts}</select></label>'

    def text(name: str, hint: str) -> str:
        return (
            f'<label>{name} <input name="{name}" value="{esc(filters.get(name, ""))}"'
            f' placeholder="{esc(hint)}" size="14"></label>'
        )

    form = (
        '<form class="filters" method="get" action="/audit">'
        f"{text('user', 'user id')}{text('conversation', 'conversation id')}"
        f"{select('kind', KINDS)}{select('decision', DECISIONS)}"
        f"{text('since', '2026-01-31T12:00')}{text('until', 'ISO 8601 or epoch')}"
        f'<input type="hidden" name="limit" value="{limit}"><button type="submit">Filter</button>'
        "</form>"
    )
    err = f'<p class="error" role="alert">{esc(error)}</p>' if error else ""
    kept = {k: v for k, v in filters.items() if v}
    paging = ['<a href="/audit?' + esc(urlencode({**kept, "limit": limit})) + '">newest</a>']
    if older is not None:
        paging.append(
            '<a class="older" href="/audit?'
            + esc(urlencode({**kept, "limit": limit, "before_seq": older}))
            + '">older records →</a>'
        )
    shown = (
        f"<p>{len(records)} records shown, newest first"
        f" (records {records[-1].seq}–{records[0].seq})."
        if records
        else "<p>No records match."
    )
    return f"{form}{err}{shown} {' · '.join(paging)}</p>{_audit_rows(records)}"


# ---------------------------------------------------------------- metrics
def metrics_page(m: Metrics, trends: Trends) -> str:
    """Charts of the trend, the reasons, the rates, and what shadow mode would have ended."""
    ends_series = sorted({k for c in trends.ends_by_hour.values() for k in c})
    shadow_series = sorted(trends.shadow_by_reason)
    by_reason = sorted(m.decisions_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
    denials = [(r, n) for (d, r), n in by_reason if d == "denied"]
    decided = sum(m.reviews_decided.values())
    rates = [
        ("overturned reviews", m.overturn_rate),
        ("feedback per end", min(1.0, m.feedback_rate)),
        ("honored decisions", m.rate("honored")),
        ("denied decisions", m.rate("denied")),
        ("escalated decisions", m.rate("escalated")),
    ]
    seconds = list(m.seconds_to_end)
    histogram = []
    low = 0.0
    for bound in BUCKETS:
        histogram.append(
            (f"≤ {_duration(bound)}", float(sum(1 for s in seconds if low < s <= bound)))
        )
        low = bound
    histogram.append((f"> {_duration(BUCKETS[-1])}", float(sum(1 for s in seconds if s > low))))
    if not seconds:
        histogram = []
    p50, p90 = m.percentile(50), m.percentile(90)
    charts = [
        _charts.columns(
            "ends_over_time",
            "Ends over time, by the reason given",
            over_time(trends.ends_by_hour),
            ends_series,
        ),
        _charts.bars(
            "decisions_by_reason",
            "Decisions by reason code (decision / first reason)",
            [(f"{d} / {r}", float(n)) for (d, r), n in by_reason],
        ),
        _charts.bars(
            "denial_reasons",
            "Why calls were denied",
            [(r, float(n)) for r, n in denials],
            colour=_charts.COLOURS[3],
        ),
        _charts.bars("rates", "Rates", rates, percent=True, colour=_charts.COLOURS[2]),
        _charts.bars(
            "time_to_end",
            "Time from the first refusal to the end (conversations)",
            histogram,
            colour=_charts.COLOURS[4],
        ),
    ]
    shadow_rows = "".join(
        f"<tr><td>{esc(iso(r.at))}</td><td>{_link(r.conversation_id)}</td>"
        f"<td>{esc(r.user_id or '')}</td><td>{esc(str(r.detail.get('end_reason', '')))}</td>"
        f"<td>{esc(', '.join(x for x in r.reasons if x != 'shadow_mode'))}</td></tr>"
        for r in reversed(trends.shadow_recent)
    )
    total_shadow = sum(trends.shadow_by_reason.values())
    shadow = (
        f'<section class="shadow"><h2>Shadow mode: what would have ended</h2>'
        f"<p>{total_shadow} calls would have ended their conversation had enforcement been on"
        " (nothing was ended). Read a few before switching enforcement on.</p>"
        + _charts.columns(
            "shadow_over_time",
            "Would-be ends over time, by reason",
            over_time(trends.shadow_by_hour),
            shadow_series,
        )
        + (
            "<table><thead><tr><th>when</th><th>conversation</th><th>user</th><th>reason</th>"
            f"<th>why it qualified</th></tr></thead><tbody>{shadow_rows}</tbody></table>"
            if shadow_rows
            else ""
        )
        + "</section>"
    )
    figures = (
        f"<p>{m.decision_total} decisions · {m.ends} ends · {decided} reviews decided"
        f" ({100 * m.overturn_rate:.1f}% overturned) · {sum(m.feedback.values())} feedback items"
        f" · {m.circumvention} circumvention flags · median time from first refusal to end"
        f" {_duration(p50) if p50 is not None else '—'}, 90th percentile"
        f" {_duration(p90) if p90 is not None else '—'}</p>"
    )
    return f'{figures}<div class="charts">{"".join(charts)}</div>{shadow}'


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 7200:
        return f"{seconds / 60:g} min"
    if seconds < 172800:
        return f"{seconds / 3600:g} h"
    return f"{seconds / 86400:g} d"


# ---------------------------------------------------------------- login and errors
def login_page(nonce: str, *, error: str = "") -> str:
    """The sign-in form (a token, kept in an HttpOnly cookie afterwards)."""
    err = f'<p class="error" role="alert">{esc(error)}</p>' if error else ""
    return (
        f"{err}<p>This console needs a token. Paste the one you were given (a read-only token"
        " lets you look; a reviewer token also lets you decide).</p>"
        '<form method="post" action="/login">'
        f'<input type="hidden" name="nonce" value="{esc(nonce)}">'
        '<label>Token <input type="password" name="token" required autocomplete="off"></label> '
        '<button type="submit">Sign in</button></form>'
    )


def error_page(message: str) -> str:
    """A plain error message."""
    return (
        f'<p class="error" role="alert">{esc(message)}</p><p><a href="/">Back to the queue</a></p>'
    )
