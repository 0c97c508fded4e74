"""The record as the model reads it: pieces of evidence (documents and compact
lists of structured items) chosen for the stay, fitted into the context by
priority. What does not fit is left out by name, never cut off mid-text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..records.model import Observation, Provenance
from ..templates import format_when
from .facts import StayFacts

LABELS = {
    "zh": {
        "diagnoses": "诊断",
        "history": "既往疾病",
        "allergies": "过敏",
        "medications": "本次住院用药",
        "discharge_medications": "出院带药",
        "procedures": "手术及操作",
        "abnormal_labs": "异常检验结果",
        "labs": "其他检验结果",
        "vitals": "生命体征",
        "admission": "入院",
        "discharge": "出院",
    },
    "en": {
        "diagnoses": "Diagnoses",
        "history": "Past medical history",
        "allergies": "Allergies",
        "medications": "Medications during the stay",
        "discharge_medications": "Discharge medications",
        "procedures": "Procedures",
        "abnormal_labs": "Abnormal laboratory results",
        "labs": "Other laboratory results",
        "vitals": "Vital signs",
        "admission": "admission",
        "discharge": "discharge",
    },
}


@dataclass
class Piece:
    label: str
    text: str
    priority: int  # lower is kept first when the context is short
    order: int  # position in the record as the model reads it
    sources: list[Provenance] = field(default_factory=list)
    tokens: int = 0


@dataclass
class Evidence:
    pieces: list[Piece]  # included, in record order
    omitted: list[Piece]

    def omitted_notes(self, budget: int) -> list[str]:
        return [f"{p.label}: {p.tokens} tokens left out, the record did not fit the model's context of {budget} tokens" for p in self.omitted]


def gather_pieces(facts: StayFacts, language: str) -> list[Piece]:
    """Every piece of the stay the model could read, with priority and order."""
    words = LABELS.get(language, LABELS["en"])
    pieces: list[Piece] = []

    def add(label: str, lines: list[str], priority: int, order: int, sources: list[Provenance]) -> None:
        if lines:
            pieces.append(Piece(label, "\n".join(lines), priority, order, sources))

    diagnoses = [f"{words['admission']}: {c.name}" for c in facts.admission_diagnoses]
    diagnoses += [f"{words['discharge']}: {c.name}" for c in facts.discharge_diagnoses]
    add(words["diagnoses"], diagnoses, 0, 0, [c.provenance for c in facts.admission_diagnoses + facts.discharge_diagnoses])
    add(words["history"], [c.name for c in facts.history_conditions], 3, 1, [c.provenance for c in facts.history_conditions])
    add(words["allergies"], [_allergy_line(a) for a in facts.allergies], 0, 2, [a.provenance for a in facts.allergies])
    order = 10
    for doc in facts.documents:
        for label, start, end, priority in _document_parts(doc):
            text = doc.text[start:end].strip()
            source = Provenance(doc.provenance.file, doc.provenance.locator, start, end)
            add(label, [text] if text else [], priority, order, [source])
            order += 1
    end = order
    add(words["procedures"], [_procedure_line(p) for p in facts.procedures], 1, end, [p.provenance for p in facts.procedures])
    add(words["medications"], [_medication_line(m) for m in facts.stay_medications], 2, end + 1, [m.provenance for m in facts.stay_medications])
    add(words["discharge_medications"], [_medication_line(m) for m in facts.discharge_medications], 1, end + 2, [m.provenance for m in facts.discharge_medications])
    abnormal = facts.abnormal_labs
    normal = [o for o in facts.labs if o not in abnormal]
    add(words["abnormal_labs"], [_observation_line(o) for o in abnormal], 2, end + 3, [o.provenance for o in abnormal])
    add(words["labs"], [_observation_line(o) for o in normal], 4, end + 4, [o.provenance for o in normal])
    add(words["vitals"], [_observation_line(o) for o in facts.vitals], 4, end + 5, [o.provenance for o in facts.vitals])
    return pieces


# Which parts of a note a summary needs most, by heading key (lower is kept first).
SECTION_PRIORITY = {
    **dict.fromkeys(("chief_complaint", "admission_diagnosis", "discharge_diagnosis", "hospital_course", "discharge_condition"), 0),
    **dict.fromkeys(("history_of_present_illness", "assessment", "progress", "plan", "admission_condition",
                     "discharge_medications", "discharge_instructions", "follow_up"), 1),
    **dict.fromkeys(("labs", "procedures", "subjective", "objective", "medications", "stopped_medications"), 2),
}
OTHER_PRIORITY = 3


def _document_parts(doc) -> list[tuple[str, int, int, int]]:
    """A document as (label, start, end, priority) parts: its recognised sections,
    and the text before the first one. A long record loses whole low-priority
    sections, never the middle of one."""
    name = " ".join(part for part in (doc.title or doc.kind, format_when(doc.date)) if part)
    sections = sorted(doc.sections, key=lambda s: s.start)
    if not sections:
        return [(name, 0, len(doc.text), 1)]
    parts = []
    if doc.text[: sections[0].start].strip():
        parts.append((name, 0, sections[0].start, OTHER_PRIORITY))
    for section in sections:
        parts.append((f"{name} · {section.heading}", section.start, section.end, SECTION_PRIORITY.get(section.key, OTHER_PRIORITY)))
    return parts


def fit_evidence(pieces: list[Piece], budget: int, count_tokens: Callable[[str], int], render: Callable[[list[Piece]], str]) -> Evidence:
    """Keep pieces by priority while the rendered record stays within ``budget`` tokens."""
    for piece in pieces:
        piece.tokens = count_tokens(render([piece])) - count_tokens(render([]))
    kept: list[Piece] = []
    omitted: list[Piece] = []
    used = count_tokens(render([]))
    for piece in sorted(pieces, key=lambda p: (p.priority, p.order)):
        if used + piece.tokens <= budget:
            kept.append(piece)
            used += piece.tokens
        else:
            omitted.append(piece)
    kept.sort(key=lambda p: p.order)
    return Evidence(kept, omitted)


def _medication_line(med) -> str:
    parts = [med.name, med.dose, med.route, med.frequency]
    line = " ".join(p for p in parts if p)
    dates = " - ".join(format_when(d) for d in (med.start, med.end) if d)
    extras = ", ".join(x for x in (med.status, dates) if x)
    return f"{line} ({extras})" if extras else line


def _observation_line(obs: Observation) -> str:
    line = f"{format_when(obs.time)} {obs.name}: {obs.value} {obs.unit}".strip()
    if obs.flag:
        line += f" [{obs.flag}]"
    if obs.reference_range:
        line += f" (ref {obs.reference_range})"
    return line


def _procedure_line(proc) -> str:
    return f"{format_when(proc.date)} {proc.name}".strip()


def _allergy_line(allergy) -> str:
    return ", ".join(p for p in (allergy.substance, allergy.reaction, allergy.severity) if p)
