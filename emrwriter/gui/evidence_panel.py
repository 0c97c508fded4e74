"""The evidence pane: the source text behind whatever the doctor selected, with
the cited span highlighted and scrolled into view, so a claim can be checked
against the record in one glance instead of by opening files."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QFontDatabase, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..records.model import Document, Provenance, Record, RecordError
from ..workflow import source_text

log = logging.getLogger(__name__)

MAX_SOURCE_BYTES = 20 * 1024 * 1024  # larger files are named, not shown: the view would stall
HIGHLIGHT = QColor("#ffe08a")
FIXED_WIDTH = {".csv", ".tsv", ".json", ".ndjson", ".xml", ".hl7"}


def qt_position(text: str, pos: int) -> int:
    """A Python string index as a position in a QTextDocument built from ``display_text(text)``:
    CR LF counts once there, and characters beyond the BMP count twice (UTF-16)."""
    pos = max(0, min(pos, len(text)))
    head = text[:pos]
    head = head.replace("\r\n", "\n").replace("\r", "\n")
    return len(head.encode("utf-16-le")) // 2


def display_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


class SourceTexts:
    """The text of a record's sources as the importers saw it, since provenance
    offsets point into that text (a note's decoded text, a .docx's extracted text),
    not into the raw bytes. Read lazily and cached: most items are never inspected."""

    def __init__(self, record: Record) -> None:
        self.record = record
        self._raw: dict[str, str | None] = {}

    def span_text(self, prov: Provenance) -> str | None:
        """The text that ``prov.start``/``prov.end`` index into."""
        docs = [d for d in self.record.documents if d.provenance.file == prov.file]
        if len(docs) > 1:  # several notes in one file (FHIR DocumentReferences): match the locator
            docs = [d for d in docs if d.provenance.locator and prov.locator.startswith(d.provenance.locator)] or docs[:0]
        if len(docs) == 1:
            return docs[0].text
        return self.raw_text(prov.file)

    def has_document(self, file: str) -> bool:
        """True when the file was read as a note (its text is prose, not the file's own syntax)."""
        return any(d.provenance.file == file for d in self.record.documents)

    def raw_text(self, file: str) -> str | None:
        """The decoded file, or None when it is not text or too big to show."""
        if file not in self._raw:
            self._raw[file] = self._read(file)
        return self._raw[file]

    @staticmethod
    def _read(file: str) -> str | None:
        path = Path(file)
        try:
            if not path.is_file() or path.stat().st_size > MAX_SOURCE_BYTES:
                return None
            data = path.read_bytes()
            if data.startswith((b"PK\x03\x04", b"%PDF-")):
                return None  # binary: only its extracted text (a Document) can be shown
            return source_text(data, file)
        except (OSError, RecordError) as exc:
            log.debug("cannot show source %s: %s", file, exc)
            return None


def locate(text: str, locator: str) -> tuple[int, int] | None:
    """Where a FHIR resource reference ("Condition/abc") sits in its file: the line
    with its "id". Exact by id; other locators (XML paths) are only named."""
    kind, _, ident = locator.partition("/")
    if not ident or not kind.isalpha() or "/" in ident:
        return None
    match = re.search(r'"id"\s*:\s*"' + re.escape(ident) + '"', text)
    if match is None:
        return None
    start = text.rfind("\n", 0, match.start()) + 1
    end = text.find("\n", match.end())
    return start, end if end >= 0 else len(text)


class EvidencePanel(QWidget):
    """Title, where it came from, an optional list of cited sources, and the source text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record: Record | None = None
        self.texts: SourceTexts | None = None
        self._highlight: tuple[int, int] | None = None
        self._sources: list[Provenance] = []

        self.title = QLabel(self.tr("Evidence"))
        self.title.setObjectName("paneTitle")
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where.setObjectName("muted")
        self.source_list = QListWidget()
        self.source_list.setToolTip(self.tr("The record items this section was built from; select one to see it"))
        self.source_list.currentRowChanged.connect(self._source_chosen)
        self.source_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.source_list.setWordWrap(True)  # a long diagnosis wraps instead of losing its file name
        self.source_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.view = QPlainTextEdit()
        self.view.setReadOnly(True)
        self._normal = self.view.font()
        self._fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.view.setPlaceholderText(
            self.tr("Select a diagnosis, medication, lab result, document or draft section to see where it comes from.")
        )
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.source_list)
        self.split.addWidget(self.view)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 5)
        self.split.setSizes([110, 600])
        self.split.setChildrenCollapsible(False)
        self.source_list.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.where)
        layout.addWidget(self.split, 1)

    def set_record(self, record: Record | None) -> None:
        self.record = record
        self.texts = SourceTexts(record) if record is not None else None
        self.clear()

    def clear(self) -> None:
        self.title.setText(self.tr("Evidence"))
        self.where.clear()
        self._sources = []
        self.source_list.clear()
        self.source_list.hide()
        self._show_text("", None)

    # --- what the other panes ask for -------------------------------------------------

    def show_item(self, title: str, item: object) -> None:
        """A structured item or a document, chosen in the record pane."""
        self._sources = []
        self.source_list.hide()
        self.title.setText(title)
        if isinstance(item, Document):
            self.where.setText(self._where(item.provenance))
            self._show_text(item.text, None, item.provenance.file)
            return
        prov = getattr(item, "provenance", None)
        if prov is None:
            self.where.setText(self.tr("The record does not say where this came from."))
            self._show_text("", None)
            return
        self.show_provenance(prov)

    def show_problem(self, file: str, message: str) -> None:
        """An import problem: the message and, where it can be shown, the file it is about."""
        self._sources = []
        self.source_list.hide()
        self.title.setText(self.tr("Import problem"))
        self.where.setText(f"{Path(file).name}: {message}")
        text = self.texts.raw_text(file) if self.texts else None
        self._show_text(text or "", None, file)

    def show_sources(self, heading: str, sources: list[Provenance]) -> None:
        """A draft section's cited sources; the first is shown at once."""
        self.title.setText(self.tr("Sources of “{heading}”").format(heading=heading))
        self._sources = list(sources)
        self.source_list.clear()
        if not sources:
            self.source_list.hide()
            self.where.setText(self.tr("This section cites no record items."))
            self._show_text("", None)
            return
        for prov in sources:
            entry = QListWidgetItem(self._short(prov))
            entry.setToolTip(str(prov))
            self.source_list.addItem(entry)
        self.source_list.show()
        self.source_list.setCurrentRow(0)

    def show_provenance(self, prov: Provenance) -> None:
        """The file text with ``start``/``end`` highlighted; a locator alone is named (and found, for FHIR ids)."""
        self.where.setText(self._where(prov))
        if self.texts is None:
            self._show_text("", None)
            return
        if prov.start is not None:
            text = self.texts.span_text(prov)
            if text is not None:
                end = prov.end if prov.end is not None else prov.start
                self._show_text(text, (prov.start, end), prov.file)
                return
        text = self.texts.raw_text(prov.file)
        span = locate(text, prov.locator) if text and prov.locator else None
        if text is None:
            self.where.setText(self._where(prov) + "\n" + self.tr("(this file's text cannot be shown here)"))
        self._show_text(text or "", span, prov.file)

    def highlighted_text(self) -> str:
        """The highlighted span as shown (for tests and for copying)."""
        if self._highlight is None:
            return ""
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(self._highlight[0])
        cursor.setPosition(self._highlight[1], QTextCursor.MoveMode.KeepAnchor)
        return cursor.selectedText().replace("\u2029", "\n")

    # --- internals --------------------------------------------------------------------

    def _source_chosen(self, row: int) -> None:
        if 0 <= row < len(self._sources):
            self.show_provenance(self._sources[row])

    def _where(self, prov: Provenance) -> str:
        parts = [self.tr("File: {name}").format(name=Path(prov.file).name)]
        if prov.locator:
            parts.append(self.tr("Location: {locator}").format(locator=prov.locator))
        if prov.start is not None:
            parts.append(self.tr("Characters {start}–{end}").format(start=prov.start, end=prov.end))
        return " · ".join(parts)

    def _short(self, prov: Provenance) -> str:
        """What the item says first (that is what the doctor scans for), then where it is."""
        snippet = ""
        if prov.start is not None and self.texts is not None:
            text = self.texts.span_text(prov)
            if text:
                snippet = " ".join(text[prov.start : prov.end or prov.start].split())
        head = snippet or prov.locator or Path(prov.file).name
        if len(head) > 60:
            head = head[:59] + "…"
        return f"{head} — {Path(prov.file).name}"

    def _show_text(self, text: str, span: tuple[int, int] | None, file: str = "") -> None:
        # Tables and markup read best in columns; notes read best in the normal font.
        raw = bool(file) and self.texts is not None and not self.texts.has_document(file)
        self.view.setFont(self._fixed if raw and Path(file).suffix.lower() in FIXED_WIDTH else self._normal)
        self.view.setPlainText(display_text(text))
        self._highlight = None
        if span is None:
            self.view.setExtraSelections([])
            self.view.moveCursor(QTextCursor.MoveOperation.Start)
            return
        start, end = qt_position(text, span[0]), qt_position(text, span[1])
        self._highlight = (start, end)
        selection = QTextEdit.ExtraSelection()
        selection.format = QTextCharFormat()
        selection.format.setBackground(HIGHLIGHT)
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, False)
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        self.view.setExtraSelections([selection])
        # Land on the end first and then the start, so a long span shows from its beginning.
        caret = QTextCursor(self.view.document())
        caret.setPosition(end)
        self.view.setTextCursor(caret)
        self.view.ensureCursorVisible()
        caret.setPosition(start)
        self.view.setTextCursor(caret)
        self.view.centerCursor()
        QTimer.singleShot(0, self.view.centerCursor)  # again once the new text is laid out
