"""The narrative sections "from the record": written from the stay's timeline without a model.

Each model-written section of a template names the kinds of timeline entries it tells
(manifest: ``timeline = ["presentation", "admission_findings"]``); in record mode the
section is the template's ``narrative`` block rendered over those entries, one sentence
per entry, each entry's source cited. Nothing is generated, so nothing can be invented:
a doctor on a slow PC gets a complete, fully grounded draft in seconds.
"""

from __future__ import annotations

from ..facts.timeline import KINDS, TimelineEntry, entries_for
from ..records.model import Provenance

# Used when a template's section does not say which entries it tells (by the section's key).
DEFAULT_KINDS: dict[str, tuple[str, ...]] = {
    "admission_condition": ("presentation", "admission_findings"),
    "reason_for_hospitalization": ("presentation",),
    "significant_findings": ("admission_findings", "result"),
    "hospital_course": ("note", "procedure", "result", "consult", "medication"),
    "procedures_and_treatment": ("procedure", "note", "medication", "consult"),
    "discharge_condition": ("discharge_state",),
    "condition_at_discharge": ("discharge_state",),
}


def section_entries(key: str, kinds: tuple[str, ...], timeline: list[TimelineEntry]) -> list[TimelineEntry]:
    """The entries a section tells; the last note stands in for a missing discharge state."""
    wanted = kinds or DEFAULT_KINDS.get(key, KINDS)
    entries = entries_for(timeline, wanted)
    if not entries and "discharge_state" in wanted:
        notes = entries_for(timeline, ("note",))
        entries = notes[-1:]
    return entries


def render_narrative(template, key: str, kinds: tuple[str, ...], timeline: list[TimelineEntry]) -> tuple[str, list[Provenance]]:
    """(text, sources) of one narrative section in record mode."""
    entries = section_entries(key, kinds, timeline)
    days: list[tuple[object, list[TimelineEntry]]] = []
    for entry in entries:  # the entries of one day under that day
        if days and days[-1][0] == entry.day:
            days[-1][1].append(entry)
        else:
            days.append((entry.day, [entry]))
    text = template.data_section("narrative", entries=entries, days=days, section=key)
    return text, [e.provenance for e in entries]
