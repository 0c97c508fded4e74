"""Background work where the latest request wins: the one mechanism the app uses for
every job whose result may be overtaken by a newer request (opening a case, checking
the draft as the doctor types, the model worker's drafts).

``Latest`` hands out tickets: each new request supersedes every earlier one, and a
result is used only if its ticket is still the latest. ``LatestJobs`` runs functions
on Qt's thread pool with such tickets and brings their outcome back to the GUI
thread: ``settled`` for every job (bookkeeping such as the busy cursor, or keeping
what a stale job built), then ``finished`` or ``failed`` for the latest one only."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

log = logging.getLogger(__name__)


class Latest:
    """Tickets of requests where the latest wins. ``next`` starts a request (and makes
    every earlier one stale); ``is_latest`` may be asked from any thread."""

    def __init__(self) -> None:
        self._ticket = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            self._ticket += 1
            return self._ticket

    @property
    def current(self) -> int:
        """The latest ticket (0 before the first request)."""
        return self._ticket

    def is_latest(self, ticket: int) -> bool:
        return ticket == self._ticket


class _Signals(QObject):
    done = Signal(int, object, object)  # ticket, result, exception (one of the two is None)


class _Job(QRunnable):
    def __init__(self, ticket: int, work: Callable[[], Any]) -> None:
        super().__init__()
        self.ticket, self.work = ticket, work
        self.signals = _Signals()

    def run(self) -> None:
        result, error = None, None
        try:
            result = self.work()
        except Exception as exc:  # delivered to the GUI thread: a job must never take the app down
            error = exc
        try:
            self.signals.done.emit(self.ticket, result, error)
        except RuntimeError:  # the receiver is gone (its window closed while the job ran)
            log.info("a background job finished after its window closed")


class LatestJobs(QObject):
    """Functions run on the thread pool, one request after another, the latest winning.

    ``start(work)`` returns the request's ticket at once; when ``work()`` returns or
    raises, on the GUI thread: ``settled(ticket, result, error)`` for every job, then,
    if the job is still the latest request, ``finished(result)`` or ``failed(error)``."""

    settled = Signal(int, object, object)  # every job: ticket, result, exception
    finished = Signal(object)  # the latest request's result
    failed = Signal(object)  # the latest request's exception

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.latest = Latest()
        self._running: dict[int, _Job] = {}

    def start(self, work: Callable[[], Any]) -> int:
        """Run ``work()`` off the GUI thread as the latest request; returns its ticket."""
        ticket = self.latest.next()
        job = _Job(ticket, work)
        job.setAutoDelete(False)  # kept in _running until it has settled: its signals must outlive run()
        job.signals.done.connect(self._done, Qt.ConnectionType.QueuedConnection)
        self._running[ticket] = job
        QThreadPool.globalInstance().start(job)
        return ticket

    def supersede(self) -> None:
        """Make every request so far stale: what they bring back is settled, not used."""
        self.latest.next()

    def busy(self) -> bool:
        """Whether any job (the latest or a stale one) is still running."""
        return bool(self._running)

    def latest_running(self) -> bool:
        """Whether the latest request's job is still running."""
        return self.latest.current in self._running

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Before the window closes: nothing more is delivered, and the jobs under way end."""
        self.supersede()
        for job in list(self._running.values()):
            job.signals.blockSignals(True)
        QThreadPool.globalInstance().waitForDone(timeout_ms)
        self._running.clear()

    def _done(self, ticket: int, result: object, error: object) -> None:
        self._running.pop(ticket, None)
        self.settled.emit(ticket, result, error)
        if not self.latest.is_latest(ticket):
            return
        if error is None:
            self.finished.emit(result)
        else:
            self.failed.emit(error)
