"""The checks in the app, offscreen: a stored draft with a wrong dose and a drug the
record does not have is reviewed when it is shown; choosing a finding selects the
words and shows the record's evidence; the words are underlined; an edit re-checks;
export warns about high-severity findings and writes the open ones as Word comments.
(The model is not needed here: the draft is written by hand into the store.)"""

from __future__ import annotations

from pathlib import Path

from docx import Document as read_docx
from PySide6.QtWidgets import QFileDialog, QMessageBox

from emrwriter.gui.record_panel import case_key
from emrwriter.records.case import load_case
from emrwriter.records.stay import select_encounter
from emrwriter.store import Store
from emrwriter.workflow import high_findings
from tests.conftest import EN_CASE, draft_by_hand
from tests.gui.conftest import Dialogs, open_case

COURSE = (
    "She was treated with furosemide 80 mg IV twice daily and warfarin 5 mg daily. Clopidogrel 75 mg daily was added. "
    "Her BNP was 1840 pg/mL."
)
REVIEW_MS = 60_000


def stored_case(store: Store) -> None:
    stay = select_encounter(load_case(EN_CASE))
    _, draft = draft_by_hand(stay, "discharge_summary_en", {"procedures_and_treatment": COURSE})
    case_id = store.open_case(case_key(EN_CASE.resolve(), None), "Dorothy M. Hartwell")
    store.save_draft(case_id, draft, stay.encounter.id)


def test_findings_are_shown_selected_underlined_rechecked_and_exported(
    qtbot, make_window, store: Store, dialogs: Dialogs, tmp_path: Path, monkeypatch
) -> None:
    stored_case(store)
    window = make_window()
    with qtbot.waitSignal(window.findings.review_ready, timeout=REVIEW_MS):
        open_case(qtbot, window)
    panel = window.findings
    rows = [panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())]
    messages = [row.text(2) for row in rows]
    assert any("warfarin" in m for m in messages) and any("80 mg" in m for m in messages)
    assert rows[0].text(0) == "High"  # most severe first
    assert panel.title.text() == f"Findings ({len(rows)})"

    # Choosing the dose finding selects "80 mg" in the course and shows the record's 40 mg.
    dose = next(row for row in rows if "80 mg" in row.text(2))
    panel.tree.setCurrentItem(dose)
    editor = window.draft_panel.editors["procedures_and_treatment"]
    assert editor.editor.textCursor().selectedText() == "80 mg"
    assert "40 mg" in window.evidence.highlighted_text()

    # The flagged words and the unsupported sentence are underlined in the editor.
    marked = editor.marked_spans()
    start = COURSE.index("80 mg")
    assert (start, start + len("80 mg")) in marked
    assert any(a == 0 and b >= COURSE.index(".") for a, b in marked), "the first sentence has no support"

    # Editing removes the stale marks at once and re-checks after the pause.
    editor.editor.setFocus()
    editor.select_span(COURSE.index("Clopidogrel"), COURSE.index("Clopidogrel") + len("Clopidogrel"))
    with qtbot.waitSignal(panel.review_ready, timeout=REVIEW_MS):
        editor.editor.textCursor().insertText("Metoprolol")
        assert editor.marked_spans() == []
    after = [panel.tree.topLevelItem(i).text(2) for i in range(panel.tree.topLevelItemCount())]
    assert not any("clopidogrel" in m.lower() for m in after)
    assert any("warfarin" in m for m in after) and any("80 mg" in m for m in after)

    # Export: asked about the high findings first (No: nothing written) ...
    out = tmp_path / "reviewed.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))
    high = high_findings(window.findings.review)
    assert any("warfarin" in f.message for _, f in high)
    dialogs.answers["warning"] = QMessageBox.StandardButton.No
    window.export_action.trigger()
    assert "Unresolved findings" in dialogs.titles("warning") and not out.exists()
    # ... then Yes: the open findings are Word comments in the file, the edit in the text.
    dialogs.answers["warning"] = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(window.exported, timeout=REVIEW_MS):
        window.export_action.trigger()
    doc = read_docx(str(out))
    assert any("80 mg" in c.text for c in doc.comments)
    assert any("warfarin" in c.text for c in doc.comments) and not any("lopidogrel" in c.text for c in doc.comments)
    assert any("Metoprolol 75 mg" in p.text for p in doc.paragraphs)

    # Without comments when the doctor switches them off.
    window.comments_action.setChecked(False)
    with qtbot.waitSignal(window.exported, timeout=REVIEW_MS):
        window.export_action.trigger()
    assert len(list(read_docx(str(out)).comments)) == 0
