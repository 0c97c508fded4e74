"""Draft a discharge summary for one stay: data sections rendered from facts,
model sections generated from one shared, record-first prompt prefix."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from ..engine.base import Cancel, Engine, EngineError, Generation, PrefixStats, ProgressCallback
from ..facts.stay import StayFacts, stay_facts
from ..facts.timeline import TimelineEntry, build_timeline
from ..records.stay import Stay
from ..templates import DATA, MODEL, SectionSpec, Template, format_when
from ..words import words as words_for
from .draft import Draft, DraftSection, Table
from .evidence import Piece, PromptEvidence, fit_evidence, gather_pieces, required_kinds
from .guarded import SentenceCheck, write_guarded
from .narrative import render_narrative, section_entries
from .stats import SectionStats

log = logging.getLogger(__name__)

SectionTokenCallback = Callable[[str, str], None]  # (section key, text piece)

# Who writes the narrative sections: the model (from the record and the stay's timeline), or
# the record itself (the timeline's sentences, no model: a grounded draft in seconds).
FROM_MODEL, FROM_RECORD = "model", "record"
NARRATIVES = (FROM_MODEL, FROM_RECORD)
# Tokens of raw note passages the model reads beside the timeline (chosen by relevance to the
# sections); see README "Narrative from the timeline" for the measurement behind the figure.
NOTES_WITH_TIMELINE = 1200


def draft_summary(
    stay: Stay,
    template: Template,
    engine: Engine | None,
    *,
    on_progress: ProgressCallback | None = None,
    on_token: SectionTokenCallback | None = None,
    cancel: threading.Event | None = None,
    narrative: str = FROM_MODEL,
    timeline: bool = True,
    check: SentenceCheck | None = None,
) -> Draft:
    """The whole draft. Stopping keeps what was written and marks the rest incomplete.
    ``narrative``: FROM_MODEL (the model writes the narrative sections from the record and
    the stay's timeline) or FROM_RECORD (they are the timeline's own sentences: no model).
    ``timeline=False`` gives the model the notes alone, as before the timeline (measurements).
    ``check``: each sentence the model writes is checked with it as soon as it is complete
    (guarded.write_guarded); the caller passes the verifier's (workflow.draft_summary does)."""
    started = time.monotonic()
    cancel = cancel or Cancel()
    words = words_for(template.language)
    facts = stay_facts(stay)
    if narrative not in NARRATIVES:
        raise EngineError(f"narrative must be one of {', '.join(NARRATIVES)}, not {narrative!r}")
    entries = build_timeline(facts, template.language)
    model_specs = [s for s in template.sections if s.origin == MODEL] if narrative == FROM_MODEL else []
    if model_specs and engine is None:
        raise EngineError(f"template {template.name} has model-written sections but no model is loaded")
    draft = Draft(
        template=template.name,
        title=template.title,
        language=template.language,
        model=engine.name if engine and model_specs else "",
        created=datetime.now().replace(microsecond=0),
        patient=_header(facts, words),
        sections=[],
        problems=[str(p) for p in stay.record.problems]
        + [words["drafting"]["conflict"].format(detail=c) for c in facts.conflicts],
    )
    prompts: dict[str, str] = {}
    cited = []
    stats = draft.stats
    if model_specs:
        evidence, prompts = _prepare_prompts(facts, template, engine, model_specs, entries if timeline else [])
        draft.omitted = evidence.omitted_notes(engine.context_limit, template.language)
        stats.record_tokens = sum(p.tokens for p in evidence.pieces)
        stats.evidence = evidence.method
        cited = [source for piece in evidence.pieces for source in piece.sources]
        prefix = _read_shared_prefix(engine, prompts, model_specs, on_progress, cancel)
        if prefix is not None:
            stats.add_prefix(prefix)
    for spec in template.sections:
        if spec.origin == DATA:
            draft.sections.append(_data_section(spec, template, facts, words))
            continue
        if narrative == FROM_RECORD:  # the timeline's sentences, each citing its source
            text, sources = render_narrative(template, spec.key, spec.timeline, entries)
            draft.sections.append(
                DraftSection(spec.key, spec.heading, text, DATA, sources=sources, table=section_table(spec, facts, words))
            )
            continue
        section = DraftSection(spec.key, spec.heading, "", MODEL, sources=list(cited), table=section_table(spec, facts, words))
        draft.sections.append(section)
        if cancel.is_set():
            section.complete, section.note = False, words["drafting"]["not_written"]
            continue
        fallback = _sentences(section_entries(spec.key, spec.timeline, entries))
        result = _write(section, spec, prompts[spec.key], engine, words, on_progress, on_token, cancel, check, fallback)
        draft.problems += [f"{spec.heading}: {note}" for note in section.guard_notes]
        stats.add(SectionStats.of(spec.key, spec.heading, result), result)
    draft.cancelled = cancel.is_set()
    stats.finish(wall_seconds=time.monotonic() - started)
    return draft


def _read_shared_prefix(
    engine: Engine, prompts: dict[str, str], specs: list[SectionSpec], on_progress, cancel
) -> PrefixStats | None:
    """Let the engine read the part all prompts share once (from its saved state when it
    has one); an engine that cannot reuse a prefix returns None and sees the prompts whole."""
    return engine.read_shared_prefix(
        [prompts[s.key] for s in specs], label=specs[0].heading, on_progress=on_progress, cancel=cancel
    )


def regenerate_section(
    stay: Stay,
    template: Template,
    engine: Engine,
    key: str,
    *,
    on_progress: ProgressCallback | None = None,
    on_token: SectionTokenCallback | None = None,
    cancel: threading.Event | None = None,
    check: SentenceCheck | None = None,
) -> DraftSection:
    """One model section written again, from the same record prefix as the whole draft
    (so an engine that still holds it does not read the record again)."""
    spec = next((s for s in template.sections if s.key == key), None)
    if spec is None or spec.origin != MODEL:
        raise EngineError(f"template {template.name} has no model-written section {key!r}")
    words = words_for(template.language)
    facts = stay_facts(stay)
    model_specs = [s for s in template.sections if s.origin == MODEL]
    entries = build_timeline(facts, template.language)
    evidence, prompts = _prepare_prompts(facts, template, engine, model_specs, entries)
    cited = [source for piece in evidence.pieces for source in piece.sources]
    section = DraftSection(spec.key, spec.heading, "", MODEL, sources=cited, table=section_table(spec, facts, words))
    cancel = cancel or Cancel()
    _read_shared_prefix(engine, prompts, [spec] + [s for s in model_specs if s.key != key], on_progress, cancel)
    fallback = _sentences(section_entries(spec.key, spec.timeline, entries))
    _write(section, spec, prompts[key], engine, words, on_progress, on_token, cancel, check, fallback)
    return section


def model_prompts(stay: Stay, template: Template, engine: Engine) -> dict[str, str]:
    """Section key -> the whole prompt each model-written section is given, exactly as
    draft_summary builds it for this engine (the benchmark writes them again to compare
    decoding methods)."""
    specs = [s for s in template.sections if s.origin == MODEL]
    facts = stay_facts(stay)
    return _prepare_prompts(facts, template, engine, specs, build_timeline(facts, template.language))[1] if specs else {}


def _write(section, spec, prompt, engine, words, on_progress, on_token, cancel, check, fallback) -> Generation:
    """Generate one model section into ``section``, sentence by sentence under ``check``
    (guarded.write_guarded). A section that falls into a loop is stopped there (the
    doctor's Stop still stops the whole draft), kept up to the first repeat and marked."""
    written = write_guarded(
        engine,
        prompt,
        spec.max_tokens,
        label=spec.heading,
        words=words,
        check=check,
        fallback=fallback,
        on_progress=on_progress,
        on_token=(lambda piece: on_token(spec.key, piece)) if on_token else None,
        cancel=cancel,
    )
    section.text = written.text.strip()
    section.guard_notes = written.notes
    result = written.result
    if written.looped and not cancel.is_set():
        section.complete, section.note = False, words["drafting"]["repetition"]
        result = replace(result, stop_reason="repetition")
    elif result.stop_reason == "cancelled":
        section.complete, section.note = False, words["drafting"]["stopped"]
    elif result.stop_reason == "length":
        section.complete, section.note = False, words["drafting"]["length"].format(n=spec.max_tokens)
    elif result.stop_reason == "error":  # a server engine failed: keep what it wrote, say why
        section.complete, section.note = False, words["drafting"]["engine_error"].format(detail=result.error)
    return result


def _sentences(entries: list[TimelineEntry]) -> list[str]:
    """The timeline's own sentences a section may stand in for a model sentence that failed."""
    return [e.text for e in entries if e.text]


def _prepare_prompts(
    facts: StayFacts, template: Template, engine: Engine, specs: list[SectionSpec], timeline: list[TimelineEntry]
) -> tuple[PromptEvidence, dict[str, str]]:
    """Fit the evidence to the context, then build each section's prompt: system,
    the record (identical bytes for every section), then the section's task."""
    system = template.prompt("system", facts=facts)
    tasks = {s.key: template.prompt(s.key, facts=facts) for s in specs}

    def render(pieces: list[Piece]) -> str:
        return template.prompt("record", facts=facts, evidence=pieces)

    overhead = max(engine.count_tokens(engine.chat_prompt(system, "\n\n" + tasks[s.key])) + s.max_tokens for s in specs)
    budget = engine.context_limit - overhead
    if budget <= engine.count_tokens(render([])):
        raise EngineError(f"the model's context of {engine.context_limit} tokens is too small for template {template.name}")
    reason = ""
    readable = engine.reading_budget()  # an engine with a time limit on reading the record
    if readable is not None and readable < budget:
        budget = max(readable, engine.count_tokens(render([])) + 1)
        reason = f"the whole record would take longer than {engine.read_seconds:g} s to read"
    queries = {s.key: f"{s.heading} {tasks[s.key]}" for s in specs}
    required = required_kinds(source for s in template.sections for source in s.sources)
    pieces = gather_pieces(facts, template.language, timeline)
    if timeline:  # the timeline carries the notes: add only their most relevant passages
        must = sorted((p for p in pieces if p.kind in required), key=lambda p: p.order)
        capped = engine.count_tokens(render(must)) + NOTES_WITH_TIMELINE
        if capped < budget:
            budget, reason = capped, words_for(template.language)["omitted"]["timeline"]
    while True:
        evidence = fit_evidence(pieces, budget, engine.count_tokens, render, queries=queries, required=required)
        evidence.reason = reason
        record = render(evidence.pieces)
        prompts = {key: engine.chat_prompt(system, f"{record}\n\n{task}") for key, task in tasks.items()}
        needed = max(engine.count_tokens(prompts[s.key]) + s.max_tokens for s in specs)
        if needed <= engine.context_limit:
            break
        budget -= needed - engine.context_limit  # the joins took a token or two more than the parts: fit again
        if budget <= engine.count_tokens(render([])):
            raise EngineError(f"the model's context of {engine.context_limit} tokens is too small for template {template.name}")
    engine.reserve(needed)
    return evidence, prompts


def _data_section(spec: SectionSpec, template: Template, facts: StayFacts, words: dict) -> DraftSection:
    sources = [item.provenance for name in spec.sources for item in getattr(facts, name) if item.provenance]
    text = template.data_section(spec.key, facts=facts)
    return DraftSection(spec.key, spec.heading, text, DATA, sources=sources, table=section_table(spec, facts, words))


def section_table(spec: SectionSpec, facts: StayFacts, words: dict) -> Table | None:
    """The table a section carries under its text, built from items (never by the model)."""
    if spec.table == "medications":
        statuses = words["tables"]["medication_status"]
        rows = [[m.name, m.dose, m.route, m.frequency, statuses.get(m.status, m.status)] for m in facts.discharge_medications]
        return Table(words["tables"]["medication_header"], rows)
    if spec.table == "labs":
        return _lab_table(facts, words)
    return None


def _lab_table(facts: StayFacts, words: dict) -> Table | None:
    if not facts.labs:
        return None
    rows = facts.abnormal_labs
    caption = words["tables"]["abnormal_caption"].format(n=len(rows), total=len(facts.labs))
    if not rows:
        latest = {}
        for obs in sorted(facts.labs, key=lambda o: o.time or datetime.min):
            latest[obs.name] = obs
        rows = list(latest.values())
        caption = words["tables"]["latest_caption"].format(total=len(facts.labs))
    return Table(
        words["tables"]["lab_header"],
        [[o.name, o.value, o.unit, o.reference_range, o.flag, format_when(o.time)] for o in rows],
        caption=caption,
    )


def _header(facts: StayFacts, words: dict) -> dict[str, str]:
    patient, label = facts.patient, words["header"]
    return {
        label["name"]: patient.name,
        label["sex"]: words["sexes"].get(patient.sex, patient.sex),
        label["birth"]: format_when(patient.birth_date),
        label["id"]: ", ".join(i.split("|")[-1] for i in patient.identifiers[:2]),
        label["admitted"]: format_when(facts.encounter.start),
        label["discharged"]: format_when(facts.encounter.end),
    }
