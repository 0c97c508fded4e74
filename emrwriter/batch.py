"""Batch drafting: a whole ward's discharges in one run, each case to DIR/<case>.docx.

A case is a folder (or file) holding one patient, or one patient of a FHIR bulk export
(NDJSON) holding many. Each finished case appends one line to DIR/batch-report.jsonl and
the CSV (DIR/batch-report.csv, UTF-8 with a byte-order mark so Excel reads it) is written
again from the latest line of every case. A rerun skips the cases whose report line says
"done" with the same input key (a hash of the case's files, the template's files and the
model) and whose .docx is still there; the others are drafted again.

One bad case never stops the batch: its error is its report line. A stop (Ctrl-C) lets
the cases under way end as "stopped" (nothing written for them) and starts no more.
``jobs`` > 1 sends that many cases to a server at once; a local model has one owner, so
the caller passes jobs=1 for it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from .checks.findings import SEVERITIES
from .engine.base import Cancel, Engine, EngineError
from .export.docx_writer import ExportError
from .records.model import RecordError
from .templates import TemplateProblem
from .workflow import (
    checked_sections,
    choose_stay,
    choose_template,
    draft_summary,
    export_draft,
    open_case,
    patients_to_choose,
    plan_export,
    review_draft,
)

log = logging.getLogger(__name__)

REPORT_JSONL = "batch-report.jsonl"
REPORT_CSV = "batch-report.csv"
DONE, FAILED, STOPPED, SKIPPED = "done", "failed", "stopped", "skipped"
CSV_FIELDS = (
    "case",
    "patient",
    "status",
    "seconds",
    "tokens",
    "findings_high",
    "findings_medium",
    "findings_low",
    "missing",
    "incomplete",
    "error",
    "out",
    "template",
    "model",
    "finished",
)
CASE_ERRORS = (RecordError, TemplateProblem, EngineError, ExportError, OSError, ValueError)


@dataclass(frozen=True)
class BatchCase:
    name: str  # the output's stem and the report's key: unique in the batch
    path: Path
    patient: str | None = None  # one patient of a bulk export


@dataclass
class CaseResult:
    case: str
    patient: str = ""
    status: str = ""
    seconds: float = 0.0
    tokens: int = 0  # written by the model
    prompt_tokens_evaluated: int = 0
    findings: dict = field(default_factory=dict)  # severity -> open findings
    missing: list = field(default_factory=list)  # required items the draft lacks
    incomplete: list = field(default_factory=list)  # sections stopped, cut or failed
    error: str = ""
    out: str = ""
    template: str = ""
    model: str = ""
    key: str = ""  # the input key: a rerun skips a "done" case with the same key
    finished: str = ""

    def row(self) -> dict:
        """The CSV's row: flat, Excel-friendly."""
        data = asdict(self)
        for severity in SEVERITIES:
            data[f"findings_{severity}"] = self.findings.get(severity, 0)
        data["missing"] = "; ".join(self.missing)
        data["incomplete"] = "; ".join(self.incomplete)
        return {name: data[name] for name in CSV_FIELDS}


# --- which cases ---------------------------------------------------------------------------


def expand_cases(paths: Iterable[Path]) -> list[BatchCase]:
    """The cases in ``paths``: a folder or file per patient, and a bulk export (NDJSON,
    or a folder of it) holding several patients as one case per patient."""
    cases: list[BatchCase] = []
    used: set[str] = set()
    for path in paths:
        path = Path(path)
        resolved = path.resolve()
        stem = _safe((resolved.stem if resolved.is_file() else resolved.name) or "case")
        patients = patients_to_choose(path)
        if patients:
            for patient_id, _name in patients:
                cases.append(BatchCase(_unique(f"{stem}-{_safe(patient_id)}", used), path, patient_id))
        else:
            cases.append(BatchCase(_unique(stem, used), path))
    return cases


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("._") or "case"


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{name}-{n}"
    used.add(candidate.lower())
    return candidate


# --- the input key -------------------------------------------------------------------------


def _hash_path(digest, path: Path) -> None:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    for file in files:
        digest.update(str(file.relative_to(path) if file != path else file.name).encode("utf-8", "surrogateescape"))
        with file.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)


def input_key(case: BatchCase, template_folder: Path | None, engine_identity: str) -> str:
    """What a draft depends on: the case's files (and patient), the template's files, the model."""
    digest = hashlib.sha256()
    _hash_path(digest, case.path)
    digest.update(f"\0patient={case.patient or ''}\0model={engine_identity}\0".encode())
    if template_folder is not None:
        _hash_path(digest, Path(template_folder))
    return digest.hexdigest()[:32]


def engine_identity(engine: Engine | None) -> str:
    if engine is None:
        return "no model"
    settings = engine.settings() if hasattr(engine, "settings") else {}
    if settings.get("server"):
        return f"{settings['server']}|{settings.get('model') or ''}"
    info = getattr(engine, "info", None)
    path = getattr(info, "path", None)
    if path is not None:
        stat = Path(path).stat()
        return f"{Path(path).name}|{stat.st_size}|{int(stat.st_mtime)}"
    return engine.name


# --- the report ----------------------------------------------------------------------------


def read_report(out_dir: Path) -> dict[str, dict]:
    """The latest report line of every case in ``out_dir`` (a damaged line is skipped)."""
    latest: dict[str, dict] = {}
    path = Path(out_dir) / REPORT_JSONL
    if not path.is_file():
        return latest
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("case"):
            latest[entry["case"]] = entry
    return latest


def _append_report(out_dir: Path, result: CaseResult) -> None:
    with (Path(out_dir) / REPORT_JSONL).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def write_csv(out_dir: Path, results: list[CaseResult]) -> Path:
    """The report as a CSV Excel opens as it is (UTF-8 with BOM), written to a temporary
    name and moved into place."""
    path = Path(out_dir) / REPORT_CSV
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for result in results:
        writer.writerow(result.row())
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    os.replace(tmp, path)
    return path


def _result_from(entry: dict) -> CaseResult:
    known = {k: v for k, v in entry.items() if k in CaseResult.__dataclass_fields__}
    return CaseResult(**known)


# --- running -------------------------------------------------------------------------------


@dataclass
class BatchSummary:
    results: list[CaseResult]  # the latest of every case (a skipped case: its earlier, done, line)
    this_run: dict[str, str]  # case -> what this run did with it (done, failed, stopped, skipped)
    jsonl: Path
    csv: Path
    seconds: float
    stopped: bool

    def count(self, status: str) -> int:
        return sum(1 for s in self.this_run.values() if s == status)


EventCallback = Callable[[str, CaseResult | None, int, int], None]  # (what, result, finished, total)


def run_batch(
    cases: list[BatchCase],
    out_dir: Path,
    make_engine: Callable[[], Engine] | None,
    *,
    jobs: int = 1,
    template: str | Path | None = None,
    narrative: str = "model",
    cancel: threading.Event | None = None,
    on_event: EventCallback | None = None,
    resume: bool = True,
) -> BatchSummary:
    """Draft every case into ``out_dir``. ``make_engine`` is called once per job (each
    job drafts with its own engine; None drafts from the record alone). ``on_event`` hears
    ("started", None, ...) once, then ("case", result, finished, total) per case."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cancel = cancel or Cancel()
    started = time.monotonic()
    previous = read_report(out_dir) if resume else {}
    results: dict[str, CaseResult] = {c.name: _result_from(previous[c.name]) for c in cases if c.name in previous}
    this_run: dict[str, str] = {}
    lock = threading.Lock()
    finished = 0
    local = threading.local()
    engines: list[Engine] = []

    def engine() -> Engine | None:
        if make_engine is None:
            return None
        if getattr(local, "engine", None) is None:
            local.engine = make_engine()
            with lock:
                engines.append(local.engine)
        return local.engine

    def one(case: BatchCase) -> None:
        nonlocal finished
        if cancel.is_set():
            return
        result = draft_case(case, out_dir, engine, template=template, narrative=narrative, cancel=cancel, previous=previous)
        with lock:
            this_run[case.name] = result.status
            if result.status != SKIPPED:
                _append_report(out_dir, result)
                results[case.name] = result
            finished += 1
            write_csv(out_dir, [results[c.name] for c in cases if c.name in results])
            if on_event:
                on_event("case", result, finished, len(cases))

    if on_event:
        on_event("started", None, 0, len(cases))
    try:
        if jobs <= 1:
            for case in cases:
                one(case)
        else:
            with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="batch") as pool:
                for future in [pool.submit(one, case) for case in cases]:
                    future.result()
    finally:
        for made in engines:
            close = getattr(made, "close", None)
            if close:
                close()
    ordered = [results[c.name] for c in cases if c.name in results]
    csv_path = write_csv(out_dir, ordered)
    return BatchSummary(ordered, this_run, out_dir / REPORT_JSONL, csv_path, time.monotonic() - started, cancel.is_set())


def draft_case(
    case: BatchCase,
    out_dir: Path,
    engine_for_job: Callable[[], Engine | None],
    *,
    template: str | Path | None = None,
    narrative: str = "model",
    cancel: threading.Event,
    previous: dict[str, dict] | None = None,
) -> CaseResult:
    """One case, start to end; every failure becomes the result's error line."""
    started = time.monotonic()
    result = CaseResult(case=case.name, patient=case.patient or "")
    out = Path(out_dir) / f"{case.name}.docx"
    try:
        record = open_case(case.path, case.patient)
        result.patient = record.patient.name or case.patient or ""
        stay = choose_stay(record)
        chosen = choose_template(record, template)
        engine = engine_for_job() if narrative == "model" else None
        result.template, result.model = chosen.name, engine.name if engine else ""
        result.key = input_key(case, chosen.folder, engine_identity(engine))
        before = (previous or {}).get(case.name)
        if before and before.get("status") == DONE and before.get("key") == result.key and out.is_file():
            return _result_from({**before, "status": SKIPPED})
        draft = draft_summary(stay, chosen, engine, cancel=cancel, narrative=narrative)
        result.tokens = draft.stats.generated_tokens
        result.prompt_tokens_evaluated = draft.stats.prompt_tokens_evaluated
        failed = [s for s in draft.stats.sections if s.stop_reason == "error"]
        if draft.cancelled:
            result.status, result.error = STOPPED, "stopped before the end; nothing written"
            return result
        review = review_draft(stay, checked_sections(draft), chosen)
        result.findings = {severity: 0 for severity in SEVERITIES}
        for _key, finding in review.findings():
            result.findings[finding.severity] = result.findings.get(finding.severity, 0) + 1
        result.missing = review.completeness.missing_headings
        plan = plan_export(draft, review, template=chosen)
        errored = {s.key for s in failed}  # their note is the error line: named once, in the error column
        result.incomplete = [s.heading if s.key in errored else f"{s.heading}: {s.note}" for s in plan.incomplete]
        export_draft(draft, out, plan, force=True)
        result.out = str(out)
        if failed:
            notes = [s.note for s in draft.sections if s.key in errored and s.note]
            result.status, result.error = FAILED, notes[0] if notes else "a section failed"
        else:
            result.status = DONE
    except CASE_ERRORS as exc:
        result.status, result.error = FAILED, " ".join(str(exc).split()) or type(exc).__name__
    except Exception as exc:  # one bad case never stops the batch: say what it was
        log.exception("case %s failed", case.name)
        result.status, result.error = FAILED, f"unexpected error: {type(exc).__name__}: {exc}"
    finally:
        result.seconds = round(time.monotonic() - started, 1)
        result.finished = datetime.now().replace(microsecond=0).isoformat()
    return result
