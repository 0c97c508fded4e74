"""llama.cpp's own speed on this machine: prompt reading and token writing measured
with llama-cpp-python's low-level calls (``llama_decode`` on batches, no sampling),
the limit ``emrwriter bench`` holds the app's drafting against. Kept in the engine
package, the one place that talks to llama.cpp."""

from __future__ import annotations

import statistics
import time

from .llama_engine import EngineTuning
from .models import ModelInfo

RAW_DECODE_TOKENS = 64


def llama_cpp_version() -> str:
    """The installed llama-cpp-python's version ("?" when it cannot be imported)."""
    try:
        import llama_cpp
    except ImportError:  # pragma: no cover
        return "?"
    return llama_cpp.__version__


def _low_level(info: ModelInfo, threads: int, n_ctx: int, tuning: EngineTuning):
    from llama_cpp import Llama

    extra = {k: v for k, v in (("type_k", tuning.type_k), ("type_v", tuning.type_v)) if v is not None}
    return Llama(
        model_path=str(info.path),
        n_ctx=n_ctx,
        n_threads=threads,
        n_threads_batch=threads,
        n_batch=tuning.n_batch,
        n_ubatch=tuning.n_ubatch,
        flash_attn=tuning.flash_attn,
        verbose=False,
        **extra,
    )


def raw_limit(info: ModelInfo, threads: int, n_ctx: int, tuning: EngineTuning, tokens: list[int], rounds: int = 3) -> dict:
    """Raw prompt reading (llama_decode on n_batch-token batches of the case's own
    prefix) and writing (llama_decode of one token at a time at that depth, no
    sampling), each repeated ``rounds`` times."""
    from llama_cpp import llama_cpp as lib

    llm = _low_level(info, threads, n_ctx, tuning)
    ctx, batch = llm._ctx.ctx, llm._batch
    memory = lib.llama_get_memory(ctx)
    n_batch = llm.n_batch
    tokens = tokens[: max(1, n_ctx - RAW_DECODE_TOKENS - 1)] or [max(llm.token_bos(), 0)] * 256
    prefill, batches, decode_times = [], [], []
    for _ in range(rounds):
        lib.llama_memory_clear(memory, True)
        spent = 0.0
        for i in range(0, len(tokens), n_batch):
            chunk = tokens[i : i + n_batch]
            batch.set_batch(chunk, n_past=i, logits_all=False)
            t0 = time.perf_counter()
            if lib.llama_decode(ctx, batch.batch) != 0:
                raise RuntimeError("llama_decode failed")
            dt = time.perf_counter() - t0
            spent += dt
            batches.append(len(chunk) / dt)
        prefill.append(len(tokens) / spent)
        for j in range(RAW_DECODE_TOKENS):
            batch.set_batch([tokens[j % len(tokens)]], n_past=len(tokens) + j, logits_all=False)
            t0 = time.perf_counter()
            if lib.llama_decode(ctx, batch.batch) != 0:
                raise RuntimeError("llama_decode failed")
            decode_times.append(time.perf_counter() - t0)
    del llm
    return {
        "prefill_rounds": prefill,
        "batch_rates": batches,
        "decode_times": decode_times,
        "tokens": len(tokens),
        "n_batch": n_batch,
        "decode_tokens_per_round": RAW_DECODE_TOKENS,
    }


def tune_settings(info: ModelInfo, threads: int, n_ctx: int, tokens: list[int], rounds: int = 3) -> list[dict]:
    """Raw reading and writing for a few llama.cpp settings, interleaved round by round
    so a burst of other load hits them all alike. Best of the rounds is reported."""
    q8 = 8  # GGML_TYPE_Q8_0
    candidates = {
        "n_batch 512, n_ubatch 512 (default)": EngineTuning(),
        "n_batch 256, n_ubatch 256": EngineTuning(n_batch=256, n_ubatch=256),
        "n_batch 512, n_ubatch 128": EngineTuning(n_ubatch=128),
        "n_batch 1024, n_ubatch 512": EngineTuning(n_batch=1024),
        "flash attention": EngineTuning(flash_attn=True),
        "flash attention, KV q8_0": EngineTuning(flash_attn=True, type_k=q8, type_v=q8),
        "K cache q8_0": EngineTuning(type_k=q8),
    }
    sample = tokens[: min(len(tokens), 1024)]
    rows = {name: {"prefill": [], "decode": []} for name in candidates}
    for _ in range(rounds):
        for name, tuning in candidates.items():
            raw = raw_limit(info, threads, n_ctx, tuning, sample, rounds=1)
            rows[name]["prefill"].append(raw["prefill_rounds"][0])
            rows[name]["decode"].append(1 / statistics.median(raw["decode_times"]))
    return [
        {
            "setting": name,
            "prefill_best": max(r["prefill"]),
            "prefill_median": statistics.median(r["prefill"]),
            "decode_best": max(r["decode"]),
            "decode_median": statistics.median(r["decode"]),
        }
        for name, r in rows.items()
    ]
