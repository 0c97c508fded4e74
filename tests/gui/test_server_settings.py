"""The Server section of the Models dialog (Test connection against a tiny local server,
tests/engine/fake_server.py), and a draft in the window on a server: the status bar and
the draft name the server and its model."""

from __future__ import annotations

from pathlib import Path

from emrwriter.gui import settings
from emrwriter.gui.main_window import MainWindow
from emrwriter.gui.models_dialog import ModelsDialog
from emrwriter.gui.settings import EngineSettings
from tests.engine.fake_server import MODEL, FakeServer
from tests.gui.conftest import OPEN_MS, open_case


def test_test_connection_fills_the_models_and_ok_saves_all_but_the_key(qtbot, settings_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr(settings, "_session_key", [""])  # the session's key goes with the test
    with FakeServer(key="sekret") as server:
        dialog = ModelsDialog()
        qtbot.addWidget(dialog)
        assert not dialog.server_url.isEnabled()  # off until ticked: a server is used only when chosen
        dialog.use_server.setChecked(True)
        dialog.server_url.setText(server.url)
        dialog.server_key.setText("wrong")
        assert not dialog.test_connection()
        assert dialog.server_result.text().startswith("✘") and "API key" in dialog.server_result.text()
        dialog.server_key.setText("sekret")
        assert dialog.test_connection()
        assert dialog.server_result.text() == f"✔ {MODEL}: context 4096 tokens (models)"
        assert [dialog.server_model.itemText(i) for i in range(dialog.server_model.count())] == [MODEL]
        dialog.accept()
    saved = EngineSettings.load()
    assert saved.on_server and saved.server_url == server.url and saved.server_model == MODEL
    assert saved.server_key == "sekret"  # for this session
    assert "sekret" not in "".join(p.read_text() for p in settings_dir.rglob("*") if p.is_file())


def test_a_draft_on_a_server_names_it_in_the_status_bar_and_the_draft(qtbot, make_window, store) -> None:
    with FakeServer(context=8192) as server:
        window: MainWindow = make_window(real=True)  # the app's own engine factory: the server when chosen
        window.engine_settings = EngineSettings(use_server=True, server_url=server.url, server_model=MODEL)
        window._show_model_name()
        assert window.model_label.text() == f"Model: {MODEL} on {server.url}"
        open_case(qtbot, window)
        with qtbot.waitSignal(window.draft_shown, timeout=OPEN_MS * 3):
            window.start_draft()
    assert window.draft.model == f"{MODEL} @ {server.url}"
    model = [s for s in window.draft.sections if s.origin == "model"]
    assert model and all(s.text == "The patient recovered well and went home." for s in model)
