"""The one owner of the model: the GUI never blocks on it.

A llama.cpp model is not thread-safe, so one QObject on its own QThread builds the
engine and runs every draft; the GUI calls its methods, which only queue work, and
listens to its signals. Every signal carries the task id first: starting a task
cancels the previous one, and the GUI ignores signals of any task but its latest (task
ids are tickets of gui.latest.Latest, the app's one "latest request wins" helper).

Each task ends with exactly one of ``draft_finished``, ``section_finished`` or
``failed``. Tokens and progress are coalesced on the worker thread so a fast model
cannot flood the GUI's event loop."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from ..engine.base import Cancel, Engine, EngineError, Progress
from ..engine.llama_engine import LocalEngine
from ..records.model import RecordError
from ..records.stay import Stay
from ..templates import Template, TemplateProblem
from ..workflow import FROM_MODEL, draft_summary, regenerate_section, resolve_model, server_engine, server_settings
from ..workflow import local_engine as make_engine
from .latest import Latest
from .settings import EngineSettings

log = logging.getLogger(__name__)

TOKEN_INTERVAL = 0.05  # seconds between token signals of one section
PROGRESS_INTERVAL = 0.1  # seconds between progress signals within one phase
SHUTDOWN_WAIT_MS = 5000

EngineFactory = Callable[[EngineSettings], Engine]  # builds an engine on the worker thread; raises EngineError


def local_engine(settings: EngineSettings) -> LocalEngine:
    """The app's engine: llama.cpp on the chosen GGUF file (the default model when none).
    The file is read here, so a bad path fails before a good engine is dropped; the
    weights load later, on first need."""
    if settings.on_server:  # a shared inference server, as chosen in the Models dialog
        return server_engine(server_settings(settings.server_url, settings.server_model, api_key=settings.server_key or None))
    info = resolve_model(Path(settings.model_path) if settings.model_path else None)
    return make_engine(info, threads=settings.threads, context_cap=settings.context_cap, gpu_layers=settings.gpu_layers)


@dataclass
class _Job:
    task: int
    kind: str  # "draft" | "section"
    stay: Stay
    template: Template
    key: str  # the section to regenerate; "" for a whole draft
    settings: EngineSettings
    cancel: threading.Event
    narrative: str = FROM_MODEL  # FROM_RECORD: the narrative sections from the record, no model


class _Stream:
    """Batches one task's tokens (per section) and progress reports before they cross
    to the GUI thread. Signals of a task that is no longer the latest are dropped here:
    the GUI would ignore them anyway."""

    def __init__(self, worker: ModelWorker, task: int):
        self.worker = worker
        self.task = task
        self.key = ""
        self.pieces: list[str] = []
        self.last_token = 0.0  # monotonic time of the last token signal; 0 lets the first token through at once
        self.shown: Progress | None = None  # the last report passed on (or dropped as stale)
        self.pending: Progress | None = None  # a report held back by the interval
        self.last_progress = 0.0

    def _current(self) -> bool:
        return self.worker.latest.is_latest(self.task)

    def token(self, key: str, text: str) -> None:
        if key != self.key:
            self.flush_tokens()
            self.key = key
        self.pieces.append(text)
        if time.monotonic() - self.last_token >= TOKEN_INTERVAL:
            self.flush_tokens()

    def flush_tokens(self) -> None:
        if self.pieces and self._current():
            self.worker.token.emit(self.task, self.key, "".join(self.pieces))
        self.pieces.clear()
        self.last_token = time.monotonic()

    def progress(self, report: Progress) -> None:
        shown = self.shown
        new_phase = shown is None or (report.phase, report.label) != (shown.phase, shown.label)
        if new_phase:  # the section before has stopped streaming: show all of it, and its last report
            self.flush_tokens()
            self._flush_progress()
        due = time.monotonic() - self.last_progress >= PROGRESS_INTERVAL
        if new_phase or due or report.done >= report.total:
            self._show(report)
        else:
            self.pending = report

    def _show(self, report: Progress) -> None:
        if self._current():
            self.worker.progress.emit(self.task, report)
        self.shown, self.pending = report, None
        self.last_progress = time.monotonic()

    def _flush_progress(self) -> None:
        if self.pending is not None:
            self._show(self.pending)

    def finish(self) -> None:
        """Everything held back, before the task's final signal."""
        self.flush_tokens()
        self._flush_progress()


class ModelWorker(QObject):
    """Loads the engine lazily and keeps it while the model and settings stay the same.

    Create it on the GUI thread without a parent and call :meth:`shutdown` before the
    application quits (for example from the main window's closeEvent). ``engine_factory``
    builds the engine from the settings (tests pass one that makes a fake engine)."""

    loading = Signal(int, str)  # task, model name: emitted as each task starts using a model (instant when cached)
    progress = Signal(int, object)  # task, engine.base.Progress
    token = Signal(int, str, str)  # task, section key, text (coalesced pieces)
    draft_finished = Signal(int, object)  # task, Draft (draft.cancelled when stopped; partial text kept)
    section_finished = Signal(int, object)  # task, DraftSection (complete False and a note when stopped)
    failed = Signal(int, str)  # task, one line for the user

    _submit = Signal(object)  # a _Job, queued to the worker thread

    def __init__(self, engine_factory: EngineFactory = local_engine) -> None:
        super().__init__()
        self._engine_factory = engine_factory
        self._lock = threading.Lock()
        self.latest = Latest()  # task ids; a new one is taken on the GUI thread, checked on the worker thread
        self._cancel: threading.Event | None = None
        self._closed = False
        self._engine: Engine | None = None  # touched only on the worker thread (or after it ended)
        self._engine_key: tuple | None = None
        self._thread = QThread()  # not a child: a QThread must not move into itself
        self._thread.setObjectName("EMRWriter model worker")
        self.moveToThread(self._thread)
        self._submit.connect(self._run, Qt.ConnectionType.QueuedConnection)
        self._thread.start()

    # -- called on the GUI thread -------------------------------------------------

    def start_draft(self, stay: Stay, template: Template, settings: EngineSettings, narrative: str = FROM_MODEL) -> int:
        """Queue a whole draft; the previous task is cancelled. Returns the new task id at once.
        With ``narrative`` FROM_RECORD no model is loaded: the draft takes seconds."""
        return self._queue("draft", stay, template, "", settings, narrative)

    def regenerate(self, stay: Stay, template: Template, key: str, settings: EngineSettings) -> int:
        """Queue one model section written again; the previous task is cancelled."""
        return self._queue("section", stay, template, key, settings)

    def stop(self) -> None:
        """Cancel the current task now; the engine notices within one prompt chunk or token."""
        with self._lock:
            if self._cancel is not None:
                self._cancel.set()

    def shutdown(self, timeout_ms: int = SHUTDOWN_WAIT_MS) -> bool:
        """Stop, end the worker thread and release the model. Safe to call twice.
        Returns False when the thread did not end in time (a model load cannot be
        interrupted); the model is then left to the thread."""
        if not self._closed:
            self._closed = True
            self.stop()
            self._thread.quit()
        if not self._thread.wait(timeout_ms):
            log.warning("the model worker did not stop within %d ms", timeout_ms)
            return False
        _release(self._engine)
        self._engine = self._engine_key = None  # the thread has ended, so no call can be running
        return True

    @property
    def task(self) -> int:
        """The latest task id (0 before the first task)."""
        return self.latest.current

    def _queue(
        self, kind: str, stay: Stay, template: Template, key: str, settings: EngineSettings, narrative: str = FROM_MODEL
    ) -> int:
        if self._closed:
            raise RuntimeError("the model worker has been shut down")
        with self._lock:
            if self._cancel is not None:
                self._cancel.set()
            self._cancel = Cancel()
            job = _Job(self.latest.next(), kind, stay, template, key, settings, self._cancel, narrative)
        self._submit.emit(job)
        return job.task

    # -- on the worker thread -----------------------------------------------------

    @Slot(object)
    def _run(self, job: _Job) -> None:
        if self._closed:
            log.debug("task %d dropped: the worker is shutting down", job.task)
            return
        if not self.latest.is_latest(job.task):  # a newer task came before this one started
            self.failed.emit(job.task, self.tr("Replaced by a newer task before it started."))
            return
        stream = _Stream(self, job.task)
        try:
            engine = self._engine_for(job) if job.narrative == FROM_MODEL or job.kind != "draft" else None
            if job.kind == "draft":
                draft = draft_summary(
                    job.stay,
                    job.template,
                    engine,
                    on_progress=stream.progress,
                    on_token=stream.token,
                    cancel=job.cancel,
                    narrative=job.narrative,
                )
                stream.finish()
                self.draft_finished.emit(job.task, draft)
            else:
                section = regenerate_section(
                    job.stay,
                    job.template,
                    engine,
                    job.key,
                    on_progress=stream.progress,
                    on_token=stream.token,
                    cancel=job.cancel,
                )
                stream.finish()
                self.section_finished.emit(job.task, section)
        except (EngineError, TemplateProblem, RecordError) as exc:
            log.info("task %d failed: %s", job.task, type(exc).__name__)
            self.failed.emit(job.task, _one_line(str(exc)))
        except MemoryError:
            self._engine = self._engine_key = None  # give the memory back before the user tries again
            message = self.tr("Not enough memory for this model; choose a smaller model or a smaller context size.")
            self.failed.emit(job.task, message)
        except Exception as exc:  # a bug: say so, keep the worker alive
            log.exception("task %d: internal error", job.task)
            message = self.tr("Internal error: {kind}: {message}").format(kind=type(exc).__name__, message=exc)
            self.failed.emit(job.task, _one_line(message))

    def _engine_for(self, job: _Job) -> Engine:
        """The cached engine if model and settings are unchanged, else a new one. The new
        one is built first (for LocalEngine: the model's file read, no weights loaded), so
        a bad path fails without dropping a good engine; the old engine is released here,
        before the new one loads its weights."""
        settings = job.settings
        key = (settings.model_path, settings.threads, settings.context_cap, settings.gpu_layers)
        if settings.on_server:
            key = (settings.server_url, settings.server_model, settings.server_key)
        if self._engine is not None and key == self._engine_key:
            self.loading.emit(job.task, self._engine.name)
            return self._engine
        engine = self._engine_factory(settings)
        self.loading.emit(job.task, engine.name)
        _release(self._engine)
        self._engine = self._engine_key = None
        self._engine, self._engine_key = engine, key
        log.info(
            "engine for %s (threads=%s, context cap=%s, gpu layers=%d)",
            engine.name,
            settings.threads,
            settings.context_cap,
            settings.gpu_layers,
        )
        return engine


def _release(engine: Engine | None) -> None:
    """Close what an engine holds open (a server engine's kept-alive connection)."""
    close = getattr(engine, "close", None)
    if close is not None:
        close()


def _one_line(message: str) -> str:
    return " ".join(message.split()) or "unknown error"
