"""``emrwriter draft PATH``: draft a discharge summary to a .docx, with progress on
stderr; Ctrl-C stops cleanly and writes nothing (exit 130)."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from ..engine.base import Cancel, Engine, Progress
from ..export.docx_writer import ExportError
from ..templates import format_when
from ..workflow import (
    FROM_MODEL,
    NARRATIVE_AUTO,
    NARRATIVES,
    checked_sections,
    choose_narrative,
    choose_stay,
    choose_template,
    draft_summary,
    export_draft,
    open_case,
    plan_export,
    resolve_model,
    review_draft,
    write_stats_json,
)
from .engine_options import add_engine_options, engine_from_args, uses_server


def add_parser(sub) -> argparse.ArgumentParser:
    draft = sub.add_parser("draft", help="draft a discharge summary to a .docx")
    draft.add_argument("path", type=Path, help="a record file or a folder holding one patient's case")
    draft.add_argument("--encounter", help="the stay to summarise (default: the most recent inpatient stay)")
    draft.add_argument("--patient", help="the patient, when a FHIR bulk export holds several")
    draft.add_argument("--template", help="template name or folder (default: by the record's language)")
    draft.add_argument("--out", type=Path, help="the .docx to write (default: <case>-discharge-summary.docx)")
    draft.add_argument("--force", action="store_true", help="replace the output file if it exists")
    add_engine_options(draft)
    draft.add_argument(
        "--comments", action="store_true", help="add the checks' findings and unsupported sentences to the .docx as Word comments"
    )
    draft.add_argument(
        "--stats-json", type=Path, metavar="FILE", help="also write this run's token counts and times (per section too) as JSON"
    )
    draft.add_argument(
        "--narrative",
        choices=(NARRATIVE_AUTO, *NARRATIVES),
        default=NARRATIVE_AUTO,
        help="who writes the narrative sections: 'model' (from the record and the stay's timeline), "
        "'record' (the timeline's own sentences, every one cited; no model, seconds) or 'auto' (the default: "
        "the model, unless its last draft on this PC took longer than the site's narrative_seconds)",
    )
    draft.set_defaults(func=run)
    return draft


def run(args: argparse.Namespace) -> int:
    record = open_case(args.path, args.patient)
    stay = choose_stay(record, args.encounter)
    template = choose_template(record, args.template)
    out = args.out or Path(f"{args.path.resolve().name or 'case'}-discharge-summary.docx")
    if out.exists() and not args.force:
        raise ExportError(f"{out}: already exists; choose another name or use --force to replace it")
    for problem in record.problems:
        print(f"note: {problem}", file=sys.stderr)
    print(
        f"stay {stay.encounter.id}: {format_when(stay.encounter.start, '?')} to {format_when(stay.encounter.end, '?')}; "
        f"template {template.name}",
        file=sys.stderr,
    )
    requested = getattr(args, "narrative", NARRATIVE_AUTO)
    local = None if uses_server(args) else resolve_model(getattr(args, "model", None)).path
    narrative, why = choose_narrative(requested, local, template.language)
    engine: Engine | None = None
    if narrative == FROM_MODEL:
        engine = engine_from_args(args)
    else:
        print(f"narrative sections from the record's timeline (no model){': ' + why if why else ''}", file=sys.stderr)
    cancel = Cancel()
    bar = ProgressBar(sys.stderr)
    previous = signal.signal(
        signal.SIGINT,
        lambda *_: (
            cancel.set(),
            bar.say("stopping... (Ctrl-C again to quit at once)"),
            signal.signal(signal.SIGINT, signal.default_int_handler),
        ),
    )
    try:
        draft = draft_summary(stay, template, engine, on_progress=bar.update, cancel=cancel, narrative=narrative)
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
    review = review_draft(stay, checked_sections(draft), template) if args.comments else None
    plan = plan_export(draft, review, comments=args.comments, template=template)
    errored = {s.key for s in draft.stats.sections if s.stop_reason == "error"}  # a server failed mid-draft
    for section in plan.incomplete:
        if section.key not in errored:
            print(f"incomplete: {section.heading}: {section.note}", file=sys.stderr)
    if errored:
        note = next(s.note for s in draft.sections if s.key in errored)
        print(f"emrwriter: {len(errored)} section(s) unfinished, marked in the document: {note}", file=sys.stderr)
    if plan.comments is not None:
        print(f"{len(plan.comments)} findings and unsupported sentences added as Word comments", file=sys.stderr)
    case_key = str(args.path.resolve()) + (f"::patient={args.patient}" if args.patient else "")
    export_draft(draft, out, plan, force=args.force, case_key=case_key)
    print(out)
    return 1 if errored else 0


class ProgressBar:
    """One self-rewriting line on a terminal; sparse plain lines otherwise (logs, CI)."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last_phase = ("", "")
        self.last_print = 0.0

    def update(self, p: Progress) -> None:
        if p.phase == "waiting":
            line = f"{p.label}: waiting for the server ({p.total} prompt tokens)"
        elif p.phase == "reading":
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
