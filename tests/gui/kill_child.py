"""A window that the kill test shoots with SIGKILL while the doctor is editing.

    python tests/gui/kill_child.py STORE SETTINGS_DIR CASE SECTION_KEY EDIT

Holds the single-instance lock like the app, opens CASE (whose draft the test saved
in STORE), types EDIT at the end of the section and reports on stdout, one word a
line: LOCKED, TYPED once the keys are in, SAVED <key> whenever an edit reaches the
store, DIALOG ... for any message box (answered No). Then it waits to be killed.
Not a test module: pytest does not collect it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from emrwriter.gui.main_window import MainWindow
from emrwriter.gui.single_instance import InstanceLock
from emrwriter.store import Store


def say(word: str) -> None:
    print(word, flush=True)


def answer_no(kind: str):
    """A dialog would block a window nobody sees: report it and answer No."""

    def fake(parent, title, text, *args, **kwargs):
        say(f"DIALOG {kind}: {title}: {text}".replace("\n", " "))
        return QMessageBox.StandardButton.No

    return fake


def main(store_path: str, settings_dir: str, case: str, key: str, edit: str) -> int:
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, settings_dir)
    app = QApplication(sys.argv[:1])
    for kind in ("question", "warning", "information", "critical"):
        setattr(QMessageBox, kind, answer_no(kind))
    lock = InstanceLock(store_path)
    if not lock.acquire():
        say("NOT LOCKED")
        return 1
    say("LOCKED")
    store = Store(store_path)
    window = MainWindow(store)
    window.show()
    typed = []

    def type_edit() -> None:
        if typed:
            return
        typed.append(True)
        editor = window.draft_panel.editors[key].editor
        editor.setFocus()
        editor.moveCursor(QTextCursor.MoveOperation.End)
        QTest.keyClicks(editor, edit)
        say("TYPED")

    window.draft_shown.connect(type_edit)
    window.saved.connect(lambda saved_key: say(f"SAVED {saved_key}"))
    window.open_path(Path(case))
    return app.exec()  # until SIGKILL


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
