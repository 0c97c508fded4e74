"""A draft's review as Word comments: what the checks found (on the words), the model's
sentences that nothing in the record supports, and the required items the draft lacks
(on their section's heading), worded in the draft's language from the words files.

Whether a document gets them is the export policy's to say (emrwriter.workflow)."""

from __future__ import annotations

from pathlib import Path

from ..checks.review import DraftReview
from ..words import fill, words
from .docx_writer import Comment


def word_comments(review: DraftReview, language: str | None = None) -> list[Comment]:
    """The findings as Word comments (severity, message and the record's words), the
    model's sentences that nothing in the record supports, and the required items the
    draft lacks (on their section's heading), all in ``language`` (default: the draft's)."""
    language = language or review.language
    table = words(language)
    wording = table["review"]
    comments = []
    for key, section in review.sections.items():
        for citation in section.unsupported():
            comments.append(Comment(key, citation.start, citation.end, wording["unsupported"]))
    for key, finding in review.findings():
        text = fill(table, wording["finding"], severity=finding.severity, message=finding.in_language(language).message)
        if finding.evidence is not None:
            where = Path(finding.evidence.source.file).name
            if finding.evidence.quote:
                text += fill(table, wording["evidence_quote"], file=where, quote=finding.evidence.quote)
            else:
                text += fill(table, wording["evidence_file"], file=where)
        comments.append(Comment(key, finding.start, finding.end, text))
    for item in review.completeness.items:
        if item.present:
            continue
        key = item.key if item.key in review.sections else ""
        phrase = wording["missing_item"] if item.required_by else wording["missing_item_plain"]
        text = fill(
            table,
            phrase,
            heading=item.heading,
            note=item.note,
            standard=review.completeness.standard,
            required_by=item.required_by,
        )
        comments.append(Comment(key, 0, 0, text))
    return comments
