"""Several dated notes in one file: where each begins.

Wards export a stay's progress notes into one file: ``PROGRESS NOTE - 03/15/2026 …
PROGRESS NOTE - 03/16/2026``, ``MEDICINE PROGRESS NOTE  Date: 2026-03-14``,
``2026-03-02 09:00 主治医师查房记录 … 2026-03-04 10:10 日常病程记录``. Each such note
is its own dated Document, so the stay's timeline is kept.

A note begins at a short heading-like line that names a kind of note and carries a date
(on the line, or on a ``Date:`` line right under it). A file is cut only when it holds two
such lines, or one that is not at its top.
"""

from __future__ import annotations

import re

from .dates import find_date
from .fields import line_fields

NOTE_WORDS = re.compile(
    r"\bNOTES?\b|\bSUMMARY\b|\bINSTRUCTIONS\b|\bORDERS\b|\bREPORT\b|\bH ?& ?P\b|\bHISTORY AND PHYSICAL\b|\bCONSULT(?:ATION)?\b"
    r"|\bADDENDUM\b|\bEVENT\b|记录|查房|病程|医嘱|小结|会诊|交班|转科|术后|首程",
    re.IGNORECASE,
)
_MAX_HEADER_CHARS = 90
_LOOKAHEAD_LINES = 2
_TOP_LINES = 3


def _lines(text: str) -> list[tuple[int, int]]:
    spans, offset = [], 0
    for raw in text.splitlines(keepends=True):
        spans.append((offset, offset + len(raw.rstrip("\r\n"))))
        offset += len(raw)
    return spans


def _heading_like(line: str) -> bool:
    """Short, no sentence inside, upper case or Chinese (not a line of prose that says "note")."""
    words = line.split()
    if len(line) > _MAX_HEADER_CHARS or len(words) > 12 or re.search(r"[.。;；,，](?:\s+[a-z]|$)", line.rstrip()):
        return False
    letters = [c for c in line if c.isalpha() and c.isascii()]
    cjk = sum("\u4e00" <= c <= "\u9fff" for c in line)
    if cjk >= 2:
        return True
    titled = sum(w[:1].isupper() for w in re.findall(r"[A-Za-z]+", line))
    return bool(letters) and titled >= max(1, len(re.findall(r"[A-Za-z]+", line)) * 0.6)


def _is_field_line(text: str, start: int, end: int) -> bool:
    """ "记录时间：2026-10-08", "Admission Date: …" or a demographics line is a field, not a
    note's heading (a heading may carry a field after it: "PROGRESS NOTE  Date: …")."""
    fields = line_fields(text, start, end)
    at_start = any(f.key and text[start:end].lstrip().startswith(f.label) for f in fields)
    return at_start or any(f.key in {"admission_date", "discharge_date", "name", "birth_date", "identifier"} for f in fields)


def _dated_line(text: str, start: int, end: int) -> bool:
    fields = line_fields(text, start, end)
    return any(f.key == "date" and find_date(f.value) is not None for f in fields)


def dated_heading(text: str, start: int, end: int) -> bool:
    """A note's heading line with its date on it: "PROGRESS NOTE - 03/15/2026",
    "02/24/2026 -- Medicine progress note", "2026-03-02 09:00 主治医师查房记录"."""
    line = text[start:end].strip()
    if not NOTE_WORDS.search(line) or _is_field_line(text, start, end) or len(line) > _MAX_HEADER_CHARS:
        return False
    found = find_date(text, start, end)
    if found is None:
        return False
    rest = text[start : found.start] + " " + text[found.end : end]
    if re.search(r"[，。；;]|[,.]\s", rest):  # "2026-03-03：查房：患者仍有腹痛，…" is a dated sentence, not a heading
        return False
    at_edge = not text[start : found.start].strip() or not text[found.end : end].strip(" \t　-–—:：|()（）")
    return at_edge or _heading_like(line)


def note_starts(text: str) -> list[int]:
    """Offsets of the lines where dated notes begin; [] when the file is one note."""
    lines = [span for span in _lines(text) if text[span[0] : span[1]].strip()]
    starts: list[int] = []
    for index, (start, end) in enumerate(lines):
        if dated_heading(text, start, end):
            starts.append(start)
            continue
        line = text[start:end].strip()
        if not NOTE_WORDS.search(line) or not _heading_like(line) or _is_field_line(text, start, end):
            continue
        if find_date(text, start, end) is None:  # "PROGRESS NOTE" with "Date: …" under it
            following = lines[index + 1 : index + 1 + _LOOKAHEAD_LINES]
            if any(_dated_line(text, s, e) for s, e in following):
                starts.append(start)
    top = {s for s, _ in lines[:_TOP_LINES]}
    if len(starts) >= 2 or (len(starts) == 1 and starts[0] not in top):
        return starts
    return []


def note_parts(text: str) -> list[tuple[int, int]]:
    """Spans of the notes of a file (one span, the whole text, when it is one note). Text
    before the first dated note (a header, an admission note) is a part of its own."""
    starts = note_starts(text)
    if not starts:
        return [(0, len(text))]
    bounds = ([0] if text[: starts[0]].strip() else []) + starts + [len(text)]
    return [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
