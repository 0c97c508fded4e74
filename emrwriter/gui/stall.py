"""How long the window could not respond: the gaps between ticks of a short timer on
the GUI thread. Used by the GUI tests (printed) and by ``emrwriter bench``."""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication


class StallMeter:
    """Ticks every ``interval_ms`` while started; a stall is a gap beyond the interval."""

    def __init__(self, interval_ms: int = 5) -> None:
        self.interval = interval_ms / 1000
        self.gaps: list[float] = []
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def ticks(self) -> int:
        return len(self.gaps)

    def max_stall_ms(self) -> float | None:
        return round(max(0.0, max(self.gaps) - self.interval) * 1000, 1) if self.gaps else None

    def summary(self) -> dict:
        ordered = sorted(self.gaps)
        p99 = round(ordered[int(len(ordered) * 0.99)] * 1000, 1) if ordered else None
        return {
            "max_stall_ms": self.max_stall_ms(),
            "p99_gap_ms": p99,
            "ticks": self.ticks,
            "timer_ms": round(self.interval * 1000),
        }


def measure_draft_stall(stay, template, settings, cache_dir: str | os.PathLike) -> dict:
    """Draft with the GUI's model worker (offscreen is fine) while a StallMeter runs;
    ``cache_dir`` is the prefix cache to use (an empty one: the record is read too)."""
    from .worker import ModelWorker

    previous = os.environ.get("EMRWRITER_CACHE_DIR")
    os.environ["EMRWRITER_CACHE_DIR"] = str(cache_dir)
    QApplication.instance() or QApplication([])
    worker = ModelWorker()
    loop = QEventLoop()
    meter = StallMeter()
    outcome: dict = {}
    signals = {"progress": 0, "token": 0}

    def done(key: str, value) -> None:
        outcome[key] = value
        loop.quit()

    worker.draft_finished.connect(lambda task, draft: done("draft", draft))
    worker.failed.connect(lambda task, message: done("error", message))
    worker.progress.connect(lambda *a: signals.__setitem__("progress", signals["progress"] + 1))
    worker.token.connect(lambda *a: signals.__setitem__("token", signals["token"] + 1))
    started = time.monotonic()
    try:
        meter.start()
        worker.start_draft(stay, template, settings)
        loop.exec()
        meter.stop()
    finally:
        worker.shutdown()
        if previous is None:
            os.environ.pop("EMRWRITER_CACHE_DIR", None)
        else:
            os.environ["EMRWRITER_CACHE_DIR"] = previous
    if "error" in outcome:
        return {"status": "error", "reason": outcome["error"]}
    return {"status": "ok", **meter.summary(), "seconds": round(time.monotonic() - started, 1), "signals": signals}
