"""A repetition loop caught while the model writes.

Small models fall into loops ("患者病情平稳。患者病情平稳。…", the same list again and
again) and would run to the length limit. The guard watches the text as it streams and
says when it loops: the same stretch of text (4 to 300 characters) three times in a row at
the end, or one sentence written for the third time. The caller stops the section there,
keeps the text up to the first repeat and marks the section, so the doctor sees why.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[。！？!?；;\n]|\.(?=\s|$)")
_MIN_PERIOD, _MAX_PERIOD = 4, 300
_COPIES = 3
_MIN_SENTENCE = 6


class RepetitionGuard:
    def __init__(self) -> None:
        self.text = ""
        self.cut: int | None = None  # where the kept text ends when a loop was found
        self._checked = 0

    def feed(self, piece: str) -> bool:
        """Add streamed text; True once the text loops (then ``kept`` is the text to keep)."""
        self.text += piece
        if self.cut is not None:
            return True
        if not _SENTENCE_END.search(piece) and len(self.text) - self._checked < 24:
            return False
        self._checked = len(self.text)
        self.cut = self._periodic_tail() or self._repeated_sentence()
        return self.cut is not None

    @property
    def kept(self) -> str:
        return self.text if self.cut is None else self.text[: self.cut].rstrip()

    def _periodic_tail(self) -> int | None:
        """The same stretch three times at the end (numbers aside: "3. aspirin 4. aspirin"):
        keep the first copy."""
        text = re.sub(r"\d", "#", self.text.rstrip())
        for period in range(_MIN_PERIOD, min(_MAX_PERIOD, len(text) // _COPIES) + 1):
            tail = text[-period:]
            if tail.strip() and text.endswith(tail * _COPIES):
                return len(text) - period * (_COPIES - 1)
        return None

    def _repeated_sentence(self) -> int | None:
        """A sentence written for the third time: keep the text before that telling."""
        seen: dict[str, int] = {}
        start = 0
        for match in _SENTENCE_END.finditer(self.text):
            raw = self.text[start : match.end()]
            begins = start + len(raw) - len(raw.lstrip())
            start = match.end()
            sentence = re.sub(r"\s+", " ", raw).strip()
            if len(sentence) < _MIN_SENTENCE:
                continue
            seen[sentence] = seen.get(sentence, 0) + 1
            if seen[sentence] == _COPIES:
                return begins
        return None
