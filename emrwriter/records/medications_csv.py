"""Import medication tables exported as CSV: medication reconciliations and HIS order exports.

Two shapes reach a ward PC. A *medication reconciliation* lists each drug with what
happens to it at discharge (continue/new/change/stop, 继续/新增/调整/停用). A *HIS order
export* (医嘱单) lists every order of the stay with its type (长期/临时/出院带药,
scheduled/PRN/one-time/discharge); only its drug orders are medications, the nursing,
diet and test orders stay in the text. Columns are found by name and values are read by
synonym, both from ``medication_columns.toml`` (data a pharmacist can extend).

Every drug row becomes one Medication whose provenance names the row as a spreadsheet
shows it ("row 2" is the first row under a header on line 1) and its character span in
the decoded text; the whole text is kept as one Document so it stays readable in the app.
A row that cannot be used is an ImportProblem, never dropped silently.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

from ..vocabulary.drug_names import ZH_FORMS
from ..vocabulary.drugs import find_drugs
from .dates import parse_datetime
from .labs_csv import _DELIMITERS, MAX_COLUMNS, _parse_row, _rows, _sniff_delimiter, check_rows, looks_like_lab_csv
from .medication_text import parse_medication
from .model import Document, ImportProblem, Medication, Provenance, Record, RecordError
from .notes import STAY_ID
from .text_encoding import decode_text

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Vocabulary:
    """The contents of ``medication_columns.toml``, folded for lookup."""

    columns: dict[str, tuple[str, ...]]  # field -> header synonyms, best first
    actions: dict[str, tuple[str, ...]]  # status -> action-cell synonyms
    order_types: dict[str, tuple[str, ...]]  # discharge | long_term | prn | one_time -> synonyms
    yes: frozenset[str]
    no: frozenset[str]
    forms_en: frozenset[str]
    zh_prefixes: tuple[str, ...]


def load_vocabulary(text: str | None = None) -> Vocabulary:
    """Read the vocabulary (the packaged TOML file unless ``text`` is given)."""
    if text is None:
        text = resources.files(__package__).joinpath("medication_columns.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)

    def folded(table: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
        return {key: tuple(_fold(value) for value in values) for key, values in table.items()}

    return Vocabulary(
        columns=folded(data["columns"]),
        actions=folded(data["actions"]),
        order_types=folded(data["order_types"]),
        yes=frozenset(_fold(v) for v in data["yes_no"]["yes"]),
        no=frozenset(_fold(v) for v in data["yes_no"]["no"]),
        forms_en=frozenset(_fold(v) for v in data["drug_forms"]["en"]),
        zh_prefixes=tuple(data["drug_forms"]["zh_prefixes"]),
    )


def _fold(value: str) -> str:
    return re.sub(r"\s+", " ", value.strip().strip("\ufeff\"'").strip().lower())


VOCABULARY = load_vocabulary()
MEDICATION_COLUMNS = VOCABULARY.columns
# Beside the drug name, a medication table names at least one of these.
SECOND_FIELDS = frozenset({"dose", "route", "frequency", "action", "order_type", "home"})
MAX_PREAMBLE_LINES = 5  # title/patient lines a HIS export prints above its header
MAX_HEADER_CELL = 40  # a header cell is a column name, not a sentence
SNIFF_ROWS = 50  # data rows looked at to tell an order-type column
SNIFF_CHARS = 64 * 1024  # a table's header is near its start; a long note is not read whole to tell
# Group markers HIS exports draw in front of orders given together (┏ first, ┃ middle, ┗ last).
_GROUP_MARKS = "┏┃┗┓┛│└┌├┣┠ \t　"

# status -> role of a reconciliation row with that action at discharge
_ACTION_ROLES = {"new": "discharge", "continued": "discharge", "changed": "discharge", "stopped": ""}

_SYNONYM_RANK = {
    synonym: (field, rank) for field, synonyms in MEDICATION_COLUMNS.items() for rank, synonym in enumerate(synonyms)
}


def _header_key(cell: str) -> str:
    text = _fold(cell)
    if text in _SYNONYM_RANK:
        return text
    return re.sub(r"\s*[(（\[][^)）\]]*[)）\]]$", "", text)  # "Dose (mg)", "剂量(Dose)"


def _map_columns(header: list[str]) -> dict[str, int]:
    """Field -> column index; among columns matching one field, the best-ranked synonym wins."""
    best: dict[str, tuple[int, int]] = {}
    for index, cell in enumerate(header[:MAX_COLUMNS]):
        found = _SYNONYM_RANK.get(_header_key(cell))
        if found is None:
            continue
        field, rank = found
        if field not in best or rank < best[field][0]:
            best[field] = (rank, index)
    return {field: index for field, (_, index) in best.items()}


@dataclass(frozen=True)
class _Header:
    spans: list[tuple[int, int]]
    head: int  # index into spans of the header row
    cells: list[str]
    columns: dict[str, int]
    delimiter: str

    @property
    def is_orders(self) -> bool:
        return "order_type" in self.columns


def _header(text: str) -> _Header | None:
    """The medication header among the first lines (a title may stand above it), or None."""
    spans = _rows(text)
    nonblank = [i for i, (s, e) in enumerate(spans) if text[s:e].strip()]
    for head in nonblank[: MAX_PREAMBLE_LINES + 1]:
        line = text[slice(*spans[head])]
        sample = "\n".join(text[s:e] for s, e in spans[head : head + 20])
        for delimiter in dict.fromkeys(_sniff_delimiter(sample) + _DELIMITERS):
            cells = _parse_row(line, delimiter)
            if len(cells) < 2 or any(len(cell.strip()) > MAX_HEADER_CELL for cell in cells):
                continue
            columns = _map_columns(cells)
            if "order_type" in columns and not _has_order_types(text, spans[head + 1 :], delimiter, columns["order_type"]):
                del columns["order_type"]  # "类型: 西药" in a medication list is no order type
            if "name" in columns and columns.keys() & SECOND_FIELDS:
                return _Header(spans, head, cells, columns, delimiter)
    return None


def _has_order_types(text: str, spans: list[tuple[int, int]], delimiter: str, index: int) -> bool:
    """True when the first rows' cells of column ``index`` hold order types (长期/临时, PRN, ...)."""
    for start, end in spans[:SNIFF_ROWS]:
        cells = _parse_row(text[start:end], delimiter)
        if index < len(cells) and _lookup(cells[index], VOCABULARY.order_types):
            return True
    return False


def looks_like_medication_csv(text: str) -> bool:
    """True for a table whose header names a drug column and a dose, route, frequency,
    discharge action, order type or home-medication column. A lab table is never one."""
    text = text.lstrip("\ufeff")[:SNIFF_CHARS]
    return not looks_like_lab_csv(text) and _header(text) is not None


def load(path: Path, data: bytes) -> Record:
    """The drug rows of a medication table as Medications, plus its text as one Document."""
    file = str(path)
    text, encoding = decode_text(data, file)
    header = _header(text)
    if header is None:
        raise RecordError(f"{file}: no medication table header (expected columns such as 药品名称/Medication and 剂量/Dose)")
    check_rows(file, len(header.spans) - header.head - 1)
    default_role = "discharge" if re.search(r"出院|discharge", path.stem, re.IGNORECASE) else ""
    table = _Table(file, header.columns, len(header.cells), header.is_orders, default_role)
    record = Record(sources=[file])
    non_drug = 0
    for index in range(header.head + 1, len(header.spans)):
        start, end = header.spans[index]
        cells = _parse_row(text[start:end], header.delimiter)
        if not any(cell.strip() for cell in cells):
            continue  # an empty line is no data
        medication = table.medication(index + 1, start, end, cells, record.problems)
        if medication is _NOT_A_DRUG:
            non_drug += 1
        elif medication is not None:
            record.medications.append(medication)
    if not record.medications and not record.problems and not non_drug:
        record.problems.append(ImportProblem(file, "the medication table has a header but no data rows"))
    record.documents.append(_document(path, text, header, record.medications))
    logger.debug(
        "%s: %s, delimiter %r, %s: %d medications, %d non-drug orders (kept in the document text only)",
        path.name,
        encoding,
        header.delimiter,
        "orders" if header.is_orders else "medication list",
        len(record.medications),
        non_drug,
    )
    return record


def _document(path: Path, text: str, header: _Header, medications: list[Medication]) -> Document:
    """The whole decoded table, so the rows (and the orders that are no drugs) stay visible."""
    first = header.spans[header.head][0]
    preamble = [line.strip(" \t\r" + header.delimiter) for line in text[:first].splitlines()]
    title = next((line for line in preamble if line), path.stem)
    of_stay = any(m.encounter_id == STAY_ID for m in medications)
    return Document(
        provenance=Provenance(file=str(path), start=0, end=len(text)),
        encounter_id=STAY_ID if of_stay else "",
        title=title,
        kind="orders" if header.is_orders else "medication_list",
        text=text,
    )


_NOT_A_DRUG = Medication(provenance=Provenance(file=""))  # sentinel: an order that is no drug


@dataclass(frozen=True)
class _Table:
    file: str
    columns: dict[str, int]
    width: int
    is_orders: bool
    default_role: str  # role of a reconciliation row that says nothing about discharge

    def medication(
        self, row_number: int, start: int, end: int, cells: list[str], problems: list[ImportProblem]
    ) -> Medication | None:
        """One row as a Medication; None (with a problem) when unusable; _NOT_A_DRUG for an
        order of a HIS export that is nursing, diet, a test or the like."""

        def cell(field: str) -> str:
            index = self.columns.get(field)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        where = f"row {row_number}"
        content = cell("name").strip(_GROUP_MARKS)
        if not content:
            problems.append(ImportProblem(self.file, f"{where}: no drug name; the row was not imported"))
            return None
        name, dose, route, frequency = parse_medication(content)
        dose = _dose(cell("dose"), cell("unit")) or dose
        route = cell("route") or route
        frequency = cell("frequency") or frequency
        if self.is_orders and not (dose or route or _names_a_drug(name)):
            return _NOT_A_DRUG
        if any(c.strip() for c in cells[self.width :]):
            problems.append(ImportProblem(self.file, f"{where}: more cells than the header has columns; extra cells ignored"))
        started, ended = (self._date(cell(field), field, where, problems) for field in ("start", "end"))
        if self.is_orders:
            role, status, frequency = self._order(cell("order_type"), ended, frequency, where, problems)
        else:
            role, status = self._reconciliation(cell("action") or _action_in(cell("reason")), cell("home"), where, problems)
        return Medication(
            provenance=Provenance(file=self.file, locator=where, start=start, end=end),
            encounter_id=STAY_ID if role in {"discharge", "inpatient"} else "",
            name=name,
            code=cell("code"),
            dose=dose,
            route=route,
            frequency=frequency,
            status=status,
            start=started,
            end=ended,
            role=role,
            reason=cell("reason"),
        )

    def _reconciliation(self, action: str, home: str, where: str, problems: list[ImportProblem]) -> tuple[str, str]:
        """(role, status) from the action at discharge and the prior-to-admission cell."""
        prior = _yes_no(home)
        if home and prior is None:
            problems.append(ImportProblem(self.file, f"{where}: {home!r} in the home-medication column is neither yes nor no"))
        if action:
            status = _lookup(action, VOCABULARY.actions)
            if status is not None:
                return _ACTION_ROLES[status], status
            known = "/".join(VOCABULARY.actions)
            problems.append(
                ImportProblem(
                    self.file, f"{where}: action {action!r} is not one EMRWriter knows ({known}); imported without a status"
                )
            )
            return "", ""
        if prior:
            return "home", ""  # taken before admission, nothing said about discharge
        return ("", "") if "action" in self.columns else (self.default_role, "")

    def _order(
        self, order_type: str, ended: datetime | None, frequency: str, where: str, problems: list[ImportProblem]
    ) -> tuple[str, str, str]:
        """(role, status, frequency) of a drug order from its order type."""
        kind = _lookup(order_type, VOCABULARY.order_types) if order_type else None
        if kind == "discharge":
            return "discharge", "", frequency
        if kind in {"long_term", "prn"}:
            return "inpatient", "stopped" if ended else "", frequency or ("PRN" if kind == "prn" else "")
        if kind == "one_time":
            return "inpatient", "completed", frequency
        what = f"order type {order_type!r} is not one EMRWriter knows" if order_type else "no order type"
        problems.append(
            ImportProblem(
                self.file, f"{where}: {what} (长期/临时/出院带药, scheduled/PRN/one-time/discharge); imported without a role"
            )
        )
        return "", "", frequency

    def _date(self, value: str, field: str, where: str, problems: list[ImportProblem]) -> datetime | None:
        if not value:
            return None
        when = parse_datetime(value)
        if when is None:
            problems.append(ImportProblem(self.file, f"{where}: {field} {value!r} is not a date EMRWriter can read"))
        return when


def _action_in(remark: str) -> str:
    """A remark that opens with an action ("停用（谵妄）", "Discontinued - falls") is the action."""
    return remark if _lookup(remark, VOCABULARY.actions) is not None else ""


def _dose(dose: str, unit: str) -> str:
    """The dose cell, with a separate unit cell joined on ("0.5" + "g")."""
    if not dose or not unit or re.search(r"[^\d.,/\s~-]", dose):
        return dose
    return f"{dose}{unit}" if re.match(r"[\u4e00-\u9fff]", unit) else f"{dose} {unit}"


def _lookup(value: str, table: dict[str, tuple[str, ...]]) -> str | None:
    """The key whose longest synonym starts ``value`` ("Continue - no change", "改为20mg")."""
    folded = _fold(value)
    best: tuple[int, str] | None = None
    for key, synonyms in table.items():
        for synonym in synonyms:
            if not folded.startswith(synonym):
                continue
            rest = folded[len(synonym) :]
            if rest and synonym[-1].isascii() and synonym[-1].isalnum() and rest[0].isascii() and rest[0].isalnum():
                continue  # "new" is not "newly", "dc" is not "dcx"
            if best is None or len(synonym) > best[0]:
                best = (len(synonym), key)
    return best[1] if best else None


def _yes_no(value: str) -> bool | None:
    folded = _fold(value)
    if not folded or folded in VOCABULARY.no:
        return False
    return True if folded in VOCABULARY.yes else None


_ZH_FORMS = tuple(sorted(ZH_FORMS, key=len, reverse=True))


def _names_a_drug(name: str) -> bool:
    """A drug EMRWriter knows, or a name ending in a dosage form ("0.9%氯化钠注射液")."""
    if find_drugs(name):
        return True
    bare = re.sub(r"[（(][^（()）]*[)）]", "", name).strip()
    if any(bare.endswith(form) and len(bare) > len(form) + 1 for form in _ZH_FORMS):
        return True
    if bare.startswith(VOCABULARY.zh_prefixes):
        return True
    words = re.findall(r"[a-z]+", bare.lower())
    return len(words) > 1 and words[-1] in VOCABULARY.forms_en
