"""Measure the verifier: inject known errors and faithful rewrites into faithful
texts, run the verifier, print recall and the false-flag rate, zh and en apart.

Faithful texts: the notes of samples/ (the record is the sample's folder) and
../shared/corpus/discharge-notes (the record is the note itself). For each text
and each draft, a few sentences get one error each (a changed number, dose, unit,
date or lab value; a drug swapped for another; a dropped discharge medication)
and other sentences get every faithful rewrite that applies (spacing, thousands
separators, date forms, unit conversions, numbers as words, °C forms,
frequency abbreviations, case, reordered lists). The injectors find their
targets with their own regular expressions, not with the verifier's code.

    recall       = injected errors with a finding that overlaps them (a dropped
                   medication: an omission finding naming it) / injected errors
    false flags  = rewritten faithful sentences with any finding overlapping them
                   / rewritten faithful sentences

Usage: python scripts/measure_verifier.py [--seed 7] [--drafts 3] [--verbose] [--lang zh|en]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emrwriter.checks.evidence import build_evidence
from emrwriter.checks.verify import verify
from emrwriter.records.case import load_case
from emrwriter.records.model import RecordError
from emrwriter.records.stay import select_encounter
from emrwriter.records.text_encoding import decode_text
from emrwriter.templates import load_template

CORPUS = ROOT.parent / "shared" / "corpus" / "discharge-notes"
SAMPLES = ROOT / "emrwriter" / "bundled" / "samples"

# ---------------------------------------------------------------------------
# what the script knows, independently of the verifier

CJK = re.compile(r"[\u4e00-\u9fff]")
NUMBER = re.compile(r"(?<![\w.,/:-])\d+(?:\.\d+)?(?![\w/:]|[.,]\d|-\d)")
DOSE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(\s?)(mg|mcg|μg|µg|g|mL|ml|units|mEq|毫克|克)(?![A-Za-z])")
LAB = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)(\s?)(mg/dL|mmol/L|g/dL|g/L|×10\^9/L|x10\^9/L|U/L|ng/mL|pg/mL|μmol/L|µmol/L|mEq/L|ng/L|%)"
)
UNIT_SWAPS = {
    "mg": ["g", "mcg"],
    "mcg": ["mg"],
    "μg": ["mg"],
    "µg": ["mg"],
    "g": ["mg", "kg"],
    "mL": ["L"],
    "ml": ["L"],
    "units": ["mg"],
    "mEq": ["mmol"],
    "毫克": ["克"],
    "克": ["毫克"],
    "mg/dL": ["mmol/L"],
    "mmol/L": ["mg/dL"],
    "g/dL": ["mg/dL"],
    "g/L": ["mg/L"],
    "U/L": ["mmol/L"],
    "ng/mL": ["mg/mL"],
    "pg/mL": ["ng/mL"],
    "μmol/L": ["mmol/L"],
    "µmol/L": ["mmol/L"],
    "ng/L": ["μg/L"],
    "%": ["mg"],
    "×10^9/L": ["×10^12/L"],
    "x10^9/L": ["x10^12/L"],
    "mEq/L": ["mg/dL"],
}
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DATE_FORMS = [
    (re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)"), "mdy"),
    (re.compile(r"(?<!\d)(\d{4})年(\d{1,2})月(\d{1,2})日"), "zh"),
    (re.compile(r"\b(" + "|".join(m[:3] for m in MONTHS) + r")[a-z]*\.? (\d{1,2}),? (\d{4})\b"), "mon"),
    (re.compile(r"(?<![\d-])(\d{2})-(\d{2})(?![\d-])"), "md"),
]
DRUGS_EN = [
    "furosemide",
    "lisinopril",
    "metoprolol",
    "atorvastatin",
    "aspirin",
    "metformin",
    "warfarin",
    "amlodipine",
    "losartan",
    "carvedilol",
    "spironolactone",
    "digoxin",
    "heparin",
    "enoxaparin",
    "prednisone",
    "levofloxacin",
    "ceftriaxone",
    "azithromycin",
    "vancomycin",
    "omeprazole",
    "pantoprazole",
    "insulin",
    "gabapentin",
    "oxycodone",
    "acetaminophen",
    "ibuprofen",
    "clopidogrel",
    "simvastatin",
    "hydrochlorothiazide",
    "albuterol",
    "Lasix",
    "Coumadin",
    "Zocor",
    "Synthroid",
    "Lovenox",
    "Colace",
    "Percocet",
    "Protonix",
    "Plavix",
    "Norvasc",
    "Toprol",
    "Keflex",
    "tamsulosin",
    "levothyroxine",
    "diltiazem",
    "labetalol",
    "hydralazine",
    "morphine",
    "lorazepam",
    "trazodone",
]
DRUGS_ZH = [
    "莫西沙星",
    "左氧氟沙星",
    "头孢曲松",
    "头孢呋辛",
    "阿奇霉素",
    "氨溴索",
    "氨氯地平",
    "硝苯地平",
    "甲泼尼龙",
    "泼尼松",
    "布地奈德",
    "噻托溴铵",
    "阿司匹林",
    "氯吡格雷",
    "阿托伐他汀",
    "美托洛尔",
    "呋塞米",
    "螺内酯",
    "二甲双胍",
    "氯化钾",
]
FREQ_EN = [
    (r"\btwice daily\b", ["b.i.d.", "bid", "twice a day"]),
    (r"\bb\.i\.d\.", ["twice daily", "bid"]),
    (r"\bbid\b", ["twice daily", "b.i.d."]),
    (r"\bonce daily\b", ["daily", "qd", "once a day"]),
    (r"\bthree times daily\b", ["t.i.d.", "tid"]),
    (r"\bt\.i\.d\.", ["three times daily", "tid"]),
    (r"\btid\b", ["three times daily"]),
    (r"\bq\.i\.d\.", ["four times daily", "qid"]),
    (r"\bevery 6 hours\b", ["q6h", "q.6h."]),
    (r"\bq6h\b", ["every 6 hours"]),
    (r"\bas needed\b", ["prn", "p.r.n."]),
    (r"\bp\.r\.n\.", ["as needed", "prn"]),
    (r"\bprn\b", ["as needed"]),
    (r"\bnightly\b", ["at bedtime", "qhs"]),
    (r"\bq\.h\.s\.|\bqhs\b", ["at bedtime", "nightly"]),
    (r"\bq\.d\.|\bqd\b", ["once daily", "daily"]),
    (r"(?<!twice )(?<!once )(?<!times )(?<!\d )\bdaily\b", ["once daily", "every day"]),
    (r"\bPO\b", ["by mouth", "orally", "p.o."]),
    (r"\bp\.o\.", ["PO", "by mouth"]),
]
FREQ_ZH = [
    ("每日一次", ["每天一次", "一日一次", "qd"]),
    ("每日两次", ["每天两次", "一日两次", "bid"]),
    ("每日三次", ["每天三次", "一日三次", "tid"]),
    ("每日2次", ["每日两次"]),
    ("每日3次", ["每日三次"]),
    ("口服", ["po"]),
    ("静滴", ["静脉滴注", "iv"]),
]
EN_WORDS = {
    1: "one",
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
    12: "twelve",
}
# Brand and generic names of one drug: replacing one with the other is no error.
SAME_DRUG = [
    {"lasix", "furosemide"},
    {"coumadin", "warfarin"},
    {"zocor", "simvastatin"},
    {"synthroid", "levothyroxine"},
    {"lovenox", "enoxaparin"},
    {"colace", "docusate"},
    {"percocet", "oxycodone"},
    {"protonix", "pantoprazole"},
    {"plavix", "clopidogrel"},
    {"norvasc", "amlodipine"},
    {"toprol", "metoprolol"},
    {"keflex", "cephalexin"},
]
ZH_WORDS = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十"}


_HARD_END = re.compile(r"[.:;!?。；：！？]\s*$")
_LINE_START = re.compile(r"\s*(?:$|[A-Z][A-Z /&-]+:|\d{1,2}[.)、]|[-*•])")
_NO_CUT = re.compile(r"(?:^|[\s(])(?:\d{1,2}|[A-Z]|Dr|Mr|Mrs|Ms|St|No|vs|e\.g|i\.e|[a-z]\.[a-z])\.$")
_CUT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"])|(?<=[。！？；])")


def sentences(text: str) -> list[tuple[int, int]]:
    """The script's own sentence cut (not the verifier's): a hard-wrapped line goes on
    when it is long, has no closing mark and the next line is no heading or list item;
    then cuts after . ! ? before a capital, and after 。！？；."""
    blocks: list[tuple[int, int]] = []
    start = None
    position = 0
    lines = text.split("\n")
    for number, line in enumerate(lines):
        end = position + len(line)
        if line.strip():
            if start is None:
                start = position
            following = lines[number + 1] if number + 1 < len(lines) else ""
            wraps = len(line) >= 50 and not _HARD_END.search(line) and following.strip() and not _LINE_START.match(following)
            if not wraps:
                blocks.append((start, end))
                start = None
        elif start is not None:
            blocks.append((start, position))
            start = None
        position = end + 1
    if start is not None:
        blocks.append((start, len(text)))
    spans: list[tuple[int, int]] = []
    for block_start, block_end in blocks:
        piece_start = block_start
        for cut in _CUT.finditer(text, block_start, block_end):
            before = text[max(block_start, cut.start() - 6) : cut.start()]
            if _NO_CUT.search(before):
                continue
            spans.append((piece_start, cut.start()))
            piece_start = cut.end()
        spans.append((piece_start, block_end))
    return [(s, e) for s, e in spans if re.search(r"\w", text[s:e])]


# ---------------------------------------------------------------------------
# edits


@dataclass
class Edit:
    start: int  # in the faithful text
    end: int
    new: str
    kind: str  # error type, or "rewrite"
    note: str = ""  # dropped medication name


def _fmt_like(old: str, value: float) -> str:
    places = len(old.split(".")[1]) if "." in old else 0
    return f"{value:.{places}f}"


def changed_number(old: str, rng: random.Random) -> str:
    value = float(old)
    for _ in range(20):
        choice = rng.choice(["up", "down", "double", "half", "digit", "shift"])
        if choice == "up":
            new = (
                value + max(1, round(abs(value) * rng.uniform(0.1, 0.5)))
                if "." not in old
                else value + rng.choice([0.1, 0.2, 0.5, 1.0])
            )
        elif choice == "down":
            new = (
                value - max(1, round(abs(value) * rng.uniform(0.1, 0.5)))
                if "." not in old
                else value - rng.choice([0.1, 0.2, 0.5])
            )
        elif choice == "double":
            new = value * 2
        elif choice == "half":
            new = value / 2
        elif choice == "shift":
            new = value * 10
        else:
            digits = list(old)
            places = [i for i, c in enumerate(digits) if c.isdigit()]
            i = rng.choice(places)
            digits[i] = str((int(digits[i]) + rng.randint(1, 8)) % 10)
            text = "".join(digits)
            if text != old and not (len(text) > 1 and text[0] == "0" and text[1] != "."):
                return text
            continue
        if new <= 0:
            continue
        text = _fmt_like(old, new)
        if text != old and float(text) != value:
            return text
    return str(int(value) + 7)


def _in_list_marker(text: str, start: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip() and re.match(r"\d{1,2}[.)、]", text[start:]) is not None


def error_edits(text: str, s: int, e: int, kind: str, rng: random.Random) -> Edit | None:
    sentence = text[s:e]
    if kind == "number":
        matches = [m for m in NUMBER.finditer(sentence) if not _in_list_marker(text, s + m.start())]
        if not matches:
            return None
        m = rng.choice(matches)
        return Edit(s + m.start(), s + m.end(), changed_number(m.group(), rng), kind)
    if kind in ("dose", "unit", "lab"):
        pattern = DOSE if kind in ("dose", "unit") else LAB
        matches = list(pattern.finditer(sentence))
        if kind == "unit":
            matches = [m for m in matches if m.group(3) in UNIT_SWAPS]
        if not matches:
            return None
        m = rng.choice(matches)
        if kind == "unit":
            return Edit(s + m.start(3), s + m.end(3), rng.choice(UNIT_SWAPS[m.group(3)]), kind)
        return Edit(s + m.start(1), s + m.end(1), changed_number(m.group(1), rng), kind)
    if kind == "date":
        for pattern, form in rng.sample(DATE_FORMS, len(DATE_FORMS)):
            matches = list(pattern.finditer(sentence))
            if matches:
                m = rng.choice(matches)
                return Edit(s + m.start(), s + m.end(), shifted_date(m, form, rng), kind)
        return None
    if kind == "drug":
        names = DRUGS_ZH if CJK.search(sentence) else DRUGS_EN
        bound = "" if names is DRUGS_ZH else r"\b"
        found = [(m, n) for n in names for m in re.finditer(bound + re.escape(n) + bound, sentence, re.IGNORECASE)]
        if not found:
            return None
        m, name = rng.choice(found)
        same = next((group for group in SAME_DRUG if name.lower() in group), {name.lower()})
        others = [n for n in names if n.lower() not in same and n.lower() not in text.lower()]
        in_text = [n for n in names if n.lower() not in same and n.lower() in text.lower()]
        pool = in_text if in_text and rng.random() < 0.4 else others
        return Edit(s + m.start(), s + m.end(), rng.choice(pool), kind)
    return None


def _parts(m: re.Match[str], form: str) -> tuple[int | None, int, int]:
    if form == "ymd" or form == "zh":
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    if form == "mdy":
        return int(m.group(3)), int(m.group(1)), int(m.group(2))
    if form == "mon":
        return int(m.group(3)), [x[:3] for x in MONTHS].index(m.group(1)[:3]) + 1, int(m.group(2))
    return None, int(m.group(1)), int(m.group(2))


def _render(y: int | None, mo: int, d: int, form: str, like: str) -> str:
    if form == "ymd":
        return f"{y:04d}-{mo:02d}-{d:02d}" if re.match(r"\d{4}-\d{2}-\d{2}", like) else f"{y}-{mo}-{d}"
    if form == "mdy":
        return f"{mo:02d}/{d:02d}/{y:04d}" if re.match(r"\d{2}/\d{2}", like) else f"{mo}/{d}/{y}"
    if form == "zh":
        return f"{y}年{mo}月{d}日"
    if form == "mon":
        return f"{MONTHS[mo - 1][:3] if len(like.split()[0]) <= 4 else MONTHS[mo - 1]} {d}, {y}"
    if form == "dmy":
        return f"{d} {MONTHS[mo - 1]} {y}"
    return f"{mo:02d}-{d:02d}"


def shifted_date(m: re.Match[str], form: str, rng: random.Random) -> str:
    y, mo, d = _parts(m, form)
    if rng.random() < 0.7:
        d = (d - 1 + rng.choice([-5, -3, -2, -1, 1, 2, 3, 5, 9])) % 28 + 1
    else:
        mo = (mo - 1 + rng.choice([-1, 1, 2])) % 12 + 1
    new = _render(y, mo, d, form, m.group())
    return new if new != m.group() else _render(y, mo, (d % 27) + 1, form, m.group())


def rewrite_sentence(sentence: str, zh: bool, rng: random.Random) -> str:
    """Every faithful rewrite that applies, each with some chance; at least one if any applies."""
    rules = [
        _spacing,
        _thousands,
        _dates,
        _conversions,
        _words,
        _temperature,
        _frequency,
        _case,
        _reorder,
        _unit_names,
        _durations,
    ]
    rng.shuffle(rules)
    out = sentence
    for rule in rules:
        if rng.random() < 0.6:
            out = rule(out, zh, rng)
    if out == sentence:
        for rule in rules:
            out = rule(out, zh, rng)
            if out != sentence:
                break
    return out


def _spacing(s: str, zh: bool, rng: random.Random) -> str:
    def flip(m: re.Match[str]) -> str:
        return m.group(1) + ("" if m.group(2) else " ") + m.group(3)

    return re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)( ?)(mg|g|mL|ml|mcg|kg|mmHg|mmol/L|mg/dL|cm)(?![A-Za-z])", flip, s)


def _thousands(s: str, zh: bool, rng: random.Random) -> str:
    s = re.sub(r"(?<![\d,.])(\d{1,3}),(\d{3})(?![\d,])", r"\1\2", s)
    return re.sub(r"(?<![\d,./:-])([1-9]\d)(\d{3})(?![\d,./:-])", r"\1,\2", s) if rng.random() < 0.3 else s


def _dates(s: str, zh: bool, rng: random.Random) -> str:
    for pattern, form in DATE_FORMS:

        def redo(m: re.Match[str], form: str = form) -> str:
            y, mo, d = _parts(m, form)
            if not (1 <= mo <= 12 and 1 <= d <= 31):
                return m.group()
            if y is None:
                return f"{mo}月{d}日" if zh else f"{MONTHS[mo - 1][:3]} {d}"
            forms = ["ymd", "mdy", "mon", "dmy", "zh"] if not zh else ["ymd", "zh", "mdy"]
            choice = rng.choice([f for f in forms if f != form])
            return _render(y, mo, d, choice, "0000-00-00" if choice == "ymd" else "00/00/0000" if choice == "mdy" else "Oct 1")

        s = pattern.sub(redo, s)
    return s


def _conversions(s: str, zh: bool, rng: random.Random) -> str:
    def g_to_mg(m: re.Match[str]) -> str:
        value = float(m.group(1)) * 1000
        return f"{value:g}{m.group(2)}mg" if value < 10000 else m.group()

    s = re.sub(r"(?<![\w.])(0\.\d+|1\.\d+)(\s?)g(?![A-Za-z/])", g_to_mg, s)

    def mg_to_g(m: re.Match[str]) -> str:
        value = float(m.group(1).replace(",", "")) / 1000
        return f"{value:g}{m.group(2)}g"

    s = re.sub(r"(?<![\w.,])(\d{1,2},?\d00)(\s?)mg(?![A-Za-z/])", mg_to_g, s)
    return re.sub(r"(?<![\w.])(\d)(\s?)L(?![A-Za-z/])", lambda m: f"{int(m.group(1)) * 1000}{m.group(2)}mL", s)


def _unit_names(s: str, zh: bool, rng: random.Random) -> str:
    """Other names of one unit: mL/cc, mcg/µg, units/IU, mg/milligrams."""
    pairs = [
        (r"(?<=\d)(\s?)mL\b", r"\1cc"),
        (r"(?<=\d)(\s?)mcg\b", r"\1µg"),
        (r"(?<=\d)(\s?)units\b", r"\1IU"),
        (r"(?<=\d) mg\b", " milligrams"),
        (r"(?<=\d)(\s?)(?:ml|mL)(?=/日)", r"\1毫升"),
    ]
    for pattern, new in pairs:
        if rng.random() < 0.7:
            s = re.sub(pattern, new, s)
    return s


def _durations(s: str, zh: bool, rng: random.Random) -> str:
    """ "1 week" -> "7 days", "2 weeks" -> "14 days", "1周" -> "7天"."""
    if zh:
        return re.sub(r"(?<![\d.])([1-4])周", lambda m: f"{int(m.group(1)) * 7}天", s)
    return re.sub(r"(?<![\w.])([1-4]) weeks?\b", lambda m: f"{int(m.group(1)) * 7} days", s)


def _words(s: str, zh: bool, rng: random.Random) -> str:
    if zh:
        return re.sub(r"(?<![\d.])([1-9]|10)(天|周|个月|片|粒|揿)", lambda m: ZH_WORDS[int(m.group(1))] + m.group(2), s)
    return re.sub(
        r"(?<![\w.,])(\d{1,2})( (?:days?|weeks?|months?|years?|hours?|tablets?|puffs?|pillows|blocks|times))\b",
        lambda m: (EN_WORDS.get(int(m.group(1)), m.group(1))) + m.group(2),
        s,
    )


def _temperature(s: str, zh: bool, rng: random.Random) -> str:
    s = re.sub(r"(\d)\s?℃", lambda m: m.group(1) + rng.choice([" °C", "°C"]), s)
    return re.sub(r"(\d) C\b", r"\1 °C", s)


def _frequency(s: str, zh: bool, rng: random.Random) -> str:
    if zh:
        for old, news in FREQ_ZH:
            if old in s and rng.random() < 0.8:
                new = rng.choice(news)
                # "0.25g每日两次" -> "0.25g bid": a Latin abbreviation is not glued to a unit
                glued = re.compile(r"(?<=[A-Za-z0-9])" + re.escape(old))
                s = glued.sub(" " + new if new.isascii() else new, s).replace(old, new)
        return s
    for pattern, news in FREQ_EN:
        if re.search(pattern, s) and rng.random() < 0.8:
            s = re.sub(pattern, lambda m, news=news: rng.choice(news), s)
    return s


def _case(s: str, zh: bool, rng: random.Random) -> str:
    words = list(re.finditer(r"[A-Za-z][a-z]{3,}", s))
    if not words:
        return s
    m = rng.choice(words)
    word = m.group()
    new = word.upper() if rng.random() < 0.5 else (word.lower() if word[0].isupper() else word.capitalize())
    return s[: m.start()] + new + s[m.end() :]


def _reorder(s: str, zh: bool, rng: random.Random) -> str:
    """List items in another order. Only short items move, each inside its own clause, so
    what governs the list still governs every item ("denied palpitations, warmth, or
    diaphoresis, which is ..." keeps the "which" clause last; "无胸闷、胸痛，无心悸" keeps 无 on both)."""
    body = s.rstrip("。.;；")
    tail = s[len(body) :]
    if re.search(r"[“”\"()（）]", body):
        return s
    if zh and "、" in body:
        clause = next(c for c in re.split(r"[，,；;：:]", body) if "、" in c)
        at = body.index(clause)
        head, items = clause.split("、")[0], clause.split("、")[1:]
        items = _shuffled_short(items, lambda item: len(item) <= 5 and not re.search(r"\d", item), rng)
        return body[:at] + "、".join([head, *items]) + body[at + len(clause) :] + tail
    sep = "，" if zh else ", "
    pieces = body.split(sep)
    if len(pieces) < 3:
        return s
    head, items = pieces[0], pieces[1:]
    joined = next((i for i, item in enumerate(items) if re.match(r"(?:and|or) ", item)), None)
    connector = ""
    if joined is not None:
        connector = items[joined].split(" ", 1)[0] + " "
        items[joined] = items[joined][len(connector) :]
    items = _shuffled_short(items, lambda item: zh or len(item.split()) <= 3, rng)
    if joined is not None:
        items[joined] = connector + items[joined]
    return sep.join([head, *items]) + tail


def _shuffled_short(items: list[str], short, rng: random.Random) -> list[str]:
    """``items`` with one run of short ones (one list) shuffled in place; the others stay."""
    runs: list[list[int]] = [[]]
    for i, item in enumerate(items):
        if short(item):
            runs[-1].append(i)
        elif runs[-1]:
            runs.append([])
    places = next((run for run in runs if len(run) >= 2), [])
    moved = [items[i] for i in places]
    rng.shuffle(moved)
    out = list(items)
    for place, item in zip(places, moved, strict=True):
        out[place] = item
    return out


# ---------------------------------------------------------------------------
# one draft


@dataclass
class Draft:
    text: str
    errors: list[tuple[int, int, str, str]] = field(default_factory=list)  # start, end, kind, note
    rewritten: list[tuple[int, int]] = field(default_factory=list)
    untouched: list[tuple[int, int]] = field(default_factory=list)


def build_draft(text: str, spans: list[tuple[int, int]], edits: list[Edit], rewritten: set[int], touched: set[int]) -> Draft:
    edits = sorted(edits, key=lambda e: e.start)
    out: list[str] = []
    mapping: list[tuple[int, int]] = []  # (original position, shift) after each edit
    position, shift = 0, 0
    errors = []
    for edit in edits:
        out.append(text[position : edit.start])
        new_start = edit.start + shift
        out.append(edit.new)
        if edit.kind != "rewrite":
            errors.append((new_start, new_start + len(edit.new), edit.kind, edit.note))
        shift += len(edit.new) - (edit.end - edit.start)
        mapping.append((edit.end, shift))
        position = edit.end
    out.append(text[position:])

    def moved(offset: int, at_end: bool = False) -> int:
        delta = 0
        for original, total in mapping:
            if original < offset or (at_end and original == offset):
                delta = total
        return offset + delta

    draft = Draft("".join(out), errors)
    for index, (s, e) in enumerate(spans):
        span = (moved(s), moved(e, at_end=True))
        if index in rewritten:
            draft.rewritten.append(span)
        elif index not in touched:
            draft.untouched.append(span)
    return draft


ERROR_KINDS = ("number", "dose", "unit", "date", "lab", "drug")


def make_draft(text: str, meds: list[tuple[int, int, str]], zh: bool, rng: random.Random, errors: int, rewrites: int) -> Draft:
    spans = sentences(text)
    order = list(range(len(spans)))
    rng.shuffle(order)
    edits: list[Edit] = []
    touched: set[int] = set()
    rewritten: set[int] = set()
    kinds = list(ERROR_KINDS)
    for index in order:
        if len([e for e in edits if e.kind != "rewrite"]) >= errors:
            break
        s, e = spans[index]
        rng.shuffle(kinds)
        for kind in kinds:
            edit = error_edits(text, s, e, kind, rng)
            if edit is not None and edit.new != text[edit.start : edit.end]:
                edits.append(edit)
                touched.add(index)
                break
    if meds and rng.random() < 0.7:
        start, end, name = rng.choice(meds)
        if not any(start < ed.end and ed.start < end for ed in edits):
            while end < len(text) and text[end] in ",;，；、 \t":
                end += 1
            if end < len(text) and text[end] == "\n":
                end += 1
            edits.append(Edit(start, end, "", "omission", name))
            touched.update(i for i, (s, e) in enumerate(spans) if s < end and start < e)
    for index in order:
        if len(rewritten) >= rewrites:
            break
        if index in touched:
            continue
        s, e = spans[index]
        if any(s < ed.end and ed.start < e for ed in edits):
            continue
        new = rewrite_sentence(text[s:e], zh, rng)
        if new != text[s:e]:
            edits.append(Edit(s, e, new, "rewrite"))
            rewritten.add(index)
            touched.add(index)
    return build_draft(text, spans, edits, rewritten, touched)


# ---------------------------------------------------------------------------
# running


@dataclass
class Case:
    language: str
    record: Path
    files: list[Path]


def cases(lang: str | None, corpus: Path = CORPUS) -> list[Case]:
    found = []
    for folder in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        files = sorted(p for p in folder.iterdir() if p.suffix == ".txt")
        language = "zh" if folder.name.startswith("zh") else "en"
        found.append(Case(language, folder, files))
    if corpus.is_dir():
        for file in sorted(corpus.glob("*.txt")):
            if file.name.startswith(("LICENSE", "NOTICE", "UPSTREAM")):
                continue
            found.append(Case("en", file, [file]))
    return [c for c in found if lang in (None, c.language)]


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Half-open spans; an empty span at p overlaps [s, e) when s <= p < e."""
    if a[0] == a[1]:
        return b[0] <= a[0] < b[1] or (b[0] == b[1] == a[0])
    if b[0] == b[1]:
        return a[0] <= b[0] < a[1]
    return a[0] < b[1] and b[0] < a[1]


def discharge_med_spans(stay, file: Path, text: str) -> list[tuple[int, int, str]]:
    from emrwriter.facts.stay import stay_facts

    meds = []
    for med in stay_facts(stay).discharge_medications:
        p = med.provenance
        if Path(p.file) == file and p.start is not None and text[p.start : p.end].strip():
            meds.append((p.start, p.end, med.name))
    return meds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--drafts", type=int, default=3, help="drafts per faithful text")
    parser.add_argument("--errors", type=int, default=4, help="errors per draft")
    parser.add_argument("--rewrites", type=int, default=6, help="rewritten sentences per draft")
    parser.add_argument("--lang", choices=("zh", "en"))
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of English notes")
    parser.add_argument("--verbose", action="store_true", help="list every miss and false flag")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    templates = {"zh": load_template("discharge_summary_zh"), "en": load_template("discharge_summary_en")}
    caught: dict[str, Counter] = defaultdict(Counter)
    injected: dict[str, Counter] = defaultdict(Counter)
    flagged = Counter()
    rewritten = Counter()
    untouched_flagged = Counter()
    untouched = Counter()
    misses: list[str] = []
    false_flags: list[str] = []
    for case in cases(args.lang, args.corpus):
        try:
            stay = select_encounter(load_case(case.record))
        except RecordError as exc:
            print(f"skipped {case.record}: {exc}", file=sys.stderr)
            continue
        evidence = build_evidence(stay)
        for file in case.files:
            text, _ = decode_text(file.read_bytes(), str(file))
            text = text.replace("\r\n", "\n")
            meds = discharge_med_spans(stay, file, text)
            for _ in range(args.drafts):
                draft = make_draft(text, meds, case.language == "zh", rng, args.errors, args.rewrites)
                report = verify(stay, draft.text, templates[case.language], evidence=evidence)
                spans = [(f.start, f.end) for f in report.findings]
                lang = case.language
                for start, end, kind, note in draft.errors:
                    injected[lang][kind] += 1
                    if kind == "omission":
                        hit = any(
                            f.kind == "omission" and (f.text.lower() in note.lower() or note.lower() in f.text.lower())
                            for f in report.findings
                        )
                    else:
                        hit = any(overlaps((start, end), span) or overlaps(span, (start, end)) for span in spans)
                    caught[lang][kind] += hit
                    if not hit:
                        context = draft.text[max(0, start - 50) : end + 30].replace("\n", " ")
                        misses.append(
                            f"[{lang} {kind}] {file.name}: ...{context}... (changed: {draft.text[start:end] or note!r})"
                        )
                for span in draft.rewritten:
                    rewritten[lang] += 1
                    hits = [f for f in report.findings if overlaps((f.start, f.end), span)]
                    if hits:
                        flagged[lang] += 1
                        f = hits[0]
                        false_flags.append(
                            f"[{lang}] {file.name}: {draft.text[span[0] : span[1]][:160]!r} -> {f.kind} {f.text!r}: {f.message}"
                        )
                for span in draft.untouched:
                    untouched[lang] += 1
                    untouched_flagged[lang] += any(overlaps((f.start, f.end), span) for f in report.findings)
    print(
        f"verifier measurement (seed {args.seed}, {args.drafts} drafts per text, {args.errors} errors and {args.rewrites} rewrites per draft)"
    )
    for lang in ("zh", "en"):
        total = sum(injected[lang].values())
        if not total:
            continue
        hits = sum(caught[lang].values())
        per_kind = ", ".join(f"{k} {caught[lang][k]}/{injected[lang][k]}" for k in sorted(injected[lang]))
        print(f"{lang}: recall {hits / total:.3f} ({hits}/{total}; {per_kind})")
        rate = flagged[lang] / rewritten[lang] if rewritten[lang] else 0.0
        print(f"{lang}: false-flag rate {rate:.3f} ({flagged[lang]}/{rewritten[lang]} rewritten faithful sentences flagged)")
        if untouched[lang]:
            print(
                f"{lang}: untouched sentences flagged {untouched_flagged[lang] / untouched[lang]:.3f} "
                f"({untouched_flagged[lang]}/{untouched[lang]})"
            )
    if args.verbose:
        print("\nmisses:")
        for line in misses:
            print("  " + line)
        print("\nfalse flags:")
        for line in false_flags:
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
