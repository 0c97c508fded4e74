"""``emrwriter verify --record PATH --draft FILE [--json] [--template NAME]``: check a
draft written anywhere (.txt, .md, .docx) against the patient's record.

A draft or template that cannot be read returns 2 with one line on stderr; a record
that cannot be read raises RecordError (the command line prints it as one line and
exits 2). A completed verification exits 0 whatever it found: the findings are the output.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..checks.verify import VerifyReport
from ..records.model import RecordError
from ..templates import TemplateProblem
from ..workflow import choose_stay, draft_language, open_case, read_draft, template_for_language, verify


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "verify",
        help="check a draft against the record: unsupported facts, omissions, completeness, safety",
        description="Check a drafted discharge summary against the patient's record.",
    )
    parser.add_argument("--record", type=Path, required=True, help="the record file or case folder the draft was written from")
    parser.add_argument("--draft", type=Path, required=True, help="the draft: .txt, .md or .docx")
    parser.add_argument("--json", action="store_true", help="print one JSON object: findings, completeness, safety")
    parser.add_argument("--template", help="template whose required items are checked (default: by the draft's language)")
    parser.add_argument("--encounter", help="the stay the draft is about (default: the most recent inpatient stay)")
    parser.add_argument("--patient", help="the patient, when a FHIR bulk export holds several")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        text = read_draft(args.draft)
    except RecordError as exc:
        print(f"emrwriter: {exc}", file=sys.stderr)
        return 2
    language = draft_language(text)
    try:
        template = template_for_language(language, args.template)
    except TemplateProblem as exc:
        print(f"emrwriter: {exc}", file=sys.stderr)
        return 2
    record = open_case(args.record, getattr(args, "patient", None))
    stay = choose_stay(record, getattr(args, "encounter", None))
    report = verify(stay, text, template)
    if args.json:
        data = {"draft": str(args.draft), "record": str(args.record), "template": template.name, "language": language}
        data.update(report.as_dict())
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print_report(report, text, args.draft)
    return 0


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def print_report(report: VerifyReport, text: str, draft: Path, out=None) -> None:
    out = out or sys.stdout
    for title, findings in (("Findings", report.findings), ("Safety", report.safety)):
        print(f"{title}: {len(findings)}", file=out)
        for f in findings:
            line, col = _line_col(text, f.start)
            where = f"{draft}:{line}:{col}"
            quoted = f" {f.text!r}" if f.text else ""
            print(f"  {where} [{f.severity}] {f.kind}{quoted}: {f.message}", file=out)
            if f.evidence is not None:
                print(f"      evidence: {f.evidence.source}", file=out)
    unsupported = report.unsupported
    print(f"Unsupported sentences: {len(unsupported)} of {len(report.citations)} in the narrative sections", file=out)
    for citation in unsupported:
        line, col = _line_col(text, citation.start)
        sentence = " ".join(text[citation.start : citation.end].split())
        print(f"  {draft}:{line}:{col} {sentence!r}", file=out)
    c = report.completeness
    present = sum(item.present for item in c.items)
    print(f"Completeness ({c.template}; {c.standard}): {present}/{len(c.items)} items present", file=out)
    for item in c.items:
        if not item.present:
            print(f"  missing: {item.heading}" + (f" ({item.note})" if item.note else ""), file=out)
