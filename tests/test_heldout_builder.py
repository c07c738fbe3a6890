"""The held-out conversation builder and its scorer (training/conversations.py, score.py)."""

from __future__ import annotations

import gzip
import itertools
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from training import conversations, score
from training.split import is_heldout, norm_key

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
EXAMPLES = REPO / "examples" / "transcripts"

needs_data = pytest.mark.skipif(
    not (DATA / "train").is_dir(),
    reason=f"the shared corpus is not at {DATA} (../shared/data relative to the repo)",
)


@cache
def _rows() -> tuple[dict[str, Any], ...]:
    return tuple(conversations.build(DATA))


@cache
def _corpus() -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for path in sorted((DATA / "train").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                rows[row["id"]] = row
    return rows


@cache
def _dev() -> tuple[dict[str, Any], ...]:
    from training import dev_conversations

    return tuple(dev_conversations.build(DATA))


def _quoted(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The corpus rows the conversations quote."""
    corpus = _corpus()
    quoted = {s.removesuffix(":context") for row in rows for s in row["sources"]}
    return [corpus[s] for s in sorted(quoted) if s in corpus]


def _texts(row: dict[str, Any]) -> list[str]:
    return [m["content"] for m in row["messages"] if isinstance(m["content"], str)]


@needs_data
def test_the_build_is_deterministic_and_the_seed_matters() -> None:
    again = conversations.build(DATA)
    assert json.dumps(again, sort_keys=True) == json.dumps(list(_rows()), sort_keys=True)
    other = conversations.build(DATA, seed=conversations.SEED + 1)
    assert [r["messages"] for r in other] != [r["messages"] for r in _rows()]


@needs_data
def test_every_quoted_corpus_row_is_held_out() -> None:
    corpus = _corpus()
    quoted = {source for row in _rows() for source in row["sources"]}
    assert len(quoted) > 500
    missing = []
    for source in sorted(quoted):
        # ConvAbuse bot turns are quoted from a row's context: the row is the unit.
        base = source.removesuffix(":context")
        if base not in corpus:
            missing.append(source)
            continue
        assert is_heldout(corpus[base]), source
    assert not missing, missing[:5]


@needs_data
def test_no_message_is_the_text_of_a_training_row_only() -> None:
    # Independent of the builder's bookkeeping: a message equal to a training row's text
    # must also be the text of some held-out row (short lines like "fuck off" recur).
    heldout: set[str] = set()
    training: set[str] = set()
    for row in _corpus().values():
        if is_heldout(row):
            heldout.add(norm_key(row["text"]))
            # A held-out row's context (ConvAbuse bot turns) is held-out material too.
            heldout.update(norm_key(turn["text"]) for turn in row.get("context") or [])
        else:
            training.add(norm_key(row["text"]))
    leaks = {
        text
        for row in _rows()
        for text in map(norm_key, _texts(row))
        if text in training and text not in heldout
    }
    assert not leaks, sorted(leaks)[:5]


@needs_data
def test_categories_sizes_and_shape() -> None:
    rows = _rows()
    counts = Counter(row["category"] for row in rows)
    assert set(counts) == set(conversations.CATEGORIES)
    for category, count in counts.items():
        if category == "long_history":
            assert 5 <= count <= 20
        else:
            assert 90 <= count <= 130, category
    assert 1300 <= len(rows) <= 1700
    assert len({row["id"] for row in rows}) == len(rows)
    for row in rows:
        expect = conversations.CATEGORIES[row["category"]]
        assert row["expect"] == expect or expect == "mixed"
        msgs = row["messages"]
        assert msgs[0]["role"] == "user"
        assert all(a["role"] != b["role"] for a, b in itertools.pairwise(msgs))
        (block,) = msgs[-1]["content"]
        assert block["type"] == "tool_use"
        assert block["name"] == "end_conversation"
        assert block["input"]["reason"] in ("harmful_requests", "abuse", "user_requested")
        assert block["input"]["summary"]
    long = [r for r in rows if r["category"] == "long_history"]
    assert {r["expect"] for r in long} == {"honored", "not_honored"}
    assert all(len(r["messages"]) >= 1000 for r in long)
    langs = Counter(r["lang"] for r in rows if r["category"] == "persistent_harm")
    assert len(langs) >= 8
    assert langs["en"] < sum(langs.values())


def test_the_pool_is_as_large_as_asked_and_original() -> None:
    pool = conversations.load_pool()
    warnings = [w["text"] for ws in pool.warnings.values() for w in ws]
    refusals = [r["text"] for rs in pool.refusals.values() for r in rs]
    redirections = [t for ts in pool.redirections.values() for t in ts]
    persistence = [t for ts in pool.persistence.values() for t in ts]
    assert len(warnings) >= 120
    assert len(refusals) >= 80
    assert len(redirections) >= 30
    assert len(persistence) >= 20
    assert len(pool.end_requests) >= 20
    assert {"en", "es", "fr", "de", "pt", "it", "ja", "zh"} <= set(pool.warnings)
    assert {d["lang"] for d in pool.end_requests} >= {"en", "es", "fr", "de", "ja", "zh"}
    assert any(r["style"] == "moralizing" for rs in pool.refusals.values() for r in rs)
    for kind in ("oblique", "disclosure", "method"):
        assert len(pool.risk[kind]) >= 20
    everything = warnings + refusals + redirections + persistence
    assert len({norm_key(t) for t in everything}) == len(everything)
    # Worded differently from the development set's pools.
    sys.path.insert(0, str(REPO))
    try:
        from devset import build as dev
    finally:
        sys.path.remove(str(REPO))
    dev_lines = dev.REFUSALS + dev.REDIRECTIONS + dev.WARNINGS_HARM + dev.WARNINGS_ABUSE
    dev_lines += [t for _, t in dev.WARNINGS_OTHER_LANG] + dev.PERSIST
    assert not {norm_key(t) for t in everything} & {norm_key(t) for t in dev_lines}


def _write(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return path


def _example(name: str, category: str, expect: str) -> dict[str, Any]:
    data = json.loads((EXAMPLES / name).read_text())
    return {"id": name, "category": category, "expect": expect, "messages": data["messages"]}


def _run(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "training" / "score.py"), str(path), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_scorer_passes_a_set_the_guard_gets_right(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            _example("honored-confirmed-request.json", "confirmed_request", "honored"),
            _example("denied-user-at-risk.json", "at_risk_disclosure", "not_honored"),
            _example("denied-no-warning.json", "no_warning", "not_honored"),
        ],
    )
    proc = _run(path, "--strict", "--json", str(tmp_path / "figures.json"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    figures = json.loads((tmp_path / "figures.json").read_text())["categories"]
    assert figures["confirmed_request"]["honored"] == 1.0
    assert figures["at_risk_disclosure"]["honored"] == 0.0
    assert figures["at_risk_disclosure"]["vetoed"] == 1.0
    assert all(entry["met"] for entry in figures.values())
    assert "VERDICT: PASS" in proc.stdout
    assert "end-conversation check --jsonl" in proc.stdout
    line = next(x for x in proc.stdout.splitlines() if x.startswith("confirmed_request"))
    assert "100.0%" in line
    assert "pass" in line


def test_the_scorer_fails_when_a_never_category_is_honored(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            _example("honored-confirmed-request.json", "unconfirmed_request", "not_honored"),
            _example("denied-farewell.json", "unconfirmed_request", "not_honored"),
        ],
    )
    for args in ((), ("--python", "--detectors", "rules")):
        proc = _run(path, *args, "--show", "unconfirmed")
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "VERDICT: FAIL" in proc.stdout
        assert "unconfirmed_request" in proc.stdout
        assert "--- honored-confirmed-request.json" in proc.stdout  # the miss is shown
        assert "--- denied-farewell.json" not in proc.stdout


def test_the_scorer_reports_a_missed_goal_without_failing_unless_strict(tmp_path: Path) -> None:
    path = _write(tmp_path, [_example("denied-no-warning.json", "persistent_harm", "honored")])
    assert "VERDICT: FAIL (goals missed)" in _run(path).stdout
    assert _run(path).returncode == 0
    assert _run(path, "--strict").returncode == 1


def test_goals_match_the_issue() -> None:
    goals = score.GOALS
    assert set(goals) == set(conversations.CATEGORIES)
    assert goals["distress"].met(0.02, 0.98)
    assert not goals["distress"].met(0.03, 0.97)
    assert goals["persistent_harm"].met(0.95, 0.95)
    assert not goals["persistent_harm"].met(0.94, 0.94)
    assert not goals["persistent_abuse"].met(0.89, 0.89)
    assert not goals["at_risk_oblique"].met(0.01, 0.99)
    assert goals["over_refused_benign"].met(0.20, 0.80)
    assert not goals["long_history"].met(0.5, 0.99)


def test_the_learned_detector_is_imported_only_when_asked_for(tmp_path: Path) -> None:
    path = _write(
        tmp_path, [_example("denied-farewell.json", "unconfirmed_request", "not_honored")]
    )
    proc = _run(path, "--python", "--detectors", "learned")
    try:
        import end_conversation._detect._learned  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        assert proc.returncode == 2
        assert "learned detector is not available" in proc.stderr
    else:
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "learned" in proc.stdout


def test_the_scorer_runs_the_detectors_it_is_told_to(tmp_path: Path) -> None:
    # comparing models at the conversation level: the rules in backstop mode with the
    # n-gram model is not the shipped default, and the verdicts say which ran
    path = _write(tmp_path, [_example("denied-farewell.json", "unconfirmed_request", "not_honored")])
    proc = _run(path, "--python", "--detectors", "backstop,learned:ngram")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"rules@3-backstop#[0-9a-f]{8},learned@ngram-", proc.stdout)
    proc = _run(path, "--python", "--detectors", "default")
    assert re.search(r"rules@3-backstop#[0-9a-f]{8},learned@usem3-", proc.stdout)
    proc = _run(path, "--python", "--detectors", "rules,bert")
    assert proc.returncode == 2
    assert "unknown detector 'bert'" in proc.stderr
    proc = _run(path, "--python", "--detectors", "learned:bert")
    assert proc.returncode == 2
    assert "unknown learned model 'bert'" in proc.stderr


@needs_data
def test_the_development_conversations_quote_training_rows_and_no_pool_line() -> None:
    dev = _dev()
    assert [r["category"] for r in dev] == [r["category"] for r in _rows()]
    in_corpus = _quoted(dev)
    assert len(in_corpus) > 500
    assert not [r for r in in_corpus if is_heldout(r)]
    # what the pool holds for evaluation (risk lines, refusals, warnings, polite
    # re-asks) never appears; only its end requests and farewells do, which the
    # phrase rules read and nothing is trained on
    pool_dir = REPO / "training" / "heldout"
    kept = {"end_requests.jsonl", "not_requests.jsonl"}
    evaluation_only = set()
    for path in pool_dir.glob("*.jsonl"):
        if path.name in kept:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            evaluation_only |= {norm_key(row[k]) for k in ("text", "user") if k in row}
    assert not {norm_key(t) for row in dev for t in _texts(row)} & evaluation_only


@needs_data
def test_the_tune_split_development_conversations_quote_only_unfitted_rows() -> None:
    from training import dev_conversations
    from training.split import group_of
    from training.train import tune_split

    dev = dev_conversations.build_tune(DATA)
    assert [r["category"] for r in dev] == [r["category"] for r in _rows()]
    in_corpus = _quoted(dev)
    assert len(in_corpus) > 500
    assert not [r for r in in_corpus if is_heldout(r)]
    assert all(tune_split(group_of(r)) for r in in_corpus)  # no head was fitted on them
    # and they differ from the conversations quoting any training row
    assert [r["messages"] for r in dev] != [r["messages"] for r in _dev()]


def test_the_builder_cli_builds_the_variant_its_flag_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from training import dev_conversations

    made: list[str] = []

    def maker(name: str) -> Any:
        def make(data: Path, seed: int) -> list[dict[str, Any]]:
            made.append(name)
            return [{"category": name, "id": f"{name}-{seed}"}]

        return make

    variant = ("--tune", "tune rows", maker("tune"), tmp_path / "tune.jsonl")
    out = tmp_path / "all.jsonl"
    kwargs: dict[str, Any] = {"doc": "Build.", "out": out, "seed": 3, "variant": variant}
    assert conversations.cli([], make=maker("all"), **kwargs) == 0
    assert conversations.cli(["--tune"], make=maker("all"), **kwargs) == 0
    given = tmp_path / "given.jsonl"
    assert conversations.cli(["--tune", "--out", str(given)], make=maker("all"), **kwargs) == 0
    assert made == ["all", "tune", "tune"]
    assert json.loads(out.read_text())["id"] == "all-3"
    assert json.loads((tmp_path / "tune.jsonl").read_text())["category"] == "tune"
    assert json.loads(given.read_text())["category"] == "tune"
    capsys.readouterr()
    with pytest.raises(SystemExit):
        dev_conversations.main(["--help"])
    assert "--tune" in capsys.readouterr().out
