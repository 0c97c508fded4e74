"""Open one patient's case: a file or a folder, each file's format sniffed from
its content (the extension is only a hint), everything merged into one Record."""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path

from . import ccda, fhir, labs_csv, medications_csv, notes
from .lab_flags import complete_flags
from .model import Encounter, ImportProblem, Record, RecordError
from .stay_dates import infer_stay_dates
from .text_encoding import decode_text

log = logging.getLogger(__name__)

# In a folder, files with these endings are read; anything else is listed as skipped.
RECORD_SUFFIXES = {".json", ".ndjson", ".xml", ".txt", ".md", ".csv", ".tsv", ".docx", ".pdf", ".hl7", ""}
MAX_FILE_BYTES = 200 * 1024 * 1024


def load_case(path: Path, patient_id: str | None = None) -> Record:
    """Import a file or a folder as one patient's Record; raise RecordError for unusable input."""
    path = Path(path)
    if not path.exists():
        raise RecordError(f"{path}: no such file or folder")
    record = _load_folder(path, patient_id) if path.is_dir() else _load_single(path, patient_id)
    for encounter in record.encounters:
        if encounter.id == notes.STAY_ID:
            infer_stay_dates(record, encounter)
    complete_flags(record.observations)
    _ensure_stay(record)
    return record


def _load_single(path: Path, patient_id: str | None) -> Record:
    if path.suffix.lower() == ".ndjson":
        return fhir.load_ndjson([path], patient_id)
    return load_file(path)


def _load_folder(folder: Path, patient_id: str | None) -> Record:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not _hidden(p.relative_to(folder)))
    record = Record()
    ndjson = [p for p in files if p.suffix.lower() == ".ndjson"]
    if ndjson:
        record.merge(fhir.load_ndjson(ndjson, patient_id))
    for file in files:
        if file.suffix.lower() == ".ndjson":
            continue
        if file.suffix.lower() not in RECORD_SUFFIXES:
            record.problems.append(ImportProblem(str(file), f"skipped: {file.suffix} is not a record format"))
            continue
        try:
            record.merge(load_file(file))
        except RecordError as exc:
            # One bad file does not sink the case; it is listed, not dropped.
            record.problems.append(ImportProblem(str(file), str(exc).removeprefix(f"{file}: "), "error"))
    if not record.sources:
        reasons = "; ".join(str(p) for p in record.problems) or "the folder is empty"
        raise RecordError(f"{folder}: no readable records ({reasons})")
    return record


def _hidden(relative: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in relative.parts)


def load_file(path: Path) -> Record:
    """Import one file, choosing the importer by what the bytes look like."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise RecordError(f"{path}: {size // 2**20} MB is larger than the {MAX_FILE_BYTES // 2**20} MB limit for one record file")
    data = path.read_bytes()
    if not data.strip():
        raise RecordError(f"{path}: empty file")
    if data.startswith(b"PK\x03\x04"):
        return _load_zip(path)
    if data.startswith(b"%PDF-"):
        return notes.load_pdf(path)
    text, _encoding = decode_text(data, str(path))
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith(("{", "[")):
        return _load_json(path, text)
    if head.startswith("<"):
        return ccda.load(path, data)
    if head.startswith(("MSH|", "FHS|", "BHS|")):
        raise RecordError(f"{path}: HL7 v2 messages are not supported yet; export the record as FHIR, C-CDA or text")
    if medications_csv.looks_like_medication_csv(text):
        return medications_csv.load(path, data)
    if labs_csv.looks_like_lab_csv(text):
        return labs_csv.load(path, data)
    return notes.load_text(path, data)


def _load_zip(path: Path) -> Record:
    try:
        with zipfile.ZipFile(path) as archive:
            is_docx = "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        raise RecordError(f"{path}: damaged ZIP/Word file") from None
    if not is_docx:
        raise RecordError(f"{path}: a ZIP archive, not a Word .docx; unpack it and open the folder")
    return notes.load_docx(path)


def _load_json(path: Path, text: str) -> Record:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):
            return fhir.load_ndjson([path])  # one JSON object per line
        raise RecordError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if not isinstance(data, dict) or "resourceType" not in data:
        raise RecordError(f"{path}: JSON but not FHIR (no resourceType)")
    if data["resourceType"] != "Bundle":
        data = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": data}]}
    return fhir.load_bundle(path, data)


def _ensure_stay(record: Record) -> None:
    """Free-text cases may name no encounter at all: they are one stay, said so."""
    if record.encounters:
        return
    record.encounters.append(Encounter(id="stay", kind="inpatient", type_text="inpatient stay"))
    record.problems.append(
        ImportProblem(
            ", ".join(record.sources[:3]) or "case",
            "no admission or discharge date found; treated as one stay with unknown dates",
        )
    )
