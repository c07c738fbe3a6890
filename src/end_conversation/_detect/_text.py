"""Text preparation shared by the rule detector: normalization, sentences, quotes, negation."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["is_negated", "normalize", "sentences", "strip_quotes"]

_PUNCT = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u300c": '"',
        "\u300d": '"',
        "\u300e": '"',
        "\u300f": '"',
        "\u00df": "ss",
        "\u0131": "i",
        "\u0130": "i",
        "\u2014": " - ",
        "\u2013": " - ",
        "\u00a0": " ",
    }
)
_SPACES = re.compile(r"[ \t\r\f\v]+")


def _strip_latin_marks(text: str) -> str:
    # Accents are dropped from Latin letters only ("conversación" -> "conversacion",
    # "müde" -> "mude"); kana and other scripts keep their marks, because dropping a
    # dakuten changes the word.
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch) and out and ord(out[-1][-1]) < 0x0250:
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def normalize(text: str) -> str:
    """Lower-case, unify quotes and apostrophes, drop Latin accents, collapse spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_PUNCT).lower()
    if not text.isascii():
        text = _strip_latin_marks(text)
    return _SPACES.sub(" ", text).strip()


_SENTENCE = re.compile(r"[^.!?;\n。！？]+(?:[.!?;。！？]+|\n+|$)")


def sentences(text: str) -> list[str]:
    """Split normalized text into sentences (Latin and CJK punctuation, line breaks)."""
    found = [s.strip() for s in _SENTENCE.findall(text)]
    return [s for s in found if s]


_QUOTED = re.compile(r'"[^"\n]{1,400}"|(?<!\w)\'[^\'\n]{2,200}\'(?!\w)|```.*?```', re.DOTALL)


def strip_quotes(text: str) -> str:
    """Remove quoted spans: words the user quotes are not words the user says."""
    return _QUOTED.sub(" ", text)


_CLAUSE_BREAK = re.compile(
    r"[,:()\-]|\b(?:but|and|so|because|though|although|however|pero|mais|aber|mas|ma|"
    r"maar|но|а)\b|[但可]"
)
_NEGATOR = re.compile(
    r"(?:\b(?:not|no|never|dont|cant|wont|cannot|nothing|nobody|hardly|"
    r"nunca|jamas|ne|pas|nicht|nie|kein\w*|nao|non|mai|niet|nooit|geen|не|нет|никогда)\b"
    r"|n't\b|[不没沒别別])"
)


_LOOKBACK = 240
"""Characters before a match that negation and clause breaks are looked for in."""


def is_negated(sentence: str, start: int, *, window: int = 4) -> bool:
    """True if a negator stands in the same clause within `window` words before `start`."""
    # Only the last few words matter, so only a bounded stretch before `start` is
    # read: scanning the whole prefix for every match made long turns quadratic.
    before = sentence[max(0, start - _LOOKBACK) : start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    tail = " ".join(before.split()[-window:])
    if not tail.isascii() and " " not in tail:
        tail = tail[-3:]  # unspaced scripts: look at the last few characters
    return _NEGATOR.search(tail) is not None
