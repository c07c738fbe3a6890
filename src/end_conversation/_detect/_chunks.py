"""Split a turn into bounded chunks, in one linear pass.

The learned detectors score each chunk and keep the highest score per signal,
so a long turn costs work proportional to its length: every character is
looked at a bounded number of times, and no chunk is longer than `CHUNK_CHARS`.
"""

from __future__ import annotations

import re

__all__ = ["CHUNK_CHARS", "chunks"]

CHUNK_CHARS = 400
"""Longest chunk, in characters."""
PACK_CHARS = 100
"""Sentences are packed together until a chunk has at least this many characters:
short enough that one sentence's signal is not drowned by its neighbours, long
enough that "Yes." or "Why?" is read with what follows."""

# Sentence ends: Latin, Arabic, Devanagari and CJK full stops, question and
# exclamation marks, and line breaks.
_BREAK = re.compile(r"[.!?;。！？；؟।\n]+[\"')\]»”’]*\s*|\s+$")
_SPACE = re.compile(r"\s")
# Where a sentence may start although nothing ends the one before: a capitalized word
# right after a word ending in a lower-case letter ("... without direct access I've
# been ..."; a word in capitals is emphasis, not a start: "... decides NOT to jump"),
# or a space between two Japanese or Chinese characters, which rarely separates words
# there. Used only for reading a turn again from every start.
_SOFT = re.compile(
    r"(?<=[a-zß-öø-ÿа-яё])\s+(?=[A-ZÀ-ÖØ-ÞА-ЯЁ](?:[a-zß-öø-ÿа-яё'’]|\s|$))"
    r"|(?<=[\u3040-\u30ff\u3400-\u9fff])[ \u3000]+(?=[\u3040-\u30ff\u3400-\u9fff])"
)


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of `text`, stripped, in order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BREAK.finditer(text):
        end = match.end()
        if end > start:
            spans.append((start, end))
        start = end
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _windows(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence into windows of at most `size`, at spaces where possible."""
    out: list[tuple[int, int]] = []
    pos = start
    while end - pos > size:
        limit = pos + size
        cut = limit
        # look back at most half a window for a space: bounded work per window
        for i in range(limit - 1, pos + size // 2, -1):
            if _SPACE.match(text, i):
                cut = i + 1
                break
        out.append((pos, cut))
        pos = cut
    if pos < end:
        out.append((pos, end))
    return out


def chunks(text: str, size: int = CHUNK_CHARS, pack: int = PACK_CHARS) -> list[str]:
    """The chunks of `text`: sentences, packed while a chunk is shorter than `pack`
    characters and the next sentence still fits in `size`.

    A sentence longer than `size` is cut into windows. Whitespace-only text
    gives no chunks. Every chunk but the last has at least `pack` characters
    or was closed by a sentence that did not fit, so there are at most about
    ``2 * len(text) / pack + 1`` chunks.
    """
    out: list[str] = []
    cur_start = cur_end = -1
    for s_start, s_end in _sentences(text):
        for w_start, w_end in (
            _windows(text, s_start, s_end, size) if s_end - s_start > size else [(s_start, s_end)]
        ):
            if cur_start >= 0 and (w_end - cur_start > size or cur_end - cur_start >= pack):
                piece = text[cur_start:cur_end].strip()
                if piece:
                    out.append(piece)
                cur_start = -1
            if cur_start < 0:
                cur_start = w_start
            cur_end = w_end
    if cur_start >= 0:
        piece = text[cur_start:cur_end].strip()
        if piece:
            out.append(piece)
    return out


def _soft_starts(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(position, sentence index) of every `_SOFT` start inside a sentence."""
    out: list[tuple[int, int]] = []
    k = 0
    for match in _SOFT.finditer(text):
        pos = match.end()
        while k < len(spans) and spans[k][1] <= pos:
            k += 1
        if k < len(spans) and spans[k][0] < pos:
            out.append((pos, k))
    return out


def shifted_pieces(
    text: str, size: int = CHUNK_CHARS, pack: int = PACK_CHARS, *, soft: bool = False
) -> list[tuple[str, bool]]:
    """Chunks packed as `chunks` packs them, but one starting at every sentence, each
    with whether it is a single sentence shorter than `pack`.

    `chunks` cuts a turn at fixed places, so two sentences that belong together can
    fall into different chunks, or one can be packed behind an unrelated request.
    Read from every sentence start, each run of sentences is also seen on its own.
    With `soft`, also from every place a sentence may start with nothing ending the
    one before (`_SOFT`): a disclosure typed straight after a request, with no full
    stop between them. At most one chunk per start (a sentence, or a word with
    `soft`), each at most `size` characters; the work per start is bounded by `size`.
    """
    spans = _sentences(text)
    starts = [(start, i) for i, (start, _) in enumerate(spans)]
    if soft:
        starts += _soft_starts(text, spans)
        starts.sort()
    out: list[tuple[str, bool]] = []
    for start, i in starts:
        end = start
        taken = 0
        for k in range(i, len(spans)):
            s_end = spans[k][1]
            if s_end - start > size and end > start:
                break
            end = min(s_end, start + size)
            taken += 1
            if end - start >= pack:
                break
        piece = text[start:end].strip()
        if piece:
            out.append((piece, taken == 1 and end - start < pack))
    return out


def shifted_chunks(
    text: str, size: int = CHUNK_CHARS, pack: int = PACK_CHARS, *, short_alone: bool = False
) -> list[str]:
    """The chunks of `shifted_pieces`. A single sentence shorter than `pack` is a chunk of
    its own only with `short_alone`: a short last sentence alone ("Paragraph 3 needs
    work.") usually says too little to be read on its own, and was read with what came
    before it."""
    return [c for c, short in shifted_pieces(text, size, pack) if short_alone or not short]
