"""A deterministic engine for tests that need *an* engine, not llama.cpp.

FakeEngine keeps the behaviour contract of LocalEngine (engine.base.Engine): the prompt
is read in chunks with READING progress, the answer is streamed token by token with
WRITING progress, ``max_tokens`` stops it with "length", a cancel stops it with
"cancelled" (between chunks while reading, after the token under way while writing),
the context is sized by reserve() and a prompt beyond it is refused, and a prefix
shared by the previous prompt (or announced by read_shared_prefix) is not read again.

Its tokenizer is a rule, not a vocabulary: up to four ASCII characters, or one other
character, make a token. Times are simulated from fixed rates, so token counts and
seconds are the same on every run and every machine; ``chunk_delay`` and
``token_delay`` add real waits (cut short by a cancel) for tests that must act while
the engine works, such as the GUI's Stop.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection, Sequence

from emrwriter.engine.base import LOADING, READING, WRITING, Engine, EngineError, Generation, PrefixStats, Progress

TOKEN = re.compile(r"[\x00-\x7f]{1,4}|[^\x00-\x7f]", re.DOTALL)
ANSWER = "The patient improved with treatment and was discharged home in a stable condition."


def long_answer(words: int = 300) -> str:
    """A long answer that never repeats itself (a looping one is stopped by the drafting's
    repetition guard): four-letter words from a fixed pseudo-random sequence."""
    found, state = [], 7
    for _ in range(words):
        state = (state * 1103515245 + 12345) % 2**31
        found.append("".join(chr(97 + (state >> shift) % 26) for shift in (3, 9, 15, 21)))
    return "".join(f"{w} " for w in found)


CONTEXT_STEP = 256


def tokenize(text: str) -> list[str]:
    """The fake's tokens: deterministic, and a shared text prefix gives shared tokens."""
    return TOKEN.findall(text)


class FakeEngine(Engine):
    """An Engine without a model. ``answer`` is the text written for every prompt, or a
    function of (prompt, label) giving it. ``prefix_reuse=False`` behaves like an engine
    that cannot keep a prompt prefix (a server): read_shared_prefix returns None and
    every prompt is read whole."""

    def __init__(
        self,
        name: str = "Fake Engine",
        context_limit: int = 8192,
        *,
        answer: str | Callable[[str, str], str] = ANSWER,
        prefix_reuse: bool = True,
        read_seconds: float | None = None,
        chunk: int = 64,
        read_rate: float = 200.0,  # simulated prompt tokens per second
        write_rate: float = 20.0,  # simulated written tokens per second
        chunk_delay: float = 0.0,  # real seconds spent on each prompt chunk
        token_delay: float = 0.0,  # real seconds spent on each written token
    ):
        self.name = name
        self._limit = context_limit
        self.answer = answer
        self.prefix_reuse = prefix_reuse
        self.read_seconds = read_seconds
        self.chunk = chunk
        self.read_rate = read_rate
        self.write_rate = write_rate
        self.chunk_delay = chunk_delay
        self.token_delay = token_delay
        self.last_prefix: PrefixStats | None = None
        self.n_ctx = 0  # the context as sized by reserve(); 0 before the first "load"
        self.loads = 0
        self.context: list[str] = []  # the tokens the context holds, as LocalEngine's KV cache
        self.prompts: list[tuple[str, str]] = []  # (label, prompt) of every generate(), in order
        self.avoided: list[list[str]] = []  # the words banned at the start of every generate(), in order
        self.threads: set[int] = set()  # ids of the threads that called the engine (one owner: one id)

    # -- the Engine protocol ---------------------------------------------------------------

    @property
    def context_limit(self) -> int:
        return self._limit

    def count_tokens(self, text: str) -> int:
        return len(tokenize(text))

    def chat_prompt(self, system: str, user: str) -> str:
        return f"<|system|>\n{system}\n<|user|>\n{user}\n<|assistant|>\n"

    def reserve(self, tokens: int, on_progress: Callable[[Progress], None] | None = None) -> None:
        if tokens > self._limit:
            raise EngineError(f"the prompt needs {tokens} tokens but {self.name} holds at most {self._limit}")  # as LocalEngine
        if self.n_ctx >= tokens:
            return
        if on_progress:
            on_progress(Progress(LOADING, 0, 1, label=self.name))
        self.n_ctx = min(self._limit, -(-tokens // CONTEXT_STEP) * CONTEXT_STEP)
        self.context = []  # a new context starts empty
        self.loads += 1
        if on_progress:
            on_progress(Progress(LOADING, 1, 1, label=self.name))

    def reading_budget(self) -> int | None:
        return int(self.read_seconds * self.read_rate) if self.read_seconds else None

    def settings(self) -> dict:
        return {"engine": "fake", "context_limit": self._limit, "prefix_reuse": self.prefix_reuse, "chunk": self.chunk}

    def read_shared_prefix(
        self,
        prompts: Sequence[str],
        *,
        label: str = "",
        on_progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> PrefixStats | None:
        self._called()
        if not self.prefix_reuse:
            return None
        cancel = cancel or threading.Event()
        token_lists = [tokenize(p) for p in prompts]
        if not token_lists:
            return PrefixStats(source="off")
        shortest = min(len(t) for t in token_lists)
        prefix = _common_prefix(token_lists)[: shortest - 1]  # the last prompt token is read with the answer
        report = PrefixStats(tokens=len(prefix))
        self.last_prefix = report
        if not prefix:
            report.source = "off"
            return report
        self.reserve(max(len(t) for t in token_lists))
        if self.context[: len(prefix)] == prefix:
            report.source = "context"
            if on_progress:
                on_progress(Progress(READING, len(prefix), len(prefix), 0.0, 0.0, label))
            return report
        kept = _common_length(self.context, prefix)
        done = self._read(prefix, kept, label, on_progress, cancel)
        report.seconds = round((done if done is not None else 0) / self.read_rate, 6)
        if done is None:
            report.source = "cancelled"
            return report
        report.source, report.evaluated_tokens = "read", done
        return report

    def generate(
        self,
        prompt: str,
        max_tokens: int,
        *,
        label: str = "",
        on_progress: Callable[[Progress], None] | None = None,
        on_token: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
        avoid: Collection[str] = (),
    ) -> Generation:
        self._called()
        cancel = cancel or threading.Event()
        self.avoided.append(sorted(avoid))
        tokens = tokenize(prompt)
        self.reserve(len(tokens) + max_tokens, on_progress)
        self.prompts.append((label, prompt))
        body = tokens[:-1]
        kept = _common_length(self.context, body) if self.prefix_reuse else 0
        read = self._read(body, kept, label, on_progress, cancel)
        if read is None:
            return Generation("", len(tokens), 0, 0, 0.0, 0.0, "cancelled")
        prefill = (read + 1) / self.read_rate
        self.context = list(tokens)
        answer = self.answer(prompt, label) if callable(self.answer) else self.answer
        pieces: list[str] = []
        stop_reason = "end"
        for piece in tokenize(answer):
            if len(pieces) >= max_tokens:
                stop_reason = "length"
                break
            if cancel.is_set() or (self.token_delay and cancel.wait(self.token_delay)):
                stop_reason = "cancelled"
                break
            pieces.append(piece)
            self.context.append(piece)
            if on_token:
                on_token(piece)
            if on_progress:
                elapsed = len(pieces) / self.write_rate
                on_progress(Progress(WRITING, len(pieces), max_tokens, self.write_rate, elapsed, label))
            if cancel.is_set():
                stop_reason = "cancelled"
                break
        else:
            if len(pieces) >= max_tokens:
                stop_reason = "length"  # as LocalEngine: the limit is reached before the end token is seen
        return Generation(
            text="".join(pieces),
            prompt_tokens=len(tokens),
            evaluated_tokens=read + 1,
            generated_tokens=len(pieces),
            prefill_seconds=round(prefill, 6),
            decode_seconds=round(len(pieces) / self.write_rate, 6),
            stop_reason=stop_reason,
        )

    # -- inside ------------------------------------------------------------------------------

    def _called(self) -> None:
        self.threads.add(threading.get_ident())

    def _read(self, tokens: list[str], kept: int, label: str, on_progress, cancel: threading.Event) -> int | None:
        """Read ``tokens[kept:]`` into the context in chunks; None when cancelled (the
        context then holds what was read before the cancel, as LocalEngine's does)."""
        self.context = self.context[:kept]
        todo = tokens[kept:]
        if on_progress:
            on_progress(Progress(READING, 0, len(todo), label=label))
        done = 0
        while done < len(todo):
            if cancel.is_set() or (self.chunk_delay and cancel.wait(self.chunk_delay)):
                return None
            chunk = todo[done : done + self.chunk]
            self.context.extend(chunk)
            done += len(chunk)
            if on_progress:
                on_progress(Progress(READING, done, len(todo), self.read_rate, done / self.read_rate, label))
        return len(todo)


def _common_length(have: list[str], want: list[str]) -> int:
    n = 0
    for a, b in zip(have, want):
        if a != b:
            break
        n += 1
    return n


def _common_prefix(token_lists: list[list[str]]) -> list[str]:
    first = token_lists[0]
    n = min(_common_length(first, other) for other in token_lists)
    return first[:n]
