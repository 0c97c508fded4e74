"""Help > Diagnostics: the checks of ``emrwriter doctor`` in a window, for a nurse or IT to
read and copy into a support ticket. The checks run on a thread of their own (loading the
model and starting Qt in a child process take a moment); each one is shown as it is done."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout

from ..doctor import format_check, problems, report, run_checks


class _Bridge(QObject):
    """Carries the checks from the worker thread to the GUI thread (queued signals)."""

    check = Signal(str)  # one check, formatted
    done = Signal(str, int)  # the whole report, the number of problems


class DiagnosticsDialog(QDialog):
    def __init__(self, parent=None, *, load_model: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Diagnostics"))
        self.resize(820, 600)
        self.load_model = load_model
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(font)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(self.tr("&Copy"))
        self.copy_button.setToolTip(self.tr("Copy the whole report, to paste into a message to IT"))
        self.again_button = QPushButton(self.tr("Check &again"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.again_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy)
        self.again_button.clicked.connect(self.start)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self._bridge = _Bridge()
        self._bridge.check.connect(self._add_check)
        self._bridge.done.connect(self._finish)
        self._thread: threading.Thread | None = None
        self.report = ""

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Run the checks (again) on a thread of their own."""
        if self.running:
            return
        self.text.clear()
        self.report = ""
        self.status.setText(self.tr("Checking this computer… Loading the model takes a moment."))
        self.copy_button.setEnabled(False)
        self.again_button.setEnabled(False)
        bridge, load_model = self._bridge, self.load_model

        def work() -> None:
            checks = run_checks(load_model=load_model, on_check=lambda check: bridge.check.emit(format_check(check)))
            bridge.done.emit(report(checks), len(problems(checks)))

        self._thread = threading.Thread(target=work, name="diagnostics", daemon=True)
        self._thread.start()

    def _add_check(self, text: str) -> None:
        self.text.appendPlainText(text)

    def _finish(self, text: str, problem_count: int) -> None:
        self.report = text
        self.text.setPlainText(text)
        if problem_count:
            self.status.setText(
                self.tr("Problems found: {count}. Each is named at the end of the report.").format(count=problem_count)
            )
        else:
            self.status.setText(self.tr("All checks passed."))
        self.copy_button.setEnabled(True)
        self.again_button.setEnabled(True)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.report or self.text.toPlainText())
        self.status.setText(self.tr("The report is on the clipboard."))

    def wait(self, timeout: float | None = None) -> bool:
        """For tests and closing: wait for the checks' thread; True when it has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running
