"""What the drafting pipeline needs from an engine, as plain data and a Protocol."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

READING, WRITING, LOADING = "reading", "writing", "loading"
WAITING = "waiting"  # a server engine: the server reads the prompt (or queues it) until the first token


@dataclass(frozen=True)
class Progress:
    """One progress report: reading the prompt (done of total tokens) or writing (tokens so far)."""

    phase: str  # READING | WRITING | LOADING | WAITING
    done: int
    total: int  # prompt tokens to read; for writing, the token limit
    tokens_per_second: float = 0.0
    elapsed: float = 0.0
    label: str = ""  # which section


@dataclass
class Generation:
    text: str
    prompt_tokens: int  # tokens in the prompt
    evaluated_tokens: int  # prompt tokens actually read (the rest reused from the previous prompt)
    generated_tokens: int
    prefill_seconds: float
    decode_seconds: float
    stop_reason: str  # "end" | "length" | "cancelled" | "error" (a server failed: the text so far is kept)
    error: str = ""  # with "error": one line saying what failed


@dataclass
class PrefixStats:
    """What happened when an engine made the prompts' shared prefix (the record) ready."""

    tokens: int = 0  # tokens in the shared prefix
    source: str = ""  # "context" (already there) | "memory" | "disk" | "read" | "off" | "cancelled"
    evaluated_tokens: int = 0
    seconds: float = 0.0  # making it ready: reading, or loading a saved state
    load_seconds: float = 0.0  # of those, loading a state from disk or memory
    save_seconds: float = 0.0  # writing the state to disk (after reading)
    state_bytes: int = 0
    cache_file: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


ProgressCallback = Callable[[Progress], None]
TokenCallback = Callable[[str], None]


class EngineError(Exception):
    """A user-facing engine failure: model missing or unreadable, context too small, ..."""


class Cancel(threading.Event):
    """A stop request. Like threading.Event (which engines also accept: they then
    stop between prompt chunks), plus listeners run by set(), on the caller's
    thread, so an engine can interrupt a computation already under way."""

    def __init__(self) -> None:
        super().__init__()
        self._listeners: list[Callable[[], None]] = []
        self._guard = threading.Lock()

    def listen(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Run ``callback`` on set() (at once if already set); returns a function that removes it."""
        with self._guard:
            self._listeners.append(callback)
        if self.is_set():
            callback()

        def remove() -> None:
            with self._guard:
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return remove

    def set(self) -> None:
        super().set()
        with self._guard:
            listeners = list(self._listeners)
        for callback in listeners:
            callback()


class Engine(Protocol):
    """What drafting needs from a model. Engines subclass it to say so and to inherit
    the defaults below, which fit an engine that cannot reuse a prompt prefix or time
    its reading (a server behind HTTP): it then simply sees every prompt whole."""

    name: str
    read_seconds: float | None = None  # a time limit on reading the record; see reading_budget()
    last_prefix: PrefixStats | None = None  # what the latest read_shared_prefix() did

    @property
    def context_limit(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    def reserve(self, tokens: int) -> None:
        """Make the context hold at least ``tokens`` (prompt plus answer), or raise EngineError."""

    def chat_prompt(self, system: str, user: str) -> str: ...

    def generate(
        self,
        prompt: str,
        max_tokens: int,
        *,
        label: str = "",
        on_progress: ProgressCallback | None = None,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
        avoid: Collection[str] = (),
    ) -> Generation:
        """Read ``prompt`` and write at most ``max_tokens``, streaming pieces to ``on_token``.
        ``avoid``: words the answer must not begin a token with while the collection holds them
        (the caller may empty it as the answer streams: a ban for one sentence); an engine
        that cannot ban tokens ignores it.
        Progress: READING (done of the prompt tokens read now) then WRITING (tokens so far
        of ``max_tokens``). Stops with "end", "length" (the limit reached) or "cancelled"
        (``cancel`` set: the text written so far is kept)."""
        ...

    def read_shared_prefix(
        self,
        prompts: Sequence[str],
        *,
        label: str = "",
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> PrefixStats | None:
        """Make ready the part all ``prompts`` start with (the record), once, before they
        are generated one by one; called after reserve(). None: this engine does not
        reuse a prefix, and reads each prompt whole in generate()."""
        return None

    def reading_budget(self) -> int | None:
        """How many record tokens can be read within ``read_seconds``; None: no limit."""
        return None

    def settings(self) -> dict:
        """The settings in force, for stats and the benchmark."""
        return {}
