"""Render the held-out figures of both shipped models into MODEL_CARD.md.

    python -m training.report      # rewrites the section between the FIGURES markers

The figures come from each model's ``meta.json`` (written by ``training.train``),
so the card always matches the shipped weights.
"""

from __future__ import annotations

import json
import math
from typing import Any

from training.sources import ASSISTANT_SIGNALS, USER_SIGNALS
from training.train import MODELS_DIR, ROOT

CARD = ROOT / "MODEL_CARD.md"
BEGIN = "<!-- FIGURES:BEGIN (python -m training.report) -->"
END = "<!-- FIGURES:END -->"
MODELS = ("usem3", "ngram")
SIGNALS = (*USER_SIGNALS, *ASSISTANT_SIGNALS)


def _f(x: Any) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}"


def _meta(model: str) -> dict[str, Any]:
    return json.loads((MODELS_DIR / model / "meta.json").read_text(encoding="utf-8"))


def render() -> str:
    metas = {m: _meta(m) for m in MODELS}
    out: list[str] = []
    out.append("### Per signal, held-out split (all sources)\n")
    out.append("| signal | n+ / n− | " + " | ".join(f"{m} P | {m} R | {m} F1" for m in MODELS) + " |")
    out.append("|---|---|" + "---|---|---|" * len(MODELS))
    for s in SIGNALS:
        base = metas[MODELS[0]]["heldout"]["overall"].get(s)
        if not base:
            continue
        cells = []
        for m in MODELS:
            r = metas[m]["heldout"]["overall"].get(s, {})
            cells += [_f(r.get("precision")), _f(r.get("recall")), _f(r.get("f1"))]
        out.append(f"| {s} | {base['n_pos']} / {base['n_neg']} | " + " | ".join(cells) + " |")
    out.append("\nThresholds (chosen on the tune split): " + "; ".join(
        f"**{m}** " + ", ".join(f"{s} {metas[m]['thresholds'][s]:.2f}" for s in SIGNALS) for m in MODELS
    ) + ".\n")
    for key, title in (("by_lang", "language"), ("by_source", "source")):
        out.append(f"### F1 per {title}, held-out split (usem3 / ngram; recall in brackets)\n")
        groups = sorted(metas["usem3"]["heldout"][key])
        present = [s for s in SIGNALS if any(s in metas["usem3"]["heldout"][key][g] for g in groups)]
        out.append(f"| {title} | " + " | ".join(present) + " |")
        out.append("|---|" + "---|" * len(present))
        for g in groups:
            cells = []
            for s in present:
                a = metas["usem3"]["heldout"][key][g].get(s)
                b = metas["ngram"]["heldout"][key].get(g, {}).get(s)
                if not a:
                    cells.append("")
                    continue
                if a["n_pos"] == 0:
                    # negatives only: report the false-positive rate
                    cells.append(f"fpr {_f(a['fpr'])} / {_f(b['fpr']) if b else '–'}")
                else:
                    cells.append(
                        f"{_f(a['f1'])} ({_f(a['recall'])}) / "
                        + (f"{_f(b['f1'])} ({_f(b['recall'])})" if b else "–")
                    )
            out.append(f"| {g} | " + " | ".join(cells) + " |")
        out.append("")
    out.append("### Benign look-alikes, held-out split: share of user messages raising a veto signal\n")
    out.append("| set | n | usem3 veto | usem3 risk_self / risk_others / distress | ngram veto | ngram risk_self / risk_others / distress |")
    out.append("|---|---|---|---|---|---|")
    for name, a in metas["usem3"]["heldout"]["lookalikes"].items():
        b = metas["ngram"]["heldout"]["lookalikes"].get(name, {})
        out.append(
            f"| {name} | {a['n']} | {_f(a['veto_rate'])} | {_f(a['risk_self'])} / {_f(a['risk_others'])} / {_f(a['distress'])}"
            f" | {_f(b.get('veto_rate'))} | {_f(b.get('risk_self'))} / {_f(b.get('risk_others'))} / {_f(b.get('distress'))} |"
        )
    out.append("")
    out.append("Versions: " + ", ".join(f"`{metas[m]['version']}`" for m in MODELS)
               + "; rows fit / tune / held-out: " + " / ".join(str(metas["usem3"]["counts"][k]) for k in ("fit", "tune", "heldout")) + ".")
    return "\n".join(out) + "\n"


def main() -> int:
    text = CARD.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    CARD.write_text(head + BEGIN + "\n" + render() + END + tail, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
