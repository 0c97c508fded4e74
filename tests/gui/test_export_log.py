"""File > Export log (issue 13): the app's view of the export log, newest first, with the
case, template, model and open findings of each export and no patient text."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog

from emrwriter import audit
from emrwriter.gui.privacy import ExportLogDialog


def entry(when: str, case_id: int | None, findings: dict | None, face: str = "app") -> audit.ExportEntry:
    return audit.ExportEntry(
        when=when,
        user="drwang",
        host="ward3-pc",
        face=face,
        case_id=case_id,
        case_ref=audit.case_ref(f"/cases/{case_id}"),
        template="discharge_summary_zh",
        model="SmolLM2-135M-Instruct",
        findings=findings,
        incomplete=1,
        bytes=40_000,
        sha256="ab12" * 16,
    )


def test_the_export_log_dialog_lists_exports_newest_first(qtbot, make_window, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "exports.jsonl"
    monkeypatch.setenv(audit.ENV_FILE, str(path))
    audit.append(entry("2026-11-29T16:05:00+08:00", 3, {"high": 2, "medium": 1, "low": 0}), path)
    audit.append(entry("2026-11-30T09:12:00+08:00", None, None, face="cli"), path)
    with open(path, "ab") as fh:
        fh.write(b"{torn")

    window = make_window()
    file_menu = window.menuBar().actions()[0].menu()
    assert window.export_log_action in file_menu.actions() and window.forget_action in file_menu.actions()
    assert not window.forget_action.isEnabled()  # no case open
    shown = []
    monkeypatch.setattr(ExportLogDialog, "exec", lambda self: shown.append(self) or QDialog.DialogCode.Rejected.value)
    window.export_log_action.trigger()
    dialog = shown[0]
    table = dialog.table
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert len(rows) == 2
    assert rows[0][0].startswith("2026-11-30 09:12") and "command line" in rows[0][1] and rows[0][5] == "not checked"
    assert rows[1][2].startswith("3 · ") and rows[1][5] == "2 / 1 / 0" and rows[1][3] == "discharge_summary_zh"
    assert "1 damaged lines were skipped" in dialog.note.text()
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save(str(tmp_path / "export_log.png"))
    assert (tmp_path / "export_log.png").stat().st_size > 1000
