"""``emrwriter bench [PATH]``: how close drafting comes to llama.cpp's own limit on this
machine (what is measured: emrwriter.bench), printed as a Markdown table and written as
JSON. The GUI's event-loop stall is measured by the desktop app, through its entry point
emrwriter.gui.app, when PySide6 is installed."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from ..bench import (
    DEFAULT_CASE,
    Bench,
    BenchOptions,
    ServerBench,
    ServerBenchOptions,
    format_server_table,
    say,
    write_results,
)
from ..engine.base import EngineError


def add_parser(subparsers) -> argparse.ArgumentParser:
    bench = subparsers.add_parser("bench", help="measure drafting speed against llama.cpp's own limit on this machine")
    bench.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=DEFAULT_CASE,
        help=f"a record file or case folder (default: the bundled sample {DEFAULT_CASE.name})",
    )
    bench.add_argument("--patient", help="the patient, when a FHIR bulk export holds several")
    bench.add_argument("--encounter", help="the stay (default: the most recent inpatient stay)")
    bench.add_argument(
        "--template",
        help="template name or folder (default: the case language's template "
        "extended to five model-written sections in a temporary folder)",
    )
    bench.add_argument("--model", type=Path, help="a GGUF model file (default: the bundled SmolLM2-135M-Instruct)")
    bench.add_argument("--threads", type=int, help="CPU threads (default: physical cores)")
    bench.add_argument("--ctx", type=int, help="largest context in tokens (default: the model's own)")
    bench.add_argument("--max-tokens", type=int, help="cap every model-written section at this many tokens")
    bench.add_argument("--json", type=Path, default=Path("emrwriter-bench.json"), help="where to write the results")
    bench.add_argument(
        "--corpus",
        type=Path,
        metavar="FOLDER",
        help="a folder of records whose import is timed, one case per file (e.g. ../shared/corpus)",
    )
    bench.add_argument("--rounds", type=int, default=3, help="repetitions of the raw measurements (default 3)")
    bench.add_argument("--tune", action="store_true", help="also compare batch sizes, flash attention and KV-cache types")
    for part in ("naive", "state", "lookup", "gui", "corpus"):
        bench.add_argument(f"--skip-{part}", action="store_true", help=f"leave out the {part} measurement")
    server = bench.add_argument_group("the server path (emrwriter bench --server URL)")
    server.add_argument(
        "--server",
        metavar="URL",
        help="measure a shared inference server against the local path on the same model, and batch throughput; "
        "'local' starts llama-cpp-python's server here on --model",
    )
    server.add_argument("--server-model", metavar="NAME", help="the server's model (default: its only one)")
    server.add_argument("--server-context", type=int, metavar="N", help="the server's context, where it does not say it")
    server.add_argument("--jobs", default="1,2,4", metavar="N,N,...", help="batch runs with these --jobs (default 1,2,4)")
    server.add_argument("--batch", nargs="+", type=Path, metavar="CASE", help="the batch's cases (default: PATH)")
    server.add_argument("--skip-local", action="store_true", help="leave out the local draft")
    bench.set_defaults(func=run)
    return bench


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; 0 when it ran (whether or not every target was met), 130 if interrupted."""
    if getattr(args, "server", None):
        return run_server(args)
    options = BenchOptions(**{f.name: getattr(args, f.name) for f in dataclasses.fields(BenchOptions)})
    try:
        results = Bench(options, gui_stall=gui_stall).run()
    except KeyboardInterrupt:
        print("emrwriter bench: stopped", file=sys.stderr)
        return 130
    print(format_table(results))
    write_results(args.json, results)
    print(f"results written to {args.json}", file=sys.stderr)
    return 0


def run_server(args: argparse.Namespace) -> int:
    """The server path against the local path, and batch throughput (emrwriter.bench.ServerBench)."""
    try:
        jobs = tuple(int(n) for n in args.jobs.split(",") if n.strip())
    except ValueError:
        raise EngineError(f"--jobs {args.jobs}: give whole numbers separated by commas, e.g. 1,2,4") from None
    options = ServerBenchOptions(
        server=args.server,
        path=args.path,
        template=args.template,
        model=args.model,
        server_model=args.server_model,
        server_context=args.server_context,
        threads=args.threads,
        ctx=args.ctx or 4096,
        max_tokens=args.max_tokens or 64,
        jobs=jobs or (1,),
        batch=tuple(args.batch or ()),
        skip_local=args.skip_local,
    )
    try:
        results = ServerBench(options).run()
    except KeyboardInterrupt:
        print("emrwriter bench: stopped", file=sys.stderr)
        return 130
    print(format_server_table(results))
    write_results(args.json, results)
    print(f"results written to {args.json}", file=sys.stderr)
    return 0


def gui_stall(stay, template, info, threads: int, ctx: int | None, cache_dir: Path) -> dict:
    """The longest GUI event-loop stall while the app's model worker drafts (offscreen);
    "n/a" where the app (PySide6) cannot be imported."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from ..gui.app import measure_draft_stall
    except ImportError as exc:
        return {"status": "n/a", "reason": f"the GUI cannot be imported ({exc})"}
    say("GUI event-loop stall while the model worker drafts...")
    model_path = "" if info.source == "default" else str(info.path)
    return measure_draft_stall(stay, template, model_path=model_path, threads=threads, context_cap=ctx, cache_dir=cache_dir)


def format_table(results: dict) -> str:
    """The results as a Markdown table (also what the README's Performance section shows)."""
    m, limit, app, t = results["machine"], results["limit"], results["app"], results["targets"]
    case, cache = results["case"], results["cache"]
    rows = [
        (
            "Machine",
            (
                f"{m['cpu']}, {m['physical_cores']} cores / {m['logical_cpus']} threads; load {m['load_average_start']} "
                f"to {m.get('load_average_end')}"
            ),
            "",
            "",
        ),
        (
            "Model, settings",
            (
                f"{results['model']['name']} {results['model']['quantization']}; {results['settings']['threads']} threads, "
                f"n_ctx {case['n_ctx']}, n_batch {results['settings']['n_batch']}"
            ),
            "",
            "",
        ),
        (
            "Case",
            (
                f"{case['path']}: {case['model_sections']} model sections, record {case['record_tokens']} tokens "
                f"(prefix {case['prefix_tokens']}), evidence {case['evidence']}"
            ),
            "",
            "",
        ),
        (
            "Raw llama.cpp reading",
            f"{limit['prefill_tokens_per_second']:.1f} tokens/s (best {limit['prefill_best_tokens_per_second']:.1f})",
            "",
            "",
        ),
        (
            "Raw llama.cpp writing",
            f"{limit['decode_tokens_per_second']:.1f} tokens/s (median token {limit['decode_median_token_tokens_per_second']:.1f})",
            "",
            "",
        ),
        (
            "App reading / raw",
            (
                f"{_f(app['reading_ratio'])} ({_f(app['reading_tokens_per_second'], 1)} tokens/s); "
                f"median chunk {_f(app['reading_ratio_median'])}"
            ),
            "",
            "",
        ),
        (
            "App writing / raw",
            (
                f"{_f(app['writing_ratio'])} ({_f(app['writing_tokens_per_second'], 1)} tokens/s); "
                f"median token {_f(app['writing_ratio_median'])}"
            ),
            ">= 0.95",
            _met(t["writing_ratio"]["met"]),
        ),
    ]
    p = t["prompt_tokens_vs_record_plus_instructions"]
    rows.append(
        (
            "Prompt tokens evaluated",
            (
                f"{p['evaluated']} = {_f(p['value'])} x record+instructions ({p['record_plus_instructions']}); "
                f"naive count {p['naive_count']} ({_f(p['vs_naive'])})"
            ),
            "<= 1.1",
            _met(p["met"]),
        )
    )
    if "wall_vs_naive" in t:
        w = t["wall_vs_naive"]
        rows.append(
            (
                "Full draft vs naive drafter",
                (
                    f"{w['app_seconds']} s vs {w['naive_seconds']} s = {_f(w['value'])} "
                    f"(written {w['app_generated']} vs {w['naive_generated']} tokens)"
                ),
                "<= 0.5",
                _met(w["met"]),
            )
        )
    r = t["warm_reopen_speedup"]
    rows.append(
        (
            "Warm reopen vs cold",
            (
                f"first token {r['warm_seconds_to_first_token']} s vs {r['cold_seconds_to_first_token']} s "
                f"= {_f(r['value'], 1)}x; whole draft {r['warm_wall']} s vs {r['cold_wall']} s"
            ),
            ">= 5x",
            _met(r["met"]),
        )
    )
    rows.append(
        (
            "Prefix cache entry",
            (
                f"{cache['bytes'] / 2**20:.1f} MB, loaded in {_f(cache['load_seconds'], 3)} s, "
                f"written in {_f(cache['save_seconds'], 3)} s"
            ),
            "",
            "",
        )
    )
    if results.get("state_path"):
        s = results["state_path"]
        rows.append(
            (
                "Saved-state path (forced)",
                (
                    f"{s['restores']} restores, wall {_f(s['wall_vs_cold'])} x cold, "
                    f"same text: {'yes' if s['same_text_as_cold'] else 'no'}"
                ),
                "",
                "",
            )
        )
    if results.get("prompt_lookup"):
        parts = [
            f"{row['section']} {_f(row['speedup'])}x ({row['accepted']}/{row['drafted']} accepted)"
            for row in results["prompt_lookup"]["sections"]
        ]
        rows.append(
            (
                "Prompt lookup vs plain",
                "; ".join(parts) + f"; kept for: {', '.join(results['prompt_lookup']['kept']) or 'none'}",
                "",
                "",
            )
        )
    g = t["gui_stall_ms"]
    reason = results["gui"].get("reason", "")
    rows.append(
        (
            "Longest GUI event-loop stall",
            f"{g['value']} ms" if g["value"] != "n/a" else f"n/a {reason}".strip(),
            "<= 50 ms",
            _met(g["met"]),
        )
    )
    c = results["corpus"]
    if c.get("status") == "ok":
        rows.append(
            (
                "Corpus import",
                f"{c['cases']} cases in {c['seconds']} s ({c['refused']} refused); slowest {c['slowest_seconds']} s",
                "",
                "",
            )
        )
    else:
        rows.append(("Corpus import", f"{c.get('status')} {c.get('reason', '')}".strip(), "", ""))
    lines = ["| Measure | Result | Target | Met |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c_} | {d} |" for a, b, c_, d in rows]
    if results.get("tune"):
        lines += ["", "| Setting (raw) | Reading tokens/s best (median) | Writing tokens/s best (median) |", "|---|---|---|"]
        lines += [
            f"| {row['setting']} | {row['prefill_best']:.1f} ({row['prefill_median']:.1f}) | {row['decode_best']:.1f} "
            f"({row['decode_median']:.1f}) |"
            for row in results["tune"]
        ]
    return "\n".join(lines)


def _f(value, digits=2):
    return "?" if value is None else f"{value:.{digits}f}"


def _met(flag):
    return {True: "yes", False: "no", None: "n/a"}[flag]
