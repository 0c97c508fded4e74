"""What the checks report: a finding is a span of the draft, what is wrong with
it, how much it matters, and the closest evidence in the record.

Plain data with a JSON form, so the CLI, the GUI's findings panel and the
export (Word comments) read the same thing. A finding's ``message`` is in the
draft's language: the checks name it by ``code`` (a key of the words files'
[findings]) with its ``fields``, and ``verify`` words it for the draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..records.model import Provenance
from ..words import phrase

HIGH, MEDIUM, LOW = "high", "medium", "low"
SEVERITIES = (HIGH, MEDIUM, LOW)

# Finding kinds (the ``kind`` field).
KINDS = (
    "number",
    "dose",
    "unit",
    "date",
    "lab",
    "drug",
    "diagnosis",
    "side",
    "polarity",
    "omission",
    "pending",
    "medication_change",
    "follow_up",
    "allergy",
    "abnormal_lab",
)


@dataclass(frozen=True)
class Evidence:
    """Where in the record a finding's evidence is, with the words found there."""

    source: Provenance
    quote: str = ""

    def as_dict(self) -> dict:
        return {
            "file": self.source.file,
            "locator": self.source.locator,
            "start": self.source.start,
            "end": self.source.end,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class Finding:
    """One problem in the draft. ``start``/``end`` are Python string indices into the
    draft text (equal when the finding is about something missing: they then mark
    where it belongs)."""

    start: int
    end: int
    text: str
    kind: str
    severity: str
    message: str
    evidence: Evidence | None = None
    check: str = "grounding"  # grounding | omission | safety
    more_evidence: tuple[Evidence, ...] = field(default=())
    code: str = ""  # what the message says, as a key of the words files' [findings]
    fields: tuple[tuple[str, str], ...] = ()  # the values the message names

    def in_language(self, language: str) -> Finding:
        """The same finding, its message in ``language``."""
        if not self.code:
            return self
        return replace(self, message=phrase(language, f"findings.{self.code}", **dict(self.fields)))

    def as_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "code": self.code,
            "check": self.check,
            "evidence": self.evidence.as_dict() if self.evidence else None,
            "more_evidence": [e.as_dict() for e in self.more_evidence],
        }


def worded(code: str, **fields: object) -> dict:
    """A Finding's ``message``, ``code`` and ``fields`` for the phrase ``code``
    (``Finding(..., **worded("not_in_record", text="40 mg"))``). The message is English
    until ``in_language`` words it for the draft."""
    values = tuple((name, str(value)) for name, value in fields.items())
    return {"message": phrase("en", f"findings.{code}", **dict(values)), "code": code, "fields": values}


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """In draft order; at one place, the most severe first; exact duplicates dropped."""
    seen: set[tuple] = set()
    unique = []
    for finding in sorted(findings, key=lambda f: (f.start, SEVERITIES.index(f.severity), f.end, f.kind)):
        key = (finding.start, finding.end, finding.kind, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique
