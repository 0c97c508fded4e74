"""Import free-text notes (.txt/.md, .docx, .pdf) as Documents with light structure.

Every format is reduced to one decoded text; ``document_from_text`` then cuts it
into sections and reads only what can be read exactly (stay dates, numbered
diagnosis lists, discharge medication lines, allergies). Everything else stays
in the Document text for the later extractors. Every item carries a character
span into ``Document.text`` so the GUI can show it and the verifier can cite it.
"""

from __future__ import annotations

import logging
import re
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from ..vocabulary.drugs import find_drugs
from .aligned_tables import HEADER as ALIGNED_HEADER
from .aligned_tables import aligned_lab_rows
from .dates import find_date, find_yearless_date, parse_datetime
from .docx_archive import check_docx
from .fields import Field, header_fields, label_key
from .headings import DOCUMENT_KINDS, find_sections, heading_key, is_title
from .labs_csv import is_lab_header, table_observations
from .limits import check_size, check_text, limits, too_big, too_many
from .medication_text import ACTION_WORD, MAX_NAME_WORDS, comma_items, medication_spans, parse_medication, reason_in, status_cue
from .model import (
    Allergy,
    Condition,
    Document,
    Encounter,
    ImportProblem,
    Medication,
    Observation,
    Patient,
    Provenance,
    Record,
    RecordError,
    Section,
)
from .subnotes import dated_heading, note_parts
from .text_encoding import decode_text
from .text_lists import TRAILING, clean, list_items, logical_lines, marked_list, split_at, trim

logger = logging.getLogger(__name__)

STAY_ID = "stay"

INPATIENT_KINDS = frozenset(
    {"admission_note", "first_progress_note", "progress_note", "operative_note", "discharge_orders", "discharge_summary"}
)

# ---------------------------------------------------------------------------
# document kind, title, date, author


def _norm_name(text: str) -> str:
    """Upper case, separators as one space, no spaces between Chinese characters ("入 院 记 录")."""
    folded = re.sub(r"[\s_\-]+", " ", text).upper()
    return re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", folded)


def _title_line(text: str) -> tuple[str, int, int] | None:
    """The first title-like line among the first few non-empty lines."""
    offset = 0
    seen = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\n")
        if line.strip():
            if is_title(line):
                return line.strip().lstrip("#").strip(), offset, offset + len(line)
            seen += 1
            if seen >= 5:
                break
        offset += len(raw)
    return None


def kind_of(name: str) -> str:
    """The kind a file name or title names ("" when it names none)."""
    folded = _norm_name(name)
    for kind, phrases in DOCUMENT_KINDS:
        if any(phrase in folded for phrase in phrases):
            return kind
    return ""


def document_kind(path: Path, title: str) -> str:
    """Kind from the file name first (what the user chose), then the title line."""
    return kind_of(path.stem) or kind_of(title) or "note"


_LABEL_START = r"(?:^|(?<=[\s|，,；;*]))"
_DOC_DATE = re.compile(
    _LABEL_START
    + r"(?:记录时间|记录日期|书写时间|签名时间|手术日期|手术时间|操作日期|操作时间|日期|date of service|report date|note date"
    r"|date of (?:surgery|procedure|operation)|procedure date|surgery date|operation date|signed on|signed|date)[ \t　]*[:：][ \t　]*",
    re.IGNORECASE | re.MULTILINE,
)
_NOT_DOC_DATE = re.compile(r"(admission|discharge|admit|birth|of)\s*$", re.IGNORECASE)


def document_date(text: str, title: tuple[str, int, int] | None) -> datetime | None:
    """The note's own date: a labelled record date, else a date on the title line."""
    for match in _DOC_DATE.finditer(text):
        if _NOT_DOC_DATE.search(text[max(0, match.start() - 12) : match.start()]):
            continue
        line_end = text.find("\n", match.end())
        found = find_date(text, match.end(), line_end if line_end >= 0 else len(text))
        if found is not None and found.start == match.end():
            return found.value
    if title is not None:
        found = find_date(text, title[1], title[2])
        if found is not None:
            return found.value
    return None


_AUTHOR_LABELS = (
    "医师签名",
    "医生签名",
    "记录者",
    "记录人",
    "书写者",
    "书写医师",
    "签名",
    "dictated by",
    "electronically signed by",
    "signed by",
    "author",
    "attending physician",
    "attending",
)
_AUTHOR = re.compile(
    _LABEL_START
    + r"(?P<label>"
    + "|".join(re.escape(label) for label in _AUTHOR_LABELS)
    + r")[ \t　]*[:：][ \t　]*(?P<v>[^\n]*)",
    re.IGNORECASE | re.MULTILINE,
)


def document_author(text: str) -> str:
    """The signing/dictating clinician, preferring signatures over "Attending"."""
    found: dict[str, str] = {}
    for match in _AUTHOR.finditer(text):
        value = re.split(r"[ \t]{2,}|\t|　", match["v"].strip())[0]
        date = find_date(value)
        if date is not None and date.start > 0:
            value = value[: date.start]
        value = value.strip(" -–,;，；")
        if value:
            found.setdefault(match["label"].lower(), value)
    for label in _AUTHOR_LABELS:
        if label in found:
            return found[label]
    return ""


# ---------------------------------------------------------------------------
# the stay: admission and discharge dates

_STAY_LABELS = {
    "admission": r"入院日期|入院时间|admission date|admission time|admit date|date of admission|admitted|admit|adm",
    "discharge": r"出院日期|出院时间|discharge date|discharge time|date of discharge|discharged|disch",
}
_STAY_PATTERNS = {  # "入院日期：…", and in a table row "入院日期 | 2026-03-09" or "入院时间\t2026-03-12"
    which: re.compile(
        _LABEL_START
        + rf"(?:\*\*|__)?(?:{labels})(?:\*\*|__)?(?:[ \t　]*[:：][ \t　]*|[ \t]*[|｜][ \t]*|\t+|[ \t]*[.…·]{{2,}}[ \t]*)(?:\*\*|__)?"
        + r"(?P<v>[^\n]*)",
        re.IGNORECASE | re.MULTILINE,
    )
    for which, labels in _STAY_LABELS.items()
}
_TIME_ONLY = re.compile(r"(?P<H>\d{1,2})[:：](?P<M>\d{2})(?!\d)")


@dataclass
class _StayDate:
    value: datetime | None = None
    has_time: bool = False
    start: int | None = None
    end: int | None = None


def _context_year(text: str) -> int | None:
    """The year of a note's first full date: what "出院日期：3月12日" means."""
    found = find_date(text)
    return found.value.year if found else None


def _stay_date(text: str, which: str, file: str, problems: list[ImportProblem]) -> _StayDate:
    """First readable labelled date; a separate "Admission Time: 17:30" completes a bare date."""
    result = _StayDate()
    clock: tuple[int, int] | None = None
    unreadable = ""
    year = _context_year(text)
    for match in _STAY_PATTERNS[which].finditer(text):
        if year is not None:
            date = find_yearless_date(text, year, match.start("v"), match.end("v"))
        else:
            date = find_date(text, match.start("v"), match.end("v"))
        if date is not None and date.start == match.start("v"):
            if result.value is None:
                result = _StayDate(date.value, date.has_time, match.start(), date.end)
            continue
        time_match = _TIME_ONLY.match(match["v"])
        if time_match and int(time_match["H"]) < 24 and int(time_match["M"]) < 60:
            clock = clock or (int(time_match["H"]), int(time_match["M"]))
            continue
        unreadable = unreadable or match["v"].strip()
    if result.value is not None and not result.has_time and clock is not None:
        result.value = result.value.replace(hour=clock[0], minute=clock[1])
    if result.value is None and unreadable:
        problems.append(ImportProblem(file, f"{which} date {unreadable[:40]!r} is not a date EMRWriter can read"))
    return result


def stay_encounter(text: str, file: str, kind: str, problems: list[ImportProblem]) -> Encounter | None:
    """The inpatient stay this note belongs to, when it gives dates or is an inpatient note."""
    admitted = _stay_date(text, "admission", file, problems)
    discharged = _stay_date(text, "discharge", file, problems)
    if admitted.value is None and discharged.value is None and kind not in INPATIENT_KINDS:
        return None
    spans = [(d.start, d.end) for d in (admitted, discharged) if d.start is not None and d.end is not None]
    provenance = Provenance(
        file=file,
        locator="admission/discharge dates" if spans else "",
        start=min(s for s, _ in spans) if spans else None,
        end=max(e for _, e in spans) if spans else None,
    )
    return Encounter(id=STAY_ID, kind="inpatient", start=admitted.value, end=discharged.value, provenance=provenance)


# ---------------------------------------------------------------------------
# allergies

_NO_ALLERGY = re.compile(
    r"(?:(?:none|nil|nkda|nka|n/?a|no known(?: drug)? allergies|no allergies|no drug allergies|denies)(?![A-Za-z])"
    r"|无|否认|未发现)",
    re.IGNORECASE,
)
_REACTION_SPLIT = re.compile(r"\s+[-–]\s+|\s*(?:->|→)\s*|[:：]\s*|，?表现为")
_TRAILING_REACTION = re.compile(r"^(?P<s>.+?)\s*[(（](?P<r>[^()（）]+)[)）]$")  # "codeine (nausea/vomiting)"
_ALL_CAUSE = re.compile(r"(?:all|which|that|both)?\s*causes?\s+(?P<r>.+)$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"\.(?=\s|$)|。")
_SEMICOLON = re.compile(r"[;；]")
_MAX_SUBSTANCE_WORDS = 4


def _allergy_spans(text: str, section: Section) -> tuple[list[tuple[int, int]], int]:
    """Substances from the first sentence of each listed item (the rest is usually
    commentary such as "Has taken furosemide without reaction"); comma lists split
    only when every part is short. Returns the spans and the sentences not read."""
    spans: list[tuple[int, int]] = []
    skipped = 0
    marked = marked_list(text, section.start, section.end)
    lines = (
        marked
        if marked is not None
        else [piece for line in logical_lines(text, section.start, section.end) for piece in split_at(text, line, _SEMICOLON)]
    )
    for s, e in lines:
        stop = _SENTENCE_END.search(text, s, e)
        sentence = trim(text, s, stop.start() if stop else e, TRAILING)
        if sentence[0] == sentence[1] or _NO_ALLERGY.match(text, sentence[0], sentence[1]):
            continue
        parts = comma_items(text, sentence)
        if all(len(text[a:b].split()) <= _MAX_SUBSTANCE_WORDS or _ALL_CAUSE.match(text[a:b]) for a, b in parts):
            spans.extend(parts)
        elif len(text[sentence[0] : sentence[1]].split()) <= MAX_NAME_WORDS:
            spans.append(sentence)
        else:
            skipped += 1
    return spans, skipped


def _allergies(text: str, section: Section, file: str) -> tuple[list[Allergy], int]:
    allergies: list[Allergy] = []
    spans, skipped = _allergy_spans(text, section)
    for s, e in spans:
        piece = clean(text[s:e])
        cause = _ALL_CAUSE.match(piece)
        if cause and allergies:  # "PENICILLIN, SULFA, all cause HIVES"
            for allergy in allergies:
                allergy.reaction = allergy.reaction or clean(cause["r"])
            continue
        parts = _REACTION_SPLIT.split(piece, maxsplit=1)
        bracketed = _TRAILING_REACTION.match(piece) if len(parts) == 1 else None
        if bracketed and not find_drugs(bracketed["r"]):  # "Sulfa (Bactrim)" names the drug, not a reaction
            parts = [bracketed["s"], bracketed["r"]]
        substance = re.sub(r"^(?:allergic to|allergy to|对)\s*|(?:过敏史|过敏)$", "", parts[0], flags=re.IGNORECASE)
        if clean(substance):
            allergies.append(
                Allergy(
                    provenance=Provenance(file=file, locator=section.heading, start=s, end=e),
                    substance=clean(substance),
                    reaction=clean(parts[1]) if len(parts) > 1 else "",
                )
            )
    return allergies, skipped


# ---------------------------------------------------------------------------
# building the Record

_CONDITION_ROLES = {
    "admission_diagnosis": "admission",
    "discharge_diagnosis": "discharge",
    "postoperative_diagnosis": "procedure",
    "preoperative_diagnosis": "working",
}
# A plain "诊断"/"Diagnoses" list means what the note is: the admission or the discharge diagnosis.
_DIAGNOSIS_BY_KIND = {"admission_note": "admission", "first_progress_note": "admission", "discharge_summary": "discharge"}
_ASSESSMENT_HEADING = re.compile(r"ASSESSMENT|IMPRESSION|\bA ?/ ?P\b|诊断", re.IGNORECASE)
# A problem of an assessment list ends at its first colon, dash or sentence: "1. CAP: continue ..."
_PROBLEM_END = re.compile(r"[:：]|\s[-–—]\s|[.。;；](?:\s|$)|，(?=[^，]*(?:继续|予|给予|改为|停|加用|完善|监测))")
_PROBLEM_STATUS = re.compile(
    r",\s*(?:improving|improved|resolved|resolving|stable|worsening|controlled|ongoing)\s*$", re.IGNORECASE
)
_MAX_PROBLEM_WORDS = 10
# Items of an assessment list that are no diagnosis: plans, prophylaxis, code status, pending tests
_NOT_A_PROBLEM = re.compile(
    r"\b(?:pending|dispo(?:sition)?|code status|full code|dnr|prophylaxis|fen|diet|access|lines?|education|follow[- ]?up)\b"
    r"|待回报|待回|随访|复诊|出院计划|预防",
    re.IGNORECASE,
)


def _diagnosis_role(ctx: _Context, section: Section) -> str | None:
    role = _CONDITION_ROLES.get(section.key)
    if role is not None:
        return role
    if section.key in {"diagnosis", "secondary_diagnosis"}:
        return _DIAGNOSIS_BY_KIND.get(ctx.kind, "discharge" if ctx.kind == "discharge_orders" else "working")
    if section.key in {"assessment", "plan"} and _ASSESSMENT_HEADING.search(section.heading):
        return "admission" if _DIAGNOSIS_BY_KIND.get(ctx.kind) == "admission" else "working"  # an H&P's problems
    return None


def _problem_span(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    """The problem an assessment item names, without its plan; None for prose."""
    s, e = span
    while s < e and text[s] in "#*- \t":
        s += 1
    stop = _PROBLEM_END.search(text, s, e)
    e = stop.start() if stop else e
    status = _PROBLEM_STATUS.search(text, s, e)
    s, e = trim(text, s, status.start() if status else e, TRAILING)
    name = text[s:e]
    cjk = sum("\u4e00" <= c <= "\u9fff" for c in name)
    if s >= e or len(name.split()) > _MAX_PROBLEM_WORDS or cjk > 30 or _NOT_A_PROBLEM.search(name):
        return None
    return s, e


def _conditions(ctx: _Context) -> list[Condition]:
    """Diagnosis lists by their heading (admission, discharge, post-operative) or, for a plain
    "诊断"/"Diagnoses", by the kind of note; the problems of an assessment as working diagnoses."""
    text = ctx.text
    conditions = []
    for section in ctx.sections:
        role = _diagnosis_role(ctx, section)
        if role is None:
            continue
        assessment = section.key in {"assessment", "plan"}
        items = marked_list(text, section.start, section.end) if assessment else list_items(text, section.start, section.end)
        if assessment and items is None:  # "Impression: Community-acquired pneumonia." on its own
            items = [] if len(text[section.start : section.end].split()) > _MAX_PROBLEM_WORDS else [(section.start, section.end)]
        for span in items:
            found = _problem_span(text, span) if assessment else span
            if found is None or not clean(text[found[0] : found[1]]):
                continue
            s, e = found
            conditions.append(
                Condition(
                    provenance=Provenance(file=ctx.file, locator=section.heading, start=s, end=e),
                    encounter_id=ctx.encounter_id,
                    name=clean(text[s:e]),
                    role=role,
                    recorded=ctx.date,
                )
            )
    return conditions


def _not_read(file: str, heading: str, count: int, what: str) -> ImportProblem:
    return ImportProblem(file, f"{heading}: {count} sentence(s) not read as {what}; they stay in the note text for review")


@dataclass
class _Context:
    """What the structure readers need to know about the note being imported."""

    text: str
    file: str
    kind: str
    title: str
    title_span: tuple[int, int] | None
    sections: list[Section]
    encounter_id: str
    date: datetime | None = None


# A discharge note's instructions or plan lists drugs among other orders: only drug-like items count.
_DISCHARGE_PLAN_KEYS = frozenset({"discharge_instructions", "plan"})
_DISCHARGE_KINDS = frozenset({"discharge_summary", "discharge_orders"})
# key -> only drugs said to be taken before admission ("takes regularly")
_PROSE_HISTORY_KEYS = {"past_history": False, "history_of_present_illness": True, "admission_condition": True}
# Said to be taken before admission: a cue earlier in the same sentence ("长期口服二甲双胍0.5g 每日两次、
# 格列美脲2mg 每日一次"), not a drug given in the emergency room or after admission.
_REGULAR_USE = re.compile(
    r"平素|规律|长期|一直|常规|规则|维持|口服|服用|另服|加用|门诊予|自行|\b(?:takes|taking|home|chronically|regularly|on|was started on)\b",
    re.IGNORECASE,
)
_GIVEN_HERE = re.compile(r"急诊|入院后|我院|住院期间|静脉|静滴|\b(?:in the ED|given|emergency|IV)\b", re.IGNORECASE)


@dataclass
class _MedicationBody:
    start: int
    end: int
    heading: str
    role: str
    status: str = ""
    drugs_only: str = ""  # "" every item; else the rule of _drug_like


def _medication_bodies(ctx: _Context) -> list[_MedicationBody]:
    bodies: list[_MedicationBody] = []
    discharge_doc = ctx.kind in _DISCHARGE_KINDS
    listed = any(s.key == "discharge_medications" for s in ctx.sections)  # then instructions add no drugs
    for section in ctx.sections:
        heading_status = status_cue(section.heading)
        if section.key == "discharge_medications":
            bodies.append(_MedicationBody(section.start, section.end, section.heading, "discharge", heading_status))
        elif section.key == "stopped_medications":
            bodies.append(_MedicationBody(section.start, section.end, section.heading, "", "stopped"))
        elif section.key == "medications" and ctx.kind == "discharge_orders":  # discharge instructions list what to take
            bodies.append(_MedicationBody(section.start, section.end, section.heading, "discharge", heading_status))
        elif section.key == "medications" and ctx.kind != "medication_list":
            bodies.append(_MedicationBody(section.start, section.end, section.heading, "home", drugs_only="named"))
        elif (
            section.key in _DISCHARGE_PLAN_KEYS
            and not listed
            and (discharge_doc or re.search(r"出院|discharge", section.heading, re.I))
        ):
            bodies.append(_MedicationBody(section.start, section.end, section.heading, "discharge", drugs_only="dosed"))
    if ctx.kind == "medication_list" and not any(b.role == "discharge" for b in bodies):
        role = "discharge" if re.search(r"出院|discharge", f"{ctx.title} {Path(ctx.file).name}", re.IGNORECASE) else ""
        listed = [_MedicationBody(s.start, s.end, s.heading, role) for s in ctx.sections if s.key == "medications"]
        if not listed:  # the list is the note's text, up to its first other section (follow-up, instructions)
            start = ctx.title_span[1] if ctx.title_span else 0
            end = min((ctx.text.rfind("\n", 0, x.start) + 1 for x in ctx.sections if x.start > start), default=len(ctx.text))
            listed = [_MedicationBody(start, max(start, end), "", role, drugs_only="named_or_dosed")]
        bodies += listed
    return bodies


def _sentence_begin(text: str, start: int, position: int) -> int:
    breaks = [m.end() for m in re.finditer(r"[。;；!?！？\n]|\.\s", text[start:position])]
    return start + (breaks[-1] if breaks else 0)


def _sentence_start(text: str, start: int, position: int) -> str:
    """The beginning of the sentence holding ``position``, up to it."""
    breaks = [m.end() for m in re.finditer(r"[.。;；!?！？\n]\s*", text[start:position])]
    return text[start + (breaks[-1] if breaks else 0) : position]


def _drug_like(item: str, rule: str) -> bool:
    """Whether a list item is a drug: "named" a known drug name, "dosed" a known drug with a
    dose, route or frequency ("阿莫西林 0.5g 口服 tid", not "注意休息" or "2周后复诊"),
    "named_or_dosed" a known drug or any name with a dose."""
    name, dose, route, frequency = parse_medication(ACTION_WORD.sub("", item.strip()))
    known = bool(find_drugs(name))
    if rule == "named":
        return known
    if rule == "dosed":
        return known and bool(dose or route or frequency)
    return known or bool(dose)


def _medications(ctx: _Context, problems: list[ImportProblem]) -> list[Medication]:
    """Discharge, stopped and home medication lists (and drug orders among a discharge note's
    instructions), each item with its status where the item or its heading gives one;
    drugs said to be taken regularly in the history's prose are home medications."""
    medications = []
    for body in _medication_bodies(ctx):
        spans, skipped = medication_spans(ctx.text, body.start, body.end)
        for span in spans:
            item = ctx.text[span[0] : span[1]]
            if body.drugs_only and not _drug_like(item, body.drugs_only):
                continue
            medication = _medication(ctx, span, body.heading, body.role)
            # "Stop lisinopril, spironolactone and metformin.": the verb holds for the whole sentence
            medication.status = status_cue(item) or status_cue(_sentence_start(ctx.text, body.start, span[0])) or body.status
            if medication.status in {"stopped", "changed"} and not medication.reason:
                medication.reason = reason_in(item)  # under a "STOPPED" heading: "Naproxen 500 mg - kidney injury"
            if medication.status == "stopped":  # a status, never a discharge drug
                medication.role = "" if body.role == "discharge" else body.role
            medications.append(medication)
        if skipped and not body.drugs_only:
            problems.append(_not_read(ctx.file, body.heading or ctx.title, skipped, "medications"))
    for section in ctx.sections:
        regular_only = _PROSE_HISTORY_KEYS.get(section.key)
        if regular_only is not None:
            for span in _dosed_drug_spans(ctx.text, section.start, section.end, regular_only):
                medications.append(_medication(ctx, span, section.heading, "home"))
    return medications


def _dosed_drug_spans(text: str, start: int, end: int, regular_only: bool) -> list[tuple[int, int]]:
    """Drug mentions with a dose right after them inside prose ("长期口服二甲双胍0.5g 每日两次");
    ``regular_only``: only those said to be taken regularly ("平素吸入...", "takes ...")."""
    spans = []
    for drug in find_drugs(text[start:end]):
        s = start + drug.start
        if regular_only:
            clause = text[max(start, _sentence_begin(text, start, s)) : s]
            if not _REGULAR_USE.search(clause) or _GIVEN_HERE.search(clause):
                continue
        stop = re.search(r"[”\"」，。；,;\n]|(?<=[a-z])\.\s", text[s:end])
        e = s + (stop.start() if stop else end - s)
        if re.search(r"\d", text[s:e]):
            spans.append((s, e))
    return spans


def _medication(ctx: _Context, span: tuple[int, int], locator: str, role: str) -> Medication:
    item = ctx.text[span[0] : span[1]]
    action = ACTION_WORD.match(item)
    start = span[0] + (action.end() if action else 0)
    name, dose, route, frequency = parse_medication(ctx.text[start : span[1]])
    return Medication(
        provenance=Provenance(file=ctx.file, locator=locator, start=span[0], end=span[1]),
        encounter_id=ctx.encounter_id if role in {"discharge", "inpatient"} else "",
        name=name,
        dose=dose,
        route=route,
        frequency=frequency,
        role=role,
        reason=reason_in(item) if status_cue(item) in {"stopped", "changed"} else "",
    )


_SEXES = {"男": "male", "女": "female", "m": "male", "f": "female", "male": "male", "female": "female"}
HEADER_CHARS = 1500  # demographics sit in a note's header; later "Name:" lines are something else


# "ROMERO, LUIS (M)   67 yo   MRN: 7730215": an EHR banner leads with the name, unlabelled
_BANNER_NAME = re.compile(
    r"^[ \t]*(?P<v>[A-Z][A-Za-z'’-]+,[ \t]*[A-Z][A-Za-z'’.-]+(?:[ \t][A-Z][A-Za-z'’.-]*){0,2})(?:[ \t]*\((?P<sex>[MF])\))?(?=[ \t]{2,}|\t|[ \t]*\||$)"
)


_NAME_END = re.compile(r"[,;]\s*(?=\d)|\.\s+(?=[A-Z]{2,}|\d)|\s+\d+\s*(?i:y/?o|yo|years?|岁)\b")  # "M. Hartwell" stays whole


_SEX_IN_PROSE = re.compile(
    r"\b\d{1,3}[ -]?(?:y/?o|yo|years?[ -]old|year-old|-year-old)[ ,]+(?:[a-z]+ )?(male|female|man|woman|boy|girl|gentleman|lady)\b"
    r"|\b\d{1,3} ?(M|F)\b(?= with| who| presents| presenting| admitted|,)"
    r"|(?:患者|患儿)[，,]?\s*(男|女)(?:性)?[，,]|[，,]\s*(男|女)[，,]\s*\d{1,3}\s*岁",
    re.IGNORECASE,
)
_SEX_WORDS = {"man": "male", "boy": "male", "gentleman": "male", "woman": "female", "girl": "female", "lady": "female"}


def _banner_name(text: str, found: dict) -> Field | None:
    first = next((m for m in re.finditer(r"[^\n]+", text[:HEADER_CHARS]) if m.group().strip()), None)
    if first is None or not any(f.start < first.end() for f in found.values()):
        return None  # only a line that also holds labelled fields is a banner
    match = _BANNER_NAME.match(first.group())
    if match is None:
        return None
    if match["sex"] and "sex" not in found:
        found["sex"] = Field("sex", "", match["sex"], first.start() + match.start("sex"), first.start() + match.end("sex"))
    return Field("name", "", match["v"], first.start() + match.start("v"), first.start() + match.end("v"))


def patient_from_text(text: str, file: str) -> Patient:
    """Demographics from a note's header lines, several fields to a line
    (姓名：王某某　性别：男, Patient: Jane Doe    DOB: 03/02/1952 | MRN: 123)."""
    found = header_fields(text, HEADER_CHARS)
    patient = Patient()
    name = found.get("name") or _banner_name(text, found)
    if name is not None and not find_date(name.value):
        cut = _NAME_END.search(name.value)  # "Walter Kaminski, 71 y/o male. MRN 6630028."
        end = name.start + (cut.start() if cut else len(name.value))
        patient.name = text[name.start : end].strip(" .,;")
        patient.provenance = Provenance(file=file, locator="patient", start=name.start, end=end)
    if "sex" in found:
        patient.sex = _SEXES.get(found["sex"].value.strip().lower().rstrip("性"), "")
    if not patient.sex:  # "71 y/o male", "74F with HTN", "患者男性，58岁", "，女，72岁，"
        said = _SEX_IN_PROSE.search(text[:HEADER_CHARS])
        if said:
            word = next(g for g in said.groups() if g)
            patient.sex = _SEXES.get(word.lower(), _SEX_WORDS.get(word.lower(), ""))
    if "birth_date" in found:
        born = parse_datetime(found["birth_date"].value)
        patient.birth_date = born.date() if born else None
    if "identifier" in found:
        patient.identifiers = [f"{found['identifier'].label}|{found['identifier'].value}"]
    return patient


def document_from_text(path: Path, text: str, *, title: str = "") -> Record:
    """Build a Record from a file's decoded text: one Document per note in it (a file of
    several dated notes gives several, each located as "note N: <heading>"), with its
    light structure. ``title`` overrides the title found in the text (a .docx property).
    """
    text = text.replace("\r\n", "\n")
    file = str(path)
    parts = note_parts(text)
    if len(parts) == 1:
        record = _note_record(path, text, title)
    else:
        record = Record()
        for number, (start, end) in enumerate(parts, start=1):
            record.merge(_note_record(path, text[start:end], "", part=number))
        record.sources = [file]
    record.patient = patient_from_text(text, file)
    return record


def _note_record(path: Path, text: str, title: str, part: int = 0) -> Record:
    """One note: its Document, stay dates, diagnoses, medications and allergies. A ``part``
    of a file is named by its own heading first (the file name is the whole file's)."""
    file = str(path)
    found_title = _title_line(text)
    if part:
        first_line = text.strip().split("\n", 1)[0].strip()
        title = found_title[0] if found_title else first_line[:80]
        kind = kind_of(title) or kind_of(path.stem) or "note"
    else:
        title = title or (found_title[0] if found_title else path.stem)
        kind = document_kind(path, title)
    sections = find_sections(text)
    problems: list[ImportProblem] = []
    encounter = stay_encounter(text, file, kind, problems)
    encounter_id = encounter.id if encounter else ""
    document = Document(
        provenance=Provenance(file=file, start=0, end=len(text)),
        encounter_id=encounter_id,
        title=title,
        kind=kind,
        date=document_date(text, found_title) or _first_line_date(text, part),
        author=document_author(text),
        text=text,
        sections=sections,
    )
    title_span = (found_title[1], found_title[2]) if found_title else None
    ctx = _Context(text, file, kind, title, title_span, sections, encounter_id, document.date)
    record = Record(encounters=[encounter] if encounter else [], documents=[document], sources=[file])
    record.conditions = _conditions(ctx)
    record.medications = _medications(ctx, problems)
    record.observations = _table_labs(ctx, problems)
    for section in sections:
        if section.key == "allergies":
            allergies, skipped = _allergies(text, section, file)
            record.allergies.extend(allergies)
            if skipped:
                problems.append(_not_read(file, section.heading, skipped, "allergies"))
    record.problems = problems
    if part:
        _locate_in_part(record, f"note {part}: {title}")
    logger.debug(
        "%s: kind=%s sections=%d conditions=%d medications=%d allergies=%d",
        path.name,
        kind,
        len(sections),
        len(record.conditions),
        len(record.medications),
        len(record.allergies),
    )
    return record


_TABLE_ROW = re.compile(r"^[^\n|]*\|[^\n]*$", re.MULTILINE)


def _table_labs(ctx: _Context, problems: list[ImportProblem]) -> list[Observation]:
    """Lab tables inside a note (a .docx table, a pasted "项目 | 结果 | 单位 | 参考范围" block):
    a header naming a test and a result column, then its rows, each an Observation."""
    observations: list[Observation] = []
    header: list[str] | None = None
    rows: list[tuple[int, int, list[str]]] = []
    last_end = -2

    def flush() -> None:
        if header is not None and rows:
            observations.extend(table_observations(ctx.file, header, rows, problems))

    for match in _TABLE_ROW.finditer(ctx.text):
        cells = [cell.strip() for cell in match.group().split("|")]
        if match.start() != last_end + 1:  # a new table
            flush()
            header, rows = None, []
        last_end = match.end()
        if header is None:
            header = cells if is_lab_header(cells) else None
            continue
        rows.append((match.start(), match.end(), cells))
    flush()
    aligned = aligned_lab_rows(ctx.text)
    if aligned:
        observations.extend(table_observations(ctx.file, ALIGNED_HEADER, aligned, problems))
    for observation in observations:
        observation.encounter_id = ctx.encounter_id
    return observations


def _first_line_date(text: str, part: int) -> datetime | None:
    """A dated note's date: on its heading line ("Admission Note -- 02/23/2026 23:10"), or for
    one note of a multi-note file, on the line under its heading."""
    lines = text.lstrip().split("\n", 2)
    if dated_heading(lines[0], 0, len(lines[0])):
        return find_date(lines[0]).value  # type: ignore[union-attr]
    found = find_date("\n".join(lines[:2])) if part else None
    return found.value if found else None


def _locate_in_part(record: Record, locator: str) -> None:
    """Items of one note of a multi-note file: their locator starts with the note's, and
    their offsets index into that note's text (as the GUI and the checks expect)."""
    for kind in ("conditions", "medications", "allergies", "observations"):
        for item in getattr(record, kind):
            item.provenance = replace(item.provenance, locator=f"{locator} / {item.provenance.locator}".rstrip(" /"))
    for document in record.documents:
        document.provenance = replace(document.provenance, locator=locator)
    for encounter in record.encounters:
        if encounter.provenance is not None:
            encounter.provenance = replace(
                encounter.provenance, locator=f"{locator} / {encounter.provenance.locator}".rstrip(" /")
            )


# ---------------------------------------------------------------------------
# the three formats


def load_text(path: Path, data: bytes) -> Record:
    """A .txt/.md note in whatever encoding it was saved in."""
    check_size(path, len(data), "text_mb", "the text of a note")
    text, encoding = decode_text(data, str(path))
    check_text(path, text, "the text of a note")
    logger.debug("%s: decoded as %s", path.name, encoding)
    return document_from_text(path, text)


# A Word file with macros (.docm) is read like any other: for its text only; nothing in it runs.
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_WORD_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def _open_word(path: Path) -> object:
    """python-docx's Document of a .docx or a .docm (python-docx itself refuses the latter)."""
    from docx.opc.part import PartFactory
    from docx.package import Package
    from docx.parts.document import DocumentPart

    PartFactory.part_type_for.setdefault(_WORD_MACRO_MAIN, DocumentPart)
    part = Package.open(str(path)).main_document_part
    if part.content_type not in (_WORD_MAIN, _WORD_MACRO_MAIN) or not isinstance(part, DocumentPart):
        raise ValueError(f"the main part is {part.content_type!r}, not a Word document")
    return part.document


def load_docx(path: Path) -> Record:
    """A Word note: paragraphs and tables in body order, table rows as "a | b | c". The archive
    is checked against the docx_* limits before python-docx reads it."""
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    caps = limits()
    notes = check_docx(path, caps)
    try:
        word = _open_word(path)
        text = "\n".join(docx_blocks(word))
    except LxmlError as exc:
        why = "its XML nests too deeply" if "depth" in str(exc).lower() else f"its XML is damaged ({exc})"
        raise RecordError(f"{path}: not a readable Word .docx file: {why}") from None
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise RecordError(f"{path}: not a readable Word .docx file (old .doc files must be saved as .docx): {exc}") from None
    check_text(path, text, "the text of the Word file", caps)
    title = (word.core_properties.title or "").strip()  # type: ignore[attr-defined]
    record = document_from_text(path, text, title=title if title and is_title(title) else "")
    record.problems.extend(notes)
    return record


def docx_text(path: Path) -> str:
    """A Word file's paragraphs and tables as text, in body order (a draft read back whole)."""
    from docx import Document as open_docx

    return "\n".join(docx_blocks(open_docx(str(path))))


def docx_blocks(word: object) -> list[str]:
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[str] = []
    body = word.element.body  # type: ignore[attr-defined]
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            blocks.append(Paragraph(child, word).text)  # type: ignore[arg-type]
        elif child.tag == qn("w:tbl"):
            blocks.extend(_table_rows(Table(child, word)))  # type: ignore[arg-type]
    return blocks


def _table_rows(table: object) -> list[str]:
    """A table as text: "a | b | c" per row; a form of labels and values (its first column
    mostly headings or field labels: "出院诊断 | 1. …\n2. …") as "label：" lines, each
    followed by its value's own lines, so the value is read as that section's body."""
    grid: list[list[str]] = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # a merged cell repeats; keep it once
                continue
            previous = cell._tc
            cells.append(cell.text.strip())
        grid.append(cells)
    if _is_form(grid):
        lines = []
        for cells in grid:
            label, value = cells[0], cells[1] if len(cells) > 1 else ""
            colon = "：" if re.search(r"[\u4e00-\u9fff]", label) else ":"
            lines.append(f"{label.rstrip(':：')}{colon}" + ("\n" + value if "\n" in value else f" {value}"))
        return lines
    return [" | ".join(re.sub(r"\s*\n\s*", " ", cell) for cell in cells) for cells in grid]


def _is_form(grid: list[list[str]]) -> bool:
    two = [cells for cells in grid if len(cells) == 2]
    if len(two) < len(grid) or not grid:
        return False
    known = sum(bool(heading_key(cells[0]) or label_key(cells[0])) for cells in grid)
    return known * 2 >= len(grid)


def load_pdf(path: Path) -> Record:
    """A PDF with a text layer; scanned PDFs are refused with a clear message (no OCR). The
    pages, each page's drawing instructions and the text are capped (pdf_pages, pdf_page_mb,
    text_mb)."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    caps = limits()
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # its warnings on damaged files are not the user's business; the refusal is
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):  # an empty user password opens many "protected" PDFs
            raise RecordError(f"{path}: PDF is password-protected; remove the password and import it again")
        count = len(reader.pages)
        if count > caps.count("pdf_pages"):
            raise too_many(path, f"{count} pages in the PDF", "pdf_pages", caps)
        pages: list[str] = []
        size = 0
        for number, page in enumerate(reader.pages, start=1):
            contents = page.get_contents()
            drawn = len(contents.get_data()) if contents is not None else 0
            if drawn > caps.bytes("pdf_page_mb"):
                raise too_big(path, drawn, "pdf_page_mb", f"page {number} of the PDF unpacked", caps)
            pages.append(page.extract_text() or "")
            size += len(pages[-1].encode())
            if size > caps.bytes("text_mb"):
                raise too_big(path, size, "text_mb", f"the text of the PDF (by page {number})", caps)
    except (FileNotDecryptedError, DependencyError, NotImplementedError) as exc:
        raise RecordError(f"{path}: PDF is encrypted and cannot be opened ({exc})") from None
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        # pypdf meets damaged files in many ways; each is a file we cannot read, said once
        raise RecordError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc})") from None
    finally:
        pypdf_log.setLevel(level)
    if not any(page.strip() for page in pages):
        raise RecordError(f"{path}: PDF has no text layer (scanned?); OCR is not supported")
    text = "\n\n".join(page.replace("\r\n", "\n") for page in pages)
    check_text(path, text, "the text of the PDF", caps)
    record = document_from_text(path, text)
    empty = [str(number) for number, page in enumerate(pages, start=1) if not page.strip()]
    if empty:
        record.problems.append(
            ImportProblem(str(path), f"page(s) {', '.join(empty)} have no text layer (scanned?); their content is missing")
        )
    return record
