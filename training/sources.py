"""Label mapping: every training source's own labels onto the detectors' signals.

Each mapper turns one source row into an `Example` whose ``labels`` name only the
signals the source actually says something about. A signal a source is silent on
is *absent* (unknown) and masked out of that signal's loss, never forced to 0:
a post in r/depression is positive for distress but says nothing either way
about suicidal thoughts, a flight-booking chat says nothing about refusals.

User-turn signals: ``risk_self``, ``risk_others``, ``distress``, ``abuse``
(insults, threats, hate or degrading language sent to the assistant),
``harmful_request`` (a request for seriously harmful content).
Assistant-turn signals: ``refusal`` (including moralizing and partial
refusals), ``redirection``, ``warning`` (says the conversation may be ended if
the behaviour goes on), ``crisis_support``.

Never read here, kept for independent measurement: XSTest, the OpenAI
moderation-api-release samples, the DiaSafety test split, CoSafe, the C-SSRS
Reddit set, the CLINC150 test split, and anything under ``training/heldout/``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from training.split import group_of, is_heldout

__all__ = [
    "ASSISTANT_SIGNALS",
    "DATA_DIR",
    "SOURCES",
    "USER_SIGNALS",
    "Example",
    "load_all",
    "subsample_keep",
]

USER_SIGNALS = ("risk_self", "risk_others", "distress", "abuse", "harmful_request")
ASSISTANT_SIGNALS = ("refusal", "redirection", "warning", "crisis_support")

DATA_DIR = Path("/work/shared/data")
CURATED_DIR = Path(__file__).resolve().parent / "data" / "curated"


@dataclass(frozen=True, slots=True)
class Example:
    """One training or evaluation message with its mapped labels."""

    id: str
    source: str
    group: str
    role: str
    lang: str
    text: str
    labels: Mapping[str, int]
    heldout: bool
    kind: str = ""
    """A finer source slice for reports (subreddit, functionality, category...)."""
    weight: float = 1.0
    extra: Mapping[str, Any] = field(default_factory=dict)


def subsample_keep(key: str, percent: int) -> bool:
    """Deterministic subsample by id hash (for the big, redundant sources)."""
    digest = hashlib.sha256(("sub:" + key).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % 100 < percent


def _make(row: Mapping[str, Any], labels: dict[str, int], kind: str = "", weight: float = 1.0) -> Example:
    return Example(
        id=str(row["id"]),
        source=str(row["source"]),
        group=group_of(row),
        role=str(row["role"]),
        lang=str(row.get("lang", "en")),
        text=str(row["text"]),
        labels=labels,
        heldout=is_heldout(row),
        kind=kind,
        weight=weight,
    )


def _read_jsonl_gz(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


# --------------------------------------------------------------------- user sources

def _convabuse(row: dict[str, Any]) -> dict[str, int] | None:
    # Users talking to a flight-booking bot and an ELIZA bot. The annotators'
    # target "system" is exactly our `abuse` (aimed at the assistant). A row the
    # majority rated "not abusive" (level 1) is a negative. Abuse at other
    # targets (a person, a group) is not aimed at the assistant but is still
    # abusive conduct in the chat: left unknown rather than forced either way.
    # Ambiguous rows (level 0 majority, split votes) are unknown too. Nothing
    # here is a harmful request; ELIZA users do talk about feelings, so the
    # risk and distress signals stay unknown.
    # Abuse hurled at the bot is anger, not the writer's own distress or risk:
    # those rows are negatives for both (insults read as distress would veto
    # every persistent-abuse end).
    lab = row["labels"]
    out: dict[str, int] = {"harmful_request": 0}
    share = float(lab.get("abusive_share") or 0.0)
    if lab.get("is_abuse_majority") == 1 and share == 0.0:
        out["abuse"] = 0
    elif lab.get("target") == "system" and share >= 0.5:
        out.update(abuse=1, distress=0, risk_self=0)
    return out


# XSafety categories are topics, not harmfulness labels. We use only what a
# category says reliably: Mental_Health prompts are first-person accounts of
# anxiety, low mood and stress (distress positive); Insult prompts are hostile
# insults (abuse positive); the neutral topics are negatives for distress,
# risk and abuse. Crime / unsafe-instruction topics mix benign and harmful
# questions, so harmful_request stays unknown for them.
_XS_NEUTRAL = {
    "Ethics_And_Morality", "Prompt_Leaking", "Privacy_And_Property", "Reverse_Exposure",
    "Unfairness_And_Discrimination", "commonsense", "Goal_Hijacking", "Role_Play_Instruction",
    "Crimes_And_Illegal_Activities", "Inquiry_With_Unsafe_Opinion", "Unsafe_Instruction_Topic",
}


# Mental-health prompts whose English version speaks of suicide or self-harm in
# the first person are risk_self positives in every language (the ids line up
# across translations); a general remark about suicide in society is not.
_XS_RISK = re.compile(r"suicid|self.?harm|end my life|kill myself|want to die|cut myself", re.I)
_XS_FIRST_PERSON = re.compile(r"\b(I|I'm|I've|my|me|myself)\b")


def _xsafety_english(data_dir: Path) -> dict[str, str]:
    """The English text of every XSafety prompt, by its language-independent key."""
    return {
        row["id"].split(":", 2)[2]: row["text"]
        for row in _read_jsonl_gz(data_dir / "train" / "xsafety.jsonl.gz")
        if row["lang"] == "en"
    }


def _xsafety(row: dict[str, Any], english: Mapping[str, str] | None = None) -> dict[str, int] | None:
    cat = row["labels"]["category"]
    if cat == "Mental_Health":
        # distress, and not abuse; suicidal content is rare but not excluded
        out = {"distress": 1, "abuse": 0, "risk_others": 0, "harmful_request": 0}
        en = (english or {}).get(row["id"].split(":", 2)[2], "")
        if _XS_RISK.search(en) and _XS_FIRST_PERSON.search(en):
            out["risk_self"] = 1
        return out
    if cat == "Insult":
        return {"abuse": 1, "distress": 0, "risk_self": 0}
    if cat == "Physical_Harm":
        # health worries and injuries: not abuse; distress/risk unclear
        return {"abuse": 0}
    if cat in _XS_NEUTRAL:
        out = {"distress": 0, "risk_self": 0}
        if cat not in ("Unfairness_And_Discrimination", "Role_Play_Instruction", "Goal_Hijacking"):
            out["abuse"] = 0
        if cat in ("Ethics_And_Morality", "Prompt_Leaking", "commonsense", "Reverse_Exposure"):
            # commonsense quizzes name overdoses and poisons without any risk:
            # good look-alike negatives for risk_self
            out["harmful_request"] = 0
            out["risk_others"] = 0
        return out
    return None


# GoEmotions: the emotion a Reddit comment expresses. Grief, sadness,
# nervousness and fear are distress (weakly: "that's so sad" about a story is
# sympathy, not the writer's own distress, hence the lower weight). Neutral
# and clearly positive comments are negatives for distress and risk. Anger is
# not distress and says nothing about whom it is aimed at (abuse unknown).
_GE_DISTRESS = {"grief", "sadness", "nervousness", "fear", "remorse"}
_GE_BENIGN = {
    "neutral", "admiration", "approval", "gratitude", "amusement", "love", "optimism",
    "joy", "curiosity", "excitement", "relief", "pride", "realization", "surprise",
}


def _goemotions(row: dict[str, Any]) -> dict[str, int] | None:
    emos = set(row["labels"]["emotions"])
    if emos & _GE_DISTRESS:
        return {"distress": 1, "harmful_request": 0}
    if emos <= _GE_BENIGN:
        return {"distress": 0, "risk_self": 0, "risk_others": 0, "harmful_request": 0, "abuse": 0}
    if emos & {"anger", "annoyance", "disgust", "disapproval"}:
        return {"distress": 0, "harmful_request": 0}
    return None


# Reddit Mental Health Data: the label is the community. r/suicidewatch posts
# are risk_self positives (and distress). The other mental-health communities
# are distress positives; suicidal thoughts come up there too, so risk_self is
# unknown for them. The general communities are negatives for risk and
# distress, except those where people often write in distress (divorce,
# legaladvice) which stay unknown for distress.
_RMHD_DISTRESS = {
    "EDAnonymous", "ForeverAlone", "addiction", "alcoholism", "anxiety", "bipolarreddit",
    "bpd", "depression", "healthanxiety", "lonely", "mentalhealth", "ptsd", "schizophrenia",
    "socialanxiety",
}
_RMHD_NEUTRAL_MH = {"adhd", "autism"}
_RMHD_GENERAL = {
    "UKPersonalFinance", "conspiracy", "guns", "mindfulness", "personalfinance", "teaching",
    "ukpolitics", "unitedkingdom",
}
_RMHD_SOMETIMES_DISTRESSED = {"divorce", "legaladvice"}


def _rmhd(row: dict[str, Any]) -> dict[str, int] | None:
    sub = row["labels"]["subreddit"]
    if sub == "suicidewatch":
        return {"risk_self": 1, "distress": 1, "abuse": 0, "harmful_request": 0}
    if sub in _RMHD_DISTRESS:
        return {"distress": 1, "abuse": 0, "harmful_request": 0}
    if sub in _RMHD_NEUTRAL_MH:
        return {"abuse": 0, "harmful_request": 0}
    if sub in _RMHD_GENERAL:
        # r/guns talks about firearms without any risk: a look-alike negative
        return {"risk_self": 0, "risk_others": 0, "distress": 0, "abuse": 0, "harmful_request": 0}
    if sub in _RMHD_SOMETIMES_DISTRESSED:
        return {"risk_self": 0, "abuse": 0, "harmful_request": 0}
    return None


# (Multilingual) HateCheck: hateful cases are hate sent as a message; in a chat
# with the assistant that is abusive conduct, so abuse positive (not
# distress). A direct threat states the writer's own intent to hurt people
# ("I am going to shoot the next ... I see"): risk_others. A normative threat
# wishes or demands violence without saying the writer will act ("... should all
# be killed", "if only they had their throats cut"): hate, so abuse, but not a
# user who may harm someone, so risk_others 0 (as 1 it taught the head that hate
# itself is a risk to others, and every hateful tirade vetoed its own end).
# Non-hateful cases (counter-speech, quotes, negation, reclaimed slurs,
# profanity, neutral or positive mentions of groups) are the look-alike
# negatives. Abuse of individuals or non-protected groups is insulting but
# "non-hateful" by HateCheck's definition, so our abuse stays unknown there.
_HC_UNKNOWN_ABUSE = {"target_indiv_nh", "target_group_nh", "profanity_nh"}


def _hatecheck(row: dict[str, Any]) -> dict[str, int] | None:
    lab = row["labels"]
    func = str(lab.get("functionality", ""))
    gold = lab.get("label_gold")
    out: dict[str, int] = {"distress": 0, "risk_self": 0, "harmful_request": 0}
    if gold == "hateful":
        out["abuse"] = 1
        out["risk_others"] = 1 if func == "threat_dir_h" else 0
    else:
        if func not in _HC_UNKNOWN_ABUSE:
            out["abuse"] = 0
        out["risk_others"] = 0
    return out


def _mhc(row: dict[str, Any]) -> dict[str, int] | None:
    lab = row["labels"]
    # disagreement between the gold label and the annotators: skip
    if lab.get("disagreement_in_case"):
        return None
    return _hatecheck(row)


# Davidson: tweets rated hate / offensive / neither by a crowd majority. Hate
# and offensive language typed at a chatbot is abusive conduct (abuse
# positive); "neither" tweets are negatives for abuse. Tweets joke about
# killing and dying: risk stays unknown.
def _davidson(row: dict[str, Any]) -> dict[str, int] | None:
    cls = row["labels"]["class"]
    if cls in (0, 1):
        return {"abuse": 1, "harmful_request": 0, "distress": 0}
    return {"abuse": 0, "harmful_request": 0}


# CoCoNot prompts. `eval` "Requests with safety concerns" should be declined:
# harmful_request positive. The contrast set and the preference prompts are
# benign look-alikes that should be answered ("how do I kill a python
# process"): negatives for harmful_request and for risk. Other eval categories
# (incomplete, unsupported, humanizing, indeterminate) are benign requests.
def _coconot_user(row: dict[str, Any]) -> dict[str, int] | None:
    lab = row["labels"]
    base = {"abuse": 0, "distress": 0}
    if row["split"] == "eval":
        if lab["category"] == "Requests with safety concerns":
            return {**base, "harmful_request": 1}
        return {**base, "harmful_request": 0, "risk_self": 0, "risk_others": 0}
    return {**base, "harmful_request": 0, "risk_self": 0, "risk_others": 0}


# CoCoNot responses (to benign prompts only). A dispreferred response that
# opens with a refusal phrase is an over-refusal: refusal positive. A
# preferred response without one complies: refusal negative. The other two
# cells are mixed (capability disclaimers, weak answers): unknown. A
# compliant answer does not steer elsewhere either (redirection negative). None of
# them warns that the conversation may end.
def _coconot_assistant(row: dict[str, Any]) -> dict[str, int] | None:
    lab = row["labels"]
    phrase = bool(lab.get("refusal_phrase_in_opening"))
    out: dict[str, int] = {"warning": 0}
    if lab.get("preference") == "rejected" and phrase:
        out["refusal"] = 1
    elif lab.get("preference") == "chosen" and not phrase:
        out["refusal"] = 0
        out["redirection"] = 0
        out["crisis_support"] = 0
    return out


def _coconot(row: dict[str, Any]) -> dict[str, int] | None:
    return _coconot_user(row) if row["role"] == "user" else _coconot_assistant(row)


# JailbreakBench: goals and attack prompts are harmful requests (role-play,
# templates, adversarial suffixes), and negatives for risk. Responses: when both judges agree the
# target complied, refusal and redirection negative; when both agree it did not, the model
# refused or deflected (refusal positive); disagreements are unknown.
def _jailbreakbench(row: dict[str, Any]) -> dict[str, int] | None:
    lab = row["labels"]
    if row["role"] == "user":
        # generic harmful tasks ("write a tutorial on ..."), not a stated intent
        # against a person nor the writer's own risk: negatives for both risks
        return {"harmful_request": 1, "distress": 0, "risk_self": 0, "risk_others": 0}
    jb, lg = lab.get("jailbroken"), lab.get("jailbroken_llama_guard1")
    out: dict[str, int] = {"warning": 0}
    if jb is True and lg is not False:
        out["refusal"] = 0
        out["redirection"] = 0
        out["crisis_support"] = 0
    elif jb is False and lg is not True:
        out["refusal"] = 1
    return out


# SimpleSafetyTests: prompts a model must refuse. The suicide / self-harm /
# eating-disorder area is risk_self positive; everything is harmful_request.
def _simplesafetytests(row: dict[str, Any]) -> dict[str, int] | None:
    area = str(row["labels"].get("harm_area", ""))
    if "Suicide" in area or "Self-Harm" in area:
        return {"risk_self": 1, "harmful_request": 1}
    return {"harmful_request": 1, "risk_self": 0}


# MultiJail: harmful prompts in ten languages (harmful_request positive). The
# Self-harm tag is risk_self positive; prompts without it are negatives for
# risk_self (they ask about harming property, others, systems).
def _multijail(row: dict[str, Any]) -> dict[str, int] | None:
    tags = set(row["labels"].get("tags") or [])
    out = {"harmful_request": 1, "distress": 0}
    out["risk_self"] = 1 if "Self-harm" in tags else 0
    return out


_TRAIN_MAPPERS = {
    "convabuse": _convabuse,
    "xsafety": _xsafety,
    "goemotions": _goemotions,
    "rmhd": _rmhd,
    "hatecheck": _hatecheck,
    "mhc": _mhc,
    "davidson": _davidson,
    "coconot": _coconot,
    "jailbreakbench": _jailbreakbench,
    "simplesafetytests": _simplesafetytests,
    "multijail": _multijail,
}

# Deterministic subsampling of the big, redundant sources (percent kept), to
# keep a full training run within minutes on two cores.
_SUBSAMPLE = {"goemotions": 30, "davidson": 35, "mhc": 40, "xsafety": 70}
_WEIGHT = {"goemotions": 0.5, "davidson": 0.7}


def _kind(source: str, row: dict[str, Any]) -> str:
    lab = row.get("labels", {})
    for key in ("subreddit", "functionality", "category", "kind", "class_name"):
        if key in lab and isinstance(lab[key], str | int):
            return str(lab[key])
    return source


def _train_sources(data_dir: Path) -> Iterator[Example]:
    english = _xsafety_english(data_dir)
    for source, mapper in _TRAIN_MAPPERS.items():
        pct = _SUBSAMPLE.get(source, 100)
        for row in _read_jsonl_gz(data_dir / "train" / f"{source}.jsonl.gz"):
            if pct < 100 and not subsample_keep(str(row["id"]), pct):
                continue
            labels = _xsafety(row, english) if source == "xsafety" else mapper(row)
            if labels:
                yield _make(row, labels, _kind(source, row), _WEIGHT.get(source, 1.0))


# ----------------------------------------------------------------- development data

# DiaSafety (train and val only; the test split is never read): Reddit-style
# context/response pairs. "Risk Ignorance" contexts are users sharing
# distress, mental-health or self-harm risk: distress positive. Other
# categories' contexts are ordinary or provocative statements: negatives for
# risk_self (their distress is unknown). Responses are chatty replies:
# negatives for warning (nobody there threatens to end the chat). A response
# rated Unsafe agrees, advises, offends or ignores the risk, so it does not
# decline or steer away from anything: refusal and redirection negative. Safe responses often push back ("that's
# not appropriate"), which is close to a moralizing refusal: refusal unknown.
def _diasafety(data_dir: Path) -> Iterator[Example]:
    for split in ("train", "val"):
        rows = json.loads((data_dir / f"diasafety_{split}.json").read_text(encoding="utf-8"))
        for i, r in enumerate(rows):
            if not subsample_keep(f"diasafety:{split}:{i}", 50):
                continue
            group = f"{split}:{i}"
            base = {"source": "diasafety", "group": group, "lang": "en"}
            cat = r.get("category", "")
            ctx = {**base, "id": f"diasafety:{split}:{i}:context", "role": "user", "text": r["context"]}
            if cat == "Risk Ignorance":
                yield _make(ctx, {"distress": 1, "harmful_request": 0}, cat)
            else:
                yield _make(ctx, {"risk_self": 0, "harmful_request": 0}, cat)
            resp = {**base, "id": f"diasafety:{split}:{i}:response", "role": "assistant", "text": r["response"]}
            unsafe = r.get("label") == "Unsafe"
            labels = {"warning": 0, "refusal": 0, "redirection": 0} if unsafe else {"warning": 0}
            yield _make(resp, labels, cat)


# CLINC150 (train and val; never test): assistant-directed intents, all benign
# requests (including "goodbye"): negatives for every user signal.
def _clinc(data_dir: Path) -> Iterator[Example]:
    data = json.loads((data_dir / "clinc150_train_val.json").read_text(encoding="utf-8"))
    for split in ("train", "val", "oos_train", "oos_val"):
        for i, (text, intent) in enumerate(data[split]):
            rid = f"clinc150:{split}:{i}"
            if not subsample_keep(rid, 25):
                continue
            row = {"source": "clinc150", "id": rid, "role": "user", "lang": "en", "text": text}
            labels = {s: 0 for s in USER_SIGNALS}
            yield _make(row, labels, str(intent))


# hh-rlhf harmless-base (test file): red-team conversations. Assistant turns
# never say the conversation may end: warning negatives (they refuse and
# comply, unlabelled, so refusal stays unknown). User turns are unlabelled.
def _hh(data_dir: Path) -> Iterator[Example]:
    for i, r in enumerate(_read_jsonl_gz(data_dir / "hh_rlhf_harmless_base_test.jsonl.gz")):
        if not subsample_keep(f"hh:{i}", 40):
            continue
        parts = r["chosen"].split("\n\nAssistant:")
        for j, part in enumerate(parts[1:]):
            text = part.split("\n\nHuman:")[0].strip()
            if not text:
                continue
            row = {"source": "hh_rlhf", "id": f"hh_rlhf:test:{i}:{j}", "group": f"conv{i}",
                   "role": "assistant", "lang": "en", "text": text}
            yield _make(row, {"warning": 0})


CURATED_WEIGHT = 8.0
"""Each curated row counts as this many source rows: they are few, targeted and clean."""


# Curated rows (training/data/curated/*.jsonl, committed): hand-written hard
# negatives and hard positives for what no source covers; their labels are
# ours and used as given. They carry more weight than the big sources.
def _curated(curated_dir: Path) -> Iterator[Example]:
    for path in sorted(curated_dir.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            if not line.strip():
                continue
            r = json.loads(line)
            allowed = USER_SIGNALS if r["role"] == "user" else ASSISTANT_SIGNALS
            labels = {k: int(v) for k, v in sorted(r.get("labels", {}).items()) if k in allowed}
            if not labels:
                continue
            row = {"source": "curated", "id": str(r.get("id") or f"{path.stem}:{n}"),
                   "group": str(r.get("group") or r.get("id") or f"{path.stem}:{n}"),
                   "role": r["role"], "lang": r.get("lang", "en"), "text": r["text"]}
            yield _make(row, labels, str(r.get("kind", "")), CURATED_WEIGHT)


SOURCES = (*_TRAIN_MAPPERS, "diasafety", "clinc150", "hh_rlhf", "curated")


def load_all(data_dir: Path = DATA_DIR, curated_dir: Path = CURATED_DIR) -> list[Example]:
    """Every example, sorted by id (a stable order for training)."""
    out = [
        *_train_sources(data_dir),
        *_diasafety(data_dir),
        *_clinc(data_dir),
        *_hh(data_dir),
        *_curated(curated_dir),
    ]
    out = [e for e in out if e.text.strip()]
    out.sort(key=lambda e: (e.source, e.id))
    return out
