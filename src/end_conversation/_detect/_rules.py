"""The default detector: multilingual phrase rules, no network, no model download."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache

from . import _lexicon as lx
from ._matcher import LiteralIndex, Matcher
from ._protocol import Annotation, Signal, TurnText
from ._text import is_negated, normalize, sentences, strip_quotes

__all__ = ["RuleDetector"]

_MODAL = re.compile(
    r"\b(?:i|we|i'll|i will|will|may|might|would|have to|need to|going to|must|can)\b"
    r"|(?:podria|pourrai|werde|muss|potrei|vou|posso|придется|буду)|(?:将|会|會|します)"
)


@dataclass(frozen=True, slots=True)
class _Compiled:
    index: LiteralIndex
    signals: dict[Signal, Matcher]
    parts: dict[str, Matcher]


@cache
def _compiled_all() -> _Compiled:
    # Compiled on first use, not at import; shared by every RuleDetector.
    index = LiteralIndex()
    signals = {signal: lx.compile_patterns(lex, index) for signal, lex in lx.LEXICON.items()}
    parts = {
        "warn_condition": lx.compile_patterns(lx.WARN_CONDITION, index),
        "warn_end": lx.compile_patterns(lx.WARN_END, index),
        "confirm_permanent": lx.compile_patterns(lx.CONFIRM_PERMANENT, index),
        "confirm_ask": lx.compile_patterns(lx.CONFIRM_ASK, index),
        "confirm_end": lx.compile_patterns(lx.CONFIRM_END_REF, index),
        "method_pain": lx.compile_patterns(lx.METHOD_PAIN, index),
    }
    return _Compiled(index=index, signals=signals, parts=parts)


def _compiled() -> dict[Signal, Matcher]:
    return _compiled_all().signals


def _parts() -> dict[str, Matcher]:
    return _compiled_all().parts


def _first_unnegated(
    pattern: Matcher,
    parts: list[str],
    present: frozenset[str],
    window: int = 4,
    *,
    about_me: bool = False,
) -> str | None:
    for sentence in parts:
        if about_me and not _speaks_of_self(sentence):
            continue
        for match in pattern.finditer(sentence, present):
            if not is_negated(sentence, match.start(), window=window):
                return match.group(0)
    return None


def _speaks_of_self(sentence: str) -> bool:
    """The sentence may be about the speaker: it has a first-person word, or it is not
    English (Spanish "quiero morir" or 想死 carry the first person in the verb or the
    phrase itself, so only English sentences need the pronoun)."""
    return not sentence.isascii() or bool(_ME.search(sentence)) or _ENGLISH.search(sentence) is None


# Words that mark a sentence as English (and are not words of the other languages).
_ENGLISH = re.compile(r"\b(?:the|what|how|why|does|did|of|and|this|that|with|was|are|an|to)\b")


# First-person words in the Latin-script languages the phrase rules cover.
_ME = re.compile(
    r"\b(?:i|i'm|im|i've|ive|i'd|i'll|me|my|myself|mine"
    r"|yo|mi|mis|me|conmigo|je|j|moi|mon|ma|mes|ich|mich|mir|mein\w*|eu|meu|minha|comigo"
    r"|io|mio|mia|ik|mij|mijn|ben|kendim\w*|aku|saya|toi|ja|mnie|jag|mig|jeg)\b"
)


def _first_in(pattern: Matcher, parts: list[str], present: frozenset[str]) -> str | None:
    for sentence in parts:
        match = pattern.search(sentence, present)
        if match is not None:
            return match.group(0)
    return None


def _first(pattern: Matcher, text: str, present: frozenset[str]) -> str | None:
    match = pattern.search(text, present)
    return match.group(0) if match else None


_CLAUSE = re.compile(r"[^,;:()]+")
_REPORTED_END = re.compile(r"\b(?:yesterday|last\s+time|before|previous|earlier|the\s+other)\b")
_INNER_NOT = re.compile(r"\b(?:not|never|no\s+longer)\b|n't\b")
# "Feels hopeless." "So lonely tonight." - a feeling with the subject left out.
_SUBJECTLESS = re.compile(r"(?:feel|feels|feeling|felt|been|so|just|always|still|really|too)\b")


def _aimed(text: str, start: int, end: int) -> bool:
    """A feeling word with "you" (or "bot", "ai") within three words of it."""
    # Three words either side lie well within a bounded window (keeps long turns linear).
    before = " ".join(text[max(0, start - 120) : start].split()[-3:])
    after = " ".join(text[end : end + 120].split()[:3])
    return bool(lx.AIMED_AT_YOU.search(before) or lx.AIMED_AT_YOU.search(after))


def _affect(parts: list[str], abuse: Matcher, present: frozenset[str]) -> str | None:
    """Broad distress: a sentence with a word of sadness, fear, pain or loss.

    Weak words ("sad", "scared", "terrible") count when the sentence is about the
    speaker ("i", "me", "my", or a subjectless "feels ..."); strong words
    ("hopeless", "numb", "lonely") count on their own. Skipped where the feeling
    is aimed at the assistant ("you're so depressing") or the sentence is abuse;
    negation is respected ("don't worry").
    """
    for sentence in parts:
        if abuse.search(sentence, present):
            continue
        cleaned = lx.NOT_AFFECT.sub(" ", sentence)
        about_me = bool(lx.FIRST_PERSON.search(cleaned) or _SUBJECTLESS.match(cleaned))
        for pattern, needs_me in ((lx.STRONG_AFFECT, False), (lx.AFFECT, True)):
            if needs_me and not about_me:
                continue
            for match in pattern.finditer(cleaned):
                if _aimed(cleaned, match.start(), match.end()):
                    continue
                if not is_negated(cleaned, match.start(), window=3):
                    return match.group(0)
    return None


# Turns the state net leaves alone: already flagged, or explained as something else.
_EXPLAINED = frozenset(
    {
        Signal.RISK_SELF,
        Signal.RISK_OTHERS,
        Signal.DISTRESS,
        Signal.HARMFUL_REQUEST,
    }
)


def _state_net(
    parts: list[str], present: frozenset[str], end_request: Matcher, abuse: Matcher
) -> str | None:
    """Safety net: a first-person statement of state or intent that is not a request.

    A turn with a request-shaped sentence ("how do I ...", "tell me ...") or a short
    yes/no answer is left to the other rules; a sentence asking to end the chat
    does not shield the rest of its turn ("I can't do this anymore. Just end it."),
    nor does an insult ("Fuck you. Nobody would notice if I was gone.").
    """
    own = [
        s
        for s in parts
        if end_request.search(s, present) is None and abuse.search(s, present) is None
    ]
    if any(lx.NET_REQUEST.match(s) for s in own):
        return None
    words = sum(len(s.split()) for s in parts)
    if words <= 6 and _first(_compiled()[Signal.AFFIRM], " ".join(parts), present):
        return None
    for sentence in own:
        if len(sentence.split()) < 3 or lx.NET_SECOND.search(sentence):
            continue
        if not lx.FIRST_PERSON.search(sentence):
            continue
        literal = lx.NET_IDIOM.sub(" ", sentence)
        match = lx.NET_STATE.search(literal)
        if match is not None and not is_negated(literal, match.start(), window=3):
            return match.group(0)
    return None


_REDIRECT_WORDS = 80

_REVISION = 3
"""The rules' logic; bumped when the code that applies the patterns changes."""


def _reading() -> str:
    from . import _text
    from ._fingerprint import fingerprint

    return fingerprint(_REVISION, lx, _text, sys.modules[__name__])


def _may_redirect(text: str, found: list[tuple[Signal, str]]) -> bool:
    """A long answer that refuses nothing is help, not a redirection: its friendly
    closing ("feel free to ask", "I'm here to help") must not start a refusal streak."""
    if any(s is Signal.REFUSAL for s, _ in found):
        return True
    return len(text.split()) <= _REDIRECT_WORDS


class RuleDetector:
    """Phrase rules over normalized text.

    Handles word boundaries, clause-scoped negation ("I don't want to die" is not a
    disclosure; "don't end this chat" is not a request), quoted speech (a quoted
    insult is not an insult), multi-sentence turns, and eleven languages for the
    safety-critical signals. Risk and distress are read from the whole text,
    quotes included: in doubt, the conversation continues.
    """

    name = "rules"
    """Recorded in verdicts."""

    def __init__(self, *, backstop: bool = False) -> None:
        self.backstop = backstop
        """Only the high-precision rules (beside a learned detector): risk and distress
        phrases count only in sentences about the speaker, and the broad nets (any
        word of sadness about oneself, any first-person statement of state) are off.
        Those nets fired on harmless mentions ("what does suicidal mean?", a long
        post about a budget that says "sad" once) and vetoed ends that qualified;
        the learned detector reads such turns as a whole instead."""
        self.version = f"{_REVISION}{'-backstop' if backstop else ''}#{_reading()}"
        """``<revision>[-backstop]#<digest>``: the revision is bumped when the rules'
        logic changes; the digest (`_fingerprint`) changes with any pattern, word list
        or bound they read with, so no changed rule is recorded under an old name."""

    def annotate(self, turn: TurnText) -> Annotation:
        """Annotate one turn."""
        text = normalize(turn.text)
        # One scan of the turn tells every matcher which of its branches can match.
        present = _compiled_all().index.scan(text)
        if turn.role == "user":
            found = self._user(text, present)
        else:
            found = self._assistant(text, present, refusal_stop=turn.refusal_stop)
        return Annotation(signals=frozenset(s for s, _ in found), cues=tuple(found))

    def _user(self, text: str, present: frozenset[str]) -> list[tuple[Signal, str]]:
        pats = _compiled()
        found: list[tuple[Signal, str]] = []
        parts = sentences(text)
        # Risk negation looks only two words back: "I don't think I can make it much
        # longer" is a disclosure, "I don't want to die" is not.
        for signal, window in (
            (Signal.RISK_SELF, 2),
            (Signal.RISK_OTHERS, 2),
            (Signal.DISTRESS, 3),
        ):
            cue = _first_unnegated(pats[signal], parts, present, window, about_me=self.backstop)
            if cue is None and signal is Signal.RISK_SELF:
                # a method's pain or speed, asked about the method: whoever it names
                cue = _first_unnegated(_parts()["method_pain"], parts, present, window)
            if cue is not None:
                found.append((signal, cue))
            elif signal is not Signal.DISTRESS:
                # A denied risk ("I'm not suicidal") is still no time to end a chat.
                denied = (
                    _first_in(pats[signal], [p for p in parts if _speaks_of_self(p)], present)
                    if self.backstop
                    else _first(pats[signal], text, present)
                )
                if denied is not None:
                    found.append((Signal.DISTRESS, denied))
        own = strip_quotes(text)
        own_parts = sentences(own)
        for signal in (Signal.ABUSE, Signal.HARMFUL_REQUEST):
            # Two words back only: "nobody cares what a stupid program thinks" is abuse.
            cue = _first_unnegated(pats[signal], own_parts, present, window=2)
            # "you're not stupid": the negation sits inside the matched phrase.
            if cue is not None and not (signal is Signal.ABUSE and _INNER_NOT.search(cue)):
                found.append((signal, cue))
        if not self.backstop and not any(s is Signal.DISTRESS for s, _ in found):
            cue = _affect(parts, pats[Signal.ABUSE], present)
            if cue is not None:
                found.append((Signal.DISTRESS, cue))
        request = self._end_request(own_parts, present)
        if request is not None:
            found.append((Signal.END_REQUEST, request))
        if not self.backstop and not {s for s, _ in found} & _EXPLAINED:
            cue = _state_net(own_parts, present, pats[Signal.END_REQUEST], pats[Signal.ABUSE])
            if cue is not None:
                found.append((Signal.DISTRESS, cue))
        for signal in (Signal.PAST_END, Signal.DECLINE):
            cue = _first(pats[signal], own, present)
            if cue is not None:
                found.append((signal, cue))
        if Signal.DECLINE not in {s for s, _ in found}:
            affirm = _first(pats[Signal.AFFIRM], own, present)
            if affirm is not None:
                found.append((Signal.AFFIRM, affirm))
        hostile = any(s in (Signal.ABUSE, Signal.HARMFUL_REQUEST) for s, _ in found)
        back_off = _first(pats[Signal.BACK_OFF], own, present)
        if back_off is not None and not hostile and not lx.PERSIST_MARKER.search(own):
            found.append((Signal.BACK_OFF, back_off))
        return found

    def _end_request(self, parts: list[str], present: frozenset[str]) -> str | None:
        pattern = _compiled()[Signal.END_REQUEST]
        for sentence in parts:
            # Where the first "if", "why did", "last time" ... ends: a request after it is
            # not one. Found once per sentence, not once per match (linear in length).
            marker = lx.NOT_A_REQUEST.search(sentence)
            marker_end = marker.end() if marker is not None else len(sentence) + 1
            for match in pattern.finditer(sentence, present):
                if marker_end <= match.start() or is_negated(sentence, match.start()):
                    continue
                after = sentence[match.end() :]
                if lx.NOT_A_REQUEST.search(after[:40]) and _REPORTED_END.search(after):
                    continue
                return match.group(0)
        return None

    def _assistant(
        self, text: str, present: frozenset[str], *, refusal_stop: bool
    ) -> list[tuple[Signal, str]]:
        pats = _compiled()
        found: list[tuple[Signal, str]] = []
        if refusal_stop:
            found.append((Signal.REFUSAL, "stop_reason=refusal"))
        own = strip_quotes(text)
        for signal in (Signal.REFUSAL, Signal.REDIRECTION, Signal.CRISIS_SUPPORT, Signal.SUPPORT):
            if signal is Signal.REFUSAL and refusal_stop:
                continue
            if signal is Signal.REDIRECTION and not _may_redirect(text, found):
                continue
            # A refusal is the assistant's own act: one it quotes (a character's line in
            # a story, "the bot replied 'I can't help'") refuses nothing. Crisis support
            # is read from the whole text: in doubt, the conversation continues.
            cue = _first(pats[signal], own if signal is Signal.REFUSAL else text, present)
            if cue is not None:
                found.append((signal, cue))
        own_parts = [s for s in sentences(own) if not lx.REPORTED.search(s)]
        warning = self._warning(own_parts, present)
        if warning is not None:
            found.append((Signal.WARNING, warning))
        confirm = self._confirm_question(" ".join(own_parts), present)
        if confirm is not None:
            found.append((Signal.CONFIRM_QUESTION, confirm))
        return found

    def _warning(self, parts: list[str], present: frozenset[str]) -> str | None:
        p = _parts()
        ends: list[str] = []
        conditional = False
        for sentence in parts:
            end = p["warn_end"].search(sentence, present)
            cond = p["warn_condition"].search(sentence, present)
            if end is not None and lx.WARN_NEGATED_END.search(sentence) is None:
                if cond is not None and not sentence.rstrip().endswith("?"):
                    return sentence
                ends.append(sentence)
            conditional = conditional or cond is not None
        if conditional:
            for sentence in ends:
                if _MODAL.search(sentence) and not sentence.rstrip().endswith("?"):
                    return sentence
        return None

    def _confirm_question(self, text: str, present: frozenset[str]) -> str | None:
        p = _parts()
        # A question that says the end is permanent: "This is permanent. Shall I go
        # ahead?" The rule asks more around it (an explicit request before, an
        # explicit yes after), so the end itself need not be named again here.
        permanent = p["confirm_permanent"].search(text, present)
        if permanent is None:
            return None
        if p["confirm_ask"].search(text, present) is None and "?" not in text:
            return None
        end = p["confirm_end"].search(text, present)
        return (end or permanent).group(0)
