"""Information structuring from free text, zh and en, every fact with its span.

The note importer reads what a note lists (stay dates, diagnoses, medications with
their status, allergies). This module reads the rest of a stay's notes by rules: lab
results and vital signs ("Creatinine 1.6 mg/dL (H)", "血钾3.32mmol/L↓"), procedures,
follow-up appointments and results still pending at discharge. Structured imports
(FHIR, C-CDA, lab CSV) already give facts: text facts that repeat them are merged, not
duplicated. ``facts.stay`` gathers all of it into the one fact layer.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz

from ..records.lab_flags import flag_from_range
from ..records.model import Document, Observation, Provenance
from ..records.stay import Stay
from ..records.text_lists import after_marker, list_items
from ..vocabulary.lab_names import VITAL_SYNONYMS, lab_key
from .dates import DateValue
from .tokens import split_sentences, tokenize
from .units import Quantity

log = logging.getLogger(__name__)

ABNORMAL_FLAGS = re.compile(
    r"^(?:h|hh|l|ll|a|aa|high|low|abnormal|critical|crit|pos|positive|↑|↓|↑↑|↓↓|异常|阳性|偏高|偏低|\*)$", re.IGNORECASE
)
PENDING_VALUE = re.compile(
    r"pending|pnd|in progress|not resulted|outstanding|待回报|待回|待报|培养中|尚未回报|未回报|结果未出|待结果", re.IGNORECASE
)
_PENDING_TEXT_EN = re.compile(
    r"(?:pending(?:\s+at\s+(?:the\s+time\s+of\s+)?discharge)?|outstanding|awaiting)\s*[:：]\s*(?P<after>[^.;\n]{2,80})"
    r"|(?P<before>[A-Za-z][A-Za-z0-9 ()/+-]{1,60}?)\s+(?:results?\s+)?(?:is\s+|are\s+|was\s+|were\s+|still\s+|remains?\s+)*(?:pending|outstanding|not yet resulted)",
    re.IGNORECASE,
)
_PENDING_TEXT_ZH = re.compile(
    r"(?P<before>[\u4e00-\u9fffA-Za-z0-9+\-]{2,20}?)(?:[（(][^）)]{0,20}[)）])?(?:结果)?[:：]?\s*(?:仍在|仍|尚在|正在)?(?:待回报|待回|待报|培养中|尚未回报|未回报|结果未出)"
)
_FLAG_AFTER = re.compile(
    r"\s*(?:[（(]\s*(?P<f1>H|L|HH|LL|high|low|A|[↑↓]+)\s*[;；,)）]|(?P<f2>[↑↓]+)|\s(?P<f3>H|L)\b"
    r"|[^()（）\n,，;；。]{0,12}?[（(]\s*(?P<f4>high|low|abnormal|critical|偏高|偏低|升高|降低|增高|减低|阳性)\s*[)）])",
    re.IGNORECASE,
)
_FLAG_WORDS = {
    "high": "H",
    "偏高": "H",
    "升高": "H",
    "增高": "H",
    "low": "L",
    "偏低": "L",
    "降低": "L",
    "减低": "L",
    "abnormal": "A",
    "critical": "A",
    "阳性": "A",
}


def where(document: Document, part: str = "text") -> str:
    """A locator inside a document: under the document's own (one note of a multi-note file,
    a FHIR DocumentReference), so that the offsets find the right text."""
    return f"{document.provenance.locator} / {part}" if document.provenance.locator else part


_DURATION_AFTER = re.compile(r"\s*(?:年|个月|月|天|日|周|岁|次|years?|months?|weeks?|days?)(?![A-Za-z])", re.IGNORECASE)
_RANGE_AFTER = re.compile(
    r"[ \t]*[（(][ \t]*(?:ref(?:erence)?(?: range)?[:：]?[ \t]*|normal[:：]?[ \t]*|参考(?:值|范围|区间)?[:：]?[ \t]*)?"
    r"(?P<r>(?:[<>≤≥＜＞]=?[ \t]*)?\d+(?:\.\d+)?(?:[ \t]*(?:-|–|~|～|to)[ \t]*\d+(?:\.\d+)?)?)[ \t]*[^()（）\n]{0,12}[)）]",
    re.IGNORECASE,
)


@dataclass
class LabResult:
    key: str  # canonical test key ("creatinine"), or the folded name
    name: str
    value: str
    unit: str
    flag: str
    time: datetime | None
    provenance: Provenance
    category: str = "lab"  # "lab" | "vital"

    @property
    def abnormal(self) -> bool:
        return bool(self.flag) and bool(ABNORMAL_FLAGS.match(self.flag.strip()))


@dataclass
class PendingResult:
    key: str
    name: str
    provenance: Provenance
    quote: str


@dataclass
class Procedure:
    name: str
    date: DateValue | None
    provenance: Provenance


@dataclass
class FollowUp:
    text: str
    provenance: Provenance


# ---------------------------------------------------------------------------
# lab results and vital signs


def results_from_text(document: Document) -> list[LabResult]:
    """ "Creatinine 1.6 mg/dL (H)", "血钾3.32mmol/L↓", "T 38.6℃": a test name with the
    value right after it (a few words between at most), its flag, and the nearest date before."""
    text = document.text
    tokens = tokenize(text)
    found: list[LabResult] = []
    last_date: datetime | None = document.date
    for index, token in enumerate(tokens):
        if token.kind == "date" and token.value.year and token.value.day:
            last_date = datetime(token.value.year, token.value.month, token.value.day)
        if token.kind != "lab":
            continue
        for offset in range(index + 1, min(index + 4, len(tokens))):
            value = tokens[offset]
            if value.kind == "sep" and value.key in {"clause", "stop", "line", "list"}:
                break
            if value.kind == "lab" or value.kind == "drug":
                break
            if value.kind != "qty":
                continue
            quantity: Quantity = value.value
            if _DURATION_AFTER.match(text, value.end):  # "肌酐升高4年" is no result
                break
            flag = _FLAG_AFTER.match(text, value.end)
            flag_text = next((g for g in (flag.groups() if flag else ()) if g), "") if flag else ""
            flag_text = _FLAG_WORDS.get(flag_text.lower(), flag_text)  # "(偏低)", "(high)": as H/L
            if not flag_text:  # "WBC 16.2 K/uL (4.0-11.0)": the flag from the range written after it
                written = _RANGE_AFTER.match(text, value.end)
                flag_text = flag_from_range(value.text, written["r"]) if written else ""
            category = "vital" if token.value in VITAL_SYNONYMS else "lab"
            found.append(
                LabResult(
                    key=str(token.value),
                    name=token.text,
                    value=_number_text(value.text, quantity),
                    unit=quantity.unit.symbol if quantity.unit else "",
                    flag=flag_text,
                    time=last_date,
                    provenance=Provenance(document.provenance.file, where(document), token.start, value.end),
                    category=category,
                )
            )
            break
    return found


def _number_text(text: str, quantity: Quantity) -> str:
    match = re.match(r"[-−]?[\d,]+(?:\.\d+)?", text)
    return match.group() if match else f"{quantity.value:g}"


def structured_results(observations: list[Observation]) -> list[LabResult]:
    results = []
    for obs in observations:
        results.append(
            LabResult(
                lab_key(obs.name) or _fold(obs.name),
                obs.name,
                obs.value,
                obs.unit,
                obs.flag,
                obs.time,
                obs.provenance,
                "vital" if obs.category == "vital" else "lab",
            )
        )
    return results


def merge_results(structured: list[LabResult], from_text: list[LabResult]) -> list[LabResult]:
    """Structured results first; a text result that repeats one (same test, value and
    day) is dropped."""
    seen = {(r.key, _value_key(r.value), r.time.date() if r.time else None) for r in structured}
    merged = list(structured)
    for result in from_text:
        key = (result.key, _value_key(result.value), result.time.date() if result.time else None)
        loose = (result.key, _value_key(result.value), None)
        if key in seen or any(s[0] == loose[0] and s[1] == loose[1] for s in seen):
            continue
        seen.add(key)
        merged.append(result)
    return merged


def _value_key(value: str) -> str:
    try:
        return f"{float(value.replace(',', '')):g}"
    except ValueError:
        return value.strip().lower()


def _fold(name: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[（(].*?[)）]", "", name)).strip().lower()


# ---------------------------------------------------------------------------
# pending results


def pending_results(stay: Stay, documents: list[Document], labs: list[Observation]) -> list[PendingResult]:
    """Results still pending at discharge: structured results whose value says so, and
    tests a note calls pending that no later note or result reports."""
    found: dict[str, PendingResult] = {}
    resulted: dict[str, datetime] = {}
    for obs in labs:
        key = lab_key(obs.name) or _fold(obs.name)
        if PENDING_VALUE.search(obs.value or ""):
            found.setdefault(key, PendingResult(key, obs.name, obs.provenance, f"{obs.name}: {obs.value}"))
        elif obs.time is not None:
            resulted[key] = max(resulted.get(key, obs.time), obs.time)
    mentions: list[tuple[datetime | None, str, str, Provenance, str, bool]] = []
    for document in documents:
        text = document.text
        for section in document.sections:
            if section.key == "pending_results":  # a list under "PENDING RESULTS:" names the tests
                for s, e in list_items(text, section.start, section.end):
                    name = _PENDING_WORDS.sub("", text[s:e]).strip(" :：;；,，.。-")
                    if name and not _NO_ITEMS.match(name) and not _NOT_A_TEST.match(name) and len(name.split()) <= 6:
                        key = lab_key(name) or _fold(name)
                        provenance = Provenance(document.provenance.file, where(document, section.heading), s, e)
                        mentions.append((document.date, key, name, provenance, text[s:e], True))
        for start, end in split_sentences(text):
            sentence = text[start:end]
            for name, s, e in _pending_names(sentence):
                key = lab_key(name) or _fold(name)
                mentions.append(
                    (
                        document.date,
                        key,
                        name,
                        Provenance(document.provenance.file, where(document), start + s, start + e),
                        sentence,
                        True,
                    )
                )
    for when, key, name, provenance, quote, _ in mentions:
        later = resulted.get(key)
        if later is not None and (when is None or later.date() > when.date()):
            continue
        if _reported_later(key, name, when, documents):
            continue
        if _names_a_test(name) and not any(_same_test(name, known.name) for known in found.values()):
            found.setdefault(key, PendingResult(key, name, provenance, quote))
    return list(found.values())


# What a pending "result" is: a known test, or a name with a word for a test in it
_TEST_WORDS = re.compile(
    r"cultures?|antigens?|antibod\w+|serolog\w+|biops\w+|patholog\w+|cytolog\w+|histolog\w+|pcr|panel|levels?|tests?|assay|screen"
    r"|studies|study|smear|stain|titers?|genetic|karyotype|sensitivit\w+|susceptibilit\w+|scan|mri|ct\b|x-?ray|echo\w*|eeg|emg|report"
    r"|monitor|holter|lipoprotein|hormone|marker|profile|electrophoresis|flow cytometry|screen(?:ing)?"
    r"|筛查|检验|化验|测定|评估|随访结果"
    r"|培养|病理|活检|检查|抗原|抗体|基因|检测|涂片|药敏|报告|结果|CT|MRI|彩超|超声|心电图|造影|测序|免疫组化",
    re.IGNORECASE,
)
_NOT_A_TEST_NAME = re.compile(
    r"^(?:labs?|bloodwork|blood work|results?|studies|tests?|workup|work-up)$"
    r"|^(?:continue|start|stop|hold|will|plan|follow|await|pending|check|f/u|final|preliminary|the)\b(?:\s+\w+)?$"
    r"|^(?:continue|start|stop|hold|will|plan|follow|await|pending|check|f/u)\b|^\W",
    re.IGNORECASE,
)
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9]{1,5}(?:\([a-z]\))?$")  # PTH, TSH, Lp(a)


def _names_a_test(name: str) -> bool:
    name = name.strip()
    balanced = name.count("(") + name.count("（") == name.count(")") + name.count("）")
    known = lab_key(name) or _TEST_WORDS.search(name) or _ACRONYM.match(name)
    return balanced and not _NOT_A_TEST_NAME.search(name) and bool(known)


def _same_test(a: str, b: str) -> bool:
    """ "Legionella antigen" and "Legionella urine antigen" are one pending test."""
    return fuzz.token_set_ratio(_fold(a), _fold(b)) >= 90


_PENDING_WORDS = re.compile(
    r"\b(?:results?\s+)?(?:pending|outstanding|awaited)\b|待回报|待回|待报|尚未回报|未回报|结果", re.IGNORECASE
)
_NOT_A_TEST = re.compile(r"(?:results?|will|to be|please|these|they|it|we)\b", re.IGNORECASE)
_NO_ITEMS = re.compile(r"^(?:none|nil|n/a|无|暂无)$", re.IGNORECASE)


def _pending_names(sentence: str) -> list[tuple[str, int, int]]:
    names = []
    for match in _PENDING_TEXT_EN.finditer(sentence):
        group = "after" if match["after"] else "before"
        raw = match[group]
        for piece in re.split(r",|;|\band\b", raw):
            name = re.sub(
                r"^(?:the|a|an|her|his|with|and|but|labs?|results?|at discharge)\s+", "", piece.strip(), flags=re.IGNORECASE
            )
            name = re.sub(r"\s*[;:,.]?\s*(?:result|to be|will).*$", "", name, flags=re.IGNORECASE).strip(" :;,.")
            words = name.split()
            if name and len(words) <= 6:
                start = match.start(group) + raw.find(piece.strip())
                names.append((_last_words(name), start, start + len(piece.strip())))
    for match in _PENDING_TEXT_ZH.finditer(sentence):
        name = re.sub(r"^(?:出院时|目前|现|尚有|仍有|另|及|和|、|，)", "", match["before"])
        if len(name) >= 2:
            names.append((name, match.start("before"), match.end("before")))
    return names


def _last_words(name: str) -> str:
    words = name.split()
    key = lab_key(name)
    if key is None and len(words) > 3:
        return " ".join(words[-3:])
    return name


def _reported_later(key: str, name: str, when: datetime | None, documents: list[Document]) -> bool:
    """A later note gives the result: it names the test in a sentence without a pending word."""
    for document in documents:
        if when is None or document.date is None or document.date.date() <= when.date():
            continue
        for start, end in split_sentences(document.text):
            sentence = document.text[start:end]
            if PENDING_VALUE.search(sentence):
                continue
            named = (lab_key(sentence) == key and key) or (name and name in sentence and len(name) >= 3)
            if named and re.search(r"\d|阴性|阳性|negative|positive|normal|正常|无细菌生长|no growth", sentence, re.IGNORECASE):
                return True
    return False


# ---------------------------------------------------------------------------
# procedures and follow-up

_EN_PROCEDURE = re.compile(
    r"\b(?:underwent(?:\s+an?)?|s/p|status post)\s+(?P<name>[A-Za-z][A-Za-z /-]{1,60}?)(?=\s*[,.;(]|\s*[-–—]\s|\s+(?:on|in|at|with|which|and)\b)",
    re.IGNORECASE,
)
_ZH_PROCEDURE = re.compile(r"行(?P<name>[\u4e00-\u9fffA-Za-z0-9+\-]{2,20}(?:术|检查|造影|穿刺|置管|镜))")  # the longest


_FIELD_LINE = re.compile(r"[\u4e00-\u9fff]{2,8}[:：]")
# Sections that tell what happened before the stay ("CAD s/p PCI (2019)" under the admission diagnoses)
_HISTORY_KEYS = frozenset(
    {"past_history", "history_of_present_illness", "family_history", "social_history", "marital_history", "admission_diagnosis"}
)
_PROCEDURE_END = re.compile(
    r"(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bSt)(?<!\bMrs)\.\s+(?=[A-Z])|[:：]\s*(?=\S)|\b(?:showed|revealed|demonstrated)\b|。",
    re.IGNORECASE,
)
_MAX_PROCEDURE_WORDS = 16
_GENERIC = re.compile(
    r"^(?:(?:a|an|the|her|his|their|this|that|same)\s+)*(?:procedures?|surgery|surgeries|operations?)\.?$", re.I
)


def procedures_from_text(document: Document) -> list[Procedure]:
    text = document.text
    found: list[Procedure] = []
    for section in document.sections:
        if section.key == "procedures":
            for s, e in list_items(text, section.start, section.end):
                if _FIELD_LINE.match(text, s, e):  # "手术医师：…" under "手术名称：…"
                    continue
                s, when = _after_leading_date(text, s, e)  # "On 3/26/2006, portable chest": the date is no name
                stop = _PROCEDURE_END.search(text, s, e)  # "chest X-ray. Impression: ..." names the study only
                e = stop.start() if stop else e
                told = _EN_PROCEDURE.search(text, s, e)  # "4. The patient also underwent a lumbar puncture, which ..."
                if told is not None:
                    s, e = told.start("name"), told.end("name")
                name = text[s:e].strip()
                if (
                    name
                    and len(name.split()) <= _MAX_PROCEDURE_WORDS
                    and not _NO_ITEMS.match(name.rstrip(".。"))
                    and not _GENERIC.match(name)
                ):
                    where_ = Provenance(document.provenance.file, where(document, section.heading), s, e)
                    found.append(Procedure(name, when or _first_date(name), where_))
    history = [(x.start, x.end) for x in document.sections if x.key in _HISTORY_KEYS]
    diagnoses = [(x.start, x.end) for x in document.sections if "diagnosis" in x.key or x.key in {"assessment", "plan"}]
    for pattern in (_EN_PROCEDURE, _ZH_PROCEDURE):
        for match in pattern.finditer(text):
            s, e = match.start("name"), match.end("name")
            if any(a <= s < b for a, b in history):  # "2015年行疝修补术" in the past history is no procedure of this stay
                continue
            if _GENERIC.match(match["name"].strip()):  # "underwent a procedure"
                continue
            if match.group().lower().startswith(("s/p", "status post")) and any(a <= s < b for a, b in diagnoses):
                continue  # "CAD s/p LAD stent" in a diagnosis or problem list: an earlier procedure
            line_end = text.find("\n", e)
            found.append(
                Procedure(
                    match["name"].strip(),
                    _first_date(text[match.start() : line_end if line_end > 0 else len(text)]),
                    Provenance(document.provenance.file, where(document), s, e),
                )
            )
    return found


def _after_leading_date(text: str, start: int, end: int) -> tuple[int, DateValue | None]:
    """Where an item's words begin after a date it opens with ("On March 27, 2006, swallowing
    study", "2026-03-03 09:00 胃镜"), and that date."""
    tokens = [t for t in tokenize(text[start:end]) if t.kind != "sep"]
    if tokens and tokens[0].kind == "word" and str(tokens[0].value).lower() == "on":
        tokens = tokens[1:]
    if not tokens or tokens[0].kind != "date":
        return start, None
    last = tokens[0]
    if len(tokens) > 1 and tokens[1].kind == "time":
        last = tokens[1]
    after = start + last.end
    while after < end and text[after] in " \t,:，：、":
        after += 1
    return (after, tokens[0].value) if after < end else (start, None)


def _first_date(text: str) -> DateValue | None:
    for token in tokenize(text):
        if token.kind == "date":
            return token.value
    return None


# A follow-up item among other instructions ("Call the clinic if ..." is not one)
FOLLOW_UP_ITEM = re.compile(
    r"follow[- ]?up|\bf/u\b|appointment|return to (?:the )?clinic|see dr\b|复诊|随访|随诊|复查|返院|门诊", re.IGNORECASE
)


_ZH_MARKER = re.compile(r"[ \t　]*[一二三四五六七八九十]{1,3}[、.．][ \t　]*")
# A follow-up plan said in a sentence anywhere in a discharge document or the last note:
# "Follow up with oncology (Dr. Lee) in 1 week", "出院后2周神经内科门诊复诊"
_FOLLOW_UP_SENTENCE = re.compile(
    r"\b(?:follow[- ]?up|f/u)\s+(?:with|in|at)\b|\breturn to (?:the )?clinic\b|\b(?:pcp|clinic|appointment)\b[^.;\n]{0,40}\bin \d"
    r"|(?:(?:嘱|出院后|后)[^，。；\n]{0,6}?\d+\s*(?:天|日|周|个月|月)|\d+\s*(?:天|日|周|个月|月)(?:后|内|以后|之后))"
    r"[^，。；\n]{0,14}(?:复诊|随访|复查|返院)",
    re.IGNORECASE,
)
_DISCHARGE_DOCUMENTS = frozenset({"discharge_summary", "discharge_orders"})
_RESULT_SEEN = re.compile(
    r"(?:复查|rechecked|repeat)[^，。；;,\n]{0,12}?\d+(?:\.\d+)?\s*(?:g/L|mmol|μmol|umol|mg|×|x10|%|U/L)", re.I
)
_MAX_FOLLOW_UP_CHARS = 200  # a plan is a sentence, not a paragraph of the hospital course


def _follow_up_sentences(documents: list[Document]) -> list[tuple[Document, int, int]]:
    dated = [d for d in documents if d.date is not None]
    last = max(dated, key=lambda d: d.date) if dated else None
    found = []
    for document in documents:
        if document.kind not in _DISCHARGE_DOCUMENTS and document is not last:
            continue
        for start, end in split_sentences(document.text):
            sentence = document.text[start:end]
            if (
                len(sentence) <= _MAX_FOLLOW_UP_CHARS
                and _FOLLOW_UP_SENTENCE.search(sentence)
                and not _RESULT_SEEN.search(sentence)
            ):
                found.append((document, start, end))
    return found


def follow_ups(documents: list[Document]) -> list[FollowUp]:
    """Follow-up sections item by item, and the follow-up items among a note's discharge
    instructions ("2周后心内科门诊复诊" in 出院医嘱), each once."""
    found: list[FollowUp] = []
    seen: set[str] = set()
    for document in documents:
        for section in document.sections:
            if section.key not in {"follow_up", "discharge_instructions", "discharge_medications", "plan"}:
                continue
            if _RESULT_SEEN.match(f"{section.heading}：{document.text[section.start : section.end][:40]}"):
                continue  # "复查：总胆红素 24.1 μmol/L，…" are results rechecked, not a follow-up plan
            for s, e in list_items(document.text, section.start, section.end):
                marker = _ZH_MARKER.match(document.text, s, e)  # "五、2周后…复诊" from a run of 一、二、…
                s = marker.end() if marker else s
                text = document.text[s:e].strip()
                if section.key != "follow_up" and not FOLLOW_UP_ITEM.search(text):
                    continue
                if text and text not in seen:
                    seen.add(text)
                    found.append(FollowUp(text, Provenance(document.provenance.file, where(document, section.heading), s, e)))
    folded = {re.sub(r"\s+", " ", known) for known in seen}
    for document, s, e in _follow_up_sentences(documents):
        s = after_marker(document.text, s, e)  # "（6）2周后心内科门诊复诊" from a numbered run cut at "；"
        text = document.text[s:e].strip()
        flat = re.sub(r"\s+", " ", text)
        if text and not any(flat in known or known in flat for known in folded):
            folded.add(flat)
            seen.add(text)
            found.append(FollowUp(text, Provenance(document.provenance.file, where(document), s, e)))
    return found
