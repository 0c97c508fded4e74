"""Start the desktop application: `emrwriter [PATH]` (the CLI hands over) or `python -m emrwriter.gui.app [PATH]`.
The command line enters the app only here: ``main`` and, for the benchmark, ``measure_draft_stall``.

Order matters: the application names come first (QSettings and the data folder
depend on them), then the translators (every label is translated when built),
then the single-instance lock (a second window on the same database would make its
sessions look like crashes), then the store (a database that cannot be opened is said
so at once, before the doctor types anything), and the crash-recovery offer once the
window is up.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from .. import __version__

log = logging.getLogger(__name__)


class GuiThreadCollector(QObject):
    """Python's cyclic garbage collector runs in whichever thread happens to allocate;
    when that is the model's thread it finalizes Qt wrappers there and the process
    crashes (seen: a segfault while the worker imported llama_cpp). So automatic
    collection is switched off and done here, on the GUI thread, on a timer."""

    _instance: GuiThreadCollector | None = None

    @classmethod
    def install(cls) -> None:
        if cls._instance is None:
            cls._instance = cls(QApplication.instance())

    @classmethod
    def uninstall(cls) -> None:
        """Back to Python's own collection (tests, and after the last window closed)."""
        if cls._instance is not None:
            cls._instance.timer.stop()
            cls._instance.deleteLater()
            cls._instance = None
            gc.enable()
            gc.collect()

    def __init__(self, parent: QObject | None) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(500)

    def check(self) -> None:
        first, second, third = gc.get_count()
        if first > self.thresholds[0]:
            gc.collect(0)
            if second > self.thresholds[1]:
                gc.collect(1)
                if third > self.thresholds[2]:
                    gc.collect(2)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="emrwriter", description="EMRWriter, the desktop application")
    parser.add_argument("path", nargs="?", type=Path, help="a record file or a patient's folder to open")
    parser.add_argument("--version", action="version", version=f"emrwriter {__version__}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the window until it closes; returns the exit code."""
    args = _parse(sys.argv[1:] if argv is None else argv)
    from ..log_file import setup_logging

    setup_logging(logging.INFO)  # stderr, and an owner-only file without patient text
    from .settings import APPLICATION, ORGANIZATION

    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "emrwriter"])

    from ..owner_only import private_umask
    from ..store import StoreError
    from ..workflow import default_store_path, open_store
    from .i18n import install_translators
    from .main_window import MainWindow
    from .single_instance import InstanceLock

    install_translators()
    store_path = default_store_path()
    instance = InstanceLock(store_path)
    with private_umask():  # the lock file is owner-only too
        acquired = instance.acquire()
    if not acquired:
        message = QCoreApplication.translate("App", "EMRWriter is already open; switch to its window to go on working.")
        log.warning("another instance holds %s (process %s)", instance.path, instance.holder())
        print(message, file=sys.stderr)
        QMessageBox.information(None, "EMRWriter", message)
        return 0
    try:
        store, moved = open_store(store_path)  # a damaged store is moved aside, and said so below
    except StoreError as exc:
        instance.release()
        QMessageBox.critical(None, QCoreApplication.translate("App", "EMRWriter cannot start"), str(exc))
        return 1
    try:
        window = MainWindow(store)
        window.show()

        def begin() -> None:
            if moved is not None:
                QMessageBox.warning(
                    window,
                    QCoreApplication.translate("App", "The store was damaged"),
                    QCoreApplication.translate(
                        "App",
                        "The file that keeps your drafts could not be read ({reason}).\n\nIt was moved aside as "
                        "{aside} and EMRWriter starts with an empty one. Your IT department may be able to recover it.",
                    ).format(reason=moved.reason, aside=moved.aside),
                )
            recovered = window.offer_recovery()
            if args.path is not None and not recovered:
                window.open_path(args.path)

        QTimer.singleShot(0, begin)
        return app.exec()
    finally:
        store.close()
        instance.release()


def measure_draft_stall(stay, template, *, model_path: str, threads: int, context_cap: int | None, cache_dir: Path) -> dict:
    """For ``emrwriter bench``: the longest event-loop stall while the app's model worker
    drafts (offscreen is fine); ``model_path`` "" is the default model, ``cache_dir`` the
    prefix cache to use. The command line's one other way into the app, beside ``main``."""
    from .settings import EngineSettings
    from .stall import measure_draft_stall as measure

    settings = EngineSettings(threads=threads, context_cap=context_cap, gpu_layers=0, model_path=model_path)
    return measure(stay, template, settings, cache_dir)


if __name__ == "__main__":
    sys.exit(main())
