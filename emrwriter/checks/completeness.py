"""Completeness: is each item the template requires present in the draft?

The zh template carries the items of 《病历书写基本规范》(2010) for 出院记录, the en
template the Joint Commission elements (RC.02.04.01 EP 3). An item is present
when its heading (the template's, or any synonym the note importer knows) is
in the draft with a body that is not the template's placeholder such as "(no
follow-up plan found in the record)" (known from the template itself: see
``scaffolding``). Items are named by the template's headings; the notes, the
standard and what it requires are in the template's language (the words files).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..config import config
from ..records.headings import find_sections
from ..templates import Template, TemplateProblem, load_template
from ..words import words
from .scaffolding import Scaffolding, scaffolding_of

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
BLANK = re.compile(r"^[_＿\s]*$")  # a line left to fill in by hand
_INLINE_DATE = {
    "admission_date": re.compile(r"(?:入院日期|入院时间|admission date|admitted)\s*[:：|]\s*\S", re.IGNORECASE),
    "discharge_date": re.compile(r"(?:出院日期|出院时间|discharge date|discharged)\s*[:：|]\s*\S", re.IGNORECASE),
    "signature": re.compile(
        r"(?:医师签名|签名|signed by|electronically signed|dictated by|attending physician)\s*[:：]?\s*[^\s_＿:：]", re.IGNORECASE
    ),
}


# Item.status: why an item is not (wholly) there, for machines; Item.note says it in words.
NOT_FOUND, NO_CONTENT, MARKED_INCOMPLETE = "not_found", "no_content", "marked_incomplete"


@dataclass
class Item:
    key: str
    heading: str  # the template's own heading: how the item is named to the doctor
    present: bool
    required_by: str = ""
    start: int | None = None
    end: int | None = None
    note: str = ""
    status: str = ""  # "" | not_found | no_content | marked_incomplete

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "heading": self.heading,
            "present": self.present,
            "required_by": self.required_by,
            "start": self.start,
            "end": self.end,
            "note": self.note,
            "status": self.status,
        }


@dataclass
class Completeness:
    template: str
    standard: str
    items: list[Item] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """The keys of the missing items (for machines; name them with ``missing_headings``)."""
        return [item.key for item in self.items if not item.present]

    @property
    def missing_headings(self) -> list[str]:
        """The missing items as the draft's template names them."""
        return [item.heading for item in self.items if not item.present]

    def as_dict(self) -> dict:
        return {
            "template": self.template,
            "standard": self.standard,
            "items": [i.as_dict() for i in self.items],
            "missing": self.missing,
            "complete": not self.missing,
        }


def default_template_name(language: str) -> str:
    """The template for a record in ``language``: the config's default_template (site or user), else ours."""
    return config().template_for(language)


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


def section_bodies(text: str, template: Template) -> dict[str, list[tuple[int, int]]]:
    """Where each section's body is in a draft, by the template's section key (a heading the
    note importer knows, not the template's: "@" and its key)."""
    spans = _heading_spans(text, template)
    bodies: dict[str, list[tuple[int, int]]] = {}
    for index, (_, body_start, key) in enumerate(spans):
        end = next((s for s, _, _ in spans[index + 1 :] if s >= body_start), len(text))
        bodies.setdefault(key, []).append((body_start, end))
    return bodies


def _empty(body: str, scaffolding: Scaffolding) -> bool:
    """Nothing from the record in a section body: no text, a first line left blank, or
    only the template's own words with a placeholder among them ("(no follow-up plan
    found in the record)", "出院带药：（病历中未找到出院带药）\n随访：（病历中未找到随访安排）",
    the mark of a section drafting did not write)."""
    return not body or bool(BLANK.match(body.splitlines()[0])) or scaffolding.empty(body)


def _whole_lines(text: str, start: int, end: int) -> str:
    """The body from the start of its line when it begins mid-line: a heading the note
    importer knows may be the label of a template line ("出院带药：（病历中未找到出院带药）")."""
    line_end = text.find("\n", start)
    if text[start : line_end if line_end >= 0 else end].strip():
        start = text.rfind("\n", 0, start) + 1
    return text[start:end].strip()


def check_completeness(text: str, template: Template | None, language: str) -> Completeness:
    if template is None:
        try:
            template = load_template(default_template_name(language))
        except TemplateProblem:
            return Completeness("", words(language)["completeness"]["standard"])
    wording = words(template.language)["completeness"]
    scaffolding = scaffolding_of(template)
    bodies = section_bodies(text, template)
    result = Completeness(template.name, wording["standard"])
    for spec in (s for s in template.sections if not s.optional):
        candidates = bodies.get(spec.key, []) + [b for alias in ALIASES.get(spec.key, ()) for b in bodies.get(f"@{alias}", [])]
        present, where, status = False, None, NOT_FOUND
        for start, end in candidates:
            body = text[start:end].strip()
            if not _empty(_whole_lines(text, start, end), scaffolding):
                present, where, status = True, (start, end), ""
                if scaffolding.marked_incomplete(body):
                    status = MARKED_INCOMPLETE
                break
            where, status = (start, end), NO_CONTENT
        if not present and spec.key in _INLINE_DATE:
            match = _INLINE_DATE[spec.key].search(text)
            if match:
                present, where, status = True, (match.start(), match.end()), ""
        result.items.append(
            Item(
                spec.key,
                spec.heading,
                present,
                wording["required_by"].get(spec.key, ""),
                where[0] if where else None,
                where[1] if where else None,
                wording[status] if status else "",
                status,
            )
        )
    return result
