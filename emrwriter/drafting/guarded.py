"""Writing one model section under guard: every sentence is checked as soon as it is complete.

The model streams; each finished sentence goes to the caller's ``check`` (the verifier's
high-severity value check: a number, dose, date, drug or side the record does not give). A
sentence that passes is shown (``on_token``) and kept. At the first one that fails, the
model is stopped there and asked once more to write from the same point, with the words it
got wrong banned for that sentence (``avoid``). If the new sentence fails too, the section
takes the stay's timeline sentence closest to it instead (the record's own words) and the
model goes on after it; when the timeline has none, the sentence is left out and the section
ends there (asked again, the model would only say it once more).
Each of these is said in ``notes``, in the draft's language.

A section that loops is stopped and kept up to the first repeat (RepetitionGuard), as before.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz

from ..engine.base import Cancel, Engine, Generation
from ..engine.repetition import RepetitionGuard
from ..facts.tokens import split_sentences

SentenceCheck = Callable[[str], list[str]]  # a sentence -> the words in it the record does not support
MIN_LIKENESS = 40  # how like a failed sentence (0-100) a timeline sentence must be to stand in for it
_SENTENCE_END = re.compile(r"[.!?。！？\n]")  # where split_sentences may cut
MAX_ROUNDS = 8  # generations per section at most (each failed sentence costs one or two)


@dataclass
class Written:
    """What the guarded writing produced."""

    text: str
    result: Generation  # the generations of the section summed (its stop reason: the last one's)
    looped: bool = False
    notes: list[str] = field(default_factory=list)  # what the guard did, worded for the doctor


def write_guarded(
    engine: Engine,
    prompt: str,
    max_tokens: int,
    *,
    label: str,
    words: dict,
    check: SentenceCheck | None,
    fallback: list[str],
    on_progress=None,
    on_token: Callable[[str], None] | None = None,
    cancel: threading.Event,
) -> Written:
    """The section's text, written by ``engine`` from ``prompt``, checked sentence by
    sentence with ``check`` (None: unchecked, streamed as it comes). ``fallback``: the
    timeline's sentences for this section."""
    wording = words["drafting"]
    written = ""
    total: Generation | None = None
    notes: list[str] = []
    avoid: set[str] = set()
    retry_at: int | None = None  # where the sentence being written again begins
    unused = list(fallback)
    looped = False
    for _ in range(MAX_ROUNDS):
        budget = max_tokens - (engine.count_tokens(written) if written else 0)  # what was thrown away is not counted
        if budget <= 0 or cancel.is_set():
            break
        attempt = _Attempt(check, on_token, avoid)
        result = _generate(engine, prompt + written, budget, label, on_progress, attempt, cancel)
        if attempt.failed is None and not cancel.is_set():
            attempt.flush()  # the last sentence, checked at the end of the answer
        failed, error = attempt.failed, result.stop_reason == "error"
        if failed is not None and not error and not cancel.is_set():
            result = replace(result, stop_reason="length")  # stopped by the guard, not by the doctor
        total = result if total is None else _summed(total, result)
        looped = looped or attempt.repetition.cut is not None
        if failed is None:
            written += attempt.text
            break
        start, end, wrong = failed
        written += attempt.text[:start]
        if error:
            break  # the engine failed (its note says so): what passed is kept, the sentence that failed is not
        if retry_at == len(written.rstrip()):  # written again and wrong again: the record's own sentence
            stand_in = _closest(attempt.text[start:end], unused)
            notes.pop()  # "written again" is told by what came of it
            if stand_in is not None:
                unused.remove(stand_in)
                written += stand_in + _gap(stand_in)
                notes.append(wording["guard_replaced"].format(wrong=_listed(wrong), sentence=stand_in))
                if on_token:
                    on_token(stand_in + _gap(stand_in))
            else:  # asked again from here, the model would only say it once more: the section ends here
                notes.append(wording["guard_dropped"].format(wrong=_listed(wrong)))
                total = replace(total, stop_reason="end")
                break
            avoid, retry_at = set(), None
            continue
        notes.append(wording["guard_rewritten"].format(wrong=_listed(wrong)))
        avoid, retry_at = set(wrong), len(written.rstrip())
    if total is None:
        total = Generation("", 0, 0, 0, 0.0, 0.0, "cancelled" if cancel.is_set() else "length")
    return Written(written, replace(total, text=written), looped, notes)


class _Attempt:
    """One generation's stream: sentences checked as they complete, shown once they pass."""

    def __init__(self, check: SentenceCheck | None, on_token, avoid: set[str]) -> None:
        self.check = check
        self.on_token = on_token
        self.avoid = avoid  # the engine reads it while writing: emptied after the first sentence
        self.repetition = RepetitionGuard()
        self.text = ""
        self.shown = 0
        self.checked = 0  # sentences checked
        self.failed: tuple[int, int, list[str]] | None = None
        self._after_end = False  # the piece before ended a sentence: the next one confirms it
        self.stop = Cancel()

    def feed(self, piece: str) -> None:
        if self.stop.is_set():
            return
        self.text += piece
        if self.repetition.feed(piece):
            self.text = self.repetition.kept
            self.stop.set()
            return
        if self.check is None:
            self._show(len(self.text))
            return
        ended = _SENTENCE_END.search(piece) is not None
        if not (ended or self._after_end):
            return  # no sentence can have been completed by this piece
        self._after_end = ended
        spans = split_sentences(self.text, semicolons=False)
        for start, end in spans[self.checked : len(spans) - 1]:  # the last one may go on
            self.checked += 1
            self.avoid.clear()  # a ban holds for the first sentence only
            wrong = self.check(self.text[start:end])
            if wrong:
                self.failed = (start, end, wrong)
                self._show(start)
                self.stop.set()
                return
            self._show(end)

    def flush(self) -> None:
        """The end of the answer: its last sentence checked too, then shown."""
        if self.check is not None and self.failed is None:  # a loop's kept text too
            spans = split_sentences(self.text, semicolons=False)
            for start, end in spans[self.checked :]:
                wrong = self.check(self.text[start:end])
                if wrong:
                    self.failed = (start, end, wrong)
                    self._show(start)
                    return
        self._show(len(self.text))

    def _show(self, end: int) -> None:
        if self.on_token and end > self.shown:
            self.on_token(self.text[self.shown : end])
        self.shown = max(self.shown, end)


def _generate(engine: Engine, prompt: str, budget: int, label: str, on_progress, attempt: _Attempt, cancel) -> Generation:
    unlisten = cancel.listen(attempt.stop.set) if isinstance(cancel, Cancel) else lambda: None
    try:
        return engine.generate(
            prompt,
            budget,
            label=label,
            on_progress=on_progress,
            on_token=attempt.feed,
            cancel=attempt.stop if isinstance(cancel, Cancel) else cancel,
            avoid=attempt.avoid,
        )
    finally:
        unlisten()


def _summed(a: Generation, b: Generation) -> Generation:
    return Generation(
        text=a.text + b.text,
        prompt_tokens=max(a.prompt_tokens, b.prompt_tokens),
        evaluated_tokens=a.evaluated_tokens + b.evaluated_tokens,
        generated_tokens=a.generated_tokens + b.generated_tokens,
        prefill_seconds=a.prefill_seconds + b.prefill_seconds,
        decode_seconds=a.decode_seconds + b.decode_seconds,
        stop_reason=b.stop_reason,
        error=b.error or a.error,
    )


def _closest(sentence: str, candidates: list[str]) -> str | None:
    scored = [(fuzz.token_set_ratio(sentence, c), c) for c in candidates]
    best = max(scored, default=(0, None))
    return best[1] if best[0] >= MIN_LIKENESS else None


def _gap(sentence: str) -> str:
    return "" if sentence.endswith("\n") else ("" if sentence[-1:] in "。！？" else " ")


def _listed(wrong: list[str]) -> str:
    return ", ".join(dict.fromkeys(wrong))
