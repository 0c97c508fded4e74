"""The Draft: what the pipeline produces and the exporter writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..records.model import Provenance
from .stats import DraftStats


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class DraftSection:
    key: str
    heading: str
    text: str
    origin: str  # who wrote it: templates.DATA (rendered from the facts) | templates.MODEL; its SectionSpec's origin
    sources: list[Provenance] = field(default_factory=list)
    table: Table | None = None
    complete: bool = True  # False when generation was stopped or hit its token limit
    note: str = ""  # why it is incomplete, shown to the user
    guard_notes: list[str] = field(default_factory=list)  # sentences the check had written again or replaced


@dataclass
class Draft:
    template: str
    title: str
    language: str
    model: str  # model name, "" when no section was model-written
    created: datetime
    patient: dict[str, str]  # header fields, label -> value, in order
    sections: list[DraftSection]
    omitted: list[str] = field(default_factory=list)  # evidence left out, and why
    problems: list[str] = field(default_factory=list)  # import problems carried to the reader
    cancelled: bool = False
    stats: DraftStats = field(default_factory=DraftStats)  # token counts and times of the run

    def section(self, key: str) -> DraftSection:
        return next(s for s in self.sections if s.key == key)
