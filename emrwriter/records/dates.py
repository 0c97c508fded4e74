"""Dates as notes write them: 2026年3月2日 10时, 2026-03-02 09:00, 03/15/2026, March 26, 2006,
05-Mar-2026, 14 Feb 2026; and with the year from context, 3月12日 or March 10."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

_MONTHS = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])"
)
_TIME = r"(?:[ \t　T]+(?P<H>\d{1,2})[:：](?P<M>\d{2})(?:[:：](?P<S>\d{2}))?)?"
_DATE_PATTERNS = (
    re.compile(
        r"(?<!\d)(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
        r"(?:\s*(?P<H>\d{1,2})\s*[时:：]\s*(?P<M>\d{1,2})\s*分?)?"
    ),
    re.compile(rf"(?<!\d)(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}})(?!\d){_TIME}"),
    re.compile(rf"(?<![\d/])(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})/(?P<y>\d{{4}})(?!\d){_TIME}"),
    re.compile(
        r"(?<![A-Za-z])(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+"
        rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?!\d){_TIME}",
        re.IGNORECASE,
    ),
    # 05-Mar-2026, 14 Feb 2026, 27 March 2026
    re.compile(
        rf"(?<![\dA-Za-z])(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[- ]{_MONTH}\.?[- ,]\s*"
        rf"(?P<y>\d{{4}})(?!\d){_TIME}",
        re.IGNORECASE,
    ),
)
# Dates without a year ("3月12日", "March 10", "3/12"), read only where the year is known from context
_YEARLESS_PATTERNS = (
    re.compile(r"(?<![\d年])(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日(?:\s*(?P<H>\d{1,2})\s*[时:：]\s*(?P<M>\d{1,2})\s*分?)?"),
    re.compile(
        rf"(?<![A-Za-z]){_MONTH}\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?!,?\s*\d{{4}})",
        re.IGNORECASE,
    ),
    re.compile(rf"(?<![\d/])(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})(?![\d/]){_TIME}"),
)


@dataclass(frozen=True)
class FoundDate:
    value: datetime
    has_time: bool
    start: int
    end: int


def find_date(text: str, pos: int = 0, endpos: int | None = None) -> FoundDate | None:
    """The earliest valid date in ``text[pos:endpos]`` (zh, ISO, US M/D/Y, "March 26, 2006")."""
    endpos = len(text) if endpos is None else endpos
    best: FoundDate | None = None
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text, pos, endpos):
            if best is not None and match.start() >= best.start:
                break
            found = _to_date(match)
            if found is not None:
                best = found
                break
    return best


class DateScanner:
    """The dates of one text, earliest first from a position that only moves forward: each
    pattern's next valid match is kept, so a text of thousands of dates is read once per
    pattern (find_date from each position would read the rest of the text each time)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._next: dict[int, FoundDate | None] = {}  # pattern index -> its next valid date

    def find(self, pos: int) -> FoundDate | None:
        """What find_date(text, pos) gives, for positions that never go back."""
        best: FoundDate | None = None
        for index, pattern in enumerate(_DATE_PATTERNS):
            found = self._next.get(index, _UNREAD)
            if found is _UNREAD or (found is not None and found.start < pos):
                found = None
                for match in pattern.finditer(self.text, pos):
                    found = _to_date(match)
                    if found is not None:
                        break
                self._next[index] = found
            if found is not None and (best is None or found.start < best.start):
                best = found
        return best


_UNREAD = object()


def find_yearless_date(text: str, year: int, pos: int = 0, endpos: int | None = None) -> FoundDate | None:
    """The earliest date in ``text[pos:endpos]``, a date without a year ("3月12日", "March 10")
    taking ``year`` (known from the note's other dates)."""
    endpos = len(text) if endpos is None else endpos
    found = find_date(text, pos, endpos)
    for pattern in _YEARLESS_PATTERNS:
        for match in pattern.finditer(text, pos, endpos):
            if found is not None and match.start() >= found.start:
                break
            date = _to_date(match, year)
            if date is not None:
                found = date
                break
    return found


def _to_date(match: re.Match[str], year: int | None = None) -> FoundDate | None:
    groups = match.groupdict()
    month = _MONTHS[groups["mon"][:3].lower()] if groups.get("mon") else int(groups["m"])
    hour, minute, second = (int(groups.get(k) or 0) for k in ("H", "M", "S"))
    try:
        value = datetime(int(groups.get("y") or year or 0), month, int(groups["d"]), hour, minute, second)
    except ValueError:
        return None
    return FoundDate(value, groups.get("H") is not None, match.start(), match.end())


def parse_datetime(value: str) -> datetime | None:
    """Read a date/time cell or field value; None when it holds no date we can read."""
    text = value.strip()
    found = find_date(text)
    if found is None or found.start != 0:
        return None
    return found.value
