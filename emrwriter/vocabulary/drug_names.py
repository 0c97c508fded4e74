"""Drug vocabulary: generic names (en, zh), brand names mapped to generics, the
name stems that mark a word as a drug, and drug classes for allergy checks.

The names are data in ``vocab/`` (drugs_en.csv, drugs_zh.csv, drug_morphology.toml,
allergy_classes.toml; vocab/README.md says how to add one), read once here and
checked: a name that means two drugs stops the import with the file and line.
The matching code is in ``drugs.py``. The lists cover what ward discharge
summaries commonly name; the stems (``-olol``, ``-pril``, ``沙星``, ``头孢``...)
catch the many generics that are not listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

from . import VocabError, first_meanings, folder, read_rules, read_table, word_list

EN_KINDS = ("generic", "phrase", "brand")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class DrugVocabulary:
    """The drug vocabulary as ``drugs.py`` uses it (the module constants below)."""

    en_generics: list[str]
    en_phrases: dict[str, str]
    en_brands: dict[str, str]
    en_stems: tuple[str, ...]
    en_stem_exceptions: frozenset[str]
    zh_generics: dict[str, str]
    zh_stems: tuple[str, ...]
    zh_stem_prefixes: tuple[str, ...]
    zh_salts: tuple[str, ...]
    zh_forms: tuple[str, ...]
    allergy_classes: dict[str, tuple[str, ...]]
    allergen_aliases: dict[str, str]


def _fold(name: str) -> str:
    """An English name as ``drugs.py`` matches it: lower case, spaces, hyphens and slashes as one space."""
    return re.sub(r"[\s\-/]+", " ", name.lower()).strip()


def load_drug_vocabulary(directory: Traversable | Path | str | None = None) -> DrugVocabulary:
    """Read and check the drug files of ``directory`` (the shipped ``vocab/`` by default).

    Raises VocabError listing every malformed row, duplicate and conflict.
    """
    where = folder(directory)
    problems: list[str] = []
    en_generics, en_phrases, en_brands = _read_en(where, problems)
    zh_generics = _read_zh(where, problems)
    en_stems, en_stem_exceptions, zh_stems, zh_stem_prefixes, zh_salts, zh_forms = _read_morphology(where, problems)
    allergy_classes, allergen_aliases = _read_allergies(where, problems)
    if problems:
        raise VocabError(problems)
    return DrugVocabulary(
        en_generics=en_generics,
        en_phrases=en_phrases,
        en_brands=en_brands,
        en_stems=en_stems,
        en_stem_exceptions=frozenset(en_stem_exceptions),
        zh_generics=zh_generics,
        zh_stems=zh_stems,
        zh_stem_prefixes=zh_stem_prefixes,
        zh_salts=zh_salts,
        zh_forms=zh_forms,
        allergy_classes=allergy_classes,
        allergen_aliases=allergen_aliases,
    )


def _read_en(where: Traversable | Path, problems: list[str]) -> tuple[list[str], dict[str, str], dict[str, str]]:
    rows = read_table(where, "drugs_en.csv", ("name", "generic", "kind"), problems)
    good = []
    for row in rows:
        name, generic, kind = row["name"], row["generic"], row["kind"]
        if kind not in EN_KINDS:
            problems.append(f"{row.where}: kind {kind!r} is not one of {', '.join(EN_KINDS)}")
        elif name != name.lower() or generic != generic.lower():
            problems.append(f"{row.where}: write {name!r} -> {generic!r} in lower case (matching ignores case)")
        elif kind == "generic" and (name != generic or _fold(name) != name):
            problems.append(f"{row.where}: a generic row is one word and repeats it as its generic: {name!r}, {generic!r}")
        elif kind == "phrase" and len(_fold(name).split()) < 2:
            problems.append(f"{row.where}: a phrase has several words; {name!r} is one (kind generic or brand)")
        else:
            good.append(row)
    # The lookup folds every name, so two rows that fold alike are one name.
    first_meanings([(_fold(r["name"]), r["generic"], r.where) for r in good], "drug name", problems)
    generics = [r["name"] for r in good if r["kind"] == "generic"]
    phrases = {r["name"]: r["generic"] for r in good if r["kind"] == "phrase"}
    brands = {r["name"]: r["generic"] for r in good if r["kind"] == "brand"}
    return generics, phrases, brands


def _read_zh(where: Traversable | Path, problems: list[str]) -> dict[str, str]:
    rows = read_table(where, "drugs_zh.csv", ("name", "generic"), problems)
    good = []
    for row in rows:
        name, generic = row["name"], row["generic"]
        if not _CJK.search(name) or re.search(r"\s", name):
            problems.append(f"{row.where}: {name!r} is not a Chinese name (Chinese characters, no spaces)")
        elif generic != generic.lower():
            problems.append(f"{row.where}: write the generic {generic!r} in lower case")
        else:
            good.append(row)
    first_meanings([(r["name"], r["generic"], r.where) for r in good], "drug name", problems)
    generics: dict[str, str] = {}
    for row in good:
        generics.setdefault(row["name"], row["generic"])
    return generics


def _read_morphology(where: Traversable | Path, problems: list[str]) -> tuple[tuple[str, ...], ...]:
    name = "drug_morphology.toml"
    rules = read_rules(where, name, problems)
    lists = []
    for key, language in (
        ("en.stems", "en"),
        ("en.stem_exceptions", "en"),
        ("zh.stems", "zh"),
        ("zh.stem_prefixes", "zh"),
        ("zh.salts", "zh"),
        ("zh.forms", "zh"),
    ):
        words = word_list(rules, name, key, problems)
        for word in words:
            if language == "en" and not re.fullmatch(r"[a-z]+", word):
                problems.append(f"{name}: {key}: {word!r} is not lower-case English letters")
            if language == "zh" and not _CJK.fullmatch(word[0]):
                problems.append(f"{name}: {key}: {word!r} is not Chinese")
        lists.append(words)
    return tuple(lists)


def _read_allergies(where: Traversable | Path, problems: list[str]) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    name = "allergy_classes.toml"
    classes: dict[str, tuple[str, ...]] = {}
    aliases: list[tuple[str, str, str]] = []
    for cls, table in read_rules(where, name, problems).items():
        if not isinstance(table, dict) or set(table) - {"members", "aliases"} or "members" not in table:
            problems.append(f"{name}: [{cls}] needs members = [...] and may have aliases = [...], nothing else")
            continue
        members = word_list(table, name, "members", problems)
        for member in members:
            if member != member.lower():
                problems.append(f"{name}: [{cls}] members: write {member!r} in lower case")
        classes[cls] = members
        for alias in word_list(table, name, "aliases", problems) if "aliases" in table else ():
            if _fold(alias) != alias:
                problems.append(f"{name}: [{cls}] aliases: {alias!r} is matched as {_fold(alias)!r}; write it so")
            aliases.append((alias, cls, f"{name} [{cls}]"))
    seen = first_meanings(aliases, "allergy alias", problems)
    return classes, {alias: cls for alias, (cls, _) in seen.items()}


_VOCABULARY = load_drug_vocabulary()

EN_GENERICS: list[str] = _VOCABULARY.en_generics
# Multi-word generics and salts that name one drug.
EN_PHRASES: dict[str, str] = _VOCABULARY.en_phrases
EN_BRANDS: dict[str, str] = _VOCABULARY.en_brands
# Word endings that mark an English generic name (checked when a word is not listed).
EN_STEMS: tuple[str, ...] = _VOCABULARY.en_stems
# Words with a drug stem that are no drugs.
EN_STEM_EXCEPTIONS: frozenset[str] = _VOCABULARY.en_stem_exceptions
# zh name: canonical English generic (or the zh name itself when no English is common)
ZH_GENERICS: dict[str, str] = _VOCABULARY.zh_generics
# Name stems that end (or begin) a Chinese generic; "头孢" begins one.
ZH_STEMS: tuple[str, ...] = _VOCABULARY.zh_stems
ZH_STEM_PREFIXES: tuple[str, ...] = _VOCABULARY.zh_stem_prefixes
ZH_SALTS: tuple[str, ...] = _VOCABULARY.zh_salts
ZH_FORMS: tuple[str, ...] = _VOCABULARY.zh_forms
# Allergen -> drug classes whose members share the allergy (cross-reactivity worth a warning).
ALLERGY_CLASSES: dict[str, tuple[str, ...]] = _VOCABULARY.allergy_classes
# Words in allergy entries that name a class above.
ALLERGEN_ALIASES: dict[str, str] = _VOCABULARY.allergen_aliases
