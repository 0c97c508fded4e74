"""Import lab result tables exported as CSV (zh or en headers, any column order).

Hospital LIS exports differ in delimiter, encoding and header wording, so the
columns are found by name (``LAB_COLUMNS``, one place to add synonyms) and the
delimiter is sniffed. Every row becomes one Observation whose provenance names
the row as a spreadsheet shows it ("row 2" is the first data row under the
header) and its character span in the decoded text. A row that cannot be used
is reported as an ImportProblem, never dropped silently.
"""

from __future__ import annotations

import csv
import logging
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .dates import parse_datetime
from .limits import limits, too_many
from .model import ImportProblem, Observation, Provenance, Record, RecordError
from .text_encoding import decode_text

logger = logging.getLogger(__name__)

# Header synonyms per field, compared after lower-casing and trimming.
LAB_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": (
        "项目",
        "检验项目",
        "项目名称",
        "检验项目名称",
        "检查项目",
        "name",
        "test",
        "test name",
        "analyte",
        "item",
        "component",
    ),
    "value": ("结果", "检验结果", "结果值", "测定值", "value", "result", "results", "result value"),
    "unit": ("单位", "unit", "units"),
    "range": (
        "参考范围",
        "参考值",
        "参考区间",
        "reference range",
        "reference interval",
        "reference",
        "range",
        "ref",
        "ref range",
        "normal range",
    ),
    "flag": ("标志", "提示", "异常", "异常标志", "结果标志", "异常提示", "flag", "flags", "abnormal", "abnormal flag"),
    "time": (
        "时间",
        "报告时间",
        "采样时间",
        "检验时间",
        "采集时间",
        "送检时间",
        "日期",
        "检验日期",
        "报告日期",
        "date",
        "time",
        "date/time",
        "datetime",
        "collected",
        "collection time",
        "collection date",
        "result date",
        "result time",
        "reported",
    ),
    "code": ("代码", "项目代码", "编码", "code", "loinc", "loinc code"),
}
REQUIRED_COLUMNS = ("name", "value")
_DELIMITERS = ",;\t"

_SYNONYMS = {synonym: field for field, synonyms in LAB_COLUMNS.items() for synonym in synonyms}


# A header is read over its first columns only; a "header" of a million cells is no table of ours.
MAX_COLUMNS = 200


def _normalise_header(cell: str) -> str:
    text = re.sub(r"\s+", " ", cell.strip().strip("\ufeff\"'").strip().lower())
    if text in _SYNONYMS:
        return text
    return re.sub(r"\s*[(（][^)）]*[)）]$", "", text)  # "value (mmol/L)", "结果(Result)"


def _map_columns(header: list[str]) -> dict[str, int]:
    """Field -> column index; the first column matching a field wins."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header[:MAX_COLUMNS]):
        field = _SYNONYMS.get(_normalise_header(cell))
        if field and field not in columns:
            columns[field] = index
    return columns


def _rows(text: str) -> list[tuple[int, int]]:
    """Spans of CSV records in ``text``; a newline inside double quotes does not end one."""
    spans = []
    start = 0
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "\n" and not quoted:
            end = index - 1 if index > start and text[index - 1] == "\r" else index
            spans.append((start, end))
            start = index + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _sniff_delimiter(sample: str) -> str:
    """csv.Sniffer first; when it cannot decide, the delimiter most frequent in the header."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first_line = sample.split("\n", 1)[0]
        return max(_DELIMITERS, key=first_line.count)


def _parse_row(text: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([text], delimiter=delimiter), [])
    except csv.Error:  # a field longer than the csv module allows (128 KB): no table cell of ours
        return text.split(delimiter)


def _header(text: str) -> tuple[list[tuple[int, int]], int, list[str], str] | None:
    """(row spans, index of the header row, header cells, delimiter), or None for an empty table."""
    spans = _rows(text)
    nonblank = [i for i, (s, e) in enumerate(spans) if text[s:e].strip()]
    if not nonblank:
        return None
    head = nonblank[0]
    sample = "\n".join(text[s:e] for s, e in spans[head : head + 20])
    delimiter = _sniff_delimiter(sample)
    cells = _parse_row(text[slice(*spans[head])], delimiter)
    if len(_map_columns(cells).keys() & set(REQUIRED_COLUMNS)) < len(REQUIRED_COLUMNS):
        # Sniffer can be fooled by commas inside values; trust the header that names our columns.
        for candidate in _DELIMITERS:
            other = _parse_row(text[slice(*spans[head])], candidate)
            if set(REQUIRED_COLUMNS) <= _map_columns(other).keys():
                delimiter, cells = candidate, other
                break
    return spans, head, cells, delimiter


def is_lab_header(cells: list[str]) -> bool:
    """True for a table header naming a test and a result column (a CSV's, or a note's table)."""
    return len(cells) > 1 and set(REQUIRED_COLUMNS) <= _map_columns(cells).keys()


def table_observations(
    file: str, header: list[str], rows: list[tuple[int, int, list[str]]], problems: list[ImportProblem]
) -> list[Observation]:
    """The rows of a lab table found inside a note (a .docx table): (start, end, cells) each."""
    table = _Table(file, _map_columns(header), len(header))
    found = []
    for number, (start, end, cells) in enumerate(rows, start=1):
        if any(cell.strip() for cell in cells):
            observation = table.observation(number, start, end, cells, problems)
            if observation is not None:
                found.append(observation)
    return found


_RESULT_WORDS = Path(__file__).with_name("lab_result_words.toml")
# A reference range of numbers ("3.5-5.1", "<10", "≥60") says the result should be a number too.
_NUMERIC_RANGE = re.compile(r"^\s*(?:[<>≤≥]=?\s*)?\d+(?:\.\d+)?(?:\s*[-–~～]\s*\d+(?:\.\d+)?)?\s*$")


@cache
def _result_words() -> tuple[str, ...]:
    return tuple(tomllib.loads(_RESULT_WORDS.read_text(encoding="utf-8"))["words"])


def _is_result_word(value: str) -> bool:
    """A result that is a word on purpose ("pending", "阴性"): lab_result_words.toml."""
    folded = value.strip().lower().rstrip(".")
    return any(folded == word or folded.startswith(word + " ") for word in _result_words())


def check_rows(file: str, rows: int) -> None:
    """Refuse a table of more rows than limits.csv_rows (one line naming the file and the cap)."""
    caps = limits()
    if rows > caps.count("csv_rows"):
        raise too_many(file, f"{rows} rows in the table", "csv_rows", caps)


def looks_like_lab_csv(text: str) -> bool:
    """True when the first non-empty line is a header naming a test and a result column."""
    found = _header(text.lstrip("\ufeff"))
    if found is None:
        return False
    _, _, cells, _ = found
    return len(cells) > 1 and set(REQUIRED_COLUMNS) <= _map_columns(cells).keys()


def load(path: Path, data: bytes) -> Record:
    """Every data row of a lab table as an Observation (category "lab")."""
    file = str(path)
    text, encoding = decode_text(data, file)
    found = _header(text)
    if found is None:
        raise RecordError(f"{file}: the lab table is empty")
    spans, head, cells, delimiter = found
    columns = _map_columns(cells)
    for field in REQUIRED_COLUMNS:
        if field not in columns:
            expected = " / ".join(LAB_COLUMNS[field][:6])
            raise RecordError(f"{file}: lab table has no {field} column (expected a header such as {expected})")
    check_rows(file, len(spans) - head - 1)
    table = _Table(file, columns, len(cells))
    record = Record(sources=[file])
    for index in range(head + 1, len(spans)):
        start, end = spans[index]
        row = _parse_row(text[start:end], delimiter)
        if not any(cell.strip() for cell in row):
            continue  # an empty line is no data
        observation = table.observation(index + 1, start, end, row, record.problems)
        if observation is not None:
            record.observations.append(observation)
    if not record.observations and not record.problems:
        record.problems.append(ImportProblem(file, "the lab table has a header but no data rows"))
    logger.debug("%s: %s, delimiter %r, %d lab rows", path.name, encoding, delimiter, len(record.observations))
    return record


@dataclass(frozen=True)
class _Table:
    file: str
    columns: dict[str, int]
    width: int

    def observation(
        self, row_number: int, start: int, end: int, cells: list[str], problems: list[ImportProblem]
    ) -> Observation | None:
        """One row as an Observation, or None (with a problem) when it lacks a name or value."""

        def cell(field: str) -> str:
            index = self.columns.get(field)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        where = f"row {row_number}"
        missing = [field for field in REQUIRED_COLUMNS if not cell(field)]
        if missing:
            problems.append(ImportProblem(self.file, f"{where}: no {' and no '.join(missing)}; the row was not imported"))
            return None
        if any(c.strip() for c in cells[self.width :]):
            problems.append(ImportProblem(self.file, f"{where}: more cells than the header has columns; extra cells ignored"))
        when = parse_datetime(cell("time")) if cell("time") else None
        if cell("time") and when is None:
            problems.append(ImportProblem(self.file, f"{where}: time {cell('time')!r} is not a date EMRWriter can read"))
        value = cell("value")
        if not any(c.isdigit() for c in value) and _NUMERIC_RANGE.search(cell("range")) and not _is_result_word(value):
            problems.append(
                ImportProblem(
                    self.file,
                    f"{where}: result {cell('value')!r} of {cell('name')!r} is not a number, though its reference range "
                    f"{cell('range')!r} is; kept as written",
                )
            )
        return Observation(
            provenance=Provenance(file=self.file, locator=where, start=start, end=end),
            name=cell("name"),
            code=cell("code"),
            value=cell("value"),
            unit=cell("unit"),
            reference_range=cell("range"),
            flag=cell("flag"),
            time=when,
            category="lab",
        )
