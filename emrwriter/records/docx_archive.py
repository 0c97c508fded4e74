"""A .docx is a ZIP archive: check it before python-docx (which reads every part into memory
and hands the XML to lxml) touches it.

Each part is checked by its declared size and then by what it really inflates to, read in
chunks and stopped at the cap, so a 1.5 MB file that unpacks to 1.5 GB is refused after
reading about one cap's worth. XML parts that declare a DTD or entities are refused (no Word
file does). Macros and links to outside resources are allowed to stay in the file: only its
text is read, nothing in it is run or fetched, and the user is told so.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from .limits import Limits, limits, too_big, too_many
from .model import ImportProblem, RecordError

_CHUNK = 1 << 20
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_EXTERNAL = re.compile(rb"""TargetMode\s*=\s*["']External["']""")
_MACRO_TYPES = (b"macroEnabled", b"vbaProject", b"ms-office.vbaProject")


def check_docx(path: Path, caps: Limits | None = None) -> list[ImportProblem]:
    """Refuse (RecordError naming the file and the cap) an archive over any docx_* cap, or one
    that is damaged; return what the user should know about the rest (macros, outside links)."""
    caps = caps or limits()
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > caps.count("docx_parts"):
                raise too_many(path, f"{len(members)} parts in the Word file", "docx_parts", caps)
            _check_declared(path, members, caps)
            return _check_inflated(path, archive, members, caps)
    except zipfile.BadZipFile as exc:
        raise RecordError(f"{path}: not a readable Word .docx file (old .doc files must be saved as .docx): {exc}") from None
    except (zlib.error, EOFError) as exc:
        raise RecordError(f"{path}: damaged ZIP/Word file (a part does not unpack: {exc})") from None
    except NotImplementedError as exc:
        raise RecordError(f"{path}: the Word file is packed in a way EMRWriter cannot read ({exc})") from None
    except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required for extraction"
        raise RecordError(f"{path}: the Word file is encrypted or password-protected ({exc})") from None


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels"))


def _check_declared(path: Path, members: list[zipfile.ZipInfo], caps: Limits) -> None:
    """What the archive says the parts unpack to (a lie here is caught while reading)."""
    total = sum(m.file_size for m in members)
    if total > caps.bytes("docx_unpacked_mb"):
        raise too_big(path, total, "docx_unpacked_mb", "the Word file unpacked", caps)
    for member in members:
        if _is_xml(member.filename) and member.file_size > caps.bytes("docx_part_mb"):
            raise too_big(path, member.file_size, "docx_part_mb", f"its part {member.filename} unpacked", caps)


def _check_inflated(path: Path, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], caps: Limits) -> list[ImportProblem]:
    """Every part read in chunks and counted: stop at the first cap passed."""
    total = 0
    notes: list[ImportProblem] = []
    macros = external = False
    for member in members:
        if member.is_dir():
            continue
        name = member.filename
        part_cap = caps.bytes("docx_part_mb") if _is_xml(name) else caps.bytes("docx_unpacked_mb")
        size = 0
        head = b""
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                total += len(chunk)
                if len(head) < 4096:
                    head += chunk[: 4096 - len(head)]
                if _is_xml(name) and size > part_cap:
                    raise too_big(path, size, "docx_part_mb", f"its part {name} unpacked (at least)", caps)
                if total > caps.bytes("docx_unpacked_mb"):
                    raise too_big(path, total, "docx_unpacked_mb", "the Word file unpacked (at least)", caps)
                if _is_xml(name) and name.endswith(".rels") and _EXTERNAL.search(chunk):
                    external = True
                if name == "[Content_Types].xml" and any(t in chunk for t in _MACRO_TYPES):
                    macros = True
        if _is_xml(name) and (_DTD.search(head) or _DTD.search(head.replace(b"\x00", b""))):
            raise RecordError(f"{path}: its part {name} declares a DTD or entities, which no Word file does; refused")
        if name.lower().endswith("vbaproject.bin"):
            macros = True
    if macros:
        notes.append(ImportProblem(str(path), "the Word file contains macros; only its text was read, nothing in it was run"))
    if external:
        notes.append(
            ImportProblem(
                str(path), "the Word file links to outside files or web pages; only its own text was read, nothing was fetched"
            )
        )
    return notes
