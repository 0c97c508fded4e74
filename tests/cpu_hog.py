"""Burns one CPU core for a bounded time, as another program on a ward PC would (the
EMR client, an antivirus scan). Run as a script (``python tests/cpu_hog.py SECONDS
[CPU]``) or through :func:`cpu_hog`, which starts it in a subprocess and ends it on
leaving. Pinned to CPU number ``CPU`` when given, so exactly one core is taken."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path


def burn(seconds: float, cpu: int | None = None) -> None:
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
    end = time.monotonic() + seconds
    x = 0
    while time.monotonic() < end:
        for _ in range(10_000):
            x += 1


@contextmanager
def cpu_hog(seconds: float = 60.0, cpu: int | None = None):
    """One busy core for at most ``seconds`` (it stops by itself even if the test dies)."""
    args = [sys.executable, str(Path(__file__)), str(seconds)] + ([] if cpu is None else [str(cpu)])
    proc = subprocess.Popen(args)
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    burn(float(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else None)
