"""The findings pane: what the verifier found in the draft (wrong or unsupported
numbers, drugs, dates, omissions, safety checks, missing required items), most
severe first, re-checked off the GUI thread whenever the doctor pauses typing.
Choosing a finding selects its words in the draft and shows the record's evidence."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ..checks.evidence import RecordEvidence
from ..checks.findings import HIGH, LOW, MEDIUM, SEVERITIES, Finding
from ..checks.review import CheckedSection, DraftReview
from ..records.stay import Stay
from ..templates import Template
from ..words import words
from ..workflow import build_evidence, review_draft
from .latest import LatestJobs

log = logging.getLogger(__name__)

RECHECK_MS = 1500  # after the last keystroke
SEVERITY_ORDER = {severity: n for n, severity in enumerate(SEVERITIES)}  # most severe first
SEVERITY_COLOURS = {HIGH: "#a1231b", MEDIUM: "#8a5300", LOW: "#5f6670"}


class FindingsPanel(QWidget):
    """The list of findings; ``request`` schedules a re-check, ``review_ready`` reports it."""

    finding_chosen = Signal(str, object)  # section key ("" for the whole draft), Finding
    review_ready = Signal(object)  # DraftReview, once a check is shown

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.review: DraftReview | None = None
        self._evidence: RecordEvidence | None = None
        self._evidence_of: Stay | None = None
        self._checks = LatestJobs(self)  # one check at a time on the thread pool (about a second each); the latest is shown
        self._checks.settled.connect(self._settled)
        self._checks.finished.connect(self._done)
        self._checks.failed.connect(self._failed)
        self._pending: tuple | None = None
        self._headings: dict[str, str] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RECHECK_MS)
        self._timer.timeout.connect(self._start)

        self.title = QLabel(self.tr("Findings"))
        self.title.setObjectName("paneTitle")
        self.summary = QLabel(self.tr("Draft a summary to check it against the record."))
        self.summary.setObjectName("muted")
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([self.tr("Severity"), self.tr("Section"), self.tr("Finding")])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        self.tree.setToolTip(self.tr("Choose a finding to see the words in the draft and the record's evidence"))
        self.tree.currentItemChanged.connect(self._chosen)
        self.tree.itemClicked.connect(lambda item, _column: self._chosen(item))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)

    # --- checking -----------------------------------------------------------------------

    def request(self, stay: Stay, sections: list[CheckedSection], template: Template | None, at_once: bool = False) -> None:
        """Check these sections (after a pause in typing unless ``at_once``)."""
        self._pending = (stay, sections, template)
        self._checks.supersede()  # a check under way is of older text: its result is not shown
        self._headings = {s.key: s.heading for s in sections}
        if at_once:
            self._timer.stop()
            self._start()
        else:
            self._timer.start()

    def clear(self) -> None:
        self._timer.stop()
        self._pending = None
        self._checks.supersede()  # results of checks under way are not shown
        self.review = None
        self.tree.clear()
        self.title.setText(self.tr("Findings"))
        self.summary.setText(self.tr("Draft a summary to check it against the record."))

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Before the window closes: no new checks, and the one under way finished."""
        self.clear()
        self._checks.shutdown(timeout_ms)

    def busy(self) -> bool:
        return self._checks.busy() or self._timer.isActive()

    def current(self, stay: Stay, sections: list[CheckedSection], template: Template | None) -> DraftReview:
        """The review of exactly these sections: the one shown if it is up to date, else
        checked now, on this thread (for export, where the doctor waits for the file anyway)."""
        if self.review is not None and self._pending is None and not self._timer.isActive() and not self._checks.latest_running():
            return self.review
        self._timer.stop()
        self._pending = None
        self._checks.supersede()
        if self._evidence_of is not stay or self._evidence is None:
            self._evidence, self._evidence_of = build_evidence(stay), stay
        self._headings = {s.key: s.heading for s in sections}
        review = review_draft(stay, sections, template, self._evidence)
        self.show_review(review)
        self.review_ready.emit(review)
        return review

    def _start(self) -> None:
        if self._pending is None:
            return
        stay, sections, template = self._pending
        self._pending = None
        if self._evidence_of is not stay:
            self._evidence, self._evidence_of = None, stay
        known = self._evidence

        def check() -> tuple[Stay, DraftReview, RecordEvidence]:
            evidence = known or build_evidence(stay)
            return stay, review_draft(stay, sections, template, evidence), evidence

        self._checks.start(check)
        self.summary.setText(self.tr("Checking the draft against the record…"))

    def _settled(self, _ticket: int, result: tuple | None, error: Exception | None) -> None:
        """Every check that ends, shown or not: the record's evidence is kept (built once per stay)."""
        if error is not None:  # the checks must never take the app down: the pane says so instead
            log.error("review failed", exc_info=error)
        elif result[0] is self._evidence_of:
            self._evidence = result[2]

    def _done(self, result: tuple) -> None:
        review = result[1]
        self.show_review(review)
        self.review_ready.emit(review)

    def _failed(self, error: Exception) -> None:
        message = f"{type(error).__name__}: {error}"
        self.summary.setText(self.tr("The draft could not be checked: {error}").format(error=message))

    # --- showing ------------------------------------------------------------------------

    def show_review(self, review: DraftReview) -> None:
        self.review = review
        self.tree.clear()
        found = sorted(review.findings(), key=lambda kf: SEVERITY_ORDER.get(kf[1].severity, 3))
        for key, finding in found:
            # The message as the checks worded it, in the draft's language (not the interface's).
            item = QTreeWidgetItem(
                [self._severity(finding.severity), self._headings.get(key, self.tr("Whole draft")), finding.message]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, (key, finding))
            item.setForeground(0, QBrush(QColor(SEVERITY_COLOURS.get(finding.severity, "#000000"))))
            item.setToolTip(2, self._tooltip(finding))
            self.tree.addTopLevelItem(item)
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(1, min(self.tree.sizeHintForColumn(1) + 12, 160))
        high = sum(1 for _, f in found if f.severity == HIGH)
        unsupported = sum(len(s.unsupported()) for s in review.sections.values())
        self.title.setText(self.tr("Findings ({n})").format(n=len(found)))
        parts = [
            self.tr("high: {high}, other: {other}").format(high=high, other=len(found) - high),
            self.tr("sentences without support in the record: {n}").format(n=unsupported),
        ]
        missing = review.completeness.missing_headings  # the template's headings, in the draft's language
        if missing:
            items = words(review.language)["list_separator"].join(missing)
            parts.append(self.tr("missing: {items}").format(items=items))
        else:
            parts.append(self.tr("every required item present"))
        self.summary.setText(" · ".join(parts))

    def _severity(self, severity: str) -> str:
        return {HIGH: self.tr("High"), MEDIUM: self.tr("Medium"), LOW: self.tr("Low")}.get(severity, severity)

    def _tooltip(self, finding: Finding) -> str:
        tip = finding.message
        if finding.evidence is not None and finding.evidence.quote:
            tip += "\n" + self.tr("Record: {quote}").format(quote=finding.evidence.quote)
        return tip

    def _chosen(self, item: QTreeWidgetItem | None, _previous=None) -> None:
        if item is None:
            return
        key, finding = item.data(0, Qt.ItemDataRole.UserRole)
        self.finding_chosen.emit(key, finding)
