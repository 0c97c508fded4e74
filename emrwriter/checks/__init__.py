"""Checks of a draft against the record of its stay (no Qt, no model).

- ``verify.verify(stay, draft_text, template) -> VerifyReport`` (findings, completeness, safety)
- ``citations.cite(draft_text, evidence_or_stay) -> list[Citation]``
- ``evidence.build_evidence(stay)``: the record read once, reusable across checks
- ``draft_file.read_draft``: a draft file (.txt, .md, .docx) as the one text the checks read
  (``emrwriter verify`` is emrwriter/cli/verify.py)
- ``scaffolding.scaffolding_of(template)``: the draft's own fixed text (labels, counts,
  placeholders, captions), derived from the template's sections.j2 and the words files

Messages are worded from ``emrwriter/words/<language>.toml`` in the draft's language;
a finding's ``kind`` and ``code`` stay the same in every language.
"""
