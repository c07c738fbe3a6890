"""The guard: checks one ``end_conversation`` call against the conversation history."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from .._detect import default_detectors
from .._detect._protocol import Annotation, Detector, Signal, TurnText
from .._errors import InvalidTranscriptError
from .._prompts import PromptSet, result_texts_of, shipped_result_texts
from .._tool import TOOL_NAME, EndConversationInput, EndReason
from .._transcript import ToolUse, Turn, parse_one
from ._cache import TextCache
from ._facts import (
    SUPPLIED_SIGNALS,
    THINKING_SIGNALS,
    Facts,
    as_message_list,
    group_turns,
    has_end_call,
)
from ._policy import Mode, Policy
from ._rules import Outcome, check_call, suffix_start, veto
from ._verdict import ReasonCode, Verdict, Versions

__all__ = ["Guard"]

_EMPTY = Annotation()
_ROLES = ("user", "assistant")
# Returned, uncached, for turns met while collecting what a batch must annotate.
_PENDING = Annotation(error="pending")
# One decision's uncached turns are annotated together (an encoder is about twice as
# fast on one batch of a dozen texts as on a dozen single texts), in groups of at most
# this many turns and characters, so a history of huge messages is never held in
# pieces all at once.
_BATCH_TURNS = 64
_BATCH_CHARS = 256 * 1024


class _Defaults(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


_SPLIT_FROM = {ReasonCode.NO_BEHAVIOUR: ReasonCode.NO_PERSISTENCE}
"""Reasons split from an older one: a results file written before the split (results
v1 and v2, a draft copied from them) answers the new reason with the older one's text."""

class Guard:
    """Decides whether an ``end_conversation`` call is honored.

    `evaluate` is pure: no I/O, no clock, no globals; the same transcript and
    policy always give the same verdict. It never raises on bad input: a broken
    transcript or malformed tool input gives a denied verdict with reason
    ``invalid_input``, and a detector that fails gives ``detector_error``. When in
    doubt, the conversation continues.

    Annotations are cached per turn text, so re-checking a growing conversation
    costs little more than checking its newest turns. The caches are bounded both by
    entries (`cache_size`) and by the text they hold (`cache_chars`), so a stream of
    huge messages keeps memory flat.

    Every text a person could have supplied is read for risk: the words of each
    message, the documents, search results and tool results it carries, and the
    assistant's thinking for its own crisis signals (see ``_transcript`` for where
    they come from and ``_facts`` for which signals each may raise).
    """

    def __init__(
        self,
        policy: Policy | None = None,
        *,
        detectors: Sequence[Detector] | None = None,
        prompts: PromptSet | None = None,
        cache_size: int = 200_000,
        cache_chars: int = 64 * 1024 * 1024,
    ) -> None:
        self.policy = policy or Policy()
        """The policy in force."""
        self.detectors: tuple[Detector, ...] = tuple(detectors or default_detectors())
        """The detectors whose annotations are combined (union of signals). By default
        the learned detector, with the high-precision phrase rules as a backstop and for
        what they read best (end requests, confirmations, talk of a past end)."""
        self.prompts = prompts or PromptSet.load()
        """The prompts whose texts go into tool results and notices."""
        # The guard's own tool-result texts (this set's and every shipped version's, the
        # fixed ones only) are not read as something the user supplied: "Before this
        # conversation is ended, confirm..." is not a sign of risk. A text with a
        # placeholder filled in, or anything added to one, is read as usual.
        self._own_results = shipped_result_texts() | result_texts_of(self.prompts.results)
        if cache_size < 0 or cache_chars < 0:
            raise ValueError("cache_size and cache_chars must not be negative")
        # Two caches, each within half the bounds: annotations by turn text, and the
        # signal masks of plain string messages (the fast path of long histories).
        half = {"max_entries": cache_size // 2, "max_chars": cache_chars // 2}
        self._cache: TextCache[tuple[str, str, bool], Annotation] = TextCache(**half)
        self._records: TextCache[tuple[str, str], int] = TextCache(**half)
        self.cache_chars = cache_chars
        """Upper bound on the text the annotation caches hold together, in characters
        (64 Mi by default: about 64 MB of ASCII text)."""
        self._collect = threading.local()  # per thread: turns a batch still has to annotate
        self.versions = Versions(
            policy=self.policy.fingerprint,
            prompts=self.prompts.ref,
            detectors=",".join(f"{d.name}@{d.version}" for d in self.detectors),
        )
        """What verdicts from this guard record as having decided them."""

    # ------------------------------------------------------------ annotations
    def annotate(self, turn: TurnText) -> Annotation:
        """Combined annotation of one turn by every detector (cached; failures recorded)."""
        key = (turn.role, turn.text, turn.refusal_stop)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        fresh: dict[tuple[str, str, bool], Annotation] | None = getattr(
            self._collect, "fresh", None
        )
        if fresh is not None and key in fresh:  # annotated by this decision's batch
            return fresh[key]
        pending: dict[tuple[str, str, bool], TurnText] | None = getattr(
            self._collect, "turns", None
        )
        if pending is not None:
            pending.setdefault(key, turn)
            return _PENDING
        return self.annotate_many([turn])[0]

    def annotate_many(self, turns: Sequence[TurnText]) -> list[Annotation]:
        """Combined annotations of many turns, each detector called once for all of them.

        Detectors with an ``annotate_many`` method (a learned model encoding in
        batches) get every uncached turn in one call; others are called turn by
        turn. Cached like `annotate`; a failing detector's turns carry its error.
        """
        out: list[Annotation | None] = []
        todo: dict[tuple[str, str, bool], TurnText] = {}
        for turn in turns:
            key = (turn.role, turn.text, turn.refusal_stop)
            hit = self._cache.get(key)
            out.append(hit)
            if hit is None:
                todo.setdefault(key, turn)
        if todo:
            fresh = self._run_detectors(list(todo.values()))
            for done, note in zip(todo, fresh, strict=True):
                if note.error is None:  # failures are not cached: a retry may succeed
                    self._cache.put(done, note, len(done[1]))
            found = dict(zip(todo, fresh, strict=True))
            out = [
                note if note is not None else found[(t.role, t.text, t.refusal_stop)]
                for note, t in zip(out, turns, strict=True)
            ]
        return [note if note is not None else _EMPTY for note in out]

    def _run_detectors(self, turns: list[TurnText]) -> list[Annotation]:
        # A turn written with invisible characters or look-alike letters inside its
        # words is read a second time, plainly; that reading may only add a veto.
        plain = [(i, _plain(t.text)) for i, t in enumerate(turns) if not t.text.isascii()]
        variants = [(i, text) for i, text in plain if text != turns[i].text]
        if not variants:
            return self._detect(turns)
        extra = [
            TurnText(role=turns[i].role, text=text, refusal_stop=turns[i].refusal_stop)
            for i, text in variants
        ]
        found = self._detect([*turns, *extra])
        out = found[: len(turns)]
        for (i, _), note in zip(variants, found[len(turns) :], strict=True):
            out[i] = out[i].merge(_only(note, _VETO_SIGNALS))
        return out

    def _detect(self, turns: list[TurnText]) -> list[Annotation]:
        merged = [_EMPTY] * len(turns)
        for detector in self.detectors:
            many = getattr(detector, "annotate_many", None)
            try:
                if callable(many):
                    notes = list(many(turns))
                    if len(notes) != len(turns):
                        raise RuntimeError(f"{len(notes)} annotations for {len(turns)} turns")
                else:
                    notes = [_annotate_one(detector, turn) for turn in turns]
            except Exception as exc:  # a failing detector must never let an end through
                failed = Annotation(error=f"{detector.name}: {type(exc).__name__}: {exc}")
                notes = [failed] * len(turns)
            merged = [m.merge(n) for m, n in zip(merged, notes, strict=True)]
        return merged

    def prepare(self, transcripts: Sequence[Any]) -> None:
        """Annotate every turn of many transcripts in one batch, ahead of evaluating them.

        Afterwards `evaluate` on each of them finds its annotations cached. A batched
        detector (an encoder) then runs once over all of them rather than once per
        transcript. Unreadable transcripts are skipped here; `evaluate` reports them.
        """
        with self._collecting() as pending:
            for messages in transcripts:
                try:
                    self._facts(as_message_list(messages), None)
                except Exception:  # unreadable: its own evaluate says why
                    continue
        if pending:
            self.annotate_many(list(pending.values()))

    @contextlib.contextmanager
    def _collecting(self) -> Iterator[dict[tuple[str, str, bool], TurnText]]:
        """While open, `annotate` records the turns no cache holds (returning
        `_PENDING` for them) instead of annotating them; yields what it recorded."""
        pending: dict[tuple[str, str, bool], TurnText] = {}
        self._collect.turns = pending
        try:
            yield pending
        finally:
            self._collect.turns = None

    def evaluate_many(self, transcripts: Sequence[Any]) -> list[Verdict]:
        """`evaluate` for many transcripts, their turns annotated in one batch (see `prepare`)."""
        self.prepare(transcripts)
        return [self.evaluate(messages) for messages in transcripts]

    def warm(self) -> Guard:
        """Pay one-off start-up costs now (loading the learned model, compiling the
        detectors' patterns), not on the first live call. Returns the guard. Long-running
        servers call this once. A model that fails to load is not raised here: every
        decision then reports it as ``detector_error`` and ends nothing."""
        for detector in self.detectors:
            load = getattr(detector, "load", None)
            if callable(load):
                with contextlib.suppress(Exception):
                    load()
        call = {"type": "tool_use", "id": "warm", "name": TOOL_NAME, "input": {"reason": "abuse"}}
        sample = [
            {"role": "user", "content": "Hello."},
            {"role": "assistant", "content": [{"type": "text", "text": "Hi!"}, call]},
        ]
        self.evaluate(sample)
        self.evaluate_unverified(call["input"])
        return self

    @property
    def cache_used(self) -> int:
        """Characters of text the annotation caches account for now (never above
        `cache_chars`)."""
        return self._cache.used + self._records.used

    def clear_cache(self) -> None:
        """Forget cached annotations."""
        self._cache.clear()
        self._records.clear()

    # ------------------------------------------------------------ evaluation
    def evaluate(
        self,
        messages: Any,
        *,
        tool_use_id: str | None = None,
        annotations: Mapping[int, Annotation] | None = None,
    ) -> Verdict:
        """Check the ``end_conversation`` call in the last assistant message of `messages`.

        `messages` is a Messages API message list (dicts or SDK objects), or a
        mapping with a ``messages`` key. `tool_use_id` picks one call when the last
        message holds several. `annotations` adds annotations made at the edge (an
        embedding or LLM detector), keyed by message index; they are merged with the
        built-in detectors' and can only add signals.
        """
        try:
            items = as_message_list(messages)
            facts = self._read(items, annotations)
            located = self._locate(items, facts, tool_use_id)
        except InvalidTranscriptError as exc:
            return self.invalid_input(str(exc), tool_use_id)
        except Exception as exc:  # anything else unreadable is still just bad input
            return self.invalid_input(f"unreadable transcript ({type(exc).__name__})", tool_use_id)
        if isinstance(located, Verdict):
            return located
        call_pos, use = located
        args = self._read_input(use.input, use.id)
        if isinstance(args, Verdict):
            return args

        end = call_pos + 1
        # The veto reads everything given, the tool results after the call included
        # (an ask-the-user answer to a call made beside this one); the rules stop at it.
        found = veto(facts, len(facts.roles))
        if found is not None:
            return self._deny(found, use, args)
        failed = sorted(facts.errors)
        if failed:
            detail = "; ".join(facts.errors[i] for i in failed)
            return self._deny(
                Outcome(qualifies=False, reason=ReasonCode.DETECTOR_ERROR, evidence=tuple(failed)),
                use,
                args,
                detail=detail,
            )
        if self.policy.mode is Mode.OFF or args.reason not in self.policy.allowed_reasons:
            return self._deny(Outcome(qualifies=False, reason=ReasonCode.DISABLED), use, args)
        logical = group_turns(facts, suffix_start(facts, end, self.policy), end)
        outcome = check_call(logical, args.reason, self.policy)
        if not outcome.qualifies:
            return self._deny(outcome, use, args)
        same_turn = [facts.turn(items, i) for i in logical[-1].indices]
        return self._qualified(outcome, use, args, same_turn)

    def risk(self, messages: Any) -> tuple[ReasonCode, tuple[int, ...]] | None:
        """Whether anything in `messages` vetoes an end: risk or distress anywhere (the
        same veto `evaluate` applies), a detector failure, or an unreadable history.
        Returns the reason code and the message indices, or None.

        For ends decided later than the call, such as a reviewer upholding an
        escalated call while the conversation went on. An empty history (nothing
        stored beyond what the call was checked against) shows nothing.
        """
        if isinstance(messages, list | tuple) and not messages:
            return None
        try:
            items = as_message_list(messages)
            facts = self._read(items, None)
        except Exception:  # an unreadable history cannot show it is safe to end
            return ReasonCode.INVALID_INPUT, ()
        found = veto(facts, len(items))
        if found is not None:
            return found.reason, found.evidence
        if facts.errors:
            return ReasonCode.DETECTOR_ERROR, tuple(sorted(facts.errors))
        return None

    def _read(self, items: Sequence[Any], extra: Mapping[int, Annotation] | None) -> Facts:
        """`_facts`, with the turns no cache holds annotated in batches first.

        A first pass only collects what is missing; when nothing is, its facts are the
        answer (a warm decision reads the history once). Otherwise the missing turns
        are annotated together and the second pass reads them from that batch, even
        those the cache had no room to keep.
        """
        collect = self._collect
        if getattr(collect, "turns", None) is not None or getattr(collect, "fresh", None):
            return self._facts(items, extra)  # inside `prepare`, or already batched
        with self._collecting() as pending:
            facts = self._facts(items, extra)
        if not pending:
            return facts
        groups: list[list[TurnText]] = [[]]
        size = 0
        for turn in pending.values():
            if groups[-1] and (
                len(groups[-1]) >= _BATCH_TURNS or size + len(turn.text) > _BATCH_CHARS
            ):
                groups.append([])
                size = 0
            groups[-1].append(turn)
            size += len(turn.text)
        notes = [note for group in groups for note in self.annotate_many(group)]
        collect.fresh = dict(zip(pending, notes, strict=True))
        try:
            return self._facts(items, extra)
        finally:
            collect.fresh = None

    def _facts(self, items: Sequence[Any], extra: Mapping[int, Annotation] | None) -> Facts:
        """Annotate every message. Plain string messages take a cached fast path."""
        facts = Facts()
        records = self._records
        for i, raw in enumerate(items):
            if type(raw) is dict and (extra is None or i not in extra):
                content, role = raw.get("content"), raw.get("role")
                if type(content) is str and role in _ROLES and raw.get("stop_reason") is None:
                    key = (role, content)
                    mask = records.get(key)
                    if mask is None:
                        note = self.annotate(TurnText(role=role, text=content))
                        if note.error is not None:
                            facts.errors[i] = note.error
                        else:
                            mask = note.mask
                            records.put(key, mask, len(content))
                    facts.append(role, mask or 0, wrote=bool(content) and not content.isspace())
                    continue
            turn = parse_one(i, raw)
            facts.turns[i] = turn
            note = self._note(turn, extra)
            if note.error is not None:
                facts.errors[i] = note.error
            facts.append(
                turn.role,
                note.mask,
                tool_only=turn.is_tool_only,
                end_call=has_end_call(turn),
                wrote=turn.wrote,
            )
        return facts

    def evaluate_unverified(self, tool_input: Any, *, tool_use_id: str | None = None) -> Verdict:
        """A call with no history to check: denied or escalated, as the policy says.

        The guard never honors what it cannot check; `Policy.unverified_calls`
        chooses between denying and sending to human review.
        """
        args = self._read_input(tool_input, tool_use_id)
        if isinstance(args, Verdict):
            return args
        common: dict[str, Any] = {
            "tool_use_id": _safe_id(tool_use_id),
            "versions": self.versions,
            "end_reason": args.reason,
            "summary": args.summary,
        }
        if self.policy.unverified_calls == "escalate" and self.policy.mode is not Mode.OFF:
            verdict = Verdict.escalate(
                reasons=(ReasonCode.UNVERIFIED, ReasonCode.REVIEW_REQUIRED),
                evidence=(),
                text=self.prompts.results.escalated,
                detail="no history to check; sent to human review by policy",
                **common,
            )
        else:
            verdict = Verdict.deny(
                ReasonCode.UNVERIFIED, text=self._text(ReasonCode.UNVERIFIED), **common
            )
        return verdict.model_copy(update={"basis": "attested"})

    def _read_input(self, raw: Any, tool_use_id: str | None) -> EndConversationInput | Verdict:
        """The validated tool input, or a denied ``invalid_input`` verdict saying what is wrong."""
        try:
            return EndConversationInput.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "input"
            return self.invalid_input(
                f"tool input {where}: {first.get('msg', 'invalid')}", tool_use_id
            )

    def _note(self, turn: Turn, extra: Mapping[int, Annotation] | None) -> Annotation:
        """Everything the detectors found in one message, each source limited to the
        signals it may raise."""
        note = _EMPTY
        if (not turn.is_tool_only and turn.text.strip()) or turn.refusal_stop:
            note = self.annotate(
                TurnText(role=turn.role, text=turn.text, refusal_stop=turn.refusal_stop)
            )
        if turn.role == "user":
            for text in turn.supplied:
                if text.strip() and text.strip() not in self._own_results:
                    found = self.annotate(TurnText(role="user", text=text))
                    note = note.merge(_only(found, SUPPLIED_SIGNALS))
        elif turn.thinking.strip():
            found = self.annotate(TurnText(role="assistant", text=turn.thinking))
            note = note.merge(_only(found, THINKING_SIGNALS))
        if extra is not None and turn.index in extra:
            note = note.merge(extra[turn.index])
        return note

    def _locate(
        self, items: Sequence[Any], facts: Facts, tool_use_id: str | None
    ) -> tuple[int, ToolUse] | Verdict:
        """Find the call: it must be in the latest assistant message."""
        roles = facts.roles
        last = next((i for i in range(len(roles) - 1, -1, -1) if roles[i] == "assistant"), None)
        if last is None:
            return self.invalid_input(
                "no assistant message holds an end_conversation call", tool_use_id
            )
        turn = facts.turn(items, last)
        uses = [u for u in turn.tool_uses if tool_use_id is None or u.id == tool_use_id]
        ours = [u for u in uses if u.name == TOOL_NAME]
        if not ours:
            if tool_use_id is not None and uses:
                return self.invalid_input(
                    f"tool_use {tool_use_id!r} is {uses[0].name!r}, not {TOOL_NAME!r}", tool_use_id
                )
            if any(facts.end_calls[:last]):
                return self._deny_plain(ReasonCode.NOT_LAST_TURN, tool_use_id)
            return self.invalid_input(
                f"the last assistant message has no {TOOL_NAME} call", tool_use_id
            )
        if not _sendable(ours[0].id):
            return self.invalid_input("the end_conversation call's id is not valid Unicode text")
        after = zip(roles[last + 1 :], facts.tool_only[last + 1 :], strict=True)
        if any(role == "user" and not only for role, only in after):
            return self._deny_plain(ReasonCode.NOT_LAST_TURN, ours[0].id)
        return last, ours[0]

    # ------------------------------------------------------------ verdicts
    def _text(self, reason: ReasonCode, params: Mapping[str, str] | None = None) -> str:
        denied = self.prompts.results.denied
        older = _SPLIT_FROM.get(reason)
        template = denied.get(reason.value) or (denied.get(older.value) if older else None)
        return (template or denied["invalid_input"]).format_map(_Defaults(params or {}))

    def invalid_input(self, detail: str, tool_use_id: str | None = None) -> Verdict:
        """A denied ``invalid_input`` verdict, for edges that could not read their input."""
        return Verdict.deny(
            ReasonCode.INVALID_INPUT,
            text=self._text(ReasonCode.INVALID_INPUT, {"detail": detail}),
            versions=self.versions,
            tool_use_id=_safe_id(tool_use_id),
            detail=detail,
        )

    def _deny_plain(self, reason: ReasonCode, tool_use_id: str | None) -> Verdict:
        return Verdict.deny(
            reason,
            text=self._text(reason),
            versions=self.versions,
            tool_use_id=_safe_id(tool_use_id),
        )

    def _deny(
        self, outcome: Outcome, use: ToolUse, args: EndConversationInput, *, detail: str = ""
    ) -> Verdict:
        text = self._text(outcome.reason, outcome.params)
        return Verdict.deny(
            outcome.reason,
            text=text,
            versions=self.versions,
            evidence=outcome.evidence,
            tool_use_id=use.id,
            end_reason=args.reason,
            summary=args.summary,
            detail=detail or text,
        )

    def _qualified(
        self,
        outcome: Outcome,
        use: ToolUse,
        args: EndConversationInput,
        same_turn: list[Turn],
    ) -> Verdict:
        texts = self.prompts.results
        common: dict[str, Any] = {
            "evidence": outcome.evidence,
            "tool_use_id": use.id,
            "versions": self.versions,
            "end_reason": args.reason,
            "summary": args.summary,
        }
        if args.reason in self.policy.review_reasons:
            return Verdict.escalate(
                reasons=(outcome.reason, ReasonCode.REVIEW_REQUIRED),
                text=texts.escalated,
                detail="qualifies; sent to human review by policy",
                **common,
            )
        if self.policy.two_step and not _confirmed_in_turn(same_turn, use):
            return Verdict.deny(
                ReasonCode.AWAITING_CONFIRMATION,
                more=(outcome.reason,),
                text=texts.confirm,
                is_error=False,
                detail="qualifies; two-step mode asks the model to call again to confirm",
                **common,
            )
        if self.policy.mode is Mode.SHADOW:
            return Verdict.honor(
                reasons=(outcome.reason, ReasonCode.SHADOW_MODE),
                text=texts.shadow,
                notice=None,
                ends=False,
                detail="qualifies; shadow mode records but does not end",
                **common,
            )
        return Verdict.honor(
            reasons=(outcome.reason,),
            text=texts.honored,
            notice=self.prompts.notice.text.strip(),
            ends=True,
            detail=_describe(args.reason),
            **common,
        )


def _annotate_one(detector: Detector, turn: TurnText) -> Annotation:
    try:
        return detector.annotate(turn)
    except Exception as exc:  # a failing detector must never let an end through
        return Annotation(error=f"{detector.name}: {type(exc).__name__}: {exc}")


def _sendable(text: str) -> bool:
    """Whether `text` can be sent and stored (no lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _safe_id(tool_use_id: str | None) -> str | None:
    """A caller's tool_use id, or None when it could not be serialized: a verdict must
    always be writable, or the call it answers gets no answer at all."""
    if tool_use_id is None or (isinstance(tool_use_id, str) and _sendable(tool_use_id)):
        return tool_use_id
    return None


_VETO_SIGNALS = frozenset({Signal.RISK_SELF, Signal.RISK_OTHERS, Signal.DISTRESS})
"""What the plain reading of a disguised turn may add."""

_LOOK_ALIKES = dict(
    zip(
        map(ord, "аеорсухіјѕԁһӏАВЕКМНОРСТХІЈЅαικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ"),
        "aeopcyxijsdhlABEKMHOPCTXIJSaiKvoptuxABEZHIKMNOPTYX",
        strict=True,
    )
)
_PLAIN: dict[int, str | None] = {
    **{c: None for c in range(0xD800, 0xE000)},  # lone surrogates
    **{c: None for c in (0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E)},
    **{c: None for c in range(0x200B, 0x2010)},  # zero-width spaces, joiners, marks
    **{c: None for c in range(0x202A, 0x202F)},  # bidirectional embeddings
    **{c: None for c in range(0x2060, 0x2070)},  # word joiner, invisible operators
    0xFEFF: None,
    **_LOOK_ALIKES,
}


def _plain(text: str) -> str:
    """`text` without invisible characters and with Cyrillic and Greek look-alikes read
    as the Latin letters they imitate (only ever used to find more vetoes)."""
    return text.translate(_PLAIN)


def _only(note: Annotation, allowed: frozenset[Signal]) -> Annotation:
    """`note` keeping only the `allowed` signals (and its error, if any)."""
    if note.signals <= allowed:
        return note
    return Annotation(
        signals=note.signals & allowed,
        cues=tuple(c for c in note.cues if c[0] in allowed),
        error=note.error,
        scores=tuple(c for c in note.scores if c[0] in allowed),
    )


def _confirmed_in_turn(same_turn: list[Turn], use: ToolUse) -> bool:
    """Two-step: an earlier end_conversation call in this turn got a non-error result."""
    earlier = {
        u.id
        for t in same_turn
        if t.role == "assistant"
        for u in t.tool_uses
        if u.name == TOOL_NAME and u.id != use.id
    }
    return any(
        r.tool_use_id in earlier and not r.is_error for t in same_turn for r in t.tool_results
    )


def _describe(reason: EndReason) -> str:
    if reason is EndReason.USER_REQUESTED:
        return "the user asked to end this conversation and confirmed it is permanent"
    return "the user persisted after repeated refusals and an explicit warning"
