"""Find drug names in zh and en text and reduce each to one canonical name.

"Lasix", "furosemide" and "呋塞米片" are one drug to the verifier; "Toprol XL"
and "metoprolol succinate" too. Listed names (``drug_names``) win; unlisted
generics are recognised by their stems ("-olol", "-floxacin", "沙星", "头孢").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .drug_names import (
    ALLERGEN_ALIASES,
    ALLERGY_CLASSES,
    EN_BRANDS,
    EN_GENERICS,
    EN_PHRASES,
    EN_STEM_EXCEPTIONS,
    EN_STEMS,
    ZH_FORMS,
    ZH_GENERICS,
    ZH_SALTS,
    ZH_STEM_PREFIXES,
    ZH_STEMS,
)


def _fold(name: str) -> str:
    return re.sub(r"[\s\-/]+", " ", name.lower()).strip()


_EN_LOOKUP: dict[str, str] = {}
for _generic in EN_GENERICS:
    _EN_LOOKUP[_generic] = _generic
for _brand, _generic in EN_BRANDS.items():
    _EN_LOOKUP[_fold(_brand)] = _generic
for _phrase, _generic in EN_PHRASES.items():
    _EN_LOOKUP[_fold(_phrase)] = _generic
# Words that are drugs only as part of a phrase ("potassium 3.6" is a lab value).
EN_PHRASE_ONLY = frozenset(
    {
        "potassium",
        "magnesium",
        "calcium",
        "sodium",
        "bicarbonate",
        "phosphate",
        "iron",
        "folic",
        "nicotine",
        "regular",
        "nph",
        "polyethylene",
        "ferrous",
        "vitamin",
        "glargine",
    }
)
_MAX_PHRASE_WORDS = max(len(k.split()) for k in _EN_LOOKUP)
_EN_STEM = re.compile(rf"(?:{'|'.join(sorted(set(EN_STEMS), key=len, reverse=True))})$")
_CEPH = re.compile(r"^cef[a-z]{4,}$")

_ZH_NAMES = sorted(ZH_GENERICS, key=len, reverse=True)
_ZH_NAME_PATTERN = re.compile("|".join(re.escape(n) for n in _ZH_NAMES))
_CJK = "\u4e00-\u9fff"
# Characters that end a Chinese drug name on its left: verbs, particles, punctuation.
_ZH_LEFT_STOPS = set(
    "予给改为加用继续停联合使服应序贯换及和与、，。；：,;:后前并行因以至或的了在时已将再仍均各无未有次日天周月年每静滴注射吸入口片粒"
)
_ZH_STEM_PATTERN = re.compile("|".join(re.escape(s) for s in sorted(ZH_STEMS, key=len, reverse=True)))


@dataclass(frozen=True)
class DrugMention:
    name: str  # canonical generic
    start: int
    end: int


def en_drug_at(words: list[str], index: int) -> tuple[str, int] | None:
    """The drug named by ``words[index:]`` (lower-case words): (canonical, word count)."""
    for size in range(min(_MAX_PHRASE_WORDS, len(words) - index), 0, -1):
        phrase = " ".join(words[index : index + size])
        canonical = _EN_LOOKUP.get(phrase)
        if canonical and not (size == 1 and phrase in EN_PHRASE_ONLY):
            return canonical, size
    word = words[index]
    if len(word) >= 6 and word not in EN_STEM_EXCEPTIONS and (_EN_STEM.search(word) or _CEPH.match(word)):
        return word, 1
    return None


_EN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z][A-Za-z]*)*")


_JOINER = re.compile(r"[ \t/]+|[ \t]*-[ \t]*")


def find_en_drugs(text: str) -> list[DrugMention]:
    spans = [(m.start(), m.end(), m.group().lower()) for m in _EN_WORD.finditer(text)]
    words = [w for _, _, w in spans]
    found: list[DrugMention] = []
    index = 0
    while index < len(words):
        run = index + 1  # a phrase never spans punctuation or numbers: "potassium 4.1, chloride"
        while run < len(words) and run - index < _MAX_PHRASE_WORDS and _JOINER.fullmatch(text, spans[run - 1][1], spans[run][0]):
            run += 1
        hit = en_drug_at(words[index:run], 0)  # the run alone: a slice from the start would copy the text's words each time
        if hit is None and "-" in words[index]:
            hit = en_drug_at(_split_hyphens(words, index), 0)
            if hit is not None:
                hit = (hit[0], 1)
            else:  # "non-insulin-dependent": a drug inside a hyphenated word
                offset = spans[index][0]
                for part in words[index].split("-"):
                    part_hit = en_drug_at([part], 0)
                    if part_hit is not None:
                        found.append(DrugMention(part_hit[0], offset, offset + len(part)))
                    offset += len(part) + 1
        if hit is None:
            index += 1
            continue
        canonical, size = hit
        found.append(DrugMention(canonical, spans[index][0], spans[index + size - 1][1]))
        index += size
    return found


def _split_hyphens(words: list[str], index: int) -> list[str]:
    return words[index].split("-") + words[index + 1 :]


def zh_drug_at(text: str, pos: int) -> tuple[str, int] | None:
    """A Chinese drug name starting exactly at ``pos``: (canonical, end)."""
    match = _ZH_NAME_PATTERN.match(text, pos)
    if match:
        end = _skip_forms(text, match.end())
        return ZH_GENERICS[match.group()], end
    for prefix in ZH_STEM_PREFIXES:
        if text.startswith(prefix, pos):
            end = pos + len(prefix)
            while (
                end < len(text)
                and end - pos < len(prefix) + 3
                and re.match(f"[{_CJK}]", text[end])
                and text[end] not in _ZH_LEFT_STOPS
            ):
                if any(text.startswith(form, end) for form in ZH_FORMS):
                    break
                end += 1
            if end - pos > len(prefix):
                return text[pos:end], _skip_forms(text, end)
    return None


_ZH_SALT_SUFFIX = re.compile(
    r"(?:琥珀酸|磷酸|盐酸|硫酸|醋酸|酒石酸|马来酸)?(?:钠|钾|钙|酯)(?![\u4e00-\u9fff]*[\d])|(?:琥珀酸|磷酸|盐酸|硫酸|醋酸|酒石酸|马来酸)(?:钠|钾|钙|酯)?"
)


def _skip_forms(text: str, end: int) -> int:
    """Extend past a salt and a formulation word ("琥珀酸钠", "片", "注射液") after a name."""
    salt = _ZH_SALT_SUFFIX.match(text, end)
    if salt:
        end = salt.end()
    for form in sorted(ZH_FORMS, key=len, reverse=True):
        if text.startswith(form, end):
            return end + len(form)
    return end


def find_zh_drugs(text: str) -> list[DrugMention]:
    found: list[DrugMention] = []
    taken: list[tuple[int, int]] = []
    for match in _ZH_NAME_PATTERN.finditer(text):
        found.append(DrugMention(ZH_GENERICS[match.group()], match.start(), _skip_forms(text, match.end())))
        taken.append((match.start(), match.end()))
    for match in _ZH_STEM_PATTERN.finditer(text):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        start, end = match.start(), match.end()
        if match.group() in ZH_STEM_PREFIXES:
            hit = zh_drug_at(text, start)
            if hit is None:
                continue
            name, end = hit
        else:
            while (
                start > 0
                and match.end() - start < len(match.group()) + 4
                and re.match(f"[{_CJK}]", text[start - 1])
                and text[start - 1] not in _ZH_LEFT_STOPS
                and not any(s < start <= e for s, e in taken)
            ):
                start -= 1
            if start == match.start():
                continue  # a bare stem ("霉素") names no drug
            name = strip_zh_name(text[start : match.end()])
            end = _skip_forms(text, match.end())
        before = next((m for m in found if m.end == start), None)
        if before is not None:  # "氯化钾奥达特罗": an unknown combination, not two drugs
            found.remove(before)
            name, start = f"{before.name}/{name}", before.start
        found.append(DrugMention(name, start, end))
        taken.append((start, end))
    found.sort(key=lambda m: m.start)
    return found


def strip_zh_name(name: str) -> str:
    """Drop salt prefixes and formulation suffixes: "盐酸氨溴索片" -> "氨溴索"."""
    changed = True
    while changed:
        changed = False
        for salt in ZH_SALTS:
            if name.startswith(salt) and len(name) > len(salt) + 1:
                name, changed = name[len(salt) :], True
        for form in sorted(ZH_FORMS, key=len, reverse=True):
            if name.endswith(form) and len(name) > len(form) + 1:
                name, changed = name[: -len(form)], True
                break
    return name


def find_drugs(text: str) -> list[DrugMention]:
    """Every drug named in ``text`` (zh and en), in order. Two names joined by "/"
    are one combination product ("spironolactone/valsartan" is not "sacubitril/valsartan")."""
    found = find_en_drugs(text) + find_zh_drugs(text)
    found.sort(key=lambda m: m.start)
    merged: list[DrugMention] = []
    for mention in found:
        if merged and text[merged[-1].end : mention.start].strip() == "/" and "/" not in merged[-1].name:
            previous = merged.pop()
            mention = DrugMention(f"{previous.name}/{mention.name}", previous.start, mention.end)
        merged.append(mention)
    return merged


@lru_cache(maxsize=4096)
def canonical_drug(name: str) -> str:
    """The canonical name of a medication field ("Metoprolol succinate XL" -> "metoprolol");
    the folded text itself when no drug is recognised in it."""
    mentions = find_drugs(name)
    if mentions:
        return mentions[0].name
    stripped = strip_zh_name(re.sub(r"[（(].*?[)）]", "", name).strip())
    return _fold(stripped)


def allergy_class(substance: str) -> str | None:
    """The drug class an allergy entry names ("Sulfa" -> "sulfonamide"), if any."""
    folded = _fold(substance)
    for word in [folded, *folded.split()]:
        if word in ALLERGEN_ALIASES:
            return ALLERGEN_ALIASES[word]
    for alias, cls in ALLERGEN_ALIASES.items():
        if re.search(r"[\u4e00-\u9fff]", alias) and alias in substance:
            return cls
    return None


def in_allergy_class(drug: str, cls: str) -> bool:
    """True when the canonical ``drug`` belongs to allergy class ``cls``."""
    members = ALLERGY_CLASSES.get(cls, ())
    drug = drug.lower()
    return any(drug == m or m in drug for m in members)


@lru_cache(maxsize=1)
def _intolerance_reactions() -> frozenset[str]:
    data = tomllib.loads(resources.files(__package__).joinpath("allergy_reactions.toml").read_text(encoding="utf-8"))
    return frozenset(" ".join(word.lower().split()) for word in data["intolerance"])


_REACTION_PARTS = re.compile(r"\s*(?:[/,;、，；()（）]|\band\b|\bor\b|和|及|伴)\s*")


def is_intolerance(reaction: str) -> bool:
    """Is a recorded reaction only side effects ("nausea/vomiting", "恶心、呕吐"), not an allergy?"""
    parts = [" ".join(p.split()) for p in _REACTION_PARTS.split(reaction.lower()) if p.strip()]
    return bool(parts) and all(p in _intolerance_reactions() for p in parts)
