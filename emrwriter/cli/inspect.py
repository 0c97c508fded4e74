"""``emrwriter inspect PATH``: what was imported from a record, its stays, and the facts
of the stay drafted by default."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from ..records.model import ITEM_KINDS
from ..templates import format_when
from ..workflow import (
    build_timeline,
    choose_stay,
    facts_json,
    inpatient_stays,
    open_case,
    record_language,
    stay_facts,
    timeline_json,
)


def add_parser(sub) -> argparse.ArgumentParser:
    inspect = sub.add_parser("inspect", help="show what was imported from a record")
    inspect.add_argument("path", type=Path)
    inspect.add_argument("--patient", help="the patient, when a FHIR bulk export holds several")
    inspect.add_argument("--json", action="store_true", help="machine-readable output")
    inspect.set_defaults(func=run)
    return inspect


def run(args: argparse.Namespace) -> int:
    record = open_case(args.path, args.patient)
    stays = inpatient_stays(record)
    default = stays[0].id if stays else None
    if args.json:
        print(json.dumps(_record_json(record, default), ensure_ascii=False, indent=2, default=str))
        return 0
    p = record.patient
    print(
        f"Patient: {p.name or '(no name)'}  sex: {p.sex or '?'}  born: {format_when(p.birth_date, '?')}  ids: {', '.join(p.identifiers) or '-'}"
    )
    print(f"Sources: {len(record.sources)} file(s)")
    print(f"Encounters: {len(record.encounters)} ({len(stays)} inpatient)")
    for enc in sorted(record.encounters, key=lambda e: (not e.is_inpatient, -(e.start.timestamp() if e.start else 0))):
        mark = "*" if enc.id == default else ("I" if enc.is_inpatient else " ")
        print(
            f"  {mark} {enc.id}  {enc.kind:<10} {format_when(enc.start, '?'):>16} to {format_when(enc.end, '?'):<16} {enc.type_text}"
        )
    if default:
        print("  (* the stay drafted by default, I other inpatient stays)")
    print("Counts: " + ", ".join(f"{k} {v}" for k, v in record.counts().items()))
    stay = choose_stay(record, default) if default else None
    if stay:
        for kind, labels in stay.counts().items():
            print(f"  {kind}: {labels['stay']} in the default stay, {labels['history']} history, {labels['later']} later")
    for kind in ITEM_KINDS:
        items = getattr(record, kind)
        if items:
            print(f"{kind.capitalize()}:")
            for item in items:
                label = f"[{stay.label(item)}] " if stay else ""
                print(f"  - {label}{_item_summary(item)}  <{item.provenance}>")
    if stay:
        _print_facts(stay)
    if record.problems:
        print("Import problems:")
        for problem in record.problems:
            print(f"  - [{problem.severity}] {problem}")
    return 0


def _print_facts(stay) -> None:
    """The fact layer of the default stay, as the data sections will show it."""
    facts = facts_json(stay_facts(stay))
    print(f"Facts of the default stay: admitted {facts['admission_date'] or '?'}, discharged {facts['discharge_date'] or '?'}")
    for d in facts["diagnoses"]:
        print(f"  diagnosis [{d['role']}{', proposed' if d['proposed'] else ''}] {d['name']}")
    for m in facts["medications"]:
        detail = " ".join(x for x in (m["dose"], m["route"], m["frequency"]) if x)
        reason = f" ({m['reason']})" if m["reason"] else ""
        print(f"  medication [{m['role'] or '-'}/{m['status'] or '-'}] {m['name']} {detail}{reason}".rstrip())
    flagged = [lab for lab in facts["labs"] if lab["flag"] not in ("", "N")]
    print(
        f"  labs: {len(facts['labs'])}, flagged {len(flagged)}: "
        + ", ".join(f"{x['name']} {x['value']} {x['flag']}" for x in flagged[:12])
    )
    for p in facts["procedures"]:
        print(f"  procedure {p['name']}")
    for p in facts["pending"]:
        print(f"  pending {p['name']}")
    for f in facts["follow_up"]:
        print(f"  follow-up {f['text']}")
    for entry in build_timeline(stay_facts(stay), record_language(stay.record)):
        print(f"  timeline {format_when(entry.day) or '?'} [{entry.kind}] {entry.text}")
    for line in facts["conflicts"]:
        print(f"  conflict {line}")


def _item_summary(item) -> str:
    kind = type(item).__name__
    if kind == "Medication":
        return " ".join(
            x for x in (item.name, item.dose, item.route, item.frequency, f"[{item.status}]" if item.status else "") if x
        )
    if kind == "Observation":
        return f"{format_when(item.time)} {item.name} {item.value} {item.unit} {item.flag}".strip()
    if kind == "Document":
        return f"{item.kind}: {item.title} {format_when(item.date)} ({len(item.text)} chars, {len(item.sections)} sections)"
    if kind == "Allergy":
        return f"{item.substance} {item.reaction}".strip()
    return f"{format_when(item.when)} {item.name}".strip()


def _record_json(record, default_stay: str | None) -> dict:
    data = asdict(record)
    for doc in data["documents"]:
        doc["text_length"] = len(doc.pop("text"))
    data["counts"] = record.counts()
    data["default_stay"] = default_stay
    if default_stay is not None:  # the one fact layer, as the data sections and the checks read it
        facts = stay_facts(choose_stay(record, default_stay))
        data["facts"] = facts_json(facts)
        data["timeline"] = timeline_json(build_timeline(facts, record_language(record)))
    for enc in data["encounters"]:
        enc["inpatient"] = enc["kind"] == "inpatient"
    return data
