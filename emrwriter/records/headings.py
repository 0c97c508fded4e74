"""Section headings of free-text clinical notes, Chinese and English.

A note is cut into sections at recognised headings so that later stages can ask
for "the hospital course" or "the discharge medications" without knowing how a
particular hospital spells them. The vocabulary is data (``HEADING_KEYS`` and
``HEADING_PATTERNS``): add a synonym there, not in the code.

Forms recognised at the start of a line:

- ``HEADING: body`` (English, body often on the same line), ``主诉：body``
- a known heading alone on its line (``DIAGNOSES AT DISCHARGE``, ``出院带药``)
- ``【诊疗经过】``, ``一、入院情况``, ``# Hospital course`` (Markdown)
- progress entries such as ``2026-10-09 09:30 日常病程记录`` or ``陈立峰主治医师查房记录``

Unknown ALL-CAPS ``HEADING:`` lines become key ``"other"`` (nothing is lost),
except inside sections that are commonly subdivided (physical exam, hospital
course, ...) where ``GENERAL:``, ``HEENT:``, ``HYPOGLYCEMIA:`` are sub-headings
and stay in the enclosing body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Section

# Exact synonyms, compared after normalisation (upper case, hyphens as spaces,
# "(ES)"/"(S)" and whitespace inside Chinese removed).
HEADING_KEYS: dict[str, tuple[str, ...]] = {
    "chief_complaint": (
        "主诉",
        "CHIEF COMPLAINT",
        "REASON FOR ADMISSION",
        "REASON FOR HOSPITALIZATION",
        "PRESENTING COMPLAINT",
    ),
    "history_of_present_illness": (
        "现病史",
        "HPI",
        "HISTORY OF PRESENT ILLNESS",
        "HISTORY OF PRESENTING ILLNESS",
        "HISTORY OF THE PRESENT ILLNESS",
        "CURRENT HISTORY",
        "HISTORY",
        "HISTORY AND PHYSICAL",
        "BRIEF HISTORY AND PHYSICAL",
        "BRIEF HISTORY",
    ),
    "past_history": (
        "既往史",
        "PAST MEDICAL HISTORY",
        "PAST HISTORY",
        "PMH",
        "PAST SURGICAL HISTORY",
        "PAST MEDICAL AND SURGICAL HISTORY",
    ),
    "social_history": ("个人史", "SOCIAL HISTORY"),
    "marital_history": ("婚育史", "婚姻史", "月经史", "月经婚育史"),
    "family_history": ("家族史", "FAMILY HISTORY"),
    "review_of_systems": ("系统回顾", "REVIEW OF SYSTEMS", "ROS"),
    "physical_exam": (
        "体格检查",
        "查体",
        "专科检查",
        "专科情况",
        "PHYSICAL EXAMINATION",
        "PHYSICAL EXAM",
        "EXAMINATION",
        "EXAM",
        "ADMISSION PHYSICAL",
    ),
    "admission_condition": ("入院情况", "入院时情况", "ADMISSION SUMMARY"),
    "admission_diagnosis": (
        "入院诊断",
        "初步诊断",
        "入院时诊断",
        "门诊诊断",
        "ADMISSION DIAGNOSIS",
        "ADMISSION DIAGNOSES",
        "ADMITTING DIAGNOSIS",
        "ADMITTING DIAGNOSES",
        "ADMIT DIAGNOSIS",
        "PRELIMINARY DIAGNOSIS",
        "PRELIMINARY DIAGNOSES",
        "PROVISIONAL DIAGNOSIS",
    ),
    "hospital_course": ("诊疗经过", "住院经过", "治疗经过", "住院期间诊疗经过", "HOSPITAL COURSE"),
    "discharge_diagnosis": (
        "出院诊断",
        "出院时诊断",
        "最后诊断",
        "最终诊断",
        "DISCHARGE DIAGNOSIS",
        "DISCHARGE DIAGNOSES",
        "FINAL DIAGNOSIS",
        "FINAL DIAGNOSES",
        "PRINCIPAL DIAGNOSIS",
        "PRIMARY DIAGNOSIS",
        "PRIMARY DIAGNOSES",
    ),
    "postoperative_diagnosis": (
        "术后诊断",
        "手术后诊断",
        "POSTOPERATIVE DIAGNOSIS",
        "POSTOPERATIVE DIAGNOSES",
        "POST OPERATIVE DIAGNOSIS",
        "POSTOP DIAGNOSIS",
        "POST OP DIAGNOSIS",
        "POST PROCEDURE DIAGNOSIS",
        "POSTPROCEDURE DIAGNOSIS",
    ),
    "preoperative_diagnosis": (
        "术前诊断",
        "手术前诊断",
        "PREOPERATIVE DIAGNOSIS",
        "PREOPERATIVE DIAGNOSES",
        "PRE OPERATIVE DIAGNOSIS",
        "PREOP DIAGNOSIS",
        "PRE OP DIAGNOSIS",
        "PRE PROCEDURE DIAGNOSIS",
    ),
    "secondary_diagnosis": ("SECONDARY DIAGNOSIS", "SECONDARY DIAGNOSES", "次要诊断", "其他诊断"),
    "diagnosis": ("诊断", "DIAGNOSIS", "DIAGNOSES"),
    "differential_diagnosis": ("鉴别诊断", "DIFFERENTIAL DIAGNOSIS", "DIFFERENTIAL DIAGNOSES"),
    "discharge_condition": (
        "出院情况",
        "出院时情况",
        "CONDITION ON DISCHARGE",
        "CONDITION UPON DISCHARGE",
        "CONDITION AT DISCHARGE",
        "DISCHARGE CONDITION",
        "CONDITION",
    ),
    "discharge_medications": (
        "出院带药",
        "出院用药",
        "带药",
        "出院后用药",
        "DISCHARGE MEDICATION LIST",
        "PRESCRIPTIONS",
        "YOUR MEDICATIONS",
        "YOUR MEDICINES",
        "MEDICATIONS TO TAKE",
        "NEW",
        "CHANGED",
        "KEEP TAKING",
        "CONTINUE TAKING",
        "DISCHARGE PRESCRIPTIONS",
        "出院处方",
        "MEDICATIONS AT TIME OF DISCHARGE",
        "DISCHARGE MEDICATIONS",
        "DISCHARGE MEDICATION",
        "MEDICATIONS ON DISCHARGE",
        "MEDICATIONS AT DISCHARGE",
        "DISCHARGE MEDS",
        "NEW MEDICATIONS",
    ),
    # "medications" becomes "discharge_medications" once the note has passed its
    # hospital course (see _resolve_medications): MEDICATIONS at the end of a
    # discharge summary is the discharge list, at the start it is the home list.
    "medications": (
        "用药",
        "目前用药",
        "入院前用药",
        "院外用药",
        "家庭用药",
        "既往用药",
        "平时用药",
        "MEDICATIONS",
        "MEDICATION",
        "MEDS",
        "HOME MEDICATIONS",
        "HOME MEDS",
        "HOME MEDICATION LIST",
        "OUTPATIENT MEDICATIONS",
        "PRIOR TO ADMISSION MEDICATIONS",
        "MEDICATIONS PRIOR TO ADMISSION",
        "PREADMISSION MEDICATIONS",
        "CURRENT MEDICATIONS",
        "MEDICATIONS ON ADMISSION",
        "ADMISSION MEDICATIONS",
    ),
    "stopped_medications": (
        "停用药物",
        "停用药品",
        "已停用药物",
        "停用",
        "STOPPED MEDICATIONS",
        "DISCONTINUED MEDICATIONS",
        "STOPPED",
        "STOP TAKING",
        "STOP",
        "DO NOT TAKE",
        "DISCONTINUED",
    ),
    "discharge_instructions": (
        "出院医嘱",
        "出院指导",
        "注意事项",
        "DISCHARGE INSTRUCTIONS",
        "INSTRUCTIONS",
        "DIET",
        "ACTIVITY",
        "DISCHARGE PLAN",
    ),
    "follow_up": (
        "随访",
        "复诊",
        "随诊",
        "门诊随访",
        "随访计划",
        "复查",
        "FOLLOW UP",
        "FOLLOWUP",
        "F/U",
        "FU",
        "APPOINTMENTS",
        "FOLLOW UP APPOINTMENTS",
    ),
    "pending_results": (
        "待回报结果",
        "待回报",
        "未回报结果",
        "待回报检查",
        "PENDING RESULTS",
        "PENDING TESTS",
        "PENDING LABS",
        "RESULTS PENDING",
        "PENDING AT DISCHARGE",
        "RESULTS PENDING AT DISCHARGE",
        "TESTS PENDING AT DISCHARGE",
        "OUTSTANDING RESULTS",
    ),
    "disposition": ("DISPOSITION", "DISCHARGE DISPOSITION", "出院去向"),
    # The signature block ends the section before it (so 随访 does not swallow 医师签名).
    "signature": ("医师签名", "上级医师", "记录医师", "SIGNATURE", "ELECTRONICALLY SIGNED BY"),
    "allergies": ("过敏史", "药物过敏史", "ALLERGIES", "ALLERGY", "DRUG ALLERGIES"),
    "procedures": (
        "手术",
        "操作",
        "手术及操作",
        "手术情况",
        "手术名称",
        "手术方式",
        "操作名称",
        "PROCEDURES",
        "PROCEDURES PERFORMED",
        "PROCEDURE PERFORMED",
        "OPERATION PERFORMED",
        "OPERATIONS PERFORMED",
        "NAME OF PROCEDURE",
        "PROCEDURE",
        "OPERATIONS",
        "OPERATION",
    ),
    "consultations": ("会诊", "会诊意见", "CONSULTATIONS", "CONSULTATION", "CONSULTS", "CONSULT"),
    "complications": ("并发症", "COMPLICATIONS"),
    "operative_course": (
        "手术经过",
        "手术步骤",
        "DESCRIPTION OF PROCEDURE",
        "PROCEDURE IN DETAIL",
        "OPERATIVE FINDINGS",
        "FINDINGS",
    ),
    "prognosis": ("预后", "PROGNOSIS"),
    "labs": (
        "辅助检查",
        "实验室检查",
        "检查结果",
        "化验结果",
        "LABORATORY DATA",
        "LABORATORY",
        "LABS",
        "LAB",
    ),
    "plan": (
        "诊疗计划",
        "处理",
        "处理意见",
        "PLAN",
        "ASSESSMENT AND PLAN",
        "ASSESSMENT/PLAN",
        "IMPRESSION AND PLAN",
        "IMPRESSION/PLAN",
        "A/P",
        "TREATMENT PLAN",
    ),
    "assessment": ("病例特点", "诊断依据", "拟诊讨论", "ASSESSMENT", "IMPRESSION"),
    "subjective": ("SUBJECTIVE",),
    "objective": ("OBJECTIVE",),
    "admission_date": ("入院日期", "入院时间", "ADMISSION DATE", "DATE OF ADMISSION"),
    "discharge_date": ("出院日期", "出院时间", "DISCHARGE DATE", "DATE OF DISCHARGE"),
}

# Families of wordings, tried in order after the exact table misses.
HEADING_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bFOLLOW ?UP\b", "follow_up"),
    (r"\bPENDING\b", "pending_results"),
    (r"\bHOSPITAL COURSE\b|\bCOURSE IN (THE )?HOSPITAL\b", "hospital_course"),
    (r"^DIAGNOS[IE]S (AT|ON|UPON) DISCHARGE$|^(DISCHARGE|FINAL|PRINCIPAL|PRIMARY) DIAGNOS", "discharge_diagnosis"),
    (r"^DIAGNOS[IE]S (AT|ON|UPON) ADMISSION$|^(ADMISSION|ADMITTING|ADMIT|PRELIMINARY|WORKING) DIAGNOS", "admission_diagnosis"),
    (r"^SECONDARY DIAGNOS", "secondary_diagnosis"),
    (r"^POST ?(OPERATIVE|OP|PROCEDURE) DIAGNOS", "postoperative_diagnosis"),
    (r"^PRE ?(OPERATIVE|OP|PROCEDURE) DIAGNOS", "preoperative_diagnosis"),
    (r"^CONDITIONS? .*\bDISCHARGE$|^DISCHARGE CONDITION", "discharge_condition"),
    (r"^(DISCHARGE )?MEDICATIONS? (ON|AT|UPON) DISCHARGE$", "discharge_medications"),
    (r"^(?=.*\bMEDICATIONS?\b|.*\bMEDS\b)(?=.*\bDISCHARGE\b)(?!.*\bINSTRUCTIONS?\b)", "discharge_medications"),
    (r"^(CHANGED|CONTINUED?|CONTINUE THESE|CONTINUE TAKING|UNCHANGED) MEDICATIONS?$", "discharge_medications"),
    (r"^(STOPPED|DISCONTINUED|STOP TAKING|HELD) (THESE )?MEDICATIONS?$", "stopped_medications"),
    (r"\bMEDICATIONS? ON ADMISSION$|^(HOME|OUTPATIENT|CURRENT|ADMISSION) MEDICATIONS?$", "medications"),
    # "Meds PTA", "Current outpatient medications", "MEDICATIONS AT HOME", "Pre-admission meds"
    (
        r"^(?=.*\b(?:MEDICATIONS?|MEDS|MEDICINES)\b)(?=.*\b(?:PTA|PRIOR TO ADMISSION|AT HOME|HOME|OUTPATIENT|PRE ?ADMISSION|BEFORE ADMISSION)\b)",
        "medications",
    ),
    (r"INSTRUCTIONS|^ACTIVITY\b|^DIET\b", "discharge_instructions"),
    (r"PHYSICAL EXAM|^(DISCHARGE |ADMISSION )?EXAM(INATION)?$|^(DISCHARGE|ADMISSION) PHYSICAL$", "physical_exam"),
    (r"^(PROCEDURES?|OPERATIONS?)\b", "procedures"),
    (r"\bLAB(S|ORATORY|ORATORIES)?\b|^DIAGNOSTIC\b", "labs"),
    (r"^CONSULT", "consultations"),
    (r"查房后?指出$|查房意见$", "assessment"),
    (r"(病程记录|查房记录)$|^PROGRESS NOTE$", "progress"),
)

# Sections whose bodies are often subdivided by ALL-CAPS sub-headings of their own.
NESTING_KEYS: frozenset[str] = frozenset(
    {
        "physical_exam",
        "review_of_systems",
        "hospital_course",
        "labs",
        "admission_diagnosis",
        "discharge_diagnosis",
        "secondary_diagnosis",
        "postoperative_diagnosis",
        "preoperative_diagnosis",
    }
)

# Once one of these has been seen, a plain MEDICATIONS heading lists discharge drugs.
_AFTER_STAY_KEYS = frozenset({"hospital_course", "discharge_condition", "discharge_instructions", "follow_up", "disposition"})

_CJK = r"\u4e00-\u9fff"
_ZH_NUMBER = r"[一二三四五六七八九十]{1,3}[、.．]"
_NUMBERING = rf"(?:{_ZH_NUMBER}|[（(][一二三四五六七八九十\d]{{1,3}}[)）]|\d{{1,2}}[、.．)）](?!\d))"
_DATE_PREFIX = r"(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:[ \t　]+\d{1,2}[:：]\d{2}(?::\d{2})?)?)"

_MARKDOWN = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(?P<h>[^\n]+?)[ \t#]*$")
_BRACKET = re.compile(r"^[ \t　]*【(?P<h>[^】\n]{1,30})】[ \t　]*[:：]?")
_ZH_NUMBERED = re.compile(rf"^[ \t　]*{_ZH_NUMBER}[ \t　]*(?P<h>[^\n:：]{{1,20}}?)[ \t　]*(?P<colon>[:：]|$)")
_COLON = re.compile(
    rf"^[ \t　]*(?:{_NUMBERING}[ \t　]*)?(?:\*\*)?"
    rf"(?P<h>[A-Za-z{_CJK}][^\n:：*(（]{{0,60}}?(?:[(（][^)）\n]{{0,40}}[)）])?)"  # "Labs (10/04 05:10):"
    rf"(?:\*\*)?[ \t　]*[:：](?:\*\*)?"
)
_WHOLE_LINE = re.compile(rf"^[ \t　]*(?:{_NUMBERING}[ \t　]*)?(?:{_DATE_PREFIX}[ \t　]*)?(?P<h>[^\n]{{1,60}}?)[ \t　]*$")
_ALL_CAPS = re.compile(r"^[A-Z][A-Z0-9 ,/&()'.\-]*$")

# Words that make a line a document title rather than a section heading.
HEADING_KEYS_BY_PHRASE = {synonym: key for key, synonyms in HEADING_KEYS.items() for synonym in synonyms}

# Document kind from file name, title or first lines; the first kind whose phrase
# appears wins, so the more specific phrases come first.
DOCUMENT_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("first_progress_note", ("首次病程记录", "首程")),
    ("operative_note", ("手术记录", "OPERATIVE NOTE", "OPERATIVE REPORT", "OP NOTE", "OPERATION NOTE", "PROCEDURE NOTE")),
    ("progress_note", ("日常病程记录", "病程记录", "查房记录", "PROGRESS NOTE")),
    ("discharge_summary", ("出院记录", "出院小结", "DISCHARGE SUMMARY")),
    ("discharge_orders", ("出院医嘱", "DISCHARGE INSTRUCTIONS", "DISCHARGE ORDERS")),
    ("admission_note", ("入院记录", "H&P", "H & P", "HISTORY AND PHYSICAL", "ADMISSION NOTE")),
    (
        "medication_list",
        ("用药清单", "出院带药", "MEDICATION LIST", "DISCHARGE MEDICATIONS", "MEDICATION RECONCILIATION", "MED REC"),
    ),
)

# Words that make a line a document title rather than a section heading: the kinds' phrases,
# but for those that also head a medication list inside a note ("DISCHARGE MEDICATIONS:").
TITLE_PHRASES: tuple[str, ...] = tuple(
    phrase
    for _, phrases in DOCUMENT_KINDS
    for phrase in phrases
    if HEADING_KEYS_BY_PHRASE.get(phrase) not in {"discharge_medications", "medications"}
)


def normalise_heading(heading: str) -> str:
    """Fold case, punctuation and spacing so that one synonym covers its variants."""
    text = heading.strip().strip("*#").strip()
    text = re.sub(r"\((?:E?S)\)", "", text, flags=re.IGNORECASE)
    text = re.sub(r"[（(][^)）]*[)）]$", "", text).strip()
    text = text.upper().replace("-", " ").replace("&", " & ")
    text = re.sub(r"\s+", " ", text).strip(" .:：")
    if re.search(rf"[{_CJK}]", text):
        text = re.sub(r"\s+", "", text)
    return text


_EXACT: dict[str, str] = {normalise_heading(s): key for key, synonyms in HEADING_KEYS.items() for s in synonyms}
_PATTERNS = tuple((re.compile(p), key) for p, key in HEADING_PATTERNS)


def _heading_like(text: str) -> bool:
    """Short, capitalised, no sentence punctuation: what a heading looks like."""
    if re.search(r"[.,;!?。，；](?:\s|$)", text) or len(text.split()) > 8:
        return False
    first = text.lstrip("*#【 \t")[:1]
    return bool(first) and (first.isupper() or bool(re.match(rf"[{_CJK}]", first)))


def heading_key(heading: str) -> str | None:
    """The normalised key of a heading, or None when it is not one we know."""
    norm = normalise_heading(heading)
    if not norm:
        return None
    if norm in _EXACT:
        return _EXACT[norm]
    if not _heading_like(heading.strip()):
        return None  # a sentence that merely mentions "followup" is no heading
    for pattern, key in _PATTERNS:
        if pattern.search(norm):
            return key
    return None


def is_title(line: str) -> bool:
    """True for a line that names the document (出院记录, DISCHARGE SUMMARY, ...)."""
    if re.search(r"[:：][ \t　]*[^\d\s]", line):
        return False  # "出院医嘱：1. ..." is a section with its body, not a title
    norm = normalise_heading(re.sub(r"^[ \t]*#+", "", line))
    if not norm or len(norm) > 40:
        return False
    return any(phrase in norm for phrase in TITLE_PHRASES)


@dataclass(frozen=True)
class _Candidate:
    line_start: int
    heading: str
    key: str  # "other" for an unknown heading
    body_start: int
    explicit: bool  # Markdown, 【】 or 一、: a heading by its form, never a sub-heading


def _line_candidate(line: str, offset: int) -> _Candidate | None:
    """Recognise a heading at the start of one line (without its newline)."""
    match = _MARKDOWN.match(line)
    if match:
        return _make(match, offset, explicit=True, body_at_end=True)
    match = _BRACKET.match(line)
    if match:
        return _make(match, offset, explicit=True)
    match = _ZH_NUMBERED.match(line)
    if match and (heading_key(match["h"]) or match["colon"] and len(match["h"].strip()) <= 12):
        return _make(match, offset, explicit=True)
    match = _COLON.match(line)
    if match and _heading_like(match["h"].strip()):
        if heading_key(match["h"]):
            return _make(match, offset, explicit=False)
        text = match["h"].strip()
        if _ALL_CAPS.match(text) and sum(c.isalpha() for c in text) >= 4 and line[: match.start("h")].strip() == "":
            return _make(match, offset, explicit=False)
    match = _WHOLE_LINE.match(line)
    if match and _heading_like(match["h"].strip()) and heading_key(match["h"]):
        return _make(match, offset, explicit=False, body_at_end=True)
    return None


def _make(match: re.Match[str], offset: int, *, explicit: bool, body_at_end: bool = False) -> _Candidate:
    heading = match["h"].strip().strip("*").strip()
    body = match.end() if not body_at_end else len(match.string)
    return _Candidate(offset, heading, heading_key(heading) or "other", offset + body, explicit)


_ZH_ITEM = re.compile(rf"^[ \t　]*{_ZH_NUMBER}", re.MULTILINE)  # MULTILINE: matched at a line start inside the text too


def _candidates(text: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    offset = 0
    first_line = True
    parent: _Candidate | None = None  # the section a run of "一、出院带药：" sub-sections belongs to
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        if line.strip() and found and _ZH_ITEM.match(line) and _ZH_ITEM.match(text, found[-1].line_start):
            candidate = _line_candidate(line, offset)
            if candidate is None and parent is not None:  # "二、停用格列美脲。" ends "一、出院带药：" and goes back
                found.append(_Candidate(offset, parent.heading, parent.key, offset, True))
                offset += len(raw)
                continue
        if line.strip():
            # a title line is no section, unless it opens its body with a colon ("出院医嘱：" then items)
            title = first_line and is_title(line) and not line.rstrip().endswith((":", "："))
            candidate = None if title else _line_candidate(line, offset)
            first_line = False
            if candidate is not None:
                if not _ZH_ITEM.match(line):
                    parent = candidate
                found.append(candidate)
            found.extend(_inline_candidates(line, offset, candidate.body_start - offset if candidate else 0))
        offset += len(raw)
    return found


# A known heading inside a paragraph, after a sentence ends: "…病情平稳。出院诊断：…。出院带药：…"
_INLINE = re.compile(rf"(?<=[。；;.!?！？])[ \t　]*(?P<h>[A-Za-z][A-Za-z /-]{{1,40}}?|[{_CJK}]{{2,10}})[ \t　]*[:：]")


# The parts of a summary a paragraph runs through; an exam or lab finding inside one stays in it.
_INLINE_KEYS = frozenset(
    {
        "admission_diagnosis",
        "discharge_diagnosis",
        "postoperative_diagnosis",
        "hospital_course",
        "discharge_condition",
        "discharge_medications",
        "stopped_medications",
        "discharge_instructions",
        "follow_up",
        "pending_results",
    }
)


def _inline_candidates(line: str, offset: int, after: int) -> list[_Candidate]:
    """Headings that a one-paragraph note writes mid-line; only exact, known wordings count."""
    found = []
    for match in _INLINE.finditer(line, after):
        key = _EXACT.get(normalise_heading(match["h"]))
        if key in _INLINE_KEYS:
            found.append(_Candidate(offset + match.start("h"), match["h"].strip(), key, offset + match.end(), False))
    return found


def _resolve_medications(key: str, seen: set[str]) -> str:
    if key == "medications" and seen & _AFTER_STAY_KEYS:
        return "discharge_medications"
    return key


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span to exclude surrounding whitespace (start == end for an empty body)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def find_sections(text: str) -> list[Section]:
    """Sections of a note in order; each body runs until the next recognised heading."""
    opened: list[_Candidate] = []
    seen: set[str] = set()
    for cand in _candidates(text):
        current = opened[-1].key if opened else ""
        if cand.key == "other" and not cand.explicit and current in NESTING_KEYS:
            continue  # a sub-heading: stays inside the enclosing body
        key = _resolve_medications(cand.key, seen)
        seen.add(key)
        opened.append(_Candidate(cand.line_start, cand.heading, key, cand.body_start, cand.explicit))
    sections: list[Section] = []
    for index, cand in enumerate(opened):
        end = opened[index + 1].line_start if index + 1 < len(opened) else len(text)
        start, stop = _trim(text, cand.body_start, end)
        sections.append(Section(heading=cand.heading, key=cand.key, start=start, end=stop))
    return sections
