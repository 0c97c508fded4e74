"""Completeness: is each item the template requires present in the draft?

The zh template carries the items of 《病历书写基本规范》(2010) for 出院记录, the en
template the Joint Commission elements (RC.02.04.01 EP 3). An item is present
when its heading (the template's, or any synonym the note importer knows) is
in the draft with a body that is not a placeholder such as "(no follow-up plan
found in the record)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..records.headings import find_sections
from ..templates import Template, TemplateProblem, load_template

# Template section key -> heading keys of records/headings.py that also fill it.
ALIASES: dict[str, tuple[str, ...]] = {
    "reason_for_hospitalization": ("chief_complaint", "history_of_present_illness", "admission_diagnosis"),
    "diagnoses": ("discharge_diagnosis", "admission_diagnosis", "diagnosis"),
    "significant_findings": ("labs", "physical_exam"),
    "procedures_and_treatment": ("procedures", "hospital_course"),
    "condition_at_discharge": ("discharge_condition", "disposition"),
    "discharge_medications": ("discharge_medications",),
    "instructions": ("discharge_instructions",),
    "follow_up": ("follow_up",),
    "signature": ("signature",),
    "admission_date": ("admission_date",),
    "discharge_date": ("discharge_date",),
    "admission_condition": ("admission_condition",),
    "admission_diagnosis": ("admission_diagnosis",),
    "hospital_course": ("hospital_course",),
    "discharge_diagnosis": ("discharge_diagnosis",),
    "discharge_condition": ("discharge_condition",),
    "discharge_orders": ("discharge_instructions", "discharge_medications"),
}
# Which standard asks for each item.
STANDARDS = {
    "zh": "病历书写基本规范 (2010) 出院记录",
    "en": "The Joint Commission RC.02.04.01 EP 3",
}
REQUIRED_BY: dict[str, str] = {
    "reason_for_hospitalization": "reason for hospitalization",
    "procedures_and_treatment": "procedures performed; care, treatment and services provided",
    "condition_at_discharge": "condition and disposition at discharge",
    "instructions": "information provided to the patient and family",
    "follow_up": "provisions for follow-up care",
    "admission_date": "入院日期",
    "discharge_date": "出院日期",
    "admission_condition": "入院情况",
    "admission_diagnosis": "入院诊断",
    "hospital_course": "诊疗经过",
    "discharge_diagnosis": "出院诊断",
    "discharge_condition": "出院情况",
    "discharge_orders": "出院医嘱",
    "signature": "医师签名 / signature",
}
PLACEHOLDER = re.compile(
    r"^\s*(?:[（(](?:no [^)）]*found in the record|病历中未找到[^)）]*)[)）]|[_＿\s]*|\[incomplete[^\]]*\]|【未完成[^】]*】)\s*$",
    re.IGNORECASE,
)
_INLINE_DATE = {
    "admission_date": re.compile(r"(?:入院日期|入院时间|admission date|admitted)\s*[:：|]\s*\S", re.IGNORECASE),
    "discharge_date": re.compile(r"(?:出院日期|出院时间|discharge date|discharged)\s*[:：|]\s*\S", re.IGNORECASE),
    "signature": re.compile(
        r"(?:医师签名|签名|signed by|electronically signed|dictated by|attending physician)\s*[:：]?\s*[^\s_＿:：]", re.IGNORECASE
    ),
}


@dataclass
class Item:
    key: str
    heading: str
    present: bool
    required_by: str = ""
    start: int | None = None
    end: int | None = None
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "heading": self.heading,
            "present": self.present,
            "required_by": self.required_by,
            "start": self.start,
            "end": self.end,
            "note": self.note,
        }


@dataclass
class Completeness:
    template: str
    standard: str
    items: list[Item] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [item.key for item in self.items if not item.present]

    def as_dict(self) -> dict:
        return {
            "template": self.template,
            "standard": self.standard,
            "items": [i.as_dict() for i in self.items],
            "missing": self.missing,
            "complete": not self.missing,
        }


def default_template_name(language: str) -> str:
    return "discharge_summary_zh" if language == "zh" else "discharge_summary_en"


def _heading_spans(text: str, template: Template) -> list[tuple[int, int, str]]:
    """(heading line start, body start, key) for every template heading and known heading."""
    spans: list[tuple[int, int, str]] = []
    for spec in template.sections:
        pattern = re.compile(rf"^[ \t#*【]*{re.escape(spec.heading)}[】*]*[ \t]*[:：]?", re.IGNORECASE | re.MULTILINE)
        for match in pattern.finditer(text):
            spans.append((match.start(), match.end(), spec.key))
    for section in find_sections(text):
        line_start = text.rfind("\n", 0, section.start) + 1 if "\n" in text[: section.start] else 0
        if section.start > line_start and text[line_start : section.start].strip():
            spans.append((line_start, section.start, f"@{section.key}"))
        else:
            previous = text.rfind("\n", 0, max(0, line_start - 1)) + 1
            spans.append((previous, section.start, f"@{section.key}"))
    return sorted(set(spans))


def check_completeness(text: str, template: Template | None, language: str) -> Completeness:
    if template is None:
        try:
            template = load_template(default_template_name(language))
        except TemplateProblem:
            return Completeness("", STANDARDS.get(language, ""))
    spans = _heading_spans(text, template)
    bodies: dict[str, list[tuple[int, int]]] = {}
    for index, (_, body_start, key) in enumerate(spans):
        end = next((s for s, _, _ in spans[index + 1 :] if s >= body_start), len(text))
        bodies.setdefault(key, []).append((body_start, end))
    result = Completeness(template.name, STANDARDS.get(template.language, ""))
    for spec in template.sections:
        candidates = bodies.get(spec.key, []) + [b for alias in ALIASES.get(spec.key, ()) for b in bodies.get(f"@{alias}", [])]
        present, where, note = False, None, "not found"
        for start, end in candidates:
            body = text[start:end].strip()
            if body and not PLACEHOLDER.match(body.splitlines()[0] if body else ""):
                present, where, note = True, (start, end), ""
                if re.search(r"\[incomplete|【未完成", body, re.IGNORECASE):
                    note = "present but marked incomplete"
                break
            where, note = (start, end), "heading present, no content"
        if not present and spec.key in _INLINE_DATE:
            match = _INLINE_DATE[spec.key].search(text)
            if match:
                present, where, note = True, (match.start(), match.end()), ""
        result.items.append(
            Item(
                spec.key,
                spec.heading,
                present,
                REQUIRED_BY.get(spec.key, ""),
                where[0] if where else None,
                where[1] if where else None,
                note,
            )
        )
    return result
