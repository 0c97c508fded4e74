"""Help > Diagnostics: the doctor's checks in a dialog, run off the GUI thread, the text
selectable and copyable."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication

from emrwriter.gui.diagnostics_dialog import DiagnosticsDialog

CHECK_NAMES = ("EMRWriter", "Configuration", "CPU", "Memory", "Models", "Default model", "llama.cpp", "Templates", "Store")


def test_checks_arrive_one_by_one_while_the_window_stays_responsive(qtbot, settings_dir) -> None:
    dialog = DiagnosticsDialog(load_model=False)
    qtbot.addWidget(dialog)
    dialog.show()
    ticks = []
    timer = QTimer(dialog, interval=10)
    timer.timeout.connect(lambda: ticks.append(dialog.text.toPlainText().count("\n[")))
    timer.start()
    dialog.start()
    assert dialog.running and not dialog.copy_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.report != "", timeout=120_000)
    timer.stop()
    assert dialog.wait(10)
    assert len(ticks) > 10  # the event loop ran while the checks did
    assert any(0 < n < len(CHECK_NAMES) for n in ticks)  # checks shown before the last was done
    text = dialog.text.toPlainText()
    for name in CHECK_NAMES:
        assert re.search(rf"^\[\s*\w+\] {re.escape(name)}: ", text, re.MULTILINE), name
    assert dialog.text.isReadOnly() and dialog.text.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    verdict = text.rstrip().splitlines()[-1]
    assert dialog.status.text() in ("All checks passed.",) or "problem" in dialog.status.text()
    assert dialog.copy_button.isEnabled()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == dialog.report and dialog.report.rstrip().endswith(verdict)


def test_help_diagnostics_in_the_main_window_loads_the_model(qtbot, make_window) -> None:
    window = make_window()
    assert window.diagnostics_action in window.menuBar().actions()[-1].menu().actions()
    window.diagnostics_action.trigger()
    dialog = window._diagnostics
    assert dialog is not None and dialog.isVisible() and dialog.running
    qtbot.waitUntil(lambda: dialog.report != "", timeout=600_000)
    assert re.search(r"Default model: .* loads; reads \d+ tokens/s, writes [\d.]+ tokens/s", dialog.report)
    window.diagnostics_action.trigger()  # shown again, not made again
    assert window._diagnostics is dialog
