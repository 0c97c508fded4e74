"""The Record: one patient's imported data, every item carrying its provenance.

Plain dataclasses, no behaviour beyond small conveniences, so that every face
(CLI, GUI, checks) can read them without importing anything heavy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Provenance:
    """Where an item came from: a file plus a locator inside it.

    ``locator`` is a FHIR resource reference ("Condition/abc"), an XML path
    ("/ClinicalDocument/component/.../entry[3]"), or a line/row reference
    ("row 4"). ``start``/``end`` are character offsets into the text of the
    document named by ``file`` (free-text items), when known.
    """

    file: str
    locator: str = ""
    start: int | None = None
    end: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.locator:
            where += f" {self.locator}"
        if self.start is not None:
            where += f" [{self.start}:{self.end}]"
        return where


@dataclass
class Patient:
    name: str = ""
    sex: str = ""  # "male" | "female" | "other" | "" (unknown)
    birth_date: date | None = None
    identifiers: list[str] = field(default_factory=list)
    provenance: Provenance | None = None


@dataclass
class Encounter:
    id: str
    kind: str  # "inpatient" | "emergency" | "ambulatory" | "other"
    type_text: str = ""
    start: datetime | None = None
    end: datetime | None = None
    reason: str = ""
    location: str = ""
    provenance: Provenance | None = None
    # where a date without a label was read from ("患者今日出院" in a dated note), when it was
    start_source: Provenance | None = None
    end_source: Provenance | None = None

    @property
    def is_inpatient(self) -> bool:
        return self.kind == "inpatient"


@dataclass
class Item:
    """Base for structured items. ``encounter_id`` links to an Encounter when the
    source says so; otherwise the stay is found from ``when``."""

    provenance: Provenance
    encounter_id: str = ""

    @property
    def when(self) -> datetime | None:  # overridden where an item has a time
        return None


@dataclass
class Condition(Item):
    name: str = ""
    code: str = ""
    onset: datetime | None = None
    abatement: datetime | None = None
    status: str = ""  # active, resolved, ...
    # "admission", "discharge", "procedure" (post-operative), "working" (a note's assessment),
    # "history", "" (unspecified)
    role: str = ""
    recorded: datetime | None = None  # the date of the note that states it

    @property
    def when(self) -> datetime | None:
        return self.onset


@dataclass
class Medication(Item):
    name: str = ""
    code: str = ""
    dose: str = ""
    route: str = ""
    frequency: str = ""
    status: str = ""  # active, stopped, completed, ...
    start: datetime | None = None
    end: datetime | None = None
    # "discharge" (the discharge list), "home" (before admission), "inpatient" (an order of the
    # stay), "" (unspecified); status says new / changed / continued / stopped where known
    role: str = ""
    reason: str = ""  # why it was started, changed or stopped, as the record says

    @property
    def when(self) -> datetime | None:
        return self.start


@dataclass
class Observation(Item):
    name: str = ""
    code: str = ""
    value: str = ""
    unit: str = ""
    reference_range: str = ""
    flag: str = ""  # H, L, A, N, ... as given by the source, or computed from the range
    flag_source: str = ""  # "record" when the source gave the flag, "range" when computed from it
    time: datetime | None = None
    category: str = "lab"  # "lab" | "vital" | other FHIR categories

    @property
    def when(self) -> datetime | None:
        return self.time


@dataclass
class Procedure(Item):
    name: str = ""
    code: str = ""
    date: datetime | None = None

    @property
    def when(self) -> datetime | None:
        return self.date


@dataclass
class Allergy(Item):
    substance: str = ""
    reaction: str = ""
    severity: str = ""
    recorded: datetime | None = None

    @property
    def when(self) -> datetime | None:
        return self.recorded


@dataclass
class Section:
    """A recognised heading inside a document: ``start``/``end`` span the body."""

    heading: str
    key: str  # normalised heading key, e.g. "hospital_course", "discharge_medications"
    start: int
    end: int


@dataclass
class Document(Item):
    title: str = ""
    kind: str = ""  # e.g. admission_note, progress_note, discharge_summary, discharge_orders, note
    date: datetime | None = None
    author: str = ""
    text: str = ""
    sections: list[Section] = field(default_factory=list)

    @property
    def when(self) -> datetime | None:
        return self.date

    def section_text(self, key: str) -> str:
        return "\n".join(self.text[s.start : s.end].strip() for s in self.sections if s.key == key)


@dataclass
class ImportProblem:
    """Something an importer could not use; shown to the user, never dropped."""

    file: str
    message: str
    severity: str = "warning"  # "warning" | "error"

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


ITEM_KINDS = ("conditions", "medications", "observations", "procedures", "allergies", "documents")


@dataclass
class Record:
    patient: Patient = field(default_factory=Patient)
    encounters: list[Encounter] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    medications: list[Medication] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    procedures: list[Procedure] = field(default_factory=list)
    allergies: list[Allergy] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {kind: len(getattr(self, kind)) for kind in ITEM_KINDS}
        counts["encounters"] = len(self.encounters)
        counts["inpatient_stays"] = sum(e.is_inpatient for e in self.encounters)
        return counts

    def merge(self, other: Record) -> None:
        """Fold another file's Record into this one (a folder is one patient's case)."""
        if other.patient.name or other.patient.birth_date or other.patient.identifiers:
            mine = self.patient
            if not (mine.name or mine.birth_date or mine.identifiers):
                self.patient = other.patient
            else:
                mine.name = mine.name or other.patient.name
                mine.sex = mine.sex or other.patient.sex
                mine.birth_date = mine.birth_date or other.patient.birth_date
                for ident in other.patient.identifiers:
                    if ident not in mine.identifiers:
                        mine.identifiers.append(ident)
        known = {e.id: e for e in self.encounters}
        for enc in other.encounters:
            mine = known.get(enc.id)
            if mine is None:
                self.encounters.append(enc)
                known[enc.id] = enc
            else:  # the same stay told by several notes: each may know one date
                mine.start = mine.start or enc.start
                mine.end = mine.end or enc.end
                mine.reason = mine.reason or enc.reason
        for kind in ITEM_KINDS:
            getattr(self, kind).extend(getattr(other, kind))
        self.problems.extend(other.problems)
        self.sources.extend(other.sources)


class RecordError(Exception):
    """A user-facing import failure: the message names the file and what is wrong."""
