"""Verify a draft against the record of its stay: grounding findings, omitted
discharge medications, completeness for the template, and safety checks.

One function, ``verify``, on plain data; the CLI (``emrwriter verify``) and the GUI
call it the same way. Every message of the report is in the draft's language (the
template's, else the one the draft is written in).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ..facts.tokens import tokenize
from ..records.stay import Stay
from ..templates import MODEL, Template, TemplateProblem, load_template
from .citations import Citation, cite
from .completeness import Completeness, check_completeness, default_template_name, section_bodies
from .diagnoses import check_diagnoses
from .evidence import RecordEvidence, build_evidence
from .findings import Finding, sort_findings
from .grounding import check_grounding, checked_span
from .omissions import check_omissions
from .safety import check_safety
from .scaffolding import scaffolding_of

log = logging.getLogger(__name__)


@dataclass
class VerifyReport:
    findings: list[Finding]  # grounding and omissions
    completeness: Completeness
    safety: list[Finding]
    language: str = "en"
    notes: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)  # the sentences of the narrative sections

    @property
    def unsupported(self) -> list[Citation]:
        return [c for c in self.citations if not c.supported]

    def as_dict(self) -> dict:
        return {
            "findings": [f.as_dict() for f in self.findings],
            "completeness": self.completeness.as_dict(),
            "safety": [f.as_dict() for f in self.safety],
            "sentences": {
                "narrative": len(self.citations),
                "unsupported": [c.as_dict() for c in self.unsupported],
            },
        }


def draft_language(text: str) -> str:
    """zh when Chinese characters are 15% of the letters or more (units, drug
    abbreviations and table cells put many Latin letters into a Chinese draft)."""
    body = text[: checked_span(text)]
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in body)
    letters = sum(ch.isascii() and ch.isalpha() for ch in body)
    return "zh" if cjk and cjk >= 0.15 * (cjk + letters) else "en"


def verify(stay: Stay, draft_text: str, template: Template | None = None, evidence: RecordEvidence | None = None) -> VerifyReport:
    """Check ``draft_text`` against the stay's record (``evidence`` may be passed in
    when the same record is checked repeatedly, as the GUI does while the doctor edits)."""
    evidence = evidence or build_evidence(stay)
    tokens = tokenize(draft_text)
    language = template.language if template is not None else draft_language(draft_text)
    if template is None:
        try:
            template = load_template(default_template_name(language))
        except TemplateProblem as exc:
            log.warning("checking without a template's scaffolding and required items: %s", exc)
    scaffolding = scaffolding_of(template)
    findings = check_grounding(draft_text, evidence, tokens, scaffolding)
    findings += check_diagnoses(draft_text, evidence, tokens, limit=checked_span(draft_text), scaffolding=scaffolding)
    findings += check_omissions(draft_text, evidence, tokens)
    completeness = check_completeness(draft_text, template, language)
    safety = check_safety(draft_text, tokens, evidence, stay, scaffolding)
    log.info("verified a draft of %d characters: %d findings, %d safety findings", len(draft_text), len(findings), len(safety))
    findings = [f.in_language(language) for f in findings]
    safety = [f.in_language(language) for f in safety]
    citations = narrative_citations(draft_text, template, evidence, scaffolding) if template is not None else []
    return VerifyReport(sort_findings(findings), completeness, sort_findings(safety), language, citations=citations)


def narrative_citations(draft_text: str, template: Template, evidence: RecordEvidence, scaffolding) -> list[Citation]:
    """The citations of the sentences under the template's narrative (model-written) headings,
    the template's own words left out: what an unsupported sentence is counted among."""
    bodies = section_bodies(draft_text, template)
    spans = [span for spec in template.sections if spec.origin == MODEL for span in bodies.get(spec.key, [])]
    headings = frozenset(spec.heading for spec in template.sections)
    return [
        c
        for c in cite(draft_text, evidence, headings=headings)
        if any(s <= c.start < e for s, e in spans) and not scaffolding.covers_span(draft_text, c.start, c.end)
    ]
