"""What ``emrwriter bench`` measures: how close drafting comes to what llama.cpp can do
on this machine, in one process on one case (the command, emrwriter.cli.bench, prints
the results as a table and writes them as JSON).

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
7. the longest GUI event-loop stall while the GUI's model worker drafts (measured by
   the desktop app, which the command line hands in when PySide6 is installed), and
   the import time of a corpus of records (``--corpus FOLDER``).

The machine may be busy with other work: every comparison is made between runs of
this one process, rates are also given from the median time per token or chunk
(robust to a burst of other load), and the load average is recorded.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .drafting.stats import draft_stats, write_json
from .engine.base import PrefixStats
from .paths import SAMPLES

DEFAULT_CASE = SAMPLES / "en_heart_failure"
MIN_MODEL_SECTIONS = 5

# Extra model-written sections that make the bench template reach five (kept out of templates/).
EXTRA_SECTIONS = {
    "en": [
        (
            "bench_patient_information",
            "Information Provided to the Patient and Family",
            160,
            (
                'Task: write the "Information Provided to the Patient and Family" section: what the patient and family were told '
                "about the illness, the medicines and the warning signs. Two or three sentences."
            ),
        ),
        (
            "bench_pending_results",
            "Pending Results and Open Issues",
            120,
            (
                'Task: write the "Pending Results and Open Issues" section: tests whose results were not back at discharge and '
                "problems still to be addressed, only if the records mention them. One or two sentences."
            ),
        ),
    ],
    "zh": [
        (
            "bench_key_findings",
            "主要检查结果",
            200,
            "任务：根据以上病历，书写“主要检查结果”一段：本次住院重要的检验和检查结果，数值以病历为准。一段话，不超过120字。",
        ),
        (
            "bench_treatment_effect",
            "治疗效果",
            160,
            "任务：根据以上病历，书写“治疗效果”一段：主要治疗后症状、体征和检查结果的变化。一段话，不超过100字。",
        ),
    ],
}


# --------------------------------------------------------------------------- what to measure


@dataclass
class BenchOptions:
    """What ``emrwriter bench`` was asked for (its command-line options, as plain data)."""

    path: Path = DEFAULT_CASE
    patient: str | None = None
    encounter: str | None = None
    template: str | None = None  # name or folder; None: the case language's, extended to five model sections
    model: Path | None = None
    threads: int | None = None
    ctx: int | None = None
    max_tokens: int | None = None
    corpus: Path | None = None  # a folder of records whose import is timed; None: not measured
    rounds: int = 3
    tune: bool = False
    skip_naive: bool = False
    skip_state: bool = False
    skip_lookup: bool = False
    skip_gui: bool = False
    skip_corpus: bool = False


# The GUI's event-loop stall while its model worker drafts: measured by the desktop app
# (emrwriter.gui.app.measure_draft_stall), handed in by the command line, which may start
# the app; called as (stay, template, model, threads, ctx, cache_dir) -> results.
StallMeasure = Callable[..., dict]


# --------------------------------------------------------------------------- the benchmark


def say(message: str) -> None:
    """A progress line on stderr."""
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
    """One benchmark run: ``Bench(options).run()`` -> the results (a JSON-ready dict)."""

    def __init__(self, args: BenchOptions, gui_stall: StallMeasure | None = None):
        self.args = args
        self.gui_stall = gui_stall
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
        from .engine.raw_speed import raw_limit, tune_settings
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
        model_sections = [s for s in template.sections if s.origin == "model"]
        threads = args.threads or physical_cores()
        tuning = EngineTuning()
        results["case"] = {
            "path": str(args.path),
            "stay": stay.encounter.id,
            "template": template.name,
            "model_sections": len(model_sections),
            "section_max_tokens": [s.max_tokens for s in model_sections],
        }
        say(
            f"case {args.path}, template {template.name} ({len(model_sections)} model-written sections), "
            f"model {info.name}, {threads} threads"
        )

        def engine(**kwargs):
            return LocalEngine(info, threads=threads, context_cap=args.ctx, tuning=kwargs.pop("tuning", tuning), **kwargs)

        # -- 2. the app, cold --------------------------------------------------------------------
        cache = PrefixCache(self.tmp / "cache")
        say("cold draft (empty prefix cache)...")
        cold, cold_engine = self._draft(draft_summary, stay, template, lambda: engine(prefix_cache=cache))
        results["settings"] = cold_engine.settings()
        prefix = cold.draft.stats.prefix or PrefixStats()
        n_ctx = cold_engine.n_ctx
        prefix_tokens = cold_engine.context_tokens(prefix.tokens)
        chunk_rates = [n / s for n, s in cold.chunks if s > 0]
        results["case"].update(
            record_tokens=cold.draft.stats.record_tokens,
            prefix_tokens=prefix.tokens,
            n_ctx=n_ctx,
            evidence=cold.draft.stats.evidence,
            omitted=len(cold.draft.omitted),
        )
        del cold_engine

        # -- 1. the limit (measured after the cold draft, and again at the end) -------------------
        say("raw llama.cpp limit...")
        raw = [raw_limit(info, threads, n_ctx, tuning, prefix_tokens, rounds=args.rounds)]

        # -- 3. naive ------------------------------------------------------------------------------
        naive = None
        if not args.skip_naive:
            say("naive drafter (re-reads the record for every section)...")
            naive, _ = self._draft(draft_summary, stay, template, lambda: engine(prefix_mode="off", prefix_cache=None))

        # -- 4. warm reopen ---------------------------------------------------------------------------
        say("warm reopen (new engine, same prefix cache)...")
        warm, warm_engine = self._draft(draft_summary, stay, template, lambda: engine(prefix_cache=cache))
        entries = cache.entries()
        cache_bytes = sum(p.stat().st_size for p in entries)

        # -- 6. prompt lookup, on the warm engine (the prefix is in its context) --------------------------
        lookup = None
        if not args.skip_lookup:
            say("prompt-lookup decoding against plain decoding...")
            lookup = self._prompt_lookup(warm_engine, stay, template)
        del warm_engine

        # -- 5. the saved-state path ------------------------------------------------------------------
        state = None
        if not args.skip_state:
            say("the saved-state prefix path, forced...")
            state, state_engine = self._draft(
                draft_summary, stay, template, lambda: engine(prefix_mode="state", prefix_cache=None)
            )
            state.counters = state_engine.counters
            del state_engine

        raw.append(raw_limit(info, threads, n_ctx, tuning, prefix_tokens, rounds=args.rounds))

        tune = None
        if args.tune:
            say("tuning: batch sizes, flash attention, KV-cache types...")
            tune = tune_settings(info, threads, n_ctx, prefix_tokens, rounds=args.rounds)

        # -- 7. GUI and corpus ----------------------------------------------------------------------------
        gui = {"status": "skipped"} if args.skip_gui else self._gui_stall(stay, template, info, threads)
        if args.skip_corpus:
            corpus = {"status": "skipped"}
        elif args.corpus is None:
            corpus = {"status": "n/a", "reason": "no corpus given (--corpus FOLDER)"}
        else:
            corpus = corpus_import_time(args.corpus)

        results["limit"] = _combine_raw(raw)
        results["runs"] = {
            name: run.summary()
            for name, run in (("cold", cold), ("naive", naive), ("warm", warm), ("state", state))
            if run is not None
        }
        warm_prefix = warm.draft.stats.prefix or PrefixStats()
        results["cache"] = {
            "entries": len(entries),
            "bytes": cache_bytes,
            "load_seconds": warm_prefix.load_seconds,
            "save_seconds": prefix.save_seconds,
            "source_cold": prefix.source,
            "source_warm": warm_prefix.source,
        }
        results["prompt_lookup"] = lookup
        results["tune"] = tune
        results["gui"] = gui
        results["corpus"] = corpus
        results["app"] = self._app_rates(cold, chunk_rates)
        results["targets"] = self._targets(cold, naive, warm, gui, len(model_sections))
        if state is not None:
            results["state_path"] = {
                "same_text_as_cold": [s.text for s in state.draft.sections] == [s.text for s in cold.draft.sections],
                "restores": state.counters.state_restores,
                "saves": state.counters.state_saves,
                "wall_vs_cold": _ratio(state.wall, cold.wall),
            }
        results["machine"]["load_average_end"] = _loadavg()
        results["seconds"] = round(time.monotonic() - started, 1)
        return results

    # -- pieces -------------------------------------------------------------------------------------

    def _template(self, record):
        from .templates import load_template
        from .workflow import template_name_for

        if self.args.template:
            template = load_template(self.args.template)
            if self.args.max_tokens:
                template = _copy_template(template.folder, self.tmp / "template" / template.name, [], self.args.max_tokens)
            return template
        base = load_template(template_name_for(record))
        model = [s for s in base.sections if s.origin == "model"]
        extra = EXTRA_SECTIONS.get(base.language, EXTRA_SECTIONS["en"])[: max(0, MIN_MODEL_SECTIONS - len(model))]
        return _copy_template(base.folder, self.tmp / "template" / f"{base.name}_bench", extra, self.args.max_tokens)

    def _draft(self, draft_summary, stay, template, make_engine):
        started = time.monotonic()
        timeline = _Timeline(started)
        engine = make_engine()
        draft = draft_summary(stay, template, engine, on_progress=timeline)
        run = _Run(
            draft,
            time.monotonic() - started,
            timeline.first_write,
            list(engine.counters.chunk_seconds),
            list(engine.counters.token_seconds),
        )
        say(
            f"  {run.wall:.1f} s, prompt tokens evaluated {draft.stats.prompt_tokens_evaluated}, "
            f"written {draft.stats.generated_tokens}, prefix {(draft.stats.prefix or PrefixStats()).source}"
        )
        return run, engine

    def _prompt_lookup(self, engine, stay, template) -> dict:
        """Each copy-heavy section (one that restates items: it has sources or a table),
        written with and without prompt lookup (same seed and temperature as a draft),
        alternating which goes first."""
        from .drafting.pipeline import model_prompts

        specs = [s for s in template.sections if s.origin == "model"]
        prompts = model_prompts(stay, template, engine)
        copy_heavy = [s for s in specs if s.sources or s.table] or specs[:1]
        rows = []
        for n, spec in enumerate(copy_heavy):
            timing = {}
            for lookup in (False, True) if n % 2 == 0 else (True, False):
                before = (engine.counters.speculative_drafted, engine.counters.speculative_accepted)
                result = engine.generate(prompts[spec.key], spec.max_tokens, prompt_lookup=lookup)  # the drafting temperature
                times = list(engine.counters.token_seconds[-result.generated_tokens :]) if result.generated_tokens else []
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
            rows.append(
                {
                    "section": spec.key,
                    "plain_tokens_per_second": plain["tokens_per_second"],
                    "lookup_tokens_per_second": spec_run["tokens_per_second"],
                    "speedup": speedup,
                    "drafted": spec_run["drafted"],
                    "accepted": spec_run["accepted"],
                    "same_text": plain["text"] == spec_run["text"],
                    "faster": bool(speedup and speedup > 1.0),
                }
            )
        return {
            "sections": rows,
            "kept": [r["section"] for r in rows if r["faster"]],
            "lookup_tokens": engine.tuning.lookup_tokens,
            "ngram": engine.tuning.lookup_ngram,
        }

    def _gui_stall(self, stay, template, info, threads) -> dict:
        if self.gui_stall is None:
            return {"status": "n/a", "reason": "no GUI to measure"}
        return self.gui_stall(stay, template, info, threads, self.args.ctx, self.tmp / "gui-cache")

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
            "writing_ratio": {
                "value": app["writing_ratio_median"],
                "target": ">= 0.95",
                "met": _ge(app["writing_ratio_median"], 0.95),
                "note": "median time per token, app / raw llama_decode; totals-based ratio in app.writing_ratio",
            },
            "prompt_tokens_vs_record_plus_instructions": {
                "value": _ratio(evaluated, ideal),
                "target": "<= 1.1",
                "met": _le(_ratio(evaluated, ideal), 1.1),
                "evaluated": evaluated,
                "record_plus_instructions": ideal,
                "naive_count": sum(prompts),
                "vs_naive": _ratio(evaluated, sum(prompts)),
            },
        }
        if naive is not None:
            value = _ratio(cold.wall, naive.wall)
            targets["wall_vs_naive"] = {
                "value": value,
                "target": "<= 0.5",
                "met": _le(value, 0.5) if n_sections >= MIN_MODEL_SECTIONS else None,
                "app_seconds": round(cold.wall, 2),
                "naive_seconds": round(naive.wall, 2),
                "app_generated": cold.draft.stats.generated_tokens,
                "naive_generated": naive.draft.stats.generated_tokens,
                "naive_prompt_tokens_evaluated": naive.draft.stats.prompt_tokens_evaluated,
                "model_sections": n_sections,
            }
        speedup = _ratio(cold.first_write, warm.first_write)
        targets["warm_reopen_speedup"] = {
            "value": speedup,
            "target": ">= 5",
            "met": _ge(speedup, 5.0),
            "cold_seconds_to_first_token": _round(cold.first_write),
            "warm_seconds_to_first_token": _round(warm.first_write),
            "cold_wall": round(cold.wall, 2),
            "warm_wall": round(warm.wall, 2),
            "wall_speedup": _ratio(cold.wall, warm.wall),
        }
        stall = gui.get("max_stall_ms")
        targets["gui_stall_ms"] = {
            "value": stall if stall is not None else "n/a",
            "target": "<= 50",
            "met": (stall <= 50) if stall is not None else None,
        }
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
    last_model = max((i for i, s in enumerate(sections) if s.get("origin", s.get("kind")) == "model"), default=len(sections) - 1)
    for n, (key, heading, tokens, _) in enumerate(extra):
        sections.insert(last_model + 1 + n, {"key": key, "heading": heading, "origin": "model", "max_tokens": tokens})
    if max_tokens:
        for s in sections:
            if s.get("origin", s.get("kind")) == "model":
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
        "prefill_tokens": raws[0]["tokens"],
        "n_batch": raws[0]["n_batch"],
        "measurements": len(prefill),
        "method": "llama_decode via llama_cpp.llama_cpp (ctypes), no sampling; measured after the cold draft and at the end",
    }


# --------------------------------------------------------------------------- the corpus


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
    return {
        "status": "ok",
        "cases": len(jobs),
        "seconds": round(total, 2),
        "refused": len(problems),
        "slowest_seconds": round(slowest[0], 3),
        "slowest": slowest[1],
        "problems": problems[:50],
    }


# --------------------------------------------------------------------------- machine and output


def machine_info() -> dict:
    from .engine.llama_engine import physical_cores
    from .engine.raw_speed import llama_cpp_version

    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    version = llama_cpp_version()
    return {
        "cpu": cpu or platform.processor() or platform.machine(),
        "physical_cores": physical_cores(),
        "logical_cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "llama_cpp_python": version,
        "load_average_start": _loadavg(),
    }


def _loadavg():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def write_results(path: Path, results: dict) -> None:
    """The results as JSON, written to a temporary name and moved into place."""
    write_json(path, results)


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


# --------------------------------------------------------------------------- the server path


@dataclass
class ServerBenchOptions:
    """``emrwriter bench --server URL``: the server path against the local path on the same
    model, and batch throughput for several --jobs. ``server="local"`` starts llama-cpp-python's
    own server on this machine, on the same GGUF file (its log then says what it read)."""

    server: str
    path: Path = DEFAULT_CASE
    template: str | None = None
    model: Path | None = None
    server_model: str | None = None
    server_context: int | None = None
    threads: int | None = None
    ctx: int | None = 4096
    max_tokens: int | None = 64
    jobs: tuple[int, ...] = (1, 2, 4)
    batch: tuple[Path, ...] = ()
    skip_local: bool = False


class ServerBench:
    """One run: ``ServerBench(options).run()`` -> the results (a JSON-ready dict)."""

    def __init__(self, args: ServerBenchOptions):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="emrwriter-bench-server-"))

    def run(self) -> dict:
        try:
            return self._run()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _run(self) -> dict:
        from .batch import expand_cases, run_batch
        from .drafting.pipeline import draft_summary
        from .engine.llama_cpp_server import start_llama_cpp_server
        from .engine.llama_engine import LocalEngine, physical_cores
        from .engine.models import resolve_model
        from .engine.server_engine import ServerEngine, ServerSettings
        from .records.case import load_case
        from .records.stay import select_encounter
        from .templates import load_template
        from .workflow import template_name_for

        args = self.args
        started = time.monotonic()
        results: dict = {"machine": machine_info()}
        info = resolve_model(args.model)
        threads = args.threads or physical_cores()
        record = load_case(args.path)
        stay = select_encounter(record)
        template = load_template(args.template or template_name_for(record))
        if args.max_tokens:
            template = _copy_template(template.folder, self.tmp / "template" / template.name, [], args.max_tokens)
        local_server = None
        if args.server == "local":
            say(f"starting llama-cpp-python's server on {info.name} ({threads} threads, n_ctx {args.ctx})...")
            local_server = start_llama_cpp_server(info.path, self.tmp / "server.log", n_ctx=args.ctx or 4096, threads=threads)
            url = local_server.url
        else:
            url = args.server
        settings = ServerSettings(url, model=args.server_model or "", context=args.server_context or 0)
        if local_server is not None:
            settings = ServerSettings(url, context=args.ctx or 4096)
        try:
            results["case"] = {"path": str(args.path), "template": template.name, "max_tokens": args.max_tokens}
            results["server"] = {"url": url, "started_here": local_server is not None}
            # -- the local path --------------------------------------------------------------
            if not args.skip_local:
                say("local draft (in-process llama.cpp, empty prefix cache)...")
                engine = LocalEngine(info, threads=threads, context_cap=args.ctx, prefix_cache=None)
                local, _ = Bench._draft(self, draft_summary, stay, template, lambda: engine)
                results["local"] = self._summary(local, local.draft.stats.prompt_tokens_evaluated, None)
                del engine
            # -- the server path -------------------------------------------------------------
            say(f"server draft ({url})...")
            mark = len(local_server.evaluated_tokens()) if local_server else 0
            with ServerEngine(settings) as engine:
                server_run = self._server_draft(draft_summary, stay, template, engine)
                results["server"].update(engine.settings())
                reported = [n for n in engine.counters.reported_evaluated if n is not None]
            per_section = reported or None
            source = "the server's timings/usage" if reported else ""
            if not per_section and local_server is not None:
                per_section = local_server.evaluated_tokens()[mark:][1:]  # the first: the chat-template probe
                source = "the server's log (llama_perf_context_print)"
            evaluated = sum(per_section) if per_section else None
            results["server_draft"] = self._summary(server_run, evaluated, per_section)
            results["server_draft"]["evaluated_source"] = source or "not reported by this server"
            # -- batch throughput --------------------------------------------------------------
            cases = expand_cases(args.batch or [args.path])
            results["batch"] = {"cases": len(cases), "runs": []}
            if not args.skip_local:  # the same batch on the local model: one model owner, one case at a time
                say(f"batch of {len(cases)} cases on the local model...")
                local_engine = LocalEngine(info, threads=threads, context_cap=args.ctx, prefix_cache=None)
                t0 = time.monotonic()
                summary = run_batch(cases, self.tmp / "batch-local", lambda: local_engine, template=template.folder, resume=False)
                wall = time.monotonic() - t0
                done = summary.count("done")
                results["batch"]["local"] = {
                    "jobs": "local",
                    "done": done,
                    "failed": summary.count("failed"),
                    "wall_seconds": round(wall, 1),
                    "summaries_per_hour": round(done / wall * 3600, 1) if wall and done else 0,
                    "generated_tokens": sum(r.tokens for r in summary.results),
                    "prompt_tokens_evaluated": sum(r.prompt_tokens_evaluated for r in summary.results),
                }
                del local_engine
            for jobs in args.jobs:
                say(f"batch of {len(cases)} cases, --jobs {jobs}...")
                before = len(local_server.evaluated_tokens()) if local_server else 0
                t0 = time.monotonic()
                summary = run_batch(
                    cases,
                    self.tmp / f"batch-{jobs}",
                    lambda: ServerEngine(settings),
                    jobs=jobs,
                    template=template.folder,
                    resume=False,
                )
                wall = time.monotonic() - t0
                done = summary.count("done")
                results["batch"]["runs"].append(
                    {
                        "jobs": jobs,
                        "done": done,
                        "failed": summary.count("failed"),
                        "wall_seconds": round(wall, 1),
                        "summaries_per_hour": round(done / wall * 3600, 1) if wall and done else 0,
                        "generated_tokens": sum(r.tokens for r in summary.results),
                        # what the server read, from its log: prefix reuse kept or lost when jobs interleave
                        "prompt_tokens_evaluated": sum(local_server.evaluated_tokens()[before:]) if local_server else None,
                    }
                )
                say(f"  {done} done in {wall:.0f} s: {results['batch']['runs'][-1]['summaries_per_hour']} summaries/hour")
        finally:
            if local_server is not None:
                local_server.stop()
        results["machine"]["load_average_end"] = _loadavg()
        results["seconds"] = round(time.monotonic() - started, 1)
        return results

    def _server_draft(self, draft_summary, stay, template, engine):
        engine.connect()  # asking the server about itself is not part of a draft's time
        engine.count_tokens(engine.chat_prompt("a", "b"))
        t0 = time.monotonic()
        timeline = _Timeline(t0)
        draft = draft_summary(stay, template, engine, on_progress=timeline)
        run = _Run(draft, time.monotonic() - t0, timeline.first_write, [], [])
        say(f"  {run.wall:.1f} s, first token {_round(run.first_write)} s, written {draft.stats.generated_tokens}")
        return run

    @staticmethod
    def _summary(run: _Run, evaluated: int | None, per_section: list | None) -> dict:
        stats = run.draft.stats
        record = stats.record_tokens
        return {
            "wall_seconds": round(run.wall, 2),
            "seconds_to_first_token": _round(run.first_write),
            "record_tokens": record,
            "prompt_tokens_whole": stats.prompt_tokens,  # what a drafter without prefix reuse would read
            "prompt_tokens_evaluated": evaluated,
            "evaluated_per_section": per_section,
            "most_read_after_the_first": _most_after_first(run, per_section),
            "generated_tokens": stats.generated_tokens,
            "sections": len(stats.sections),
        }


def _most_after_first(run: _Run, per_section: list | None) -> int | None:
    """The most prompt tokens one section read once the record was in: far below the record's
    tokens when the record is read once. Local: every section reads after the shared prefix;
    server: the first section reads the record, the others after it."""
    if per_section is None:  # the local engine: its own counts
        later = [s.evaluated_tokens for s in run.draft.stats.sections]
    else:
        later = per_section[1:]
    return max(later) if later else None


def format_server_table(results: dict) -> str:
    """The server benchmark as Markdown (what the README and docs/deployment.md show)."""
    rows = ["| | local (in-process) | server |", "|---|---|---|"]
    local, server = results.get("local") or {}, results.get("server_draft") or {}
    for label, key in (
        ("first token (s)", "seconds_to_first_token"),
        ("wall time (s)", "wall_seconds"),
        ("record tokens", "record_tokens"),
        ("prompt tokens evaluated per draft", "prompt_tokens_evaluated"),
        ("the most a section read once the record was in", "most_read_after_the_first"),
        ("prompt tokens without prefix reuse", "prompt_tokens_whole"),
        ("tokens written", "generated_tokens"),
    ):
        rows.append(f"| {label} | {local.get(key, 'n/a')} | {server.get(key, 'n/a')} |")
    lines = rows + [
        "",
        f"server evaluated per section: {server.get('evaluated_per_section')} ({server.get('evaluated_source')})",
        "",
    ]
    lines += ["| batch --jobs | cases done | wall (s) | summaries/hour | prompt tokens read |", "|---|---|---|---|---|"]
    batch = results.get("batch", {})
    for run in ([batch["local"]] if batch.get("local") else []) + batch.get("runs", []):
        read = run.get("prompt_tokens_evaluated")
        lines.append(
            f"| {run['jobs']} | {run['done']}/{results['batch']['cases']} | {run['wall_seconds']} | {run['summaries_per_hour']} "
            f"| {read if read is not None else 'n/a'} |"
        )
    machine = results.get("machine", {})
    lines += [
        "",
        f"{machine.get('cpu')}, {machine.get('physical_cores')} cores; load {machine.get('load_average_start')} -> {machine.get('load_average_end')}",
    ]
    return "\n".join(lines)
