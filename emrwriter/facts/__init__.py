"""Information structuring from zh and en clinical text, by rules and dictionaries.

- ``tokens.tokenize``: normalised tokens with spans (quantities with units, dates,
  frequencies, routes, drugs, tests); ``tokens.split_sentences``.
- ``units``, ``numbers``, ``dates``, ``dosing``: one value for every spelling
  ("0.5 g" = "500 mg", "two weeks" = "2 weeks", "bid" = "每日两次", "Oct 8, 2026" = "2026年10月8日").
- ``conditions``: diagnosis vocabulary (drugs and labs are the leaf package ``emrwriter.vocabulary``).
- ``assertion.read``: the findings of a sentence with their status (present, absent, normal,
  abnormal, positive, negative; possible, historical) and sides, by the cue tables
  ``cues_en.toml`` / ``cues_zh.toml``; ``negation``: a view of it (negated concepts, side words).
- ``stay.stay_facts``: the one fact layer of a stay (``facts_json`` for ``inspect --json``),
  with ``reconcile`` (the discharge medications as a reconciliation) and ``extract`` (lab
  results, procedures, follow-up and pending results read from the notes' text).
- ``timeline.build_timeline``: the stay day by day, each entry with its source.
"""
