"""Dates and clock times in every form a zh or en note or draft uses.

Full dates come from ``records.notes.find_date`` (one reader for the importer and
the verifier); this module adds the partial forms a summary writes when the
year is obvious ("Oct 8", "10月8日", "10-08", "10/04"), month-year forms
("March 2000", "06/2024"), day-first English ("8 Oct 2026") and clock times.
Partial dates compare equal to any full date they agree with.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..records.dates import DateScanner

MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_MONTH = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_ORD = r"(?:st|nd|rd|th)?"

_EXTRA_DATES = (
    # 8 Oct 2026, 27th of March, 2006
    re.compile(rf"(?<![\w/])(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH},?\s+(?P<y>\d{{4}})(?!\d)", re.IGNORECASE),
    # 8 Oct / 27th of March (no year)
    re.compile(rf"(?<![\w/])(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH}(?![A-Za-z])", re.IGNORECASE),
    # Oct 8 / March 27th (no year)
    re.compile(rf"(?<![A-Za-z]){_MONTH}\s+(?P<d>\d{{1,2}}){_ORD}(?![\d:A-Za-z])", re.IGNORECASE),
    # March 2000, Mar. 2000
    re.compile(rf"(?<![A-Za-z]){_MONTH},?\s+(?P<y>\d{{4}})(?!\d)", re.IGNORECASE),
    # 10月8日, 10月8号
    re.compile(r"(?<![\d年])(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"),
    # 2026年10月 (no day)
    re.compile(r"(?<!\d)(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月(?!\s*\d)"),
    # 06/2024
    re.compile(r"(?<![\d/.])(?P<m>\d{1,2})/(?P<y>(?:19|20)\d{2})(?![\d/])"),
    # 10-08, 10/04: two digits each, not part of a longer number
    re.compile(r"(?<![\d/.\-:])(?P<m>\d{2})(?P<sep>[-/])(?P<d>\d{2})(?![\d/.]|-\d)"),
)
TIME = re.compile(
    r"(?<![\d:：.])(?P<H>\d{1,2})\s?[:：]\s?(?P<M>\d{2})(?::\d{2})?(?![\d:])(?P<ampm>\s*[ap]\.?\s?m\.?(?![A-Za-z]))?"
    r"|(?<!\d)(?P<zH>\d{1,2})\s*[时點点]\s*(?P<zM>\d{1,2})\s*分",
    re.IGNORECASE,
)
_TIME_IN_DATE = re.compile(r"(\d{1,2})\s*[:：时]\s*(\d{1,2})")


@dataclass(frozen=True)
class DateValue:
    year: int | None
    month: int | None
    day: int | None

    def compatible(self, other: DateValue) -> bool:
        """Agree on every part both sides state (a partial date matches a full one)."""
        pairs = ((self.year, other.year), (self.month, other.month), (self.day, other.day))
        if any(a is not None and b is not None and a != b for a, b in pairs):
            return False
        return self.month is not None and other.month is not None or self.year == other.year

    def key(self) -> str:
        return f"d:{self.month}-{self.day}" if self.day else f"d:{self.year}-{self.month}"

    def iso(self) -> str:
        parts = [f"{self.year:04d}" if self.year else "????", f"{self.month:02d}" if self.month else "??"]
        if self.day:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)


@dataclass(frozen=True)
class TimeValue:
    hour: int
    minute: int

    def key(self) -> str:
        return f"t:{self.hour:02d}:{self.minute:02d}"


@dataclass(frozen=True)
class DateMention:
    value: DateValue | TimeValue
    start: int
    end: int


def _valid(month: int | None, day: int | None) -> bool:
    return (month is None or 1 <= month <= 12) and (day is None or 1 <= day <= 31)


def _month(match: re.Match[str]) -> int:
    name = (match.groupdict().get("mon") or "").lower().rstrip(".")
    if name:
        return MONTHS.get(name) or MONTHS[name[:3]]
    return int(match["m"])


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Does ``start:end`` overlap one of ``spans`` (disjoint, sorted: kept so by _take)?"""
    before = bisect.bisect_left(spans, (end, -1))  # the spans that start before ``end``
    return before > 0 and start < spans[before - 1][1]


def _take(spans: list[tuple[int, int]], start: int, end: int) -> None:
    bisect.insort(spans, (start, end))


def find_dates(text: str) -> list[DateMention]:
    """Every date and clock time in ``text``, in order, without overlaps."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    pos = 0
    scanner = DateScanner(text)
    while True:
        full = scanner.find(pos)
        if full is None:
            break
        date_end = full.end
        if full.has_time:
            clock = None
            for clock in _TIME_IN_DATE.finditer(text, full.start, full.end):
                pass  # the last h:m inside the span is the time
            if clock is not None and clock.start() > full.start + 5:
                date_end = clock.start()
                hour, minute = int(clock[1]), int(clock[2])
                if hour < 24 and minute < 60:
                    found.append(DateMention(TimeValue(hour, minute), clock.start(), full.end))
        value = full.value
        found.append(DateMention(DateValue(value.year, value.month, value.day), full.start, _rstrip(text, full.start, date_end)))
        _take(taken, full.start, full.end)
        pos = full.end
    for pattern in _EXTRA_DATES:
        for match in pattern.finditer(text):
            if _overlaps(taken, match.start(), match.end()):
                continue
            groups = match.groupdict()
            month = _month(match)
            day = int(groups["d"]) if groups.get("d") else None
            year = int(groups["y"]) if groups.get("y") else None
            if not _valid(month, day):
                continue
            if groups.get("sep") and _looks_like_range(text, match):
                continue
            found.append(DateMention(DateValue(year, month, day), match.start(), match.end()))
            _take(taken, match.start(), match.end())
    for match in TIME.finditer(text):
        if _overlaps(taken, match.start(), match.end()):
            continue
        hour = int(match["H"] or match["zH"])
        minute = int(match["M"] or match["zM"])
        ampm = (match["ampm"] or "").strip().lower()
        if ampm.startswith("p") and hour < 12:
            hour += 12
        elif ampm.startswith("a") and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            found.append(DateMention(TimeValue(hour, minute), match.start(), match.end()))
            _take(taken, match.start(), match.end())
    found.sort(key=lambda m: m.start)
    return found


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \t\u3000T":
        end -= 1
    return end


_UNIT_AFTER = re.compile(
    r"\s*(?:mg|g|ml|l|kg|cm|mm|%|mmhg|次|岁|天|周|个|小时|min|hours?|days?|weeks?|years?|bpm)(?![A-Za-z])", re.IGNORECASE
)


def _looks_like_range(text: str, match: re.Match[str]) -> bool:
    """ "10-15 mL" and "12/16 bpm" are ranges or ratios, not dates."""
    return bool(_UNIT_AFTER.match(text, match.end()))
