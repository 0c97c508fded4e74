"""A model file that crashes its loader, met through the app (issue 13): the models dialog
lists it as a problem ("could not be loaded") and offers the good ones; adding it is
refused with that reason; a saved setting naming it makes Draft fail with one message.
The probe's child really dies of SIGSEGV; this process, and the window, go on."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox

import emrwriter.paths
from emrwriter.engine import probe
from emrwriter.gui import models_dialog
from emrwriter.gui.models_dialog import ModelsDialog
from tests.engine.test_model_probe import CRASH, damaged_copy
from tests.gui.conftest import open_case


@pytest.fixture
def crashing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user data folder whose models/ holds a file whose probe crashes."""
    folder = tmp_path / "data"
    (folder / "models").mkdir(parents=True)
    monkeypatch.setattr(models_dialog, "user_data_dir", lambda: folder)
    monkeypatch.setattr(emrwriter.paths, "user_data_dir", lambda: folder)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    monkeypatch.setenv(probe.ENV_FILE, str(tmp_path / "checks.json"))
    from emrwriter.engine.models import default_model_path

    probe.check_model(default_model_path())  # the good default, probed for real first
    monkeypatch.setattr(probe, "PROBE_COMMAND", CRASH)  # from now on every new file's probe crashes
    return damaged_copy(folder / "models", "crashes.gguf", keep=4 << 20)


def test_the_models_dialog_lists_a_crashing_model_as_bad(qtbot, crashing: Path, tmp_path: Path, monkeypatch) -> None:
    dialog = ModelsDialog()
    qtbot.addWidget(dialog)
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert len(names) == 1 and "smollm2" in names[0].lower()  # the good default only
    assert not dialog.problems.isHidden()
    assert "could not be loaded" in dialog.problems.text() and "crashes.gguf" in dialog.problems.text()
    dialog.show()
    dialog.grab().save(str(tmp_path / "models_dialog_bad_model.png"))

    another = damaged_copy(tmp_path, "another.gguf", keep=4 << 20)
    warnings = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(another), ""))
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *rest: warnings.append(text))
    dialog.add_model()
    assert len(warnings) == 1 and "could not be loaded" in warnings[0]
    assert not (crashing.parent / "another.gguf").exists()


def test_drafting_with_a_crashing_model_is_one_message(qtbot, make_window, crashing: Path, dialogs) -> None:
    window = make_window(real=True)
    window.engine_settings = window.engine_settings.__class__(threads=2, context_cap=2048, model_path=str(crashing))
    open_case(qtbot, window)
    with qtbot.waitSignal(window.worker.failed, timeout=120_000) as failed:
        window.start_draft()
    message = failed.args[1]
    assert "could not be loaded" in message and "crashed (SIGSEGV)" in message
    qtbot.waitUntil(lambda: not window._busy(), timeout=10_000)
    assert window.draft_action.isEnabled()  # the window goes on; another model can be chosen


def test_a_truncated_model_in_the_models_folder_is_listed_as_bad(qtbot, tmp_path: Path, monkeypatch) -> None:
    """The real probe, no stand-in: the default model's header with its weights cut off."""
    folder = tmp_path / "data"
    monkeypatch.setattr(models_dialog, "user_data_dir", lambda: folder)
    monkeypatch.setattr(emrwriter.paths, "user_data_dir", lambda: folder)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    monkeypatch.setenv(probe.ENV_FILE, str(tmp_path / "checks.json"))
    (folder / "models").mkdir(parents=True)
    bad = damaged_copy(folder / "models", "truncated.Q4_1.gguf")
    dialog = ModelsDialog()
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    assert "this model file could not be loaded" in dialog.problems.text() and bad.name in dialog.problems.text()
    assert probe.known(bad) is not None and not probe.known(bad).good
