"""Write a Draft to a .docx with python-docx, styled by the template's reference
document. The file is written under a temporary name in the same folder (owner-only,
as mkstemp makes it), flushed to the disk and only then moved into place (os.replace,
atomic), so a crash, a kill or a full disk never leaves half a document under the name
the doctor chose: there is the old file, the whole new one, or none. A full disk says so
in one line and removes its temporary file."""

from __future__ import annotations

import io
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument

from ..drafting.draft import Draft, DraftSection, Table
from ..templates import format_when
from ..words import words as words_of


class ExportError(Exception):
    """A user-facing export failure (file exists, folder not writable, ...)."""


COMMENT_AUTHOR, COMMENT_INITIALS = "EMRWriter", "EW"
TEMP_PREFIX, TEMP_SUFFIX = ".emrwriter-", ".docx.tmp"  # no patient name in a temporary file's name
STALE_SECONDS = 3600


@dataclass(frozen=True)
class Comment:
    """A Word comment on a section's text: ``start``/``end`` index the section's text
    (an empty span comments on the section's heading); key "" means the whole draft."""

    key: str
    start: int
    end: int
    text: str


def write_docx(
    draft: Draft, out: Path, reference: Path | None = None, force: bool = False, comments: list[Comment] | None = None
) -> Path:
    out = Path(out)
    if out.suffix.lower() != ".docx":
        raise ExportError(f"{out}: the output file must end in .docx")
    if out.exists() and not force:
        raise ExportError(f"{out}: already exists; choose another name or use --force to replace it")
    if not out.parent.is_dir():
        raise ExportError(f"{out.parent}: no such folder")
    doc = build_document(draft, reference, comments or [])
    _remove_stale(out.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=out.parent)
    except OSError as exc:
        raise ExportError(f"{out}: cannot write ({exc.strerror})") from None
    try:
        data = io.BytesIO()
        doc.save(data)  # in memory first: a full disk then fails a plain write, not the zip writer
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.getbuffer())
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's file is private; a filed document is not
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"{out}: cannot write ({exc.strerror or exc}); nothing was written") from None
    _sync_folder(out.parent)
    return out


def _remove_stale(folder: Path) -> None:
    """Temporary files an earlier export left behind when it was killed (they hold a whole
    or partial document: patient data): gone once they are an hour old, so a running
    export's own is never touched."""
    now = time.time()
    for path in folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        try:
            if now - path.stat().st_mtime > STALE_SECONDS:
                path.unlink()
        except OSError:
            pass


def _sync_folder(folder: Path) -> None:
    """The rename itself on the disk (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def build_document(draft: Draft, reference: Path | None = None, comments: list[Comment] = ()) -> DocxDocument:
    words = words_of(draft.language)["export"]  # the document's own wording, in the draft's language
    doc = Document(str(reference)) if reference else Document()
    body = doc.element.body
    for child in list(body):  # the reference carries styles; its text is not ours
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    title = doc.add_heading(draft.title, level=0)
    for comment in comments:
        if comment.key not in {s.key for s in draft.sections}:
            _comment(doc, title.runs, comment.text)
    _table(doc, Table(header=[], rows=_pairs(draft.patient)))
    for section in draft.sections:
        _section(doc, section, words, [c for c in comments if c.key == section.key])
    notes = [*draft.omitted, *draft.problems]
    if notes:
        doc.add_heading(words["notes_heading"], level=2)
        for note in notes:
            doc.add_paragraph(note, style="List Bullet")
    footer = doc.sections[0].footer.paragraphs[0]
    footer.text = words["footer"].format(
        model=draft.model or words["no_model"], template=draft.template, created=format_when(draft.created)
    )
    return doc


def _section(doc: DocxDocument, section: DraftSection, words: dict[str, str], comments: list[Comment]) -> None:
    heading = doc.add_heading(section.heading, level=1)
    placed: set[Comment] = set()
    offset = 0
    for line in section.text.splitlines(keepends=True) or [""]:
        start = offset + len(line) - len(line.lstrip())
        text = line.strip()
        offset += len(line)
        if not text:
            continue
        end = start + len(text)
        here = [c for c in comments if c.start < c.end and start <= c.start < end]
        _commented_paragraph(doc, text, start, here)
        placed.update(here)
    for comment in comments:
        if comment not in placed:  # about something missing, or where the text has only blanks
            _comment(doc, heading.runs, comment.text)
    if not section.complete:
        doc.add_paragraph(words["incomplete"].format(note=section.note)).runs[0].italic = True
    if section.table is not None:
        _table(doc, section.table)


def _commented_paragraph(doc: DocxDocument, text: str, start: int, comments: list[Comment]) -> None:
    """A paragraph split into runs at the comments' edges, each comment anchored on
    exactly the words it is about."""
    cuts = sorted({0, len(text)} | {min(max(p - start, 0), len(text)) for c in comments for p in (c.start, c.end)})
    paragraph = doc.add_paragraph()
    runs = []
    for a, b in zip(cuts, cuts[1:]):
        if b > a:
            runs.append((a, b, paragraph.add_run(text[a:b])))
    for comment in comments:
        lo, hi = comment.start - start, min(comment.end - start, len(text))
        covered = [run for a, b, run in runs if a < hi and b > lo]
        _comment(doc, covered or [r for _, _, r in runs], comment.text)


def _comment(doc: DocxDocument, runs, text: str) -> None:
    if runs:
        doc.add_comment(runs, text=text, author=COMMENT_AUTHOR, initials=COMMENT_INITIALS)


def _pairs(fields: dict[str, str]) -> list[list[str]]:
    """Header fields laid out two label/value pairs per row."""
    items = list(fields.items())
    rows = []
    for i in range(0, len(items), 2):
        row = [*items[i]]
        row += [*items[i + 1]] if i + 1 < len(items) else ["", ""]
        rows.append(row)
    return rows


def _table(doc: DocxDocument, table: Table) -> None:
    columns = max([len(table.header), *(len(r) for r in table.rows)], default=0)
    if not columns:
        return
    if table.caption:
        doc.add_paragraph(table.caption)
    grid = doc.add_table(rows=0, cols=columns)
    grid.style = "Table Grid"
    if table.header:
        cells = grid.add_row().cells
        for cell, text in zip(cells, table.header):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
    for row in table.rows:
        for cell, text in zip(grid.add_row().cells, row):
            cell.text = text
