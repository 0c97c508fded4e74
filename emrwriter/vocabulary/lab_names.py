"""Laboratory tests and vital signs, zh and en, each with one canonical key.

"WBC", "white blood cell count" and "白细胞计数" are one test; the verifier uses
the key to tie a number to what it measures, and the safety check to see that
an abnormal result is addressed in the draft. The names are data in
``vocab/labs.csv`` and ``vocab/lab_rules.toml`` (vocab/README.md says how to add
one), read once here and checked: a name under two keys stops the import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

from . import VocabError, folder, read_rules, read_table, word_list

CATEGORIES = ("lab", "vital")
LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class LabVocabulary:
    """The lab and vital-sign vocabulary (the module constants below)."""

    lab_synonyms: dict[str, tuple[str, ...]]
    vital_synonyms: dict[str, tuple[str, ...]]
    vital_letters: dict[str, str]
    ambiguous_labels: frozenset[str]


def _fold(name: str) -> str:
    return re.sub(r"[\s\-]+", " ", name.lower()).strip()


def load_lab_vocabulary(directory: Traversable | Path | str | None = None) -> LabVocabulary:
    """Read and check labs.csv and lab_rules.toml of ``directory`` (the shipped ``vocab/`` by default).

    Raises VocabError listing every malformed row, duplicate and conflict. Spellings of one
    name that match alike ("d-dimer", "d dimer") are kept: the safety check looks for each
    in the draft.
    """
    where = folder(directory)
    problems: list[str] = []
    tables: dict[str, dict[str, list[str]]] = {category: {} for category in CATEGORIES}
    category_of: dict[str, tuple[str, str]] = {}  # key -> (category, where first seen)
    meaning: dict[str, tuple[str, str]] = {}  # folded synonym -> (key, where first seen)
    for row in read_table(where, "labs.csv", ("key", "category", "language", "synonym"), problems):
        key, category, language, synonym = row["key"], row["category"], row["language"], row["synonym"]
        if category not in CATEGORIES:
            problems.append(f"{row.where}: category {category!r} is not one of {', '.join(CATEGORIES)}")
            continue
        if language not in LANGUAGES or (language == "en") != synonym.isascii():
            problems.append(f"{row.where}: language {language!r} does not fit {synonym!r} (en: ASCII only, zh: Chinese)")
            continue
        if key != key.lower() or synonym != synonym.lower():
            problems.append(f"{row.where}: write {key!r}, {synonym!r} in lower case (matching ignores case)")
            continue
        first_category, first_where = category_of.setdefault(key, (category, row.where))
        if category != first_category:
            problems.append(f"{row.where}: conflict: {key!r} is a {category} here but a {first_category} on {first_where}")
            continue
        synonyms = tables[category].setdefault(key, [])
        first_key, first_where = meaning.setdefault(_fold(synonym), (key, row.where))
        if first_key != key:
            problems.append(f"{row.where}: conflict: {synonym!r} means {key!r} here but {first_key!r} on {first_where}")
        elif synonym in synonyms:
            problems.append(f"{row.where}: duplicate: {synonym!r} is already listed for {key!r}")
        else:
            synonyms.append(synonym)
    rules = read_rules(where, "lab_rules.toml", problems)
    ambiguous = word_list(rules, "lab_rules.toml", "ambiguous_labels", problems)
    for label in ambiguous:
        if label not in meaning:
            problems.append(f"lab_rules.toml: ambiguous_labels: {label!r} is not a synonym in labs.csv")
    letters = rules.get("vital_letters")
    if not isinstance(letters, dict) or not all(isinstance(v, str) for v in letters.values()):
        problems.append('lab_rules.toml: [vital_letters] is missing or not letter = "key" lines')
        letters = {}
    for letter, key in letters.items():
        if not re.fullmatch(r"[A-Z]", letter) or key not in tables["vital"]:
            problems.append(f"lab_rules.toml: vital_letters: {letter} = {key!r} is not a capital letter and a vital key")
    if problems:
        raise VocabError(problems)
    return LabVocabulary(
        lab_synonyms={key: tuple(names) for key, names in tables["lab"].items()},
        vital_synonyms={key: tuple(names) for key, names in tables["vital"].items()},
        vital_letters=dict(letters),
        ambiguous_labels=frozenset(ambiguous),
    )


_VOCABULARY = load_lab_vocabulary()
LAB_SYNONYMS: dict[str, tuple[str, ...]] = _VOCABULARY.lab_synonyms
VITAL_SYNONYMS: dict[str, tuple[str, ...]] = _VOCABULARY.vital_synonyms
# One-letter vital labels of Chinese and English exam lines ("T 38.6℃ P 102次/分 R 24次/分").
VITAL_LETTERS: dict[str, str] = _VOCABULARY.vital_letters
# Short English labels that are ordinary words elsewhere: only a label right before a number.
AMBIGUOUS_LABELS: frozenset[str] = _VOCABULARY.ambiguous_labels

LAB_LOOKUP: dict[str, str] = {}
for _key, _names in {**LAB_SYNONYMS, **VITAL_SYNONYMS}.items():
    for _name in _names:
        LAB_LOOKUP.setdefault(_fold(_name), _key)
MAX_LAB_WORDS = max(len(k.split()) for k in LAB_LOOKUP if k.isascii())
ZH_LAB_NAMES = sorted((k for k in LAB_LOOKUP if not k.isascii()), key=len, reverse=True)
ZH_LAB_PATTERN = re.compile("|".join(re.escape(n) for n in ZH_LAB_NAMES), re.IGNORECASE)


def lab_key(name: str) -> str | None:
    """The canonical key of a test or vital-sign name, or None when it is not known."""
    folded = _fold(re.sub(r"[（(].*?[)）]", "", name))
    if folded in LAB_LOOKUP:
        return LAB_LOOKUP[folded]
    match = ZH_LAB_PATTERN.search(name)
    if match:
        return LAB_LOOKUP[_fold(match.group())]
    words = folded.split()
    for size in range(min(MAX_LAB_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            key = LAB_LOOKUP.get(" ".join(words[start : start + size]))
            if key and (size > 1 or words[start] not in AMBIGUOUS_LABELS):
                return key
    return None


def lab_names(key: str) -> tuple[str, ...]:
    """Every spelling of one test, for looking it up in a draft."""
    return LAB_SYNONYMS.get(key) or VITAL_SYNONYMS.get(key) or (key,)
