"""The doctor's errand, once, for both faces: choose a template, open a case, prepare
it, draft, review, export (and check a draft written elsewhere).

Plain functions on plain data, without Qt. The command line (emrwriter.cli) and the
desktop app (emrwriter.gui) call the functions here and otherwise use only the core's
data types (Record, Stay, Draft, DraftReview, ...): neither face holds logic the other
would need, and neither imports the other (tests/test_layers.py checks this; the layers
are described in docs/architecture.md). Where a step is one core function already, it is
named here as it is; where the faces used to decide something each in their own way
(which template, what exporting means), the decision is made here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from . import audit, store
from .checks.completeness import default_template_name
from .checks.draft_file import read_draft
from .checks.evidence import build_evidence
from .checks.findings import HIGH, SEVERITIES, Finding
from .checks.review import CheckedSection, DraftReview, review_draft, table_text
from .checks.sentence_check import sentence_check
from .checks.verify import draft_language, verify
from .config import config
from .drafting import pipeline
from .drafting.draft import Draft, DraftSection
from .drafting.pipeline import FROM_MODEL, FROM_RECORD, NARRATIVES
from .drafting.stats import write_stats_json
from .engine.base import EngineError
from .engine.llama_engine import LocalEngine
from .engine.models import ModelInfo, default_model_path, find_models, load_vocab, read_model_info, resolve_model
from .engine.prefix_cache import default_cache
from .engine.server_engine import ServerEngine, ServerSettings, check_connection
from .engine.speeds import known_speed, remember_speed, speed_of
from .export.comments import word_comments
from .export.docx_writer import Comment, ExportError, write_docx
from .facts.stay import StayFacts, facts_json, prepare_facts, reviewed_items, stay_facts
from .facts.timeline import build_timeline, timeline_json
from .records.case import load_case
from .records.fhir import list_ndjson_patients
from .records.model import Record
from .records.stay import Stay, inpatient_stays, select_encounter
from .records.text_encoding import decode_text
from .templates import DATA, Template, TemplateProblem, available_templates, load_template
from .words import words

log = logging.getLogger(__name__)

__all__ = [
    # choosing a template
    "record_language",
    "template_name_for",
    "choose_template",
    "template_for_language",
    "default_template_name",
    "available_templates",
    "load_template",
    # opening and preparing a case
    "patients_to_choose",
    "open_case",
    "prepare",
    "choose_stay",
    "inpatient_stays",
    "stay_facts",
    "facts_json",
    "reviewed_items",
    "source_text",
    "default_store_path",
    "open_store",
    "forget_case",
    "build_timeline",
    "timeline_json",
    # models and engines
    "resolve_model",
    "read_model_info",
    "find_models",
    "default_model_path",
    "load_vocab",
    "local_engine",
    "server_engine",
    "server_settings",
    "check_server",
    "server_models",
    # drafting
    "draft_summary",
    "regenerate_section",
    "choose_narrative",
    "NARRATIVE_AUTO",
    "data_previews",
    "write_stats_json",
    "FROM_MODEL",
    "FROM_RECORD",
    "NARRATIVES",
    # reviewing
    "checked_sections",
    "review_draft",
    "build_evidence",
    "high_findings",
    "CheckedSection",
    "table_text",
    # exporting
    "ExportPlan",
    "plan_export",
    "export_draft",
    "read_export_log",
    # checking a draft file
    "read_draft",
    "draft_language",
    "verify",
]

# The record's language is read from the start of each of its notes.
LANGUAGE_SAMPLE_CHARS = 2000


# --- choosing a template ------------------------------------------------------------


def record_language(record: Record) -> str:
    """ "zh" or "en": the language the record's notes are written in, by the one rule the
    checks also read a draft's language with (checks.verify.draft_language: Chinese
    characters 15% of the letters or more), on the first 2,000 characters of each note."""
    return draft_language("".join(doc.text[:LANGUAGE_SAMPLE_CHARS] for doc in record.documents))


def template_name_for(record: Record) -> str:
    """The bundled template for the record's language: Chinese records get 出院记录, others
    the English summary (the one map from language to template: default_template_name)."""
    return default_template_name(record_language(record))


def choose_template(record: Record, name: str | Path | None = None) -> Template:
    """The template asked for (a name or a folder), else the one for the record's language."""
    return load_template(name or template_name_for(record))


def template_for_language(language: str, name: str | Path | None = None) -> Template:
    """The template asked for, else the bundled one for ``language`` (a draft's)."""
    return load_template(name or default_template_name(language))


# --- opening and preparing a case ---------------------------------------------------------


def patients_to_choose(path: Path) -> list[tuple[str, str]]:
    """(id, name) of the patients when ``path`` is a FHIR bulk export (NDJSON) holding
    several, for a face that asks which one to open; [] when there is nothing to choose."""
    path = Path(path)
    if not path.exists():
        return []
    if path.is_file():
        files = [path] if path.suffix.lower() == ".ndjson" else []
    else:
        files = sorted(p for p in path.rglob("*.ndjson") if not any(part.startswith(".") for part in p.relative_to(path).parts))
    found = list_ndjson_patients(files) if files else []
    return found if len(found) > 1 else []


def open_case(path: Path, patient: str | None = None) -> Record:
    """Import a file or a folder as one patient's Record (RecordError, one line, when it
    cannot be used)."""
    return load_case(path, patient)


def prepare(record: Record) -> None:
    """Read the notes of the default stay once, so that showing and drafting it later is
    quick (the app does this while the case loads, off its GUI thread)."""
    prepare_facts(record)


def choose_stay(record: Record, encounter: str | None = None) -> Stay:
    """The stay to summarise: the encounter asked for, else the most recent inpatient stay."""
    return select_encounter(record, encounter)


def source_text(data: bytes, file: str) -> str:
    """A source file's bytes as text, decoded as the importers decode it (GBK and others)."""
    return decode_text(data, file)[0]


def default_store_path() -> Path:
    """Where the app keeps cases, drafts and every edit (SQLite, in the user's data folder)."""
    return store.default_store_path()


def open_store(path: Path | None = None) -> tuple[store.Store, store.MovedAside | None]:
    """The doctor's store (StoreError, one line, when it cannot be opened); a damaged one is
    moved aside and an empty one started, and the second value says so. Encrypted with the
    key from the OS keyring when the site config says ``[store] encrypt = true``."""
    from .config import config

    path = Path(path or store.default_store_path())
    return store.open_store(path, key=store.store_key(path) if config().store.encrypt else None)


@dataclass
class Forgotten:
    case: store.CaseRow
    cache_files: list[Path]  # prefix-cache entries deleted


def forget_case(db: store.Store, case_id: int) -> Forgotten:
    """Delete everything kept of a case: its drafts and every version (the store file
    rebuilt, so no deleted page keeps them), its place in the recent list, and the model's
    saved reading of its record (prefix-cache entries). KeyError: no such case."""
    case = next((c for c in db.recent_cases(1_000_000) if c.id == case_id), None)
    if case is None:
        raise KeyError(f"no case {case_id}")
    named = db.forget_case(case_id)
    cache = default_cache()
    removed = cache.forget(named) if cache is not None else []
    return Forgotten(case, removed)


# --- models and engines -------------------------------------------------------------------


def local_engine(
    info: ModelInfo, *, threads: int | None = None, context_cap: int | None = None, gpu_layers: int = 0
) -> LocalEngine:
    """The engine both faces draft with: llama.cpp on ``info``'s GGUF file (weights load on
    first need). ``info`` comes from resolve_model: the model asked for, never another."""
    return LocalEngine(info, threads=threads, context_cap=context_cap, gpu_layers=gpu_layers)


def server_settings(
    url: str | None = None, model: str | None = None, *, api_key: str | None = None, context: int = 0
) -> ServerSettings:
    """The shared server's settings: the site config's [server] (config.py), with what the
    face was given (``--server URL``, the Models dialog) winning over it. No url anywhere:
    EngineError (a server is used only when configured)."""
    from .config import config

    server = config().server
    if not (url or server.url):
        raise EngineError("no server configured: give its address (--server URL, or url in the site config's [server])")
    settings = ServerSettings.from_config(server, url=url or "", model=model or "", api_key=api_key)
    return replace(settings, context=context) if context else settings


def server_engine(settings: ServerSettings) -> ServerEngine:
    """The engine on a shared inference server (OpenAI-compatible): the server owns the
    model; this asks it for its models and context on first need."""
    return ServerEngine(settings)


def check_server(settings: ServerSettings) -> tuple[bool, str]:
    """Test connection: (ok, one line: the model and its context, or why not)."""
    return check_connection(settings)


def server_models(settings: ServerSettings) -> list[str]:
    """The models the server lists (/v1/models); [] when it cannot be asked (check_server says why)."""
    engine = ServerEngine(replace(settings, model=""))
    try:
        return engine.list_models()
    except EngineError:
        return []
    finally:
        engine.close()


# --- drafting ---------------------------------------------------------------------------------


def draft_summary(stay: Stay, template: Template, engine, *, guarded: bool = True, **options) -> Draft:
    """The whole draft (drafting.pipeline.draft_summary), every sentence the model writes
    checked against the record as soon as it is complete, and written again or replaced
    when it gives a value the record does not (``guarded=False``: as the model wrote it,
    for measuring what the guard does). A local model's figures are kept for the automatic
    choice of who writes the narrative (choose_narrative)."""
    writes = engine is not None and options.get("narrative", FROM_MODEL) == FROM_MODEL
    check = sentence_check(stay) if guarded and writes else None
    draft = pipeline.draft_summary(stay, template, engine, check=check, **options)
    stats = draft.stats
    if writes and isinstance(engine, LocalEngine) and not draft.cancelled and stats.generated_tokens:
        seconds = stats.prefill_seconds + stats.decode_seconds
        remember_speed(
            engine.info.path,
            speed_of(
                seconds,
                stats.prompt_tokens_evaluated,
                stats.prefill_seconds,
                stats.generated_tokens,
                stats.decode_seconds,
                engine.threads,
            ),
        )
    return draft


NARRATIVE_AUTO = "auto"  # the model writes the narrative, unless it is too slow on this PC


def choose_narrative(requested: str, model: Path | None, language: str = "en") -> tuple[str, str]:
    """Who writes the narrative sections (FROM_MODEL or FROM_RECORD), and, when the app chose
    the record, why, in ``language``. ``requested``: FROM_MODEL, FROM_RECORD or NARRATIVE_AUTO;
    ``model``: the local model file (None: a server, which is fast by design). Automatic: the
    model, unless its last draft on this PC took longer than the site's ``narrative_seconds``
    for the narrative sections; a model never measured here writes (that draft measures it)."""
    if requested != NARRATIVE_AUTO:
        return requested, ""
    speed = known_speed(model) if model is not None else None
    limit = config().narrative_seconds
    if speed is None or speed.seconds <= limit:
        return FROM_MODEL, ""
    reason = words(language)["drafting"]["auto_record"].format(model=model.name, seconds=round(speed.seconds), limit=f"{limit:g}")
    return FROM_RECORD, reason


def regenerate_section(stay: Stay, template: Template, engine, key: str, **options) -> DraftSection:
    """One model section written again (drafting.pipeline.regenerate_section), under the same check."""
    return pipeline.regenerate_section(stay, template, engine, key, check=sentence_check(stay), **options)


def data_previews(template: Template, facts: StayFacts) -> dict[str, str]:
    """The data sections as the draft will have them (the same template blocks the
    pipeline renders), to show while the model writes the others."""
    return {s.key: template.data_section(s.key, facts=facts) for s in template.sections if s.origin == DATA}


# --- reviewing --------------------------------------------------------------------------------


def checked_sections(draft: Draft) -> list[CheckedSection]:
    """A draft's sections as the checks read them (text and table, as exported)."""
    return [CheckedSection.of(section) for section in draft.sections]


def high_findings(review: DraftReview) -> list[tuple[str, Finding]]:
    """The high-severity findings, with their section key ("" for the whole draft)."""
    return [(key, finding) for key, finding in review.findings() if finding.severity == HIGH]


# --- exporting: the policy ----------------------------------------------------------------


@dataclass
class ExportPlan:
    """What exporting a draft involves, decided here for both faces. The app asks the
    doctor about the incomplete sections and the high-severity findings before it writes;
    the command line, which cannot ask, names the incomplete sections and writes."""

    incomplete: list[DraftSection]  # stopped or cut at their length limit: marked so in the document
    high: list[tuple[str, Finding]]  # unresolved high-severity findings (section key, finding)
    comments: list[Comment] | None  # the review as Word comments, when they were asked for
    reference: Path | None  # the template's styles; None: python-docx's defaults
    findings: dict[str, int] | None = None  # open findings by severity, for the export log; None: not checked


def plan_export(
    draft: Draft, review: DraftReview | None = None, *, comments: bool = False, template: Template | None = None
) -> ExportPlan:
    """The plan for exporting ``draft``: its incomplete sections; from ``review`` (the
    checks of the text being exported), the unresolved high-severity findings and, when
    ``comments``, the Word comments in the draft's language; the styles of ``template``
    (by default the draft's own, by name: a template that can no longer be loaded is
    exported without its styles, said in the log)."""
    if template is None:
        try:
            template = load_template(draft.template)
        except TemplateProblem as exc:
            log.warning("exporting without the template's styles: %s", exc)
    return ExportPlan(
        incomplete=[s for s in draft.sections if not s.complete],
        high=high_findings(review) if review is not None else [],
        comments=word_comments(review, draft.language) if comments and review is not None else None,
        reference=template.reference_docx if template is not None else None,
        findings=_by_severity(review) if review is not None else None,
    )


def _by_severity(review: DraftReview) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for _, finding in review.findings():
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    return counts


def export_draft(
    draft: Draft,
    out: Path,
    plan: ExportPlan,
    *,
    force: bool = False,
    case_key: str = "",
    case_id: int | None = None,
    face: str = "cli",
) -> Path:
    """Write the .docx (ExportError, one line, when it cannot be written; an existing
    file is replaced only with ``force``) and append it to the export log (emrwriter.audit:
    who, when, which case, template and model, open findings; no patient text). A log that
    cannot be written is an ExportError that says the document was written."""
    written = write_docx(draft, out, plan.reference, force=force, comments=plan.comments)
    try:
        audit.record_export(
            written,
            face=face,
            case_key=case_key,
            case_id=case_id,
            template=draft.template,
            model=draft.model,
            findings=plan.findings,
            incomplete=len(plan.incomplete),
        )
    except audit.AuditError as exc:
        log.warning("export not logged: %s", exc)
        raise ExportError(f"{written} was written, but {exc}") from None
    return written


def read_export_log() -> audit.ExportLog:
    """Every export logged on this account, oldest first (for File > Export log)."""
    return audit.read_log()
