"""Measure fact structuring: facts found of facts a doctor expects, wrong facts, lab flags wrong.

For each case folder of the development set (tests/devset/<case>/: a patient's files plus
expected.json, see tests/devset/README.md), the case's files (everything but expected.json,
copied to a temporary folder so expected.json is never read as a record) are run through
`emrwriter inspect PATH --json` in-process, and the top-level key "facts" of its output is
compared with expected.json. When "facts" is missing or inspect fails, every expected fact
counts as not found and the table is still printed. The script measures, it does not gate:
it exits 0 always.

Usage:
    python scripts/measure_structuring.py [--cases DIR] [--case NAME ...] [-v]
                                          [--json FILE] [--corpus DIR]

    -v            list, per case, each expected fact not found (with the nearest candidate)
                  and each wrong fact
    --json FILE   write the figures (per case, per kind, per language) as JSON
    --corpus DIR  also run every file of DIR (e.g. ../shared/corpus/discharge-notes) and print
                  what was extracted, for a human to read: there are no expected facts there

What counts as one expected fact: patient name, patient sex, admission date, discharge date,
and each item of diagnoses, discharge_medications, stopped_medications, home_medications,
abnormal_labs, normal_labs, pending, follow_up, procedures, allergies.

Matching (tolerant on spelling, strict on meaning):
  names       NFKC (full-width -> half-width), case-folded, brackets kept apart ("Insulin
              glargine (Lantus)" is also "insulin glargine" and "lantus"), punctuation and
              spaces dropped; drug names also lose strengths ("81 mg"), dose-form words
              (片, 胶囊, 缓释片, 注射液, tablet, capsule, HFA, ER, chewable...) and salt words
              that do not change the drug (盐酸, 硫酸, 苯磺酸, hydrochloride, HCl, sodium,
              calcium, besylate...; not succinate/tartrate). Two names match when one
              contains the other (either way), the shorter having at least 2 CJK or 3 Latin
              characters. An expected item may give "aliases": any of them may match.
              Labs first look for an exact (normalised) name; only if there is none do they
              fall back to containment, skipping results whose name is exactly another
              expected lab of the case ("creatinine" must not take the UPCR).
  patient     the name matches when not glued (below) and, for Latin names, the words of one
              (initials dropped, any order: "WHITFIELD, ROSE A." == "Rose A. Whitfield") are
              all in the other; for Chinese names by containment. Sex: male/M/男, female/F/女.
  dates       compared by day: "2026-03-02T09:00:00" == "2026-03-02".
  dose        every number+unit of the expected dose must be among those of the found dose,
              units normalised (0.5g == 0.5 g == 500 mg; mcg == μg; 单位 == units == IU;
              揿 == puffs; 片 == tablet). A range "875-125 mg" gives both numbers.
  route       by a table (口服 == PO == by mouth == oral; 皮下注射 == SC == subcutaneous ...):
              the codes must overlap.
  frequency   by a table of codes (FREQUENCY below): qd == daily == once daily == 每日一次 ==
              1次/日; bid == twice daily == q12h == 每日两次; qn == nightly == at bedtime ==
              qHS == 每晚 == 睡前; prn == as needed == 必要时 ... Every code of the expected
              frequency must be among the found ones. Without any code: containment.
  status      exact (new | changed | continued | stopped), after continue -> continued etc.
  role        exact; "proposed" only when expected gives it.
  follow_up   {"contains": "..."} (or a list of strings): one follow-up text contains them all.

When found:
  discharge medication  a medication with role discharge, status not stopped, whose name
                        matches and every field given in expected (dose, route, frequency,
                        status) matches.
  stopped medication    a medication with status stopped and role not discharge.
  home medication       a medication with role home (name and any dose/frequency given).
  abnormal lab          a lab whose name (and value, when expected gives one) matches, flagged
                        in the expected direction (H: H/HH/high/↑/偏高; L: L/LL/low/↓/偏低).
  normal lab            a matching lab with no H/L flag.
  diagnosis             a diagnosis with that name and role (and proposed, when given).

Wrong facts (counted apart, never excused by a found fact):
  - a drug of expected stopped_medications listed as a discharge medication (role discharge,
    status not stopped);
  - a patient name that holds another field's label (性别, 年龄, 住院号, DOB, MRN, Sex, Age...)
    or a colon or a bar: several header fields glued into the name;
  - a discharge date before the admission date.
Lab flags wrong (their own column): an expected-abnormal lab found without H/L or in the wrong
direction; an expected-normal lab flagged H or L.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import shutil
import sys
import tempfile
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CASES = ROOT / "tests" / "devset"
EXPECTED = "expected.json"

KINDS = (
    "patient",
    "dates",
    "diagnoses",
    "discharge_medications",
    "stopped_medications",
    "home_medications",
    "abnormal_labs",
    "normal_labs",
    "pending",
    "follow_up",
    "procedures",
    "allergies",
)

# ---------------------------------------------------------------------------
# normalisation

CJK = re.compile(r"[\u3400-\u9fff]")
BRACKETS = re.compile(r"[(\[（【]([^()\[\]（）【】]*)[)\]）】]")
NON_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff+#%]+")

ZH_FORM_SUFFIXES = sorted(
    [
        "肠溶片",
        "缓释片",
        "控释片",
        "分散片",
        "咀嚼片",
        "泡腾片",
        "薄膜衣片",
        "片",
        "软胶囊",
        "缓释胶囊",
        "肠溶胶囊",
        "胶囊",
        "注射液",
        "粉针剂",
        "颗粒",
        "干混悬剂",
        "混悬液",
        "口服溶液",
        "口服液",
        "溶液",
        "吸入粉雾剂",
        "粉雾剂",
        "吸入剂",
        "气雾剂",
        "喷雾剂",
        "吸入喷雾剂",
        "滴眼液",
        "软膏",
        "乳膏",
        "散",
        "丸",
        "糖浆",
        "贴剂",
        "栓",
    ],
    key=len,
    reverse=True,
)
ZH_FORM_PREFIXES = ("注射用",)
ZH_SALT_PREFIXES = ("盐酸", "硫酸氢", "硫酸", "苯磺酸", "马来酸", "甲磺酸", "琥珀酸", "酒石酸", "枸橼酸", "富马酸", "磷酸")
ZH_SALT_SUFFIXES = ("钙", "钠", "钾")
EN_FORM_WORDS = {
    "tablet",
    "tablets",
    "tab",
    "tabs",
    "capsule",
    "capsules",
    "cap",
    "caps",
    "chewable",
    "oral",
    "solution",
    "suspension",
    "injection",
    "inj",
    "inhaler",
    "hfa",
    "mdi",
    "dpi",
    "er",
    "xl",
    "sr",
    "xr",
    "dr",
    "ec",
    "cr",
    "la",
    "extended",
    "delayed",
    "release",
    "extended-release",
    "delayed-release",
    "sublingual",
    "sl",
    "powder",
    "nasal",
    "cream",
    "ointment",
    "drops",
    "patch",
    "syrup",
    "liquid",
    "pen",
    "vial",
    "prefilled",
    "syringe",
    "po",
    "iv",
    "sc",
}
EN_SALT_WORDS = {
    "hydrochloride",
    "hcl",
    "sodium",
    "potassium",
    "calcium",
    "besylate",
    "maleate",
    "mesylate",
    "bisulfate",
    "hyclate",
    "monohydrate",
    "dihydrate",
    "trihydrate",
    "disodium",
    "magnesium",
}
STRENGTH = re.compile(
    r"\d+(?:\.\d+)?\s*(?:[-/]\s*\d+(?:\.\d+)?\s*)?(?:mg|g|mcg|μg|µg|ug|ml|l|units?|iu|u|meq|%|毫克|克|单位|万单位|ml)?(?:\s*\*\s*\d+\s*\S*)?",
    re.IGNORECASE,
)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").replace("µ", "μ").casefold().strip()


def compact(text: str) -> str:
    return NON_WORD.sub("", nfkc(text))


def name_variants(text: str) -> set[str]:
    """The name, the name without its brackets, and each bracket's content: compacted."""
    t = nfkc(text)
    out = {t, BRACKETS.sub(" ", t)}
    out.update(m.group(1) for m in BRACKETS.finditer(t))
    return {c for c in (compact(v) for v in out) if c}


def drug_key(text: str) -> str:
    t = nfkc(text)
    t = BRACKETS.sub(" ", t) if BRACKETS.sub(" ", t).strip() else t
    t = STRENGTH.sub(" ", t)
    if CJK.search(t):
        t = compact(t)
        for prefix in ZH_FORM_PREFIXES:
            t = t.removeprefix(prefix)
        changed = True
        while changed:
            changed = False
            for suffix in ZH_FORM_SUFFIXES:
                if t.endswith(suffix) and len(t) > len(suffix) + 1:
                    t = t[: -len(suffix)]
                    changed = True
        for prefix in ZH_SALT_PREFIXES:
            if t.startswith(prefix) and len(t) - len(prefix) >= 2:
                t = t[len(prefix) :]
                break
        for suffix in ZH_SALT_SUFFIXES:
            if t.endswith(suffix) and len(t) - 1 >= 3:
                t = t[:-1]
                break
        return t
    words = [w for w in re.split(r"[^0-9a-z]+", t) if w]
    kept = [w for w in words if w not in EN_FORM_WORDS and w not in EN_SALT_WORDS and not w.isdigit()]
    return "".join(kept or words)


def drug_variants(text: str) -> set[str]:
    t = nfkc(text)
    out = {drug_key(t)}
    out.update(drug_key(m.group(1)) for m in BRACKETS.finditer(t))
    return {v for v in out if v}


def long_enough(s: str) -> bool:
    return len(s) >= (2 if CJK.search(s) else 3)


def contains_either(a: str, b: str) -> bool:
    if not a or not b:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return long_enough(short) and short in long_


def names_match(expected_names: set[str], found_names: set[str]) -> bool:
    return any(contains_either(e, f) for e in expected_names for f in found_names)


def expected_names(item: dict, variants=name_variants) -> set[str]:
    names = [item.get("name") or item.get("substance") or ""] + list(item.get("aliases") or [])
    out: set[str] = set()
    for n in names:
        out |= variants(n)
    return out


# ---------------------------------------------------------------------------
# doses, routes, frequencies

DOSE = re.compile(
    r"(\d+(?:\.\d+)?)(?:\s*[-–~/]\s*(\d+(?:\.\d+)?))?\s*"
    r"(万单位|mg|毫克|g|克|mcg|μg|ug|ng|kg|ml|毫升|l|units?|iu|u|单位|meq|mmol|puffs?|inhalations?|揿|喷|吸|"
    r"tablets?|tabs?|capsules?|caps?|片|粒|袋|sachets?|支|滴|drops?|%)(?![a-z])",
    re.IGNORECASE,
)
UNIT_SCALE = {
    "mg": ("mg", 1),
    "毫克": ("mg", 1),
    "g": ("mg", 1000),
    "克": ("mg", 1000),
    "kg": ("mg", 1e6),
    "mcg": ("mg", 0.001),
    "μg": ("mg", 0.001),
    "ug": ("mg", 0.001),
    "ng": ("mg", 1e-6),
    "ml": ("ml", 1),
    "毫升": ("ml", 1),
    "l": ("ml", 1000),
    "unit": ("unit", 1),
    "units": ("unit", 1),
    "iu": ("unit", 1),
    "u": ("unit", 1),
    "单位": ("unit", 1),
    "万单位": ("unit", 10000),
    "meq": ("meq", 1),
    "mmol": ("mmol", 1),
    "%": ("%", 1),
    "puff": ("puff", 1),
    "puffs": ("puff", 1),
    "inhalation": ("puff", 1),
    "inhalations": ("puff", 1),
    "揿": ("puff", 1),
    "喷": ("puff", 1),
    "吸": ("puff", 1),
    "tablet": ("tab", 1),
    "tablets": ("tab", 1),
    "tab": ("tab", 1),
    "tabs": ("tab", 1),
    "capsule": ("tab", 1),
    "capsules": ("tab", 1),
    "cap": ("tab", 1),
    "caps": ("tab", 1),
    "片": ("tab", 1),
    "粒": ("tab", 1),
    "袋": ("sachet", 1),
    "sachet": ("sachet", 1),
    "sachets": ("sachet", 1),
    "支": ("ampoule", 1),
    "滴": ("drop", 1),
    "drop": ("drop", 1),
    "drops": ("drop", 1),
}


def quantities(text: str) -> set[tuple[str, float]]:
    out = set()
    for m in DOSE.finditer(nfkc(text).replace(",", "")):
        unit, scale = UNIT_SCALE[m.group(3).lower()]
        for number in (m.group(1), m.group(2)):
            if number:
                out.add((unit, round(float(number) * scale, 6)))
    return out


def dose_matches(expected: str, found: str) -> bool:
    want = quantities(expected)
    if not want:
        return contains_either(compact(expected), compact(found))
    return want <= quantities(found)


def _table(rows: list[tuple[str, str]]) -> list[tuple[str, re.Pattern]]:
    return [(code, re.compile(pattern, re.IGNORECASE)) for code, pattern in rows]


# Order matters: the more specific patterns come first and their text is blanked out, so
# "twice daily" is bid and not also daily.
FREQUENCY = _table(
    [
        ("prn", r"as needed|\bprn\b|p\.r\.n\.?|必要时|需要时|按需|疼痛时|发作时"),
        (
            "bid",
            (
                r"twice (?:a |per )?day|twice daily|two times (?:a |per )?day|\bb\.?i\.?d\.?\b|q\s?12\s?h|every 12 hours|"
                r"每日两次|每日2次|每天两次|每天2次|一日两次|一日2次|日两次|2次/日|2次/天|每12小时(?:一次)?|bid"
            ),
        ),
        (
            "tid",
            (
                r"three times (?:a |per )?day|three times daily|\bt\.?i\.?d\.?\b|q\s?8\s?h|every 8 hours|"
                r"每日三次|每日3次|每天三次|每天3次|一日三次|一日3次|3次/日|3次/天|每8小时(?:一次)?|tid"
            ),
        ),
        (
            "qid",
            (
                r"four times (?:a |per )?day|four times daily|\bq\.?i\.?d\.?\b|q\s?6\s?h|every 6 hours|"
                r"每日四次|每日4次|一日四次|4次/日|每6小时(?:一次)?|qid"
            ),
        ),
        ("q4h", r"q\s?4(?:\s?-\s?6)?\s?h|every 4(?:\s?(?:-|to)\s?6)? hours|每4小时(?:一次)?"),
        (
            "qn",
            (
                r"at bedtime|bedtime|nightly|at night|every night|every evening|\bq\.?\s?h\.?s\.?\b|\bh\.?s\.?\b|\bqn\b|\bqpm\b|"
                r"每晚(?:睡前)?(?:一次|1次)?|睡前(?:一次|1次)?|每日睡前"
            ),
        ),
        ("qod", r"every other day|\bqod\b|\bq\.?o\.?d\.?\b|隔日(?:一次|1次)?"),
        ("weekly", r"once (?:a |per )?week|weekly|every week|\bqw\b|每周(?:一次|1次)|1次/周"),
        ("continuous", r"continuous|持续"),
        (
            "qd",
            (
                r"once daily|once (?:a |per )?day|daily|every day|every morning|\bqam\b|\bq\.?d\.?\b|\bo\.?d\.?\b|q\s?24\s?h|"
                r"every 24 hours|每日一次|每日1次|每天一次|每天1次|一日一次|一日1次|1次/日|1次/天|每早(?:一次)?|每晨(?:一次)?|qd"
            ),
        ),
        ("once", r"\bonce\b|\bstat\b|\bst\b|立即|单次|一次性"),
    ]
)

ROUTE = _table(
    [
        ("sl", r"sublingual|\bsl\b|舌下"),
        ("inh", r"inhal\w*|\binh\b|nebuli[sz]ed|\bneb\b|雾化|吸入"),
        ("sc", r"subcutaneous\w*|subcut|\bs\.?c\.?\b|\bsq\b|\bsubq\b|under the skin|皮下"),
        ("iv", r"intravenous\w*|\bi\.?v\.?\b|ivgtt|静脉|静滴|静推"),
        ("im", r"intramuscular\w*|\bi\.?m\.?\b|肌注|肌内"),
        ("nasal", r"intranasal|nasal|鼻喷|经鼻|滴鼻"),
        ("topical", r"topical\w*|外用|涂抹"),
        ("pr", r"rectal\w*|\bp\.?r\.?\b|纳肛|直肠"),
        ("oral", r"\bp\.?o\.?\b|\boral\w*|by mouth|口服|冲服|嚼服|鼻饲"),
    ]
)


def codes(text: str, table) -> set[str]:
    t = nfkc(text)
    found = set()
    for code, pattern in table:
        if pattern.search(t):
            found.add(code)
            t = pattern.sub(" ", t)
    return found


def frequency_matches(expected: str, found: str) -> bool:
    want = codes(expected, FREQUENCY)
    if not want:
        return contains_either(compact(expected), compact(found))
    return want <= codes(found, FREQUENCY)


def route_matches(expected: str, found: str) -> bool:
    want = codes(expected, ROUTE)
    if not want:
        return contains_either(compact(expected), compact(found))
    return bool(want & codes(found, ROUTE))


STATUS_WORDS = {"continue": "continued", "change": "changed", "stop": "stopped", "discontinued": "stopped", "start": "new"}


def status_of(value) -> str:
    s = nfkc(str(value or ""))
    return STATUS_WORDS.get(s, s)


# ---------------------------------------------------------------------------
# dates, patient, flags


def to_day(value) -> date | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = nfkc(str(value))
    m = re.match(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", s)
    if m:
        y, mo, d = (int(x) for x in m.groups())
    else:
        m = re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})", s)  # US month/day/year
        if not m:
            return None
        mo, d, y = (int(x) for x in m.groups())
    try:
        return date(y, mo, d)
    except ValueError:
        return None


GLUED = re.compile(
    r"性别|年龄|住院号|门诊号|出生|床号|科室|民族|职业|病区|入院|"
    r"\b(?:dob|d\.o\.b|mrn|sex|age|gender|date of birth|birth ?date|admit\w*|attending)\b|[:：|]",
    re.IGNORECASE,
)


def name_glued(name: str) -> bool:
    return bool(GLUED.search(nfkc(name)))


def person_words(name: str) -> set[str]:
    return {w for w in re.split(r"[^a-z\u00c0-\u024f'-]+", nfkc(name)) if len(w.strip("'-")) > 1}


def patient_name_matches(expected: str, found: str) -> bool:
    if not found or name_glued(found):
        return False
    if CJK.search(expected):
        return contains_either(compact(expected), compact(found))
    e, f = person_words(expected), person_words(found)
    return bool(e and f) and (e <= f or f <= e)


SEX = {
    "male": "male",
    "m": "male",
    "男": "male",
    "man": "male",
    "boy": "male",
    "female": "female",
    "f": "female",
    "女": "female",
    "woman": "female",
    "girl": "female",
}


def sex_of(value) -> str:
    return SEX.get(nfkc(str(value or "")), nfkc(str(value or "")))


def flag_of(value) -> str:
    s = nfkc(str(value or ""))
    if not s or s in {"n", "normal", "正常", "-", "—"}:
        return ""
    if s in {"h", "hh", "high", "↑", "偏高", "高", "a", "abnormal high", "critical high", "h*", ">"} or s.startswith(("h", "↑")):
        return "H"
    if s in {"l", "ll", "low", "↓", "偏低", "低", "critical low", "l*", "<"} or s.startswith(("l", "↓")):
        return "L"
    return s.upper()


def value_matches(expected, found) -> bool:
    try:
        return abs(float(str(expected).replace(",", "")) - float(str(found).replace(",", ""))) < 1e-9
    except ValueError:
        return compact(str(expected)) == compact(str(found))


# ---------------------------------------------------------------------------
# scoring


@dataclass
class Outcome:
    kind: str
    what: str
    found: bool
    note: str = ""  # why not found: the nearest candidate


@dataclass
class CaseScore:
    case: str
    language: str
    outcomes: list[Outcome] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    lab_flags_wrong: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def found(self) -> int:
        return sum(o.found for o in self.outcomes)

    @property
    def expected(self) -> int:
        return len(self.outcomes)

    def kinds(self) -> dict[str, list[int]]:
        out = {k: [0, 0] for k in KINDS}
        for o in self.outcomes:
            out[o.kind][0] += o.found
            out[o.kind][1] += 1
        return out


def _list(facts: dict, key: str) -> list[dict]:
    items = facts.get(key) or []
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _describe_med(m: dict) -> str:
    return (
        " ".join(str(m.get(k) or "") for k in ("name", "dose", "route", "frequency")).strip()
        + f" [{m.get('role') or '?'}/{m.get('status') or '-'}]"
    )


def _med_fields_match(want: dict, med: dict) -> list[str]:
    """The fields of an expected medication that the found one gets wrong."""
    bad = []
    if want.get("dose") and not dose_matches(want["dose"], str(med.get("dose") or "")):
        bad.append("dose")
    if want.get("route") and not route_matches(want["route"], str(med.get("route") or "")):
        bad.append("route")
    if want.get("frequency") and not frequency_matches(want["frequency"], str(med.get("frequency") or "")):
        bad.append("frequency")
    if want.get("status") and status_of(want["status"]) != status_of(med.get("status")):
        bad.append("status")
    return bad


def _match_meds(kind: str, wanted: list[dict], meds: list[dict], select) -> list[Outcome]:
    pool = [m for m in meds if select(m)]
    outcomes = []
    for want in wanted:
        names = expected_names(want, drug_variants)
        candidates = [m for m in pool if names_match(names, drug_variants(str(m.get("name") or "")))]
        fields = [f for f in ("dose", "route", "frequency", "status") if want.get(f) and kind != "stopped_medications"]
        what = want.get("name", "?") + "".join(f" {want[f]}" for f in fields)
        best, best_bad = None, None
        for med in candidates:
            bad = _med_fields_match({f: want.get(f) for f in fields}, med)
            if best_bad is None or len(bad) < len(best_bad):
                best, best_bad = med, bad
        if best is not None and not best_bad:
            outcomes.append(Outcome(kind, what, True))
        elif best is not None:
            outcomes.append(Outcome(kind, what, False, f"{', '.join(best_bad)} differ: {_describe_med(best)}"))
        else:
            others = [m for m in meds if names_match(names, drug_variants(str(m.get("name") or "")))]
            note = "listed only as: " + "; ".join(_describe_med(m) for m in others[:3]) if others else "not listed"
            outcomes.append(Outcome(kind, what, False, note))
    return outcomes


def _lab_candidates(want: dict, labs: list[dict], other_exact: set[str]) -> list[dict]:
    names = expected_names(want)
    exact = [lab for lab in labs if names & name_variants(str(lab.get("name") or ""))]
    if not exact:
        exact = [
            lab
            for lab in labs
            if names_match(names, name_variants(str(lab.get("name") or "")))
            and not (name_variants(str(lab.get("name") or "")) & other_exact)
        ]
    if want.get("value") not in (None, ""):
        exact = [lab for lab in exact if value_matches(want["value"], lab.get("value"))]
    return exact


def _describe_lab(lab: dict) -> str:
    rng = lab.get("reference_range") or ""
    return f"{lab.get('name')} {lab.get('value')} {lab.get('unit') or ''} ({rng}) flag={lab.get('flag') or '-'}".replace(
        "  ", " "
    )


def score_case(case: str, expected: dict, facts: dict | None, error: str = "") -> CaseScore:
    """Compare one case's expected facts with the facts of `inspect --json` (None: not there)."""
    facts = facts if isinstance(facts, dict) else {}
    score = CaseScore(case, expected.get("language", "?"), error=error)
    out = score.outcomes

    # patient
    patient = facts.get("patient") if isinstance(facts.get("patient"), dict) else {}
    found_name = str(patient.get("name") or "")
    want_patient = expected.get("patient") or {}
    if want_patient.get("name"):
        ok = patient_name_matches(want_patient["name"], found_name)
        out.append(Outcome("patient", f"name {want_patient['name']}", ok, "" if ok else f"found {found_name!r}"))
    if found_name and name_glued(found_name):
        score.wrong.append(f"patient name glued to other fields: {found_name!r}")
    if want_patient.get("sex"):
        ok = sex_of(want_patient["sex"]) == sex_of(patient.get("sex"))
        out.append(Outcome("patient", f"sex {want_patient['sex']}", ok, "" if ok else f"found {patient.get('sex')!r}"))

    # dates
    admitted, discharged = to_day(facts.get("admission_date")), to_day(facts.get("discharge_date"))
    for key, got in (("admission_date", admitted), ("discharge_date", discharged)):
        if expected.get(key):
            ok = got == to_day(expected[key])
            out.append(Outcome("dates", f"{key} {expected[key]}", ok, "" if ok else f"found {facts.get(key)!r}"))
    if admitted and discharged and discharged < admitted:
        score.wrong.append(f"discharge date {discharged} before admission date {admitted}")

    # diagnoses
    diagnoses = _list(facts, "diagnoses")
    for want in expected.get("diagnoses") or []:
        names = expected_names(want)
        same_name = [d for d in diagnoses if names_match(names, name_variants(str(d.get("name") or "")))]
        role = want.get("role")
        hits = [
            d
            for d in same_name
            if (not role or d.get("role") == role)
            and ("proposed" not in want or bool(d.get("proposed")) == bool(want["proposed"]))
        ]
        what = f"{want.get('name')} [{role or 'any'}{', proposed' if want.get('proposed') else ''}]"
        note = (
            ""
            if hits
            else (
                "found as "
                + "; ".join(
                    f"{d.get('name')} [{d.get('role')}{', proposed' if d.get('proposed') else ''}]" for d in same_name[:3]
                )
                if same_name
                else "not listed"
            )
        )
        out.append(Outcome("diagnoses", what, bool(hits), note))

    # medications
    meds = _list(facts, "medications")

    def is_discharge(m):
        return m.get("role") == "discharge" and status_of(m.get("status")) != "stopped"

    out += _match_meds("discharge_medications", expected.get("discharge_medications") or [], meds, is_discharge)
    out += _match_meds(
        "stopped_medications",
        expected.get("stopped_medications") or [],
        meds,
        lambda m: status_of(m.get("status")) == "stopped" and m.get("role") != "discharge",
    )
    out += _match_meds("home_medications", expected.get("home_medications") or [], meds, lambda m: m.get("role") == "home")
    for want in expected.get("stopped_medications") or []:
        names = expected_names(want, drug_variants)
        for med in meds:
            if is_discharge(med) and names_match(names, drug_variants(str(med.get("name") or ""))):
                score.wrong.append(f"stopped drug {want.get('name')} listed as a discharge medication: {_describe_med(med)}")

    # labs
    labs = _list(facts, "labs")
    all_lab_names = [expected_names(w) for w in (expected.get("abnormal_labs") or []) + (expected.get("normal_labs") or [])]
    for kind, wanted in (
        ("abnormal_labs", expected.get("abnormal_labs") or []),
        ("normal_labs", expected.get("normal_labs") or []),
    ):
        for want in wanted:
            own = expected_names(want)
            others = set().union(*(n for n in all_lab_names if n != own)) if all_lab_names else set()
            candidates = _lab_candidates(want, labs, others - own)
            value = f" {want['value']}" if want.get("value") not in (None, "") else ""
            if kind == "abnormal_labs":
                direction = want.get("flag", "H").upper()
                what = f"{want.get('name')}{value} {direction}"
                hits = [lab for lab in candidates if flag_of(lab.get("flag")) == direction]
                note = ""
                if not hits and candidates:
                    note = "; ".join(_describe_lab(lab) for lab in candidates[:3])
                    score.lab_flags_wrong.append(f"{want.get('name')}{value} should be {direction}: {note}")
                elif not hits:
                    note = "not listed"
                out.append(Outcome(kind, what, bool(hits), note))
            else:
                what = f"{want.get('name')}{value} normal"
                flagged = [lab for lab in candidates if flag_of(lab.get("flag")) in ("H", "L")]
                unflagged = [lab for lab in candidates if not flag_of(lab.get("flag"))]
                for lab in flagged:
                    score.lab_flags_wrong.append(f"{want.get('name')}{value} is normal but flagged: {_describe_lab(lab)}")
                out.append(
                    Outcome(
                        kind,
                        what,
                        bool(unflagged),
                        ""
                        if unflagged
                        else ("flagged: " + "; ".join(_describe_lab(lab) for lab in flagged[:3]) if flagged else "not listed"),
                    )
                )

    # simple named lists
    for kind, key, attr in (
        ("pending", "pending", "name"),
        ("procedures", "procedures", "name"),
        ("allergies", "allergies", "substance"),
    ):
        items = _list(facts, key)
        for want in expected.get(kind) or []:
            names = expected_names(want)
            ok = any(names_match(names, name_variants(str(i.get(attr) or ""))) for i in items)
            out.append(
                Outcome(
                    kind,
                    str(want.get(attr) or want.get("name")),
                    ok,
                    "" if ok else f"{len(items)} listed: " + "; ".join(str(i.get(attr)) for i in items[:4]),
                )
            )

    # follow-up
    texts = [compact(str(i.get("text") or "")) for i in _list(facts, "follow_up")]
    for want in expected.get("follow_up") or []:
        needles = want.get("contains") or []
        needles = [needles] if isinstance(needles, str) else list(needles)
        keys = [compact(n) for n in needles]
        ok = any(all(k in t for k in keys) for t in texts)
        out.append(Outcome("follow_up", " + ".join(needles), ok, "" if ok else f"{len(texts)} follow-up texts"))
    return score


# ---------------------------------------------------------------------------
# running inspect


def inspect_json(path: Path) -> tuple[dict | None, str]:
    """`emrwriter inspect PATH --json` in-process: (its JSON, an error message or "")."""
    try:
        from emrwriter.cli import main as cli_main
    except Exception as exc:  # noqa: BLE001 - a tree being edited by others: measure nothing, say why
        return None, f"import emrwriter.cli: {type(exc).__name__}: {exc}"
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = cli_main(["inspect", str(path), "--json"])
    except Exception as exc:  # noqa: BLE001 - one failing case must not stop the measurement
        return None, f"inspect raised {type(exc).__name__}: {exc}"
    except SystemExit as exc:
        code = exc.code
    if code:
        return None, f"inspect exit {code}: {stderr.getvalue().strip()[:300]}"
    try:
        return json.loads(stdout.getvalue()), ""
    except json.JSONDecodeError as exc:
        return None, f"inspect output is not JSON: {exc}"


def case_facts(case_dir: Path) -> tuple[dict | None, str]:
    """The facts of a case's files, expected.json left out (copied to a folder of the case's name)."""
    with tempfile.TemporaryDirectory(prefix="emrwriter-devset-") as tmp:
        target = Path(tmp) / case_dir.name
        shutil.copytree(case_dir, target, ignore=shutil.ignore_patterns(EXPECTED))
        data, error = inspect_json(target)
    if data is None:
        return None, error
    if "facts" not in data:
        return None, "no 'facts' key in inspect --json"
    return data["facts"], ""


def find_cases(cases_dir: Path, names: list[str] | None = None) -> list[Path]:
    cases = sorted(p.parent for p in cases_dir.glob(f"*/{EXPECTED}"))
    if names:
        cases = [c for c in cases if c.name in names]
    return cases


def measure(cases_dir: Path, names: list[str] | None = None) -> list[CaseScore]:
    scores = []
    for case_dir in find_cases(cases_dir, names):
        expected = json.loads((case_dir / EXPECTED).read_text(encoding="utf-8"))
        facts, error = case_facts(case_dir)
        scores.append(score_case(case_dir.name, expected, facts, error))
    return scores


# ---------------------------------------------------------------------------
# reporting


def pct(found: int, expected: int) -> str:
    return f"{100 * found / expected:.0f}%" if expected else "-"


def totals(scores: list[CaseScore]) -> dict:
    by_lang: dict[str, dict] = {}
    kinds: dict[str, dict[str, list[int]]] = {k: {} for k in KINDS}
    for s in scores:
        for lang in (s.language, "all"):
            t = by_lang.setdefault(lang, {"cases": 0, "found": 0, "expected": 0, "wrong": 0, "lab_flags_wrong": 0, "errors": 0})
            t["cases"] += 1
            t["found"] += s.found
            t["expected"] += s.expected
            t["wrong"] += len(s.wrong)
            t["lab_flags_wrong"] += len(s.lab_flags_wrong)
            t["errors"] += bool(s.error)
            for kind, (f, e) in s.kinds().items():
                cell = kinds[kind].setdefault(lang, [0, 0])
                cell[0] += f
                cell[1] += e
    return {"languages": by_lang, "kinds": kinds}


def print_report(scores: list[CaseScore], verbose: bool = False, out=sys.stdout) -> None:
    width = max([len(s.case) for s in scores] + [4])
    print(f"{'case':<{width}}  lang  found/expected        wrong  lab flags wrong", file=out)
    for s in scores:
        cell = f"{s.found:>3}/{s.expected:<3} {pct(s.found, s.expected):>5}"
        err = f"  ({s.error})" if s.error else ""
        print(f"{s.case:<{width}}  {s.language:<4}  {cell:<20} {len(s.wrong):>5}  {len(s.lab_flags_wrong):>15}{err}", file=out)
        if verbose:
            for o in s.outcomes:
                if not o.found:
                    print(f"    missed {o.kind}: {o.what}" + (f"  <- {one_line(o.note, 300)}" if o.note else ""), file=out)
            for w in s.wrong:
                print(f"    WRONG: {one_line(w, 300)}", file=out)
            for w in s.lab_flags_wrong:
                print(f"    LAB FLAG: {one_line(w, 300)}", file=out)
    t = totals(scores)
    langs = [lang for lang in sorted(t["languages"]) if lang != "all"] + ["all"]
    print(file=out)
    print(f"{'fact kind':<22}" + "".join(f"{lang:>16}" for lang in langs), file=out)
    for kind in KINDS:
        cells = []
        for lang in langs:
            f, e = t["kinds"][kind].get(lang, [0, 0])
            cells.append(f"{f}/{e} {pct(f, e)}" if e else "-")
        print(f"{kind:<22}" + "".join(f"{c:>16}" for c in cells), file=out)
    print(file=out)
    for lang in langs:
        x = t["languages"][lang]
        print(
            f"total {lang:<4} cases {x['cases']:>2}  found {x['found']}/{x['expected']} ({pct(x['found'], x['expected'])})"
            f"  wrong {x['wrong']}  lab flags wrong {x['lab_flags_wrong']}"
            + (f"  inspect errors {x['errors']}" if x["errors"] else ""),
            file=out,
        )


def figures(scores: list[CaseScore]) -> dict:
    return {
        "cases": [
            {
                "case": s.case,
                "language": s.language,
                "found": s.found,
                "expected": s.expected,
                "wrong": len(s.wrong),
                "lab_flags_wrong": len(s.lab_flags_wrong),
                "error": s.error,
                "kinds": s.kinds(),
                "missed": [asdict(o) for o in s.outcomes if not o.found],
                "wrong_facts": s.wrong,
                "lab_flag_errors": s.lab_flags_wrong,
            }
            for s in scores
        ],
        **totals(scores),
    }


def one_line(text, limit: int = 160) -> str:
    """A value on one line; a long one cut, saying how much was cut (a long 'name' is itself a finding)."""
    s = " ".join(str(text or "").split())
    return s if len(s) <= limit else f"{s[:limit]}... (+{len(s) - limit} chars)"


CORPUS_SKIP = re.compile(r"^(license|notice|readme|upstream)", re.IGNORECASE)


def print_corpus(corpus: Path, out=sys.stdout) -> None:
    """What the fact layer reads from each file of a corpus nobody here wrote (no expected facts)."""
    files = sorted(p for p in corpus.iterdir() if p.is_file() and not CORPUS_SKIP.match(p.name) and not p.name.startswith("."))
    print(f"\n== corpus {corpus} ({len(files)} files): what was extracted ==", file=out)
    for path in files:
        data, error = inspect_json(path)
        facts = (data or {}).get("facts")
        if not isinstance(facts, dict):
            print(f"\n{path.name}: {error or 'no facts key'}", file=out)
            continue
        meds = _list(facts, "medications")
        roles = defaultdict(int)
        for m in meds:
            roles[m.get("role") or "?"] += 1
        diagnoses = _list(facts, "diagnoses")
        labs = _list(facts, "labs")
        flagged = sum(flag_of(lab.get("flag")) in ("H", "L") for lab in labs)
        print(
            f"\n{path.name}: admitted {facts.get('admission_date') or '?'}, discharged {facts.get('discharge_date') or '?'}",
            file=out,
        )
        print(
            f"  diagnoses {len(diagnoses)}, medications {len(meds)} ({', '.join(f'{k} {v}' for k, v in sorted(roles.items())) or '-'}),"
            f" labs {len(labs)} ({flagged} flagged), procedures {len(_list(facts, 'procedures'))},"
            f" allergies {len(_list(facts, 'allergies'))}, follow-up {len(_list(facts, 'follow_up'))}, pending {len(_list(facts, 'pending'))}",
            file=out,
        )
        patient = facts.get("patient") if isinstance(facts.get("patient"), dict) else {}
        if patient.get("name") or patient.get("sex"):
            glued = "  <- GLUED" if name_glued(str(patient.get("name") or "")) else ""
            print(f"  patient {one_line(patient.get('name')) or '?'} ({patient.get('sex') or '?'}){glued}", file=out)
        for d in diagnoses:
            print(f"  dx [{d.get('role') or '?'}{', proposed' if d.get('proposed') else ''}] {one_line(d.get('name'))}", file=out)
        for m in meds:
            if m.get("role") == "discharge" or status_of(m.get("status")) == "stopped":
                print(f"  rx {one_line(_describe_med(m))}", file=out)
        for lab in labs:
            if flag_of(lab.get("flag")) in ("H", "L"):
                print(f"  lab {one_line(_describe_lab(lab))}", file=out)
        for p in _list(facts, "procedures"):
            print(f"  procedure {one_line(p.get('name'))}", file=out)
        for f in _list(facts, "follow_up"):
            print(f"  follow-up {one_line(f.get('text'))}", file=out)
        for p in _list(facts, "pending"):
            print(f"  pending {one_line(p.get('name'))}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES, help="the development set (default tests/devset)")
    parser.add_argument("--case", action="append", help="only this case (repeatable)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--corpus", type=Path, metavar="DIR", help="also print what is extracted from each file of DIR")
    parser.add_argument("-v", "--verbose", action="store_true", help="list missed and wrong facts per case")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    scores = measure(args.cases, args.case)
    if scores:
        print_report(scores, args.verbose)
    else:
        print(f"no cases with {EXPECTED} under {args.cases}")
    if args.json:
        args.json.write_text(json.dumps(figures(scores), ensure_ascii=False, indent=2), encoding="utf-8")
    if args.corpus:
        if args.corpus.is_dir():
            print_corpus(args.corpus)
        else:
            print(f"corpus {args.corpus}: not a folder")
    return 0


if __name__ == "__main__":
    sys.exit(main())
