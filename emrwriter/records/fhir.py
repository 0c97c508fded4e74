"""FHIR R4 import: Bundles (transaction, collection, searchset, ...) and bulk-export NDJSON.

Both shapes are flattened into one list of resources and go through the same
mapping, so a Condition reads the same whichever way it arrived. Every item keeps
``Provenance(file, "ResourceType/id")``. Nothing is dropped silently: a malformed
resource, an undecodable note, a bad NDJSON line or a resource type we do not use
becomes an ImportProblem the user sees.

Times are kept as the wall-clock time written in the source (the offset is
dropped, not applied), because a discharge summary quotes the local time of the
ward, and mixing converted and unconverted times would be worse than either.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from . import bounded_json
from .limits import Limits, check_text, limits, too_big, too_many
from .model import (
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
)

log = logging.getLogger(__name__)

JSON = dict[str, Any]

# Encounter.class codes (v3 ActCode), compared upper-case; some systems send words.
_INPATIENT_CLASSES = {"IMP", "ACUTE", "NONAC", "INPATIENT", "INPATIENT ENCOUNTER"}
_EMERGENCY_CLASSES = {"EMER", "EMERGENCY"}
_AMBULATORY_CLASSES = {"AMB", "VR", "HH", "FLD", "AMBULATORY"}

# LOINC document types that drafting treats specially; everything else is a "note".
_DOCUMENT_KINDS = {"34117-2": "admission_note", "11506-3": "progress_note", "18842-5": "discharge_summary"}

# Synthea writes both "vital-signs" (the FHIR code) and "vital-sign".
_OBSERVATION_CATEGORIES = {"laboratory": "lab", "vital-signs": "vital", "vital-sign": "vital"}

_PERIOD_UNITS = {"s": "second", "min": "minute", "h": "hour", "d": "day", "wk": "week", "mo": "month", "a": "year"}

_FHIR_DATETIME = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:Z|[+-]\d{2}:\d{2})?)?)?)?"
)
# Synthea appends digits to every name ("Elisa944 Johnson679"); real names never end in digits.
_SYNTHEA_WORD_DIGITS = re.compile(r"(?<=[^\W\d_])\d+\b")


def parse_fhir_datetime(text: str) -> datetime:
    """A FHIR date/dateTime/instant as a naive datetime in the wall-clock time written.

    Partial dates ("2008", "2008-05") fall on the first day; date-only values on 00:00.
    Raise ValueError for anything else, so the caller can say which field was bad.
    """
    match = _FHIR_DATETIME.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"not a FHIR date/dateTime: {text!r}")
    year, month, day, hour, minute, second, fraction = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    return datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0), int(second or 0), micro)


# ----------------------------------------------------------------------------- public API


def load_bundle(path: Path, data: Any, patient_id: str | None = None) -> Record:
    """Import a json-parsed FHIR Bundle (or a single resource) from ``path``.

    ``patient_id`` picks one patient when a searchset/collection holds several.
    """
    file = str(path)
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise RecordError(f"{file}: JSON but not a FHIR Bundle (the top level is a {kind}, not an object)")
    resource_type = data.get("resourceType")
    if not resource_type:
        raise RecordError(f"{file}: JSON but not a FHIR Bundle (resourceType missing)")
    if not isinstance(resource_type, str):
        raise RecordError(f"{file}: JSON but not a FHIR Bundle (resourceType is not a string)")
    problems: list[ImportProblem] = []
    if resource_type == "Bundle":
        if not isinstance(data.get("entry", []), list):
            raise RecordError(f"{file}: FHIR Bundle whose 'entry' is not a list")
        caps = limits()
        if len(data.get("entry") or []) > caps.count("fhir_resources"):
            raise too_many(file, f"{len(data['entry'])} entries in the Bundle", "fhir_resources", caps)
        entries = list(_bundle_entries(data, file, problems))
    else:
        entries = [_Entry(data, file, "top level")]
    return _build_record(entries, patient_id, problems, [file], file)


def load_ndjson(paths: list[Path], patient_id: str | None = None) -> Record:
    """Import bulk-export NDJSON files (one resource per line) for one patient.

    A bulk export usually holds many patients; with several and no ``patient_id``
    this raises RecordError listing them, so the user can choose one.
    """
    paths = [Path(p) for p in paths]
    problems: list[ImportProblem] = []
    entries: list[_Entry] = []
    cap = limits().count("fhir_resources")
    for path in paths:
        entries.extend(_read_ndjson(path, problems))
        if len(entries) > cap:
            raise too_many(_where(paths), f"more than {cap} resources in the NDJSON", "fhir_resources")
    where = _where(paths)
    if not entries:
        why = "; ".join(p.message for p in problems[:3]) or "no lines"
        raise RecordError(f"{where}: no FHIR resources in the NDJSON ({why})")
    return _build_record(entries, patient_id, problems, [str(p) for p in paths], where)


def list_ndjson_patients(paths: Iterable[Path]) -> list[tuple[str, str]]:
    """(id, display name) of every Patient in the NDJSON files, in file order.

    Only lines mentioning "Patient" as a resource type are parsed, so this is
    cheap enough to call before the real import.
    """
    seen: dict[str, str] = {}
    for path in paths:
        for entry in _read_ndjson(Path(path), [], only_type="Patient"):
            if entry.type == "Patient" and entry.id not in seen:
                seen[entry.id] = _human_name(entry.resource.get("name"))
    return list(seen.items())


# ----------------------------------------------------------------------------- reading


@dataclass
class _Entry:
    """One resource as read, with where it was read from (for messages and references)."""

    resource: JSON
    file: str
    where: str  # "entry 12" / "line 7": names a resource that has no id
    full_url: str = ""

    @property
    def type(self) -> str:
        return str(self.resource.get("resourceType", ""))

    @property
    def id(self) -> str:
        rid = self.resource.get("id")
        if isinstance(rid, str) and rid:
            return rid
        return _ref_id(self.full_url) if self.full_url else ""

    @property
    def locator(self) -> str:
        return f"{self.type}/{self.id}" if self.id else f"{self.type} ({self.where})"


def _bundle_entries(bundle: JSON, file: str, problems: list[ImportProblem], prefix: str = "entry ") -> Iterator[_Entry]:
    """The resources of a Bundle, nested Bundles flattened; ``prefix`` names where it sits."""
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        problems.append(ImportProblem(file, f"Bundle at {prefix.rstrip(' .,')}: 'entry' is not a list; skipped"))
        return
    for n, entry in enumerate(entries, 1):
        where = f"{prefix}{n}"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            problems.append(ImportProblem(file, f"{where}: no resource in this Bundle entry; skipped"))
            continue
        if not isinstance(resource.get("resourceType"), str):
            problems.append(ImportProblem(file, f"{where}: resource without resourceType; skipped"))
            continue
        if resource["resourceType"] == "Bundle":  # e.g. document Bundles inside a collection
            yield from _bundle_entries(resource, file, problems, f"{prefix}{n}.")
            continue
        full_url = entry.get("fullUrl")
        yield _Entry(resource, file, where, full_url if isinstance(full_url, str) else "")


def _read_ndjson(path: Path, problems: list[ImportProblem], only_type: str | None = None) -> Iterator[_Entry]:
    """Resources of one NDJSON file; bad lines become problems, not exceptions."""
    file = str(path)
    needle = f'"{only_type}"'.encode() if only_type else b""
    try:
        handle = path.open("rb")
    except OSError as exc:
        problems.append(ImportProblem(file, f"cannot read: {exc.strerror or exc}", "error"))
        return
    caps = limits()
    longest = caps.bytes("ndjson_line_mb")
    listed = _Listed(problems, file)
    with handle:
        for n, line in enumerate(_lines(handle, longest), 1):
            if line is None:
                listed.append(_too_long_line(file, n, longest, caps))
                continue
            if n == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line.strip() or (needle and needle not in line):
                continue
            try:
                resource = bounded_json.loads(line, f"line {n}", caps)
            except json.JSONDecodeError as exc:
                why = f"not valid JSON ({exc.msg} at column {exc.colno})"
                listed.append(ImportProblem(file, f"line {n}: {why}; skipped"))
                continue
            except RecordError as exc:  # nested past limits.json_depth
                listed.append(ImportProblem(file, f"{exc}; skipped"))
                continue
            except ValueError as exc:  # undecodable bytes
                listed.append(ImportProblem(file, f"line {n}: not readable text ({exc}); skipped"))
                continue
            if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
                why = "JSON but not a FHIR resource (resourceType missing)"
                listed.append(ImportProblem(file, f"line {n}: {why}; skipped"))
                continue
            if resource["resourceType"] == "Bundle":
                yield from _bundle_entries(resource, file, problems, f"line {n}, entry ")
                continue
            yield _Entry(resource, file, f"line {n}")


class _Listed:
    """The problems of one NDJSON file: the first MAX_LISTED listed one by one, the rest
    counted in one line (a file of a million bad lines must not become a million problems)."""

    MAX_LISTED = 50

    def __init__(self, problems: list[ImportProblem], file: str) -> None:
        self.problems, self.file = problems, file
        self.listed = self.more = 0
        self.summary_at: int | None = None

    def append(self, problem: ImportProblem) -> None:
        if self.listed < self.MAX_LISTED:
            self.problems.append(problem)
            self.listed += 1
            return
        self.more += 1
        why = f"{self.more} more lines could not be used and were skipped (the first {self.MAX_LISTED} are listed)"
        if self.summary_at is None:
            self.summary_at = len(self.problems)
            self.problems.append(ImportProblem(self.file, why))
        else:
            self.problems[self.summary_at] = ImportProblem(self.file, why)


def _lines(handle: BinaryIO, longest: int) -> Iterator[bytes | None]:
    """The lines of an open file; None for a line longer than ``longest`` bytes, which is
    skipped without holding more than ``longest`` bytes of it."""
    while line := handle.readline(longest + 1):
        if len(line) <= longest or line.endswith(b"\n"):
            yield line
            continue
        while (rest := handle.readline(1 << 20)) and not rest.endswith(b"\n"):
            pass
        yield None


def _too_long_line(file: str, number: int, longest: int, caps: Limits) -> ImportProblem:
    refusal = too_big(f"line {number}", longest + 1, "ndjson_line_mb", "the line (at least)", caps)
    return ImportProblem(file, f"{refusal}; skipped")


def _where(paths: list[Path]) -> str:
    """How to name a set of NDJSON files in one message: the file, or their folder."""
    if len(paths) == 1:
        return str(paths[0])
    parents = {p.parent for p in paths}
    return str(parents.pop()) if len(parents) == 1 else ", ".join(str(p) for p in paths[:3])


# ----------------------------------------------------------------------------- references


def _ref_id(reference: str) -> str:
    """The id part of "Encounter/abc", "urn:uuid:abc" or "http://x/fhir/Encounter/abc/_history/2"."""
    reference = reference.strip()
    if reference.startswith(("urn:uuid:", "urn:oid:")):
        return reference.split(":", 2)[2]
    reference = reference.split("/_history/", 1)[0]
    return reference.rsplit("/", 1)[-1]


def _reference(value: Any) -> str:
    """The reference string of a Reference (or of the first one in a list)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict) and isinstance(value.get("reference"), str):
        return value["reference"]
    return ""


def _index(entries: list[_Entry]) -> dict[str, _Entry]:
    """Every way a resource may be referred to inside these files -> the resource."""
    index: dict[str, _Entry] = {}
    for entry in entries:
        if entry.id:
            index.setdefault(f"{entry.type}/{entry.id}", entry)
        if entry.full_url:
            index.setdefault(entry.full_url, entry)
    return index


def _patient_of(entry: _Entry, index: dict[str, _Entry]) -> str | None:
    """The patient id a resource is about, or None for shared resources (Organization, Medication, ...)."""
    if entry.type == "Patient":
        return entry.id or None
    resource = entry.resource
    for key in ("subject", "patient", "beneficiary"):
        reference = _reference(resource.get(key))
        if not reference:
            continue
        target = index.get(reference)
        if target is not None:
            return target.id if target.type == "Patient" else None
        if reference.startswith("Patient/") or "/Patient/" in reference:
            return _ref_id(reference)
        return None
    return None


# ----------------------------------------------------------------------------- choosing the patient


def _build_record(
    entries: list[_Entry], patient_id: str | None, problems: list[ImportProblem], sources: list[str], where: str
) -> Record:
    """Filter to one patient, map every resource, and summarise what was not used."""
    index = _index(entries)
    chosen = _choose_patient(entries, index, patient_id, where)
    record = Record(sources=sources)
    record.problems.extend(problems)
    mapper = _Mapper(index)
    ignored: Counter[str] = Counter()
    other_patients = 0
    for entry in entries:
        if chosen is not None:
            owner = _patient_of(entry, index)
            if owner is not None and owner != chosen:
                other_patients += 1
                continue
        mapper.add(entry, record, ignored)
    if record.patient.provenance is None:
        record.problems.append(ImportProblem(where, "no Patient resource: name, sex and birth date are unknown"))
    if ignored:
        listed = ", ".join(f"{kind}×{count}" for kind, count in sorted(ignored.items()))
        record.problems.append(ImportProblem(where, f"ignored resource types: {listed}", "info"))
    _drop_repeated_report_text(record, where)
    # File names often carry the patient's name, so they stay at DEBUG.
    log.debug("FHIR import from %s", where)
    log.info("FHIR import: %s (%d resources of other patients left out)", record.counts(), other_patients)
    return record


def _choose_patient(entries: list[_Entry], index: dict[str, _Entry], patient_id: str | None, where: str) -> str | None:
    """The id of the one patient to import, or None when nothing names a patient."""
    candidates: dict[str, str] = {}
    for entry in entries:
        if entry.type == "Patient" and entry.id and entry.id not in candidates:
            candidates[entry.id] = _human_name(entry.resource.get("name"))
    if not candidates:  # files without Patient resources: trust the references
        for entry in entries:
            owner = _patient_of(entry, index)
            if owner:
                candidates.setdefault(owner, "")
    listing = ", ".join(f"{pid} ({name or 'name unknown'})" for pid, name in candidates.items())
    if patient_id:
        if patient_id not in candidates:
            raise RecordError(f"{where}: patient {patient_id!r} is not in these files (patients: {listing or 'none'})")
        return patient_id
    if len(candidates) > 1:
        raise RecordError(f"{where}: {len(candidates)} patients in these files: {listing}; choose one (--patient ID)")
    return next(iter(candidates), None)


def _drop_repeated_report_text(record: Record, where: str) -> None:
    """Newer Synthea writes each note twice, as DocumentReference and as DiagnosticReport
    presentedForm; keep the DocumentReference and say how many copies were left out."""

    def origin(doc: Document) -> str:
        return doc.provenance.locator.split("/", 1)[0]

    seen = {(d.encounter_id, d.text.strip()) for d in record.documents if origin(d) == "DocumentReference"}
    kept = [d for d in record.documents if origin(d) != "DiagnosticReport" or (d.encounter_id, d.text.strip()) not in seen]
    repeated = len(record.documents) - len(kept)
    if repeated:
        record.documents = kept
        record.problems.append(
            ImportProblem(where, f"{repeated} DiagnosticReport texts repeat a DocumentReference; kept once", "info")
        )


# ----------------------------------------------------------------------------- field helpers


def _text(concept: Any) -> str:
    """Readable text of a CodeableConcept: its text, else the first coding display."""
    if not isinstance(concept, dict):
        return ""
    if isinstance(concept.get("text"), str) and concept["text"].strip():
        return concept["text"].strip()
    for coding in _list(concept.get("coding")):
        if isinstance(coding, dict) and isinstance(coding.get("display"), str) and coding["display"].strip():
            return coding["display"].strip()
    return ""


def _code(concept: Any) -> str:
    """The first coding's code of a CodeableConcept (or of a bare Coding)."""
    if not isinstance(concept, dict):
        return ""
    codings = _list(concept.get("coding")) or [concept]
    for coding in codings:
        if isinstance(coding, dict) and isinstance(coding.get("code"), str):
            return coding["code"]
    return ""


def _codes(concept: Any) -> list[str]:
    if not isinstance(concept, dict):
        return []
    return [c["code"] for c in _list(concept.get("coding")) if isinstance(c, dict) and isinstance(c.get("code"), str)]


def _list(value: Any) -> list[Any]:
    """FHIR repeats fields as lists; tolerate a single value where a list belongs."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _get(data: Any, *path: str | int) -> Any:
    """Nested lookup that returns None instead of raising on a missing or mistyped step."""
    for step in path:
        if isinstance(step, int):  # a single value where a list belongs counts as a list of one
            items = _list(data)
            data = items[step] if -len(items) <= step < len(items) else None
        else:
            data = data.get(step) if isinstance(data, dict) else None
        if data is None:
            return None
    return data


def _number(value: Any) -> str:
    """A JSON number as written: 1 and 1.0 as "1", decimals unrounded (the verifier
    compares them against the source)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value) if value is not None else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _quantity(quantity: Any) -> tuple[str, str]:
    """(value, unit) of a Quantity; a comparator such as "<" stays in front of the value."""
    if not isinstance(quantity, dict):
        return "", ""
    value = _number(quantity.get("value"))
    comparator = quantity.get("comparator")
    if value and isinstance(comparator, str):
        value = comparator + value
    unit = quantity.get("unit") or quantity.get("code") or ""
    return value, str(unit)


def _human_name(names: Any) -> str:
    """Given + family of the official (else usual, else first) name; prefixes dropped and
    Synthea's numeric suffixes ("Elisa944") removed."""
    candidates = [n for n in _list(names) if isinstance(n, dict)]
    if not candidates:
        return ""
    by_use = {n["use"]: n for n in reversed(candidates) if isinstance(n.get("use"), str)}
    name = by_use.get("official") or by_use.get("usual") or candidates[0]
    parts = [p for p in _list(name.get("given")) if isinstance(p, str)]
    parts += [p for p in _list(name.get("family")) if isinstance(p, str)]  # a list in DSTU2
    if not parts and isinstance(name.get("text"), str):
        return name["text"].strip()
    return " ".join(_SYNTHEA_WORD_DIGITS.sub("", p.strip()) for p in parts if p.strip())


def _frequency(dosage: JSON) -> str:
    """ "2 times per day", "1 time per 6 hours", the free text, plus "as needed"."""
    parts: list[str] = []
    repeat = _get(dosage, "timing", "repeat")
    if isinstance(repeat, dict) and repeat.get("frequency") is not None and repeat.get("periodUnit"):
        freq = _number(repeat["frequency"])
        period = _number(repeat.get("period", 1))
        unit = _PERIOD_UNITS.get(str(repeat["periodUnit"]), str(repeat["periodUnit"]))
        times = "time" if freq == "1" else "times"
        parts.append(f"{freq} {times} per {unit}" if period == "1" else f"{freq} {times} per {period} {unit}s")
    elif _text(_get(dosage, "timing", "code")):
        parts.append(_text(_get(dosage, "timing", "code")))
    elif isinstance(dosage.get("text"), str) and dosage["text"].strip():
        parts.append(dosage["text"].strip())
    as_needed = dosage.get("asNeededBoolean") is True or isinstance(dosage.get("asNeededCodeableConcept"), dict)
    if as_needed and not any("as needed" in p.lower() for p in parts):
        reason = _text(dosage.get("asNeededCodeableConcept"))
        parts.append(f"as needed for {reason}" if reason else "as needed")
    return ", ".join(parts)


def _dose(dosage: JSON) -> str:
    quantity = _get(dosage, "doseAndRate", 0, "doseQuantity") or dosage.get("doseQuantity")  # STU3 had it flat
    value, unit = _quantity(quantity)
    if value:
        return f"{value} {unit}".strip()
    low, low_unit = _quantity(_get(dosage, "doseAndRate", 0, "doseRange", "low"))
    high, high_unit = _quantity(_get(dosage, "doseAndRate", 0, "doseRange", "high"))
    return f"{low}-{high} {high_unit or low_unit}".strip() if low and high else ""


def _reference_range(ranges: Any) -> str:
    first = _list(ranges)[0] if _list(ranges) else None
    if not isinstance(first, dict):
        return ""
    if isinstance(first.get("text"), str) and first["text"].strip():
        return first["text"].strip()
    low, low_unit = _quantity(first.get("low"))
    high, high_unit = _quantity(first.get("high"))
    unit = high_unit or low_unit
    if low and high:
        return f"{low}-{high} {unit}".strip()
    if low:
        return f">= {low} {unit}".strip()
    if high:
        return f"<= {high} {unit}".strip()
    return ""


def _document_kind(concept: Any) -> str:
    for code in _codes(concept):
        if code in _DOCUMENT_KINDS:
            return _DOCUMENT_KINDS[code]
    return "note"


class _Skip(Exception):
    """A resource we cannot turn into an item (no name, entered in error, ...); the message says why."""


# ----------------------------------------------------------------------------- mapping


class _Mapper:
    """Maps one resource at a time to model items. The same code serves Bundles and NDJSON."""

    def __init__(self, index: dict[str, _Entry]) -> None:
        self.index = index
        self.handlers: dict[str, Callable[[_Entry, list[str]], list[Any]]] = {
            "Patient": self._patient,
            "Encounter": self._encounter,
            "Condition": self._condition,
            "MedicationRequest": self._medication,
            "MedicationStatement": self._medication,
            "Observation": self._observation,
            "Procedure": self._procedure,
            "AllergyIntolerance": self._allergy,
            "DocumentReference": self._document_reference,
            "DiagnosticReport": self._diagnostic_report,
            "OperationOutcome": self._operation_outcome,
            # Resolved through references (medicationReference, attachment URLs), not items of their own.
            "Medication": lambda entry, notes: [],
            "Binary": lambda entry, notes: [],
        }

    def add(self, entry: _Entry, record: Record, ignored: Counter[str]) -> None:
        """Map one resource into ``record``; any failure becomes an ImportProblem naming it."""
        handler = self.handlers.get(entry.type)
        if handler is None:
            ignored[entry.type] += 1
            return
        notes: list[str] = []
        try:
            _refuse_entered_in_error(entry.resource)
            items = handler(entry, notes)
        except _Skip as exc:
            why = "; ".join([str(exc), *notes])
            record.problems.append(ImportProblem(entry.file, f"{entry.locator}: skipped: {why}"))
            return
        except (LookupError, TypeError, ValueError, AttributeError) as exc:
            log.debug("cannot map %s from %s", entry.locator, entry.file, exc_info=True)
            why = f"{type(exc).__name__}: {exc}"
            message = f"{entry.locator}: not imported, malformed resource ({why})"
            record.problems.append(ImportProblem(entry.file, message))
            return
        record.problems.extend(ImportProblem(entry.file, f"{entry.locator}: {note}") for note in notes)
        for item in items:
            _file_item(record, item, entry)

    # -- small helpers shared by the handlers

    def _provenance(self, entry: _Entry) -> Provenance:
        return Provenance(file=entry.file, locator=entry.locator)

    def _time(self, entry: _Entry, notes: list[str], *fields: tuple[str, ...]) -> datetime | None:
        """The first present field among ``fields`` (each a path), parsed; a bad value is noted."""
        for field_path in fields:
            value = _get(entry.resource, *field_path)
            if value is None:
                continue
            try:
                return parse_fhir_datetime(value)
            except ValueError:
                notes.append(f"{'.'.join(field_path)} {value!r} is not a FHIR date; left empty")
                return None
        return None

    def _encounter_id(self, reference: str) -> str:
        if not reference:
            return ""
        target = self.index.get(reference)
        return target.id if target is not None else _ref_id(reference)

    def _display(self, reference: Any) -> str:
        """A Reference's display, else the name of the resource it points to in these files."""
        if isinstance(reference, list):
            reference = reference[0] if reference else None
        if not isinstance(reference, dict):
            return ""
        if isinstance(reference.get("display"), str) and reference["display"].strip():
            return reference["display"].strip()
        target = self.index.get(_reference(reference))
        if target is None:
            return ""
        name = target.resource.get("name")
        if isinstance(name, str):
            return name
        return _human_name(name)

    # -- handlers: each returns the items for one resource and appends notes for odd fields

    def _patient(self, entry: _Entry, notes: list[str]) -> list[Any]:
        data = entry.resource
        birth = self._time(entry, notes, ("birthDate",))
        identifiers: list[tuple[bool, str]] = []
        for ident in _list(data.get("identifier")):
            if not isinstance(ident, dict) or not ident.get("value"):
                continue
            text = f"{ident['system']}|{ident['value']}" if ident.get("system") else str(ident["value"])
            identifiers.append(("MR" not in _codes(ident.get("type")), text))  # MRN first
        gender = data.get("gender")
        patient = Patient(
            name=_human_name(data.get("name")),
            sex=gender if gender in ("male", "female", "other") else "",
            birth_date=birth.date() if birth else None,
            identifiers=[text for _, text in sorted(identifiers, key=lambda pair: pair[0])],
            provenance=self._provenance(entry),
        )
        return [patient]

    def _encounter(self, entry: _Entry, notes: list[str]) -> list[Any]:
        data = entry.resource
        reasons = [_text(c) for c in _list(data.get("reasonCode"))]
        reasons += [self._display(r) for r in _list(data.get("reasonReference"))]
        location = self._display(_get(data, "location", 0, "location"))
        # Synthea bundles name no Location; the hospital (serviceProvider) is what a summary quotes.
        location = location or self._display(data.get("serviceProvider"))
        return [
            Encounter(
                id=entry.id or entry.where,
                kind=_encounter_kind(data.get("class")),
                type_text=next((t for t in map(_text, _list(data.get("type"))) if t), ""),
                start=self._time(entry, notes, ("period", "start")),
                end=self._time(entry, notes, ("period", "end")),
                reason="; ".join(r for r in reasons if r),
                location=location,
                provenance=self._provenance(entry),
            )
        ]

    def _condition(self, entry: _Entry, notes: list[str]) -> list[Any]:
        data = entry.resource
        name = _text(data.get("code"))
        if not name:
            raise _Skip("no code text or display")
        status = data.get("clinicalStatus")
        return [
            Condition(
                provenance=self._provenance(entry),
                encounter_id=self._encounter_id(_reference(data.get("encounter") or data.get("context"))),
                name=name,
                code=_code(data.get("code")),
                onset=self._time(entry, notes, ("onsetDateTime",), ("onsetPeriod", "start")),
                abatement=self._time(entry, notes, ("abatementDateTime",), ("abatementPeriod", "start")),
                status=status if isinstance(status, str) else _code(status),  # a plain string in STU3
            )
        ]

    def _medication(self, entry: _Entry, notes: list[str]) -> list[Any]:
        """MedicationRequest (dosageInstruction, authoredOn) and MedicationStatement (dosage, effective)."""
        data = entry.resource
        name, code = self._medication_name(entry)
        dosage = _get(data, "dosageInstruction", 0) or _get(data, "dosage", 0) or {}
        if not isinstance(dosage, dict):
            dosage = {}
        if entry.type == "MedicationRequest":
            start = self._time(entry, notes, ("authoredOn",))
            end = None
        else:
            start = self._time(entry, notes, ("effectiveDateTime",), ("effectivePeriod", "start"))
            end = self._time(entry, notes, ("effectivePeriod", "end"))
        categories = [cat for c in _list(data.get("category")) for cat in _codes(c)]
        return [
            Medication(
                provenance=self._provenance(entry),
                encounter_id=self._encounter_id(_reference(data.get("encounter") or data.get("context"))),
                name=name,
                code=code,
                dose=_dose(dosage),
                route=_text(dosage.get("route")),
                frequency=_frequency(dosage),
                status=str(data.get("status") or ""),
                start=start,
                end=end,
                role="discharge" if "discharge" in categories else "",
            )
        ]

    def _medication_name(self, entry: _Entry) -> tuple[str, str]:
        """(name, code) from medicationCodeableConcept, or from the Medication a reference points to."""
        data = entry.resource
        concept = data.get("medicationCodeableConcept")
        if isinstance(concept, dict) and _text(concept):
            return _text(concept), _code(concept)
        reference = data.get("medicationReference")
        target_ref = _reference(reference)
        target: JSON | None = None
        if target_ref.startswith("#"):
            target = next(
                (c for c in _list(data.get("contained")) if isinstance(c, dict) and c.get("id") == target_ref[1:]), None
            )
        elif target_ref and target_ref in self.index:
            target = self.index[target_ref].resource
        if target is not None and _text(target.get("code")):
            return _text(target["code"]), _code(target["code"])
        display = _get(reference, "display")
        if isinstance(display, str) and display.strip():
            return display.strip(), ""
        if target_ref:
            raise _Skip(f"medication {target_ref!r} is not in these files and has no display name")
        raise _Skip("no medication named")

    def _observation(self, entry: _Entry, notes: list[str]) -> list[Any]:
        """One Observation per value. A panel with components (blood pressure) becomes one
        Observation per component ("Systolic Blood Pressure" 120 mm[Hg]), each with a plain
        number, because checks compare single values against the source."""
        data = entry.resource
        name = _text(data.get("code"))
        category = ""
        for concept in _list(data.get("category")):
            code = _code(concept)
            if code:
                category = _OBSERVATION_CATEGORIES.get(code, code)
                break
        common = {
            "provenance": self._provenance(entry),
            "encounter_id": self._encounter_id(_reference(data.get("encounter") or data.get("context"))),
            "time": self._time(
                entry, notes, ("effectiveDateTime",), ("effectivePeriod", "start"), ("effectiveInstant",), ("issued",)
            ),
            "category": category,
        }
        interpretation = _get(data, "interpretation", 0)
        parent_flag = _code(interpretation) or _text(interpretation)
        observations: list[Observation] = []
        components = [c for c in _list(data.get("component")) if isinstance(c, dict)]
        value, unit = _observation_value(data, notes)
        if value or not components:
            if not name:
                raise _Skip("no code text or display")
            observations.append(
                Observation(
                    name=name,
                    code=_code(data.get("code")),
                    value=value,
                    unit=unit,
                    reference_range=_reference_range(data.get("referenceRange")),
                    flag=parent_flag,
                    **common,
                )
            )
        for component in components:
            comp_value, comp_unit = _observation_value(component, notes)
            comp_name = _text(component.get("code")) or name
            if not comp_name:
                notes.append("a component without a name was left out")
                continue
            observations.append(
                Observation(
                    name=comp_name,
                    code=_code(component.get("code")),
                    value=comp_value,
                    unit=comp_unit,
                    reference_range=_reference_range(component.get("referenceRange")),
                    flag=_code(_get(component, "interpretation", 0)) or parent_flag,
                    **common,
                )
            )
        return observations

    def _procedure(self, entry: _Entry, notes: list[str]) -> list[Any]:
        data = entry.resource
        name = _text(data.get("code"))
        if not name:
            raise _Skip("no code text or display")
        return [
            Procedure(
                provenance=self._provenance(entry),
                encounter_id=self._encounter_id(_reference(data.get("encounter") or data.get("context"))),
                name=name,
                code=_code(data.get("code")),
                date=self._time(entry, notes, ("performedDateTime",), ("performedPeriod", "start")),
            )
        ]

    def _allergy(self, entry: _Entry, notes: list[str]) -> list[Any]:
        data = entry.resource
        reactions = [r for r in _list(data.get("reaction")) if isinstance(r, dict)]
        substance = _text(data.get("code")) or next(filter(None, (_text(r.get("substance")) for r in reactions)), "")
        if not substance:
            raise _Skip("no substance named")
        manifestations: list[str] = []
        for reaction in reactions:
            for concept in _list(reaction.get("manifestation")):
                text = _text(concept)
                if text and text not in manifestations:
                    manifestations.append(text)
        severity = next((str(r["severity"]) for r in reactions if r.get("severity")), "")
        if not severity and data.get("criticality"):
            severity = f"{data['criticality']} criticality"
        return [
            Allergy(
                provenance=self._provenance(entry),
                encounter_id=self._encounter_id(_reference(data.get("encounter"))),
                substance=substance,
                reaction=", ".join(manifestations),
                severity=severity,
                recorded=self._time(entry, notes, ("recordedDate",), ("onsetDateTime",)),
            )
        ]

    def _document_reference(self, entry: _Entry, notes: list[str]) -> list[Any]:
        data = entry.resource
        attachments = [_get(c, "attachment") for c in _list(data.get("content"))]
        text = self._attachments_text(attachments, notes)
        if not text:
            raise _Skip("no readable text/plain content")
        context = data.get("context") if isinstance(data.get("context"), dict) else {}
        return [
            Document(
                provenance=self._provenance(entry),
                encounter_id=self._encounter_id(_reference(context.get("encounter"))),  # a list in R4, one in STU3
                title=_text(data.get("type")) or str(data.get("description") or ""),
                kind=_document_kind(data.get("type")),
                date=self._time(entry, notes, ("date",), ("context", "period", "start"), ("indexed",)),
                author=_SYNTHEA_WORD_DIGITS.sub("", self._display(data.get("author"))),
                text=text,
            )
        ]

    def _diagnostic_report(self, entry: _Entry, notes: list[str]) -> list[Any]:
        """A report with text (presentedForm, else conclusion) becomes a Document. A report that
        only lists results is not imported as an item on purpose: its result Observations are
        imported on their own, and the report adds nothing but a grouping."""
        data = entry.resource
        text = self._attachments_text(_list(data.get("presentedForm")), notes)
        if not text and isinstance(data.get("conclusion"), str):
            text = data["conclusion"].strip()
        if not text:
            return []
        return [
            Document(
                provenance=self._provenance(entry),
                encounter_id=self._encounter_id(_reference(data.get("encounter") or data.get("context"))),
                title=_text(data.get("code")),
                kind="report" if _document_kind(data.get("code")) == "note" else _document_kind(data.get("code")),
                date=self._time(entry, notes, ("effectiveDateTime",), ("effectivePeriod", "start"), ("issued",)),
                author=_SYNTHEA_WORD_DIGITS.sub("", self._display(data.get("performer"))),
                text=text,
            )
        ]

    def _operation_outcome(self, entry: _Entry, notes: list[str]) -> list[Any]:
        """A searchset may carry the server's warnings; pass them on to the user."""
        problems = []
        for issue in _list(entry.resource.get("issue")):
            if not isinstance(issue, dict):
                continue
            said = issue.get("diagnostics") or _text(issue.get("details")) or issue.get("code") or "(no detail)"
            severity = "error" if issue.get("severity") in ("error", "fatal") else "warning"
            problems.append(ImportProblem(entry.file, f"{entry.locator}: the server said: {said}", severity))
        return problems

    def _attachments_text(self, attachments: list[Any], notes: list[str]) -> str:
        """The first attachment that decodes to text; why others could not be read goes to notes."""
        for attachment in attachments:
            if not isinstance(attachment, dict):
                continue
            text = self._attachment_text(attachment, notes)
            if text:
                return text
        return ""

    def _attachment_text(self, attachment: JSON, notes: list[str]) -> str:
        content_type = str(attachment.get("contentType") or "text/plain")
        data = attachment.get("data")
        url = attachment.get("url")
        if data is None and isinstance(url, str):
            binary = self.index.get(url)
            if binary is None or binary.type != "Binary":
                notes.append(f"attachment at {url!r} is not in these files (nothing is fetched over the network)")
                return ""
            data = binary.resource.get("data")
            content_type = str(binary.resource.get("contentType") or content_type)
        mime, _, params = content_type.partition(";")
        if mime.strip().lower() not in ("text/plain", "text/markdown"):
            notes.append(f"attachment of type {mime.strip()!r} not read (only text/plain and text/markdown are)")
            return ""
        if not isinstance(data, str):
            return ""
        try:
            raw = base64.b64decode(data, validate=False)
        except (binascii.Error, ValueError):
            notes.append("attachment data is not valid base64; not read")
            return ""
        caps = limits()
        if len(raw) > caps.bytes("text_mb"):
            notes.append(f"{too_big('attachment', len(raw), 'text_mb', 'its text', caps)}; not read")
            return ""
        charset = "utf-8"
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                charset = value.strip().strip('"')
        try:
            text = raw.decode(charset).strip()
        except LookupError:
            notes.append(f"unknown charset {charset!r}; read as UTF-8, undecodable bytes replaced")
            text = raw.decode("utf-8", errors="replace").strip()
        except UnicodeDecodeError:
            notes.append(f"attachment is not valid {charset}; undecodable bytes replaced")
            text = raw.decode(charset, errors="replace").strip()
        try:
            check_text("attachment", text, "its text", caps)
        except RecordError as exc:
            notes.append(f"{exc}; not read")
            return ""
        return text


def _observation_value(data: JSON, notes: list[str]) -> tuple[str, str]:
    """(value, unit) of an Observation or component; a value[x] we cannot read is noted."""
    value, unit = _read_value(data)
    if not value:
        unread = [key for key in data if key.startswith("value") and data[key] not in (None, "", {}, [])]
        if unread:
            notes.append(f"{unread[0]} not understood; value left empty")
    return value, unit


def _read_value(data: JSON) -> tuple[str, str]:
    if isinstance(data.get("valueQuantity"), dict):
        return _quantity(data["valueQuantity"])
    if isinstance(data.get("valueCodeableConcept"), dict):
        return _text(data["valueCodeableConcept"]), ""
    for key in ("valueString", "valueInteger", "valueBoolean", "valueDateTime", "valueTime"):
        value = data.get(key)
        if isinstance(value, bool):
            return ("true" if value else "false"), ""
        if isinstance(value, str):
            return value, ""  # dates stay as written
        if value is not None:
            return _number(value), ""
    if isinstance(data.get("valueRange"), dict):
        low, low_unit = _quantity(data["valueRange"].get("low"))
        high, high_unit = _quantity(data["valueRange"].get("high"))
        return f"{low}-{high}", high_unit or low_unit
    if isinstance(data.get("valueRatio"), dict):
        num, num_unit = _quantity(data["valueRatio"].get("numerator"))
        den, den_unit = _quantity(data["valueRatio"].get("denominator"))
        return f"{num}/{den}", f"{num_unit}/{den_unit}".strip("/")
    return "", ""


def _encounter_kind(klass: Any) -> str:
    """inpatient / emergency / ambulatory / other from Encounter.class (a Coding in R4,
    a list of CodeableConcepts in R5)."""
    if isinstance(klass, list):
        klass = _get(klass, 0, "coding", 0) or (klass[0] if klass else None)
    if not isinstance(klass, dict):
        return "other"
    words = {str(klass.get("code") or "").strip().upper(), str(klass.get("display") or "").strip().upper()}
    if words & _INPATIENT_CLASSES:
        return "inpatient"
    if words & _EMERGENCY_CLASSES:
        return "emergency"
    if words & _AMBULATORY_CLASSES:
        return "ambulatory"
    return "other"


def _refuse_entered_in_error(resource: JSON) -> None:
    """A resource its author withdrew must never reach a summary as a fact."""
    if resource.get("status") == "entered-in-error":
        raise _Skip("status is entered-in-error")
    verification = _code(resource.get("verificationStatus")) or resource.get("verificationStatus")
    if verification in ("entered-in-error", "refuted"):
        raise _Skip(f"verification status is {verification}")


def _file_item(record: Record, item: Any, entry: _Entry) -> None:
    """Put a mapped item in its place in the record."""
    if isinstance(item, Patient):
        if record.patient.provenance is None:
            record.patient = item
        elif entry.locator != record.patient.provenance.locator:
            note = f"{entry.locator}: a second Patient record for the same id; not used"
            record.problems.append(ImportProblem(entry.file, note))
        return
    targets: dict[type, list[Any]] = {
        Encounter: record.encounters,
        Condition: record.conditions,
        Medication: record.medications,
        Observation: record.observations,
        Procedure: record.procedures,
        Allergy: record.allergies,
        Document: record.documents,
        ImportProblem: record.problems,
    }
    targets[type(item)].append(item)


__all__ = ["list_ndjson_patients", "load_bundle", "load_ndjson", "parse_fhir_datetime"]
