"""Read a draft to verify: .txt, .md or .docx, as one text whose indices the
findings use.

A .txt/.md file reads as Python reads it (``open(path).read()``: universal
newlines, a UTF-8 BOM kept as U+FEFF), so a finding's ``start``/``end`` slice
the same characters a caller sees. Other encodings (GBK) are decoded as the
importer does. A .docx reads as its paragraphs and table rows ("a | b | c") in
body order, one per line, the same text the importer builds from a Word note.
"""

from __future__ import annotations

from pathlib import Path

from ..records.model import RecordError
from ..records.text_encoding import decode_text

DRAFT_SUFFIXES = (".txt", ".md", ".docx")


def read_draft(path: Path) -> str:
    """The draft's text; RecordError (naming the file) when it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise RecordError(f"{path}: no such draft file")
    suffix = path.suffix.lower()
    if suffix not in DRAFT_SUFFIXES:
        raise RecordError(f"{path}: a draft must be .txt, .md or .docx, not {suffix or 'a file without an extension'}")
    if suffix == ".docx":
        return _docx_text(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text, _ = decode_text(data, str(path))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _docx_text(path: Path) -> str:
    """The whole draft, as written (not cut into notes as an imported record would be)."""
    import zipfile

    from docx.opc.exceptions import PackageNotFoundError

    from ..records.notes import docx_text

    try:
        return docx_text(path).replace("\r\n", "\n")
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise RecordError(f"{path}: not a readable Word .docx file: {exc}") from None
