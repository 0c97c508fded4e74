"""Reading the vocabulary files of this folder (drugs, labs), strictly.

The files are data a pharmacist edits (README.md says how); ``drug_names`` and
``lab_names`` build the lookup tables from them once, at import. A file that is
malformed or contradicts itself (one name meaning two drugs) stops the import
with every problem listed by file and line: a vocabulary that silently picked
one meaning would make the verifier wrong without anyone noticing.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

# Where the shipped files are; tests pass another folder (a copy with a bad row).
VOCAB_DIR: Traversable = files(__name__)


class VocabError(ValueError):
    """A vocabulary file is malformed or contradicts itself; the message lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("vocabulary files have problems:\n  " + "\n  ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Row:
    """One data row of a CSV file: its fields by column name, and where it is (for messages)."""

    fields: dict[str, str]
    where: str  # "drugs_en.csv:12"

    def __getitem__(self, column: str) -> str:
        return self.fields[column]


def folder(directory: Traversable | Path | str | None) -> Traversable | Path:
    """The folder to read: the shipped one unless a test names another."""
    return VOCAB_DIR if directory is None else Path(directory)


def read_table(directory: Traversable | Path, name: str, columns: tuple[str, ...], problems: list[str]) -> list[Row]:
    """The rows of CSV file ``name``, whose header must be exactly ``columns``.

    Lines starting with ``#`` and blank lines are skipped. A row with the wrong
    number of fields, an empty field or a field with spaces at either end is
    reported in ``problems`` and left out.
    """
    text = (directory / name).read_text(encoding="utf-8")
    lines = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]
    if not lines:
        problems.append(f"{name}: no header row (expected {','.join(columns)})")
        return []
    records = [(number, next(csv.reader([line]))) for number, line in lines]  # one record per line, always
    header_number, header = records[0][0], tuple(records[0][1])
    if header != columns:
        problems.append(f"{name}:{header_number}: header is {','.join(header)}, expected {','.join(columns)}")
        return []
    rows = []
    for number, values in records[1:]:
        where = f"{name}:{number}"
        if len(values) != len(columns):
            problems.append(f"{where}: {len(values)} fields, expected {len(columns)} ({','.join(columns)})")
            continue
        bad = [f"{c} {v!r}" for c, v in zip(columns, values) if not v or v != v.strip()]
        if bad:
            problems.append(f"{where}: empty or with spaces at either end: {', '.join(bad)}")
            continue
        rows.append(Row(dict(zip(columns, values)), where))
    return rows


def read_rules(directory: Traversable | Path, name: str, problems: list[str]) -> dict[str, Any]:
    """The tables of TOML file ``name`` (empty, with the error in ``problems``, when it does not parse)."""
    try:
        return tomllib.loads((directory / name).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        problems.append(f"{name}: {error}")
        return {}


def word_list(rules: dict[str, Any], name: str, key: str, problems: list[str]) -> tuple[str, ...]:
    """The list of words ``rules[key]`` of TOML file ``name``: each a non-empty string without
    spaces at either end, none twice. ``key`` may be dotted ("zh.stems")."""
    value: Any = rules
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if not isinstance(value, list):
        problems.append(f"{name}: {key} is missing or not a list")
        return ()
    words = []
    for word in value:
        if not isinstance(word, str) or not word or word != word.strip():
            problems.append(f"{name}: {key}: {word!r} is empty, not a string or has spaces at either end")
        elif word in words:
            problems.append(f"{name}: {key}: {word!r} is listed twice")
        else:
            words.append(word)
    return tuple(words)


def first_meanings(entries: list[tuple[str, str, str]], what: str, problems: list[str]) -> dict[str, tuple[str, str]]:
    """Check (name as matched, meaning, where) entries for repeats: the same name with the same
    meaning twice is a duplicate, with two meanings a conflict; both go to ``problems``.
    Returns each name's first (meaning, where)."""
    seen: dict[str, tuple[str, str]] = {}
    for matched, meaning, where in entries:
        if matched not in seen:
            seen[matched] = (meaning, where)
            continue
        first_meaning, first_where = seen[matched]
        if first_meaning == meaning:
            problems.append(f"{where}: duplicate: {what} {matched!r} is already on {first_where}")
        else:
            problems.append(
                f"{where}: conflict: {what} {matched!r} means {meaning!r} here but {first_meaning!r} on {first_where}"
            )
    return seen
