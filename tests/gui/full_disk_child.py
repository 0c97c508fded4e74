"""The app meeting a full disk, in a process of its own (RLIMIT_FSIZE would stop pytest's
own writes): open the sample case, draft with the fake engine, type an edit (saved), fill
the "disk", type two more edits and export. Every dialog is printed instead of shown.

    python -m tests.gui.full_disk_child FOLDER
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["EMRWRITER_LOG_DIR"] = "off"

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox  # noqa: E402

LIMIT = 16_384


def main(folder: Path) -> None:
    import resource
    import signal

    app = QApplication([])
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder / "settings"))

    def dialog(kind):
        def show(parent, title, text, *args, **kwargs):
            print(f"dialog {kind}: {title}: {' '.join(str(text).split())}", flush=True)
            return QMessageBox.StandardButton.Yes if kind in ("question", "warning") else QMessageBox.StandardButton.Ok

        return show

    for kind in ("critical", "warning", "question", "information"):
        setattr(QMessageBox, kind, dialog(kind))
    out = folder / "summary.docx"
    QFileDialog.getSaveFileName = lambda *a, **k: (str(out), "")

    from emrwriter.gui.main_window import MainWindow
    from emrwriter.gui.worker import ModelWorker
    from emrwriter.store import Store
    from tests.conftest import EN_CASE
    from tests.gui.conftest import SETTINGS, fake_engine

    store = Store(folder / "data" / "emrwriter.sqlite3")
    window = MainWindow(store, worker=ModelWorker(engine_factory=fake_engine))
    window.engine_settings = SETTINGS
    window.show()

    def wait(condition, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            app.processEvents()
            time.sleep(0.01)
            if time.monotonic() > deadline:
                raise SystemExit("timed out")

    window.open_path(EN_CASE)
    wait(lambda: window.record is not None)
    window.start_draft()
    wait(lambda: window.draft_id is not None and not window._busy())
    editor = window.draft_panel.editors["follow_up"].editor
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    editor.insertPlainText(" First edit.")
    window.draft_panel.flush_all()
    print("saved first edit", flush=True)

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, resource.RLIM_INFINITY))
    print("disk full", flush=True)
    for text in (" Second edit." + " More text." * 2000, " Third edit."):
        editor.insertPlainText(text)
        window.draft_panel.flush_all()
        app.processEvents()
    print(f"status: {window.statusBar().currentMessage()}", flush=True)
    window.export_docx()
    print(f"export file exists: {out.exists()}", flush=True)
    window.worker.shutdown()
    store.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
