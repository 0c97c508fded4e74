"""The record pane: who the patient is, which stay the summary is about, and what
was imported, as tables the doctor can scan; selecting a row shows its source.
Import problems are listed here, never hidden, because a silently missing note
is the worst kind of error in a summary."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..facts.stay import StayFacts
from ..records.model import Encounter, ImportProblem, Record, RecordError
from ..records.stay import HISTORY, LATER, STAY, Stay
from ..templates import format_when
from ..workflow import (
    build_timeline,
    inpatient_stays,
    open_case,
    patients_to_choose,
    prepare,
    record_language,
    reviewed_items,
    stay_facts,
)

log = logging.getLogger(__name__)

MUTED = QColor("#8a8f98")
ABNORMAL = QColor("#b3261e")


translate = QCoreApplication.translate


@dataclass(frozen=True)
class Column:
    title: str
    value: Callable[[object], str]


def _columns() -> dict[str, list[Column]]:
    """The columns of each tab (built after the translator is installed)."""
    c = Column

    return {
        "documents": [
            c(translate("RecordPanel", "Title"), lambda d: d.title or Path(d.provenance.file).name),
            c(translate("RecordPanel", "Type"), lambda d: document_kind_name(d.kind)),
            c(translate("RecordPanel", "Date"), lambda d: format_when(d.date)),
            c(translate("RecordPanel", "Author"), lambda d: d.author),
        ],
        "conditions": [
            c(translate("RecordPanel", "Diagnosis"), lambda x: x.name),
            c(translate("RecordPanel", "Role"), lambda x: role_name(x.role)),
            c(translate("RecordPanel", "Status"), lambda x: x.status),
            c(translate("RecordPanel", "Code"), lambda x: x.code),
            c(translate("RecordPanel", "Onset"), lambda x: format_when(x.onset)),
        ],
        "medications": [
            c(translate("RecordPanel", "Medication"), lambda x: x.name),
            c(translate("RecordPanel", "Dose"), lambda x: x.dose),
            c(translate("RecordPanel", "Route"), lambda x: x.route),
            c(translate("RecordPanel", "Frequency"), lambda x: x.frequency),
            c(translate("RecordPanel", "Role"), lambda x: role_name(x.role)),
            c(translate("RecordPanel", "Status"), lambda x: status_name(x.status)),
            c(translate("RecordPanel", "Start"), lambda x: format_when(x.start)),
        ],
        "observations": [
            c(translate("RecordPanel", "Test"), lambda x: x.name),
            c(translate("RecordPanel", "Result"), lambda x: x.value),
            c(translate("RecordPanel", "Unit"), lambda x: x.unit),
            c(translate("RecordPanel", "Reference range"), lambda x: x.reference_range),
            c(translate("RecordPanel", "Flag"), lambda x: x.flag),
            c(translate("RecordPanel", "Time"), lambda x: format_when(x.time)),
        ],
        "procedures": [
            c(translate("RecordPanel", "Procedure"), lambda x: x.name),
            c(translate("RecordPanel", "Code"), lambda x: x.code),
            c(translate("RecordPanel", "Date"), lambda x: format_when(x.date)),
        ],
        "timeline": [
            c(translate("RecordPanel", "Day"), lambda x: format_when(x.day)),
            c(translate("RecordPanel", "What"), lambda x: timeline_kind_name(x.kind)),
            c(translate("RecordPanel", "Entry"), lambda x: x.text),
        ],
        "allergies": [
            c(translate("RecordPanel", "Substance"), lambda x: x.substance),
            c(translate("RecordPanel", "Reaction"), lambda x: x.reaction),
            c(translate("RecordPanel", "Severity"), lambda x: x.severity),
            c(translate("RecordPanel", "Recorded"), lambda x: format_when(x.recorded)),
        ],
    }


def tab_titles() -> dict[str, str]:
    return {
        "documents": translate("RecordPanel", "Documents"),
        "conditions": translate("RecordPanel", "Diagnoses"),
        "medications": translate("RecordPanel", "Medications"),
        "observations": translate("RecordPanel", "Labs"),
        "procedures": translate("RecordPanel", "Procedures"),
        "allergies": translate("RecordPanel", "Allergies"),
        "timeline": translate("RecordPanel", "Timeline"),
    }


def timeline_kind_name(kind: str) -> str:
    return {
        "presentation": translate("RecordPanel", "presentation"),
        "admission_findings": translate("RecordPanel", "on admission"),
        "note": translate("RecordPanel", "note of the day"),
        "procedure": translate("RecordPanel", "procedure"),
        "medication": translate("RecordPanel", "medication"),
        "result": translate("RecordPanel", "result"),
        "consult": translate("RecordPanel", "consultation"),
        "discharge_state": translate("RecordPanel", "at discharge"),
    }.get(kind, kind)


def document_kind_name(kind: str) -> str:
    names = {
        "admission_note": translate("RecordPanel", "Admission note"),
        "first_progress_note": translate("RecordPanel", "First progress note"),
        "progress_note": translate("RecordPanel", "Progress note"),
        "operative_note": translate("RecordPanel", "Operative note"),
        "discharge_summary": translate("RecordPanel", "Discharge summary"),
        "discharge_orders": translate("RecordPanel", "Discharge orders"),
        "medication_list": translate("RecordPanel", "Medication list"),
        "orders": translate("RecordPanel", "Orders"),
        "summary": translate("RecordPanel", "Summary"),
        "note": translate("RecordPanel", "Note"),
    }
    return names.get(kind, kind)


def role_name(role: str) -> str:
    """What a diagnosis or a medication is to the stay (the fact layer's roles)."""
    return {
        "admission": translate("RecordPanel", "admission"),
        "discharge": translate("RecordPanel", "discharge"),
        "procedure": translate("RecordPanel", "post-operative"),
        "working": translate("RecordPanel", "working"),
        "history": translate("RecordPanel", "history"),
        "home": translate("RecordPanel", "home"),
        "inpatient": translate("RecordPanel", "inpatient"),
    }.get(role, role)


def status_name(status: str) -> str:
    """A medication's status at discharge (new / changed / continued / stopped) or the source's own."""
    return {
        "new": translate("RecordPanel", "new"),
        "changed": translate("RecordPanel", "changed"),
        "continued": translate("RecordPanel", "continued"),
        "stopped": translate("RecordPanel", "stopped"),
    }.get(status, status)


def sex_name(sex: str) -> str:
    return {
        "male": translate("RecordPanel", "male"),
        "female": translate("RecordPanel", "female"),
        "other": translate("RecordPanel", "other"),
    }.get(sex, translate("RecordPanel", "sex not recorded"))


def encounter_text(enc: Encounter) -> str:
    kinds = {
        "inpatient": translate("RecordPanel", "Inpatient stay"),
        "emergency": translate("RecordPanel", "Emergency visit"),
        "ambulatory": translate("RecordPanel", "Outpatient visit"),
    }
    kind = kinds.get(enc.kind, enc.type_text or translate("RecordPanel", "Encounter"))
    start, end = format_when(enc.start, "?"), format_when(enc.end, "?")
    if enc.start or enc.end:
        text = translate("RecordPanel", "{kind}: {start} – {end}").format(kind=kind, start=start, end=end)
    else:
        text = translate("RecordPanel", "{kind}, dates unknown").format(kind=kind)
    if enc.reason:
        text += f" · {enc.reason}"
    return text


def stay_label_name(label: str) -> str:
    return {
        STAY: translate("RecordPanel", "this stay"),
        HISTORY: translate("RecordPanel", "before"),
        LATER: translate("RecordPanel", "after"),
    }.get(label, label)


class RecordPanel(QWidget):
    """Patient header, encounter picker, item tabs and import problems."""

    encounter_changed = Signal(str)  # encounter id
    recent_chosen = Signal(str)  # a store case key (see case_key)
    item_selected = Signal(str, object)  # title, the item (a Document or a structured item)
    problem_selected = Signal(str, str)  # file, message

    KINDS = ("documents", "conditions", "medications", "observations", "procedures", "allergies", "timeline")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record: Record | None = None
        self.stay: Stay | None = None
        self._rows: dict[str, list[object]] = {kind: [] for kind in self.KINDS}
        self._labels: dict[str, list[str]] = {kind: [] for kind in self.KINDS}
        self.facts: StayFacts | None = None
        self._columns = _columns()

        self.name = QLabel(self.tr("No case open"))
        self.name.setObjectName("patientName")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel(self.tr("Open a patient's record file or folder (File ▸ Open), or drop it here."))
        self.details.setObjectName("muted")
        self.details.setWordWrap(True)

        self.encounter = QComboBox()
        self.encounter.setToolTip(self.tr("The stay the summary is about; inpatient stays are listed first"))
        self.encounter.setPlaceholderText(self.tr("Choose the stay to summarise"))
        self.encounter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.encounter.setMinimumContentsLength(20)
        self.encounter.activated.connect(self._encounter_activated)
        self.stay_label = stay_label = QLabel(self.tr("&Stay:"))
        stay_label.setBuddy(self.encounter)
        self.show_other = QCheckBox(self.tr("Show other encounters"))
        self.show_other.setToolTip(
            self.tr("Also list items from before or after this stay (history); they are not used as this stay's facts")
        )
        self.show_other.toggled.connect(self._apply_filter)

        self.tables: dict[str, QTableWidget] = {kind: self._make_table(kind) for kind in self.KINDS}
        self._build_items()
        self._build_problems()
        self._build_recent()

        picker = QHBoxLayout()
        picker.addWidget(stay_label)
        picker.addWidget(self.encounter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.name)
        layout.addWidget(self.details)
        layout.addLayout(picker)
        layout.addWidget(self.show_other)
        layout.addWidget(self.split, 1)
        layout.addWidget(self.problems_box)
        layout.addWidget(self.filler, 1)
        self._fill_problems([])
        self._set_enabled(False)

    # --- building ---------------------------------------------------------------------

    def _build_items(self) -> None:
        """Documents above, the structured items in tabs below, in a splitter the doctor can move."""
        self.documents_title = QLabel(self.tr("Documents"))
        self.documents_title.setObjectName("sectionTitle")
        documents_box = QWidget()
        documents_layout = QVBoxLayout(documents_box)
        documents_layout.setContentsMargins(0, 0, 0, 4)
        documents_layout.addWidget(self.documents_title)
        documents_layout.addWidget(self.tables["documents"])
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setObjectName("itemTabs")
        for kind in self.KINDS[1:]:
            self.tabs.addTab(self.tables[kind], tab_titles()[kind])

        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(documents_box)
        self.split.addWidget(self.tabs)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 3)
        self.split.setSizes([180, 460])
        self.split.setChildrenCollapsible(False)

    def _build_problems(self) -> None:
        """Below the items and never collapsed: what the importers could not use."""
        self.problems_title = QLabel(self.tr("Import problems"))
        self.problems_title.setObjectName("sectionTitle")
        self.problems = QListWidget()
        self.problems.setWordWrap(True)
        self.problems.setResizeMode(QListView.ResizeMode.Adjust)
        self.problems.setToolTip(self.tr("What could not be read from the record; check these before trusting the draft"))
        self.problems.currentRowChanged.connect(self._problem_chosen)
        self._problem_rows: list[ImportProblem] = []
        problems_box = QWidget()
        problems_layout = QVBoxLayout(problems_box)
        problems_layout.setContentsMargins(0, 4, 0, 0)
        problems_layout.addWidget(self.problems_title)
        problems_layout.addWidget(self.problems)
        self.problems_box = problems_box

    def _build_recent(self) -> None:
        """While no case is open, the pane offers the cases opened before, one click away."""
        self.filler = QWidget()
        self.filler.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.recent_title = QLabel(self.tr("Recent cases"))
        self.recent_title.setObjectName("sectionTitle")
        self.recent = QListWidget()
        self.recent.setObjectName("recentCases")
        self.recent.setToolTip(self.tr("Click a case to open it again, with its last draft"))
        self.recent.itemClicked.connect(self._recent_clicked)
        filler_layout = QVBoxLayout(self.filler)
        filler_layout.setContentsMargins(0, 16, 0, 0)
        filler_layout.addWidget(self.recent_title)
        filler_layout.addWidget(self.recent, 1)

    # --- filling ----------------------------------------------------------------------

    def set_record(self, record: Record, stay: Stay | None) -> None:
        """Show a freshly opened record; ``stay`` is the default (None when it has no inpatient stay)."""
        self.record = record
        self.name.setText(record.patient.name or self.tr("Name not recorded"))
        self.details.setText(self._patient_details(record))
        self.encounter.blockSignals(True)
        self.encounter.clear()
        stays = inpatient_stays(record)
        others = sorted((e for e in record.encounters if not e.is_inpatient), key=lambda e: str(e.start or ""), reverse=True)
        for enc in stays:
            self.encounter.addItem(encounter_text(enc), enc.id)
        if stays and others:
            self.encounter.insertSeparator(self.encounter.count())
        for enc in others:
            self.encounter.addItem(encounter_text(enc), enc.id)
        self.encounter.setCurrentIndex(-1)
        self.encounter.blockSignals(False)
        self._fill_problems(record.problems)
        self._set_enabled(True)
        self.set_stay(stay)

    def set_stay(self, stay: Stay | None) -> None:
        """Label every item against the chosen stay (or show everything when none is chosen)."""
        self.stay = stay
        self.facts = stay_facts(stay) if stay is not None else None
        if stay is not None:
            index = self.encounter.findData(stay.encounter.id)
            self.encounter.blockSignals(True)
            self.encounter.setCurrentIndex(index)
            self.encounter.blockSignals(False)
        for kind in self.KINDS:
            self._fill_table(kind)
        self._apply_filter()

    def clear(self) -> None:
        self.record, self.stay, self.facts = None, None, None
        self.name.setText(self.tr("No case open"))
        self.details.setText(self.tr("Open a patient's record file or folder (File ▸ Open), or drop it here."))
        self.encounter.clear()
        for kind in self.KINDS:
            self._rows[kind] = []
            self.tables[kind].setRowCount(0)
        self._fill_problems([])
        self._set_enabled(False)

    def set_recent(self, cases: list[tuple[str, str, str]]) -> None:
        """(label, case key, tooltip) of recently opened cases, newest first."""
        self.recent.clear()
        for label, key, tip in cases:
            entry = QListWidgetItem(label)
            entry.setData(Qt.ItemDataRole.UserRole, key)
            entry.setToolTip(tip)
            self.recent.addItem(entry)
        self.recent_title.setVisible(bool(cases))
        self.recent.setVisible(bool(cases))

    def _recent_clicked(self, entry: QListWidgetItem) -> None:
        self.recent_chosen.emit(entry.data(Qt.ItemDataRole.UserRole))

    def current_encounter_id(self) -> str:
        return self.encounter.currentData() or ""

    # --- internals --------------------------------------------------------------------

    def _set_enabled(self, enabled: bool) -> None:
        """Without a case the pane shows only the invitation to open one."""
        for widget in (self.encounter, self.show_other, self.split, self.problems_box, self.stay_label):
            widget.setVisible(enabled)
        self.filler.setVisible(not enabled)

    def _patient_details(self, record: Record) -> str:
        patient = record.patient
        parts = [sex_name(patient.sex)]
        if patient.birth_date:
            parts.append(self.tr("born {date}").format(date=format_when(patient.birth_date)))
        idents = [i.split("|")[-1] for i in patient.identifiers[:2]]
        if idents:
            parts.append(self.tr("ID {ids}").format(ids=", ".join(idents)))
        parts.append(self.tr("{n} source files").format(n=len(record.sources)))
        return " · ".join(parts)

    def _make_table(self, kind: str) -> QTableWidget:
        columns = self._columns[kind]
        table = QTableWidget(0, len(columns) + 1)
        table.setHorizontalHeaderLabels([col.title for col in columns] + [self.tr("Stay")])
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        table.setToolTip(self.tr("Select a row to see its source in the evidence pane"))
        table.itemSelectionChanged.connect(lambda k=kind: self._row_chosen(k))
        return table

    def _fill_table(self, kind: str) -> None:
        table = self.tables[kind]
        table.blockSignals(True)
        table.clearSelection()
        if kind == "timeline":  # the stay day by day, each entry with its source
            entries = build_timeline(self.facts, record_language(self.record)) if self.facts is not None else []
            rows = [(entry, STAY) for entry in entries]
        elif self.stay is not None and self.facts is not None:
            rows = reviewed_items(self.stay, self.facts, kind)  # the fact layer: what the draft will say
            order = {STAY: 0, LATER: 1, HISTORY: 2}
            rows.sort(key=lambda row: order.get(row[1], 3))  # stable: the facts' order within each
        else:
            rows = [(item, STAY) for item in getattr(self.record, kind)] if self.record else []
        items = [item for item, _ in rows]
        self._rows[kind] = items
        self._labels[kind] = [label for _, label in rows]
        columns = self._columns[kind]
        table.setRowCount(len(items))
        for row, item in enumerate(items):
            label = self._labels[kind][row]
            other = label != STAY and kind != "allergies"
            abnormal = kind == "observations" and item.flag and item.flag.upper() not in {"N", "NORMAL"}
            for col, column in enumerate(columns):
                cell = QTableWidgetItem(column.value(item) or "")
                cell.setToolTip(cell.text())
                if other:
                    cell.setForeground(QBrush(MUTED))
                elif abnormal and col in (1, 4):
                    cell.setForeground(QBrush(ABNORMAL))
                    font = QFont(cell.font())
                    font.setBold(True)
                    cell.setFont(font)
                table.setItem(row, col, cell)
            stay_cell = QTableWidgetItem(stay_label_name(label) if kind != "allergies" else self.tr("always"))
            if other:
                stay_cell.setForeground(QBrush(MUTED))
            table.setItem(row, len(columns), stay_cell)
        table.resizeColumnsToContents()
        for col in range(table.columnCount() - 1):
            table.setColumnWidth(col, min(table.columnWidth(col), 320))
        table.blockSignals(False)

    def _apply_filter(self) -> None:
        show_all = self.show_other.isChecked() or self.stay is None
        for kind in self.KINDS:
            table = self.tables[kind]
            shown = 0
            for row in range(len(self._rows[kind])):
                hidden = not show_all and kind != "allergies" and self._labels[kind][row] != STAY
                table.setRowHidden(row, hidden)
                shown += not hidden
            if kind == "documents":
                self.documents_title.setText(self.tr("Documents ({n})").format(n=shown))
            else:
                self.tabs.setTabText(self.tabs.indexOf(table), f"{tab_titles()[kind]} {shown}")

    def _fill_problems(self, problems: list[ImportProblem]) -> None:
        self._problem_rows = list(problems)
        self.problems.blockSignals(True)
        self.problems.clear()
        for problem in problems:
            mark = "⛔" if problem.severity == "error" else "⚠"
            entry = QListWidgetItem(f"{mark} {Path(problem.file).name}: {problem.message}")
            entry.setToolTip(f"{problem.file}\n{problem.message}")
            self.problems.addItem(entry)
        self.problems.blockSignals(False)
        QTimer.singleShot(0, self._fit_problems)  # once the list has its width, rows know their height
        if problems:
            self.problems_title.setText(self.tr("Import problems ({n})").format(n=len(problems)))
        else:
            self.problems_title.setText(self.tr("Import problems: none"))
        self.problems.setVisible(bool(problems))

    def _fit_problems(self) -> None:
        """As tall as its first few problems, so one warning does not eat the pane."""
        width = max(100, self.problems.viewport().width() - 8)
        metrics = self.problems.fontMetrics()
        flags = Qt.TextFlag.TextWordWrap
        rows = sum(
            metrics.boundingRect(QRect(0, 0, width, 10_000), flags, self.problems.item(row).text()).height() + 4
            for row in range(min(self.problems.count(), 4))
        )
        self.problems.setFixedHeight(max(24, min(140, rows + 2 * self.problems.frameWidth() + 4)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.problems.count():
            self._fit_problems()

    def _encounter_activated(self, index: int) -> None:
        encounter_id = self.encounter.itemData(index)
        if encounter_id and (self.stay is None or encounter_id != self.stay.encounter.id):
            self.encounter_changed.emit(encounter_id)

    def _row_chosen(self, kind: str) -> None:
        table = self.tables[kind]
        rows = table.selectionModel().selectedRows()
        if not rows:
            return
        row = rows[0].row()
        item = self._rows[kind][row]
        title = table.item(row, 0).text()
        heading = translate("RecordPanel", "{kind}: {item}").format(kind=tab_titles()[kind], item=title)
        self.item_selected.emit(heading, item)

    def _problem_chosen(self, row: int) -> None:
        if 0 <= row < len(self._problem_rows):
            problem = self._problem_rows[row]
            self.problem_selected.emit(problem.file, problem.message)


# --- loading a case off the GUI thread ------------------------------------------------------

PATIENT_MARK = "::patient="


def case_key(path: Path, patient_id: str | None) -> str:
    """What the store remembers a case by: the path, plus the patient for multi-patient exports."""
    return f"{path}{PATIENT_MARK}{patient_id}" if patient_id else str(path)


def split_case_key(key: str) -> tuple[Path, str | None]:
    path, _, patient = key.partition(PATIENT_MARK)
    return Path(path), patient or None


@dataclass
class LoadedCase:
    """What opening a case brought back: the record, or the patients to choose from (a FHIR
    bulk export holding several), or the one-line message why it could not be opened."""

    path: Path
    patient_id: str | None
    record: Record | None = None
    patients: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""


def load_case_job(path: Path, patient_id: str | None) -> LoadedCase:
    """Import one case; run on the thread pool (LatestJobs), so a big export or a long PDF
    does not freeze the window (the bundled samples take ~0.3 s, Synthea files well under 0.1 s)."""
    try:
        if patient_id is None:
            found = patients_to_choose(path)
            if found:
                return LoadedCase(path, None, patients=found)
        record = open_case(path, patient_id)
        prepare(record)  # the notes are read here, off the GUI thread; the pane's facts are then quick
    except RecordError as exc:
        return LoadedCase(path, patient_id, error=str(exc))
    except Exception as exc:  # an importer bug must reach the doctor as a message, not kill the thread
        log.error("import failed with %s (details at DEBUG: they may quote the record)", type(exc).__name__)
        log.debug("import failure", exc_info=True)
        return LoadedCase(path, patient_id, error=f"{path}: {type(exc).__name__}: {exc}")
    return LoadedCase(path, patient_id, record)
