"""Key-value fields of a note's header lines, several to a line.

Wards write demographics as ``姓名：王某某　　性别：男　　年龄：68岁``, ``Patient: Jane Doe
DOB: 03/02/1952    MRN: 123`` or ``Name: X | DOB: … | MRN: …``: a value runs until the
next known label or a strong separator (a tab, two spaces, a full-width space, ``|``,
``；``), never to the end of the line. The labels are data (``field_labels.toml``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Field:
    key: str  # e.g. "name", "sex", "identifier"; "" for a label we do not know
    label: str
    value: str
    start: int  # span of the value in the text
    end: int


@cache
def _labels() -> dict[str, tuple[str, ...]]:
    data = tomllib.loads(resources.files(__package__).joinpath("field_labels.toml").read_text("utf-8"))
    return {key: tuple(values) for key, values in data["labels"].items()}


@cache
def _label_lookup() -> dict[str, str]:
    return {_fold(label): key for key, labels in _labels().items() for label in labels}


@cache
def _known_label() -> re.Pattern[str]:
    """A known label followed by a colon, anywhere after a space or separator."""
    labels = sorted((label for labels in _labels().values() for label in labels), key=len, reverse=True)
    alternatives = "|".join(re.escape(label).replace(r"\ ", r"[ \t]+") for label in labels)
    # Markdown emphasis around a label is kept out of it: "**姓名**：陈某某"
    # ... and a dotted leader stands for the colon: "Patient name ........ Priya Raman"
    return re.compile(
        rf"(?:^|(?<=[\s|,，;；/]))(?:\*\*|__)?(?P<label>{alternatives})(?:\*\*|__)?(?:[ \t　]*[:：]|[ \t]*[.…·]{{3,}})",
        re.IGNORECASE,
    )


_SEPARATOR = re.compile(r"\t|[ ]{2,}|　+|\s*[|｜;；]\s*")
# An unknown label opens a segment only when it is short and sits right after a separator.
_UNKNOWN_LABEL = re.compile(r"^[ \t　]*(?P<label>[A-Za-z][A-Za-z .#/]{0,20}|[\u4e00-\u9fff]{1,8})[ \t　]*[:：]")


def _fold(label: str) -> str:
    return re.sub(r"\s+", " ", label).strip().lower()


def label_key(label: str) -> str:
    return _label_lookup().get(_fold(label), "")


_CELL = re.compile(r"[^\t|｜]+")


def _cell_fields(text: str, start: int, end: int) -> list[Field]:
    """A row of cells, label then value: "姓名 | 李某某 | 性别 | 女" (a .docx table), "住院号\t2603"."""
    cells = [(m.start(), m.end()) for m in _CELL.finditer(text, start, end) if m.group().strip()]
    fields = []
    index = 0
    while index + 1 < len(cells):
        label = text[cells[index][0] : cells[index][1]].strip()
        key = label_key(label)
        if key:
            s, e = cells[index + 1]
            while s < e and text[s] in " 　":
                s += 1
            while e > s and text[e - 1] in " 　":
                e -= 1
            fields.append(Field(key, label, text[s:e], s, e))
            index += 2
        else:
            index += 1
    return fields


def line_fields(text: str, start: int, end: int) -> list[Field]:
    """The fields of one line ``text[start:end]``; [] when it holds no ``label: value``
    (nor label and value in cells of a table row)."""
    if not re.search(r"[:：]", text[start:end]) and re.search(r"\t|\|", text[start:end]):
        return _cell_fields(text, start, end)
    cuts: list[tuple[int, int, str]] = []  # (label start, value start, label)
    for match in _known_label().finditer(text, start, end):
        cuts.append((match.start(), match.end(), match["label"]))
    position = start
    for separator in [*_SEPARATOR.finditer(text, start, end), None]:
        segment_start = position
        position = separator.end() if separator else end
        unknown = _UNKNOWN_LABEL.match(text, segment_start, end)
        if unknown and not any(a <= unknown.start("label") < b for a, b, _ in cuts):
            if not any(c[0] == unknown.start("label") for c in cuts):
                cuts.append((unknown.start("label"), unknown.end(), unknown["label"]))
    cuts.sort()
    fields = []
    for index, (label_start, value_start, label) in enumerate(cuts):
        stop = cuts[index + 1][0] if index + 1 < len(cuts) else end
        value_end = stop
        separator = _SEPARATOR.search(text, value_start, stop)
        # a strong separator ends the value, unless the value has not started yet
        while separator is not None and not text[value_start : separator.start()].strip():
            separator = _SEPARATOR.search(text, separator.end(), stop)
        if separator is not None:
            value_end = separator.start()
        s, e = value_start, value_end
        while s < e and text[s] in " \t　*_":
            s += 1
        while e > s and text[e - 1] in " \t　,，;；|*_":
            e -= 1
        fields.append(Field(label_key(label), label.strip(), text[s:e], s, e))
    return fields


def header_fields(text: str, limit: int) -> dict[str, Field]:
    """The first field of each known key in the first ``limit`` characters."""
    found: dict[str, Field] = {}
    offset = 0
    for raw in text[:limit].splitlines(keepends=True):
        line_end = offset + len(raw.rstrip("\r\n"))
        for field in line_fields(text, offset, line_end):
            if field.key and field.value and field.key not in found:
                found[field.key] = field
        offset += len(raw)
    return found
