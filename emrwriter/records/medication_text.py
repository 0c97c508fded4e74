"""Medication lines as notes write them: name, dose, route and frequency ("阿莫西林胶囊 0.5g
口服 每日三次", "Lasix 40 mg PO daily"), drugs among the sentences of prose, and what a line
or its heading says about the drug at discharge (new / changed / continued / stopped, and
why)."""

from __future__ import annotations

import re

from .text_lists import ITEM_SEPARATORS, clean, logical_lines, marked_list, prose_sentences, split_at, trim

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
    r"|(?:每日|每天|一日|1日|一天|1天|日)\s*[一二两三四五六1-6]\s*次|每晚\s*[一1]\s*次|每晚|睡前|隔日\s*[一1]\s*次"
    r"|每\s*\d+\s*小时\s*(?:[一1]\s*次)?|每周\s*[一二三1-3]\s*次|必要时|临时",
    re.IGNORECASE,
)
_LEADING_CONJUNCTION = re.compile(r"(?:and|or|plus|及|和|以及)(?:\s+|$)", re.IGNORECASE)
_COMMA_SEPARATORS = re.compile(r",(?!\s*\d{3}(?!\d))|，|、")


def comma_items(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """Split "A 40 mg daily, B 20 mg b.i.d., and C" but keep "A 40 mg, one tablet p.o."."""
    merged: list[tuple[int, int]] = []
    for s, e in split_at(text, span, _COMMA_SEPARATORS):
        conj = _LEADING_CONJUNCTION.match(text, s, e)
        if conj:
            s, e = trim(text, conj.end(), e)
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


_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")
MAX_NAME_WORDS = 6
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
    name = _TRAILING_WORD.sub("", clean(item[:name_end].replace("|", " ")))
    if name_end == len(item) or not name or not re.search(r"[A-Za-z\u4e00-\u9fff]", name):
        return clean(item.replace("|", " ")), "", "", ""
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
    if len(name.split()) <= MAX_NAME_WORDS:
        return span
    lead_in = _LEAD_IN.match(name)
    if lead_in and 0 < len(name[lead_in.end() :].split()) <= 3:
        return span[0] + lead_in.end(), span[1]
    return None


_COMMENTARY = re.compile(r"\s[-–]\s")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def _split_and(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """ "potassium 10 mEq daily and diclofenac 50 mg twice a day" holds two drugs."""
    parts = split_at(text, span, _AND)
    if len(parts) > 1 and all(_DOSE.search(text, a, b) for a, b in parts):
        return parts
    return [span]


def medication_spans(text: str, start: int, end: int) -> tuple[list[tuple[int, int]], int]:
    """Medication items of a list or of prose, and how many sentences were not read as one."""
    marked = marked_list(text, start, end)
    if marked is not None:
        items = marked
    else:  # a line with " - " commentary is one item: "Lisinopril 20 mg - stop; use X instead"
        items = []
        for line in logical_lines(text, start, end):
            pieces = [line] if _COMMENTARY.search(text, *line) else split_at(text, line, ITEM_SEPARATORS)
            items.extend(sentence for piece in pieces for sentence in prose_sentences(text, piece))
    spans: list[tuple[int, int]] = []
    skipped = 0
    for item in items:
        if _NO_MEDICATION.match(text, item[0], item[1]) or _is_list_noise(text[item[0] : item[1]]):
            continue
        whole_line = marked is not None or bool(_COMMENTARY.search(text, *item))
        parts = [item] if whole_line else [p for part in comma_items(text, item) for p in _split_and(text, part)]
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


# What a list item or its heading says about a drug at discharge. The verb an item opens with
# decides ("Resume home lisinopril (held for surgery)" is continued); otherwise the first
# status whose words appear anywhere wins, stops first.
_LEADING_VERB: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("continued", re.compile(r"(?:continue|resume|restart|keep taking)\b|继续(?!暂停|停)|恢复|续用|维持", re.I)),
    (
        "stopped",
        re.compile(
            r"(?:stop|discontinue|d/c|hold|do not take|don't take)\b(?!\s+(?:after|on|in|when|once|at|if)\b)"
            r"|停用|停服|停药|暂停|停止",
            re.I,
        ),
    ),
    (
        "changed",
        re.compile(r"(?:increase|decrease|change|reduce|adjust|titrate|switch|taper)\b|加量|减量|改为|调整|换用|改用", re.I),
    ),
    ("new", re.compile(r"(?:start|begin|initiate|add|new)\b|加用|新加|新增|新开|开始", re.I)),
)
_STATUS_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "Aspirin 81 mg - STOPPED", "（已停用）", "塞来昔布已停用", "继续暂停", "tapered off"; not "stop after 7 days"
    (
        "stopped",
        re.compile(
            r"\b(?:stop(?:ped)?|discontinu(?:e|ed)|held|d/c'd|tapered off|no longer (?:taking|needed|indicated)|do not take|don't take)\b"
            r"(?!\s+(?:after|on|in|when|once|at|if)\b)|已?停用(?!后)|已停|停药|停服|暂停",
            re.I,
        ),
    ),
    (
        "changed",
        re.compile(
            r"\b(?:increas(?:e|ed)|decreas(?:e|ed)|chang(?:e|ed)|reduc(?:e|ed)|adjust(?:ed)?|titrat(?:e|ed)|switch(?:ed)?)\b"
            r"|加量|减量|改为|调整|增加至|减至|换用|改用",
            re.I,
        ),
    ),
    ("new", re.compile(r"\bnew\b|\bstart(?:ed)?\b|\bbegin\b|\binitiat(?:e|ed)\b|新加|新增|新开|加用|开始", re.I)),
    (
        "continued",
        re.compile(
            r"\bcontinu(?:e|ed)\b|\bresum(?:e|ed)\b|\bunchanged\b|\bsame dose\b|\bkeep taking\b|继续|维持|续用|同前|照常", re.I
        ),
    ),
)
_ITEM_LEAD = re.compile(r"^[\s*•·▪\-]*(?:please\s+)?", re.I)
ACTION_WORD = re.compile(
    r"^(?:(?:(?:but|and|then|also|please)\s+)*(?:continue[d]?|resume[d]?|restart|start(?:ed)?|begin|new|stop(?:ped)?|hold|held|discontinue[d]?|take"
    r"|increase[d]?|decrease[d]?|change[d]?)(?:\s+(?:taking|home|your))?(?:\s*[:：-]\s*|\s+)"
    r"|(?:继续|加用|停用|新加|开始|维持|恢复)\s*(?:服用|口服|使用)?)",
    re.IGNORECASE,
)
_REASON = re.compile(
    r"(?:\b(?:due to|because of|because|for(?!\s+\d)|secondary to|given|in view of|owing to)\s+|因|由于|鉴于)(?P<r>[^()（）;；。\n]{2,60})",
    re.IGNORECASE,
)

_STATUS_ONLY = re.compile(
    r"^\s*(?:stop(?:ped)?|discontinued|held|new|changed|continued?|停用|已停用|新增|继续)\s*[,，.]?\s*$", re.I
)


def reason_in(text: str) -> str:
    """Why a drug was started, changed or stopped, as the text says: "due to …", "因…",
    or a bracketed note without numbers ("停用阿司匹林（消化道出血）")."""
    found = _REASON.search(text)
    if found:
        return clean(found["r"])
    bracket = re.search(r"[（(](?P<r>[^（()）\d]{2,40})[)）]", text)
    if bracket and not status_cue(bracket["r"]):
        return clean(bracket["r"])
    dash = re.search(r"\s[-–—]+\s*(?P<r>[^-–—;；。\n]{3,60})$", text)  # "Naproxen 500 mg - kidney injury"
    if dash and not _STATUS_ONLY.match(dash["r"]):
        return clean(dash["r"])
    return ""


def status_cue(text: str) -> str:
    """new / changed / continued / stopped as an item or a heading says, else ""."""
    lead = _ITEM_LEAD.match(text).end()  # type: ignore[union-attr]
    for status, pattern in _LEADING_VERB:
        if pattern.match(text, lead):
            return status
    for status, pattern in _STATUS_CUES:
        if any(
            not (status == "stopped" and _PLANNED_STOP.search(text[max(0, m.start() - 12) : m.start()]))
            for m in pattern.finditer(text)
        ):
            return status
    return ""


# A course with a planned end is no stop at discharge: "x 21 days, then stop", "再服3天后停药"
_PLANNED_STOP = re.compile(r"(?:then|and|thereafter|later)\s*$|后\s*$|\d\s*(?:天|日|周|days?|weeks?)\s*$", re.I)
