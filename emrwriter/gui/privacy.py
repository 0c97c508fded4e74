"""What the app keeps about patients, from the doctor's side: File > Forget this case
(its drafts, every version, the recent-list entry and the model's saved reading of the
record go; the record files stay) and File > Export log (who exported which case's draft,
when, with which template and model and how many open findings; no patient text)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..audit import ExportEntry
from ..store import StoreError
from ..workflow import forget_case, read_export_log

log = logging.getLogger(__name__)


def forget_open_case(window) -> bool:
    """Ask, then forget the case open in ``window`` (a MainWindow) and close it. True when done."""
    if window.case_id is None or window._busy():
        return False
    label = window.record.patient.name if window.record is not None and window.record.patient.name else ""
    answer = QMessageBox.warning(
        window,
        QCoreApplication.translate("Privacy", "Forget this case"),
        QCoreApplication.translate(
            "Privacy",
            "Delete everything EMRWriter keeps of {case}: every draft and every version of it, its place in "
            "the recent cases and the model's saved reading of the record?\n\n"
            "Exported Word documents and the record's own files are not touched. This cannot be undone.",
        ).format(case=label or QCoreApplication.translate("Privacy", "this case")),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    window.draft_panel.flush_all()
    case_path = window.case_path
    try:
        done = forget_case(window.store, window.case_id)
    except (StoreError, KeyError) as exc:
        window._warn_store(exc)
        return False
    log.info("case forgotten (%d cached readings deleted)", len(done.cache_files))
    remembered = window.settings.value("paths/open_dir", "")
    case_root = Path(case_path).resolve() if case_path is not None else None
    if case_root is not None and case_root.is_file():
        case_root = case_root.parent
    if case_root is not None and remembered and Path(remembered).resolve().is_relative_to(case_root):
        window.settings.remove("paths/open_dir")  # the file dialogs would start in the patient's folder
    window.record = window.stay = window.case_path = window.patient_id = None
    window.case_id = window.draft = window.draft_id = None
    window.record_panel.clear()
    window.evidence.clear()
    window.findings.clear()
    window._show_no_case()
    window._refresh_recent_menu()
    window.setWindowTitle("EMRWriter")
    window.statusBar().showMessage(QCoreApplication.translate("Privacy", "The case was forgotten."), 8000)
    return True


class ExportLogDialog(QDialog):
    """The export log, newest first, read-only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export log"))
        exports = read_export_log()
        headers = [
            self.tr("When"),
            self.tr("User"),
            self.tr("Case"),
            self.tr("Template"),
            self.tr("Model"),
            self.tr("Open findings (high / med. / low)"),
            self.tr("Incomplete"),
            self.tr("SHA-256"),
        ]
        self.table = QTableWidget(len(exports.entries), len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        for row, entry in enumerate(reversed(exports.entries)):
            for column, text in enumerate(self._cells(entry)):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
        note = self.tr(
            "Every Word document exported on this account, newest first. The log holds no patient text: "
            "a case is named by its number in EMRWriter and a short code of its path."
        )
        if exports.unreadable:
            note += " " + self.tr("{n} damaged lines were skipped.").format(n=exports.unreadable)
        if not exports.entries:
            note = self.tr("Nothing has been exported on this account yet.")
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(1180, 420)

    def _cells(self, entry: ExportEntry) -> list[str]:
        if entry.findings is None:
            findings = self.tr("not checked")
        else:
            findings = " / ".join(str(entry.findings.get(k, 0)) for k in ("high", "medium", "low"))
        case = f"{entry.case_id} · {entry.case_ref}" if entry.case_id is not None else entry.case_ref or "—"
        via = self.tr("command line") if entry.face == "cli" else ""
        return [
            entry.when.replace("T", " "),
            entry.user + (f" ({via})" if via else ""),
            case,
            entry.template,
            entry.model or self.tr("no model"),
            findings,
            str(entry.incomplete),
            entry.sha256[:12],
        ]
