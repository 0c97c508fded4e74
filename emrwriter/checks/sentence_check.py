"""The check a sentence gets as soon as the model has written it (drafting.guarded): the
values, drugs and sides in it that the record does not support, as high-severity findings of
the verifier's grounding check would name them."""

from __future__ import annotations

from collections.abc import Callable

from ..records.stay import Stay
from .evidence import RecordEvidence, build_evidence
from .findings import HIGH
from .grounding import check_grounding


def sentence_check(stay: Stay, evidence: RecordEvidence | None = None) -> Callable[[str], list[str]]:
    """A function from one drafted sentence to the words in it that a high-severity finding
    names (empty: the sentence may stand)."""
    evidence = evidence or build_evidence(stay)

    def check(sentence: str) -> list[str]:
        return [f.text for f in check_grounding(sentence, evidence) if f.severity == HIGH and f.text]

    return check
