"""A draft as the doctor reviews it: the verifier's findings and the sentence
citations, section by section, with offsets into each section's own text.

The draft is checked as one text (each section's heading line, then its text),
exactly as ``emrwriter verify`` would read the exported document, so the app, the
command and the Word comments agree. The GUI re-runs this as the doctor edits
(with the record's evidence built once); the exporter turns the open findings, the
unsupported sentences and the missing items into Word comments, worded in the
draft's language."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..records.stay import Stay
from ..templates import Template
from .citations import Citation, cite
from .completeness import Completeness
from .evidence import RecordEvidence, build_evidence
from .findings import Finding
from .scaffolding import scaffolding_of
from .verify import verify


@dataclass(frozen=True)
class CheckedSection:
    key: str
    heading: str
    text: str
    origin: str  # "data" | "model"
    table: str = ""  # the section's table as the exported document has it (rows "a | b | c")

    @classmethod
    def of(cls, section) -> CheckedSection:
        """From a drafting DraftSection."""
        return cls(section.key, section.heading, section.text, section.origin, table_text(section.table))


def table_text(table) -> str:
    """A drafting Table as lines "a | b | c" (how a .docx table reads back)."""
    if table is None:
        return ""
    lines = [table.caption] if table.caption else []
    lines += [" | ".join(row) for row in ([table.header] if table.header else []) + table.rows]
    return "\n".join(lines)


@dataclass
class SectionReview:
    findings: list[Finding] = field(default_factory=list)  # offsets into the section's text
    citations: list[Citation] = field(default_factory=list)  # model-written sections only

    def unsupported(self) -> list[Citation]:
        return [c for c in self.citations if not c.supported]


@dataclass
class DraftReview:
    sections: dict[str, SectionReview]
    general: list[Finding]  # about the whole draft (a missing item with no section to point at)
    completeness: Completeness
    language: str = "en"  # the draft's: every message and note above is in it

    def findings(self) -> list[tuple[str, Finding]]:
        """Every finding with its section key ("" for the general ones), in draft order."""
        found = [(key, f) for key, review in self.sections.items() for f in review.findings]
        return found + [("", f) for f in self.general]


def draft_text(sections: list[CheckedSection]) -> tuple[str, dict[str, int]]:
    """The draft as one text (heading line, section text, blank line) and where each
    section's text starts in it."""
    parts: list[str] = []
    starts: dict[str, int] = {}
    length = 0
    for section in sections:
        head = section.heading + "\n"
        parts.append(head)
        length += len(head)
        starts[section.key] = length
        body = (
            section.text + "\n" + ("\n" + section.table + "\n" if section.table else "") + "\n"
        )  # a table: a paragraph of its own
        parts.append(body)
        length += len(body)
    return "".join(parts), starts


def review_draft(
    stay: Stay, sections: list[CheckedSection], template: Template | None = None, evidence: RecordEvidence | None = None
) -> DraftReview:
    """Check the sections against the stay's record (pass ``evidence`` from
    build_evidence(stay) when checking repeatedly)."""
    evidence = evidence or build_evidence(stay)
    text, starts = draft_text(sections)
    report = verify(stay, text, template, evidence)
    reviews = {s.key: SectionReview() for s in sections}
    general: list[Finding] = []
    for finding in report.findings + report.safety:
        section = _section_at(finding.start, sections, starts)
        if section is None:
            general.append(finding)
            continue
        offset, size = starts[section.key], len(section.text)
        start = min(finding.start - offset, size)  # in the table: marked at the end of the text
        end = max(start, min(finding.end - offset, size))
        reviews[section.key].findings.append(replace(finding, start=start, end=end))
    headings = frozenset(s.heading for s in sections)
    scaffolding = scaffolding_of(template)
    for citation in cite(text, evidence, headings=headings):
        section = _section_at(citation.start, sections, starts)
        if section is None or section.origin != "model" or citation.start - starts[section.key] >= len(section.text):
            continue  # data sections cite their items; a model section has no table
        if scaffolding.covers_span(text, citation.start, citation.end):
            continue  # the template's own words ("(nothing in the record for this section)") state nothing to cite
        offset = starts[section.key]
        reviews[section.key].citations.append(
            replace(citation, start=citation.start - offset, end=min(citation.end - offset, len(section.text)))
        )
    return DraftReview(reviews, general, report.completeness, report.language)


def _section_at(position: int, sections: list[CheckedSection], starts: dict[str, int]) -> CheckedSection | None:
    """The section whose text (or table) holds ``position``; a missing item is often
    marked just after the text it belongs to, so the end counts too."""
    for section in sections:
        start = starts[section.key]
        if start <= position <= start + len(section.text) + (len(section.table) + 2 if section.table else 0):
            return section
    return None
