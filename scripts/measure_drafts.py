"""Measure drafts four ways on the same cases, in one run: the model reading the notes (as
before the timeline), the model reading the stay's timeline with a few note passages, the
same with every sentence checked as it is written (guarded: the app's way), and the
narrative "from the record" (no model).

Per draft and in total: high-severity findings, unsupported sentences of the narrative
sections (the checks' citations), sentences in them, required items missing, prompt tokens
read, wall time, and whether a section hit its token limit or looped. The narrative
sections are checked as model-written text in every mode, so record mode is held to the
same standard.

    python scripts/measure_drafts.py [CASE ...] [--modes notes timeline guarded record] [--ctx N] [--json FILE]

CASE: a case folder (default: both samples and four development cases). The default model
is used; the figures of one run are comparable with each other (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emrwriter.checks.findings import HIGH  # noqa: E402
from emrwriter.checks.review import CheckedSection, table_text  # noqa: E402
from emrwriter.templates import MODEL  # noqa: E402
from emrwriter.workflow import (  # noqa: E402
    FROM_MODEL,
    FROM_RECORD,
    choose_stay,
    choose_template,
    draft_summary,
    local_engine,
    open_case,
    resolve_model,
    review_draft,
)

DEFAULT_CASES = [
    ROOT / "emrwriter" / "bundled" / "samples" / "en_heart_failure",
    ROOT / "emrwriter" / "bundled" / "samples" / "zh_pneumonia",
    ROOT / "tests" / "devset" / "en_nstemi_pci",
    ROOT / "tests" / "devset" / "zh_cholecystitis_lc",
    ROOT / "tests" / "devset" / "en_hyperkalemia_ckd",
    ROOT / "tests" / "devset" / "zh_t2dm_insulin",
    ROOT.parent / "shared" / "corpus" / "discharge-notes" / "chf-pleural-effusion-discharge-summary.txt",
    ROOT.parent / "shared" / "corpus" / "discharge-notes" / "cva-discharge-summary.txt",
]
MODES = ("notes", "timeline", "guarded", "record")


def case_copy(folder: Path, work: Path) -> Path:
    """The case without a development set's expected.json (which is no record); a single
    record file (a corpus note) as a folder of its own."""
    target = work / folder.stem
    if folder.is_file():
        target.mkdir()
        shutil.copy(folder, target / folder.name)
        return target
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns("expected.json", "__pycache__", "*.py"))
    return target


def measure(case: Path, mode: str, engine) -> dict:
    record = open_case(case)
    stay = choose_stay(record)
    template = choose_template(record)
    started = time.monotonic()
    draft = draft_summary(
        stay,
        template,
        engine if mode != "record" else None,
        narrative=FROM_RECORD if mode == "record" else FROM_MODEL,
        timeline=mode != "notes",
        guarded=mode == "guarded",
    )
    wall = time.monotonic() - started
    narrative_keys = {s.key for s in template.sections if s.origin == MODEL}
    checked = [
        CheckedSection(s.key, s.heading, s.text, MODEL if s.key in narrative_keys else s.origin, table_text(s.table))
        for s in draft.sections
    ]
    review = review_draft(stay, checked, template)
    citations = [c for key in narrative_keys if key in review.sections for c in review.sections[key].citations]
    return {
        "case": case.name,
        "mode": mode,
        "language": template.language,
        "high_findings": sum(1 for _, f in review.findings() if f.severity == HIGH),
        "unsupported_sentences": sum(1 for c in citations if not c.supported),
        "sentences": len(citations),
        "missing_items": len(review.completeness.missing),
        "prompt_tokens_read": draft.stats.prompt_tokens_evaluated,
        "record_tokens": draft.stats.record_tokens,
        "wall_seconds": round(wall, 1),
        "incomplete": sorted(f"{s.key}: {s.note}" for s in draft.sections if not s.complete),
        "guard_notes": sum(len(s.guard_notes) for s in draft.sections),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", type=Path)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--ctx", type=int, default=4096, help="the model's context (default 4096)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    engine = local_engine(resolve_model(None), context_cap=args.ctx) if set(args.modes) - {"record"} else None
    if engine is not None:
        engine.prefix_cache = None  # every draft reads its record: the figures do not depend on earlier runs
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for folder in args.cases or DEFAULT_CASES:
            case = case_copy(folder, Path(tmp))
            for mode in args.modes:
                row = measure(case, mode, engine)
                rows.append(row)
                print(
                    f"{row['case']:<28} {mode:<9} high {row['high_findings']:>3}  unsupported {row['unsupported_sentences']:>3}"
                    f"/{row['sentences']:<3} missing {row['missing_items']}  read {row['prompt_tokens_read']:>6} tokens"
                    f"  {row['wall_seconds']:>7.1f} s  {'; '.join(row['incomplete'])}",
                    flush=True,
                )
    print()
    print(
        f"{'mode':<9} {'drafts':>6} {'high':>6} {'unsupported':>12} {'sentences':>10} {'missing':>8} {'tokens read':>12} {'seconds':>9}"
    )
    for mode in args.modes:
        mine = [r for r in rows if r["mode"] == mode]
        total = {
            k: sum(r[k] for r in mine)
            for k in (
                "high_findings",
                "unsupported_sentences",
                "sentences",
                "missing_items",
                "prompt_tokens_read",
                "wall_seconds",
            )
        }
        loops = sum(1 for r in mine for note in r["incomplete"] if "repeat" in note or "重复" in note)
        print(
            f"{mode:<9} {len(mine):>6} {total['high_findings']:>6} {total['unsupported_sentences']:>12} {total['sentences']:>10}"
            f" {total['missing_items']:>8} {total['prompt_tokens_read']:>12} {total['wall_seconds']:>9.1f}  (loops stopped: {loops})"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
