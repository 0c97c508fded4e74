"""One app per database: a second start says so in one line and leaves. (A lock left by
a killed app is taken over: see the kill test in test_main_window.py.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

import emrwriter.store
from emrwriter.gui import app
from emrwriter.gui.settings import save_ui_language
from emrwriter.gui.single_instance import InstanceLock, lock_path


@pytest.fixture
def settings_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "settings"
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    return folder


def test_the_lock_sits_beside_the_database(tmp_path: Path) -> None:
    assert lock_path(tmp_path / "emrwriter.sqlite3") == tmp_path / "emrwriter.sqlite3.lock"


def test_a_second_lock_fails_while_the_first_is_held(qapp, tmp_path: Path) -> None:
    database = tmp_path / "data" / "emrwriter.sqlite3"  # the folder does not exist yet
    first, second = InstanceLock(database), InstanceLock(database)
    assert first.acquire()
    assert first.path.exists()
    assert not second.acquire()
    assert second.holder() == os.getpid()
    first.release()
    assert not first.path.exists()
    assert second.acquire()
    second.release()


def test_a_second_start_says_so_and_exits(qapp, tmp_path: Path, settings_dir: Path, monkeypatch, capsys) -> None:
    database = tmp_path / "emrwriter.sqlite3"
    monkeypatch.setattr(emrwriter.store, "default_store_path", lambda: database)
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a, **k: shown.append((title, text)))
    save_ui_language("en")
    running = InstanceLock(database)
    assert running.acquire()
    try:
        assert app.main([]) == 0
    finally:
        running.release()
    ((_title, message),) = shown
    assert message.startswith("EMRWriter is already open") and "\n" not in message
    assert message in capsys.readouterr().err
    assert not database.exists()  # the running app's database was not touched
