"""The local engine: llama.cpp in-process through llama-cpp-python.

One object owns one Llama; it is not thread-safe, so the caller runs every call
on one thread (the GUI's model worker, or the CLI's main thread). The prompt is
read in chunks so progress shows; the chunk size adapts so a chunk takes about
half a second. A Cancel (engine.base) also interrupts the computation under way:
llama.cpp's abort callback is pointed at C's strlen over a two-byte flag, so the
check costs nothing, needs no Python (no GIL) on llama.cpp's threads, and Stop
lands within one layer of the model whatever the chunk size.

The record is read once: on a CPU, reading the prompt costs far more than writing
the answer, so the record comes first in every prompt, byte-identical across
sections, and its evaluated prefix is reused. Every section's prompt starts with
the same record, so:

- the KV path: where llama.cpp can drop the tail of the context
  (``kv_cache_seq_rm``), the next prompt keeps the common prefix and reads only
  its own suffix;
- the state path: where it cannot (recurrent and hybrid models, some
  sliding-window caches), the sequence state after the shared prefix is saved
  once (``llama_state_seq_get_data``, the per-sequence form of
  ``Llama.save_state`` without its copy of the logits) and loaded back before
  each section;
- the persistent cache (:mod:`.prefix_cache`): that same state is written to disk,
  so reopening an unchanged case with the same model and template loads it
  instead of reading the record again.

``read_shared_prefix`` is how the pipeline announces the prompts of one draft;
``generate`` works without it (it then reuses whatever prefix the context holds).
"""

from __future__ import annotations

import codecs
import ctypes
import ctypes.util
import logging
import math
import os
import sys
import threading
import time
from collections.abc import Collection, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from ..config import config
from ..templates import sandbox
from .base import (
    LOADING,
    READING,
    WRITING,
    Cancel,
    Engine,
    EngineError,
    Generation,
    PrefixStats,
    Progress,
    ProgressCallback,
    TokenCallback,
)
from .models import ModelInfo, load_vocab
from .prefix_cache import PrefixCache, default_cache, model_identity
from .probe import require_loadable
from .threads import LoadMeter

log = logging.getLogger(__name__)

# Target time per prompt chunk: the gap between progress reports (and the delay of a
# cancel given as a plain threading.Event). Small chunks cost reading speed (each llama_decode synchronises the threads once
# per layer; on a busy CPU a 16-token chunk read at a third of the rate of a 512-token one,
# 64 tokens at nearly full rate), hence the floor of 64 tokens.
CHUNK_SECONDS = 0.5
MIN_CHUNK, MAX_CHUNK = 64, 512
CONTEXT_STEP = 256
MIN_CACHED_PREFIX = 32  # shorter prefixes are cheaper to read than to store
PREFIX_MODES = ("auto", "kv", "state", "off")
_DEFAULT = object()


def physical_cores() -> int:
    """Physical cores this process may run on: hyper-threads share a core's
    arithmetic units, and llama.cpp runs slower with more threads than cores."""
    try:
        allowed = os.sched_getaffinity(0)
    except (AttributeError, OSError):
        allowed = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        text = ""
    cores: set[tuple[str, str]] = set()
    for block in text.split("\n\n"):
        fields = {}
        for line in block.splitlines():
            name, _, value = line.partition(":")
            fields[name.strip()] = value.strip()
        if "processor" not in fields or "core id" not in fields:
            continue
        if allowed is not None and fields["processor"].isdigit() and int(fields["processor"]) not in allowed:
            continue
        cores.add((fields.get("physical id", "0"), fields["core id"]))
    if cores:
        return len(cores)
    if allowed:
        return len(allowed)
    return os.cpu_count() or 1


@dataclass(frozen=True)
class EngineTuning:
    """llama.cpp settings, measured by ``emrwriter bench --tune`` (README, Performance).
    The defaults are what measured best, or no worse, on the default model."""

    n_batch: int = 512  # logical batch: the largest prompt chunk
    n_ubatch: int = 512  # physical batch
    flash_attn: bool = False
    type_k: int | None = None  # None: f16; llama_cpp.GGML_TYPE_Q8_0 (8) halves the cache
    type_v: int | None = None  # a quantized V cache needs flash_attn
    chunk_seconds: float = CHUNK_SECONDS
    fixed_chunk: int | None = None  # a constant prompt chunk (tests: identical batching on every path)
    prompt_lookup: bool = False  # prompt-lookup speculative decoding: measured slower here, so off
    lookup_ngram: int = 2
    lookup_tokens: int = 4

    def kv_settings(self) -> dict:
        """The settings that change what the saved state holds or how it is laid out."""
        return {"type_k": self.type_k, "type_v": self.type_v, "flash_attn": self.flash_attn}


@dataclass
class EngineCounters:
    """Counts for tests and the benchmark: which prefix path ran how often."""

    kv_trims: int = 0  # tails dropped with kv_cache_seq_rm
    trim_failures: int = 0  # kv_cache_seq_rm refused (recurrent/hybrid/SWA)
    state_saves: int = 0
    state_restores: int = 0
    resets: int = 0  # contexts cleared and read from the start
    speculative_drafted: int = 0
    speculative_accepted: int = 0
    chunk_seconds: list = field(default_factory=list)  # (tokens, seconds) per prompt chunk, latest generate
    token_seconds: list = field(default_factory=list)  # seconds per written token, latest generate


@dataclass
class _Snapshot:
    tokens: list[int]
    state: object  # a uint8 numpy array (see state_buffer)


class _Interrupted(Exception):
    """llama_decode stopped by the abort flag (a Cancel was set)."""


_abort_callback = None


def _strlen_abort_callback():
    """C's strlen as a ggml_abort_callback: over a two-byte buffer it returns 0 (go on)
    for b"\\0" and 1 (abort) for b"x", read by llama.cpp between graph nodes."""
    global _abort_callback
    if _abort_callback is None:
        from llama_cpp import llama_cpp as lib

        libc = ctypes.cdll.msvcrt if sys.platform == "win32" else ctypes.CDLL(ctypes.util.find_library("c"))
        _abort_callback = lib.ggml_abort_callback(ctypes.cast(libc.strlen, ctypes.c_void_p).value)
    return _abort_callback


class LocalEngine(Engine):
    """An Engine on a GGUF file. The weights load on first need, sized to the prompt.

    ``prefix_mode``: "auto" (drop the tail where llama.cpp can, else save and load
    the state), "kv" (drop the tail or read again), "state" (always save and load
    the state; to test that path on any model), "off" (read every prompt from the
    start: the naive drafter of the benchmark). ``prefix_cache``: a PrefixCache,
    None for no persistent cache, or the user's cache by default (EMRWRITER_CACHE_DIR
    overrides the folder; "off" switches it off). ``read_seconds``: when set, the
    record is trimmed by relevance to what can be read in that time (see
    :meth:`reading_budget`)."""

    def __init__(
        self,
        info: ModelInfo,
        threads: int | None = None,
        context_cap: int | None = None,
        gpu_layers: int = 0,
        seed: int = 1234,
        *,
        prefix_mode: str = "auto",
        prefix_cache: PrefixCache | None = _DEFAULT,  # type: ignore[assignment]
        tuning: EngineTuning | None = None,
        read_seconds: float | None = None,
    ):
        if prefix_mode not in PREFIX_MODES:
            raise ValueError(f"prefix_mode must be one of {PREFIX_MODES}")
        self.info = info
        self.gpu_layers = gpu_layers
        self.name = info.name
        fixed = threads or config().threads  # the caller's, or the site's or user's config file
        self.threads = fixed or physical_cores()
        self._load_meter = None if fixed else LoadMeter(self.threads)  # else one per free core (engine.threads)
        trained = info.context_length or 2048
        self._limit = min(trained, context_cap) if context_cap else trained
        self.seed = seed
        self.prefix_mode = prefix_mode
        self.tuning = tuning or EngineTuning()
        self.prefix_cache = default_cache() if prefix_cache is _DEFAULT else prefix_cache
        self.read_seconds = read_seconds
        self.counters = EngineCounters()
        self.last_prefix: PrefixStats | None = None
        self._vocab = None  # a vocab-only Llama: tokenizing before the context size is known
        self._llm = None
        self._n_ctx = 0
        self._chunk = self.tuning.fixed_chunk or 64
        self._read_rate = 0.0  # prompt tokens per second, as last measured
        self._can_trim: bool | None = None  # whether kv_cache_seq_rm can drop a tail; learnt on first try
        self._snapshot: _Snapshot | None = None
        self._model_id: str | None = None
        self._abort_flag = ctypes.create_string_buffer(2)  # b"" runs, b"x" aborts llama_decode
        if not info.chat_template:
            raise EngineError(f"{info.path}: the model has no chat template; use an instruction-tuned model")
        self._chat = sandbox().from_string(info.chat_template)

    @property
    def context_limit(self) -> int:
        return self._limit

    @property
    def n_ctx(self) -> int:
        return self._n_ctx

    def settings(self) -> dict:
        """The settings in force, for stats and the benchmark."""
        return {
            "threads": self.threads,
            "n_ctx": self._n_ctx,
            "prefix_mode": self.prefix_mode,
            "prefix_cache": str(self.prefix_cache.folder) if self.prefix_cache else None,
            **asdict(self.tuning),
        }

    def _tokenizer(self):
        """The model's vocabulary: of the loaded Llama, or a vocab-only load before it."""
        if self._llm is not None:
            return self._llm._model
        if self._vocab is None:
            self._vocab = load_vocab(self.info.path)
        return self._vocab

    def _load(self, n_ctx: int):
        from llama_cpp import Llama

        require_loadable(self.info.path)  # a file that crashes llama.cpp crashes a child, not the app
        tuning = self.tuning
        extra = {k: v for k, v in (("type_k", tuning.type_k), ("type_v", tuning.type_v)) if v is not None}
        try:
            return Llama(
                model_path=str(self.info.path),
                n_ctx=n_ctx,
                n_threads=self.threads,
                n_threads_batch=self.threads,
                n_batch=max(tuning.n_batch, MIN_CHUNK),
                n_ubatch=tuning.n_ubatch,
                flash_attn=tuning.flash_attn,
                n_gpu_layers=self.gpu_layers,
                seed=self.seed,
                verbose=False,
                **extra,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise EngineError(f"{self.info.path}: the model failed to load ({exc})") from None

    def tokenize(self, text: str) -> list[int]:
        llm = self._tokenizer()
        bos = llm.detokenize([llm.token_bos()], special=True).decode("utf-8", "ignore") if llm.token_bos() >= 0 else ""
        add_bos = not (bos and text.startswith(bos))  # the chat template may write BOS itself
        return llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def chat_prompt(self, system: str, user: str) -> str:
        llm = self._tokenizer()

        def special(token: int) -> str:
            return llm.detokenize([token], special=True).decode("utf-8", "ignore") if token >= 0 else ""

        def raise_exception(message: str):
            raise EngineError(f"{self.info.path}: chat template: {message}")

        try:
            return self._chat.render(
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                add_generation_prompt=True,
                bos_token=special(llm.token_bos()),
                eos_token=special(llm.token_eos()),
                raise_exception=raise_exception,
                strftime_now=lambda fmt: datetime.now().strftime(fmt),
                enable_thinking=False,  # Qwen3 and kin: no hidden reasoning, it costs minutes on a CPU
            )
        except EngineError:
            raise
        except Exception as exc:  # jinja errors from an untrusted template: say which and why
            raise EngineError(f"{self.info.path}: the model's chat template failed ({exc})") from None

    def adapt_threads(self) -> int:
        """Without a fixed setting, one thread per core other programs leave free, looked
        at again before each prompt (llama_set_n_threads: no reload). The threads in force."""
        if self._load_meter is not None:
            chosen = self._load_meter.choose()
            if chosen != self.threads:
                log.info("threads %d -> %d (cores free of other programs)", self.threads, chosen)
                self.threads = chosen
                if self._llm is not None:
                    self._llm._ctx.set_n_threads(chosen, chosen)
                    self._llm.n_threads = self._llm.n_threads_batch = chosen
        return self.threads

    def reserve(self, tokens: int, on_progress: ProgressCallback | None = None) -> None:
        self.adapt_threads()
        if tokens > self._limit:
            raise EngineError(
                f"the prompt needs {tokens} tokens but {self.name} holds at most {self._limit}; choose a model with a longer context"
            )
        if self._llm is not None and self._n_ctx >= tokens:
            return
        n_ctx = min(self._limit, -(-tokens // CONTEXT_STEP) * CONTEXT_STEP)
        if on_progress:
            on_progress(Progress(LOADING, 0, 1, label=self.name))
        self._llm = None  # free the old context before allocating the new one
        self._llm = self._load(n_ctx)
        self._vocab = None
        self._n_ctx = n_ctx
        from llama_cpp import llama_cpp as lib

        lib.llama_set_abort_callback(self._llm._ctx.ctx, _strlen_abort_callback(), ctypes.cast(self._abort_flag, ctypes.c_void_p))
        if self._llm._is_recurrent or self._llm._is_hybrid:
            self._can_trim = False  # known without trying: these keep no per-position memory
        log.info("loaded %s with n_ctx=%d, threads=%d", self.name, n_ctx, self.threads)
        if on_progress:
            on_progress(Progress(LOADING, 1, 1, label=self.name))

    # -- reading budget ---------------------------------------------------------------

    def reading_budget(self) -> int | None:
        """How many record tokens can be read within ``read_seconds`` (None: no time limit).
        The rate is the last one measured; before any reading, a short calibration."""
        if not self.read_seconds:
            return None
        if not self._read_rate:
            self.reserve(min(self._limit, CONTEXT_STEP))
            llm = self._llm
            self._clear()
            probe = [max(llm.token_bos(), 0)] * 64
            started = time.monotonic()
            self._decode(probe)
            self._read_rate = len(probe) / max(time.monotonic() - started, 1e-6)
            self._clear()
        return max(0, int(self.read_seconds * self._read_rate))

    # -- the shared prefix ---------------------------------------------------------------

    def read_shared_prefix(
        self,
        prompts: Sequence[str],
        *,
        label: str = "",
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> PrefixStats:
        """Make the context hold the tokens all ``prompts`` start with: already there,
        from the state saved in memory or on disk, or read now (and then saved).
        Call after :meth:`reserve` has sized the context for the longest prompt."""
        cancel = cancel or threading.Event()
        token_lists = [self.tokenize(p) for p in prompts]
        if not token_lists:
            return PrefixStats(source="off")
        prefix = _common_prefix(token_lists)
        if len(token_lists) == 1 or len(prefix) == min(len(t) for t in token_lists):
            prefix = prefix[: min(len(t) for t in token_lists) - 1]  # the last prompt token is read with the answer
        report = PrefixStats(tokens=len(prefix))
        self.last_prefix = report
        if self.prefix_mode == "off" or not prefix:
            report.source = "off"
            return report
        self.reserve(max(len(t) for t in token_lists))
        self.counters.chunk_seconds, self.counters.token_seconds = [], []
        started = time.monotonic()
        llm = self._llm
        exact = self._holds(prefix) and llm.n_tokens == len(prefix)
        if self._holds(prefix) and (not self._keeps_snapshots() or self._snapshot_is(prefix) or exact):
            if self._keeps_snapshots() and not self._snapshot_is(prefix):
                self._snapshot = _Snapshot(list(prefix), self._save_state())
            report.source = "context"
        elif self._snapshot_is(prefix) and self._restore(self._snapshot):
            report.source, report.load_seconds = "memory", time.monotonic() - started
        elif self._restore_from_disk(prefix, report):
            report.source = "disk"
        else:
            kept = self._reuse(prefix)
            done = self._read_tokens(prefix[kept:], label, on_progress, cancel)
            if done is None:
                report.source = "cancelled"
                report.seconds = time.monotonic() - started
                return report
            report.source, report.evaluated_tokens = "read", done
            self._after_prefix_read(prefix, report)
        if report.source in ("context", "memory", "disk") and on_progress:
            on_progress(Progress(READING, len(prefix), len(prefix), 0.0, time.monotonic() - started, label))
        report.seconds = time.monotonic() - started
        return report

    def _holds(self, tokens: list[int]) -> bool:
        llm = self._llm
        n = len(tokens)
        return llm is not None and llm.n_tokens >= n and llm.input_ids[:n].tolist() == tokens

    def _snapshot_is(self, tokens: list[int]) -> bool:
        return self._snapshot is not None and self._snapshot.tokens == tokens

    def _keeps_snapshots(self) -> bool:
        """Whether the prefix state is kept in memory: on the state path, and in "auto"
        until a tail has been dropped successfully (for sliding-window caches, always)."""
        if self.prefix_mode == "state":
            return True
        return self.prefix_mode == "auto" and (self._can_trim is not True or self._n_swa() > 0)

    def _n_swa(self) -> int:
        from llama_cpp import llama_cpp as lib

        return lib.llama_model_n_swa(self._llm.model) if self._llm is not None else 0

    def _after_prefix_read(self, prefix: list[int], report: PrefixStats) -> None:
        """The context holds exactly the prefix: keep its state where it will be needed."""
        wants_disk = self.prefix_cache is not None and len(prefix) >= MIN_CACHED_PREFIX
        if not (wants_disk or self._keeps_snapshots()):
            return
        state = self._save_state()
        report.state_bytes = len(state)
        if self._keeps_snapshots():
            self._snapshot = _Snapshot(list(prefix), state)
        if wants_disk:
            t0 = time.monotonic()
            path = self.prefix_cache.put(
                self._cache_key(prefix), prefix, state, {"model": self.name, "tokens": len(prefix), "threads": self.threads}
            )
            report.save_seconds = time.monotonic() - t0
            report.cache_file = str(path or "")

    def _restore_from_disk(self, prefix: list[int], report: PrefixStats) -> bool:
        if self.prefix_cache is None or len(prefix) < MIN_CACHED_PREFIX:
            return False
        key = self._cache_key(prefix)
        t0 = time.monotonic()
        entry = self.prefix_cache.get(key, prefix)
        if entry is None:
            return False
        snapshot = _Snapshot(list(prefix), entry.state)
        if not self._restore(snapshot):
            log.warning("prefix cache: %s does not load into this context; deleting it", entry.path.name)
            self.prefix_cache.reject(entry.path)
            self._clear()
            return False
        if self._keeps_snapshots():
            self._snapshot = snapshot
        report.load_seconds = time.monotonic() - t0
        report.state_bytes = len(entry.state)
        report.cache_file = str(entry.path)
        return True

    def _cache_key(self, prefix: list[int]) -> str:
        import llama_cpp

        if self._model_id is None:
            self._model_id = model_identity(Path(self.info.path))
        settings = {"llama_cpp": llama_cpp.__version__, **self.tuning.kv_settings()}
        return PrefixCache.key(self._model_id, settings, prefix)

    # -- low-level state ------------------------------------------------------------------

    def _clear(self) -> None:
        from llama_cpp import llama_cpp as lib

        llm = self._llm
        lib.llama_memory_clear(lib.llama_get_memory(llm._ctx.ctx), True)
        llm.n_tokens = 0

    def _save_state(self):
        """The state of sequence 0 (the prompt's KV cache or recurrent state), no logits."""
        from llama_cpp import llama_cpp as lib

        ctx = self._llm._ctx.ctx
        size = lib.llama_state_seq_get_size(ctx, 0)
        buffer = state_buffer(size)
        written = lib.llama_state_seq_get_data(ctx, _pointer(buffer), size, 0)
        if written != size:
            raise EngineError(f"llama.cpp saved {written} of {size} bytes of state")
        self.counters.state_saves += 1
        return buffer

    def _restore(self, snapshot: _Snapshot) -> bool:
        """Load a saved prefix state into a cleared context; False if llama.cpp refuses it."""
        from llama_cpp import llama_cpp as lib

        llm = self._llm
        if len(snapshot.tokens) >= self._n_ctx:
            return False
        self._clear()
        state = snapshot.state
        n = len(snapshot.tokens)
        loaded = lib.llama_state_seq_set_data(llm._ctx.ctx, _pointer(state), len(state), 0)
        if loaded == 0 or lib.llama_memory_seq_pos_max(lib.llama_get_memory(llm._ctx.ctx), 0) != n - 1:
            self._clear()  # refused, or not the state of these tokens
            return False
        llm.input_ids[:n] = snapshot.tokens
        llm.n_tokens = n
        self.counters.state_restores += 1
        return True

    def _trim(self, keep: int) -> bool:
        """Drop the context after ``keep`` tokens, if llama.cpp can."""
        llm = self._llm
        if keep >= llm.n_tokens:
            return True
        if self.prefix_mode == "state" or self._can_trim is False:
            return False
        if llm._ctx.kv_cache_seq_rm(-1, keep, -1):
            llm.n_tokens = keep
            if self._swa_lost(keep):  # the window before `keep` was already evicted
                self._clear()
                self.counters.trim_failures += 1
                return False
            self._can_trim = True
            self.counters.kv_trims += 1
            if not self._keeps_snapshots():
                self._snapshot = None  # the KV path works: no need to hold a copy of the prefix
            return True
        self._can_trim = False
        self.counters.trim_failures += 1
        log.info("%s cannot drop a context tail; using saved prefix states", self.name)
        return False

    def _swa_lost(self, keep: int) -> bool:
        """With a sliding-window cache, positions the next token must see may be gone
        (llama.cpp's server makes the same check before reusing a prompt)."""
        n_swa = self._n_swa()
        if n_swa <= 0 or keep == 0:
            return False
        from llama_cpp import llama_cpp as lib

        pos_min = lib.llama_memory_seq_pos_min(lib.llama_get_memory(self._llm._ctx.ctx), 0)
        return pos_min > max(0, keep - n_swa)

    def _decode(self, tokens: list[int], logits_all: bool = False) -> None:
        """Append ``tokens`` to the context (at most n_batch of them). Raises
        _Interrupted, with the context as it was before, when a Cancel aborts it."""
        llm = self._llm
        n_past = llm.n_tokens
        llm._batch.set_batch(batch=tokens, n_past=n_past, logits_all=logits_all)
        try:
            llm._ctx.decode(llm._batch)
        except RuntimeError:
            if not self._abort_flag.value:
                raise
            # llama.cpp has dropped the aborted batch; make sure, or start over where it cannot.
            if not llm._ctx.kv_cache_seq_rm(-1, n_past, -1):
                self._clear()
            raise _Interrupted from None
        llm.input_ids[n_past : n_past + len(tokens)] = tokens
        llm.n_tokens = n_past + len(tokens)

    @contextmanager
    def _interruptible(self, cancel: threading.Event):
        """While inside, setting ``cancel`` (a Cancel) aborts llama_decode at once."""
        self._abort_flag.value = b""
        remove = cancel.listen(self._abort) if isinstance(cancel, Cancel) else None
        try:
            yield
        finally:
            if remove is not None:
                remove()
            self._abort_flag.value = b""

    def _abort(self) -> None:
        self._abort_flag.value = b"x"

    # -- generation -----------------------------------------------------------------------

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
        temperature: float = 0.2,
        prompt_lookup: bool | None = None,
    ) -> Generation:
        cancel = cancel or threading.Event()
        tokens = self.tokenize(prompt)
        self.reserve(len(tokens) + max_tokens, on_progress)
        started = time.monotonic()
        evaluated = self._read_prompt(tokens, label, on_progress, cancel)
        prefill = time.monotonic() - started
        if evaluated is None:
            return Generation("", len(tokens), 0, 0, prefill, 0.0, "cancelled")
        lookup = self.tuning.prompt_lookup if prompt_lookup is None else prompt_lookup
        if lookup and (self.prefix_mode == "state" or self._can_trim is False or avoid):
            lookup = False  # rejected draft tokens must be dropped from the context; a ban is read per token
        decode_start = time.monotonic()
        text, produced, stop_reason = self._write(
            tokens[-1], max_tokens, temperature, lookup, label, on_progress, on_token, cancel, decode_start, avoid
        )
        return Generation(
            text=text,
            prompt_tokens=len(tokens),
            evaluated_tokens=evaluated + 1,
            generated_tokens=produced,
            prefill_seconds=prefill,
            decode_seconds=time.monotonic() - decode_start,
            stop_reason=stop_reason,
        )

    def _write(
        self,
        first: int,
        max_tokens: int,
        temperature: float,
        lookup: bool,
        label: str,
        on_progress,
        on_token,
        cancel: threading.Event,
        decode_start: float,
        avoid: Collection[str] = (),
    ) -> tuple[str, int, str]:
        """Read the last prompt token and write the answer. With ``lookup``, tokens
        that continue an n-gram already in the context are checked in one batch
        (prompt-lookup decoding, LlamaPromptLookupDecoding's candidate search)."""
        from llama_cpp import llama_cpp as lib

        llm = self._llm
        sampler = llm._init_sampler(top_k=40, top_p=0.9, min_p=0.05, temp=temperature, repeat_penalty=1.1)
        vocab = llm._model.vocab
        finder = None
        if lookup:
            import numpy as np
            from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

            finder = LlamaPromptLookupDecoding(self.tuning.lookup_ngram, self.tuning.lookup_tokens)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pieces: list[str] = []
        produced = 0
        stop_reason = "length"
        current = first
        times = self.counters.token_seconds
        last = time.monotonic()
        while True:
            draft: list[int] = []
            if finder is not None and produced:
                room = min(self._n_ctx - llm.n_tokens - 1, llm.n_batch - 1, max_tokens - produced - 1)
                if room > 0:
                    history = np.append(llm.input_ids[: llm.n_tokens], current).astype(np.intc)
                    draft = [int(t) for t in finder(history)[:room]]
            if llm.n_tokens + 1 + len(draft) > self._n_ctx:
                break  # the context is full (reserve() makes this unreachable)
            batch = [current, *draft]
            n_past = llm.n_tokens
            try:
                with self._interruptible(cancel):
                    self._decode(batch, logits_all=bool(draft))
            except _Interrupted:
                stop_reason = "cancelled"
                break
            self.counters.speculative_drafted += len(draft)
            for i in range(len(batch)):
                if avoid:  # the words the answer must not begin again, for as long as the caller asks
                    logits = lib.llama_get_logits_ith(llm._ctx.ctx, i if draft else -1)
                    for banned in self._first_tokens(tuple(avoid)):
                        logits[banned] = -math.inf
                token = sampler.sample(llm._ctx, i if draft else -1)
                if lib.llama_vocab_is_eog(vocab, token):
                    stop_reason = "end"
                    break
                produced += 1
                now = time.monotonic()
                times.append(now - last)
                last = now
                piece = decoder.decode(llm.detokenize([token]))
                if piece:
                    pieces.append(piece)
                    if on_token:
                        on_token(piece)
                elapsed = now - decode_start
                if on_progress:
                    on_progress(Progress(WRITING, produced, max_tokens, produced / elapsed if elapsed else 0.0, elapsed, label))
                if cancel.is_set():
                    stop_reason = "cancelled"
                    break
                if produced >= max_tokens:
                    break
                if i + 1 < len(batch) and batch[i + 1] == token:
                    self.counters.speculative_accepted += 1
                    continue  # the drafted token was right: its logits are already computed
                break
            if draft and n_past + i + 1 < llm.n_tokens:
                self._trim(n_past + i + 1)
            if stop_reason != "length" or produced >= max_tokens:
                break
            current = token
        # Bytes of a character cut off by the token limit are dropped, not shown as U+FFFD.
        return "".join(pieces), produced, stop_reason

    def _first_tokens(self, words: tuple[str, ...]) -> set[int]:
        """The tokens each of ``words`` begins with, written alone or after a space."""
        found: set[int] = set()
        for word in words:
            for spelling in (word, " " + word):
                tokens = self._llm.tokenize(spelling.encode("utf-8"), add_bos=False, special=False)
                if tokens:
                    found.add(tokens[0])
        return found

    def _read_prompt(self, tokens: list[int], label: str, on_progress, cancel: threading.Event) -> int | None:
        """Read all but the last prompt token in chunks, reusing the longest prefix
        already in the context (or in the saved prefix state). Returns the tokens
        read, or None when cancelled."""
        body = tokens[:-1]
        common = self._reuse(body)
        return self._read_tokens(body[common:], label, on_progress, cancel)

    def _reuse(self, body: list[int]) -> int:
        """Make the context a prefix of ``body``, keeping as much as possible: drop the
        tail that differs, or load the saved prefix state, or start over. Returns the
        tokens kept."""
        llm = self._llm
        if self.prefix_mode == "off":
            self._clear()
            return 0
        common = 0
        for have, want in zip(llm.input_ids[: llm.n_tokens].tolist(), body):
            if have != want:
                break
            common += 1
        if common == llm.n_tokens or (common and self._trim(common)):
            return common
        snapshot = self._snapshot
        usable = snapshot is not None and len(snapshot.tokens) <= len(body) and body[: len(snapshot.tokens)] == snapshot.tokens
        if usable and self._restore(snapshot):
            return len(snapshot.tokens)
        self._clear()  # nothing to keep: start over
        self.counters.resets += 1
        return 0

    def _read_tokens(self, todo: list[int], label: str, on_progress, cancel: threading.Event) -> int | None:
        """Append ``todo`` to the context chunk by chunk, with progress and cancel."""
        llm = self._llm
        done = 0
        if on_progress:
            on_progress(Progress(READING, 0, len(todo), label=label))
        started = time.monotonic()
        limit = min(MAX_CHUNK, llm.n_batch)
        while done < len(todo):
            if cancel.is_set():
                return None
            chunk = todo[done : done + min(self._chunk, limit)]
            t0 = time.monotonic()
            try:
                with self._interruptible(cancel):
                    self._decode(chunk)
            except _Interrupted:
                return None
            spent = time.monotonic() - t0
            done += len(chunk)
            self.counters.chunk_seconds.append((len(chunk), spent))
            if spent > 0:
                self._read_rate = len(chunk) / spent
                if not self.tuning.fixed_chunk:  # aim each chunk at chunk_seconds
                    self._chunk = max(MIN_CHUNK, min(limit, int(len(chunk) / spent * self.tuning.chunk_seconds)))
            if on_progress:
                elapsed = time.monotonic() - started
                on_progress(Progress(READING, done, len(todo), done / elapsed if elapsed else 0.0, elapsed, label))
        return len(todo)

    def context_tokens(self, n: int | None = None) -> list[int]:
        """The first ``n`` tokens the context holds now (all of them by default; none before
        the model is loaded): after a draft, the shared prefix the benchmark reads again raw."""
        llm = self._llm
        if llm is None:
            return []
        held = llm.n_tokens if n is None else min(n, llm.n_tokens)
        return llm.input_ids[:held].tolist()

    def forget(self) -> None:
        """Drop the context and the saved prefix state (the next prompt is read from the start)."""
        self._snapshot = None
        if self._llm is not None:
            self._clear()


def state_buffer(size: int):
    """Room for a saved state, not zero-filled: a ctypes array or bytearray of a few
    hundred MB is zeroed while holding the GIL, which froze the window for ~0.2 s.
    (numpy.empty leaves the pages to the OS, filled later by llama.cpp or a file read
    with the GIL released.)"""
    import numpy as np

    return np.empty(size, dtype=np.uint8)


def _pointer(buffer):
    return buffer.ctypes.data_as(ctypes.POINTER(ctypes.c_uint8))


def _common_prefix(token_lists: list[list[int]]) -> list[int]:
    first = token_lists[0]
    n = min(len(t) for t in token_lists)
    for i in range(n):
        tok = first[i]
        if any(t[i] != tok for t in token_lists[1:]):
            return first[:i]
    return first[:n]
