"""What the drafting pipeline needs from an engine, as plain data and a Protocol."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

READING, WRITING, LOADING = "reading", "writing", "loading"


@dataclass(frozen=True)
class Progress:
    """One progress report: reading the prompt (done of total tokens) or writing (tokens so far)."""

    phase: str  # READING | WRITING | LOADING
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
    stop_reason: str  # "end" | "length" | "cancelled"


ProgressCallback = Callable[[Progress], None]
TokenCallback = Callable[[str], None]


class EngineError(Exception):
    """A user-facing engine failure: model missing or unreadable, context too small, ..."""


class Cancelled(Exception):
    """Raised when a cancel request stops work that has no partial result worth keeping."""


class Engine(Protocol):
    name: str

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
    ) -> Generation: ...
