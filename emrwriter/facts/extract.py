"""Information structuring from free text, zh and en, every fact with its span.

The note importer reads only what it can read exactly (stay dates, diagnosis
lists, discharge medication lines, allergies). This module reads the rest of a
stay's notes by rules: lab results and vital signs ("Creatinine 1.6 mg/dL (H)",
"血钾3.32mmol/L↓"), pre-admission medications, medication changes during the
stay (started, stopped, changed), procedures, follow-up appointments and
results still pending at discharge. Structured imports (FHIR, C-CDA, lab CSV)
already give facts: text facts that repeat them are merged, not duplicated.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

from ..records.model import Document, Medication, Observation, Provenance
from ..records.notes import list_items, parse_medication
from ..records.stay import HISTORY, Stay
from .dates import DateValue
from .drugs import canonical_drug, find_drugs
from .lab_names import VITAL_SYNONYMS, lab_key
from .tokens import split_sentences, tokenize
from .units import Quantity

log = logging.getLogger(__name__)

ABNORMAL_FLAGS = re.compile(
    r"^(?:h|hh|l|ll|a|aa|high|low|abnormal|critical|crit|pos|positive|↑|↓|↑↑|↓↓|异常|阳性|偏高|偏低|\*)$", re.IGNORECASE
)
PENDING_VALUE = re.compile(
    r"pending|pnd|in progress|not resulted|outstanding|待回报|待回|待报|培养中|尚未回报|未回报|结果未出|待结果", re.IGNORECASE
)
_PENDING_TEXT_EN = re.compile(
    r"(?:pending(?:\s+at\s+(?:the\s+time\s+of\s+)?discharge)?|outstanding|awaiting)\s*[:：]\s*(?P<after>[^.;\n]{2,80})"
    r"|(?P<before>[A-Za-z][A-Za-z0-9 ()/+-]{1,60}?)\s+(?:results?\s+)?(?:is\s+|are\s+|was\s+|were\s+|still\s+|remains?\s+)*(?:pending|outstanding|not yet resulted)",
    re.IGNORECASE,
)
_PENDING_TEXT_ZH = re.compile(
    r"(?P<before>[\u4e00-\u9fffA-Za-z0-9+\-]{2,20}?)(?:[（(][^）)]{0,20}[)）])?(?:结果)?[:：]?\s*(?:仍在|仍|尚在|正在)?(?:待回报|待回|待报|培养中|尚未回报|未回报|结果未出)"
)
_FLAG_AFTER = re.compile(r"\s*(?:[（(]\s*(?P<f1>H|L|HH|LL|high|low|A)\s*[;；,)）]|(?P<f2>[↑↓]+)|\s(?P<f3>H|L)\b)")
_CHANGE_CUES = {
    "started": re.compile(
        r"\b(?:start(?:ed|ing)?|initiat(?:ed|e)|begun|began|add(?:ed)?|new)\b|开始|加用|启用|新加", re.IGNORECASE
    ),
    "stopped": re.compile(
        r"\b(?:stop(?:ped)?|discontinu(?:ed|e)|held|hold|d/c(?:'d)?|cease[d]?)\b|停用|停药|停止|撤药|已停", re.IGNORECASE
    ),
    "changed": re.compile(
        r"\b(?:increas(?:ed|e)|decreas(?:ed|e)|chang(?:ed|e)|titrat(?:ed|e)|switch(?:ed)?|transition(?:ed)?|reduc(?:ed|e)|adjust(?:ed)?)\b"
        r"|改为|调整为|换用|改用|序贯为|升级为|加量|减量|增加至|减至",
        re.IGNORECASE,
    ),
}
_HEADING_STATUS = (
    (re.compile(r"\bNEW\b|新加|新增", re.IGNORECASE), "new"),
    (re.compile(r"CHANGE|调整", re.IGNORECASE), "changed"),
    (re.compile(r"STOP|DISCONTINU|HELD|停用", re.IGNORECASE), "stopped"),
    (re.compile(r"CONTINU|UNCHANGED|继续", re.IGNORECASE), "continued"),
)


@dataclass
class LabResult:
    key: str  # canonical test key ("creatinine"), or the folded name
    name: str
    value: str
    unit: str
    flag: str
    time: datetime | None
    provenance: Provenance
    category: str = "lab"  # "lab" | "vital"

    @property
    def abnormal(self) -> bool:
        return bool(self.flag) and bool(ABNORMAL_FLAGS.match(self.flag.strip()))


@dataclass
class PendingResult:
    key: str
    name: str
    provenance: Provenance
    quote: str


@dataclass
class MedicationChange:
    drug: str  # canonical name
    name: str  # as the record writes it
    action: str  # new | stopped | changed
    detail: str  # e.g. "40 mg once daily (was 20 mg once daily)"
    provenance: Provenance
    quote: str = ""


@dataclass
class Procedure:
    name: str
    date: DateValue | None
    provenance: Provenance


@dataclass
class FollowUp:
    text: str
    provenance: Provenance


@dataclass
class StructuredFacts:
    labs: list[LabResult] = field(default_factory=list)
    vitals: list[LabResult] = field(default_factory=list)
    home_medications: list[Medication] = field(default_factory=list)
    medication_changes: list[MedicationChange] = field(default_factory=list)
    procedures: list[Procedure] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    pending: list[PendingResult] = field(default_factory=list)


# ---------------------------------------------------------------------------
# lab results and vital signs


def results_from_text(document: Document) -> list[LabResult]:
    """ "Creatinine 1.6 mg/dL (H)", "血钾3.32mmol/L↓", "T 38.6℃": a test name with the
    value right after it (a few words between at most), its flag, and the nearest date before."""
    text = document.text
    tokens = tokenize(text)
    found: list[LabResult] = []
    last_date: datetime | None = document.date
    for index, token in enumerate(tokens):
        if token.kind == "date" and token.value.year and token.value.day:
            last_date = datetime(token.value.year, token.value.month, token.value.day)
        if token.kind != "lab":
            continue
        for offset in range(index + 1, min(index + 4, len(tokens))):
            value = tokens[offset]
            if value.kind == "sep" and value.key in {"clause", "stop", "line", "list"}:
                break
            if value.kind == "lab" or value.kind == "drug":
                break
            if value.kind != "qty":
                continue
            quantity: Quantity = value.value
            flag = _FLAG_AFTER.match(text, value.end)
            flag_text = next((g for g in (flag.groups() if flag else ()) if g), "") if flag else ""
            category = "vital" if token.value in VITAL_SYNONYMS else "lab"
            found.append(
                LabResult(
                    key=str(token.value),
                    name=token.text,
                    value=_number_text(value.text, quantity),
                    unit=quantity.unit.symbol if quantity.unit else "",
                    flag=flag_text,
                    time=last_date,
                    provenance=Provenance(document.provenance.file, "text", token.start, value.end),
                    category=category,
                )
            )
            break
    return found


def _number_text(text: str, quantity: Quantity) -> str:
    match = re.match(r"[-−]?[\d,]+(?:\.\d+)?", text)
    return match.group() if match else f"{quantity.value:g}"


def structured_results(observations: list[Observation]) -> list[LabResult]:
    results = []
    for obs in observations:
        results.append(
            LabResult(
                lab_key(obs.name) or _fold(obs.name),
                obs.name,
                obs.value,
                obs.unit,
                obs.flag,
                obs.time,
                obs.provenance,
                "vital" if obs.category == "vital" else "lab",
            )
        )
    return results


def merge_results(structured: list[LabResult], from_text: list[LabResult]) -> list[LabResult]:
    """Structured results first; a text result that repeats one (same test, value and
    day) is dropped."""
    seen = {(r.key, _value_key(r.value), r.time.date() if r.time else None) for r in structured}
    merged = list(structured)
    for result in from_text:
        key = (result.key, _value_key(result.value), result.time.date() if result.time else None)
        loose = (result.key, _value_key(result.value), None)
        if key in seen or any(s[0] == loose[0] and s[1] == loose[1] for s in seen):
            continue
        seen.add(key)
        merged.append(result)
    return merged


def _value_key(value: str) -> str:
    try:
        return f"{float(value.replace(',', '')):g}"
    except ValueError:
        return value.strip().lower()


def _fold(name: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[（(].*?[)）]", "", name)).strip().lower()


# ---------------------------------------------------------------------------
# pending results


def pending_results(stay: Stay, documents: list[Document], labs: list[Observation]) -> list[PendingResult]:
    """Results still pending at discharge: structured results whose value says so, and
    tests a note calls pending that no later note or result reports."""
    found: dict[str, PendingResult] = {}
    resulted: dict[str, datetime] = {}
    for obs in labs:
        key = lab_key(obs.name) or _fold(obs.name)
        if PENDING_VALUE.search(obs.value or ""):
            found.setdefault(key, PendingResult(key, obs.name, obs.provenance, f"{obs.name}: {obs.value}"))
        elif obs.time is not None:
            resulted[key] = max(resulted.get(key, obs.time), obs.time)
    mentions: list[tuple[datetime | None, str, str, Provenance, str, bool]] = []
    for document in documents:
        text = document.text
        for start, end in split_sentences(text):
            sentence = text[start:end]
            for name, s, e in _pending_names(sentence):
                key = lab_key(name) or _fold(name)
                mentions.append(
                    (document.date, key, name, Provenance(document.provenance.file, "text", start + s, start + e), sentence, True)
                )
    for when, key, name, provenance, quote, _ in mentions:
        later = resulted.get(key)
        if later is not None and (when is None or later.date() > when.date()):
            continue
        if _reported_later(key, name, when, documents):
            continue
        found.setdefault(key, PendingResult(key, name, provenance, quote))
    return list(found.values())


def _pending_names(sentence: str) -> list[tuple[str, int, int]]:
    names = []
    for match in _PENDING_TEXT_EN.finditer(sentence):
        group = "after" if match["after"] else "before"
        raw = match[group]
        for piece in re.split(r",|;|\band\b", raw):
            name = re.sub(
                r"^(?:the|a|an|her|his|with|and|but|labs?|results?|at discharge)\s+", "", piece.strip(), flags=re.IGNORECASE
            )
            name = re.sub(r"\s*[;:,.]?\s*(?:result|to be|will).*$", "", name, flags=re.IGNORECASE).strip(" :;,.")
            words = name.split()
            if name and len(words) <= 6:
                start = match.start(group) + raw.find(piece.strip())
                names.append((_last_words(name), start, start + len(piece.strip())))
    for match in _PENDING_TEXT_ZH.finditer(sentence):
        name = re.sub(r"^(?:出院时|目前|现|尚有|仍有|另|及|和|、|，)", "", match["before"])
        if len(name) >= 2:
            names.append((name, match.start("before"), match.end("before")))
    return names


def _last_words(name: str) -> str:
    words = name.split()
    key = lab_key(name)
    if key is None and len(words) > 3:
        return " ".join(words[-3:])
    return name


def _reported_later(key: str, name: str, when: datetime | None, documents: list[Document]) -> bool:
    """A later note gives the result: it names the test in a sentence without a pending word."""
    for document in documents:
        if when is None or document.date is None or document.date.date() <= when.date():
            continue
        for start, end in split_sentences(document.text):
            sentence = document.text[start:end]
            if PENDING_VALUE.search(sentence):
                continue
            named = (lab_key(sentence) == key and key) or (name and name in sentence and len(name) >= 3)
            if named and re.search(r"\d|阴性|阳性|negative|positive|normal|正常|无细菌生长|no growth", sentence, re.IGNORECASE):
                return True
    return False


# ---------------------------------------------------------------------------
# medications before admission and changes at discharge


def home_medications(documents: list[Document]) -> list[Medication]:
    """Medications before admission: a MEDICATIONS (ON ADMISSION) list, or the dosed
    drugs named in 既往史 / past history."""
    found: list[Medication] = []
    for document in documents:
        for section in document.sections:
            if section.key == "medications":
                spans = list_items(document.text, section.start, section.end)
            elif section.key == "past_history":
                spans = _dosed_drug_spans(document.text, section.start, section.end)
            elif section.key == "history_of_present_illness":
                spans = _dosed_drug_spans(document.text, section.start, section.end, regular_only=True)
            else:
                continue
            for s, e in spans:
                name, dose, route, frequency = parse_medication(document.text[s:e].strip(' "“”「」'))
                if not find_drugs(name or document.text[s:e]):
                    continue
                found.append(
                    Medication(
                        Provenance(document.provenance.file, section.heading, s, e),
                        name=name,
                        dose=dose,
                        route=route,
                        frequency=frequency,
                        role="home",
                    )
                )
    return found


_REGULAR_USE = re.compile(
    r"(?:平素|规律|长期|一直|常规|规则|维持)[^，。；]{0,6}$|(?:takes|taking|home|chronically|regularly)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)


def _dosed_drug_spans(text: str, start: int, end: int, regular_only: bool = False) -> list[tuple[int, int]]:
    """Drug mentions with a dose right after them inside prose ("口服苯磺酸氨氯地平片 5mg 每日一次");
    ``regular_only``: only those said to be taken regularly ("平素吸入...", "takes ...")."""
    spans = []
    for drug in find_drugs(text[start:end]):
        s = start + drug.start
        if regular_only and not _REGULAR_USE.search(text[max(start, s - 12) : s].rstrip(' "“「')):
            continue
        stop = re.search(r"[”\"」，。；,;\n]", text[s:end])
        e = s + (stop.start() if stop else end - s)
        if re.search(r"\d", text[s:e]):
            spans.append((s, e))
    return spans


def _heading_status(locator: str) -> str:
    for pattern, status in _HEADING_STATUS:
        if pattern.search(locator or ""):
            return status
    return ""


def medication_changes(stay: Stay, discharge: list[Medication], documents: list[Document]) -> list[MedicationChange]:
    """New, stopped and changed medications at discharge, compared with the
    medications before admission (and as the discharge list's own headings say)."""
    home = home_medications(documents)
    home_by_drug = {canonical_drug(m.name): m for m in home}
    discharge_by_drug = {canonical_drug(m.name): m for m in discharge}
    changes: list[MedicationChange] = []
    for drug, med in discharge_by_drug.items():
        status = _heading_status(med.provenance.locator)
        before = home_by_drug.get(drug)
        if status == "new" or (before is None and home and status != "continued"):
            changes.append(MedicationChange(drug, med.name, "new", _dose_text(med), med.provenance))
        elif status == "changed" or (before is not None and _dose_changed(before, med)):
            was = f" (was {_dose_text(before)})" if before is not None else ""
            changes.append(MedicationChange(drug, med.name, "changed", _dose_text(med) + was, med.provenance))
    stopped = [m for m in stay.record.medications if m.status == "stopped" and stay.label(m) != HISTORY]
    for med in stopped:
        drug = canonical_drug(med.name)
        if drug not in discharge_by_drug and all(c.drug != drug for c in changes):
            changes.append(MedicationChange(drug, med.name, "stopped", _dose_text(med), med.provenance))
    for drug, med in home_by_drug.items():
        if drug not in discharge_by_drug and discharge and all(c.drug != drug for c in changes):
            changes.append(MedicationChange(drug, med.name, "stopped", _dose_text(med), med.provenance))
    return changes


def _dose_text(med: Medication) -> str:
    return " ".join(x for x in (med.dose, med.route, med.frequency) if x)


def _dose_changed(before: Medication, after: Medication) -> bool:
    a, b = tokenize(before.dose), tokenize(after.dose)
    qa = [t.value for t in a if t.kind == "qty"]
    qb = [t.value for t in b if t.kind == "qty"]
    if qa and qb and not qa[0].same_as(qb[0]):
        return True
    fa = [t.key for t in tokenize(before.frequency) if t.kind == "freq"]
    fb = [t.key for t in tokenize(after.frequency) if t.kind == "freq"]
    return bool(fa and fb and fa[0] != fb[0])


# ---------------------------------------------------------------------------
# procedures and follow-up

_EN_PROCEDURE = re.compile(
    r"\b(?:underwent|underwent an?|s/p|status post)\s+(?P<name>[A-Za-z][A-Za-z /-]{3,60}?)(?=[,.;(]|\s+(?:on|in|at|with|which|and)\b)",
    re.IGNORECASE,
)
_ZH_PROCEDURE = re.compile(r"行(?P<name>[\u4e00-\u9fffA-Za-z0-9+\-]{2,20}?(?:术|检查|造影|穿刺|置管|镜))")


def procedures_from_text(document: Document) -> list[Procedure]:
    text = document.text
    found: list[Procedure] = []
    for section in document.sections:
        if section.key == "procedures":
            for s, e in list_items(text, section.start, section.end):
                found.append(
                    Procedure(
                        text[s:e].strip(), _first_date(text[s:e]), Provenance(document.provenance.file, section.heading, s, e)
                    )
                )
    for pattern in (_EN_PROCEDURE, _ZH_PROCEDURE):
        for match in pattern.finditer(text):
            s, e = match.start("name"), match.end("name")
            line_end = text.find("\n", e)
            found.append(
                Procedure(
                    match["name"].strip(),
                    _first_date(text[match.start() : line_end if line_end > 0 else len(text)]),
                    Provenance(document.provenance.file, "text", s, e),
                )
            )
    return found


def _first_date(text: str) -> DateValue | None:
    for token in tokenize(text):
        if token.kind == "date":
            return token.value
    return None


def follow_ups(documents: list[Document]) -> list[FollowUp]:
    found = []
    for document in documents:
        for section in document.sections:
            if section.key == "follow_up":
                for s, e in list_items(document.text, section.start, section.end):
                    found.append(
                        FollowUp(document.text[s:e].strip(), Provenance(document.provenance.file, section.heading, s, e))
                    )
    return found


# ---------------------------------------------------------------------------
# everything


def structure(
    stay: Stay, documents: list[Document], discharge: list[Medication], observations: list[Observation]
) -> StructuredFacts:
    """All text facts of a stay, merged with its structured results."""
    text_results = [r for d in documents for r in results_from_text(d)]
    structured = structured_results(observations)
    merged = merge_results(structured, text_results)
    facts = StructuredFacts(
        labs=[r for r in merged if r.category == "lab"],
        vitals=[r for r in merged if r.category == "vital"],
        home_medications=home_medications(documents),
        medication_changes=medication_changes(stay, discharge, documents),
        procedures=[p for d in documents for p in procedures_from_text(d)],
        follow_ups=follow_ups(documents),
        pending=pending_results(stay, documents, observations),
    )
    log.debug(
        "structured: %d labs, %d vitals, %d changes, %d pending",
        len(facts.labs),
        len(facts.vitals),
        len(facts.medication_changes),
        len(facts.pending),
    )
    return facts
