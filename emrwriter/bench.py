"""``emrwriter bench``: how close drafting comes to what llama.cpp can do on this
machine, measured in one process on one case, printed as a table and written as JSON.

What it measures, in order:

1. the limit: raw llama.cpp prompt-reading and writing tokens/s for the model,
   threads and settings, with llama-cpp-python's low-level calls (llama_decode on
   batches of n_batch tokens, then one token at a time at the record's depth);
2. a cold draft by the app (empty prefix cache): its reading and writing rates as
   ratios to the limit, the prompt tokens it evaluated against the record plus
   instructions and against the naive count;
3. a naive drafter on the same case, model and template, in the same process: the
   same engine with prefix reuse off, so it reads every section's whole prompt;
4. a warm reopen: a new engine on the same persistent cache, as after restarting
   the app: time until the first written token, against the cold draft's;
5. the saved-state prefix path (as used for recurrent/hybrid/SWA models), forced on
   this model: its cost, and whether it writes the same text;
6. prompt-lookup speculative decoding on the copy-heavy sections (those that list
   items from the record), against plain decoding;
7. the longest GUI event-loop stall while the GUI's model worker drafts (if the GUI
   and PySide6 are installed), and the import time of the shared corpus.

The machine may be busy with other work: every comparison is made between runs of
this one process, rates are also given from the median time per token or chunk
(robust to a burst of other load), and the load average is recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from .drafting.stats import draft_stats, write_json
from .engine.base import PrefixStats
from .paths import PROJECT_ROOT, SAMPLES

DEFAULT_CASE = SAMPLES / "en_heart_failure"
DEFAULT_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
MIN_MODEL_SECTIONS = 5
RAW_DECODE_TOKENS = 64

# Extra model-written sections that make the bench template reach five (kept out of templates/).
EXTRA_SECTIONS = {
    "en": [
        ("bench_patient_information", "Information Provided to the Patient and Family", 160,
         ('Task: write the "Information Provided to the Patient and Family" section: what the patient and family were told '
         "about the illness, the medicines and the warning signs. Two or three sentences.")),
        ("bench_pending_results", "Pending Results and Open Issues", 120,
         ('Task: write the "Pending Results and Open Issues" section: tests whose results were not back at discharge and '
         "problems still to be addressed, only if the records mention them. One or two sentences.")),
    ],
    "zh": [
        ("bench_key_findings", "主要检查结果", 200,
         "任务：根据以上病历，书写“主要检查结果”一段：本次住院重要的检验和检查结果，数值以病历为准。一段话，不超过120字。"),
        ("bench_treatment_effect", "治疗效果", 160,
         "任务：根据以上病历，书写“治疗效果”一段：主要治疗后症状、体征和检查结果的变化。一段话，不超过100字。"),
    ],
}


# --------------------------------------------------------------------------- the command line


def add_bench_parser(subparsers) -> argparse.ArgumentParser:
    """The ``bench`` sub-command (wired in cli.py)."""
    bench = subparsers.add_parser("bench", help="measure drafting speed against llama.cpp's own limit on this machine")
    bench.add_argument("path", nargs="?", type=Path, default=DEFAULT_CASE,
                       help=f"a record file or case folder (default: {DEFAULT_CASE.relative_to(PROJECT_ROOT)})")
    bench.add_argument("--patient", help="the patient, when a FHIR bulk export holds several")
    bench.add_argument("--encounter", help="the stay (default: the most recent inpatient stay)")
    bench.add_argument("--template", help="template name or folder (default: the case language's template "
                                          "extended to five model-written sections in a temporary folder)")
    bench.add_argument("--model", type=Path, help="a GGUF model file (default: the bundled SmolLM2-135M-Instruct)")
    bench.add_argument("--threads", type=int, help="CPU threads (default: physical cores)")
    bench.add_argument("--ctx", type=int, help="largest context in tokens (default: the model's own)")
    bench.add_argument("--max-tokens", type=int, help="cap every model-written section at this many tokens")
    bench.add_argument("--json", type=Path, default=Path("emrwriter-bench.json"), help="where to write the results")
    bench.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the corpus whose import is timed")
    bench.add_argument("--rounds", type=int, default=3, help="repetitions of the raw measurements (default 3)")
    bench.add_argument("--tune", action="store_true", help="also compare batch sizes, flash attention and KV-cache types")
    for part in ("naive", "state", "lookup", "gui", "corpus"):
        bench.add_argument(f"--skip-{part}", action="store_true", help=f"leave out the {part} measurement")
    return bench


def run_bench(args: argparse.Namespace) -> int:
    """Run the benchmark; 0 when it ran (whether or not every target was met), 130 if interrupted."""
    try:
        results = Bench(args).run()
    except KeyboardInterrupt:
        print("emrwriter bench: stopped", file=sys.stderr)
        return 130
    print(format_table(results))
    write_json(args.json, results)
    print(f"results written to {args.json}", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- the benchmark


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


class _Timeline:
    """Progress callback that notes when writing starts (time to first token)."""

    def __init__(self, started: float):
        self.started = started
        self.first_write: float | None = None
        self.last_phase = ""

    def __call__(self, report) -> None:
        if report.phase == "writing" and self.first_write is None:
            self.first_write = time.monotonic() - self.started
        if report.phase != self.last_phase or report.done == report.total:
            self.last_phase = report.phase


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.results: dict = {}
        self.tmp = Path(tempfile.mkdtemp(prefix="emrwriter-bench-"))

    def run(self) -> dict:
        try:
            return self._run()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _run(self) -> dict:
        from .drafting.pipeline import draft_summary
        from .engine.llama_engine import EngineTuning, LocalEngine, physical_cores
        from .engine.models import resolve_model
        from .engine.prefix_cache import PrefixCache
        from .records.case import load_case
        from .records.stay import select_encounter

        args = self.args
        started = time.monotonic()
        results = self.results
        results["machine"] = machine_info()
        info = resolve_model(args.model)
        results["model"] = info.as_dict()
        record = load_case(args.path, args.patient)
        stay = select_encounter(record, args.encounter)
        template = self._template(record)
        model_sections = [s for s in template.sections if s.kind == "model"]
        threads = args.threads or physical_cores()
        tuning = EngineTuning()
        results["case"] = {"path": str(args.path), "stay": stay.encounter.id, "template": template.name,
                           "model_sections": len(model_sections), "section_max_tokens": [s.max_tokens for s in model_sections]}
        _say(f"case {args.path}, template {template.name} ({len(model_sections)} model-written sections), "
             f"model {info.name}, {threads} threads")

        def engine(**kwargs):
            return LocalEngine(info, threads=threads, context_cap=args.ctx, tuning=kwargs.pop("tuning", tuning), **kwargs)

        # -- 2. the app, cold --------------------------------------------------------------------
        cache = PrefixCache(self.tmp / "cache")
        _say("cold draft (empty prefix cache)...")
        cold, cold_engine = self._draft(draft_summary, stay, template, lambda: engine(prefix_cache=cache))
        results["settings"] = cold_engine.settings()
        prefix = cold.draft.stats.prefix or PrefixStats()
        n_ctx = cold_engine.n_ctx
        prefix_tokens = cold_engine._llm.input_ids[: prefix.tokens].tolist()
        chunk_rates = [n / s for n, s in cold.chunks if s > 0]
        results["case"].update(record_tokens=cold.draft.stats.record_tokens, prefix_tokens=prefix.tokens,
                               n_ctx=n_ctx, evidence=cold.draft.stats.evidence, omitted=len(cold.draft.omitted))
        del cold_engine

        # -- 1. the limit (measured after the cold draft, and again at the end) -------------------
        _say("raw llama.cpp limit...")
        raw = [raw_limit(info, threads, n_ctx, tuning, prefix_tokens, rounds=args.rounds)]

        # -- 3. naive ------------------------------------------------------------------------------
        naive = None
        if not args.skip_naive:
            _say("naive drafter (re-reads the record for every section)...")
            naive, _ = self._draft(draft_summary, stay, template, lambda: engine(prefix_mode="off", prefix_cache=None))

        # -- 4. warm reopen ---------------------------------------------------------------------------
        _say("warm reopen (new engine, same prefix cache)...")
        warm, warm_engine = self._draft(draft_summary, stay, template, lambda: engine(prefix_cache=cache))
        entries = cache.entries()
        cache_bytes = sum(p.stat().st_size for p in entries)

        # -- 6. prompt lookup, on the warm engine (the prefix is in its context) --------------------------
        lookup = None
        if not args.skip_lookup:
            _say("prompt-lookup decoding against plain decoding...")
            lookup = self._prompt_lookup(warm_engine, stay, template)
        del warm_engine

        # -- 5. the saved-state path ------------------------------------------------------------------
        state = None
        if not args.skip_state:
            _say("the saved-state prefix path, forced...")
            state, state_engine = self._draft(draft_summary, stay, template, lambda: engine(prefix_mode="state", prefix_cache=None))
            state.counters = state_engine.counters
            del state_engine

        raw.append(raw_limit(info, threads, n_ctx, tuning, prefix_tokens, rounds=args.rounds))

        tune = None
        if args.tune:
            _say("tuning: batch sizes, flash attention, KV-cache types...")
            tune = tune_settings(info, threads, n_ctx, prefix_tokens, rounds=args.rounds)

        # -- 7. GUI and corpus ----------------------------------------------------------------------------
        gui = {"status": "skipped"} if args.skip_gui else self._gui_stall(stay, template, info, threads)
        corpus = {"status": "skipped"} if args.skip_corpus else corpus_import_time(args.corpus)

        results["limit"] = _combine_raw(raw)
        results["runs"] = {name: run.summary() for name, run in
                           (("cold", cold), ("naive", naive), ("warm", warm), ("state", state)) if run is not None}
        warm_prefix = warm.draft.stats.prefix or PrefixStats()
        results["cache"] = {"entries": len(entries), "bytes": cache_bytes, "load_seconds": warm_prefix.load_seconds,
                            "save_seconds": prefix.save_seconds, "source_cold": prefix.source, "source_warm": warm_prefix.source}
        results["prompt_lookup"] = lookup
        results["tune"] = tune
        results["gui"] = gui
        results["corpus"] = corpus
        results["app"] = self._app_rates(cold, chunk_rates)
        results["targets"] = self._targets(cold, naive, warm, gui, len(model_sections))
        if state is not None:
            results["state_path"] = {
                "same_text_as_cold": [s.text for s in state.draft.sections] == [s.text for s in cold.draft.sections],
                "restores": state.counters.state_restores, "saves": state.counters.state_saves,
                "wall_vs_cold": _ratio(state.wall, cold.wall),
            }
        results["machine"]["load_average_end"] = _loadavg()
        results["seconds"] = round(time.monotonic() - started, 1)
        return results

    # -- pieces -------------------------------------------------------------------------------------

    def _template(self, record):
        from .cli import default_template
        from .templates import load_template

        if self.args.template:
            template = load_template(self.args.template)
            if self.args.max_tokens:
                template = _copy_template(template.folder, self.tmp / "template" / template.name, [], self.args.max_tokens)
            return template
        base = load_template(default_template(record))
        model = [s for s in base.sections if s.kind == "model"]
        extra = EXTRA_SECTIONS.get(base.language, EXTRA_SECTIONS["en"])[: max(0, MIN_MODEL_SECTIONS - len(model))]
        return _copy_template(base.folder, self.tmp / "template" / f"{base.name}_bench", extra, self.args.max_tokens)

    def _draft(self, draft_summary, stay, template, make_engine):
        started = time.monotonic()
        timeline = _Timeline(started)
        engine = make_engine()
        draft = draft_summary(stay, template, engine, on_progress=timeline)
        run = _Run(draft, time.monotonic() - started, timeline.first_write, list(engine.counters.chunk_seconds),
                   list(engine.counters.token_seconds))
        _say(f"  {run.wall:.1f} s, prompt tokens evaluated {draft.stats.prompt_tokens_evaluated}, "
             f"written {draft.stats.generated_tokens}, prefix {(draft.stats.prefix or PrefixStats()).source}")
        return run, engine

    def _prompt_lookup(self, engine, stay, template) -> dict:
        """Each copy-heavy section (one that restates items: it has sources or a table),
        written with and without prompt lookup (same seed and temperature as a draft),
        alternating which goes first."""
        from .facts.stay import stay_facts
        from .drafting.pipeline import _prepare_prompts

        specs = [s for s in template.sections if s.kind == "model"]
        _, prompts = _prepare_prompts(stay_facts(stay), template, engine, specs)
        copy_heavy = [s for s in specs if s.sources or s.table] or specs[:1]
        rows = []
        for n, spec in enumerate(copy_heavy):
            timing = {}
            for lookup in ((False, True) if n % 2 == 0 else (True, False)):
                before = (engine.counters.speculative_drafted, engine.counters.speculative_accepted)
                result = engine.generate(prompts[spec.key], spec.max_tokens, prompt_lookup=lookup)  # the drafting temperature
                times = list(engine.counters.token_seconds[-result.generated_tokens:]) if result.generated_tokens else []
                timing[lookup] = {
                    "tokens": result.generated_tokens,
                    "tokens_per_second": _rate(result.generated_tokens, result.decode_seconds),
                    "drafted": engine.counters.speculative_drafted - before[0],
                    "accepted": engine.counters.speculative_accepted - before[1],
                    "text": result.text,
                    "median_token_seconds": statistics.median(times) if times else None,
                }
            plain, spec_run = timing[False], timing[True]
            speedup = _ratio(spec_run["tokens_per_second"], plain["tokens_per_second"])
            rows.append({"section": spec.key, "plain_tokens_per_second": plain["tokens_per_second"],
                         "lookup_tokens_per_second": spec_run["tokens_per_second"], "speedup": speedup,
                         "drafted": spec_run["drafted"], "accepted": spec_run["accepted"],
                         "same_text": plain["text"] == spec_run["text"], "faster": bool(speedup and speedup > 1.0)})
        return {"sections": rows, "kept": [r["section"] for r in rows if r["faster"]],
                "lookup_tokens": engine.tuning.lookup_tokens, "ngram": engine.tuning.lookup_ngram}

    def _gui_stall(self, stay, template, info, threads) -> dict:
        return gui_stall(stay, template, info, threads, self.args.ctx, self.tmp / "gui-cache")

    def _app_rates(self, cold: _Run, chunk_rates: list[float]) -> dict:
        limit = self.results["limit"]
        stats = cold.draft.stats
        reading_total = _rate(stats.prompt_tokens_evaluated, stats.prefill_seconds)
        writing_total = _rate(stats.generated_tokens, stats.decode_seconds)
        reading_median = statistics.median(chunk_rates) if chunk_rates else None
        writing_median = 1 / statistics.median(cold.tokens) if cold.tokens else None
        return {
            "reading_tokens_per_second": reading_total,
            "writing_tokens_per_second": writing_total,
            "reading_ratio": _ratio(reading_total, limit["prefill_tokens_per_second"]),
            "writing_ratio": _ratio(writing_total, limit["decode_tokens_per_second"]),
            "reading_median_chunk_tokens_per_second": reading_median,
            "writing_median_token_tokens_per_second": writing_median,
            "reading_ratio_median": _ratio(reading_median, limit["prefill_median_batch_tokens_per_second"]),
            "writing_ratio_median": _ratio(writing_median, limit["decode_median_token_tokens_per_second"]),
        }

    def _targets(self, cold: _Run, naive: _Run | None, warm: _Run, gui: dict, n_sections: int) -> dict:
        stats = cold.draft.stats
        record = stats.record_tokens
        prompts = [s.prompt_tokens for s in stats.sections]
        instructions = sum(p - record for p in prompts)
        ideal = record + instructions  # every instruction token of every section, the record once
        evaluated = stats.prompt_tokens_evaluated
        app = self.results["app"]
        targets = {
            "writing_ratio": {"value": app["writing_ratio_median"], "target": ">= 0.95",
                              "met": _ge(app["writing_ratio_median"], 0.95),
                              "note": "median time per token, app / raw llama_decode; totals-based ratio in app.writing_ratio"},
            "prompt_tokens_vs_record_plus_instructions": {
                "value": _ratio(evaluated, ideal), "target": "<= 1.1", "met": _le(_ratio(evaluated, ideal), 1.1),
                "evaluated": evaluated, "record_plus_instructions": ideal, "naive_count": sum(prompts),
                "vs_naive": _ratio(evaluated, sum(prompts))},
        }
        if naive is not None:
            value = _ratio(cold.wall, naive.wall)
            targets["wall_vs_naive"] = {
                "value": value, "target": "<= 0.5", "met": _le(value, 0.5) if n_sections >= MIN_MODEL_SECTIONS else None,
                "app_seconds": round(cold.wall, 2), "naive_seconds": round(naive.wall, 2),
                "app_generated": cold.draft.stats.generated_tokens, "naive_generated": naive.draft.stats.generated_tokens,
                "naive_prompt_tokens_evaluated": naive.draft.stats.prompt_tokens_evaluated,
                "model_sections": n_sections}
        speedup = _ratio(cold.first_write, warm.first_write)
        targets["warm_reopen_speedup"] = {
            "value": speedup, "target": ">= 5", "met": _ge(speedup, 5.0),
            "cold_seconds_to_first_token": _round(cold.first_write), "warm_seconds_to_first_token": _round(warm.first_write),
            "cold_wall": round(cold.wall, 2), "warm_wall": round(warm.wall, 2), "wall_speedup": _ratio(cold.wall, warm.wall)}
        stall = gui.get("max_stall_ms")
        targets["gui_stall_ms"] = {"value": stall if stall is not None else "n/a", "target": "<= 50",
                                   "met": (stall <= 50) if stall is not None else None}
        return targets


class _Run:
    def __init__(self, draft, wall: float, first_write: float | None, chunks: list, tokens: list):
        self.draft, self.wall, self.first_write, self.chunks, self.tokens = draft, wall, first_write, chunks, tokens
        self.counters = None

    def summary(self) -> dict:
        stats = draft_stats(self.draft)
        stats.pop("omitted")
        return {"wall_seconds": round(self.wall, 2), "seconds_to_first_token": _round(self.first_write), **stats}


# --------------------------------------------------------------------------- templates


def _copy_template(source: Path, folder: Path, extra: list[tuple[str, str, int, str]], max_tokens: int | None):
    """A copy of a template folder with extra model sections (before the first data
    section after the last model one) and, optionally, every max_tokens capped."""
    import tomllib

    from .templates import load_template

    shutil.copytree(source, folder)
    manifest = tomllib.loads((folder / "manifest.toml").read_text(encoding="utf-8"))
    sections = manifest["sections"]
    last_model = max((i for i, s in enumerate(sections) if s.get("kind") == "model"), default=len(sections) - 1)
    for n, (key, heading, tokens, _) in enumerate(extra):
        sections.insert(last_model + 1 + n, {"key": key, "heading": heading, "kind": "model", "max_tokens": tokens})
    if max_tokens:
        for s in sections:
            if s.get("kind") == "model":
                s["max_tokens"] = min(int(s.get("max_tokens", max_tokens)), max_tokens)
    (folder / "manifest.toml").write_text(_toml(manifest), encoding="utf-8")
    if extra:
        with open(folder / "prompts.j2", "a", encoding="utf-8") as fh:
            for key, _, _, task in extra:
                fh.write(f"\n{{% block {key} %}}\n{task}\n{{% endblock %}}\n")
    return load_template(folder)


def _toml(manifest: dict) -> str:
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return str(v)
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(str(v), ensure_ascii=False)

    lines = [f"{k} = {value(v)}" for k, v in manifest.items() if k != "sections"]
    for section in manifest.get("sections", []):
        lines += ["", "[[sections]]"] + [f"{k} = {value(v)}" for k, v in section.items()]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- raw llama.cpp


def _low_level(info, threads: int, n_ctx: int, tuning):
    from llama_cpp import Llama

    extra = {k: v for k, v in (("type_k", tuning.type_k), ("type_v", tuning.type_v)) if v is not None}
    return Llama(model_path=str(info.path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, n_batch=tuning.n_batch,
                 n_ubatch=tuning.n_ubatch, flash_attn=tuning.flash_attn, verbose=False, **extra)


def raw_limit(info, threads: int, n_ctx: int, tuning, tokens: list[int], rounds: int = 3) -> dict:
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
    return {"prefill_rounds": prefill, "batch_rates": batches, "decode_times": decode_times, "tokens": len(tokens),
            "n_batch": n_batch, "decode_tokens_per_round": RAW_DECODE_TOKENS}


def _combine_raw(raws: list[dict]) -> dict:
    prefill = [r for raw in raws for r in raw["prefill_rounds"]]
    batches = [r for raw in raws for r in raw["batch_rates"]]
    times = [t for raw in raws for t in raw["decode_times"]]
    return {
        "prefill_tokens_per_second": statistics.median(prefill),
        "prefill_best_tokens_per_second": max(prefill),
        "prefill_median_batch_tokens_per_second": statistics.median(batches),
        "decode_tokens_per_second": len(times) / sum(times),
        "decode_median_token_tokens_per_second": 1 / statistics.median(times),
        "decode_best_token_tokens_per_second": 1 / min(times),
        "prefill_tokens": raws[0]["tokens"], "n_batch": raws[0]["n_batch"], "measurements": len(prefill),
        "method": "llama_decode via llama_cpp.llama_cpp (ctypes), no sampling; measured after the cold draft and at the end",
    }


def tune_settings(info, threads: int, n_ctx: int, tokens: list[int], rounds: int = 3) -> list[dict]:
    """Raw reading and writing for a few llama.cpp settings, interleaved round by round
    so a burst of other load hits them all alike. Best of the rounds is reported."""
    from .engine.llama_engine import EngineTuning

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
    return [{"setting": name, "prefill_best": max(r["prefill"]), "prefill_median": statistics.median(r["prefill"]),
             "decode_best": max(r["decode"]), "decode_median": statistics.median(r["decode"])} for name, r in rows.items()]


# --------------------------------------------------------------------------- GUI and corpus


def gui_stall(stay, template, info, threads: int, ctx: int | None, cache_dir: Path) -> dict:
    """The longest GUI event-loop stall while the GUI's model worker drafts (offscreen),
    measured by emrwriter.gui.stall; "n/a" where PySide6 cannot be imported."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from .gui.settings import EngineSettings
        from .gui.stall import measure_draft_stall
    except ImportError as exc:
        return {"status": "n/a", "reason": f"the GUI cannot be imported ({exc})"}
    _say("GUI event-loop stall while the model worker drafts...")
    settings = EngineSettings(threads=threads, context_cap=ctx, gpu_layers=0,
                              model_path="" if info.source == "default" else str(info.path))
    return measure_draft_stall(stay, template, settings, cache_dir)


def corpus_import_time(corpus: Path) -> dict:
    """Import every record in the corpus as one case each (a bulk NDJSON export: each
    patient), timing it; HL7 v2 and other refused files count as problems."""
    from .records import fhir
    from .records.case import RECORD_SUFFIXES, load_case
    from .records.model import RecordError

    if not Path(corpus).is_dir():
        return {"status": "n/a", "reason": f"no corpus at {corpus}"}
    jobs: list[tuple[str, Path, str | None]] = []
    for folder in sorted(p for p in Path(corpus).iterdir() if p.is_dir()):
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        ndjson = [p for p in files if p.suffix.lower() == ".ndjson"]
        if ndjson:
            for patient, _name in fhir.list_ndjson_patients(ndjson):
                jobs.append((f"{folder.name}/{patient}", ndjson[0].parent, patient))
        for path in files:
            upper = path.name.upper()
            if path.suffix.lower() == ".ndjson" or upper.startswith(("LICENSE", "NOTICE", "README", "UPSTREAM")):
                continue
            if path.suffix.lower() in RECORD_SUFFIXES - {""}:
                jobs.append((str(path.relative_to(corpus)), path, None))
    times, problems = [], []
    started = time.perf_counter()
    for name, path, patient in jobs:
        t0 = time.perf_counter()
        try:
            load_case(path, patient)
        except RecordError as exc:
            problems.append(f"{name}: {str(exc)[:120]}")
        times.append((time.perf_counter() - t0, name))
    total = time.perf_counter() - started
    slowest = max(times) if times else (0.0, "")
    return {"status": "ok", "cases": len(jobs), "seconds": round(total, 2), "refused": len(problems),
            "slowest_seconds": round(slowest[0], 3), "slowest": slowest[1], "problems": problems[:50]}


# --------------------------------------------------------------------------- machine and output


def machine_info() -> dict:
    from .engine.llama_engine import physical_cores

    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    try:
        import llama_cpp

        version = llama_cpp.__version__
    except ImportError:  # pragma: no cover
        version = "?"
    return {"cpu": cpu or platform.processor() or platform.machine(), "physical_cores": physical_cores(),
            "logical_cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "llama_cpp_python": version, "load_average_start": _loadavg()}


def _loadavg():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def format_table(results: dict) -> str:
    """The results as a Markdown table (also what the README's Performance section shows)."""
    m, limit, app, t = results["machine"], results["limit"], results["app"], results["targets"]
    case, cache = results["case"], results["cache"]
    rows = [
        ("Machine", (f"{m['cpu']}, {m['physical_cores']} cores / {m['logical_cpus']} threads; load {m['load_average_start']} "
                    f"to {m.get('load_average_end')}"), "", ""),
        ("Model, settings", (f"{results['model']['name']} {results['model']['quantization']}; {results['settings']['threads']} threads, "
                            f"n_ctx {case['n_ctx']}, n_batch {results['settings']['n_batch']}"), "", ""),
        ("Case", (f"{case['path']}: {case['model_sections']} model sections, record {case['record_tokens']} tokens "
                 f"(prefix {case['prefix_tokens']}), evidence {case['evidence']}"), "", ""),
        ("Raw llama.cpp reading", f"{limit['prefill_tokens_per_second']:.1f} tokens/s (best {limit['prefill_best_tokens_per_second']:.1f})", "", ""),
        ("Raw llama.cpp writing", f"{limit['decode_tokens_per_second']:.1f} tokens/s (median token {limit['decode_median_token_tokens_per_second']:.1f})", "", ""),
        ("App reading / raw", (f"{_f(app['reading_ratio'])} ({_f(app['reading_tokens_per_second'], 1)} tokens/s); "
                              f"median chunk {_f(app['reading_ratio_median'])}"), "", ""),
        ("App writing / raw", (f"{_f(app['writing_ratio'])} ({_f(app['writing_tokens_per_second'], 1)} tokens/s); "
                              f"median token {_f(app['writing_ratio_median'])}"), ">= 0.95", _met(t["writing_ratio"]["met"])),
    ]
    p = t["prompt_tokens_vs_record_plus_instructions"]
    rows.append(("Prompt tokens evaluated", (f"{p['evaluated']} = {_f(p['value'])} x record+instructions ({p['record_plus_instructions']}); "
                                            f"naive count {p['naive_count']} ({_f(p['vs_naive'])})"), "<= 1.1", _met(p["met"])))
    if "wall_vs_naive" in t:
        w = t["wall_vs_naive"]
        rows.append(("Full draft vs naive drafter", (f"{w['app_seconds']} s vs {w['naive_seconds']} s = {_f(w['value'])} "
                                                    f"(written {w['app_generated']} vs {w['naive_generated']} tokens)"), "<= 0.5", _met(w["met"])))
    r = t["warm_reopen_speedup"]
    rows.append(("Warm reopen vs cold", (f"first token {r['warm_seconds_to_first_token']} s vs {r['cold_seconds_to_first_token']} s "
                                        f"= {_f(r['value'], 1)}x; whole draft {r['warm_wall']} s vs {r['cold_wall']} s"), ">= 5x", _met(r["met"])))
    rows.append(("Prefix cache entry", (f"{cache['bytes'] / 2**20:.1f} MB, loaded in {_f(cache['load_seconds'], 3)} s, "
                                       f"written in {_f(cache['save_seconds'], 3)} s"), "", ""))
    if results.get("state_path"):
        s = results["state_path"]
        rows.append(("Saved-state path (forced)", (f"{s['restores']} restores, wall {_f(s['wall_vs_cold'])} x cold, "
                                                  f"same text: {'yes' if s['same_text_as_cold'] else 'no'}"), "", ""))
    if results.get("prompt_lookup"):
        parts = [f"{row['section']} {_f(row['speedup'])}x ({row['accepted']}/{row['drafted']} accepted)" for row in results["prompt_lookup"]["sections"]]
        rows.append(("Prompt lookup vs plain", "; ".join(parts) + f"; kept for: {', '.join(results['prompt_lookup']['kept']) or 'none'}", "", ""))
    g = t["gui_stall_ms"]
    reason = results["gui"].get("reason", "")
    rows.append(("Longest GUI event-loop stall", f"{g['value']} ms" if g["value"] != "n/a" else f"n/a {reason}".strip(), "<= 50 ms", _met(g["met"])))
    c = results["corpus"]
    if c.get("status") == "ok":
        rows.append(("Corpus import", f"{c['cases']} cases in {c['seconds']} s ({c['refused']} refused); slowest {c['slowest_seconds']} s", "", ""))
    else:
        rows.append(("Corpus import", f"{c.get('status')} {c.get('reason', '')}".strip(), "", ""))
    lines = ["| Measure | Result | Target | Met |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c_} | {d} |" for a, b, c_, d in rows]
    if results.get("tune"):
        lines += ["", "| Setting (raw) | Reading tokens/s best (median) | Writing tokens/s best (median) |", "|---|---|---|"]
        lines += [f"| {row['setting']} | {row['prefill_best']:.1f} ({row['prefill_median']:.1f}) | {row['decode_best']:.1f} "
                  f"({row['decode_median']:.1f}) |" for row in results["tune"]]
    return "\n".join(lines)


def _rate(tokens, seconds):
    return round(tokens / seconds, 2) if tokens and seconds else None


def _ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def _round(x, digits=2):
    return round(x, digits) if x is not None else None


def _ge(value, bound):
    return None if value is None else value >= bound


def _le(value, bound):
    return None if value is None else value <= bound


def _f(value, digits=2):
    return "?" if value is None else f"{value:.{digits}f}"


def _met(flag):
    return {True: "yes", False: "no", None: "n/a"}[flag]
