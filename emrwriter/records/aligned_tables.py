"""Lab tables typed or printed with aligned columns inside a note.

LIS printouts pasted into notes look like::

    CHEMISTRY              02/03/26 14:10   02/05/26 06:00   REF RANGE    UNITS
    Potassium              6.8              4.9              3.5-5.1      mmol/L
    项目                    结果      单位          参考范围
    白细胞计数(WBC)          3.1       10^9/L        3.5-9.5

Columns are found from the header's positions (cells are two or more spaces or a tab
apart, so an empty cell keeps the row aligned), a column headed by a date holds the
values of that date, and each value becomes one row of a plain lab table:
(name, value, unit, range, time), read by the CSV lab importer's own rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import find_date

_CELL = re.compile(r"\S+(?: \S+)*")  # cells: runs of text with single spaces inside
_RANGE_HEADER = re.compile(r"参考|\bREF\b|\bRANGE\b|\bREFERENCE\b|\bNORMAL\b", re.IGNORECASE)
_UNIT_HEADER = re.compile(r"单位|\bUNITS?\b", re.IGNORECASE)
_RESULT_HEADER = re.compile(r"结果|测定值|\bRESULTS?\b|\bVALUE\b", re.IGNORECASE)
_SHORT_DATE = re.compile(r"\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?\b")  # "02/03/26 14:10" heading a column of values
_NUMBER = re.compile(r"^[<>≤≥]?\s*\d")
HEADER = ["项目", "结果", "单位", "参考范围", "时间"]


@dataclass
class _Column:
    start: int
    kind: str  # name | value | unit | range | other
    time: str = ""


def _time(text: str) -> str:
    """A column's date as ISO text ("02/03/26 14:10" -> "2026-02-03 14:10"); "" when unreadable."""
    if find_date(text) is not None:
        return text
    short = re.match(r"(\d{1,2})[/-](\d{1,2})[/-](\d{2})(?!\d)(?:\s+(\d{1,2}:\d{2}))?", text)
    if short is None:
        return ""
    month, day, year, clock = short.groups()
    return f"20{year}-{int(month):02d}-{int(day):02d}" + (f" {clock}" if clock else "")


def _cells(line: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in _CELL.finditer(line.replace("\t", "  "))]


def _columns(line: str) -> list[_Column] | None:
    cells = _cells(line)
    if len(cells) < 3 or not any(_RANGE_HEADER.search(text) for _, text in cells):
        return None
    columns = []
    for index, (start, text) in enumerate(cells):
        date = find_date(text)
        if index == 0:
            kind = "name"
        elif _RANGE_HEADER.search(text):
            kind = "range"
        elif _UNIT_HEADER.search(text):
            kind = "unit"
        elif date is not None or _SHORT_DATE.match(text) or _RESULT_HEADER.search(text):
            kind = "value"
        else:
            kind = "other"
        columns.append(_Column(start, kind, _time(text) if kind == "value" and not _RESULT_HEADER.search(text) else ""))
    return columns if any(c.kind == "value" for c in columns) else None


def _assign(columns: list[_Column], line: str) -> dict[int, str]:
    """Cell text by column index: a cell belongs to the last column starting at or before it."""
    found: dict[int, str] = {}
    for start, text in _cells(line):
        index = max((i for i, c in enumerate(columns) if c.start <= start + 2), default=0)
        found[index] = f"{found[index]} {text}" if index in found else text
    return found


def aligned_lab_rows(text: str) -> list[tuple[int, int, list[str]]]:
    """(start, end, [name, value, unit, range, time]) for each value of each aligned lab table."""
    rows: list[tuple[int, int, list[str]]] = []
    columns: list[_Column] | None = None
    offset = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        start, end = offset, offset + len(line)
        offset += len(raw)
        if not line.strip():
            columns = None
            continue
        header = _columns(line)
        if header is not None:
            columns = header
            continue
        if columns is None or len(_cells(line)) < 2:
            columns = None if columns is not None and len(_cells(line)) < 2 else columns
            continue
        cells = _assign(columns, line)
        by_kind = {c.kind: cells.get(i, "") for i, c in enumerate(columns) if c.kind in {"name", "unit", "range"}}
        for index, column in enumerate(columns):
            value = cells.get(index, "")
            if column.kind == "value" and _NUMBER.match(value):
                rows.append(
                    (start, end, [by_kind["name"], value, by_kind.get("unit", ""), by_kind.get("range", ""), column.time])
                )
    return rows
