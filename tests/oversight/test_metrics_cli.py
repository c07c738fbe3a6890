"""Metrics (Prometheus text, OpenTelemetry) and the operator commands."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from end_conversation import AuditEvent, SQLiteStore
from end_conversation._cli import main
from end_conversation.metrics import compute_metrics, instrument, to_prometheus


def _trail(store: SQLiteStore) -> str:
    """A small history: two decisions, one end after 90 s, feedback, an overturn."""
    record = store.create(user_id="alice")
    store.append(
        record.id,
        [{"role": "user", "content": "x"}],
        events=[
            AuditEvent(
                kind="decision",
                conversation_id=record.id,
                decision="denied",
                reasons=("no_warning",),
                detail={"basis": "transcript"},
            ),
            AuditEvent(
                kind="decision",
                conversation_id=record.id,
                decision="honored",
                reasons=("persisted_after_warning",),
                detail={"basis": "recorded"},
            ),
        ],
    )
    store.end(
        record.id,
        verdict={"decision": "honored", "reasons": ["persisted_after_warning"]},
        notice="ended",
        events=[
            AuditEvent(
                kind="end",
                conversation_id=record.id,
                user_id="alice",
                decision="honored",
                detail={"end_reason": "abuse", "seconds_from_first_refusal": 90.0},
            )
        ],
    )
    return record.id


def test_metrics_from_the_trail(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "c.sqlite3")
    _trail(store)
    store.record(
        [
            AuditEvent(kind="feedback", detail={"kind": "unexpected_end"}),
            AuditEvent(kind="review_opened", detail={"origin": "feedback"}),
            AuditEvent(kind="review_decided", decision="overturned"),
        ]
    )
    m = compute_metrics(store.audit_trail())
    store.close()
    assert m.decisions == {"denied": 1, "honored": 1}
    assert m.rate("honored") == 0.5
    assert m.ends_by_reason == {"abuse": 1}
    assert m.seconds_to_end == (90.0,)
    assert m.overturn_rate == 1.0
    assert m.feedback_rate == 1.0
    text = to_prometheus(m)
    assert (
        'end_conversation_decisions_total{decision="honored",reason="persisted_after_warning"} 1'
        in text
    )
    assert 'end_conversation_decision_ratio{decision="denied"} 0.5' in text
    assert 'end_conversation_seconds_from_first_refusal_to_end_bucket{le="60"} 0' in text
    assert 'end_conversation_seconds_from_first_refusal_to_end_bucket{le="300"} 1' in text
    assert "end_conversation_seconds_from_first_refusal_to_end_sum 90" in text
    assert "end_conversation_review_overturn_ratio 1" in text
    assert 'end_conversation_decisions_by_basis_total{basis="recorded"} 1' in text
    # Every sample line is well formed: name{labels} value, under a TYPE line.
    sample = re.compile(r'^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+-]+$')
    for line in text.splitlines():
        assert line.startswith("#") or sample.match(line), line


def test_opentelemetry_instruments(tmp_path: Path) -> None:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    store = SQLiteStore(tmp_path / "c.sqlite3")
    _trail(store)
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    instrument(store, meter_provider=provider)
    data = reader.get_metrics_data()
    assert data is not None
    points = {
        (metric.name, tuple(sorted(p.attributes.items()))): p.value
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for metric in sm.metrics
        for p in metric.data.data_points
    }
    key = (
        "end_conversation.decisions",
        (("decision", "honored"), ("reason", "persisted_after_warning")),
    )
    assert points[key] == 1
    assert points["end_conversation.ends", (("reason", "abuse"),)] == 1
    assert points["end_conversation.seconds_from_first_refusal_to_end.p50", ()] == 90.0
    provider.shutdown()
    store.close()


def test_operator_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.sqlite3"
    store = SQLiteStore(path)
    cid = _trail(store)
    store.close()
    url = f"sqlite:///{path}"

    assert main(["audit", "show", "--store", url, "--format", "json", "--decision", "honored"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [r["kind"] for r in shown] == ["decision", "end"]
    assert main(["audit", "show", "--store", url, "--conversation", cid]) == 0
    assert "persisted_after_warning" in capsys.readouterr().out
    assert main(["audit", "show", "--store", url, "--since", "2999-01-01", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []

    assert main(["audit", "verify", "--store", url]) == 0
    verified = capsys.readouterr().out
    assert verified.startswith("OK: 3 records")
    head = verified.split()[-1]
    assert main(["audit", "verify", "--store", url, "--expect-head", head]) == 0
    capsys.readouterr()

    assert main(["feedback", cid, "--store", url, "--text", "I was joking"]) == 0
    assert "review" in capsys.readouterr().out
    assert main(["review", "list", "--store", url, "--format", "json"]) == 0
    (pending,) = json.loads(capsys.readouterr().out)
    assert pending["origin"] == "feedback"
    assert main(["review", "overturn", pending["id"], "--store", url, "--reviewer", "rita"]) == 0
    assert "is open" in capsys.readouterr().out
    assert main(["review", "uphold", pending["id"], "--store", url, "--reviewer", "rita"]) == 2
    assert "already overturned" in capsys.readouterr().err

    assert main(["metrics", "--store", url]) == 0
    assert "end_conversation_review_overturn_ratio 1" in capsys.readouterr().out
    assert main(["metrics", "--store", url, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["feedback_rate"] == 1.0

    with sqlite3.connect(path) as db:  # someone edits history
        db.execute("UPDATE audit SET decision = 'denied' WHERE kind = 'end'")
    assert main(["audit", "verify", "--store", url]) == 1
    assert "TAMPERED" in capsys.readouterr().out
    assert main(["audit", "verify", "--store", "nope://x"]) == 2
    assert "unknown store URL" in capsys.readouterr().err
