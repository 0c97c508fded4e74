"""C-CDA (HL7 CDA R2 / C-CDA R1.1-R2.1) importer: one ClinicalDocument file -> Record.

Structured entries become Conditions, Medications, Observations, Procedures,
Allergies and Encounters; every section's human-readable narrative becomes the
text of ONE Document per file, with a Section span per section so that facts
and the grounding verifier can cite character ranges. Anything that cannot be
mapped is reported as an ImportProblem instead of being dropped.

XML is parsed with defusedxml (entity declarations and external references are
refused), because record files come from outside and are untrusted.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from emrwriter.records.limits import check_text
from emrwriter.records.model import (
    Allergy,
    Condition,
    Document,
    Encounter,
    ImportProblem,
    Medication,
    Observation,
    Patient,
    Procedure,
    Provenance,
    Record,
    RecordError,
    Section,
)

logger = logging.getLogger(__name__)

V3 = "urn:hl7-org:v3"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
ROOT_LOCATOR = "/ClinicalDocument"

DOCUMENT_KINDS = {
    "18842-5": "discharge_summary",
    "34117-2": "admission_note",
    "11506-3": "progress_note",
    "11504-8": "operative_note",
    "34133-9": "summary",
}
DISCHARGE_SUMMARY_LOINC = "18842-5"

# Section LOINC code -> normalised key. Codes first; templateId is the fallback
# because some documents use placeholder codes (e.g. "C-CDAV2-DDN").
SECTION_KEYS_BY_LOINC = {
    "11450-4": "problems",
    "46241-6": "admission_diagnosis",
    "42347-5": "admission_diagnosis",
    "11535-2": "discharge_diagnosis",
    "78375-3": "discharge_diagnosis",
    "10160-0": "medications",
    "10183-2": "discharge_medications",
    "75311-1": "discharge_medications",
    "42346-7": "medications",  # admission (home) list; stay-scoped, see STAY_SCOPED_CODES
    "29549-3": "medications_administered",
    "30954-2": "results",
    "11493-4": "results",
    "8716-3": "vital_signs",
    "47519-4": "procedures",
    "48765-2": "allergies",
    "8648-8": "hospital_course",
    "8653-8": "discharge_instructions",
    "69730-0": "discharge_instructions",
    "18776-5": "plan_of_care",
    "10164-2": "history_of_present_illness",
    "10154-3": "chief_complaint",
    "29299-5": "chief_complaint",
    "46239-0": "chief_complaint",
    "10184-0": "discharge_condition",
    "29545-1": "physical_exam",
    "46240-8": "encounters",
    "47420-5": "functional_status",
    "10190-7": "mental_status",
    "11348-0": "past_history",
    "10157-6": "family_history",
    "29762-2": "social_history",
    "11369-6": "immunizations",
    "42348-3": "advance_directives",
    "46264-8": "medical_equipment",
    "48768-6": "payers",
    "51848-0": "assessment",
    "51847-2": "assessment_and_plan",
    "42349-1": "reason_for_referral",
    "10187-3": "review_of_systems",
    "18841-7": "consultations",
    "42344-2": "discharge_instructions",
    "61144-2": "nutrition",
    "10210-3": "general_status",
    "61149-1": "objective",
    "61150-9": "subjective",
    "55109-3": "complications",
    "10219-4": "preoperative_diagnosis",
    "10218-6": "postoperative_diagnosis",
    "59769-0": "postprocedure_diagnosis",
    "29554-3": "procedure_description",
    "59768-2": "procedure_indications",
}
SECTION_KEYS_BY_TEMPLATE = {
    "2.16.840.1.113883.10.20.22.2.5": "problems",
    "2.16.840.1.113883.10.20.22.2.5.1": "problems",
    "2.16.840.1.113883.10.20.22.2.43": "admission_diagnosis",
    "2.16.840.1.113883.10.20.22.2.24": "discharge_diagnosis",
    "2.16.840.1.113883.10.20.22.2.1": "medications",
    "2.16.840.1.113883.10.20.22.2.1.1": "medications",
    "2.16.840.1.113883.10.20.22.2.11": "discharge_medications",
    "2.16.840.1.113883.10.20.22.2.11.1": "discharge_medications",
    "2.16.840.1.113883.10.20.22.2.44": "medications",
    "2.16.840.1.113883.10.20.22.2.38": "medications_administered",
    "2.16.840.1.113883.10.20.22.2.3": "results",
    "2.16.840.1.113883.10.20.22.2.3.1": "results",
    "2.16.840.1.113883.10.20.22.2.16": "results",
    "2.16.840.1.113883.10.20.22.2.4": "vital_signs",
    "2.16.840.1.113883.10.20.22.2.4.1": "vital_signs",
    "2.16.840.1.113883.10.20.22.2.7": "procedures",
    "2.16.840.1.113883.10.20.22.2.7.1": "procedures",
    "2.16.840.1.113883.10.20.22.2.6": "allergies",
    "2.16.840.1.113883.10.20.22.2.6.1": "allergies",
    "1.3.6.1.4.1.19376.1.5.3.1.3.5": "hospital_course",
    "2.16.840.1.113883.10.20.22.2.64": "hospital_course",
    "2.16.840.1.113883.10.20.22.2.41": "discharge_instructions",
    "2.16.840.1.113883.10.20.22.2.45": "discharge_instructions",
    "2.16.840.1.113883.10.20.22.2.10": "plan_of_care",
    "1.3.6.1.4.1.19376.1.5.3.1.3.4": "history_of_present_illness",
    "1.3.6.1.4.1.19376.1.5.3.1.1.13.2.1": "chief_complaint",
    "2.16.840.1.113883.10.20.22.2.12": "chief_complaint",
    "2.16.840.1.113883.10.20.22.2.13": "chief_complaint",
    "1.3.6.1.4.1.19376.1.5.3.1.3.26": "discharge_condition",
    "2.16.840.1.113883.10.20.22.2.20": "past_history",
    "2.16.840.1.113883.10.20.22.2.22": "encounters",
    "2.16.840.1.113883.10.20.22.2.22.1": "encounters",
    "2.16.840.1.113883.10.20.22.2.14": "functional_status",
    "2.16.840.1.113883.10.20.22.2.17": "social_history",
    "2.16.840.1.113883.10.20.22.2.2": "immunizations",
    "2.16.840.1.113883.10.20.22.2.2.1": "immunizations",
}

CONDITION_ROLES = {"problems": "", "admission_diagnosis": "admission", "discharge_diagnosis": "discharge"}
MEDICATION_ROLES = {"medications": "", "discharge_medications": "discharge", "medications_administered": ""}
OBSERVATION_CATEGORIES = {"results": "lab", "vital_signs": "vital"}
# Sections that by definition describe the stay the document is about: their
# items belong to the encompassing encounter even when the entry has no link.
STAY_SCOPED_KEYS = {"admission_diagnosis", "discharge_diagnosis", "discharge_medications", "medications_administered"}
STAY_SCOPED_CODES = {"42346-7"}  # medications on admission
STAY_SCOPED_TEMPLATES = {"2.16.840.1.113883.10.20.22.2.44"}
CLINICAL_STATEMENTS = {"act", "observation", "substanceAdministration", "supply", "procedure", "encounter", "organizer"}
NO_KNOWN_ALLERGY_CODES = {"716186003", "409137002", "428607008", "429625007"}
PROBLEM_STATUS_CODE = "33999-4"
SEVERITY_CODE = "SEV"
# Supporting observations (status, severity, age, health status, reaction) that
# some producers put directly under a concern act; they are not problems/allergies.
SUPPORT_OBSERVATION_CODES = {PROBLEM_STATUS_CODE, SEVERITY_CODE, "445518008", "11323-3"}
SUPPORT_OBSERVATION_TEMPLATES = {
    "2.16.840.1.113883.10.20.22.4.5",
    "2.16.840.1.113883.10.20.22.4.6",
    "2.16.840.1.113883.10.20.22.4.8",
    "2.16.840.1.113883.10.20.22.4.9",
    "2.16.840.1.113883.10.20.22.4.28",
    "2.16.840.1.113883.10.20.22.4.31",
}
MIN_PLAUSIBLE_YEAR = 1800  # "00010101000000" style placeholders mean "unknown"

BLOCK_ELEMENTS = {"paragraph", "list", "table", "thead", "tbody", "tfoot", "caption", "text"}
SKIPPED_NARRATIVE = {"renderMultiMedia", "col", "colgroup"}
MAX_LISTED_DATES = 10  # unreadable dates listed one by one; more are counted
TS_PATTERN = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?(?:[+-]\d{2,4}|Z)?$")
SYNTHEA_DIGITS = re.compile(r"^(\D+?)\d+$")
WHITESPACE = re.compile(r"\s+")


def load(path: Path, data: bytes) -> Record:
    """Import one C-CDA file. Raises RecordError (naming the file) when it is not usable at all."""
    root = _parse_xml(path, data)
    _check_root(path, root)
    try:
        return _map_document(path, root)
    except RecursionError:  # narrative/sections are walked recursively; hostile nesting must not crash
        raise RecordError(f"{path}: XML is nested too deeply to import") from None


def _map_document(path: Path, root: Element) -> Record:
    """The mapping proper, on a parsed and checked ClinicalDocument."""
    ctx = _Context(file=str(path))
    record = Record(sources=[str(path)])
    record.patient = _patient(ctx, root)
    doc_code = _attr(_child(root, "code"), "code")
    main = _encompassing_encounter(ctx, root, doc_code)
    if main is not None:
        record.encounters.append(main)
    sections = _collect_sections(root)
    document = _document(ctx, root, doc_code, sections, main)
    record.documents.append(document)
    for section in sections:
        _import_entries(ctx, record, section, main)
    _check_encounter_links(ctx, record)
    record.problems.extend(ctx.summary_problems())
    logger.info(
        "C-CDA import: %d sections, %s, %d problems",
        len(sections),
        record.counts(),
        len(record.problems),
    )
    return record


# --------------------------------------------------------------------------- parsing


def _parse_xml(path: Path, data: bytes) -> Element:
    """Parse with defusedxml so entity bombs and external entities never expand."""
    try:
        return safe_et.fromstring(data)
    except EntitiesForbidden as exc:
        raise RecordError(f"{path}: XML declares entities, refused (possible entity-expansion attack)") from exc
    except ExternalReferenceForbidden as exc:
        raise RecordError(f"{path}: XML refers to external resources, refused") from exc
    except DTDForbidden as exc:  # only if a stricter parser setting is ever chosen
        raise RecordError(f"{path}: XML declares a DTD, refused") from exc
    except DefusedXmlException as exc:
        raise RecordError(f"{path}: unsafe XML refused ({exc})") from exc
    except ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0]
        hint = ""
        if "unbound prefix" in reason:
            hint = " (a namespace prefix such as 'sdtc:' is used without being declared; not a complete document)"
        raise RecordError(f"{path}: malformed XML at line {line}, column {column}: {reason}{hint}") from exc


def _check_root(path: Path, root: Element) -> None:
    """Refuse anything that is not an HL7 v3 ClinicalDocument (fragments, other XML)."""
    namespace, local = _split_tag(root.tag)
    if local != "ClinicalDocument":
        raise RecordError(f"{path}: not a C-CDA document (root element <{local}>, expected <ClinicalDocument>)")
    if namespace != V3:
        raise RecordError(f"{path}: <ClinicalDocument> is not in the HL7 v3 namespace ({V3}), not a C-CDA document")


@dataclass
class _Context:
    """What every mapping step needs: the file, narrative IDs, and problem tallies."""

    file: str
    ids: dict[str, str] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)
    empty: Counter[str] = field(default_factory=Counter)
    negated: Counter[str] = field(default_factory=Counter)
    bad_dates: list[tuple[str, str]] = field(default_factory=list)  # (value, where)
    where: str = ROOT_LOCATOR  # the element being mapped, for messages about its values
    dangling: Counter[str] = field(default_factory=Counter)
    document_text: str = ""

    def problem(self, message: str, severity: str = "warning") -> None:
        self.problems.append(ImportProblem(file=self.file, message=message, severity=severity))

    def summary_problems(self) -> list[ImportProblem]:
        """Collapse per-entry tallies into one line each, so a long CCD stays readable."""
        out = list(self.problems)
        if self.empty:
            out.append(self._line("skipped entries without content (nullFlavor or empty)", self.empty))
        if self.negated:
            out.append(self._line("entries stating absence (negationInd / 'no known ...') not imported", self.negated))
        for value, where in self.bad_dates[:MAX_LISTED_DATES]:
            out.append(ImportProblem(self.file, f"{where}: {value!r} is not an HL7 date; left empty"))
        if len(self.bad_dates) > MAX_LISTED_DATES:
            more = len(self.bad_dates) - MAX_LISTED_DATES
            out.append(
                ImportProblem(self.file, f"{more} more unreadable dates left empty (the first {MAX_LISTED_DATES} are listed)")
            )
        if self.dangling:
            ids = ", ".join(f"{k} ({v})" for k, v in sorted(self.dangling.items()))
            out.append(
                ImportProblem(
                    self.file,
                    f"entries link to encounters not present in the document, left unlinked: {ids}",
                )
            )
        return out

    def _line(self, what: str, tally: Counter[str]) -> ImportProblem:
        parts = ", ".join(f"{title} {n}" for title, n in tally.items())
        return ImportProblem(self.file, f"{what}: {sum(tally.values())} ({parts})")

    def prov(self, locator: str, ref_text: str = "", section: _SectionInfo | None = None) -> Provenance:
        """Provenance with a character span when the entry's narrative text is found once in its section."""
        start = end = None
        if ref_text and section is not None:
            body = self.document_text[section.start : section.end]
            if body.count(ref_text) == 1:
                start = section.start + body.index(ref_text)
                end = start + len(ref_text)
        return Provenance(file=self.file, locator=locator, start=start, end=end)


@dataclass
class _SectionInfo:
    element: Element
    locator: str
    key: str
    title: str
    code: str
    start: int = 0
    end: int = 0


# --------------------------------------------------------------------------- small XML helpers


def _split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _local(el: Element) -> str:
    return _split_tag(el.tag)[1] if isinstance(el.tag, str) else ""


def _q(name: str) -> str:
    return f"{{{V3}}}{name}"


def _child(el: Element | None, *names: str) -> Element | None:
    """Follow a path of direct HL7 v3 children; None as soon as one step is missing."""
    for name in names:
        if el is None:
            return None
        el = el.find(_q(name))
    return el


def _children(el: Element | None, name: str) -> list[Element]:
    return [] if el is None else el.findall(_q(name))


def _attr(el: Element | None, name: str) -> str:
    return "" if el is None else (el.get(name) or "").strip()


def _clean(text: str | None) -> str:
    return WHITESPACE.sub(" ", text or "").strip()


def _xsi_type(el: Element) -> str:
    return (el.get(XSI_TYPE) or "").split(":")[-1].upper()


def _instance_id(el: Element | None) -> str:
    """An II as "root|extension" (or root alone); empty for nullFlavor ids."""
    if el is None or el.get("nullFlavor"):
        return ""
    root, ext = _attr(el, "root"), _attr(el, "extension")
    if root and ext:
        return f"{root}|{ext}"
    return root or ext


# --------------------------------------------------------------------------- dates


def _parse_ts(ctx: _Context, value: str, element: str = "") -> datetime | None:
    """HL7 TS -> naive datetime in the document's wall-clock time (the offset is dropped).
    A value that is no date is noted with where it is (``ctx.where`` and the ``element``)."""
    value = value.strip()
    if not value:
        return None
    where = f"{ctx.where}/{element}" if element else ctx.where
    match = TS_PATTERN.match(value)
    if match is None:
        ctx.bad_dates.append((value, where))
        return None
    year, month, day, hour, minute, second = (int(g) if g else None for g in match.groups())
    try:
        when = datetime(year or 1, month or 1, day or 1, hour or 0, minute or 0, second or 0)
    except ValueError:
        ctx.bad_dates.append((value, where))
        return None
    if when.year < MIN_PLAUSIBLE_YEAR:
        ctx.bad_dates.append((value, where))
        return None
    return when


def _ts(ctx: _Context, el: Element | None, inside: str = "") -> datetime | None:
    """A TS element's value; ``inside`` names its parent element for messages (effectiveTime)."""
    if el is None or el.get("nullFlavor"):
        return None
    return _parse_ts(ctx, _attr(el, "value"), f"{inside}/{_local(el)}" if inside else _local(el))


def _interval(ctx: _Context, el: Element | None) -> tuple[datetime | None, datetime | None]:
    """An IVL_TS (low/high) or a single TS value as (start, end)."""
    if el is None:
        return None, None
    if el.get("value"):
        return _ts(ctx, el), None
    name = _local(el)
    low, high = _ts(ctx, _child(el, "low"), name), _ts(ctx, _child(el, "high"), name)
    if low is None and high is None:
        center = _ts(ctx, _child(el, "center"), name)
        return center, None
    return low, high


def _first_interval(ctx: _Context, el: Element) -> tuple[datetime | None, datetime | None]:
    """The first non-periodic effectiveTime (medications carry PIVL_TS frequencies alongside)."""
    for et in _children(el, "effectiveTime"):
        if _xsi_type(et) in ("", "IVL_TS", "TS"):
            return _interval(ctx, et)
    return None, None


# --------------------------------------------------------------------------- narrative


def _render(el: Element) -> str:
    """Flatten CDA narrative markup to plain lines; table rows become "cell | cell"."""
    parts: list[str] = []
    _emit(el, parts)
    return _finish(parts)


def _emit(el: Element, parts: list[str]) -> None:
    name = _local(el)
    if name in SKIPPED_NARRATIVE:
        return
    if name == "br":
        parts.append("\n")
        return
    if name == "tr":
        cells = [_render(c).replace("\n", "; ") for c in el if _local(c) in ("td", "th")]
        if any(cells):  # vendor tables pad with all-empty spacer rows
            parts.append("\n" + " | ".join(cells) + "\n")
        return
    if name == "list":
        _emit_list(el, parts)
        return
    block = name in BLOCK_ELEMENTS
    if block:
        parts.append("\n")
    if el.text:
        parts.append(WHITESPACE.sub(" ", el.text))
    for child in el:
        _emit(child, parts)
        if child.tail:
            parts.append(WHITESPACE.sub(" ", child.tail))
    if block:
        parts.append("\n")


def _emit_list(el: Element, parts: list[str]) -> None:
    """List items on their own lines, numbered when the list is ordered."""
    ordered = el.get("listType") == "ordered"
    parts.append("\n")
    number = 0
    for child in el:
        if _local(child) == "caption":
            _emit(child, parts)
        elif _local(child) == "item":
            number += 1
            item = _render(child).replace("\n", " ")
            parts.append(f"\n{number}. {item}\n" if ordered else f"\n- {item}\n")
    parts.append("\n")


def _finish(parts: list[str]) -> str:
    lines = (WHITESPACE.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _collect_ids(text_el: Element, ids: dict[str, str]) -> None:
    """Narrative elements carrying ID (or lower-case id) -> their rendered text, for references."""
    for el in text_el.iter():
        ident = el.get("ID") or el.get("id")
        if ident and ident not in ids:
            ids[ident] = _render(el).replace("\n", " ")


def _ref_text(ctx: _Context, el: Element | None) -> str:
    """Text of an ED-like element: its own text, else the narrative its <reference> points at."""
    if el is None:
        return ""
    own = _clean(el.text)
    if own:
        return own
    target = _attr(_child(el, "reference"), "value").lstrip("#")
    return ctx.ids.get(target, "") if target else ""


def _span_text(ctx: _Context, stmt: Element, code: Element | None) -> str:
    """The narrative an entry points at (its text, else its code's originalText), to locate its span."""
    return _ref_text(ctx, _child(stmt, "text")) or _ref_text(ctx, _child(code, "originalText"))


def _code_text(ctx: _Context, code: Element | None) -> str:
    """Human name of a coded value: displayName, else originalText (resolved), else a translation's name."""
    if code is None:
        return ""
    display = _attr(code, "displayName")
    if display and display.upper() not in ("UNK", "NI", "NA"):
        return _clean(display)
    original = _ref_text(ctx, _child(code, "originalText"))
    if original:
        return original
    for translation in _children(code, "translation"):
        if _attr(translation, "displayName"):
            return _clean(_attr(translation, "displayName"))
    return ""


# --------------------------------------------------------------------------- header


def _person_name(name: Element | None, strip_digits: bool = False) -> str:
    """given + family; Synthea appends digits to names ("Suanne858"), which we drop for patients."""
    if name is None:
        return ""
    words = [_clean(g.text) for g in _children(name, "given")] + [_clean(f.text) for f in _children(name, "family")]
    words = [w for w in words if w]
    if not words and _clean(name.text):
        words = [_clean(name.text)]
    if strip_digits:
        words = [m.group(1) if (m := SYNTHEA_DIGITS.match(w)) else w for w in " ".join(words).split()]
    return " ".join(words)


def _patient(ctx: _Context, root: Element) -> Patient:
    role = _child(root, "recordTarget", "patientRole")
    locator = f"{ROOT_LOCATOR}/recordTarget/patientRole"
    if role is None:
        ctx.problem("no recordTarget/patientRole: the document names no patient", "error")
        return Patient(provenance=Provenance(ctx.file, ROOT_LOCATOR))
    person = _child(role, "patient")
    ctx.where = f"{locator}/patient"
    names = _children(person, "name")
    legal = next((n for n in names if "L" in (n.get("use") or "").split()), names[0] if names else None)
    sex = {"M": "male", "F": "female", "UN": "other"}.get(_attr(_child(person, "administrativeGenderCode"), "code"), "")
    born = _ts(ctx, _child(person, "birthTime"))
    ids = [i for i in (_instance_id(el) for el in _children(role, "id")) if i]
    return Patient(
        name=_person_name(legal, strip_digits=True),
        sex=sex,
        birth_date=born.date() if born else None,
        identifiers=ids,
        provenance=Provenance(ctx.file, locator),
    )


def _author(root: Element) -> str:
    """The first human author; device authors (EHR software, Synthea) are not people."""
    for author in _children(root, "author"):
        name = _person_name(_child(author, "assignedAuthor", "assignedPerson", "name"))
        if name:
            return name
    return ""


def _encompassing_encounter(ctx: _Context, root: Element, doc_code: str) -> Encounter | None:
    """componentOf/encompassingEncounter: the stay a discharge summary is about."""
    enc = _child(root, "componentOf", "encompassingEncounter")
    if enc is None:
        return None
    locator = f"{ROOT_LOCATOR}/componentOf/encompassingEncounter"
    ctx.where = locator
    code = _child(enc, "code")
    kind = _encounter_kind(ctx, code, "")
    if doc_code == DISCHARGE_SUMMARY_LOINC:
        kind = "inpatient"
    start, end = _interval(ctx, _child(enc, "effectiveTime"))
    facility = _child(enc, "location", "healthCareFacility")
    place = _child(facility, "location", "name")
    if place is None:
        place = _child(facility, "serviceProviderOrganization", "name")
    location = _clean(place.text) if place is not None else ""
    return Encounter(
        id=_instance_id(_child(enc, "id")) or f"{ctx.file}#encompassingEncounter",
        kind=kind,
        type_text=_code_text(ctx, code),
        start=start,
        end=end,
        location=location,
        provenance=Provenance(ctx.file, locator),
    )


CPT_SYSTEM = "2.16.840.1.113883.6.12"


def _encounter_kind(ctx: _Context, code: Element | None, text: str) -> str:
    """Encounter class from ActCode / CPT codes, else from words in the type's display text."""
    codes = {_attr(code, "code").upper()} | {_attr(t, "code").upper() for t in _children(code, "translation")}
    words = " ".join([_code_text(ctx, code), text] + [_attr(t, "displayName") for t in _children(code, "translation")])
    words = words.lower()
    cpt = _attr(code, "code") if _attr(code, "codeSystem") == CPT_SYSTEM and _attr(code, "code").isdigit() else ""
    if codes & {"IMP", "ACUTE", "NONAC"} or "inpatient" in words or (cpt and 99221 <= int(cpt) <= 99239):
        return "inpatient"
    if "EMER" in codes or "emergency" in words or (cpt and 99281 <= int(cpt) <= 99288):
        return "emergency"
    if "HH" in codes or "hospice" in words or "home visit" in words:
        return "other"
    if "admission" in words or "intensive care" in words or "hospitali" in words:
        return "inpatient"
    ambulatory_words = ("visit", "check up", "checkup", "consultation", "examination", "follow-up", "outpatient")
    if "AMB" in codes or cpt.startswith("992") or any(w in words for w in ambulatory_words + ("encounter for",)):
        return "ambulatory"
    return "other"


# --------------------------------------------------------------------------- sections and the Document


def _collect_sections(root: Element) -> list[_SectionInfo]:
    """All sections in document order, nested ones right after their parent."""
    body = _child(root, "component", "structuredBody")
    out: list[_SectionInfo] = []
    if body is None:
        return out
    base = f"{ROOT_LOCATOR}/component/structuredBody"
    _collect_into(body, base, out)
    return out


def _collect_into(parent: Element, base: str, out: list[_SectionInfo]) -> None:
    for index, comp in enumerate(_children(parent, "component"), 1):
        section = _child(comp, "section")
        if section is None:
            continue
        locator = f"{base}/component[{index}]/section"
        code = _child(section, "code")
        key = _section_key(section)
        title_el = _child(section, "title")
        title = _clean("".join(title_el.itertext())) if title_el is not None else ""
        title = title or _clean(_attr(code, "displayName")) or key.replace("_", " ")
        out.append(_SectionInfo(section, locator, key, title, _attr(code, "code")))
        _collect_into(section, locator, out)


def _section_key(section: Element) -> str:
    code = _attr(_child(section, "code"), "code")
    if code in SECTION_KEYS_BY_LOINC:
        return SECTION_KEYS_BY_LOINC[code]
    for template in _children(section, "templateId"):
        key = SECTION_KEYS_BY_TEMPLATE.get(_attr(template, "root"))
        if key:
            return key
    return "other"


def _document(ctx: _Context, root: Element, doc_code: str, sections: list[_SectionInfo], main: Encounter | None) -> Document:
    """One Document per file: "TITLE\\n" + narrative for each section, with spans kept."""
    text = ""
    doc_sections: list[Section] = []
    for info in sections:
        narrative_el = _child(info.element, "text")
        body = ""
        if narrative_el is not None:
            _collect_ids(narrative_el, ctx.ids)
            body = _render(narrative_el)
        text += info.title + "\n"
        info.start = len(text)
        text += body
        info.end = len(text)
        text += "\n\n"
        doc_sections.append(Section(heading=info.title, key=info.key, start=info.start, end=info.end))
    check_text(ctx.file, text, "the narrative text of the document")
    ctx.document_text = text
    if _child(root, "component", "nonXMLBody") is not None:
        media = _attr(_child(root, "component", "nonXMLBody", "text"), "mediaType") or "unknown type"
        ctx.problem(f"document body is a nonXMLBody ({media}); its content is not imported", "error")
    elif not sections:
        ctx.problem("document has no sections: no narrative or entries imported", "error")
    title_el = _child(root, "title")
    return Document(
        provenance=Provenance(ctx.file, ROOT_LOCATOR),
        encounter_id=main.id if main is not None else "",
        title=_clean(title_el.text) if title_el is not None else "",
        kind=DOCUMENT_KINDS.get(doc_code, "note"),
        date=_ts(ctx, _child(root, "effectiveTime")),
        author=_author(root),
        text=text.rstrip("\n") + "\n" if text else "",
        sections=doc_sections,
    )


# --------------------------------------------------------------------------- entries


def _import_entries(ctx: _Context, record: Record, info: _SectionInfo, main: Encounter | None) -> None:
    """Map a section's entries by what the section is; report sections we cannot map."""
    entries = _children(info.element, "entry")
    if not entries:
        return
    unmapped = 0
    for index, entry in enumerate(entries, 1):
        locator = f"{info.locator}/entry[{index}]"
        statement = next((c for c in entry if _local(c) in CLINICAL_STATEMENTS), None)
        if statement is None:
            ctx.problem(f"section '{info.title}' {locator}: entry holds no clinical statement, skipped")
            continue
        stmt_locator = f"{locator}/{_local(statement)}"
        ctx.where = stmt_locator
        if statement.get("nullFlavor"):
            ctx.empty[info.title] += 1
            continue
        if not _import_statement(ctx, record, info, statement, stmt_locator):
            unmapped += 1
    if unmapped:
        ctx.problem(
            f"section '{info.title}' ({info.code or 'no code'}): {unmapped} structured entries not imported "
            f"(no structured mapping for section '{info.key}'); its narrative is kept in the document text"
        )
    if main is not None and _stay_scoped(info):
        _default_encounter(record, info.locator, main.id)


def _stay_scoped(info: _SectionInfo) -> bool:
    """Sections that by definition describe the document's own stay (admission/discharge lists)."""
    templates = {_attr(t, "root") for t in _children(info.element, "templateId")}
    return info.key in STAY_SCOPED_KEYS or info.code in STAY_SCOPED_CODES or bool(templates & STAY_SCOPED_TEMPLATES)


def _import_statement(ctx: _Context, record: Record, info: _SectionInfo, stmt: Element, locator: str) -> bool:
    """Dispatch one entry; False when the section kind has no structured mapping."""
    key = info.key
    if key in CONDITION_ROLES:
        record.conditions.extend(_conditions(ctx, info, stmt, locator, CONDITION_ROLES[key]))
    elif key in MEDICATION_ROLES:
        record.medications.extend(_medications(ctx, info, stmt, locator, MEDICATION_ROLES[key]))
    elif key in OBSERVATION_CATEGORIES:
        record.observations.extend(_observations(ctx, info, stmt, locator, OBSERVATION_CATEGORIES[key]))
    elif key == "procedures":
        record.procedures.extend(_procedures(ctx, info, stmt, locator))
    elif key == "allergies":
        record.allergies.extend(_allergies(ctx, info, stmt, locator))
    elif key == "encounters":
        _encounter_entry(ctx, record, info, stmt, locator)
    else:
        return False
    return True


def _default_encounter(record: Record, section_locator: str, encounter_id: str) -> None:
    """Items of stay-scoped sections without an explicit link belong to the document's stay."""
    prefix = section_locator + "/"
    for kind in ("conditions", "medications"):
        for item in getattr(record, kind):
            if not item.encounter_id and item.provenance.locator.startswith(prefix):
                item.encounter_id = encounter_id


def _linked_encounter(stmt: Element) -> str:
    """An entry's explicit encounter link: entryRelationship/encounter/id (Allscripts style)."""
    for rel in stmt.iter(_q("entryRelationship")):
        linked = _child(rel, "encounter", "id")
        if linked is not None and _instance_id(linked):
            return _instance_id(linked)
    return ""


def _related(stmt: Element, child_name: str, locator: str, type_code: str = "") -> list[tuple[Element, str]]:
    """Direct entryRelationship targets of one kind, with their locators."""
    out = []
    for index, rel in enumerate(_children(stmt, "entryRelationship"), 1):
        if type_code and rel.get("typeCode") != type_code:
            continue
        target = _child(rel, child_name)
        if target is not None:
            out.append((target, f"{locator}/entryRelationship[{index}]/{child_name}"))
    return out


def _is_support(obs: Element) -> bool:
    """Status, severity, age or reaction observations that qualify a problem or allergy."""
    templates = {_attr(t, "root") for t in _children(obs, "templateId")}
    return _attr(_child(obs, "code"), "code") in SUPPORT_OBSERVATION_CODES or bool(templates & SUPPORT_OBSERVATION_TEMPLATES)


def _main_observations(stmt: Element, locator: str) -> list[tuple[Element, str]]:
    """The observations a concern act is about, without its supporting status/severity observations."""
    return [(obs, loc) for obs, loc in _related(stmt, "observation", locator) if not _is_support(obs)]


def _check_order(ctx: _Context, info: _SectionInfo, locator: str, start: datetime | None, end: datetime | None) -> None:
    """Say so when a source interval ends before it starts (seen in the HL7 CCD example)."""
    if start is not None and end is not None and end < start:
        ctx.problem(f"section '{info.title}' {locator}: end {end:%Y-%m-%d} is before start {start:%Y-%m-%d} in the source")


def _is_negated(el: Element) -> bool:
    return (el.get("negationInd") or "").lower() == "true"


def _conditions(ctx: _Context, info: _SectionInfo, stmt: Element, locator: str, role: str) -> list[Condition]:
    """Problem concern acts (and admission/discharge diagnosis acts) -> one Condition per problem observation."""
    name = _local(stmt)
    if name == "observation":
        observations = [(stmt, locator)]
    elif name == "act":
        observations = _main_observations(stmt, locator)
        act_code = _attr(_child(stmt, "code"), "code")
        role = {"46241-6": "admission", "42347-5": "admission", "11535-2": "discharge"}.get(act_code, role)
    else:
        ctx.problem(f"section '{info.title}' {locator}: unexpected <{name}> in a problem list, skipped")
        return []
    if not observations:
        ctx.empty[info.title] += 1
    link = _linked_encounter(stmt)
    act_status = _attr(_child(stmt, "statusCode"), "code") if name == "act" else ""
    act_start, act_end = _interval(ctx, _child(stmt, "effectiveTime")) if name == "act" else (None, None)
    out = []
    for obs, obs_locator in observations:
        if _is_negated(obs):
            ctx.negated[info.title] += 1
            continue
        value = _child(obs, "value")
        text = _ref_text(ctx, _child(obs, "text"))
        label = _code_text(ctx, value) or text
        code = _attr(value, "code")
        if not label and not code:
            ctx.empty[info.title] += 1
            continue
        onset, abatement = _interval(ctx, _child(obs, "effectiveTime"))
        onset, abatement = onset or act_start, abatement or act_end
        _check_order(ctx, info, obs_locator, onset, abatement)
        out.append(
            Condition(
                provenance=ctx.prov(obs_locator, text or _span_text(ctx, obs, value), info),
                encounter_id=link,
                name=label or code,
                code=code,
                onset=onset,
                abatement=abatement,
                status=_problem_status(ctx, obs, act_status, abatement),
                role=role,
            )
        )
    return out


def _problem_status(ctx: _Context, obs: Element, act_status: str, abatement: datetime | None) -> str:
    """Problem Status observation if given, else resolved when abated, else the concern act's status."""
    for target, _ in _related(obs, "observation", ""):
        if _attr(_child(target, "code"), "code") == PROBLEM_STATUS_CODE:
            status = _code_text(ctx, _child(target, "value")).lower()
            if status:
                return status
    if abatement is not None:
        return "resolved"
    return {"completed": "resolved"}.get(act_status, act_status)


def _medications(ctx: _Context, info: _SectionInfo, stmt: Element, locator: str, role: str) -> list[Medication]:
    """Medication activities, bare or wrapped in discharge/admission medication acts."""
    name = _local(stmt)
    if name == "substanceAdministration":
        activities = [(stmt, locator)]
    elif name == "act":
        activities = _related(stmt, "substanceAdministration", locator)
        act_code = _attr(_child(stmt, "code"), "code")
        role = "discharge" if act_code == "10183-2" else role
        if not activities:
            ctx.empty[info.title] += 1
    else:
        ctx.problem(f"section '{info.title}' {locator}: unexpected <{name}> in a medication list, skipped")
        return []
    out = []
    for sa, sa_locator in activities:
        medication = _medication(ctx, info, sa, sa_locator, role)
        if medication is not None:
            medication.encounter_id = medication.encounter_id or _linked_encounter(stmt)
            out.append(medication)
    return out


def _medication(ctx: _Context, info: _SectionInfo, sa: Element, locator: str, role: str) -> Medication | None:
    if _is_negated(sa):
        ctx.negated[info.title] += 1
        return None
    material = _child(sa, "consumable", "manufacturedProduct", "manufacturedMaterial")
    code = _child(material, "code")
    text = _ref_text(ctx, _child(sa, "text"))
    label = _code_text(ctx, code)
    if not label and _child(material, "name") is not None:
        label = _clean(_child(material, "name").text)
    label = label or text
    if not label and not _attr(code, "code"):
        ctx.empty[info.title] += 1
        return None
    start, end = _first_interval(ctx, sa)
    _check_order(ctx, info, locator, start, end)
    route = _child(sa, "routeCode")
    return Medication(
        provenance=ctx.prov(locator, text or _span_text(ctx, sa, code), info),
        encounter_id=_linked_encounter(sa),
        name=label or _attr(code, "code"),
        code=_attr(code, "code"),
        dose=_quantity(_child(sa, "doseQuantity")),
        route=_code_text(ctx, route) or _attr(route, "code"),
        frequency=_frequency(ctx, sa),
        status=_attr(_child(sa, "statusCode"), "code"),
        start=start,
        end=end,
        role=role,
    )


def _quantity(el: Element | None) -> str:
    """PQ or IVL_PQ as "value unit" / "low-high unit"; unit "1" means a plain count."""
    if el is None or el.get("nullFlavor"):
        return ""
    if el.get("value") is None:
        low, high = _child(el, "low"), _child(el, "high")
        values = [_attr(x, "value") for x in (low, high) if _attr(x, "value")]
        unit = _attr(low, "unit") or _attr(high, "unit")
        amount = "-".join(values)
    else:
        amount, unit = _attr(el, "value"), _attr(el, "unit")
    unit = "" if unit == "1" else unit
    return f"{amount} {unit}".strip() if amount else ""


def _frequency(ctx: _Context, sa: Element) -> str:
    """PIVL_TS period -> "every 12 h"; EIVL_TS event -> its code (e.g. "HS")."""
    for et in _children(sa, "effectiveTime"):
        kind = _xsi_type(et)
        if kind == "PIVL_TS":
            period = _child(et, "period")
            if _attr(period, "value"):
                return f"every {_attr(period, 'value')} {_attr(period, 'unit')}".strip()
        elif kind == "EIVL_TS":
            event = _child(et, "event")
            if event is not None:
                return _code_text(ctx, event) or _attr(event, "code")
    return ""


def _observations(ctx: _Context, info: _SectionInfo, stmt: Element, locator: str, category: str) -> list[Observation]:
    """Result/vital organizers -> one Observation per component observation."""
    name = _local(stmt)
    if name == "organizer":
        fallback_time, _ = _interval(ctx, _child(stmt, "effectiveTime"))
        members = []
        for index, comp in enumerate(_children(stmt, "component"), 1):
            obs = _child(comp, "observation")
            if obs is not None:
                members.append((obs, f"{locator}/component[{index}]/observation"))
        if not members:
            ctx.empty[info.title] += 1
    elif name == "observation":
        fallback_time, members = None, [(stmt, locator)]
    else:
        ctx.problem(f"section '{info.title}' {locator}: unexpected <{name}> among results, skipped")
        return []
    link = _linked_encounter(stmt)
    out = []
    for obs, obs_locator in members:
        observation = _observation(ctx, info, obs, obs_locator, category)
        if observation is not None:
            observation.time = observation.time or fallback_time
            observation.encounter_id = observation.encounter_id or link
            out.append(observation)
    return out


def _observation(ctx: _Context, info: _SectionInfo, obs: Element, locator: str, category: str) -> Observation | None:
    if obs.get("nullFlavor"):
        ctx.empty[info.title] += 1
        return None
    code = _child(obs, "code")
    text = _ref_text(ctx, _child(obs, "text"))
    label = _code_text(ctx, code) or text
    value, unit = _value(ctx, _child(obs, "value"))
    if not value and not label:
        ctx.empty[info.title] += 1
        return None
    if not value:
        status = _attr(_child(obs, "statusCode"), "code") or "none"
        ctx.problem(
            f"section '{info.title}' {locator}: observation '{label or _attr(code, 'code')}' has no value "
            f"(statusCode {status}{'; possibly pending' if status == 'active' else ''})"
        )
    time, _ = _interval(ctx, _child(obs, "effectiveTime"))
    flags = [_attr(i, "code") for i in _children(obs, "interpretationCode") if _attr(i, "code")]
    return Observation(
        provenance=ctx.prov(locator, text or _span_text(ctx, obs, code), info),
        encounter_id=_linked_encounter(obs),
        name=label or _attr(code, "code"),
        code=_attr(code, "code"),
        value=value,
        unit=unit,
        reference_range=_reference_range(ctx, obs),
        flag=",".join(flags),
        time=time,
        category=category,
    )


def _value(ctx: _Context, el: Element | None) -> tuple[str, str]:
    """An observation value as (value, unit) whatever its xsi:type."""
    if el is None:
        return "", ""
    kind = _xsi_type(el)
    if kind == "PQ":
        unit = _attr(el, "unit")
        return _attr(el, "value"), "" if unit == "1" else unit
    if kind == "IVL_PQ":
        text = _quantity(el)
        unit = _attr(_child(el, "low"), "unit") or _attr(_child(el, "high"), "unit")
        return (text[: -len(unit)].strip() if unit and text.endswith(unit) else text), "" if unit == "1" else unit
    if kind in ("CD", "CE", "CV", "CO", "CS"):
        return _code_text(ctx, el) or _attr(el, "code"), ""
    if kind in ("RTO", "RTO_PQ_PQ", "RTO_INT_INT"):
        num, den = _quantity(_child(el, "numerator")), _quantity(_child(el, "denominator"))
        return (f"{num}/{den}" if num and den else num), ""
    if kind == "MO":
        return _attr(el, "value"), _attr(el, "currency")
    if el.get("nullFlavor") and not _clean("".join(el.itertext())):
        return "", ""
    if _attr(el, "value"):
        return _attr(el, "value"), _attr(el, "unit")
    return _ref_text(ctx, el) or _clean("".join(el.itertext())), ""


def _reference_range(ctx: _Context, obs: Element) -> str:
    ranges = []
    for rr in _children(obs, "referenceRange"):
        obs_range = _child(rr, "observationRange")
        text = _ref_text(ctx, _child(obs_range, "text"))
        if not text:
            text = _quantity(_child(obs_range, "value"))
        if text:
            ranges.append(text)
    return "; ".join(ranges)


def _procedures(ctx: _Context, info: _SectionInfo, stmt: Element, locator: str) -> list[Procedure]:
    """Procedure activities (procedure, act or observation); planned ones are not performed procedures."""
    if _local(stmt) not in ("procedure", "act", "observation"):
        ctx.problem(f"section '{info.title}' {locator}: unexpected <{_local(stmt)}> among procedures, skipped")
        return []
    if _is_negated(stmt):
        ctx.negated[info.title] += 1
        return []
    mood = stmt.get("moodCode") or "EVN"
    code = _child(stmt, "code")
    text = _ref_text(ctx, _child(stmt, "text"))
    label = _code_text(ctx, code) or text
    if not label and not _attr(code, "code"):
        ctx.empty[info.title] += 1
        return []
    if mood != "EVN":
        ctx.problem(f"section '{info.title}' {locator}: procedure with moodCode {mood} (planned, not done) not imported")
        return []
    start, _ = _interval(ctx, _child(stmt, "effectiveTime"))
    return [
        Procedure(
            provenance=ctx.prov(locator, text or _span_text(ctx, stmt, code), info),
            encounter_id=_linked_encounter(stmt),
            name=label or _attr(code, "code"),
            code=_attr(code, "code"),
            date=start,
        )
    ]


def _allergies(ctx: _Context, info: _SectionInfo, stmt: Element, locator: str) -> list[Allergy]:
    """Allergy concern acts -> one Allergy per allergy observation (substance from the participant)."""
    name = _local(stmt)
    if name == "observation":
        observations = [(stmt, locator)]
    elif name == "act":
        observations = _main_observations(stmt, locator)
    else:
        ctx.problem(f"section '{info.title}' {locator}: unexpected <{name}> in an allergy list, skipped")
        return []
    if not observations:
        ctx.empty[info.title] += 1
    recorded, _ = _interval(ctx, _child(stmt, "effectiveTime")) if name == "act" else (None, None)
    link = _linked_encounter(stmt)
    out = []
    for obs, obs_locator in observations:
        allergy = _allergy(ctx, info, obs, obs_locator)
        if allergy is not None:
            allergy.recorded = recorded or allergy.recorded
            allergy.severity = allergy.severity or _severity(ctx, stmt)
            allergy.encounter_id = allergy.encounter_id or link
            out.append(allergy)
    return out


def _allergy(ctx: _Context, info: _SectionInfo, obs: Element, locator: str) -> Allergy | None:
    if _is_negated(obs) or _attr(_child(obs, "value"), "code") in NO_KNOWN_ALLERGY_CODES:
        ctx.negated[info.title] += 1
        return None
    entity = _child(obs, "participant", "participantRole", "playingEntity")
    substance = _code_text(ctx, _child(entity, "code"))
    if not substance and _child(entity, "name") is not None:
        substance = _clean(_child(entity, "name").text)
    text = _ref_text(ctx, _child(obs, "text"))
    if not substance:
        substance = text or _code_text(ctx, _child(obs, "value"))
    if not substance:
        ctx.empty[info.title] += 1
        return None
    reactions = [_code_text(ctx, _child(r, "value")) for r, _ in _related(obs, "observation", locator, "MFST")]
    start, _ = _interval(ctx, _child(obs, "effectiveTime"))
    return Allergy(
        provenance=ctx.prov(locator, text, info),
        encounter_id=_linked_encounter(obs),
        substance=substance,
        reaction=", ".join(r for r in reactions if r),
        severity=_severity(ctx, obs),
        recorded=start,
    )


def _severity(ctx: _Context, obs: Element) -> str:
    """Severity may sit on the allergy or on a reaction; the first one found wins."""
    for el in obs.iter(_q("observation")):
        if _attr(_child(el, "code"), "code") == SEVERITY_CODE:
            return _code_text(ctx, _child(el, "value"))
    return ""


def _encounter_entry(ctx: _Context, record: Record, info: _SectionInfo, stmt: Element, locator: str) -> None:
    """Encounter activities -> Encounters (merged with the header's stay when the id matches);
    encounter diagnoses become Conditions linked to that encounter."""
    if _local(stmt) != "encounter":
        ctx.problem(f"section '{info.title}' {locator}: unexpected <{_local(stmt)}> among encounters, skipped")
        return
    code = _child(stmt, "code")
    text = _ref_text(ctx, _child(stmt, "text"))
    type_text = _code_text(ctx, code)
    start, end = _interval(ctx, _child(stmt, "effectiveTime"))
    reasons = [_code_text(ctx, _child(o, "value")) for o, _ in _related(stmt, "observation", locator, "RSON")]
    place = _child(stmt, "participant", "participantRole", "playingEntity", "name")
    encounter = Encounter(
        id=_instance_id(_child(stmt, "id")) or f"{ctx.file}#{locator}",
        kind=_encounter_kind(ctx, code, text),
        type_text=type_text or text,
        start=start,
        end=end,
        reason="; ".join(r for r in reasons if r),
        location=_clean(place.text) if place is not None else "",
        provenance=ctx.prov(locator, text, info),
    )
    _add_encounter(record, encounter)
    for act, act_locator in _related(stmt, "act", locator):
        for condition in _conditions(ctx, info, act, act_locator, ""):
            condition.encounter_id = encounter.id
            record.conditions.append(condition)


def _add_encounter(record: Record, encounter: Encounter) -> None:
    """The header's encompassingEncounter often reappears in the Encounters section: merge, don't duplicate."""
    for known in record.encounters:
        if known.id == encounter.id:
            known.type_text = known.type_text or encounter.type_text
            known.start = known.start or encounter.start
            known.end = known.end or encounter.end
            known.reason = known.reason or encounter.reason
            known.location = known.location or encounter.location
            if known.kind == "other":
                known.kind = encounter.kind
            return
    record.encounters.append(encounter)


def _check_encounter_links(ctx: _Context, record: Record) -> None:
    """Keep only links to encounters this file defines; count the rest instead of dangling them."""
    known = {e.id for e in record.encounters}
    for kind in ("conditions", "medications", "observations", "procedures", "allergies", "documents"):
        for item in getattr(record, kind):
            if item.encounter_id and item.encounter_id not in known:
                ctx.dangling[item.encounter_id] += 1
                item.encounter_id = ""
