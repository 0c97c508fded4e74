"""Render the main window's states to PNG, in Chinese and English, for the docs and
for looking at the layout without a display:

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--lang zh_CN en]

States: empty, case loaded (a lab value's source shown), drafting in progress,
finished draft (checked: its findings listed) with a data section's sources in the
evidence pane. Drafting uses
the real default model (context 2048), so a run takes minutes on a CPU.
Chinese text needs a CJK font (Debian: apt-get install fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QObject, QSettings, QTimer, Slot
from PySide6.QtWidgets import QApplication

from emrwriter.gui.app import GuiThreadCollector
from emrwriter.gui.i18n import install_translators
from emrwriter.gui.main_window import MainWindow
from emrwriter.gui.settings import EngineSettings
from emrwriter.store import Store

CASES = {
    "zh_CN": ROOT / "emrwriter" / "bundled" / "samples" / "zh_pneumonia",
    "en": ROOT / "emrwriter" / "bundled" / "samples" / "en_heart_failure",
}
SIZE = (1480, 900)
DRAFT_MS = 3_600_000
STREAMED_CHARS = 350  # grab "drafting" once this much model text has arrived


def wait(signal, timeout_ms: int) -> bool:
    """Spin the event loop until ``signal`` fires; False on timeout."""
    loop = QEventLoop()
    fired = []
    signal.connect(lambda *_: (fired.append(True), loop.quit()))
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    return bool(fired)


class StreamWatcher(QObject):
    """Counts streamed text on the GUI thread and grabs the window once, mid-draft."""

    def __init__(self, window: MainWindow, out: Path) -> None:
        super().__init__()
        self.window, self.out, self.chars, self.done = window, out, 0, False

    @Slot(int, str, str)
    def on_token(self, task: int, key: str, text: str) -> None:
        self.chars += len(text)
        if not self.done and self.chars >= STREAMED_CHARS:
            self.done = True
            QTimer.singleShot(0, self.grab)  # after the window has shown this token

    def grab(self) -> None:
        QApplication.processEvents()
        save(self.window, self.out)


def save(window: MainWindow, path: Path) -> None:
    for _ in range(3):  # deferred fits, then the layout requests they post
        QApplication.processEvents()
    window.grab().save(str(path))
    print(path)


def select_lab(window: MainWindow) -> None:
    panel = window.record_panel
    panel.tabs.setCurrentWidget(panel.tables["observations"])
    labs = panel.tables["observations"]
    flagged = next((r for r in range(labs.rowCount()) if labs.item(r, 4).text()), 0)
    labs.selectRow(flagged)


def render(language: str, out: Path, work: Path, draft: bool = True) -> None:
    install_translators(language)
    store = Store(work / f"store-{language}.sqlite3")
    window = MainWindow(store)
    window.engine_settings = EngineSettings(context_cap=2048)
    window.resize(*SIZE)
    window.show()
    try:
        save(window, out / f"{language}-1-empty.png")
        window.open_path(CASES[language])
        if not wait(window.case_opened, 30_000):
            raise SystemExit(f"{CASES[language]} did not open")
        select_lab(window)
        save(window, out / f"{language}-2-case-loaded.png")
        if not draft:
            return

        watcher = StreamWatcher(window, out / f"{language}-3-drafting.png")
        window.worker.token.connect(watcher.on_token)
        window.start_draft()
        if not wait(window.draft_shown, DRAFT_MS):
            raise SystemExit("the draft did not finish in time")
        findings = window.findings
        if findings.busy() and not wait(findings.review_ready, 120_000):  # the checks run off the GUI thread
            raise SystemExit("the draft was not checked in time")
        data_key = next(k for k, e in window.draft_panel.editors.items() if e.origin == "data" and e.sources)
        editor = window.draft_panel.editors[data_key]
        window.draft_panel.scroll.ensureWidgetVisible(editor, 0, 0)
        editor.sources_button.click()
        save(window, out / f"{language}-4-draft-with-evidence.png")
    finally:
        window.close()
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--lang", nargs="+", default=["zh_CN", "en"], choices=sorted(CASES))
    parser.add_argument("--no-draft", action="store_true", help="only the states that need no model (quick)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, str(work / "settings"))
        for language in args.lang:
            render(language, args.out, work, draft=not args.no_draft)
    GuiThreadCollector.uninstall()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
