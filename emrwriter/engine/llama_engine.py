"""The local engine: llama.cpp in-process through llama-cpp-python.

One object owns one Llama; it is not thread-safe, so the caller runs every call
on one thread (the GUI's model worker, or the CLI's main thread). The prompt is
read in chunks so progress shows and a cancel takes effect within one chunk;
the chunk size adapts so a chunk takes well under half a second."""

from __future__ import annotations

import codecs
import logging
import os
import threading
import time
from datetime import datetime

from .base import LOADING, READING, WRITING, EngineError, Generation, Progress, ProgressCallback, TokenCallback
from .models import ModelInfo, load_vocab
from ..templates import sandbox

log = logging.getLogger(__name__)

CHUNK_SECONDS = 0.25  # target time per prompt chunk: bounds the delay of a cancel
MIN_CHUNK, MAX_CHUNK = 16, 512
CONTEXT_STEP = 256


class LocalEngine:
    """An Engine on a GGUF file. The weights load on first need, sized to the prompt."""

    def __init__(
        self, info: ModelInfo, threads: int | None = None, context_cap: int | None = None, gpu_layers: int = 0, seed: int = 1234
    ):
        self.info = info
        self.gpu_layers = gpu_layers
        self.name = info.name
        self.threads = threads or os.cpu_count() or 1
        trained = info.context_length or 2048
        self._limit = min(trained, context_cap) if context_cap else trained
        self.seed = seed
        self._vocab = None  # a vocab-only Llama: tokenizing before the context size is known
        self._llm = None
        self._n_ctx = 0
        self._chunk = 64
        if not info.chat_template:
            raise EngineError(f"{info.path}: the model has no chat template; use an instruction-tuned model")
        self._chat = sandbox().from_string(info.chat_template)

    @property
    def context_limit(self) -> int:
        return self._limit

    @property
    def n_ctx(self) -> int:
        return self._n_ctx

    def _tokenizer(self):
        """The model's vocabulary: of the loaded Llama, or a vocab-only load before it."""
        if self._llm is not None:
            return self._llm._model
        if self._vocab is None:
            self._vocab = load_vocab(self.info.path)
        return self._vocab

    def _load(self, n_ctx: int):
        from llama_cpp import Llama

        try:
            return Llama(
                model_path=str(self.info.path),
                n_ctx=n_ctx,
                n_threads=self.threads,
                n_threads_batch=self.threads,
                n_batch=MAX_CHUNK,
                n_gpu_layers=self.gpu_layers,
                seed=self.seed,
                verbose=False,
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
                enable_thinking=False,
            )
        except EngineError:
            raise
        except Exception as exc:  # jinja errors from an untrusted template: say which and why
            raise EngineError(f"{self.info.path}: the model's chat template failed ({exc})") from None

    def reserve(self, tokens: int, on_progress: ProgressCallback | None = None) -> None:
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
        log.info("loaded %s with n_ctx=%d, threads=%d", self.name, n_ctx, self.threads)
        if on_progress:
            on_progress(Progress(LOADING, 1, 1, label=self.name))

    def generate(
        self,
        prompt: str,
        max_tokens: int,
        *,
        label: str = "",
        on_progress: ProgressCallback | None = None,
        on_token: TokenCallback | None = None,
        cancel: threading.Event | None = None,
        temperature: float = 0.2,
    ) -> Generation:
        cancel = cancel or threading.Event()
        tokens = self.tokenize(prompt)
        self.reserve(len(tokens) + max_tokens, on_progress)
        llm = self._llm
        started = time.monotonic()
        evaluated = self._read_prompt(tokens, label, on_progress, cancel)
        prefill = time.monotonic() - started
        if evaluated is None:
            return Generation("", len(tokens), 0, 0, prefill, 0.0, "cancelled")
        # llm.generate finds all but the last prompt token already read, and reads that one.
        from llama_cpp import llama_cpp as lib

        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pieces: list[str] = []
        produced = 0
        stop_reason = "length"
        decode_start = time.monotonic()
        for token in llm.generate(tokens, temp=temperature, top_k=40, top_p=0.9, min_p=0.05, repeat_penalty=1.1):
            if lib.llama_vocab_is_eog(llm._model.vocab, token):
                stop_reason = "end"
                break
            produced += 1
            piece = decoder.decode(llm.detokenize([token]))
            if piece:
                pieces.append(piece)
                if on_token:
                    on_token(piece)
            elapsed = time.monotonic() - decode_start
            if on_progress:
                on_progress(Progress(WRITING, produced, max_tokens, produced / elapsed if elapsed else 0.0, elapsed, label))
            if cancel.is_set():
                stop_reason = "cancelled"
                break
            if produced >= max_tokens:
                break
        # Bytes of a character cut off by the token limit are dropped, not shown as U+FFFD.
        return Generation(
            text="".join(pieces),
            prompt_tokens=len(tokens),
            evaluated_tokens=evaluated + 1,
            generated_tokens=produced,
            prefill_seconds=prefill,
            decode_seconds=time.monotonic() - decode_start,
            stop_reason=stop_reason,
        )

    def _read_prompt(self, tokens: list[int], label: str, on_progress, cancel: threading.Event) -> int | None:
        """Read all but the last prompt token in chunks, reusing the longest prefix
        already in the context. Returns the tokens read, or None when cancelled."""
        llm = self._llm
        body = tokens[:-1]
        common = 0
        for have, want in zip(llm.input_ids[: llm.n_tokens], body):
            if have != want:
                break
            common += 1
        if common < llm.n_tokens:
            if common and llm._ctx.kv_cache_seq_rm(-1, common, -1):
                llm.n_tokens = common
            else:  # recurrent models cannot drop a tail: start over
                llm.reset()
                common = 0
        todo = body[common:]
        done = 0
        if on_progress:
            on_progress(Progress(READING, 0, len(todo), label=label))
        started = time.monotonic()
        while done < len(todo):
            if cancel.is_set():
                return None
            chunk = todo[done : done + self._chunk]
            t0 = time.monotonic()
            llm.eval(chunk)
            spent = time.monotonic() - t0
            done += len(chunk)
            if spent > 0:  # aim each chunk at CHUNK_SECONDS
                self._chunk = max(MIN_CHUNK, min(MAX_CHUNK, int(len(chunk) / spent * CHUNK_SECONDS)))
            if on_progress:
                elapsed = time.monotonic() - started
                on_progress(Progress(READING, done, len(todo), done / elapsed if elapsed else 0.0, elapsed, label))
        return len(todo)
