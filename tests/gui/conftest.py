"""GUI tests run without a display. The fixtures of the window tests: a store and
settings in temporary folders, QMessageBox answered by ``dialogs``, windows drafting with
the fake engine (``make_window``)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # (the Qt platform is chosen above, before Qt is imported)

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from emrwriter.gui.app import GuiThreadCollector
from emrwriter.gui.main_window import MainWindow
from emrwriter.gui.settings import EngineSettings
from emrwriter.gui.worker import ModelWorker
from emrwriter.store import Store
from tests.conftest import EN_CASE
from tests.fakes import FakeEngine, long_answer

SETTINGS = EngineSettings(threads=2, context_cap=2048)  # small context: quick, and the sample still fits
OPEN_MS = 20_000


class Dialogs:
    """Stands in for QMessageBox's static functions: records what was asked and answers."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.answers = {
            "question": QMessageBox.StandardButton.No,
            "warning": QMessageBox.StandardButton.Yes,
            "information": QMessageBox.StandardButton.Ok,
            "critical": QMessageBox.StandardButton.Ok,
        }

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in self.answers:
            monkeypatch.setattr(QMessageBox, name, self._fake(name))

    def _fake(self, name: str):
        def fake(parent, title, text, *args, **kwargs):
            self.calls.append((name, title, text))
            return self.answers[name]

        return fake

    def titles(self, name: str) -> list[str]:
        return [title for kind, title, _ in self.calls if kind == name]


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    found = Dialogs()
    found.install(monkeypatch)
    return found


@pytest.fixture
def settings_dir(tmp_path: Path) -> Path:
    """QSettings (window geometry, language, engine) go to a temporary folder."""
    folder = tmp_path / "settings"
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    # The app's default ("automatic") follows the model's speed on this PC; the tests draft
    # with the model unless they choose otherwise (tests/drafting/test_narrative_choice.py: automatic).
    QSettings().setValue("drafting/narrative", "model")
    return folder


@pytest.fixture
def store(tmp_path: Path, settings_dir: Path):
    with Store(tmp_path / "store.sqlite3") as opened:
        yield opened


def fake_engine(settings: EngineSettings) -> FakeEngine:
    """The windows' engine unless a test asks for the real model: it writes a token per
    2 ms, so Stop lands while it writes."""
    return FakeEngine(context_limit=settings.context_cap or 8192, answer=long_answer(400), token_delay=0.002)


@pytest.fixture
def make_window(qtbot, store: Store, dialogs: Dialogs):
    """Windows on the test's store, drafting with the fake engine (``real=True``: the
    default model); each is closed (worker shut down) at the end."""
    made: list[MainWindow] = []

    def make(real: bool = False) -> MainWindow:
        window = MainWindow(store, worker=ModelWorker() if real else ModelWorker(engine_factory=fake_engine))
        window.engine_settings = SETTINGS
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        return window

    yield make
    dialogs.answers["question"] = QMessageBox.StandardButton.Yes  # "stop drafting and quit?"
    for window in made:
        window.close()
        window.worker.shutdown()
    GuiThreadCollector.uninstall()


def open_case(qtbot, window: MainWindow, path: Path = EN_CASE) -> None:
    with qtbot.waitSignal(window.case_opened, timeout=OPEN_MS):
        window.open_path(path)
