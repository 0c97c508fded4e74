"""Import free-text notes (.txt/.md, .docx, .pdf) as Documents with light structure.

Every format is reduced to one decoded text; ``document_from_text`` then cuts it
into sections and reads only what can be read exactly (stay dates, numbered
diagnosis lists, discharge medication lines, allergies). Everything else stays
in the Document text for the later extractors. Every item carries a character
span into ``Document.text`` so the GUI can show it and the verifier can cite it.
"""

from __future__ import annotations

import logging
import re
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from ..facts.drugs import find_drugs
from .dates import FoundDate, find_date, parse_datetime
from .fields import Field, header_fields
from .subnotes import dated_heading, note_parts
from .headings import find_sections, is_title
from .aligned_tables import HEADER as ALIGNED_HEADER
from .aligned_tables import aligned_lab_rows
from .labs_csv import is_lab_header, table_observations
from .model import (
    Allergy,
    Condition,
    Document,
    Encounter,
    ImportProblem,
    Medication,
    Observation,
    Patient,
    Provenance,
    Record,
    RecordError,
    Section,
)
from .text_encoding import decode_text

logger = logging.getLogger(__name__)

STAY_ID = "stay"

# Document kind from file name, title or first lines; the first kind whose phrase
# appears wins, so the more specific phrases come first.
DOCUMENT_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("first_progress_note", ("首次病程记录", "首程")),
    ("operative_note", ("手术记录", "OPERATIVE NOTE", "OPERATIVE REPORT", "OP NOTE", "OPERATION NOTE", "PROCEDURE NOTE")),
    ("progress_note", ("日常病程记录", "病程记录", "查房记录", "PROGRESS NOTE")),
    ("discharge_summary", ("出院记录", "出院小结", "DISCHARGE SUMMARY")),
    ("discharge_orders", ("出院医嘱", "DISCHARGE INSTRUCTIONS", "DISCHARGE ORDERS")),
    ("admission_note", ("入院记录", "H&P", "H & P", "HISTORY AND PHYSICAL", "ADMISSION NOTE")),
    ("medication_list", ("用药清单", "出院带药", "MEDICATION LIST", "DISCHARGE MEDICATIONS", "MEDICATION RECONCILIATION", "MED REC")),
)
INPATIENT_KINDS = frozenset(
    {"admission_note", "first_progress_note", "progress_note", "operative_note", "discharge_orders", "discharge_summary"}
)

# ---------------------------------------------------------------------------
# document kind, title, date, author


def _norm_name(text: str) -> str:
    """Upper case, separators as one space, no spaces between Chinese characters ("入 院 记 录")."""
    folded = re.sub(r"[\s_\-]+", " ", text).upper()
    return re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", folded)


def _title_line(text: str) -> tuple[str, int, int] | None:
    """The first title-like line among the first few non-empty lines."""
    offset = 0
    seen = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\n")
        if line.strip():
            if is_title(line):
                return line.strip().lstrip("#").strip(), offset, offset + len(line)
            seen += 1
            if seen >= 5:
                break
        offset += len(raw)
    return None


def kind_of(name: str) -> str:
    """The kind a file name or title names ("" when it names none)."""
    folded = _norm_name(name)
    for kind, phrases in DOCUMENT_KINDS:
        if any(phrase in folded for phrase in phrases):
            return kind
    return ""


def document_kind(path: Path, title: str) -> str:
    """Kind from the file name first (what the user chose), then the title line."""
    return kind_of(path.stem) or kind_of(title) or "note"


_LABEL_START = r"(?:^|(?<=[\s|，,；;*]))"
_DOC_DATE = re.compile(
    _LABEL_START + r"(?:记录时间|记录日期|书写时间|签名时间|日期|date of service|report date|note date|signed on|signed|date)[ \t　]*[:：][ \t　]*",
    re.IGNORECASE | re.MULTILINE,
)
_NOT_DOC_DATE = re.compile(r"(admission|discharge|admit|birth|of)\s*$", re.IGNORECASE)


def document_date(text: str, title: tuple[str, int, int] | None) -> datetime | None:
    """The note's own date: a labelled record date, else a date on the title line."""
    for match in _DOC_DATE.finditer(text):
        if _NOT_DOC_DATE.search(text[max(0, match.start() - 12) : match.start()]):
            continue
        line_end = text.find("\n", match.end())
        found = find_date(text, match.end(), line_end if line_end >= 0 else len(text))
        if found is not None and found.start == match.end():
            return found.value
    if title is not None:
        found = find_date(text, title[1], title[2])
        if found is not None:
            return found.value
    return None


_AUTHOR_LABELS = (
    "医师签名",
    "医生签名",
    "记录者",
    "记录人",
    "书写者",
    "书写医师",
    "签名",
    "dictated by",
    "electronically signed by",
    "signed by",
    "author",
    "attending physician",
    "attending",
)
_AUTHOR = re.compile(
    _LABEL_START
    + r"(?P<label>"
    + "|".join(re.escape(label) for label in _AUTHOR_LABELS)
    + r")[ \t　]*[:：][ \t　]*(?P<v>[^\n]*)",
    re.IGNORECASE | re.MULTILINE,
)


def document_author(text: str) -> str:
    """The signing/dictating clinician, preferring signatures over "Attending"."""
    found: dict[str, str] = {}
    for match in _AUTHOR.finditer(text):
        value = re.split(r"[ \t]{2,}|\t|　", match["v"].strip())[0]
        date = find_date(value)
        if date is not None and date.start > 0:
            value = value[: date.start]
        value = value.strip(" -–,;，；")
        if value:
            found.setdefault(match["label"].lower(), value)
    for label in _AUTHOR_LABELS:
        if label in found:
            return found[label]
    return ""


# ---------------------------------------------------------------------------
# the stay: admission and discharge dates

_STAY_LABELS = {
    "admission": r"入院日期|入院时间|admission date|admission time|admit date|date of admission|admitted|admit|adm",
    "discharge": r"出院日期|出院时间|discharge date|discharge time|date of discharge|discharged|disch",
}
_STAY_PATTERNS = {  # "入院日期：…", and in a table row "入院日期 | 2026-03-09" or "入院时间\t2026-03-12"
    which: re.compile(
        _LABEL_START + rf"(?:\*\*|__)?(?:{labels})(?:\*\*|__)?(?:[ \t　]*[:：][ \t　]*|[ \t]*[|｜][ \t]*|\t+)(?:\*\*|__)?(?P<v>[^\n]*)",
        re.IGNORECASE | re.MULTILINE,
    )
    for which, labels in _STAY_LABELS.items()
}
_TIME_ONLY = re.compile(r"(?P<H>\d{1,2})[:：](?P<M>\d{2})(?!\d)")


@dataclass
class _StayDate:
    value: datetime | None = None
    has_time: bool = False
    start: int | None = None
    end: int | None = None


def _stay_date(text: str, which: str, file: str, problems: list[ImportProblem]) -> _StayDate:
    """First readable labelled date; a separate "Admission Time: 17:30" completes a bare date."""
    result = _StayDate()
    clock: tuple[int, int] | None = None
    unreadable = ""
    for match in _STAY_PATTERNS[which].finditer(text):
        date = find_date(text, match.start("v"), match.end("v"))
        if date is not None and date.start == match.start("v"):
            if result.value is None:
                result = _StayDate(date.value, date.has_time, match.start(), date.end)
            continue
        time_match = _TIME_ONLY.match(match["v"])
        if time_match and int(time_match["H"]) < 24 and int(time_match["M"]) < 60:
            clock = clock or (int(time_match["H"]), int(time_match["M"]))
            continue
        unreadable = unreadable or match["v"].strip()
    if result.value is not None and not result.has_time and clock is not None:
        result.value = result.value.replace(hour=clock[0], minute=clock[1])
    if result.value is None and unreadable:
        problems.append(ImportProblem(file, f"{which} date {unreadable[:40]!r} is not a date EMRWriter can read"))
    return result


def stay_encounter(text: str, file: str, kind: str, problems: list[ImportProblem]) -> Encounter | None:
    """The inpatient stay this note belongs to, when it gives dates or is an inpatient note."""
    admitted = _stay_date(text, "admission", file, problems)
    discharged = _stay_date(text, "discharge", file, problems)
    if admitted.value is None and discharged.value is None and kind not in INPATIENT_KINDS:
        return None
    spans = [(d.start, d.end) for d in (admitted, discharged) if d.start is not None and d.end is not None]
    provenance = Provenance(
        file=file,
        locator="admission/discharge dates" if spans else "",
        start=min(s for s, _ in spans) if spans else None,
        end=max(e for _, e in spans) if spans else None,
    )
    return Encounter(id=STAY_ID, kind="inpatient", start=admitted.value, end=discharged.value, provenance=provenance)


# ---------------------------------------------------------------------------
# lists inside a section

_MARKER = re.compile(
    r"(?:^|(?<=[\s。；;:：]))[ \t　]*(?:(?P<n>\d{1,2})[ \t]?[.．、)）](?!\d)|[（(](?P<p>\d{1,2})[)）]|(?P<c>[①-⑳]))",
    re.MULTILINE,
)
_BULLET = re.compile(r"^[ \t　]*[-*•·●▪][ \t]+", re.MULTILINE)
_BLANK_LINE = re.compile(r"\n[ \t　]*\n")
_ENDS_ITEM = tuple(".;:。；：!?！？")
_ITEM_SEPARATORS = re.compile(r"[;；]|。(?=\s*\S)")
_COMMA_SEPARATORS = re.compile(r",(?!\s*\d{3}(?!\d))|，|、")
_LEADING_CONJUNCTION = re.compile(r"(?:and|or|plus|及|和|以及)(?:\s+|$)", re.IGNORECASE)
_TRAILING = " \t\n　;；,，、"


def _trim(text: str, start: int, end: int, strip: str = " \t\n　") -> tuple[int, int]:
    while start < end and text[start] in strip:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return start, end


def _numbered_markers(text: str, start: int, end: int) -> list[re.Match[str]]:
    """Markers 1, 2, 3 ... in sequence; the first must open a line or the body."""
    accepted: list[re.Match[str]] = []
    for match in _MARKER.finditer(text, start, end):
        number = match["n"] or match["p"]
        value = int(number) if number else ord(match["c"]) - ord("①") + 1
        if value != len(accepted) + 1:
            continue
        if not accepted:
            line_start = text.rfind("\n", 0, match.start()) + 1
            if text[max(line_start, start) : match.start()].strip():
                continue
        accepted.append(match)
    return accepted


def _marked_items(text: str, start: int, end: int, markers: list[re.Match[str]]) -> list[tuple[int, int]]:
    """Each marked item runs to the next marker, or to a blank line, whichever comes first.
    When every item before it took one line, the last one ends with its line too: what
    follows flush at the margin ("出院后1周门诊复诊") is no longer part of the list."""
    items = []
    for index, marker in enumerate(markers):
        stop = markers[index + 1].start() if index + 1 < len(markers) else end
        blank = _BLANK_LINE.search(text, marker.end(), stop)
        if blank:
            stop = blank.start()
        item = _trim(text, marker.end(), stop, _TRAILING)
        if item[0] < item[1]:
            items.append(item)
    if len(items) >= 2 and all("\n" not in text[s:e] for s, e in items[:-1]):
        s, e = items[-1]
        flush = re.compile(r"\n(?=\S)").search(text, s, e)
        if flush:
            items[-1] = _trim(text, s, flush.start(), _TRAILING)
    return items


def _is_latin(line: str) -> bool:
    return sum(c.isascii() for c in line) > len(line) * 0.8


def _logical_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Lines of a body with hard-wrapped English prose joined back together: a line
    continues the previous one when that one has no closing punctuation and either this
    one starts in lower case or that one was wrapped: it reached the wrap margin (~60+
    chars) and this line's first word would not have fitted on it (lines of a list are
    each shorter than the longest line by more than a word)."""
    physical = []
    offset = start
    for raw in text[start:end].split("\n"):
        physical.append(_trim(text, offset, offset + len(raw)))
        offset += len(raw) + 1
    width = max((e - s for s, e in physical), default=0)
    lines: list[tuple[int, int]] = []
    previous: tuple[int, int] | None = None  # the previous physical line, None after a blank line
    for s, e in physical:
        if s == e:
            previous = None
            continue
        if previous is not None and lines:
            last = text[previous[0] : previous[1]]
            first_word = len(text[s:e].split(None, 1)[0])
            at_margin = len(last) >= 60 and len(last) + 1 + first_word > width - 2
            wrapped = text[s].islower() or (_is_latin(last) and at_margin)
            if wrapped and not last.endswith(_ENDS_ITEM):
                lines[-1] = (lines[-1][0], e)
                previous = (s, e)
                continue
        lines.append((s, e))
        previous = (s, e)
    return lines


def _split(text: str, span: tuple[int, int], separators: re.Pattern[str]) -> list[tuple[int, int]]:
    pieces = []
    position = span[0]
    for match in separators.finditer(text, span[0], span[1]):
        pieces.append((position, match.start()))
        position = match.end()
    pieces.append((position, span[1]))
    return [p for p in (_trim(text, s, e, _TRAILING) for s, e in pieces) if p[0] < p[1]]


def _marked_list(text: str, start: int, end: int) -> list[tuple[int, int]] | None:
    """Numbered or bulleted items, or None when the body has no list markers."""
    markers = _numbered_markers(text, start, end)
    if markers:
        return _marked_items(text, start, end, markers)
    bullets = list(_BULLET.finditer(text, start, end))
    if bullets:
        return _marked_items(text, start, end, bullets)
    return None


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Logical lines, each cut at semicolons and at 。 between sentences."""
    return [piece for line in _logical_lines(text, start, end) for piece in _split(text, line, _ITEM_SEPARATORS)]


def list_items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of list items in ``text[start:end]``: numbered, bulleted, one per line or
    separated by semicolons. Commas never split: "Diabetes, type 2" is one item."""
    marked = _marked_list(text, start, end)
    return marked if marked is not None else _pieces(text, start, end)


def _comma_items(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """Split "A 40 mg daily, B 20 mg b.i.d., and C" but keep "A 40 mg, one tablet p.o."."""
    merged: list[tuple[int, int]] = []
    for s, e in _split(text, span, _COMMA_SEPARATORS):
        conj = _LEADING_CONJUNCTION.match(text, s, e)
        if conj:
            s, e = _trim(text, conj.end(), e)
        if s == e:
            continue
        if merged and _continues_item(text[s:e]):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


_CONTINUATION_WORDS = re.compile(
    r"(?:\d|one\b|two\b|three\b|four\b|half\b|one-half\b|take\b|then\b|for\b|with\b|x\s?\d|times\b|each\b|as\b"
    r"|at\b|by\b|in\b|on\b|per\b|to\b|until\b|if\b|may\b|every\b|inject|apply|共|连用|疗程)",
    re.IGNORECASE,
)


def _continues_item(piece: str) -> bool:
    return bool(_CONTINUATION_WORDS.match(piece) or _ROUTE.match(piece) or _FREQUENCY.match(piece))


_SENTENCE_BREAK = re.compile(r"\.\s+(?=[A-Z])|:\s+(?=[A-Z])")
_ABBREVIATION = re.compile(r"(?:^|\s)(?:Dr|Mr|Mrs|Ms|St|No|vs|approx|[A-Z])$")


def _sentences(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """English sentences of a prose piece; "pharmacy: Seroquel ..." ends a lead-in too."""
    pieces = []
    position = span[0]
    for match in _SENTENCE_BREAK.finditer(text, span[0], span[1]):
        before = text[position : match.start()]
        if _ABBREVIATION.search(before) or (match.group().startswith(":") and len(before.split()) <= 3):
            continue
        pieces.append((position, match.start() + (1 if match.group().startswith(".") else 0)))
        position = match.end()
    pieces.append((position, span[1]))
    return [p for p in (_trim(text, s, e, _TRAILING) for s, e in pieces) if p[0] < p[1]]


def _clean(item: str) -> str:
    return re.sub(r"\s+", " ", item).strip(" .;；。,，:：")


# ---------------------------------------------------------------------------
# medications

_DOSE = re.compile(
    r"(?<![A-Za-z0-9.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*(?:/|-|to|~|～)\s*\d+(?:\.\d+)?)?\s*"
    r"(?:mg/kg|mg|mcg|µg|μg|ug|grains?|gtts?|kg|g|ml|liters?|litres?|l/min|l|iu|units?|u|meq|mmol|drops?|puffs?"
    r"|sprays?|tabs?|tablets?|caps?|capsules?|万单位|单位|毫克|毫升|克|片|粒|支|袋|滴|喷|揿|升)(?![A-Za-z])"
    r"(?:\s*/\s*\d+(?:\.\d+)?\s*(?:mg|mcg|µg|μg|g|ml|units?)(?![A-Za-z]))?"  # "24 mg/26 mg"
    r"|(?<![A-Za-z])(?:one|two|three|half|one-half|1/2)\s+(?:tablets?|tabs?|caps?|capsules?|puffs?|drops?|sprays?)(?![A-Za-z])",
    re.IGNORECASE,
)
_ROUTE = re.compile(
    r"(?<![A-Za-z])(?:p\.o\.?|po|per os|by mouth|orally|i\.v\.?|iv|ivpb|i\.m\.?|im|intramuscular(?:ly)?|intravenous(?:ly)?"
    r"|s\.c\.?|sc|subcutaneous(?:ly)?|subcut|subcu|subq|s\.q\.?|sq|sl|sublingual(?:ly)?|per rectum|rectally|inhaled"
    r"|inhalation|nebuli[sz]ed|topical(?:ly)?|transdermal|intranasal|nasal|ophthalmic)(?![A-Za-z])"
    # Chinese routes only after a space, digit or unit: 吸入 inside "吸入喷雾剂" is part of the name
    r"|(?<=[\s\dA-Za-zμµ%片粒支袋滴喷揿克])(?:口服|静脉滴注|静滴|静脉注射|静推|静注|皮下注射|皮下|肌肉注射|肌注|雾化吸入"
    r"|吸入|外用|舌下含服|含服|舌下|鼻饲|鼻喷|滴眼|塞肛)",
    re.IGNORECASE,
)
_FREQUENCY = re.compile(
    r"(?<![A-Za-z])(?:once daily|twice daily|three times daily|four times daily"
    r"|(?:once|twice|three times|four times) (?:a|per) day|every other day|every (?:\w+ to )?\w+ hours"
    r"|every (?:morning|evening|night|day)|at bedtime|bedtime|at night|before meals|with meals|daily|nightly|weekly"
    r"|b\.?i\.?d\.?|t\.?i\.?d\.?|q\.?i\.?d\.?|q\.? ?h\.?s\.?|q\.? ?o\.?d\.?|q\.? ?a\.?m\.?|q\.? ?p\.?m\.?"
    r"|q\.? ?\d+(?:-\d+)?\.? ?(?:h(?:ours?|rs?)?|d(?:ays?)?)?\.?|q\.? ?d\.?|qn|p\.?r\.?n\.?|as needed|stat)(?![A-Za-z])"
    r"|(?:每日|每天|一日|日)\s*[一二两三四五六1-6]\s*次|每晚\s*[一1]\s*次|每晚|睡前|隔日\s*[一1]\s*次"
    r"|每\s*\d+\s*小时\s*(?:[一1]\s*次)?|每周\s*[一二三1-3]\s*次|必要时|临时",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")
_MAX_NAME_WORDS = 6
_LEAD_IN = re.compile(r".*\b(?:on|for|with|include|includes|including)\s+", re.IGNORECASE | re.DOTALL)


def _mask_brackets(text: str) -> str:
    """Blank out bracketed text so "(2.5μg/2.5μg/揿)" is not taken for the dose."""
    return _BRACKETED.sub(lambda m: " " * len(m.group()), text)


def _name_end(item: str) -> int:
    """Where the drug name stops: at the first dose, route or frequency (or the end)."""
    masked = _mask_brackets(item.replace("|", " "))
    starts = [m.start() for m in (p.search(masked) for p in (_DOSE, _ROUTE, _FREQUENCY)) if m]
    return min(starts) if starts else len(item)


_AS_NEEDED = re.compile(r"(?<![A-Za-z])(?:p\.?r\.?n\.?|as needed)(?![A-Za-z])|必要时", re.IGNORECASE)
_TRAILING_WORD = re.compile(r"\s+(?:to|at|from|of|by|with|on|was|is|-+)$", re.IGNORECASE)  # "furosemide to 40 mg"


def parse_medication(item: str) -> tuple[str, str, str, str]:
    """(name, dose, route, frequency); the whole item as name when it does not parse."""
    name_end = _name_end(item)
    name = _TRAILING_WORD.sub("", _clean(item[:name_end].replace("|", " ")))
    if name_end == len(item) or not name or not re.search(r"[A-Za-z\u4e00-\u9fff]", name):
        return _clean(item.replace("|", " ")), "", "", ""
    masked = _mask_brackets(item.replace("|", " "))
    fields = []
    for pattern in (_DOSE, _ROUTE, _FREQUENCY):
        match = pattern.search(masked, name_end)
        fields.append(re.sub(r"\s+", " ", match.group()).strip() if match else "")
    as_needed = _AS_NEEDED.search(masked, name_end)
    if as_needed and fields[2] and not _AS_NEEDED.search(fields[2]):  # "every 6 hours as needed": both
        fields[2] = f"{fields[2]} {as_needed.group()}"
    return name, fields[0], fields[1], fields[2]


_NO_MEDICATION = re.compile(r"(?:none|nil|n/a|无)[.。]?$", re.IGNORECASE)
_NOT_A_DRUG = re.compile(r"(?:as|please|see|resume|continue|same|per|refer|详见|同前|继续)\b", re.IGNORECASE)
_MAX_UNPARSED_WORDS = 4


def _medication_span(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    """The span of one medication, lead-in prose cut off ("discharged home on Lasix 40 mg"
    -> "Lasix 40 mg"); None for a sentence that names no medication we can delimit."""
    item = text[span[0] : span[1]]
    name_end = _name_end(item)
    name = item[:name_end]
    if name_end == len(item):  # nothing but a name: short, and not an instruction
        words = len(item.split())
        return span if words <= _MAX_UNPARSED_WORDS and not _NOT_A_DRUG.match(item) else None
    if len(name.split()) <= _MAX_NAME_WORDS:
        return span
    lead_in = _LEAD_IN.match(name)
    if lead_in and 0 < len(name[lead_in.end() :].split()) <= 3:
        return span[0] + lead_in.end(), span[1]
    return None


_COMMENTARY = re.compile(r"\s[-–]\s")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def _split_and(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """ "potassium 10 mEq daily and diclofenac 50 mg twice a day" holds two drugs."""
    parts = _split(text, span, _AND)
    if len(parts) > 1 and all(_DOSE.search(text, a, b) for a, b in parts):
        return parts
    return [span]


def _medication_spans(text: str, start: int, end: int) -> tuple[list[tuple[int, int]], int]:
    """Medication items of a list or of prose, and how many sentences were not read as one."""
    marked = _marked_list(text, start, end)
    if marked is not None:
        items = marked
    else:  # a line with " - " commentary is one item: "Lisinopril 20 mg - stop; use X instead"
        items = []
        for line in _logical_lines(text, start, end):
            pieces = [line] if _COMMENTARY.search(text, *line) else _split(text, line, _ITEM_SEPARATORS)
            items.extend(sentence for piece in pieces for sentence in _sentences(text, piece))
    spans: list[tuple[int, int]] = []
    skipped = 0
    for item in items:
        if _NO_MEDICATION.match(text, item[0], item[1]) or _is_list_noise(text[item[0] : item[1]]):
            continue
        whole_line = marked is not None or bool(_COMMENTARY.search(text, *item))
        parts = [item] if whole_line else [p for part in _comma_items(text, item) for p in _split_and(text, part)]
        readable = [_medication_span(text, part) for part in parts]
        if len(parts) > 1 and all(readable):
            spans.extend(r for r in readable if r)
            continue
        whole = _medication_span(text, item)
        if whole is not None:
            spans.append(whole)
            continue
        # prose mixing drugs and other words: keep only the parts with a dose, route or frequency
        dosed = [r for r in readable if r and _name_end(text[r[0] : r[1]]) < r[1] - r[0]]
        spans.extend(dosed)
        skipped += len(parts) - len(dosed) if dosed else 1
    return spans, skipped


_METADATA_LINE = re.compile(
    r"(?:姓名|性别|年龄|科室|床号|住院号|病案号|日期|记录时间|name|patient|mrn|dob|date)\s*[:：]", re.IGNORECASE
)
_TABLE_HEADER = re.compile(r"药品|药名|名称|剂量|用法|频次|drug|medication|name|dose|route|frequency", re.IGNORECASE)


def _is_list_noise(item: str) -> bool:
    """Metadata fields and table header rows in a stand-alone medication list."""
    if _METADATA_LINE.match(item):
        return True
    return "|" in item and not re.search(r"\d", item) and bool(_TABLE_HEADER.search(item))


# ---------------------------------------------------------------------------
# allergies

_NO_ALLERGY = re.compile(
    r"(?:(?:none|nil|nkda|nka|n/?a|no known(?: drug)? allergies|no allergies|no drug allergies|denies)(?![A-Za-z])"
    r"|无|否认|未发现)",
    re.IGNORECASE,
)
_REACTION_SPLIT = re.compile(r"\s+[-–]\s+|\s*(?:->|→)\s*|[:：]\s*|，?表现为")
_ALL_CAUSE = re.compile(r"(?:all|which|that|both)?\s*causes?\s+(?P<r>.+)$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"\.(?=\s|$)|。")
_SEMICOLON = re.compile(r"[;；]")
_MAX_SUBSTANCE_WORDS = 4


def _allergy_spans(text: str, section: Section) -> tuple[list[tuple[int, int]], int]:
    """Substances from the first sentence of each listed item (the rest is usually
    commentary such as "Has taken furosemide without reaction"); comma lists split
    only when every part is short. Returns the spans and the sentences not read."""
    spans: list[tuple[int, int]] = []
    skipped = 0
    marked = _marked_list(text, section.start, section.end)
    lines = (
        marked
        if marked is not None
        else [piece for line in _logical_lines(text, section.start, section.end) for piece in _split(text, line, _SEMICOLON)]
    )
    for s, e in lines:
        stop = _SENTENCE_END.search(text, s, e)
        sentence = _trim(text, s, stop.start() if stop else e, _TRAILING)
        if sentence[0] == sentence[1] or _NO_ALLERGY.match(text, sentence[0], sentence[1]):
            continue
        parts = _comma_items(text, sentence)
        if all(len(text[a:b].split()) <= _MAX_SUBSTANCE_WORDS or _ALL_CAUSE.match(text[a:b]) for a, b in parts):
            spans.extend(parts)
        elif len(text[sentence[0] : sentence[1]].split()) <= _MAX_NAME_WORDS:
            spans.append(sentence)
        else:
            skipped += 1
    return spans, skipped


def _allergies(text: str, section: Section, file: str) -> tuple[list[Allergy], int]:
    allergies: list[Allergy] = []
    spans, skipped = _allergy_spans(text, section)
    for s, e in spans:
        piece = _clean(text[s:e])
        cause = _ALL_CAUSE.match(piece)
        if cause and allergies:  # "PENICILLIN, SULFA, all cause HIVES"
            for allergy in allergies:
                allergy.reaction = allergy.reaction or _clean(cause["r"])
            continue
        parts = _REACTION_SPLIT.split(piece, maxsplit=1)
        substance = re.sub(r"^(?:allergic to|allergy to|对)\s*|(?:过敏史|过敏)$", "", parts[0], flags=re.IGNORECASE)
        if _clean(substance):
            allergies.append(
                Allergy(
                    provenance=Provenance(file=file, locator=section.heading, start=s, end=e),
                    substance=_clean(substance),
                    reaction=_clean(parts[1]) if len(parts) > 1 else "",
                )
            )
    return allergies, skipped


# ---------------------------------------------------------------------------
# building the Record

_CONDITION_ROLES = {
    "admission_diagnosis": "admission",
    "discharge_diagnosis": "discharge",
    "postoperative_diagnosis": "procedure",
    "preoperative_diagnosis": "working",
}
# A plain "诊断"/"Diagnoses" list means what the note is: the admission or the discharge diagnosis.
_DIAGNOSIS_BY_KIND = {"admission_note": "admission", "first_progress_note": "admission", "discharge_summary": "discharge"}
_ASSESSMENT_HEADING = re.compile(r"ASSESSMENT|IMPRESSION|\bA ?/ ?P\b|诊断", re.IGNORECASE)
# A problem of an assessment list ends at its first colon, dash or sentence: "1. CAP: continue ..."
_PROBLEM_END = re.compile(r"[:：]|\s[-–—]\s|[.。;；](?:\s|$)|，(?=[^，]*(?:继续|予|给予|改为|停|加用|完善|监测))")
_PROBLEM_STATUS = re.compile(r",\s*(?:improving|improved|resolved|resolving|stable|worsening|controlled|ongoing)\s*$", re.IGNORECASE)
_MAX_PROBLEM_WORDS = 10
# Items of an assessment list that are no diagnosis: plans, prophylaxis, code status, pending tests
_NOT_A_PROBLEM = re.compile(
    r"\b(?:pending|dispo(?:sition)?|code status|full code|dnr|prophylaxis|fen|diet|access|lines?|education|follow[- ]?up)\b"
    r"|待回报|待回|随访|复诊|出院计划|预防",
    re.IGNORECASE,
)


def _diagnosis_role(ctx: _Context, section: Section) -> str | None:
    role = _CONDITION_ROLES.get(section.key)
    if role is not None:
        return role
    if section.key in {"diagnosis", "secondary_diagnosis"}:
        return _DIAGNOSIS_BY_KIND.get(ctx.kind, "discharge" if ctx.kind == "discharge_orders" else "working")
    if section.key in {"assessment", "plan"} and _ASSESSMENT_HEADING.search(section.heading):
        return "admission" if _DIAGNOSIS_BY_KIND.get(ctx.kind) == "admission" else "working"  # an H&P's problems
    return None


def _problem_span(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    """The problem an assessment item names, without its plan; None for prose."""
    s, e = span
    while s < e and text[s] in "#*- \t":
        s += 1
    stop = _PROBLEM_END.search(text, s, e)
    e = stop.start() if stop else e
    status = _PROBLEM_STATUS.search(text, s, e)
    s, e = _trim(text, s, status.start() if status else e, _TRAILING)
    name = text[s:e]
    cjk = sum("\u4e00" <= c <= "\u9fff" for c in name)
    if s >= e or len(name.split()) > _MAX_PROBLEM_WORDS or cjk > 30 or _NOT_A_PROBLEM.search(name):
        return None
    return s, e


def _conditions(ctx: _Context) -> list[Condition]:
    """Diagnosis lists by their heading (admission, discharge, post-operative) or, for a plain
    "诊断"/"Diagnoses", by the kind of note; the problems of an assessment as working diagnoses."""
    text = ctx.text
    conditions = []
    for section in ctx.sections:
        role = _diagnosis_role(ctx, section)
        if role is None:
            continue
        assessment = section.key in {"assessment", "plan"}
        items = _marked_list(text, section.start, section.end) if assessment else list_items(text, section.start, section.end)
        if assessment and items is None:  # "Impression: Community-acquired pneumonia." on its own
            items = [] if len(text[section.start : section.end].split()) > _MAX_PROBLEM_WORDS else [(section.start, section.end)]
        for span in items:
            found = _problem_span(text, span) if assessment else span
            if found is None or not _clean(text[found[0] : found[1]]):
                continue
            s, e = found
            conditions.append(
                Condition(
                    provenance=Provenance(file=ctx.file, locator=section.heading, start=s, end=e),
                    encounter_id=ctx.encounter_id,
                    name=_clean(text[s:e]),
                    role=role,
                    recorded=ctx.date,
                )
            )
    return conditions


def _not_read(file: str, heading: str, count: int, what: str) -> ImportProblem:
    return ImportProblem(file, f"{heading}: {count} sentence(s) not read as {what}; they stay in the note text for review")


@dataclass
class _Context:
    """What the structure readers need to know about the note being imported."""

    text: str
    file: str
    kind: str
    title: str
    title_span: tuple[int, int] | None
    sections: list[Section]
    encounter_id: str
    date: datetime | None = None


# What a list item or its heading says about a drug at discharge; the first that matches wins.
_STATUS_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "Stop aspirin", "Aspirin 81 mg - STOPPED", "（已停用）"; not "stop after 7 days"
    ("stopped", re.compile(
        r"^[\s*•·-]*(?:(?:stop|discontinue|d/c|hold|do not take)\b(?!\s+(?:after|on|in|when|once|at|if)\b)|停用|停服|停药|暂停|停止)"
        r"|(?:^|[-–—(（|:：,，;；]\s*)(?:(?:stop(?:ped)?|discontinu(?:e|ed)|held|hold|d/c'd)\b(?!\s+(?:after|on|in|when|once|at|if)\b)"
        r"|已?停用|已停|停药)", re.I)),
    ("changed", re.compile(r"\b(?:increas(?:e|ed)|decreas(?:e|ed)|chang(?:e|ed)|reduc(?:e|ed)|adjust(?:ed)?|titrat(?:e|ed)|switch(?:ed)?)\b"
                           r"|加量|减量|改为|调整|增加至|减至|换用|改用", re.I)),
    ("new", re.compile(r"\bnew\b|\bstart(?:ed)?\b|\bbegin\b|\binitiat(?:e|ed)\b|新加|新增|新开|加用|开始", re.I)),
    ("continued", re.compile(r"\bcontinu(?:e|ed)\b|\bresum(?:e|ed)\b|\bunchanged\b|\bsame dose\b|\bkeep taking\b|继续|维持|续用|同前|照常", re.I)),
)
_ACTION_WORD = re.compile(
    r"^(?:(?:please\s+)?(?:continue[d]?|resume[d]?|start(?:ed)?|begin|new|stop(?:ped)?|hold|held|discontinue[d]?|take|increase[d]?"
    r"|decrease[d]?|change[d]?)(?:\s+taking)?(?:\s*[:：-]\s*|\s+)"
    r"|(?:继续|加用|停用|新加|开始|维持)\s*(?:服用|口服|使用)?)",
    re.IGNORECASE,
)
_REASON = re.compile(
    r"(?:\b(?:due to|because of|because|for(?!\s+\d)|secondary to|given|in view of|owing to)\s+|因|由于|鉴于)(?P<r>[^()（）;；。\n]{2,60})",
    re.IGNORECASE,
)
# A discharge note's instructions or plan lists drugs among other orders: only drug-like items count.
_DISCHARGE_PLAN_KEYS = frozenset({"discharge_instructions", "plan"})
_DISCHARGE_KINDS = frozenset({"discharge_summary", "discharge_orders"})
# key -> only drugs said to be taken before admission ("takes regularly")
_PROSE_HISTORY_KEYS = {"past_history": False, "history_of_present_illness": True, "admission_condition": True}
# Said to be taken before admission: a cue earlier in the same sentence ("长期口服二甲双胍0.5g 每日两次、
# 格列美脲2mg 每日一次"), not a drug given in the emergency room or after admission.
_REGULAR_USE = re.compile(
    r"平素|规律|长期|一直|常规|规则|维持|口服|服用|另服|加用|门诊予|自行|\b(?:takes|taking|home|chronically|regularly|on|was started on)\b",
    re.IGNORECASE,
)
_GIVEN_HERE = re.compile(r"急诊|入院后|我院|住院期间|静脉|静滴|\b(?:in the ED|given|emergency|IV)\b", re.IGNORECASE)


def reason_in(text: str) -> str:
    """Why a drug was started, changed or stopped, as the text says: "due to …", "因…",
    or a bracketed note without numbers ("停用阿司匹林（消化道出血）")."""
    found = _REASON.search(text)
    if found:
        return _clean(found["r"])
    bracket = re.search(r"[（(](?P<r>[^（()）\d]{2,40})[)）]", text)
    return _clean(bracket["r"]) if bracket else ""


def status_cue(text: str) -> str:
    """new / changed / continued / stopped as an item or a heading says, else ""."""
    for status, pattern in _STATUS_CUES:
        if pattern.search(text):
            return status
    return ""


@dataclass
class _MedicationBody:
    start: int
    end: int
    heading: str
    role: str
    status: str = ""
    # "named": take only items naming a known drug; "dosed": ... with a dose, route or frequency
    drugs_only: str = ""


def _medication_bodies(ctx: _Context) -> list[_MedicationBody]:
    bodies: list[_MedicationBody] = []
    discharge_doc = ctx.kind in _DISCHARGE_KINDS
    listed = any(s.key == "discharge_medications" for s in ctx.sections)  # then instructions add no drugs
    for section in ctx.sections:
        heading_status = status_cue(section.heading)
        if section.key == "discharge_medications":
            bodies.append(_MedicationBody(section.start, section.end, section.heading, "discharge", heading_status))
        elif section.key == "stopped_medications":
            bodies.append(_MedicationBody(section.start, section.end, section.heading, "", "stopped"))
        elif section.key == "medications" and ctx.kind == "discharge_orders":  # discharge instructions list what to take
            bodies.append(_MedicationBody(section.start, section.end, section.heading, "discharge", heading_status))
        elif section.key == "medications" and ctx.kind != "medication_list":
            bodies.append(_MedicationBody(section.start, section.end, section.heading, "home", drugs_only="named"))
        elif section.key in _DISCHARGE_PLAN_KEYS and not listed and (discharge_doc or re.search(r"出院|discharge", section.heading, re.I)):
            bodies.append(_MedicationBody(section.start, section.end, section.heading, "discharge", drugs_only="dosed"))
    if ctx.kind == "medication_list" and not any(b.role == "discharge" for b in bodies):
        role = "discharge" if re.search(r"出院|discharge", f"{ctx.title} {Path(ctx.file).name}", re.IGNORECASE) else ""
        listed = [_MedicationBody(s.start, s.end, s.heading, role) for s in ctx.sections if s.key == "medications"]
        bodies += listed or [_MedicationBody(ctx.title_span[1] if ctx.title_span else 0, len(ctx.text), "", role)]
    return bodies


def _sentence_begin(text: str, start: int, position: int) -> int:
    breaks = [m.end() for m in re.finditer(r"[。;；!?！？\n]|\.\s", text[start:position])]
    return start + (breaks[-1] if breaks else 0)


def _sentence_start(text: str, start: int, position: int) -> str:
    """The beginning of the sentence holding ``position``, up to it."""
    breaks = [m.end() for m in re.finditer(r"[.。;；!?！？\n]\s*", text[start:position])]
    return text[start + (breaks[-1] if breaks else 0) : position]


def _drug_like(item: str, dosed: bool) -> bool:
    """A known drug name (with a dose, route or frequency when ``dosed``): "阿莫西林 0.5g 口服
    tid" is one, "注意休息" and "2周后复诊" are not."""
    name, dose, route, frequency = parse_medication(_ACTION_WORD.sub("", item.strip()))
    return bool(find_drugs(name) and (dose or route or frequency or not dosed))


def _medications(ctx: _Context, problems: list[ImportProblem]) -> list[Medication]:
    """Discharge, stopped and home medication lists (and drug orders among a discharge note's
    instructions), each item with its status where the item or its heading gives one;
    drugs said to be taken regularly in the history's prose are home medications."""
    medications = []
    for body in _medication_bodies(ctx):
        spans, skipped = _medication_spans(ctx.text, body.start, body.end)
        for span in spans:
            item = ctx.text[span[0] : span[1]]
            if body.drugs_only and not _drug_like(item, body.drugs_only == "dosed"):
                continue
            medication = _medication(ctx, span, body.heading, body.role)
            # "Stop lisinopril, spironolactone and metformin.": the verb holds for the whole sentence
            medication.status = status_cue(item) or status_cue(_sentence_start(ctx.text, body.start, span[0])) or body.status
            if medication.status == "stopped":  # a status, never a discharge drug
                medication.role = "" if body.role == "discharge" else body.role
            medications.append(medication)
        if skipped and not body.drugs_only:
            problems.append(_not_read(ctx.file, body.heading or ctx.title, skipped, "medications"))
    for section in ctx.sections:
        regular_only = _PROSE_HISTORY_KEYS.get(section.key)
        if regular_only is not None:
            for span in _dosed_drug_spans(ctx.text, section.start, section.end, regular_only):
                medications.append(_medication(ctx, span, section.heading, "home"))
    return medications


def _dosed_drug_spans(text: str, start: int, end: int, regular_only: bool) -> list[tuple[int, int]]:
    """Drug mentions with a dose right after them inside prose ("长期口服二甲双胍0.5g 每日两次");
    ``regular_only``: only those said to be taken regularly ("平素吸入...", "takes ...")."""
    spans = []
    for drug in find_drugs(text[start:end]):
        s = start + drug.start
        if regular_only:
            clause = text[max(start, _sentence_begin(text, start, s)) : s]
            if not _REGULAR_USE.search(clause) or _GIVEN_HERE.search(clause):
                continue
        stop = re.search(r"[”\"」，。；,;\n]|(?<=[a-z])\.\s", text[s:end])
        e = s + (stop.start() if stop else end - s)
        if re.search(r"\d", text[s:e]):
            spans.append((s, e))
    return spans


def _medication(ctx: _Context, span: tuple[int, int], locator: str, role: str) -> Medication:
    item = ctx.text[span[0] : span[1]]
    action = _ACTION_WORD.match(item)
    start = span[0] + (action.end() if action else 0)
    name, dose, route, frequency = parse_medication(ctx.text[start : span[1]])
    return Medication(
        provenance=Provenance(file=ctx.file, locator=locator, start=span[0], end=span[1]),
        encounter_id=ctx.encounter_id if role in {"discharge", "inpatient"} else "",
        name=name,
        dose=dose,
        route=route,
        frequency=frequency,
        role=role,
        reason=reason_in(item) if status_cue(item) in {"stopped", "changed"} else "",
    )


_SEXES = {"男": "male", "女": "female", "m": "male", "f": "female", "male": "male", "female": "female"}
HEADER_CHARS = 1500  # demographics sit in a note's header; later "Name:" lines are something else


# "ROMERO, LUIS (M)   67 yo   MRN: 7730215": an EHR banner leads with the name, unlabelled
_BANNER_NAME = re.compile(r"^[ \t]*(?P<v>[A-Z][A-Za-z'’-]+,[ \t]*[A-Z][A-Za-z'’.-]+(?:[ \t][A-Z][A-Za-z'’.-]*){0,2})(?:[ \t]*\((?P<sex>[MF])\))?(?=[ \t]{2,}|\t|[ \t]*\||$)")


_NAME_END = re.compile(r"[,;]\s*(?=\d)|\.\s+(?=[A-Z]{2,}|\d)|\s+\d+\s*(?:y/?o|yo|years?|岁)\b", re.IGNORECASE)


_SEX_IN_PROSE = re.compile(
    r"\b\d{1,3}[ -]?(?:y/?o|yo|years?[ -]old|year-old|-year-old)[ ,]+(?:[a-z]+ )?(male|female|man|woman|boy|girl|gentleman|lady)\b"
    r"|\b\d{1,3} ?(M|F)\b(?= with| who| presents| presenting| admitted|,)"
    r"|(?:患者|患儿)[，,]?\s*(男|女)(?:性)?[，,]|[，,]\s*(男|女)[，,]\s*\d{1,3}\s*岁",
    re.IGNORECASE,
)
_SEX_WORDS = {"man": "male", "boy": "male", "gentleman": "male", "woman": "female", "girl": "female", "lady": "female"}


def _banner_name(text: str, found: dict) -> Field | None:
    first = next((m for m in re.finditer(r"[^\n]+", text[:HEADER_CHARS]) if m.group().strip()), None)
    if first is None or not any(f.start < first.end() for f in found.values()):
        return None  # only a line that also holds labelled fields is a banner
    match = _BANNER_NAME.match(first.group())
    if match is None:
        return None
    if match["sex"] and "sex" not in found:
        found["sex"] = Field("sex", "", match["sex"], first.start() + match.start("sex"), first.start() + match.end("sex"))
    return Field("name", "", match["v"], first.start() + match.start("v"), first.start() + match.end("v"))


def patient_from_text(text: str, file: str) -> Patient:
    """Demographics from a note's header lines, several fields to a line
    (姓名：王某某　性别：男, Patient: Jane Doe    DOB: 03/02/1952 | MRN: 123)."""
    found = header_fields(text, HEADER_CHARS)
    patient = Patient()
    name = found.get("name") or _banner_name(text, found)
    if name is not None and not find_date(name.value):
        cut = _NAME_END.search(name.value)  # "Walter Kaminski, 71 y/o male. MRN 6630028."
        end = name.start + (cut.start() if cut else len(name.value))
        patient.name = text[name.start : end].strip(" .,;")
        patient.provenance = Provenance(file=file, locator="patient", start=name.start, end=end)
    if "sex" in found:
        patient.sex = _SEXES.get(found["sex"].value.strip().lower().rstrip("性"), "")
    if not patient.sex:  # "71 y/o male", "74F with HTN", "患者男性，58岁", "，女，72岁，"
        said = _SEX_IN_PROSE.search(text[:HEADER_CHARS])
        if said:
            word = next(g for g in said.groups() if g)
            patient.sex = _SEXES.get(word.lower(), _SEX_WORDS.get(word.lower(), ""))
    if "birth_date" in found:
        born = parse_datetime(found["birth_date"].value)
        patient.birth_date = born.date() if born else None
    if "identifier" in found:
        patient.identifiers = [f"{found['identifier'].label}|{found['identifier'].value}"]
    return patient


def document_from_text(path: Path, text: str, *, title: str = "") -> Record:
    """Build a Record from a file's decoded text: one Document per note in it (a file of
    several dated notes gives several, each located as "note N: <heading>"), with its
    light structure. ``title`` overrides the title found in the text (a .docx property).
    """
    text = text.replace("\r\n", "\n")
    file = str(path)
    parts = note_parts(text)
    if len(parts) == 1:
        record = _note_record(path, text, title)
    else:
        record = Record()
        for number, (start, end) in enumerate(parts, start=1):
            record.merge(_note_record(path, text[start:end], "", part=number))
        record.sources = [file]
    record.patient = patient_from_text(text, file)
    return record


def _note_record(path: Path, text: str, title: str, part: int = 0) -> Record:
    """One note: its Document, stay dates, diagnoses, medications and allergies. A ``part``
    of a file is named by its own heading first (the file name is the whole file's)."""
    file = str(path)
    found_title = _title_line(text)
    if part:
        first_line = text.strip().split("\n", 1)[0].strip()
        title = found_title[0] if found_title else first_line[:80]
        kind = kind_of(title) or kind_of(path.stem) or "note"
    else:
        title = title or (found_title[0] if found_title else path.stem)
        kind = document_kind(path, title)
    sections = find_sections(text)
    problems: list[ImportProblem] = []
    encounter = stay_encounter(text, file, kind, problems)
    encounter_id = encounter.id if encounter else ""
    document = Document(
        provenance=Provenance(file=file, start=0, end=len(text)),
        encounter_id=encounter_id,
        title=title,
        kind=kind,
        date=document_date(text, found_title) or _first_line_date(text, part),
        author=document_author(text),
        text=text,
        sections=sections,
    )
    title_span = (found_title[1], found_title[2]) if found_title else None
    ctx = _Context(text, file, kind, title, title_span, sections, encounter_id, document.date)
    record = Record(encounters=[encounter] if encounter else [], documents=[document], sources=[file])
    record.conditions = _conditions(ctx)
    record.medications = _medications(ctx, problems)
    record.observations = _table_labs(ctx, problems)
    for section in sections:
        if section.key == "allergies":
            allergies, skipped = _allergies(text, section, file)
            record.allergies.extend(allergies)
            if skipped:
                problems.append(_not_read(file, section.heading, skipped, "allergies"))
    record.problems = problems
    if part:
        _locate_in_part(record, f"note {part}: {title}")
    logger.debug(
        "%s: kind=%s sections=%d conditions=%d medications=%d allergies=%d",
        path.name,
        kind,
        len(sections),
        len(record.conditions),
        len(record.medications),
        len(record.allergies),
    )
    return record


_TABLE_ROW = re.compile(r"^[^\n|]*\|[^\n]*$", re.MULTILINE)


def _table_labs(ctx: _Context, problems: list[ImportProblem]) -> list[Observation]:
    """Lab tables inside a note (a .docx table, a pasted "项目 | 结果 | 单位 | 参考范围" block):
    a header naming a test and a result column, then its rows, each an Observation."""
    observations: list[Observation] = []
    header: list[str] | None = None
    rows: list[tuple[int, int, list[str]]] = []
    last_end = -2

    def flush() -> None:
        if header is not None and rows:
            observations.extend(table_observations(ctx.file, header, rows, problems))

    for match in _TABLE_ROW.finditer(ctx.text):
        cells = [cell.strip() for cell in match.group().split("|")]
        if match.start() != last_end + 1:  # a new table
            flush()
            header, rows = None, []
        last_end = match.end()
        if header is None:
            header = cells if is_lab_header(cells) else None
            continue
        rows.append((match.start(), match.end(), cells))
    flush()
    aligned = aligned_lab_rows(ctx.text)
    if aligned:
        observations.extend(table_observations(ctx.file, ALIGNED_HEADER, aligned, problems))
    for observation in observations:
        observation.encounter_id = ctx.encounter_id
    return observations


def _first_line_date(text: str, part: int) -> datetime | None:
    """A dated note's date: on its heading line ("Admission Note -- 02/23/2026 23:10"), or for
    one note of a multi-note file, on the line under its heading."""
    lines = text.lstrip().split("\n", 2)
    if dated_heading(lines[0], 0, len(lines[0])):
        return find_date(lines[0]).value  # type: ignore[union-attr]
    found = find_date("\n".join(lines[:2])) if part else None
    return found.value if found else None


def _locate_in_part(record: Record, locator: str) -> None:
    """Items of one note of a multi-note file: their locator starts with the note's, and
    their offsets index into that note's text (as the GUI and the checks expect)."""
    for kind in ("conditions", "medications", "allergies", "observations"):
        for item in getattr(record, kind):
            item.provenance = replace(item.provenance, locator=f"{locator} / {item.provenance.locator}".rstrip(" /"))
    for document in record.documents:
        document.provenance = replace(document.provenance, locator=locator)
    for encounter in record.encounters:
        if encounter.provenance is not None:
            encounter.provenance = replace(encounter.provenance, locator=f"{locator} / {encounter.provenance.locator}".rstrip(" /"))


# ---------------------------------------------------------------------------
# the three formats


def load_text(path: Path, data: bytes) -> Record:
    """A .txt/.md note in whatever encoding it was saved in."""
    text, encoding = decode_text(data, str(path))
    logger.debug("%s: decoded as %s", path.name, encoding)
    return document_from_text(path, text)


def load_docx(path: Path) -> Record:
    """A Word note: paragraphs and tables in body order, table rows as "a | b | c"."""
    from docx import Document as open_docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        word = open_docx(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise RecordError(f"{path}: not a readable Word .docx file (old .doc files must be saved as .docx): {exc}") from None
    text = "\n".join(_docx_blocks(word))
    title = (word.core_properties.title or "").strip()
    return document_from_text(path, text, title=title if title and is_title(title) else "")


def _docx_blocks(word: object) -> list[str]:
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[str] = []
    body = word.element.body  # type: ignore[attr-defined]
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            blocks.append(Paragraph(child, word).text)  # type: ignore[arg-type]
        elif child.tag == qn("w:tbl"):
            blocks.extend(_table_rows(Table(child, word)))  # type: ignore[arg-type]
    return blocks


def _table_rows(table: object) -> list[str]:
    rows = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # a merged cell repeats; keep it once
                continue
            previous = cell._tc
            cells.append(re.sub(r"\s*\n\s*", " ", cell.text).strip())
        rows.append(" | ".join(cells))
    return rows


def load_pdf(path: Path) -> Record:
    """A PDF with a text layer; scanned PDFs are refused with a clear message (no OCR)."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):  # an empty user password opens many "protected" PDFs
            raise RecordError(f"{path}: PDF is password-protected; remove the password and import it again")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (FileNotDecryptedError, DependencyError, NotImplementedError) as exc:
        raise RecordError(f"{path}: PDF is encrypted and cannot be opened ({exc})") from None
    except (PyPdfError, OSError, ValueError) as exc:
        raise RecordError(f"{path}: not a readable PDF ({exc})") from None
    if not any(page.strip() for page in pages):
        raise RecordError(f"{path}: PDF has no text layer (scanned?); OCR is not supported")
    record = document_from_text(path, "\n\n".join(page.replace("\r\n", "\n") for page in pages))
    empty = [str(number) for number, page in enumerate(pages, start=1) if not page.strip()]
    if empty:
        record.problems.append(
            ImportProblem(str(path), f"page(s) {', '.join(empty)} have no text layer (scanned?); their content is missing")
        )
    return record
