"""A soak: many drafts in a row in one process, as a day on the ward (issue 13).

Drafts the cases in turn through workflow.draft_summary with one engine (the real default
model unless a test passes another), and after each draft reports the process's resident
memory (RSS), the Python threads and OS threads alive, and the open file descriptors.
Memory is judged after the warm-up (the first ``WARMUP`` drafts load the model, size its
context for the largest case and fill the prefix cache): the rest must add less than
``LIMIT_MB``; threads and file descriptors must end where they stood after the warm-up.

    .venv/bin/python scripts/soak.py [--drafts 20] [--ctx 2048] [CASE ...]

The persistent prefix cache goes to a temporary folder (EMRWRITER_CACHE_DIR), so the
soak neither reads nor leaves a user's cache.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WARMUP = 3
LIMIT_MB = 50.0
DEFAULT_CASES = [
    ROOT / "emrwriter" / "bundled" / "samples" / "en_heart_failure",
    ROOT / "emrwriter" / "bundled" / "samples" / "zh_pneumonia",
    ROOT / "tests" / "devset" / "en_nstemi_pci",
]


def snapshot() -> dict:
    proc = psutil.Process()
    fds = proc.num_fds() if hasattr(proc, "num_fds") else proc.num_handles()
    return {
        "rss_mb": proc.memory_info().rss / 2**20,
        "py_threads": threading.active_count(),
        "os_threads": proc.num_threads(),
        "fds": fds,
    }


def soak(engine, cases: list[Path], drafts: int, on_row=None, **options) -> list[dict]:
    """``drafts`` drafts of ``cases`` in turn with ``engine``; one row per draft."""
    from emrwriter.workflow import choose_stay, choose_template, draft_summary, open_case

    rows = []
    for n in range(drafts):
        case = cases[n % len(cases)]
        started = time.monotonic()
        record = open_case(case)
        draft = draft_summary(choose_stay(record), choose_template(record), engine, **options)
        row = {
            "draft": n + 1,
            "case": case.name,
            "seconds": time.monotonic() - started,
            "threads_used": engine.threads if isinstance(getattr(engine, "threads", None), int) else None,
            "sections": len(draft.sections),
            **snapshot(),
        }
        rows.append(row)
        if on_row:
            on_row(row)
    return rows


def verdict(rows: list[dict]) -> dict:
    """Growth after the warm-up: memory (MB, the peak after it less its value at it),
    threads and file descriptors (at the end less at it)."""
    base = rows[min(WARMUP, len(rows)) - 1]
    rest = rows[WARMUP:] or [base]
    return {
        "rss_after_warmup_mb": base["rss_mb"],
        "rss_growth_mb": max(r["rss_mb"] for r in rest) - base["rss_mb"],
        "py_threads_growth": rows[-1]["py_threads"] - base["py_threads"],
        "os_threads_growth": rows[-1]["os_threads"] - base["os_threads"],
        "fds_growth": rows[-1]["fds"] - base["fds"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", type=Path)
    parser.add_argument("--drafts", type=int, default=20)
    parser.add_argument("--ctx", type=int, default=2048, help="the model's context cap (default 2048)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="emrwriter-soak-") as cache:  # removed afterwards: it holds record states
        os.environ["EMRWRITER_CACHE_DIR"] = cache
        return run(args)


def run(args) -> int:
    from emrwriter.workflow import local_engine, resolve_model

    engine = local_engine(resolve_model(None), context_cap=args.ctx)
    print(f"before: {snapshot()}  load average {os.getloadavg()}", flush=True)
    print(f"{'draft':>5} {'case':<20} {'seconds':>8} {'threads':>7} {'RSS MB':>8} {'py thr':>6} {'OS thr':>6} {'fds':>4}")

    def show(r):
        print(
            f"{r['draft']:>5} {r['case']:<20} {r['seconds']:>8.1f} {r['threads_used']!s:>7} {r['rss_mb']:>8.1f}"
            f" {r['py_threads']:>6} {r['os_threads']:>6} {r['fds']:>4}",
            flush=True,
        )

    rows = soak(engine, args.cases or DEFAULT_CASES, args.drafts, on_row=show)
    v = verdict(rows)
    print(
        f"after draft {min(WARMUP, len(rows))}: RSS {v['rss_after_warmup_mb']:.1f} MB; over the remaining {max(0, len(rows) - WARMUP)}: "
        f"+{v['rss_growth_mb']:.1f} MB at most (limit {LIMIT_MB:.0f}), threads {v['py_threads_growth']:+d} Python / "
        f"{v['os_threads_growth']:+d} OS, file descriptors {v['fds_growth']:+d}"
    )
    ok = v["rss_growth_mb"] < LIMIT_MB and v["py_threads_growth"] <= 0 and v["os_threads_growth"] <= 0 and v["fds_growth"] <= 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
