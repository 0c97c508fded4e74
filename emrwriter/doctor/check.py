"""One finding of ``emrwriter doctor``: a name, a status, the lines that say what was found,
and for a problem (or a note) the one line that says what is wrong and what to do."""

from __future__ import annotations

from dataclasses import dataclass

OK, NOTE, PROBLEM, SKIPPED = "ok", "note", "problem", "skipped"
STATUSES = (OK, NOTE, PROBLEM, SKIPPED)


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # OK | NOTE (worth knowing, nothing to fix for the app to work) | PROBLEM | SKIPPED
    summary: str  # one line: what was found
    details: tuple[str, ...] = ()  # more lines (paths, figures)
    reason: str = ""  # PROBLEM / NOTE / SKIPPED: one line, what is wrong and what to do

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if self.status == PROBLEM and not self.reason:
            raise ValueError(f"{self.name}: a problem needs its one-line reason")
