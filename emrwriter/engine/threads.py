"""How many threads llama.cpp should use, from the load it finds.

llama.cpp splits every layer across its threads and waits at a barrier after each
step; the wheel's build waits with OpenMP, whose threads spin before they sleep. When
another program holds one of two cores, a second llama.cpp thread does not add a core:
it takes turns with that program, and the first thread spins at every barrier for it.
On a ward PC (the EMR client, antivirus) that turned minutes into tens of minutes
(issue 13). The remedy, measured on an idle PC and next to a CPU hog (README, "A busy
CPU, and a day of drafts"): one thread per *free* physical core: the CPUs this process may
run on (its affinity), folded to physical cores, minus the CPU time other programs took over
a short window (all CPU time on those CPUs less this process's own, so the engine's own work
is not counted as load), and at least one. Where a site makes waits sleep
(OMP_WAIT_POLICY=PASSIVE), a waiting thread gives its core away and the choice is every
physical core (on an idle PC passive waits wrote at half the speed with two threads, so they
are not the default).

The window is the time since the last look, or a short wait on the first; a user's or
site's fixed ``threads`` setting always wins (see LocalEngine).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import psutil

WINDOW = 0.25  # seconds watched on a first look
MIN_WINDOW = 0.1  # a shorter gap since the last look is watched again


@dataclass(frozen=True)
class Load:
    """What a look at the CPU found: the logical CPUs this process may use, the physical
    cores among them, and how many CPUs' worth of time other programs took."""

    cpus: int
    cores: int
    others: float  # in CPUs: 1.0 = one CPU kept fully busy by other programs

    @property
    def free_cores(self) -> float:
        """Physical cores left to this process (hyper-threads folded into their cores)."""
        idle_cpus = max(0.0, self.cpus - self.others)
        return idle_cpus * self.cores / self.cpus if self.cpus else 0.0


def waits_spin() -> bool:
    """Whether llama.cpp's OpenMP threads spin while they wait (libgomp's default)."""
    return os.environ.get("OMP_WAIT_POLICY", "").strip().lower() != "passive"


def choose_threads(load: Load, spinning: bool = True) -> int:
    """Spinning waits: one thread per free physical core, rounded to the nearest, at least
    one and at most the cores there are (a core more than half taken by another program
    counts as taken: a thread there would spin waiting more than it works). Passive
    waits: every core."""
    if not spinning:
        return load.cores
    return max(1, min(load.cores, int(load.free_cores + 0.5)))


def _allowed_cpus() -> list[int] | None:
    try:
        return sorted(psutil.Process().cpu_affinity())
    except (AttributeError, NotImplementedError, psutil.Error, OSError):
        return None  # macOS: no affinity; every CPU counts


def _busy_and_own(cpus: list[int] | None) -> tuple[float, float]:
    """Seconds of CPU time spent on ``cpus`` (all of them when None), and by this process."""
    per_cpu = psutil.cpu_times(percpu=True)
    chosen = [per_cpu[i] for i in cpus if i < len(per_cpu)] if cpus else per_cpu
    busy = 0.0
    for t in chosen:
        idle = t.idle + getattr(t, "iowait", 0.0)
        busy += sum(t) - idle - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0)
    own = psutil.Process().cpu_times()
    return busy, own.user + own.system


class LoadMeter:
    """Looks at the CPU load; each look covers the time since the one before (the first
    waits ``WINDOW`` seconds). ``physical`` is the physical cores this process may use."""

    def __init__(self, physical: int):
        self.physical = max(1, physical)
        self._cpus = _allowed_cpus()
        self._last: tuple[float, float, float] | None = None

    def _sample(self) -> tuple[float, float, float]:
        busy, own = _busy_and_own(self._cpus)
        return time.monotonic(), busy, own

    def measure(self) -> Load:
        if self._last is None or time.monotonic() - self._last[0] < MIN_WINDOW:
            self._last = self._sample()
            time.sleep(WINDOW)
        start, now = self._last, self._sample()
        self._last = now
        wall = now[0] - start[0]
        others = ((now[1] - start[1]) - (now[2] - start[2])) / wall if wall > 0 else 0.0
        cpus = len(self._cpus) if self._cpus else (psutil.cpu_count() or 1)
        return Load(cpus=cpus, cores=min(self.physical, cpus), others=max(0.0, min(float(cpus), others)))

    def choose(self) -> int:
        """The threads for the next prompt (with passive waits, no look is needed)."""
        if not waits_spin():
            return self.physical
        return choose_threads(self.measure(), spinning=True)
