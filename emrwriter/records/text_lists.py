"""Lists inside a note's section: numbered (1. / （1） / ①), bulleted, one per line or cut at
semicolons, with hard-wrapped English prose joined back into lines. Every item is a span
into the note's text, so whatever is read from it can be cited."""

from __future__ import annotations

import re

_MARKER = re.compile(
    r"(?:^|(?<=[\s。；;:：]))[ \t　]*(?:(?P<n>\d{1,2})[ \t]?[.．、)）](?!\d)|[（(](?P<p>\d{1,2})[)）]|(?P<c>[①-⑳])"
    r"|(?P<a>[a-h])[.)](?=[ \t])|[（(](?P<ap>[a-h])[)）]|(?P<r>i{1,3}|iv|v|vi{1,3}|ix|x)[.)](?=[ \t]))",
    re.MULTILINE,
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_BULLET = re.compile(r"^[ \t　]*(?:[-*+][ \t]+|[•·●▪■◆◦‣○□➢►][ \t]*)(?=\S)", re.MULTILINE)
_BLANK_LINE = re.compile(r"\n[ \t　]*\n")
_ENDS_ITEM = tuple(".;:。；：!?！？")
ITEM_SEPARATORS = re.compile(r"[;；]|。(?=\s*\S)")
TRAILING = " \t\n　;；,，、"


def trim(text: str, start: int, end: int, strip: str = " \t\n　") -> tuple[int, int]:
    while start < end and text[start] in strip:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return start, end


def _numbered_markers(text: str, start: int, end: int) -> list[re.Match[str]]:
    """Markers 1, 2, 3 ... (or a, b, c; i, ii, iii; ①②③) in sequence, all of one style;
    the first must open a line or the body."""
    accepted: list[re.Match[str]] = []
    style = ""
    for match in _MARKER.finditer(text, _line_start(text, start), end):
        kind, value = _marker_value(match)
        if value != len(accepted) + 1 or (style and kind != style):
            continue
        style = kind
        if not accepted:
            line_start = text.rfind("\n", 0, match.start()) + 1
            if text[max(line_start, start) : match.start()].strip():
                continue
        accepted.append(match)
    return accepted


def _marker_value(match: re.Match[str]) -> tuple[str, int]:
    if match["n"] or match["p"]:
        return "number", int(match["n"] or match["p"])
    if match["c"]:
        return "circled", ord(match["c"]) - ord("①") + 1
    if match["a"] or match["ap"]:
        return "letter", ord((match["a"] or match["ap"]).lower()) - ord("a") + 1
    return "roman", _ROMAN[match["r"].lower()]


def _line_start(text: str, start: int) -> int:
    """Back to the start of the line when only indentation precedes ``start`` (so an indented
    first bullet still opens its line)."""
    line = text.rfind("\n", 0, start) + 1
    return line if not text[line:start].strip() else start


def _marked_items(text: str, start: int, end: int, markers: list[re.Match[str]]) -> list[tuple[int, int]]:
    """Each marked item runs to the next marker, or to a blank line, whichever comes first.
    When every item before it took one line, the last one ends with its line too: what
    follows flush at the margin ("出院后1周门诊复诊") is no longer part of the list."""
    items = []
    for index, marker in enumerate(markers):
        stop = markers[index + 1].start() if index + 1 < len(markers) else end
        blank = _BLANK_LINE.search(text, marker.end(), stop)
        if blank:
            stop = blank.start()
        item = trim(text, marker.end(), stop, TRAILING)
        if item[0] < item[1]:
            items.append(item)
    if len(items) >= 2 and all("\n" not in text[s:e] for s, e in items[:-1]):
        s, e = items[-1]
        flush = re.compile(r"\n(?=\S)").search(text, s, e)
        if flush:
            items[-1] = trim(text, s, flush.start(), TRAILING)
    return items


def _is_latin(line: str) -> bool:
    return sum(c.isascii() for c in line) > len(line) * 0.8


def logical_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Lines of a body with hard-wrapped English prose joined back together: a line
    continues the previous one when that one has no closing punctuation and either this
    one starts in lower case or that one was wrapped: it reached the wrap margin (~60+
    chars) and this line's first word would not have fitted on it (lines of a list are
    each shorter than the longest line by more than a word)."""
    physical = []
    offset = start
    for raw in text[start:end].split("\n"):
        physical.append(trim(text, offset, offset + len(raw)))
        offset += len(raw) + 1
    width = max((e - s for s, e in physical), default=0)
    lines: list[tuple[int, int]] = []
    previous: tuple[int, int] | None = None  # the previous physical line, None after a blank line
    for s, e in physical:
        if s == e:
            previous = None
            continue
        if previous is not None and lines:
            last = text[previous[0] : previous[1]]
            first_word = len(text[s:e].split(None, 1)[0])
            at_margin = len(last) >= 60 and len(last) + 1 + first_word > width - 2
            wrapped = text[s].islower() or (_is_latin(last) and at_margin)
            if wrapped and not last.endswith(_ENDS_ITEM):
                lines[-1] = (lines[-1][0], e)
                previous = (s, e)
                continue
        lines.append((s, e))
        previous = (s, e)
    return lines


def split_at(text: str, span: tuple[int, int], separators: re.Pattern[str]) -> list[tuple[int, int]]:
    pieces = []
    position = span[0]
    for match in separators.finditer(text, span[0], span[1]):
        pieces.append((position, match.start()))
        position = match.end()
    pieces.append((position, span[1]))
    return [p for p in (trim(text, s, e, TRAILING) for s, e in pieces) if p[0] < p[1]]


def marked_list(text: str, start: int, end: int) -> list[tuple[int, int]] | None:
    """Numbered or bulleted items, or None when the body has no list markers."""
    markers = _numbered_markers(text, start, end)
    if markers:
        return _marked_items(text, start, end, markers)
    bullets = list(_BULLET.finditer(text, _line_start(text, start), end))
    if bullets:
        return _marked_items(text, start, end, bullets)
    return None


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Logical lines, each cut at semicolons and at 。 between sentences."""
    return [piece for line in logical_lines(text, start, end) for piece in split_at(text, line, ITEM_SEPARATORS)]


def list_items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of list items in ``text[start:end]``: numbered, bulleted, one per line or
    separated by semicolons. Commas never split: "Diabetes, type 2" is one item."""
    marked = marked_list(text, start, end)
    return marked if marked is not None else _pieces(text, start, end)


_SENTENCE_BREAK = re.compile(r"\.\s+(?=[A-Z])|:\s+(?=[A-Z])")
_ABBREVIATION = re.compile(r"(?:^|\s)(?:Dr|Mr|Mrs|Ms|St|No|vs|approx|[A-Z])$")


def prose_sentences(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """English sentences of a prose piece; "pharmacy: Seroquel ..." ends a lead-in too."""
    pieces = []
    position = span[0]
    for match in _SENTENCE_BREAK.finditer(text, span[0], span[1]):
        before = text[position : match.start()]
        if _ABBREVIATION.search(before) or (match.group().startswith(":") and len(before.split()) <= 3):
            continue
        pieces.append((position, match.start() + (1 if match.group().startswith(".") else 0)))
        position = match.end()
    pieces.append((position, span[1]))
    return [p for p in (trim(text, s, e, TRAILING) for s, e in pieces) if p[0] < p[1]]


def after_marker(text: str, start: int, end: int) -> int:
    """Where a line's words begin after its list marker or bullet ("（6）2周后复诊" at 2)."""
    for pattern in (_MARKER, _BULLET):
        found = pattern.match(text, start, end)
        if found:
            return found.end()
    return start


def clean(item: str) -> str:
    """One line, no Markdown emphasis, no trailing punctuation."""
    return re.sub(r"\s+", " ", re.sub(r"\*\*|__", "", item)).strip(" .;；。,，:：")
