"""The export log: one line per .docx written, appended to a local file and never
rewritten, so that who exported which case's draft, when, with which template and model
and with how many open findings can be looked up later (File > Export log in the app).

It holds no patient text: not the patient's name, not the record's or the document's
file names (both often carry the name), not a word of the draft. The case is named by
the app's case number and by ``case_ref``, a short hash of the case's path that matches
the case again only for someone who knows the path; the document by its size and SHA-256
(whoever holds a copy can check it is the one exported).

The file (``exports.jsonl`` in the user's data folder, owner-only) is JSON Lines: each
entry is one ``write`` to a file opened for appending, flushed to the disk before the
export is reported done. A line that does not parse (a torn write after a power cut) is
skipped when reading and counted.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from . import __version__
from .owner_only import FILE_MODE, narrow, private_folder
from .paths import user_data_dir

log = logging.getLogger(__name__)

FILE_NAME = "exports.jsonl"
ENV_FILE = "EMRWRITER_EXPORT_LOG"  # another file (tests, or a site that gathers logs elsewhere)
FORMAT = 1


class AuditError(Exception):
    """The export log could not be written; one line, for the user."""


@dataclass(frozen=True)
class ExportEntry:
    when: str  # local time with its UTC offset, ISO 8601
    user: str  # the operating system's user name
    host: str
    face: str  # "app" | "cli"
    case_id: int | None  # the app's number for the case (its store); None from the command line
    case_ref: str  # a short hash of the case's path (and patient, for multi-patient exports)
    template: str
    model: str
    findings: dict[str, int] | None  # open findings by severity; None: the draft was not checked
    incomplete: int  # sections stopped or cut short, marked so in the document
    bytes: int
    sha256: str
    version: str = __version__
    format: int = FORMAT
    extra: dict = field(default_factory=dict)

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


def log_path() -> Path:
    value = os.environ.get(ENV_FILE)
    return Path(value) if value else user_data_dir() / FILE_NAME


def case_ref(key: str) -> str:
    """12 hex digits of the key's SHA-256; "" when the case is not known."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12] if key else ""


def file_digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no user name in the environment nor the password database
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def record_export(
    document: Path,
    *,
    face: str,
    case_key: str,
    case_id: int | None,
    template: str,
    model: str,
    findings: dict[str, int] | None,
    incomplete: int,
    path: Path | None = None,
    clock: Callable[[], datetime] = datetime.now,
) -> ExportEntry:
    """Append an entry for ``document`` (just written) to the log; AuditError when it cannot."""
    size, sha = file_digest(document)
    entry = ExportEntry(
        when=clock().astimezone().isoformat(timespec="seconds"),
        user=os_user(),
        host=socket.gethostname(),
        face=face,
        case_id=case_id,
        case_ref=case_ref(case_key),
        template=template,
        model=model,
        findings=dict(findings) if findings is not None else None,
        incomplete=incomplete,
        bytes=size,
        sha256=sha,
    )
    append(entry, path or log_path())
    return entry


def append(entry: ExportEntry, path: Path) -> None:
    line = (entry.as_json() + "\n").encode("utf-8")
    try:
        private_folder(path.parent)
        if _ends_torn(path):  # a power cut in the middle of the last line: start a new one
            line = b"\n" + line
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), FILE_MODE)
        try:
            narrow(path)
            if os.write(fd, line) != len(line):
                raise OSError(0, "short write")
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise AuditError(f"{path}: the export log could not be written ({exc.strerror or exc})") from None


def _ends_torn(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                return False
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) != b"\n"
    except FileNotFoundError:
        return False


@dataclass
class ExportLog:
    entries: list[ExportEntry]  # oldest first
    unreadable: int  # lines that did not parse (a torn last line after a power cut)


def read_log(path: Path | None = None) -> ExportLog:
    path = path or log_path()
    entries: list[ExportEntry] = []
    bad = 0
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ExportLog([], 0)
    known = set(ExportEntry.__dataclass_fields__)
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            entries.append(ExportEntry(**{k: v for k, v in data.items() if k in known}))
        except (ValueError, TypeError):
            bad += 1
    if bad:
        log.warning("export log %s: %d lines could not be read", path, bad)
    return ExportLog(entries, bad)
