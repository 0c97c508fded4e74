"""The fixed wording of EMRWriter, one TOML file per language (``en.toml``, ``zh.toml``):
every phrase a doctor reads in a draft, in its findings and in its Word export.

Drafting, the checks, the review and the export all read their words from here, and
the checker derives the draft's own scaffolding from the same files (with the
template's sections.j2), so a phrase is reworded in one place. Each file has the
same keys; ``{name}`` fields are filled in by the program. A field written
``{value:TABLE}`` is translated through the file's ``[TABLE]`` (e.g. ``{side:sides}``).
"""

from __future__ import annotations

import functools
import logging
import re
import string
import tomllib
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

log = logging.getLogger(__name__)

FALLBACK = "en"
_LANGUAGE = re.compile(r"[a-z]{2,3}")


def languages() -> list[str]:
    """The languages that have a words file."""
    return sorted(p.name[: -len(".toml")] for p in resources.files(__name__).iterdir() if p.name.endswith(".toml"))


@functools.cache
def words(language: str) -> dict[str, Any]:
    """The words of ``language`` ("zh", "en"; "zh-CN" reads as "zh"). A language without
    a words file gets English, with a warning in the log. Shared: do not modify."""
    base = re.split(r"[-_]", language or "", maxsplit=1)[0].lower()
    if base != language:
        return words(base)
    if not _LANGUAGE.fullmatch(base) or base not in languages():
        log.warning("no words file for language %r: fixed wording will be in English", language)
        return words(FALLBACK)
    path = resources.files(__name__) / f"{base}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


def lookup(language: str, key: str) -> Any:
    """One entry by its dotted key ("findings.value_changed")."""
    entry: Any = words(language)
    for part in key.split("."):
        entry = entry[part]
    return entry


def phrase(language: str, key: str, **fields: Any) -> str:
    """The phrase at ``key`` with its fields filled in."""
    return _Formatter(words(language)).format(lookup(language, key), **fields)


def fill(table: Mapping[str, Any], text: str, **fields: Any) -> str:
    """``text`` (a phrase of ``table``, one language's words) with its fields filled in."""
    return _Formatter(table).format(text, **fields)


def phrase_fields(text: str) -> set[str]:
    """The field names a phrase uses ({n}, {label}, ...)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class _Formatter(string.Formatter):
    """str.format, where a format spec that names a table of the words translates the
    value through it ("left/right" with spec "sides" -> "左侧/右侧")."""

    def __init__(self, table: Mapping[str, Any]) -> None:
        super().__init__()
        self.table = table

    def format_field(self, value: Any, format_spec: str) -> str:
        names = self.table.get(format_spec) if format_spec else None
        if isinstance(names, Mapping):
            return "/".join(str(names.get(part, part)) for part in str(value).split("/"))
        return super().format_field(value, format_spec)


class _ByLanguage(Mapping[str, dict]):
    """language -> words(language), for code that indexes wording by language."""

    def __getitem__(self, language: str) -> dict:
        return words(language)

    def __iter__(self) -> Iterator[str]:
        return iter(languages())

    def __len__(self) -> int:
        return len(languages())


BY_LANGUAGE: Mapping[str, dict] = _ByLanguage()
