"""``emrwriter doctor`` and the app's Help > Diagnostics: a self-check a nurse or IT can run
and read, and paste into a support ticket. Each check is one Check (check.py): the machine
(machine.py), the configuration, templates and store (installation.py), llama.cpp and the
models (llama.py), and the display (qt_platform.py: Qt is started in a child process, never
in this one). Free of Qt, so the command line and the app run the same checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from .check import NOTE, OK, PROBLEM, SKIPPED, Check
from .installation import check_config, check_store, check_templates
from .llama import check_default_model, check_llama_cpp, check_models
from .machine import check_cpu, check_fonts, check_memory, check_version
from .qt_platform import check_display, start_problem

__all__ = ["Check", "OK", "NOTE", "PROBLEM", "SKIPPED", "run_checks", "format_check", "report", "problems", "start_problem"]

LABELS = {OK: "ok", NOTE: "note", PROBLEM: "PROBLEM", SKIPPED: "skipped"}


def run_checks(*, load_model: bool = True, on_check: Callable[[Check], None] | None = None) -> list[Check]:
    """Every check, in the order a reader wants them; ``on_check`` hears each as it is done
    (the app shows them one by one: loading the model takes a moment)."""
    steps: list[Callable[[], Check | list[Check]]] = [
        check_version,
        check_config,
        check_cpu,
        check_memory,
        check_models,
        lambda: check_default_model(load_model),
        check_llama_cpp,
        check_templates,
        check_store,
        check_fonts,
        check_display,
    ]
    done: list[Check] = []
    for step in steps:
        try:
            found = step()
        except Exception as exc:  # a check that breaks is a finding too, never a traceback
            name = getattr(step, "__name__", "check").removeprefix("check_").replace("_", " ")
            found = Check(name, PROBLEM, "the check itself failed", reason=f"{name}: {exc.__class__.__name__}: {exc}")
        for check in found if isinstance(found, list) else [found]:
            done.append(check)
            if on_check is not None:
                on_check(check)
    return done


def format_check(check: Check) -> str:
    lines = [f"[{LABELS[check.status]:>7}] {check.name}: {check.summary}"]
    lines += [f"          {line}" for line in check.details]
    if check.reason and check.status != OK:
        lines.append(f"          -> {check.reason}")
    return "\n".join(lines)


def problems(checks: list[Check]) -> list[str]:
    return [f"{c.name}: {c.reason}" for c in checks if c.status == PROBLEM]


def report(checks: list[Check], when: datetime | None = None) -> str:
    """The whole report as text: a header, every check, and the verdict (one line per problem)."""
    stamp = (when or datetime.now()).strftime("%Y-%m-%d %H:%M")
    found = problems(checks)
    verdict = ["All checks passed."] if not found else [f"{len(found)} problem(s):", *(f"- {line}" for line in found)]
    return "\n".join([f"EMRWriter doctor, {stamp}", "", *map(format_check, checks), "", *verdict])
