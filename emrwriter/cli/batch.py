"""``emrwriter batch CASE... --out DIR``: draft many cases, each to DIR/<case>.docx, with
an overall progress line, one line per finished case, and a report (DIR/batch-report.jsonl
and .csv). A rerun skips what is done and unchanged; Ctrl-C stops cleanly (exit 130)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from ..engine.base import Cancel, EngineError
from ..workflow import FROM_MODEL, NARRATIVES
from .engine_options import add_engine_options, engine_from_args, uses_server


def add_parser(sub) -> argparse.ArgumentParser:
    batch = sub.add_parser("batch", help="draft many cases (a folder per patient, or a bulk NDJSON) to a folder, with a report")
    batch.add_argument(
        "cases", nargs="+", type=Path, metavar="CASE", help="case folders or files; a bulk NDJSON gives one case per patient"
    )
    batch.add_argument("--out", type=Path, required=True, metavar="DIR", help="the folder for the .docx files and the report")
    batch.add_argument("--template", help="template name or folder (default: by each record's language)")
    batch.add_argument(
        "--jobs", type=int, default=1, metavar="N", help="cases sent to the server at once (a server only; default 1)"
    )
    batch.add_argument("--no-resume", action="store_true", help="draft every case again, even those done and unchanged")
    batch.add_argument("--narrative", choices=NARRATIVES, default=FROM_MODEL, help="as for draft")
    add_engine_options(batch)
    batch.set_defaults(func=run)
    return batch


def run(args: argparse.Namespace) -> int:
    from ..batch import DONE, FAILED, SKIPPED, STOPPED, expand_cases, run_batch

    cases = expand_cases(args.cases)
    if not cases:
        raise EngineError("no cases given")
    jobs = max(1, args.jobs)
    make_engine = None
    if args.narrative == FROM_MODEL:
        first = engine_from_args(args)  # says which model or server, and fails early when there is none
        if jobs > 1 and not uses_server(args):
            print(
                f"note: --jobs {jobs} is for a server; a local model has one owner, so cases are drafted one at a time",
                file=sys.stderr,
            )
            jobs = 1
        elif jobs > 1 and first.settings().get("server_kind") == "llama-cpp-python":
            print(
                f"note: this server (llama-cpp-python's) has one slot: with --jobs {jobs} the cases take turns in it, each "
                "section reads its record again, and unless it runs with --interrupt_requests false it cuts answers short "
                "(marked as failed); --jobs 1 suits it (llama-server --parallel N and vLLM serve several at once)",
                file=sys.stderr,
            )
        handed = [first]
        lock = threading.Lock()

        def make_engine():
            with lock:
                if handed:
                    return handed.pop()
            return engine_from_args(args, say=lambda line: None)

    print(f"{len(cases)} cases to {args.out}" + (f", {jobs} at a time" if jobs > 1 else ""), file=sys.stderr)
    line = _Lines(sys.stderr)
    cancel = Cancel()
    previous = signal.signal(
        signal.SIGINT,
        lambda *_: (
            cancel.set(),
            line.say("stopping: the cases under way end as stopped, no more start... (Ctrl-C again to quit at once)"),
            signal.signal(signal.SIGINT, signal.default_int_handler),
        ),
    )

    def event(what, result, finished, total):
        if what == "case":
            line.say(f"[{finished}/{total}] {_describe(result)}")
        line.status(f"{finished}/{total} cases")

    try:
        summary = run_batch(
            cases,
            args.out,
            make_engine,
            jobs=jobs,
            template=args.template,
            narrative=args.narrative,
            cancel=cancel,
            on_event=event,
            resume=not args.no_resume,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
        line.done()
    counts = ", ".join(f"{summary.count(s)} {s}" for s in (DONE, SKIPPED, FAILED, STOPPED) if summary.count(s))
    print(f"{counts or 'nothing done'} in {summary.seconds:.0f} s; report: {summary.csv} and {summary.jsonl}", file=sys.stderr)
    if summary.stopped:
        return 130
    return 1 if summary.count(FAILED) else 0


def _describe(result) -> str:
    head = f"{result.case}: {result.status}"
    if result.status == "skipped":
        return head + " (done before, inputs unchanged)"
    if result.error and result.status != "done":
        detail = f" ({result.seconds:.0f} s): {result.error}"
        return head + detail
    findings = ", ".join(f"{n} {severity}" for severity, n in result.findings.items() if n) or "no findings"
    missing = f"; missing: {', '.join(result.missing)}" if result.missing else ""
    return f"{head} in {result.seconds:.0f} s, {result.tokens} tokens, {findings}{missing} -> {result.out}"


class _Lines:
    """Finished cases as plain lines; the overall count as one self-rewriting line on a terminal."""

    def __init__(self, stream) -> None:
        self.stream, self.tty, self.shown = stream, stream.isatty(), False
        self.lock = threading.Lock()

    def status(self, text: str) -> None:
        if self.tty:
            with self.lock:
                self.stream.write("\r\033[K" + text)
                self.stream.flush()
                self.shown = True

    def say(self, text: str) -> None:
        with self.lock:
            self.stream.write(("\r\033[K" if self.tty and self.shown else "") + text + "\n")
            self.stream.flush()
            self.shown = False

    def done(self) -> None:
        if self.tty and self.shown:
            self.stream.write("\n")
