"""The figures of one draft, as ``emrwriter draft --stats-json FILE`` writes them:
token counts and times for the run and per section, so anyone can check a run."""

from __future__ import annotations

import json
import os
from pathlib import Path

STATS_FIELDS = ("record_tokens", "prompt_tokens_evaluated", "generated_tokens", "prefill_seconds", "decode_seconds", "wall_seconds")


def draft_stats(draft) -> dict:
    stats = dict(draft.stats)
    out = {name: stats.get(name, 0) for name in STATS_FIELDS}
    out["sections"] = stats.get("sections", [])
    out["prompt_tokens"] = stats.get("prompt_tokens", 0)  # what a drafter without prefix reuse would read
    out["prefix"] = stats.get("prefix")  # the shared record prefix: tokens, and read | disk | memory | context
    out["evidence"] = stats.get("evidence", "")  # all | priority | relevance
    out["omitted"] = list(draft.omitted)
    out.update(model=draft.model, template=draft.template, cancelled=draft.cancelled)
    return out


def write_stats_json(draft, path: Path) -> None:
    write_json(Path(path), draft_stats(draft))


def write_json(path: Path, data: dict) -> None:
    """Written to a temporary name and moved into place (design principle 7)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)
