"""Open one patient's case: a file or a folder, each file's format sniffed from
its content (the extension is only a hint), everything merged into one Record."""

from __future__ import annotations

import codecs
import json
import logging
import os
import stat
import zipfile
from pathlib import Path

from . import bounded_json, ccda, fhir, labs_csv, medications_csv, notes
from .lab_flags import complete_flags
from .limits import Limits, check_size, check_text, limits, too_big
from .model import Encounter, ImportProblem, Record, RecordError
from .stay_dates import infer_stay_dates
from .text_encoding import decode_text

log = logging.getLogger(__name__)

# In a folder, files with these endings are read; anything else is listed as skipped.
RECORD_SUFFIXES = {".json", ".ndjson", ".xml", ".txt", ".md", ".csv", ".tsv", ".docx", ".pdf", ".hl7", ""}
# The first bytes of a file tell its kind, and so its size cap, before the rest is read.
_HEAD_BYTES = 4096
# kind -> (the cap on its size, what the refusal calls it)
_SIZE_CAPS = {
    "zip": ("docx_mb", "the Word file"),
    "pdf": ("pdf_mb", "the PDF"),
    "json": ("json_mb", "the JSON file"),
    "xml": ("xml_mb", "the XML file"),
    "text": ("text_mb", "the text of a note or table"),
}


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
        _check_ndjson(path, limits())
        return fhir.load_ndjson([path], patient_id)
    return load_file(path)


def _load_folder(folder: Path, patient_id: str | None) -> Record:
    caps = limits()
    record = Record()
    files = _case_files(folder, caps, record.problems)
    ndjson = []
    total = 0  # bytes of the files read so far (limits.folder_mb)
    for file in files:
        if file.suffix.lower() == ".ndjson":
            try:
                _check_ndjson(file, caps)
                total += file.stat().st_size
                if total > caps.bytes("folder_mb"):
                    raise too_big(file, total, "folder_mb", "the case folder with this file", caps)
                ndjson.append(file)
            except RecordError as exc:
                record.problems.append(ImportProblem(str(file), str(exc).removeprefix(f"{file}: "), "error"))
    if ndjson:
        record.merge(fhir.load_ndjson(ndjson, patient_id))
    for file in files:
        if file.suffix.lower() == ".ndjson":
            continue
        if file.suffix.lower() not in RECORD_SUFFIXES:
            record.problems.append(ImportProblem(str(file), f"skipped: {file.suffix} is not a record format"))
            continue
        try:
            part = load_file(file, caps)
        except RecordError as exc:
            # One bad file does not sink the case; it is listed, not dropped.
            record.problems.append(ImportProblem(str(file), str(exc).removeprefix(f"{file}: "), "error"))
            continue
        total += file.stat().st_size
        if total > caps.bytes("folder_mb"):
            refusal = too_big(folder, total, "folder_mb", "the case folder with this file", caps)
            record.problems.append(ImportProblem(str(file), f"not used: {str(refusal).removeprefix(f'{folder}: ')}", "error"))
            total -= file.stat().st_size
            continue
        record.merge(part)
    if not record.sources:
        reasons = "; ".join(str(p) for p in record.problems) or "the folder is empty"
        raise RecordError(f"{folder}: no readable records ({reasons})")
    return record


def _case_files(folder: Path, caps: Limits, problems: list[ImportProblem]) -> list[Path]:
    """The regular files of a case folder, sorted, hidden ones left out. Links are not
    followed (a link out of the folder could reach any file on the PC; one inside it would
    read a file twice); unreadable folders, links and special files are listed as problems."""
    cap = caps.count("folder_files")
    found: list[Path] = []

    def unreadable(error: OSError) -> None:
        problems.append(ImportProblem(str(error.filename), f"folder cannot be read ({error.strerror}); skipped", "error"))

    for top, dirs, names in os.walk(folder, onerror=unreadable):
        here = Path(top)
        dirs[:] = sorted(d for d in dirs if not _hidden(Path(d)) and not _skipped_link(here / d, folder, problems))
        for name in names:
            file = here / name
            if _hidden(Path(name)) or _skipped_link(file, folder, problems):
                continue
            if not file.is_file():
                problems.append(ImportProblem(str(file), "not a regular file (a pipe, device or socket); skipped"))
                continue
            found.append(file)
            if len(found) > cap:
                problems.append(
                    ImportProblem(
                        str(folder), f"more than {cap} files; only the first {cap} were read (limits.folder_files)", "error"
                    )
                )
                return sorted(found)[:cap]
    return sorted(found)


def _skipped_link(path: Path, folder: Path, problems: list[ImportProblem]) -> bool:
    """True (and a problem listed) for a symbolic link, which is never followed."""
    if not path.is_symlink():
        return False
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # a loop or a link to nothing
        problems.append(ImportProblem(str(path), "a link that loops or leads nowhere; skipped"))
        return True
    if target.is_relative_to(folder.resolve()):
        problems.append(
            ImportProblem(str(path), f"a link to {target.relative_to(folder.resolve())} in this case, which is read once", "info")
        )
    else:
        problems.append(ImportProblem(str(path), f"a link to {target}, outside the case folder; not followed"))
    return True


def _check_ndjson(path: Path, caps: Limits) -> None:
    """An NDJSON file is read a line at a time by the FHIR importer; check it is a readable
    regular file within limits.ndjson_mb first."""
    try:
        info = path.stat()
    except OSError as exc:
        raise RecordError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise RecordError(f"{path}: not a regular file (a pipe, device or socket); not read")
    check_size(path, info.st_size, "ndjson_mb", "the NDJSON file", caps)
    if not os.access(path, os.R_OK):
        raise RecordError(f"{path}: cannot be read (permission denied)")


def _hidden(relative: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in relative.parts)


def _sniff(head: bytes) -> str:
    """The kind of a file from its first bytes: zip, pdf, json, xml, hl7 or text."""
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"%PDF-"):
        return "pdf"
    sample = head[:1024]
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        sample = sample[4:].replace(b"\x00", b"")
    elif b"\x00" in sample:  # UTF-16, with or without its mark
        sample = sample.replace(b"\x00", b"")
    start = sample.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf\xfe\xff \t\r\n")
    if start.startswith(("{", "[")):
        return "json"
    if start.startswith("<"):
        return "xml"
    if start.startswith(("MSH|", "FHS|", "BHS|")):
        return "hl7"
    return "text"


def load_file(path: Path, caps: Limits | None = None) -> Record:
    """Import one file, choosing the importer by what the bytes look like. Every kind has a
    size cap (limits.toml, the site config's [limits]), checked before the file is read."""
    caps = caps or limits()
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise RecordError(f"{path}: not a regular file (a pipe, device or socket); not read")
        check_size(path, info.st_size, "file_mb", "the file", caps)
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
            kind = _sniff(head)
            key, what = _SIZE_CAPS.get(kind, ("file_mb", "the file"))
            check_size(path, info.st_size, key, what, caps)
            data = head + handle.read(caps.bytes(key) + 1 - len(head)) if kind not in ("zip", "pdf") else head
    except OSError as exc:
        raise RecordError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    check_size(path, len(data), key, what, caps)  # a file that grew while it was read
    if not data.strip():
        raise RecordError(f"{path}: empty file")
    if kind == "zip":
        return _load_zip(path)
    if kind == "pdf":
        return notes.load_pdf(path)
    text, _encoding = decode_text(data, str(path))
    head_text = text.lstrip("\ufeff \t\r\n")
    if head_text.startswith(("{", "[")):
        check_size(path, len(data), "json_mb", "the JSON file", caps)
        return _load_json(path, text, caps)
    if head_text.startswith("<"):
        check_size(path, len(data), "xml_mb", "the XML file", caps)
        return ccda.load(path, data)
    if head_text.startswith(("MSH|", "FHS|", "BHS|")):
        raise RecordError(f"{path}: HL7 v2 messages are not supported yet; export the record as FHIR, C-CDA or text")
    check_text(path, text, "the text of a note or table", caps)
    if medications_csv.looks_like_medication_csv(text):
        return medications_csv.load(path, data)
    if labs_csv.looks_like_lab_csv(text):
        return labs_csv.load(path, data)
    return notes.load_text(path, data)


def _load_zip(path: Path) -> Record:
    try:
        with zipfile.ZipFile(path) as archive:
            is_docx = "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise RecordError(f"{path}: damaged ZIP/Word file ({exc})") from None
    if not is_docx:
        raise RecordError(f"{path}: a ZIP archive, not a Word .docx; unpack it and open the folder")
    return notes.load_docx(path)


def _load_json(path: Path, text: str, caps: Limits) -> Record:
    try:
        data = bounded_json.loads(text, str(path), caps)
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
