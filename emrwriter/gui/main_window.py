"""The main window: record | draft | evidence side by side, and the doctor's whole
errand (open, draft, review, edit, export) in the toolbar. It only routes: the
record, drafting, storing and exporting are core functions; the model runs on the
worker's thread and the window listens to its signals, never blocking on it."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QByteArray, QLocale, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyle,
    QToolBar,
    QWidget,
)

from .. import __version__
from ..checks.findings import Finding
from ..checks.review import CheckedSection, DraftReview
from ..drafting.draft import Draft, DraftSection
from ..engine.base import LOADING, READING, WAITING, Progress
from ..export.docx_writer import ExportError
from ..records.model import Record, RecordError
from ..records.stay import Stay
from ..store import Store, StoreError
from ..templates import Template, TemplateProblem, format_when
from ..workflow import (
    FROM_MODEL,
    FROM_RECORD,
    NARRATIVE_AUTO,
    available_templates,
    choose_narrative,
    choose_stay,
    data_previews,
    default_model_path,
    default_template_name,
    export_draft,
    load_template,
    plan_export,
    stay_facts,
    table_text,
    template_name_for,
)
from .app import GuiThreadCollector
from .draft_panel import DraftPanel, HistoryDialog
from .evidence_panel import EvidencePanel
from .findings_panel import FindingsPanel
from .i18n import CHINESE, ENGLISH, SYSTEM
from .latest import LatestJobs
from .record_panel import LoadedCase, RecordPanel, case_key, load_case_job, split_case_key
from .settings import APPLICATION, ORGANIZATION, EngineSettings, load_ui_language, save_ui_language
from .worker import ModelWorker

log = logging.getLogger(__name__)

STYLE = """
QLabel#patientName { font-size: 16pt; font-weight: 600; }
QLabel#paneTitle { font-size: 13pt; font-weight: 600; }
QLabel#sectionTitle { font-weight: 600; }
QLabel#muted { color: #5f6670; }
QLabel#hint { color: #5f6670; font-size: 11pt; padding: 24px; }
QFrame#sectionCard { background: #ffffff; border: 1px solid #d9dde3; border-radius: 6px; }
QWidget#draftBody { background: transparent; }
QLabel#sectionHeading { font-size: 11pt; font-weight: 600; }
QLabel#badgeData, QLabel#badgeModel, QLabel#badgeEdited, QLabel#badgeIncomplete {
    border-radius: 7px; padding: 1px 7px; font-size: 8pt; font-weight: 600; }
QLabel#badgeData { background: #e3f0ff; color: #1d4f91; }
QLabel#badgeModel { background: #efe6fb; color: #5a2d91; }
QLabel#badgeEdited { background: #fff1d6; color: #8a5300; }
QLabel#badgeIncomplete { background: #fde3e1; color: #a1231b; }
QLabel#noteIncomplete { color: #a1231b; }
QLabel#draftNotes { color: #5f6670; padding: 6px; }
QPushButton#flatButton { border: 1px solid transparent; padding: 2px 8px; color: #1d4f91; background: transparent; }
QPushButton#flatButton:hover { border-color: #c9d3e0; background: #f2f6fb; }
QPushButton#flatButton:disabled { color: #a0a6ad; }
QTabWidget#itemTabs QTabBar::tab { padding: 4px 9px; }
"""


@dataclass
class Task:
    """What a worker task was started for, so its result lands in the right case even
    if the doctor has moved on (nothing the model wrote is silently dropped)."""

    kind: str  # "draft" | "regenerate"
    case_id: int
    encounter_id: str
    key: str = ""
    draft_id: int | None = None
    backup: DraftSection | None = None
    backup_edited: bool = False


class MainWindow(QMainWindow):
    """One window, one case at a time."""

    case_opened = Signal(str)  # path, once the record is shown
    case_failed = Signal(str)  # the message shown to the doctor
    draft_shown = Signal()  # a draft (new, stopped or restored) is on screen
    saved = Signal(str)  # a section's edit reached the store
    exported = Signal(str)  # path of the written .docx

    def __init__(self, store: Store, worker: ModelWorker | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        GuiThreadCollector.install()
        self.store = store
        self.settings = QSettings(ORGANIZATION, APPLICATION)
        self.engine_settings = EngineSettings.load()
        self._why_record: dict[int, str] = {}  # draft task -> why its narrative is from the record (automatic)
        self.worker = worker if worker is not None else ModelWorker()
        self.record: Record | None = None
        self.stay: Stay | None = None
        self.case_path: Path | None = None
        self.patient_id: str | None = None
        self.case_id: int | None = None
        self.draft: Draft | None = None
        self.draft_id: int | None = None
        self._task_id: int | None = None
        self._tasks: dict[int, Task] = {}
        self._loading = LatestJobs(self)  # opening a case off the GUI thread; the latest request wins
        self._store_warned = False
        self._diagnostics = None  # Help > Diagnostics, made on first use

        self.setWindowTitle("EMRWriter")
        self.setAcceptDrops(True)
        self.setStyleSheet(STYLE)
        self.record_panel = RecordPanel()
        self.draft_panel = DraftPanel()
        self.evidence = EvidencePanel()
        self.findings = FindingsPanel()
        self.right_split = QSplitter(Qt.Orientation.Vertical)  # what the checks found, above the evidence
        self.right_split.addWidget(self.findings)
        self.right_split.addWidget(self.evidence)
        self.right_split.setChildrenCollapsible(False)
        self.right_split.setSizes([260, 640])
        self.split = QSplitter(Qt.Orientation.Horizontal)
        for pane in (self.record_panel, self.draft_panel, self.right_split):
            self.split.addWidget(pane)
        self.split.setChildrenCollapsible(False)
        self.split.setSizes([470, 580, 430])
        self.setCentralWidget(self.split)

        self._make_actions()
        self._make_menus()
        self._make_toolbar()
        self._make_status_bar()
        self._connect()
        self._restore_layout()
        self._show_no_case()
        try:
            self.store.begin_session()
        except StoreError as exc:
            self._warn_store(exc)

    # --- building ---------------------------------------------------------------------

    def _make_actions(self) -> None:
        style = self.style()
        self.open_file_action = QAction(style.standardIcon(QStyle.StandardPixmap.SP_FileIcon), self.tr("Open &file…"), self)
        self.open_file_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_file_action.setToolTip(self.tr("Open one record file: FHIR JSON/NDJSON, C-CDA XML, a note or a lab CSV"))
        self.open_folder_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_DirOpenIcon), self.tr("Open f&older…"), self
        )
        self.open_folder_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.open_folder_action.setToolTip(self.tr("Open a folder holding one patient's records; every file in it is read"))
        self.draft_action = QAction(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), self.tr("&Draft"), self)
        self.draft_action.setShortcut(QKeySequence("Ctrl+R"))
        self.draft_action.setToolTip(self.tr("Draft the summary of the chosen stay with the chosen template and model (Ctrl+R)"))
        self.stop_action = QAction(style.standardIcon(QStyle.StandardPixmap.SP_MediaStop), self.tr("&Stop"), self)
        self.stop_action.setShortcuts([QKeySequence(Qt.Key.Key_Escape), QKeySequence("Ctrl+.")])
        self.stop_action.setToolTip(self.tr("Stop the model; what it wrote so far is kept and marked incomplete (Esc)"))
        self.export_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton), self.tr("&Export to Word…"), self
        )
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.setToolTip(self.tr("Save the draft, with your edits, as a Word document (Ctrl+E)"))
        self.comments_action = QAction(self.tr("Add open findings to the Word file as &comments"), self, checkable=True)
        self.comments_action.setChecked(self.settings.value("export/comments", True, type=bool))
        self.comments_action.setToolTip(self.tr("Exported documents carry the checks' findings as Word comments on the words"))
        self.models_action = QAction(self.tr("&Model…"), self)
        self.models_action.setToolTip(self.tr("Choose the language model and how it runs"))
        self.quit_action = QAction(self.tr("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.about_action = QAction(self.tr("&About EMRWriter"), self)
        self.diagnostics_action = QAction(self.tr("&Diagnostics…"), self)
        self.diagnostics_action.setToolTip(self.tr("Check this computer: model, templates, store, fonts, display"))
        self.forget_action = QAction(self.tr("&Forget this case…"), self)
        self.forget_action.setToolTip(self.tr("Delete every draft and version of this case that EMRWriter keeps"))
        self.export_log_action = QAction(self.tr("Export &log…"), self)
        self.export_log_action.setToolTip(self.tr("Who exported which case's draft, and when (no patient text)"))

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addAction(self.open_file_action)
        file_menu.addAction(self.open_folder_action)
        self.recent_menu = QMenu(self.tr("Open &recent"), self)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.comments_action)
        file_menu.addAction(self.export_log_action)
        file_menu.addSeparator()
        file_menu.addAction(self.forget_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        draft_menu = bar.addMenu(self.tr("&Draft"))
        draft_menu.addAction(self.draft_action)
        draft_menu.addAction(self.stop_action)
        settings_menu = bar.addMenu(self.tr("&Settings"))
        settings_menu.addAction(self.models_action)
        language_menu = settings_menu.addMenu(self.tr("&Language"))
        self.language_group = QActionGroup(self)
        saved = load_ui_language() or SYSTEM
        for code, name in ((SYSTEM, self.tr("System")), (CHINESE, "中文"), (ENGLISH, "English")):
            action = QAction(name, self, checkable=True)
            action.setData(code)
            action.setChecked(code == saved)
            self.language_group.addAction(action)
            language_menu.addAction(action)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.diagnostics_action)
        help_menu.addAction(self.about_action)
        self._refresh_recent_menu()

    def _make_toolbar(self) -> None:
        bar = QToolBar(self.tr("Main"))
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(bar)
        bar.addAction(self.open_folder_action)
        bar.addAction(self.open_file_action)
        bar.addSeparator()
        label = QLabel(self.tr("Template:"))
        label.setContentsMargins(6, 0, 4, 0)
        bar.addWidget(label)
        self.template_combo = QComboBox()
        self.template_combo.setToolTip(self.tr("The kind of document to draft"))
        for name in available_templates():
            try:
                template = load_template(name)
            except TemplateProblem as exc:
                log.warning("template %s not offered: %s", name, exc)
                continue
            self.template_combo.addItem(template.title, name)
            self.template_combo.setItemData(self.template_combo.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
        bar.addWidget(self.template_combo)
        # Until a record says otherwise, the template follows the interface language.
        self._select_template(default_template_name("zh" if QLocale().name().startswith("zh") else "en"))
        self.model_button = QPushButton()
        self.model_button.setToolTip(self.tr("The model that writes the narrative sections; click to choose another"))
        self.model_button.setFlat(True)
        self.model_button.clicked.connect(self.choose_model)
        bar.addWidget(self.model_button)
        self.narrative_combo = QComboBox()
        self.narrative_combo.setToolTip(
            self.tr(
                "Who writes the narrative sections (hospital course, condition at discharge): the model, from the record and "
                "the stay's timeline; or the record itself, the timeline's sentences, each cited (no model: a draft in seconds)"
            )
        )
        self.narrative_combo.addItem(self.tr("Narrative: automatic"), NARRATIVE_AUTO)
        self.narrative_combo.addItem(self.tr("Narrative: by the model"), FROM_MODEL)
        self.narrative_combo.addItem(self.tr("Narrative: from the record"), FROM_RECORD)
        saved = QSettings().value("drafting/narrative", NARRATIVE_AUTO)
        self.narrative_combo.setCurrentIndex(max(0, self.narrative_combo.findData(saved)))
        self.narrative_combo.currentIndexChanged.connect(
            lambda _: QSettings().setValue("drafting/narrative", self.narrative_combo.currentData())
        )
        bar.addWidget(self.narrative_combo)
        bar.addSeparator()
        bar.addAction(self.draft_action)
        bar.addAction(self.stop_action)
        bar.addSeparator()
        bar.addAction(self.export_action)

    def _make_status_bar(self) -> None:
        status = self.statusBar()
        self.progress_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.speed_label = QLabel()
        self.speed_label.setToolTip(self.tr("How fast the model wrote the last section"))
        self.model_label = QLabel()
        self.model_label.setToolTip(self.tr("The model used for drafting"))
        status.addWidget(self.progress_label, 1)
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.speed_label)
        status.addPermanentWidget(self.model_label)
        self.progress.hide()
        self._show_model_name()

    def _connect(self) -> None:
        self.open_file_action.triggered.connect(self.open_file_dialog)
        self.open_folder_action.triggered.connect(self.open_folder_dialog)
        self.draft_action.triggered.connect(self.start_draft)
        self.stop_action.triggered.connect(self.stop)
        self.export_action.triggered.connect(self.export_docx)
        self.forget_action.triggered.connect(self.forget_case)
        self.export_log_action.triggered.connect(self.show_export_log)
        self.models_action.triggered.connect(self.choose_model)
        self.quit_action.triggered.connect(self.close)
        self.about_action.triggered.connect(self.about)
        self.diagnostics_action.triggered.connect(self.show_diagnostics)
        self.language_group.triggered.connect(self._language_chosen)
        self.record_panel.encounter_changed.connect(self._encounter_chosen)
        self.record_panel.recent_chosen.connect(self.open_case_key)
        self.record_panel.item_selected.connect(self.evidence.show_item)
        self.record_panel.problem_selected.connect(self.evidence.show_problem)
        self.draft_panel.text_committed.connect(self._save_text)
        self.draft_panel.regenerate_requested.connect(self.regenerate)
        self.draft_panel.history_requested.connect(self.show_history)
        self.draft_panel.sources_requested.connect(self._show_section_sources)
        self.draft_panel.text_committed.connect(lambda *_: self._review())
        self.draft_shown.connect(lambda: self._review(at_once=True))
        self.findings.review_ready.connect(self.draft_panel.show_review)
        self.findings.finding_chosen.connect(self._show_finding)
        self._loading.settled.connect(self._load_settled)
        self._loading.finished.connect(self._load_finished)
        self.comments_action.toggled.connect(lambda on: self.settings.setValue("export/comments", on))
        w, queued = self.worker, Qt.ConnectionType.QueuedConnection  # emitted on the model's thread
        w.loading.connect(self._on_loading, queued)
        w.progress.connect(self._on_progress, queued)
        w.token.connect(self._on_token, queued)
        w.draft_finished.connect(self._on_draft_finished, queued)
        w.section_finished.connect(self._on_section_finished, queued)
        w.failed.connect(self._on_failed, queued)

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            screen = QGuiApplication.primaryScreen()
            area = screen.availableGeometry() if screen else None
            width, height = (min(1480, area.width() - 40), min(900, area.height() - 60)) if area else (1480, 900)
            self.resize(width, height)
        for key, splitter in self._splitters().items():
            state = self.settings.value(key)
            if isinstance(state, QByteArray) and not state.isEmpty():
                splitter.restoreState(state)

    def _splitters(self) -> dict[str, QSplitter]:
        return {
            "window/splitter": self.split,
            "window/record_splitter": self.record_panel.split,
            "window/evidence_splitter": self.evidence.split,
            "window/right_splitter": self.right_split,
        }

    # --- opening ----------------------------------------------------------------------

    def open_file_dialog(self) -> None:
        start = self.settings.value("paths/open_dir", str(Path.home()))
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Open a record file"),
            start,
            self.tr("Records (*.json *.ndjson *.xml *.txt *.md *.csv *.tsv *.docx *.pdf);;All files (*)"),
        )
        if path:
            self.settings.setValue("paths/open_dir", str(Path(path).parent))
            self.open_path(Path(path))

    def open_folder_dialog(self) -> None:
        start = self.settings.value("paths/open_dir", str(Path.home()))
        path = QFileDialog.getExistingDirectory(self, self.tr("Open a patient's folder"), start)
        if path:
            self.settings.setValue("paths/open_dir", str(Path(path).parent))
            self.open_path(Path(path))

    def open_path(self, path: Path, patient_id: str | None = None) -> None:
        """Import a case off the GUI thread; ``case_opened`` or ``case_failed`` follows."""
        if not self._may_leave_case():
            return
        self.draft_panel.flush_all()  # the open draft's last keystrokes, before anything else happens
        path = Path(path).expanduser().resolve()
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        self.progress_label.setText(self.tr("Opening {name}…").format(name=path.name))
        self._loading.start(lambda: load_case_job(path, patient_id))

    def _load_settled(self, *_outcome) -> None:
        """Every request that ends, the latest or an older one (whose case is not shown)."""
        QApplication.restoreOverrideCursor()
        self.progress_label.clear()

    def _load_finished(self, loaded: LoadedCase) -> None:
        if loaded.patients:
            self._choose_patient(loaded.path, loaded.patients)
        elif loaded.record is None:
            self._case_failed(loaded.error)
        else:
            self._case_loaded(loaded.path, loaded.patient_id, loaded.record)

    def _choose_patient(self, path: Path, found: list[tuple[str, str]]) -> None:
        unknown = self.tr("name unknown")
        labels = [f"{name or unknown} ({pid})" for pid, name in found]
        choice, ok = QInputDialog.getItem(
            self,
            self.tr("Choose the patient"),
            self.tr("These files hold {n} patients. Whose record do you want to open?").format(n=len(found)),
            labels,
            0,
            False,
        )
        if ok:
            self.open_path(path, found[labels.index(choice)][0])

    def _case_failed(self, message: str) -> None:
        log.info("import failed")
        self.statusBar().showMessage(self.tr("The record could not be opened."), 8000)
        QMessageBox.warning(self, self.tr("Cannot open the record"), message)
        self.case_failed.emit(message)

    def _case_loaded(self, path: Path, patient_id: str | None, record: Record) -> None:
        self.draft_panel.flush_all()
        self.record, self.case_path, self.patient_id = record, path, patient_id
        self.draft, self.draft_id = None, None
        label = record.patient.name or path.name
        stored = None
        try:
            self.case_id = self.store.open_case(case_key(path, patient_id), label)
            stored = self.store.latest_draft(self.case_id)
        except StoreError as exc:
            self.case_id = None
            self._warn_store(exc)
        wanted = stored.encounter_id if stored and any(e.id == stored.encounter_id for e in record.encounters) else None
        try:
            stay = choose_stay(record, wanted)
        except RecordError:
            stay = None  # no inpatient stay: the doctor chooses an encounter
        self.evidence.set_record(record)
        self.record_panel.set_record(record, stay)
        self._select_template(stored.draft.template if stored else template_name_for(record))
        self.stay = stay
        if stored is not None and stay is not None and stored.encounter_id == stay.encounter.id:
            self._show_stored(stored)
        else:
            self._show_no_draft()
        self.setWindowTitle(f"{label} — EMRWriter")
        self._refresh_recent_menu()
        self._update_actions()
        counts = record.counts()
        self.statusBar().showMessage(
            self.tr("Opened — files: {files} · documents: {docs} · results: {obs} · import problems: {problems}").format(
                files=len(record.sources), docs=counts["documents"], obs=counts["observations"], problems=len(record.problems)
            ),
            8000,
        )
        log.info("case opened: %s", counts)
        self.case_opened.emit(str(path))

    def _encounter_chosen(self, encounter_id: str) -> None:
        if self.record is None:
            return
        if self._busy():
            QMessageBox.information(self, self.tr("Drafting"), self.tr("Stop drafting before choosing another stay."))
            self.record_panel.set_stay(self.stay)
            return
        self.draft_panel.flush_all()
        self.stay = choose_stay(self.record, encounter_id)
        self.record_panel.set_stay(self.stay)
        self.evidence.clear()
        stored = self.store.latest_draft(self.case_id) if self.case_id is not None else None
        if stored is not None and stored.encounter_id == encounter_id:
            self._show_stored(stored)
        else:
            self._show_no_draft()
        self._update_actions()

    def _may_leave_case(self) -> bool:
        if not self._busy():
            return True
        answer = QMessageBox.question(
            self,
            self.tr("Drafting in progress"),
            self.tr("The model is still writing. Stop it and open another case? What it wrote so far is saved."),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.worker.stop()
        self._end_progress()  # its result still lands in its own case (see Task)
        return True

    # --- drag and drop ----------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        if len(paths) > 1:
            self.statusBar().showMessage(
                self.tr("Several items dropped: opening the first; drop a folder to open them together."), 8000
            )
        self.open_path(paths[0])

    # --- recent cases and recovery ----------------------------------------------------

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        try:
            cases = self.store.recent_cases(10)
        except StoreError as exc:
            self._warn_store(exc)
            cases = []
        entries = []
        for row in cases:
            path, _ = split_case_key(row.path)
            label = f"{row.label} — {path.name}"
            action = self.recent_menu.addAction(label)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.setData(row.path)
            action.triggered.connect(self._recent_action)
            entries.append((label, row.path, f"{path}\n{format_when(row.opened_at)}"))
        self.record_panel.set_recent(entries)
        if not cases:
            empty = self.recent_menu.addAction(self.tr("No recent cases"))
            empty.setEnabled(False)

    def _recent_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.open_case_key(action.data())

    def open_case_key(self, key: str) -> None:
        """Open a case the store knows, by its key (path, and patient for multi-patient exports)."""
        path, patient = split_case_key(key)
        self.open_path(path, patient)

    def offer_recovery(self) -> bool:
        """After a crash or kill: offer to reopen the case the doctor was editing; True if it is being reopened."""
        reopened = False
        try:
            sessions = self.store.unclean_sessions()
        except StoreError as exc:
            self._warn_store(exc)
            return False
        drafts = [d for s in sessions for d in s.drafts]
        if drafts:
            latest = max(drafts, key=lambda d: d.last_edit_at)
            text = self.tr("EMRWriter did not close properly last time. Restore the work from {time}?").format(
                time=format_when(latest.last_edit_at)
            )
            detail = self.tr("{patient}: edited {sections}").format(
                patient=latest.case_label, sections=", ".join(latest.headings)
            )
            answer = QMessageBox.question(self, self.tr("Restore your work"), f"{text}\n\n{detail}")
            if answer == QMessageBox.StandardButton.Yes:
                row = next((c for c in self.store.recent_cases(1000) if c.id == latest.case_id), None)
                if row is not None:
                    path, patient = split_case_key(row.path)
                    self.open_path(path, patient)
                    reopened = True
        for session in sessions:
            self.store.acknowledge(session.id)
        return reopened

    # --- the draft on screen ----------------------------------------------------------

    def _show_no_case(self) -> None:
        self.draft_panel.show_hint(
            self.tr(
                "Open a patient's record to begin:\nFile ▸ Open folder… (Ctrl+Shift+O), File ▸ Open file… (Ctrl+O),\n"
                "or drop a file or folder onto this window."
            )
        )
        self._update_actions()

    def _show_no_draft(self) -> None:
        self.draft, self.draft_id = None, None
        self.findings.clear()
        if self.stay is None:
            self.draft_panel.show_hint(
                self.tr("This record has no inpatient stay.\nChoose the encounter to summarise on the left.")
            )
        else:
            self.draft_panel.show_hint(
                self.tr(
                    "No draft for this stay yet.\nChoose a template and press Draft (Ctrl+R).\n\n"
                    "Sections marked “data” are filled exactly from the record;\n"
                    "sections marked “model” are written by the language model for you to check."
                )
            )

    def _show_stored(self, stored) -> None:
        self.draft, self.draft_id = stored.draft, stored.id
        self.draft_panel.show_draft(stored.draft, stored.edited)
        self.draft_shown.emit()

    def _select_template(self, name: str) -> None:
        index = self.template_combo.findData(name)
        if index >= 0:
            self.template_combo.setCurrentIndex(index)

    # --- the checks -------------------------------------------------------------------

    def _checked_sections(self) -> list[CheckedSection]:
        tables = {s.key: s.table for s in self.draft.sections} if self.draft is not None else {}
        return [
            CheckedSection(e.key, e.heading, e.text(), e.origin, table_text(tables.get(e.key)))
            for e in self.draft_panel.editors.values()
        ]

    def _draft_template(self) -> Template | None:
        try:
            return load_template(self.draft.template) if self.draft is not None else None
        except TemplateProblem:
            return None  # checked without the template's required items; the export says why

    def _review(self, at_once: bool = False) -> None:
        """Check the draft on screen against the record (after a pause in typing)."""
        if self.draft is None or self.stay is None or self._busy():
            return
        self.findings.request(self.stay, self._checked_sections(), self._draft_template(), at_once)

    def _current_review(self) -> DraftReview | None:
        if self.draft is None or self.stay is None:
            return None
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        try:
            return self.findings.current(self.stay, self._checked_sections(), self._draft_template())
        finally:
            QApplication.restoreOverrideCursor()

    def _show_finding(self, key: str, finding: Finding) -> None:
        if key:
            self.draft_panel.select(key, finding.start, finding.end)
        if finding.evidence is not None:
            self.evidence.title.setText(self.tr("Evidence for the finding"))
            self.evidence.show_provenance(finding.evidence.source)
        else:
            self.evidence.clear()
            self.evidence.where.setText(self.tr("Nothing in the record supports these words."))

    def _show_section_sources(self, key: str) -> None:
        editor = self.draft_panel.editors.get(key)
        if editor is not None and self.record is not None and self.draft is not None:  # not while drafting
            self.evidence.show_sources(editor.heading, editor.sources)

    # --- drafting ---------------------------------------------------------------------

    def _busy(self) -> bool:
        return self._task_id is not None

    def _update_actions(self) -> None:
        busy = self._busy()
        self.draft_action.setEnabled(self.stay is not None and not busy)
        self.stop_action.setEnabled(busy)
        self.export_action.setEnabled(self.draft_id is not None and not busy)
        self.forget_action.setEnabled(self.case_id is not None and not busy)
        self.template_combo.setEnabled(not busy)
        self.model_button.setEnabled(not busy)
        self.models_action.setEnabled(not busy)

    def start_draft(self) -> None:
        if self.stay is None or self._busy() or self.case_id is None:
            return
        edited = [e.heading for e in self.draft_panel.editors.values() if e.is_edited()]
        if edited and self.draft_id is not None:
            answer = QMessageBox.question(
                self,
                self.tr("Draft again"),
                self.tr(
                    "You edited {sections}. A new draft replaces this one on screen; "
                    "the edited draft stays saved in the database. Draft again?"
                ).format(sections=", ".join(edited)),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.draft_panel.flush_all()
        template = self._template()
        if template is None:
            return
        self.draft_panel.start_skeleton(template, self._previews(template))
        self.draft, self.draft_id = None, None
        self.findings.clear()
        self.findings.summary.setText(self.tr("The draft is checked against the record as soon as the model has finished."))
        self.evidence.clear()
        settings = self.engine_settings
        local = None if settings.on_server else (Path(settings.model_path) if settings.model_path else default_model_path())
        narrative, why = choose_narrative(self.narrative_combo.currentData(), local, template.language)
        task = self.worker.start_draft(self.stay, template, settings, narrative)
        if why:  # said now, and kept with the draft's notes
            self.statusBar().showMessage(why, 15000)
            self._why_record[task] = why
        self._tasks[task] = Task("draft", self.case_id, self.stay.encounter.id)
        self._task_id = task
        self._begin_progress(self.tr("Starting the model…") if narrative == FROM_MODEL else self.tr("Writing from the record…"))
        log.info("draft task %d started with template %s", task, template.name)

    def regenerate(self, key: str) -> None:
        if self._busy() or self.draft is None or self.draft_id is None or self.stay is None:
            return
        editor = self.draft_panel.editors[key]
        editor.flush()
        try:
            template = load_template(self.draft.template)
        except TemplateProblem as exc:
            QMessageBox.warning(self, self.tr("Template problem"), str(exc))
            return
        backup = DraftSection(
            key, editor.heading, editor.text(), editor.origin, editor.sources, None, editor.complete, editor.note
        )
        backup.table = next((s.table for s in self.draft.sections if s.key == key), None)
        self.draft_panel.begin_regenerate(key)
        task = self.worker.regenerate(self.stay, template, key, self.engine_settings)
        self._tasks[task] = Task(
            "regenerate", self.case_id, self.stay.encounter.id, key, self.draft_id, backup, editor.is_edited()
        )
        self._task_id = task
        self._begin_progress(self.tr("Starting the model…"))

    def stop(self) -> None:
        if self._busy():
            self.worker.stop()
            self.progress_label.setText(self.tr("Stopping…"))

    def _template(self) -> Template | None:
        name = self.template_combo.currentData()
        try:
            return load_template(name)
        except TemplateProblem as exc:
            QMessageBox.warning(self, self.tr("Template problem"), str(exc))
            return None

    def _previews(self, template: Template) -> dict[str, str]:
        """The data sections while the model works: the same template blocks the pipeline renders."""
        try:
            panel = self.record_panel  # the facts the record pane already read for this stay
            facts = panel.facts if panel.stay is self.stay and panel.facts is not None else stay_facts(self.stay)
            return data_previews(template, facts)
        except TemplateProblem as exc:
            log.warning("no preview: %s", exc)
            return {}

    def _begin_progress(self, text: str) -> None:
        self.statusBar().clearMessage()  # a passing message would hide the progress until it times out
        self.progress.setRange(0, 0)
        self.progress.show()
        self.progress_label.setText(text)
        self._update_actions()

    def _end_progress(self, text: str = "") -> None:
        self._task_id = None
        self.progress.hide()
        self.progress_label.setText(text)
        self._update_actions()

    def _on_loading(self, task: int, name: str) -> None:
        if task != self._task_id:
            return
        self.progress.setRange(0, 0)
        self.progress_label.setText(self.tr("Loading the model {name}…").format(name=name))

    def _on_progress(self, task: int, p: Progress) -> None:
        if task != self._task_id:
            return
        if p.phase == LOADING:
            self.progress.setRange(0, 0)
            self.progress_label.setText(self.tr("Loading the model…"))
        elif p.phase == WAITING:
            self.progress.setRange(0, 0)
            self.progress_label.setText(
                self.tr("{section}: waiting for the server ({total} prompt tokens)").format(section=p.label, total=p.total)
            )
        elif p.phase == READING:
            self.progress.setRange(0, max(p.total, 1))
            self.progress.setValue(p.done)
            self.progress_label.setText(
                self.tr("Reading the record: {done} of {total} tokens").format(done=p.done, total=p.total)
            )
        else:
            self.progress.setRange(0, max(p.total, 1))
            self.progress.setValue(min(p.done, p.total))
            self.progress_label.setText(
                self.tr("Writing {section}: {n} tokens, {speed:.1f} tokens/s, {elapsed}").format(
                    section=p.label, n=p.done, speed=p.tokens_per_second, elapsed=_elapsed(p.elapsed)
                )
            )
            self.speed_label.setText(self.tr("{speed:.1f} tokens/s").format(speed=p.tokens_per_second))

    def _on_token(self, task: int, key: str, text: str) -> None:
        if task == self._task_id:
            self.draft_panel.append_token(key, text)

    def _on_draft_finished(self, task: int, draft: Draft) -> None:
        info = self._tasks.pop(task, None)
        if info is None:
            return
        if task in self._why_record:
            draft.problems.insert(0, self._why_record.pop(task))
        draft_id = None
        try:
            draft_id = self.store.save_draft(info.case_id, draft, info.encounter_id)
        except StoreError as exc:
            self._warn_store(exc)
        if task != self._task_id:
            return  # the doctor moved on; the draft is saved with its case
        self.draft, self.draft_id = draft, draft_id
        self.draft_panel.show_draft(draft)
        seconds = draft.stats.wall_seconds
        if draft.cancelled:
            done = self.tr("Stopped. What was written is kept; unfinished sections are marked incomplete.")
        else:
            done = self.tr("Draft ready in {elapsed}. Check the model's sections against the sources.").format(
                elapsed=_elapsed(float(seconds))
            )
        self._end_progress()
        self.statusBar().showMessage(done, 15000)
        self.draft_shown.emit()

    def _on_section_finished(self, task: int, section: DraftSection) -> None:
        info = self._tasks.pop(task, None)
        if info is None or info.kind != "regenerate":
            return
        keep_old = not section.complete and not section.text.strip() and info.backup is not None
        if keep_old:  # stopped before writing anything: the doctor's text stays
            section = info.backup
        else:
            try:
                self.store.update_model_text(info.draft_id, section.key, section.text, section.complete, section.note)
            except (StoreError, KeyError) as exc:
                self._warn_store(exc)
        if task != self._task_id:
            return
        if self.draft is not None:
            self.draft.sections = [section if s.key == section.key else s for s in self.draft.sections]
        self.draft_panel.finish_section(section, edited=keep_old and info.backup_edited)
        self._end_progress()
        self.statusBar().showMessage(self.tr("“{heading}” written again.").format(heading=section.heading), 8000)
        self.draft_shown.emit()

    def _on_failed(self, task: int, message: str) -> None:
        info = self._tasks.pop(task, None)
        if info is None or task != self._task_id:
            return
        self._end_progress()
        log.warning("task %d failed", task)
        if info.kind == "regenerate" and info.backup is not None:
            self.draft_panel.finish_section(info.backup, edited=info.backup_edited)
        else:
            stored = self.store.latest_draft(self.case_id) if self.case_id is not None else None
            if stored is not None and self.stay is not None and stored.encounter_id == self.stay.encounter.id:
                self._show_stored(stored)
            else:
                self._show_no_draft()
        QMessageBox.warning(self, self.tr("The model could not write"), message)

    # --- editing ----------------------------------------------------------------------

    def _save_text(self, key: str, text: str) -> None:
        if self.draft_id is None:
            return
        try:
            self.store.save_text(self.draft_id, key, text)
        except (StoreError, KeyError) as exc:
            self._warn_store(exc)
            return
        self.saved.emit(key)

    def show_history(self, key: str) -> None:
        if self.draft_id is None:
            return
        editor = self.draft_panel.editors[key]
        editor.flush()
        versions = list(reversed(self.store.history(self.draft_id, key)))
        dialog = HistoryDialog(editor.heading, versions, self)
        if not dialog.exec() or dialog.chosen_version() is None:
            return
        self.restore_version(key, dialog.chosen_version().id)

    def restore_version(self, key: str, version_id: int) -> None:
        self.store.restore(self.draft_id, key, version_id)
        versions = self.store.history(self.draft_id, key)
        current = versions[-1].text
        machine = next((v.text for v in reversed(versions) if v.kind in ("model", "data")), current)
        editor = self.draft_panel.editors[key]
        editor.set_text(current)
        editor.set_edited(current != machine)
        self.statusBar().showMessage(self.tr("Earlier version of “{heading}” restored.").format(heading=editor.heading), 8000)

    # --- export -----------------------------------------------------------------------

    def export_docx(self) -> None:
        if self.draft_id is None or self._busy():
            return
        self.draft_panel.flush_all()
        try:
            draft = self.store.load_draft(self.draft_id)
        except (StoreError, KeyError) as exc:
            self._warn_store(exc)
            return
        review = self._current_review()
        plan = plan_export(draft, review, comments=self.comments_action.isChecked())
        if plan.incomplete:
            answer = QMessageBox.warning(
                self,
                self.tr("The draft is incomplete"),
                self.tr(
                    "These sections are incomplete: {sections}.\nThey will be marked so in the document. Export anyway?"
                ).format(sections=", ".join(section.heading for section in plan.incomplete)),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        high = plan.high
        if high:
            listed = "\n".join(f"• {finding.message}" for _, finding in high[:8])
            more = "\n" + self.tr("… and {n} more").format(n=len(high) - 8) if len(high) > 8 else ""
            answer = QMessageBox.warning(
                self,
                self.tr("Unresolved findings"),
                self.tr("{n} high-severity findings are unresolved:\n{findings}{more}\n\nExport anyway?").format(
                    n=len(high), findings=listed, more=more
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        folder = Path(self.settings.value("paths/export_dir", str(_documents_dir())))
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export to Word"), str(folder / self._export_name(draft)), self.tr("Word documents (*.docx)")
        )
        if not chosen:
            return
        out = Path(chosen)
        if out.suffix.lower() != ".docx":
            out = out.with_name(out.name + ".docx")
            if out.exists():  # the dialog confirmed another name; ask about this one
                answer = QMessageBox.question(
                    self, self.tr("Replace file?"), self.tr("{name} exists. Replace it?").format(name=out.name)
                )
                if answer != QMessageBox.StandardButton.Yes:
                    return
        try:
            key = case_key(self.case_path, self.patient_id) if self.case_path else ""
            export_draft(
                draft, out, plan, force=True, case_key=key, case_id=self.case_id, face="app"
            )  # the dialog asked before replacing
        except ExportError as exc:
            QMessageBox.warning(self, self.tr("Export failed"), str(exc))
            return
        self.settings.setValue("paths/export_dir", str(out.parent))
        log.info("exported a draft")
        self.exported.emit(str(out))
        answer = QMessageBox.question(self, self.tr("Exported"), self.tr("Saved as {name}.\nOpen it now?").format(name=out.name))
        if answer == QMessageBox.StandardButton.Yes:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(out)))

    def _export_name(self, draft: Draft) -> str:
        name = self.record.patient.name if self.record and self.record.patient.name else self.tr("patient")
        when = self.stay.encounter.end.date() if self.stay and self.stay.encounter.end else date.today()
        return _safe_filename(f"{name} {draft.title} {when.isoformat()}") + ".docx"

    # --- what the app keeps ------------------------------------------------------------

    def forget_case(self) -> bool:
        from .privacy import forget_open_case

        return forget_open_case(self)

    def show_export_log(self) -> None:
        from .privacy import ExportLogDialog

        ExportLogDialog(self).exec()

    # --- settings ---------------------------------------------------------------------

    def choose_model(self) -> None:
        from .models_dialog import ModelsDialog

        dialog = ModelsDialog(self)
        if dialog.exec():
            self.engine_settings = EngineSettings.load()
            self._show_model_name()

    def _show_model_name(self) -> None:
        path = self.engine_settings.model_path or default_model_path()
        name = Path(path).stem if path else self.tr("no model installed")
        if self.engine_settings.on_server:  # drafts go to a shared server: name it and its model
            model = self.engine_settings.server_model or self.tr("its model")
            name = self.tr("{model} on {server}").format(model=model, server=self.engine_settings.server_url)
        self.model_label.setText(self.tr("Model: {name}").format(name=name))
        self.model_button.setText(self.tr("Model: {name}").format(name=_shorten(name, 28)) + " ▾")

    def _language_chosen(self, action: QAction) -> None:
        save_ui_language(action.data())
        QMessageBox.information(self, self.tr("Language"), self.tr("The new language is used the next time you start EMRWriter."))

    def about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About EMRWriter"),
            self.tr(
                "EMRWriter {version}\n\nDrafts discharge summaries from a patient's local records with a "
                "language model on this computer. Nothing leaves the machine.\n\n"
                "Every draft must be checked and signed by a doctor."
            ).format(version=__version__),
        )

    def show_diagnostics(self) -> None:
        """Help > Diagnostics: the checks of `emrwriter doctor`, run off the GUI thread, copyable."""
        from .diagnostics_dialog import DiagnosticsDialog

        if self._diagnostics is None:
            self._diagnostics = DiagnosticsDialog(self)
            self._diagnostics.start()
        self._diagnostics.show()
        self._diagnostics.raise_()

    def _warn_store(self, exc: Exception) -> None:
        log.error("store: %s", exc)
        self.statusBar().showMessage(self.tr("Could not save: {error}").format(error=exc), 15000)
        if not self._store_warned:
            self._store_warned = True
            QMessageBox.critical(
                self, self.tr("Saving failed"), self.tr("Your work could not be saved:\n{error}").format(error=exc)
            )

    # --- closing ----------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy():
            answer = QMessageBox.question(
                self, self.tr("Drafting in progress"), self.tr("The model is still writing. Stop it and quit?")
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.draft_panel.flush_all()
        self.settings.setValue("window/geometry", self.saveGeometry())
        for key, splitter in self._splitters().items():
            self.settings.setValue(key, splitter.saveState())
        self.settings.sync()
        self.findings.shutdown()
        self.worker.shutdown()
        try:
            self.store.end_session()
        except StoreError as exc:
            log.error("store: %s", exc)
        event.accept()


def _elapsed(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _safe_filename(text: str) -> str:
    return re.sub(r'[<>:"/\\|?*\x00-\x1f]+', "_", text).strip(" .") or "discharge-summary"


def _documents_dir() -> Path:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()
