"""The models dialog and the settings it saves, with the real default model and a
temporary user data folder and settings file (the user's own are never touched)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

import emrwriter.paths
from emrwriter.engine.models import default_model_path
from emrwriter.gui import models_dialog
from emrwriter.gui.models_dialog import ModelsDialog
from emrwriter.gui.settings import EngineSettings, load_ui_language, save_ui_language


@pytest.fixture(autouse=True)
def private_settings(tmp_path, qapp):
    """QSettings in an ini file under tmp_path."""
    folder = str(tmp_path / "settings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
    yield folder


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A temporary user data folder, seen by the dialog and by model discovery."""
    folder = tmp_path / "data"
    monkeypatch.setattr(models_dialog, "user_data_dir", lambda: folder)
    monkeypatch.setattr(emrwriter.paths, "user_data_dir", lambda: folder)
    return folder


@pytest.fixture
def dialog(qtbot, data_dir) -> ModelsDialog:
    dialog = ModelsDialog()
    qtbot.addWidget(dialog)
    return dialog


def rows(dialog: ModelsDialog) -> list[list[str]]:
    table = dialog.table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def pick(monkeypatch, path: Path) -> list[tuple[str, str]]:
    """Answer the file dialog with ``path``; collect warnings instead of showing them."""
    warnings: list[tuple[str, str]] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), ""))
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *rest: warnings.append((title, text)))
    return warnings


def test_lists_the_default_model(dialog):
    assert len(rows(dialog)) == 1
    name, size, quant, context, source = rows(dialog)[0]
    assert (quant, context, source) == ("Q4_1", "8192", "bundled default")
    assert int(size) > 50
    assert dialog.selected_model().source == "default"
    assert dialog.problems.isHidden()
    assert dialog.context.maximum() == 8192


def test_adding_a_file_that_is_not_a_model_says_why(dialog, monkeypatch, tmp_path, data_dir):
    fake = tmp_path / "notes.gguf"
    fake.write_text("not a model", encoding="utf-8")
    warnings = pick(monkeypatch, fake)
    dialog.add_model()
    assert len(warnings) == 1 and "not a GGUF model file" in warnings[0][1] and str(fake) in warnings[0][1]
    assert not (data_dir / "models").exists()
    assert len(rows(dialog)) == 1


def test_adding_a_model_copies_it_and_lists_it(dialog, monkeypatch, tmp_path, data_dir):
    link = tmp_path / "my-model.Q4_1.gguf"
    link.symlink_to(default_model_path())
    warnings = pick(monkeypatch, link)
    dialog.add_model()
    copied = data_dir / "models" / link.name
    assert not warnings
    assert copied.is_file() and not copied.is_symlink()
    assert copied.stat().st_size == link.stat().st_size
    assert not list((data_dir / "models").glob("*.part"))
    assert [r[4] for r in rows(dialog)] == ["bundled default", "models folder"]
    assert dialog.selected_model().path == copied

    dialog.add_model()  # the same name again: refused, with a reason
    assert len(warnings) == 1 and link.name in warnings[0][1]


def test_a_cancelled_copy_leaves_nothing(dialog, monkeypatch, tmp_path, data_dir):
    link = tmp_path / "big.gguf"
    link.symlink_to(default_model_path())  # ~100 MB: above the size that shows progress
    pick(monkeypatch, link)
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: True)
    dialog.add_model()
    assert list((data_dir / "models").iterdir()) == []
    assert len(rows(dialog)) == 1


def test_ok_saves_the_settings_and_the_dialog_reads_them_back(qtbot, dialog, monkeypatch, tmp_path, data_dir):
    link = tmp_path / "other.gguf"
    link.symlink_to(default_model_path())
    pick(monkeypatch, link)
    dialog.add_model()
    dialog.threads.setValue(1)
    dialog.context.setValue(100)  # below the smallest useful context: raised to 512
    assert dialog.context.value() == 512
    dialog.context.setValue(1024)
    dialog.gpu_layers.setValue(3)
    dialog.accept()
    copied = str(data_dir / "models" / "other.gguf")
    expected = EngineSettings(threads=None if os.cpu_count() == 1 else 1, context_cap=1024, gpu_layers=3, model_path=copied)
    assert EngineSettings.load() == expected

    again = ModelsDialog()
    qtbot.addWidget(again)
    assert str(again.selected_model().path) == copied
    assert (again.threads.value(), again.context.value(), again.gpu_layers.value()) == (1, 1024, 3)
    again.table.selectRow(0)  # the default model is saved as ""
    again.context.setValue(0)
    again.accept()
    assert EngineSettings.load().model_path == "" and EngineSettings.load().context_cap is None


def test_a_saved_model_that_is_gone_is_reported(qtbot, data_dir, tmp_path):
    EngineSettings(model_path=str(tmp_path / "gone.gguf")).save()
    dialog = ModelsDialog()
    qtbot.addWidget(dialog)
    assert not dialog.problems.isHidden() and "gone.gguf" in dialog.problems.text()


def test_memory_warning_when_the_model_will_not_fit(dialog, monkeypatch):
    assert dialog.memory_warning.isHidden()  # 100 MB fits
    monkeypatch.setattr(models_dialog, "available_memory", lambda: 50 * 2**20)
    dialog.context.setValue(4096)
    assert not dialog.memory_warning.isHidden() and "GB" in dialog.memory_warning.text()
    monkeypatch.setattr(models_dialog, "available_memory", lambda: None)  # unknown: no warning
    dialog.context.setValue(2048)
    assert dialog.memory_warning.isHidden()


def test_kv_cache_estimate_of_the_default_model():
    # SmolLM2-135M: 30 layers, 3 KV heads of 64 -> 2 * 30 * 3 * 64 * 2 bytes per token
    assert models_dialog.kv_bytes_per_token(default_model_path()) == 23040


def test_settings_round_trip():
    assert EngineSettings.load() == EngineSettings()
    chosen = EngineSettings(threads=2, context_cap=4096, gpu_layers=10, model_path="/models/x.gguf")
    chosen.save()
    assert EngineSettings.load() == chosen
    assert load_ui_language() == ""
    save_ui_language("zh_CN")
    assert load_ui_language() == "zh_CN"
    with pytest.raises(ValueError):
        save_ui_language("fr")
