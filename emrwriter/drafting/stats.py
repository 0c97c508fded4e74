"""The figures of one draft, as ``emrwriter draft --stats-json FILE`` writes them:
token counts and times for the run and per section, so anyone can check a run."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.base import Generation, PrefixStats

if TYPE_CHECKING:
    from .draft import Draft

STATS_FIELDS = (
    "record_tokens",
    "prompt_tokens_evaluated",
    "generated_tokens",
    "prefill_seconds",
    "decode_seconds",
    "wall_seconds",
)


@dataclass
class SectionStats:
    """One model-written section: what was read for it and what was written."""

    key: str
    heading: str
    prompt_tokens: int  # the whole prompt, record included
    evaluated_tokens: int  # of those, read for this section (the rest was the shared prefix)
    generated_tokens: int
    prefill_seconds: float
    decode_seconds: float
    stop_reason: str  # "end" | "length" | "cancelled"

    @classmethod
    def of(cls, key: str, heading: str, result: Generation) -> SectionStats:
        return cls(
            key,
            heading,
            result.prompt_tokens,
            result.evaluated_tokens,
            result.generated_tokens,
            round(result.prefill_seconds, 3),
            round(result.decode_seconds, 3),
            result.stop_reason,
        )


@dataclass
class DraftStats:
    """The figures of a whole draft. Fields in the order of the JSON file; a draft without
    model-written sections keeps the zeros."""

    record_tokens: int = 0  # the record as fitted to the context (evidence pieces)
    prompt_tokens_evaluated: int = 0  # prompt tokens actually read: the prefix once, then each section's own
    generated_tokens: int = 0
    prefill_seconds: float = 0.0
    decode_seconds: float = 0.0
    wall_seconds: float = 0.0
    sections: list[SectionStats] = field(default_factory=list)
    prompt_tokens: int = 0  # what a drafter without prefix reuse would read
    prefix: PrefixStats | None = None  # the shared record prefix: tokens, and read | disk | memory | context
    evidence: str = ""  # how the record was fitted: all | priority | relevance

    def add_prefix(self, prefix: PrefixStats) -> None:
        """Count the shared prefix, read (or loaded) once for all sections."""
        self.prefix = replace(prefix)
        self.prompt_tokens_evaluated += prefix.evaluated_tokens
        self.prefill_seconds += prefix.seconds

    def add(self, section: SectionStats, result: Generation) -> None:
        """Count one written section (totals from the unrounded times; see finish())."""
        self.sections.append(section)
        self.prompt_tokens_evaluated += result.evaluated_tokens
        self.generated_tokens += result.generated_tokens
        self.prefill_seconds += result.prefill_seconds
        self.decode_seconds += result.decode_seconds
        self.prompt_tokens += result.prompt_tokens

    def finish(self, wall_seconds: float) -> None:
        self.prefill_seconds = round(self.prefill_seconds, 3)
        self.decode_seconds = round(self.decode_seconds, 3)
        self.wall_seconds = round(wall_seconds, 3)

    def as_dict(self) -> dict:
        """Plain JSON data: the --stats-json fields, and what the store keeps."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> DraftStats:
        """Read back what as_dict() wrote (or an older, partial dict: missing figures are 0)."""
        values = _known(cls, data)
        values["sections"] = [SectionStats(**_known(SectionStats, s)) for s in values.get("sections") or []]
        if values.get("prefix") is not None:
            values["prefix"] = PrefixStats(**_known(PrefixStats, values["prefix"]))
        return cls(**values)


def _known(cls, data: dict) -> dict:
    """The entries of ``data`` that ``cls`` has fields for (a newer version may write more)."""
    names = {f.name for f in fields(cls)}
    return {name: value for name, value in data.items() if name in names}


def draft_stats(draft: Draft) -> dict:
    """The --stats-json data: the draft's figures, what was left out, model and template."""
    out = draft.stats.as_dict()
    out["omitted"] = list(draft.omitted)
    out.update(model=draft.model, template=draft.template, cancelled=draft.cancelled)
    return out


def write_stats_json(draft: Draft, path: Path) -> None:
    write_json(Path(path), draft_stats(draft))


def write_json(path: Path, data: dict) -> None:
    """Written to a temporary name and moved into place, so nothing is lost: a crash never leaves half a file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)
