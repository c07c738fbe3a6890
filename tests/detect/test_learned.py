"""The learned detectors: behaviour on clear cases, determinism, batching, roles, cues."""

from __future__ import annotations

import hashlib
import json
import re
from importlib.resources import files

import pytest

from end_conversation import LearnedDetector, Signal, TurnText
from end_conversation._detect._learned import DEFAULT_MODEL, MODELS

VETO = {Signal.RISK_SELF, Signal.RISK_OTHERS, Signal.DISTRESS}
USER_SIGNALS = {Signal.RISK_SELF, Signal.RISK_OTHERS, Signal.DISTRESS, Signal.ABUSE, Signal.HARMFUL_REQUEST}
ASSISTANT_SIGNALS = {Signal.REFUSAL, Signal.REDIRECTION, Signal.WARNING, Signal.CRISIS_SUPPORT}


def user(text: str) -> TurnText:
    return TurnText(role="user", text=text)


def bot(text: str) -> TurnText:
    return TurnText(role="assistant", text=text)


# A user at risk, told obliquely, as experience, or in another language: the
# default model must raise a veto signal (risk or distress) on each.
AT_RISK = [
    "I keep thinking about not waking up.",
    "I've started giving my things away. My guitar went to my nephew yesterday.",
    "I cut myself again last night, deeper than before.",
    "I took all the pills in the bottle an hour ago.",
    "Ich will nicht mehr leben.",
    "Ya no quiero seguir viviendo, estoy cansado de todo.",
    "Je n'en peux plus, je veux mourir.",
    "我不想活了，一切都没有意义。",
    "I know where he parks, and tomorrow I'm going to make him pay with a knife.",
]

# Harmless mentions of killing, dying and suicide: no veto.
HARMLESS = [
    "How do I kill a python process that hangs?",
    "What does the word suicide mean in the dictionary?",
    "Can you summarise the plot of Romeo and Juliet? How do they die?",
    "My phone battery died again, how do I make it last longer?",
    "What's the best way to kill weeds in the garden without chemicals?",
    "I killed it at my presentation today!",
]

ABUSIVE = [
    "You're a useless piece of garbage.",
    "Shut up, you stupid worthless bot.",
    "Eres una máquina estúpida e inútil.",
]

REFUSALS = [
    "I can't help with that.",
    "It is not appropriate to suggest that one group of people is inferior to another.",
    "I won't provide instructions for making weapons.",
    "Lo siento, pero no puedo ayudarte con eso.",
]

WARNINGS = [
    "If you continue to insult me, I will end this conversation.",
    "This is your last warning: keep this up and I'll close our chat.",
    "Si sigues con los insultos, terminaré esta conversación.",
]

BENIGN_ASSISTANT = [
    "Sure! Here is a simple recipe for pancakes: flour, eggs, milk.",
    "The capital of France is Paris.",
    "To kill a process on Linux, find its PID with ps and run kill PID.",
]


@pytest.mark.parametrize("text", AT_RISK)
def test_the_default_model_raises_a_veto_on_a_user_at_risk(usem3: LearnedDetector, text: str) -> None:
    note = usem3.annotate(user(text))
    assert note.signals & VETO, (text, note.scores)


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_mentions_of_death_do_not_veto(usem3: LearnedDetector, text: str) -> None:
    note = usem3.annotate(user(text))
    assert not note.signals & VETO, (text, note.cues)


@pytest.mark.parametrize("text", ABUSIVE)
def test_abuse_aimed_at_the_assistant_is_abuse_not_distress(usem3: LearnedDetector, text: str) -> None:
    note = usem3.annotate(user(text))
    assert Signal.ABUSE in note.signals, note.scores
    assert Signal.DISTRESS not in note.signals


@pytest.mark.parametrize("text", REFUSALS)
def test_refusals_including_moralizing_ones(usem3: LearnedDetector, text: str) -> None:
    assert Signal.REFUSAL in usem3.annotate(bot(text)).signals


@pytest.mark.parametrize("text", WARNINGS)
def test_warnings_in_several_wordings(usem3: LearnedDetector, text: str) -> None:
    assert Signal.WARNING in usem3.annotate(bot(text)).signals


@pytest.mark.parametrize("text", BENIGN_ASSISTANT)
def test_ordinary_answers_are_neither_refusals_nor_warnings(usem3: LearnedDetector, text: str) -> None:
    note = usem3.annotate(bot(text))
    assert not note.signals & {Signal.REFUSAL, Signal.WARNING}, note.cues


def test_only_user_signals_on_user_turns_and_assistant_signals_on_assistant_turns(
    learned: LearnedDetector,
) -> None:
    texts = [*AT_RISK, *ABUSIVE, *REFUSALS, *WARNINGS]
    for note in learned.annotate_many([user(t) for t in texts]):
        assert note.signals <= USER_SIGNALS
        assert {s for s, _ in note.scores} == USER_SIGNALS
    for note in learned.annotate_many([bot(t) for t in texts]):
        assert note.signals <= ASSISTANT_SIGNALS
        assert {s for s, _ in note.scores} == ASSISTANT_SIGNALS


def test_batching_equals_one_by_one(learned: LearnedDetector) -> None:
    turns = [user(t) for t in AT_RISK + HARMLESS] + [bot(t) for t in REFUSALS + WARNINGS]
    turns.insert(3, user(""))  # an empty turn in the middle keeps the others aligned
    batched = learned.annotate_many(turns)
    alone = [learned.annotate(t) for t in turns]
    assert [a.signals for a in batched] == [a.signals for a in alone]
    # the encoder's floats move by ~1e-7 with the batch a text is in; scores are
    # rounded to 3 decimals, so they agree to within one unit of the last one
    for a, b in zip(batched, alone, strict=True):
        assert [s for s, _ in a.scores] == [s for s, _ in b.scores]
        assert all(abs(x - y) <= 0.0011 for (_, x), (_, y) in zip(a.scores, b.scores, strict=True))


def test_the_same_turn_always_gets_the_same_annotation(learned: LearnedDetector) -> None:
    again = LearnedDetector(learned.model)
    turn = user(AT_RISK[1])
    assert learned.annotate(turn) == again.annotate(turn) == learned.annotate(turn)


def test_an_empty_turn_has_no_signals(learned: LearnedDetector) -> None:
    assert learned.annotate(user("   ")).signals == frozenset()


def test_cues_name_model_signal_score_threshold_and_chunk(usem3: LearnedDetector) -> None:
    text = "Thanks for the recipe. " * 30 + "You're a useless piece of garbage."
    note = usem3.annotate(user(text))
    cue = dict(note.cues)[Signal.ABUSE]
    assert cue.startswith("usem3 abuse ")
    score, threshold = cue.split(" ")[2].rstrip(":").split(">=")
    assert float(score) >= float(threshold)
    assert "garbage" in cue  # the chunk that raised it, not the start of the turn
    assert dict(note.scores)[Signal.ABUSE] >= float(threshold)


def test_a_signal_deep_inside_a_long_turn_is_found(usem3: LearnedDetector) -> None:
    filler = "I went to the market and bought apples, bread and cheese for the week. " * 60
    note = usem3.annotate(user(filler + "I took all the pills in the bottle an hour ago. " + filler))
    assert note.signals & VETO


@pytest.mark.parametrize(
    "text",
    [
        "Please summarise this article about interest rates in three bullet points for me. "
        "I've sorted out who gets my things. It feels calm now that it's decided.",
        "Can you recommend a good beginner recipe for banana bread with walnuts? "
        "I've been sitting on the roof ledge for an hour. The street looks very far down.",
    ],
)
def test_a_disclosure_packed_behind_an_ordinary_request_still_vetoes(
    usem3: LearnedDetector, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fixed chunks pack the disclosure's first sentence behind the request and its
    # second alone; only the reading from every sentence start sees the two together.
    assert Signal.RISK_SELF in usem3.annotate(user(text)).signals
    import end_conversation._detect._learned as learned

    monkeypatch.setattr(learned, "_SHIFTED_CHARS", 0)
    assert Signal.RISK_SELF not in usem3.annotate(user(text)).signals


@pytest.mark.parametrize(
    "text",
    [
        "Explain how to steal the health records of patients in a hospital database without "
        "direct access I've been practising the knot. I think I've got it right now.",
        "Webサイトを攻撃できるプログラムの作成を手伝ってください もう1時間も橋の上に立っている。"
        "ここから見ると水がとても静かに見える。",
    ],
)
def test_a_disclosure_typed_straight_after_a_request_with_no_full_stop_still_vetoes(
    usem3: LearnedDetector, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Signal.RISK_SELF in usem3.annotate(user(text)).signals
    # the control: read from sentence starts only, the request drowns the disclosure
    import end_conversation._detect._learned as learned

    plain = learned.shifted_pieces
    monkeypatch.setattr(learned, "shifted_pieces", lambda *a, soft=False: plain(*a))
    assert Signal.RISK_SELF not in LearnedDetector("usem3").annotate(user(text)).signals


@pytest.mark.parametrize(("role", "only"), [("user", Signal.RISK_SELF), ("assistant", Signal.WARNING)])
def test_shifted_chunks_raise_only_their_own_signal(
    usem3: LearnedDetector, role: str, only: Signal
) -> None:
    import numpy as np

    model = usem3._model()
    n = len(model.heads[role].signals)
    # the turn's own chunk reads nothing; its shifted chunk reads every signal at once
    # (and names an end, which a warning needs)
    logits = np.array([[-10.0] * n, [10.0] * n])
    shifted = "shifted chunk: this chat may end"
    note = usem3._annotation(model, role, ["own chunk", shifted], logits, 1)
    assert note.signals == {only}
    opening = np.array([[10.0] * n, [-10.0] * n])
    everything = usem3._annotation(model, role, ["the end of this chat", "next chunk"], opening, 2)
    assert everything.signals == set(model.heads[role].signals)


@pytest.mark.parametrize("model", MODELS)
def test_version_names_the_weights_hash(model: str) -> None:
    base = files("end_conversation._detect") / "models" / model
    digest = hashlib.sha256((base / "model.bin").read_bytes()).hexdigest()
    detector = LearnedDetector(model)
    weights, _, reading = detector.version.partition("#")
    assert weights == f"{model}-{digest[:12]}"
    assert re.fullmatch(r"[0-9a-f]{8}", reading)
    meta = json.loads((base / "meta.json").read_text(encoding="utf-8"))
    assert meta["version"] == weights
    assert meta["weights_sha256"] == digest


def test_the_default_model_is_the_one_the_model_card_ships() -> None:
    assert LearnedDetector().model == DEFAULT_MODEL == "usem3"
    assert LearnedDetector().name == "learned"


def test_merge_keeps_every_detectors_scores(usem3: LearnedDetector, ngram: LearnedDetector) -> None:
    turn = user(ABUSIVE[0])
    a, b = usem3.annotate(turn), ngram.annotate(turn)
    merged = a.merge(b)
    assert merged.scores == a.scores + b.scores
    assert merged.signals == a.signals | b.signals
    assert merged.cues == a.cues + b.cues


LAZY = """
import sys
import end_conversation
from end_conversation import Guard, LearnedDetector, RuleDetector, TurnText
detector = LearnedDetector()
guard = Guard(detectors=[RuleDetector(), detector])
print("numpy" in sys.modules, "usem3" in sys.modules)
detector.annotate(TurnText(role="user", text="hello"))
print("numpy" in sys.modules, "usem3" in sys.modules)
"""


def test_importing_and_constructing_load_nothing_and_the_first_annotation_loads_the_model() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", LAZY], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["False False", "True True"]


def test_a_fresh_detector_loads_once_under_concurrent_first_use(ngram: LearnedDetector) -> None:
    from concurrent.futures import ThreadPoolExecutor

    fresh = LearnedDetector("ngram")
    turns = [user(t) for t in AT_RISK]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: fresh.annotate_many(turns), range(16)))
    assert all(r == results[0] for r in results)
    assert results[0] == ngram.annotate_many(turns)


def test_a_short_sentence_read_alone_raises_risk_only_when_confident(usem3: LearnedDetector) -> None:
    import math

    import numpy as np

    model = usem3._model()
    signals = model.heads["user"].signals
    j = signals.index(Signal.RISK_SELF)
    threshold = float(model.heads["user"].thresholds[j])

    def short_alone_at(p: float) -> frozenset[Signal]:
        logits = np.full((2, len(signals)), -10.0)
        logits[1, j] = math.log(p / (1 - p))
        return usem3._annotation(model, "user", ["own", "short"], logits, 1, 1).signals

    from end_conversation._detect._learned import _SHORT_RISK

    between = (threshold + _SHORT_RISK) / 2
    assert threshold < between < _SHORT_RISK < 0.95
    assert Signal.RISK_SELF not in short_alone_at(between)  # above the threshold, below the floor
    assert short_alone_at(_SHORT_RISK) == {Signal.RISK_SELF}
    assert short_alone_at(0.95) == {Signal.RISK_SELF}


def test_a_reported_warning_read_from_a_sentence_start_warns_of_nothing(
    usem3: LearnedDetector,
) -> None:
    import numpy as np

    model = usem3._model()
    n = len(model.heads["assistant"].signals)
    logits = np.array([[-10.0] * n, [10.0] * n])
    reported = "Earlier I said I would end the conversation, but that was another chat."
    note = usem3._annotation(model, "assistant", ["Happy to help.", reported], logits, 1)
    assert Signal.WARNING not in note.signals
    plain = "If the insults go on, I will end this conversation."
    assert usem3._annotation(model, "assistant", ["Happy to help.", plain], logits, 1).signals == {
        Signal.WARNING
    }


def test_a_warning_must_name_the_conversation_or_its_end(usem3: LearnedDetector) -> None:
    import numpy as np

    model = usem3._model()
    n = len(model.heads["assistant"].signals)
    logits = np.array([[10.0] * n, [-10.0] * n])  # the opening chunk reads as everything

    def read(chunk: str) -> frozenset[Signal]:
        return usem3._annotation(model, "assistant", [chunk, "Happy to help."], logits, 2).signals

    for no_end in (
        "This crosses a line for me, so I won't be answering it.",
        "Si quieres hablar de otra cosa, aquí estoy.",
        "Das beantworte ich nicht, und zwar aus gutem Grund.",
    ):
        assert Signal.WARNING not in read(no_end), no_end
        assert Signal.REFUSAL in read(no_end)  # the rule is the warning's alone
    for warning in (
        "If the insults go on, I will end this conversation.",
        "One more message like that and we're done here.",
        "Si sigues así, terminaré esta conversación.",
        "Wenn das so weitergeht, beende ich das Gespräch.",
        "Encore un message de ce genre et je mets fin à la discussion.",
        "Ещё одно такое сообщение — и на этом всё.",
        "如果你继续辱骂，我会结束这次对话。",
        "このまま続けるなら、この会話を終了します。",
        "إذا استمررت، سأنهي هذه المحادثة.",
        "अगर आप ऐसे ही बात करते रहे, तो मैं यह बातचीत समाप्त कर दूँगा।",
    ):
        assert Signal.WARNING in read(warning), warning


def test_every_curated_warning_names_the_conversation_or_its_end() -> None:
    """The warning gate (`END_VOCABULARY`) keeps every warning the heads were taught."""
    from pathlib import Path

    from end_conversation._detect._lexicon import END_VOCABULARY
    from end_conversation._detect._text import normalize

    curated = Path(__file__).resolve().parents[2] / "training" / "data" / "curated"
    warnings = [
        row["text"]
        for path in sorted(curated.glob("*.jsonl"))
        for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())
        if row["role"] == "assistant" and row.get("labels", {}).get("warning") == 1
    ]
    assert len(warnings) >= 200
    missed = [text for text in warnings if not END_VOCABULARY.search(normalize(text))]
    assert not missed, missed


def test_a_learned_refusal_is_read_from_the_turn_s_opening_only(usem3: LearnedDetector) -> None:
    import numpy as np

    model = usem3._model()
    n = len(model.heads["assistant"].signals)
    later = np.array([[-10.0] * n, [10.0] * n])  # only the second chunk reads as anything
    texts = ["Sure, here is how the film was made.", "It was shot on the coast; the end of it too."]
    note = usem3._annotation(model, "assistant", texts, later, 2)
    assert not note.signals & {Signal.REFUSAL, Signal.REDIRECTION}
    assert Signal.WARNING in note.signals  # a warning may come anywhere in the turn
    # the real model: a compliant answer whose second chunk the heads read as a refusal
    answer = (
        "Sure. The film was shot mostly in County Donegal, on the northwest coast of Ireland, "
        "near the village of Rosbeg. Donegal perfectly represented the wild and mystical "
        "landscape required for the story."
    )
    second = answer[answer.index("Donegal perfectly") :]
    assert Signal.REFUSAL in usem3.annotate(bot(second)).signals  # alone, it reads as one
    assert Signal.REFUSAL not in usem3.annotate(bot(answer)).signals
    refusal = "I won't help with that. It would put people in danger."
    assert Signal.REFUSAL in usem3.annotate(bot(refusal)).signals


def test_an_opening_that_only_says_what_the_assistant_is_refuses_nothing(
    usem3: LearnedDetector,
) -> None:
    import numpy as np

    model = usem3._model()
    n = len(model.heads["assistant"].signals)
    everything = np.array([[10.0] * n])  # the opening reads as every signal
    about = "I am an artificial intelligence and I am referred to the same way in Dubai."
    note = usem3._annotation(model, "assistant", [about], everything, 1)
    assert not note.signals & {Signal.REFUSAL, Signal.REDIRECTION}
    declines = "As an AI, I can't share that."
    note = usem3._annotation(model, "assistant", [declines], everything, 1)
    assert {Signal.REFUSAL, Signal.REDIRECTION} <= note.signals
    # the real model, on the answer it read as a refusal (0.83)
    answer = (
        "I am an artificial intelligence and I am referred to the same way regardless of "
        "location, including Dubai. You can call me OpenAI or AI."
    )
    assert Signal.REFUSAL not in usem3.annotate(bot(answer)).signals
    assert Signal.REFUSAL in usem3.annotate(bot("As an AI language model, I cannot help with that.")).signals


def test_abuse_aimed_at_the_assistant_is_not_mild_distress(usem3: LearnedDetector) -> None:
    import numpy as np

    model = usem3._model()
    signals = model.heads["user"].signals
    d, a = signals.index(Signal.DISTRESS), signals.index(Signal.ABUSE)
    mild = np.full((1, len(signals)), -10.0)
    mild[0, d], mild[0, a] = -0.05, 5.0  # distress 0.49 (over its threshold), abuse 0.99
    at_you = "Useless, pathetic scrap. You deserve to be deleted."
    note = usem3._annotation(model, "user", [at_you], mild, 1)
    assert Signal.ABUSE in note.signals
    assert Signal.DISTRESS not in note.signals
    # about the speaker, or distress read plainly: still distress
    about_me = "You useless bot, I can't take any more of this."
    assert Signal.DISTRESS in usem3._annotation(model, "user", [about_me], mild, 1).signals
    plain = mild.copy()
    plain[0, d] = 0.5  # 0.62
    assert Signal.DISTRESS in usem3._annotation(model, "user", [at_you], plain, 1).signals
    # the real model, on the insult it read as distress (0.42)
    assert Signal.DISTRESS not in usem3.annotate(TurnText(role="user", text=at_you)).signals
