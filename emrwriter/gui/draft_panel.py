"""The draft pane: one editor per section in template order, each saying where its
text came from (the record or the model), whether the doctor changed it, and
whether it is incomplete. Edits leave here debounced, so the store is never more
than about two seconds behind the keyboard without writing on every keystroke."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from PySide6.QtCore import QMimeData, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFocusEvent, QResizeEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..checks.findings import HIGH, LOW, MEDIUM
from ..checks.review import DraftReview, SectionReview
from ..drafting.draft import Draft, DraftSection, Table
from ..records.model import Provenance
from ..templates import Template, format_when
from .evidence_panel import qt_position

log = logging.getLogger(__name__)

DEBOUNCE_MS = 700  # quiet time after the last keystroke before saving
FINDING_COLOURS = {HIGH: "#c62828", MEDIUM: "#e08a00", LOW: "#8a939c"}
UNSUPPORTED_COLOUR = "#7b61c4"
MAX_WAIT_MS = 1800  # and never more than this behind while typing on


class SectionText(QTextEdit):
    """A plain-text editor that grows with its text (the pane scrolls, not each
    editor) and refuses dropped files, so a file dropped on it opens the case."""

    focused = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)
        self.setTabChangesFocus(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().contentsChanged.connect(self._fit)
        self._fit()

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return not source.hasUrls() and super().canInsertFromMimeData(source)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.focused.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.height())

    def _fit(self) -> None:
        doc = self.document()
        doc.setTextWidth(self.viewport().width())
        minimum = self.fontMetrics().lineSpacing() * 2
        height = max(minimum, int(doc.size().height())) + 2 * self.frameWidth() + 4
        if height != self.height():
            self.setFixedHeight(height)


def _badge(text: str, name: str, tip: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setToolTip(tip)
    return label


class SectionEditor(QFrame):
    """One section: heading, badges, buttons, the text, its table and its note."""

    text_committed = Signal(str, str)  # key, text: debounced, for the store
    edited = Signal(str)  # key: the doctor changed the text
    regenerate_requested = Signal(str)
    history_requested = Signal(str)
    sources_requested = Signal(str)

    def __init__(self, key: str, heading: str, origin: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key, self.heading, self.origin = key, heading, origin
        self.sources: list[Provenance] = []
        self.complete = True
        self.note = ""
        self.review: SectionReview | None = None
        self._filling = False
        self._pending = False
        self.setObjectName("sectionCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)

        self.title = title = QLabel(heading)
        title.setObjectName("sectionHeading")
        title.setWordWrap(True)
        title.setMinimumWidth(60)
        if origin == "data":
            origin_badge = _badge(self.tr("data"), "badgeData", self.tr("Filled exactly from the record's structured data"))
        else:
            origin_badge = _badge(
                self.tr("model"),
                "badgeModel",
                self.tr("Written by the language model: check every statement against the sources"),
            )
        self.edited_badge = _badge(self.tr("edited"), "badgeEdited", self.tr("You changed this section; your text is saved"))
        self.incomplete_badge = _badge(self.tr("incomplete"), "badgeIncomplete", "")
        self.edited_badge.hide()
        self.incomplete_badge.hide()

        self.sources_button = QPushButton(self.tr("Sources"))
        self.sources_button.setToolTip(self.tr("Show the record items this section cites in the evidence pane"))
        self.sources_button.clicked.connect(self._ask_sources)
        self.history_button = QPushButton(self.tr("History…"))
        self.history_button.setToolTip(self.tr("Earlier versions of this section; restore one"))
        self.history_button.clicked.connect(self._ask_history)
        self.regenerate_button = QPushButton(self.tr("Regenerate"))
        self.regenerate_button.setToolTip(
            self.tr("Let the model write this section again (your current text stays in its history)")
        )
        self.regenerate_button.clicked.connect(self._ask_regenerate)
        self.regenerate_button.setVisible(origin == "model")
        for button in (self.sources_button, self.history_button, self.regenerate_button):
            button.setObjectName("flatButton")
            button.setCursor(Qt.CursorShape.PointingHandCursor)

        # The heading takes the free width, the badges follow it, the buttons sit at the
        # right; when the card is too narrow for the heading on one line, the buttons move
        # to a row of their own below it (see _place_actions) instead of squeezing it.
        self.badges = (origin_badge, self.edited_badge, self.incomplete_badge)
        header = QHBoxLayout()
        header.setSpacing(6)
        header.addWidget(title, 1)
        for widget in self.badges:
            widget.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            header.addWidget(widget, 0, Qt.AlignmentFlag.AlignVCenter)
        self.actions = QWidget()
        self.actions.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        actions_layout = QHBoxLayout(self.actions)
        actions_layout.setContentsMargins(8, 0, 0, 0)
        actions_layout.setSpacing(2)
        for button in (self.sources_button, self.history_button, self.regenerate_button):
            actions_layout.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.actions, 0, Qt.AlignmentFlag.AlignVCenter)
        self._header = header
        self._actions_row = QHBoxLayout()
        self._actions_row.addStretch(1)
        self._actions_below = False

        self.editor = SectionText()
        self.editor.setAccessibleName(heading)
        self.editor.textChanged.connect(self._changed)
        self.editor.focused.connect(self._ask_sources)
        self.note_label = QLabel()
        self.note_label.setObjectName("noteIncomplete")
        self.note_label.setWordWrap(True)
        self.note_label.hide()
        self.table_caption = QLabel()
        self.table_caption.setObjectName("muted")
        self.table_caption.hide()
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        self.table.setWordWrap(False)
        self.table.setToolTip(self.tr("Built from the record's items; exported under the text as it is"))
        self.table.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addLayout(self._actions_row)
        layout.addWidget(self.editor)
        layout.addWidget(self.note_label)
        layout.addWidget(self.table_caption)
        layout.addWidget(self.table)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.flush)
        self._max_wait = QTimer(self)
        self._max_wait.setSingleShot(True)
        self._max_wait.setInterval(MAX_WAIT_MS)
        self._max_wait.timeout.connect(self.flush)

    # --- filling ----------------------------------------------------------------------

    def set_text(self, text: str) -> None:
        """Replace the text without counting it as the doctor's edit."""
        self._filling = True
        try:
            self.editor.setPlainText(text)
        finally:
            self._filling = False

    def append_text(self, piece: str) -> None:
        self._filling = True
        try:
            cursor = QTextCursor(self.editor.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(piece)
        finally:
            self._filling = False

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_section(self, section: DraftSection) -> None:
        self.set_text(section.text)
        self.sources = list(section.sources)
        self.set_complete(section.complete, section.note)
        self.set_table(section.table)

    def set_complete(self, complete: bool, note: str = "") -> None:
        self.complete, self.note = complete, note
        self.incomplete_badge.setVisible(not complete)
        self.incomplete_badge.setToolTip(note)
        self.note_label.setVisible(not complete and bool(note))
        self.note_label.setText(self.tr("Incomplete: {note}").format(note=note))
        self._place_actions()

    def set_edited(self, edited: bool) -> None:
        self.edited_badge.setVisible(edited)
        self._place_actions()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_actions()

    def _place_actions(self) -> None:
        """Buttons beside the heading when it fits on one line there, else on a row below."""
        margins = self.layout().contentsMargins()
        spacing = self._header.spacing()
        self.title.ensurePolished()
        needed = self.title.fontMetrics().horizontalAdvance(self.title.text()) + 4
        needed += sum(b.sizeHint().width() + spacing for b in self.badges if not b.isHidden())
        needed += spacing + self.actions.sizeHint().width()
        below = self.width() - margins.left() - margins.right() < needed
        if below == self._actions_below:
            return
        self._actions_below = below
        if below:
            self._header.removeWidget(self.actions)
            self._actions_row.addWidget(self.actions, 0, Qt.AlignmentFlag.AlignVCenter)
        else:
            self._actions_row.removeWidget(self.actions)
            self._header.addWidget(self.actions, 0, Qt.AlignmentFlag.AlignVCenter)

    def is_edited(self) -> bool:
        return not self.edited_badge.isHidden()

    def set_table(self, table: Table | None) -> None:
        self.table.setVisible(table is not None and bool(table.rows))
        self.table_caption.setVisible(table is not None and bool(table.caption))
        if table is None:
            return
        self.table_caption.setText(table.caption)
        columns = max([len(table.header), *(len(r) for r in table.rows)], default=0)
        self.table.setColumnCount(columns)
        self.table.setRowCount(len(table.rows))
        if table.header:
            self.table.setHorizontalHeaderLabels(table.header)
        for r, row in enumerate(table.rows):
            for c, value in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        shown = min(len(table.rows), 6)
        row_height = self.table.verticalHeader().defaultSectionSize()
        header = self.table.horizontalHeader().sizeHint().height() if table.header else 0
        self.table.setFixedHeight(header + row_height * shown + 2 * self.table.frameWidth() + 2)

    def set_writable(self, writable: bool) -> None:
        self.editor.setReadOnly(not writable)

    # --- review marks -----------------------------------------------------------------

    def set_review(self, review: SectionReview | None) -> None:
        """Underline what the checks found: findings in their severity's colour (wavy),
        sentences nothing in the record supports (dotted). Cleared when the text changes."""
        self.review = review
        selections = []
        if review is not None:
            text = self.text()
            for citation in review.unsupported():
                selections.append(
                    self._mark(text, citation.start, citation.end, UNSUPPORTED_COLOUR, QTextCharFormat.UnderlineStyle.DotLine)
                )
            for finding in review.findings:
                if finding.end > finding.start:
                    selections.append(
                        self._mark(
                            text,
                            finding.start,
                            finding.end,
                            FINDING_COLOURS.get(finding.severity, FINDING_COLOURS[LOW]),
                            QTextCharFormat.UnderlineStyle.WaveUnderline,
                        )
                    )
        self.editor.setExtraSelections(selections)

    def marked_spans(self) -> list[tuple[int, int]]:
        """The underlined spans, as Qt positions (for tests)."""
        return [(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in self.editor.extraSelections()]

    def _mark(self, text: str, start: int, end: int, colour: str, style) -> QTextEdit.ExtraSelection:
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(qt_position(text, start))
        cursor.setPosition(qt_position(text, end), QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(style)
        fmt.setUnderlineColor(QColor(colour))
        selection.format = fmt
        return selection

    def select_span(self, start: int, end: int) -> None:
        """Select the characters ``start``-``end`` of the text (Python indices) and show them."""
        text = self.text()
        cursor = self.editor.textCursor()
        cursor.setPosition(qt_position(text, start))
        cursor.setPosition(qt_position(text, max(start, end)), QTextCursor.MoveMode.KeepAnchor)
        self.editor.setTextCursor(cursor)
        self.editor.ensureCursorVisible()

    def set_actions_enabled(self, enabled: bool) -> None:
        for button in (self.sources_button, self.history_button, self.regenerate_button):
            button.setEnabled(enabled)

    def _ask_sources(self) -> None:
        self.sources_requested.emit(self.key)

    def _ask_history(self) -> None:
        self.history_requested.emit(self.key)

    def _ask_regenerate(self) -> None:
        self.regenerate_requested.emit(self.key)

    # --- saving -----------------------------------------------------------------------

    def _changed(self) -> None:
        if self.review is not None:  # the marks no longer match the text; a new check follows
            self.set_review(None)
        if self._filling or self.editor.isReadOnly():
            return
        if not self.is_edited():
            self.set_edited(True)
            self.edited.emit(self.key)
        if not self._pending:
            self._pending = True
            self._max_wait.start()
        self._debounce.start()

    def flush(self) -> None:
        """Hand the pending edit to the store now (on timers, and before closing)."""
        self._debounce.stop()
        self._max_wait.stop()
        if self._pending:
            self._pending = False
            self.text_committed.emit(self.key, self.text())

    def has_pending(self) -> bool:
        return self._pending


class DraftPanel(QWidget):
    """The sections of the current draft, or a hint of what to do when there is none."""

    text_committed = Signal(str, str)
    edited = Signal(str)
    regenerate_requested = Signal(str)
    history_requested = Signal(str)
    sources_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editors: dict[str, SectionEditor] = {}
        self._streaming_key = ""
        # Cards still to be built for a draft that has started, and tokens that reached
        # them first (see start_skeleton).
        self._pending_cards: list = []
        self._previews: dict[str, str] = {}
        self._early_tokens: dict[str, list[str]] = {}
        self._card_timer = QTimer(self)
        self._card_timer.setSingleShot(True)
        self._card_timer.setInterval(0)
        self._card_timer.timeout.connect(self._build_next_card)

        self.title = QLabel(self.tr("Draft"))
        self.title.setObjectName("paneTitle")
        self.info = QLabel()
        self.info.setObjectName("muted")
        self.info.setWordWrap(True)
        self.hint = QLabel(self.tr("No draft yet."))
        self.hint.setObjectName("hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)

        self.body = QWidget()
        self.body.setObjectName("draftBody")
        self.sections_layout = QVBoxLayout(self.body)
        self.sections_layout.setContentsMargins(0, 0, 6, 0)
        self.sections_layout.setSpacing(10)
        self.sections_layout.addStretch(1)
        self.notes = QLabel()
        self.notes.setObjectName("draftNotes")
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes.hide()

        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.body)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.info)
        layout.addWidget(self.hint, 1)
        layout.addWidget(self.scroll, 1)
        self.scroll.hide()

    # --- states -----------------------------------------------------------------------

    def show_hint(self, text: str) -> None:
        """No draft: say what to do next."""
        self._clear_editors()
        self.title.setText(self.tr("Draft"))
        self.info.clear()
        self.hint.setText(text)
        self.hint.show()
        self.scroll.hide()

    def start_skeleton(self, template: Template, previews: dict[str, str]) -> None:
        """Drafting started: every section in template order, data sections previewed from
        the record, model sections waiting for the model's tokens."""
        self._clear_editors()
        self.title.setText(template.title)
        self.hint.hide()
        self.scroll.show()
        self.info.setText(self.tr("Drafting… Sections marked “data” are already filled from the record."))
        self._streaming_key = ""
        # One card per turn of the event loop: building them all at once froze the window
        # for ~150 ms on two cores. The model takes far longer to load and read the record.
        self._pending_cards = list(template.sections)
        self._previews = dict(previews)
        self._build_next_card()

    def _build_next_card(self) -> None:
        if not self._pending_cards:
            return
        spec = self._pending_cards.pop(0)
        editor = self._add_editor(spec.key, spec.heading, spec.origin)
        editor.set_writable(False)
        editor.set_actions_enabled(False)
        if spec.origin == "data":
            editor.set_text(self._previews.get(spec.key, ""))
            editor.editor.setPlaceholderText(self.tr("Filled from the record"))
        else:
            editor.editor.setPlaceholderText(self.tr("Waiting for the model…"))
        for piece in self._early_tokens.pop(spec.key, []):
            self.append_token(spec.key, piece)
        if self._pending_cards:
            self._card_timer.start()
        else:  # the draft's notes (hidden until it is shown) go after the last card
            self.sections_layout.insertWidget(self.sections_layout.count() - 1, self.notes)

    def show_draft(self, draft: Draft, edited: Iterable[str] = ()) -> None:
        """A finished (or stopped) draft, with the sections the doctor edited marked."""
        edited = set(edited)
        if [k for k in self.editors] != [s.key for s in draft.sections]:
            self._build(draft.title, [(s.key, s.heading, s.origin) for s in draft.sections])
        self.title.setText(draft.title)
        for section in draft.sections:
            editor = self.editors[section.key]
            editor.set_section(section)
            editor.set_edited(section.key in edited)
            editor.set_writable(True)
            editor.set_actions_enabled(True)
            editor.editor.setPlaceholderText(self.tr("(empty)"))
        self.info.setText(self._info(draft))
        self._set_notes(draft)
        self._streaming_key = ""

    def append_token(self, key: str, text: str) -> None:
        editor = self.editors.get(key)
        if editor is None:
            if any(spec.key == key for spec in self._pending_cards):  # its card comes next
                self._early_tokens.setdefault(key, []).append(text)
            return
        if key != self._streaming_key:
            self._streaming_key = key
            editor.editor.setPlaceholderText(self.tr("Writing…"))
            self.scroll.ensureWidgetVisible(editor, 0, 60)
        editor.append_text(text)

    def begin_regenerate(self, key: str) -> None:
        for other in self.editors.values():
            other.set_actions_enabled(False)
            other.sources_button.setEnabled(other.key != key)  # the rest can still be checked
        editor = self.editors[key]
        editor.flush()
        editor.set_writable(False)
        editor.set_text("")
        editor.set_complete(True)
        editor.editor.setPlaceholderText(self.tr("Waiting for the model…"))
        self._streaming_key = ""

    def finish_section(self, section: DraftSection, edited: bool = False) -> None:
        """A regenerated section arrived (or the regeneration failed and the old one is put back)."""
        for editor in self.editors.values():
            editor.set_actions_enabled(True)
            editor.set_writable(True)
        editor = self.editors.get(section.key)
        if editor is not None:
            editor.set_section(section)
            editor.set_edited(edited)
            editor.editor.setPlaceholderText(self.tr("(empty)"))
        self._streaming_key = ""

    def flush_all(self) -> None:
        for editor in self.editors.values():
            editor.flush()

    def show_review(self, review: DraftReview | None) -> None:
        """Underline each section's findings and unsupported sentences (None clears them)."""
        for key, editor in self.editors.items():
            editor.set_review(review.sections.get(key) if review is not None else None)

    def select(self, key: str, start: int, end: int) -> None:
        """Scroll to a section and select a span of its text, with the keyboard focus there."""
        editor = self.editors.get(key)
        if editor is None:
            return
        self.scroll.ensureWidgetVisible(editor, 0, 60)
        editor.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        editor.select_span(start, end)

    def incomplete_headings(self) -> list[str]:
        return [e.heading for e in self.editors.values() if not e.complete]

    # --- internals --------------------------------------------------------------------

    def _build(self, title: str, sections: list[tuple[str, str, str]]) -> None:
        self._clear_editors()
        self.title.setText(title)
        for key, heading, origin in sections:
            self._add_editor(key, heading, origin)
        self.sections_layout.insertWidget(self.sections_layout.count() - 1, self.notes)
        self.hint.hide()
        self.scroll.show()

    def _add_editor(self, key: str, heading: str, origin: str) -> SectionEditor:
        editor = SectionEditor(key, heading, origin)
        editor.text_committed.connect(self.text_committed)
        editor.edited.connect(self.edited)
        editor.regenerate_requested.connect(self.regenerate_requested)
        editor.history_requested.connect(self.history_requested)
        editor.sources_requested.connect(self.sources_requested)
        self.sections_layout.insertWidget(self.sections_layout.count() - 1, editor)
        self.editors[key] = editor
        return editor

    def _clear_editors(self) -> None:
        self._card_timer.stop()
        self._pending_cards = []
        self._early_tokens = {}
        for editor in self.editors.values():
            editor.flush()
            editor.hide()
            editor.deleteLater()
        self.editors.clear()
        self.notes.hide()

    def _info(self, draft: Draft) -> str:
        parts = [self.tr("Model {model}").format(model=draft.model) if draft.model else self.tr("No model")]
        parts.append(self.tr("drafted {when}").format(when=format_when(draft.created)))
        incomplete = sum(not s.complete for s in draft.sections)
        if draft.cancelled:
            parts.append(self.tr("stopped before the end"))
        if incomplete:
            parts.append(self.tr("incomplete sections: {n}").format(n=incomplete))
        return " · ".join(parts)

    def _set_notes(self, draft: Draft) -> None:
        if not draft.omitted:
            self.notes.hide()
            return
        lines = [self.tr("Left out of the model's reading (the record was larger than its context):")]
        lines += [f"• {note}" for note in draft.omitted]
        self.notes.setText("\n".join(lines))
        self.notes.show()


class HistoryDialog(QDialog):
    """The versions of one section, newest first; the chosen one can be restored."""

    def __init__(self, heading: str, versions: list, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("History of “{heading}”").format(heading=heading))
        self.versions = list(versions)
        self.list = QListWidget()
        for version in self.versions:
            when = version.created_at
            stamp = format_when(when) if hasattr(when, "strftime") else str(when)
            self.list.addItem(QListWidgetItem(f"{stamp} · {self.kind_name(version.kind)}"))
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.list.currentRowChanged.connect(self._chosen)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(self.preview)
        split.setSizes([220, 420])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = buttons.addButton(self.tr("Restore this version"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if not self.versions:
            layout.addWidget(QLabel(self.tr("No earlier versions.")))
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.resize(680, 420)
        if self.versions:
            self.list.setCurrentRow(0)

    def kind_name(self, kind: str) -> str:
        names = {
            "model": self.tr("written by the model"),
            "data": self.tr("filled from the record"),
            "edit": self.tr("your edit"),
            "restore": self.tr("restored"),
        }
        return names.get(kind, kind)

    def chosen_version(self):
        row = self.list.currentRow()
        return self.versions[row] if 0 <= row < len(self.versions) else None

    def _chosen(self, row: int) -> None:
        version = self.versions[row] if 0 <= row < len(self.versions) else None
        self.preview.setPlainText(version.text if version else "")
        self.restore_button.setEnabled(version is not None)
