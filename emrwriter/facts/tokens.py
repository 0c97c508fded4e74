"""Cut zh or en clinical text into normalised tokens with character spans.

Every spelling of one fact becomes one token key: "2mg" and "2 mg" -> the same
quantity, "0.5 g" and "500 mg" too; "2026-10-08", "10/08/2026" and "2026年10月8日"
-> one date; "bid" and "每日两次" -> one frequency; "Lasix" and "furosemide" ->
one drug; "WBC" and "白细胞计数" -> one test. Comparing two texts then means
comparing token keys, and every token still points back at its characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ..vocabulary.drugs import find_drugs
from ..vocabulary.lab_names import AMBIGUOUS_LABELS, LAB_LOOKUP, MAX_LAB_WORDS, VITAL_LETTERS, ZH_LAB_PATTERN
from .dates import DateValue, find_dates
from .dosing import match_frequency, match_route
from .numbers import EN_NUMBER_WORDS, ZH_NUMBER, decimals, digits_value, en_words_value, zh_numeral_value
from .units import Quantity, parse_unit

VALUE_KINDS = frozenset({"qty", "date", "time", "code"})


@dataclass(frozen=True)
class Token:
    kind: str  # qty, date, time, freq, route, drug, lab, word, cjk, code, sep
    key: str  # the normalised form two texts are compared by
    start: int
    end: int
    value: object = None  # Quantity, DateValue, TimeValue, or a canonical name
    text: str = ""  # the characters as written

    @property
    def is_value(self) -> bool:
        return self.kind in VALUE_KINDS


EN_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "on",
        "in",
        "at",
        "to",
        "for",
        "with",
        "and",
        "or",
        "but",
        "was",
        "were",
        "is",
        "are",
        "be",
        "been",
        "being",
        "by",
        "as",
        "from",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "he",
        "she",
        "his",
        "her",
        "him",
        "hers",
        "they",
        "them",
        "their",
        "we",
        "our",
        "you",
        "your",
        "i",
        "me",
        "my",
        "patient",
        "pt",
        "mr",
        "mrs",
        "ms",
        "dr",
        "also",
        "had",
        "has",
        "have",
        "which",
        "who",
        "whom",
        "then",
        "there",
        "than",
        "into",
        "upon",
        "about",
        "approximately",
        "around",
        "some",
        "any",
        "all",
        "per",
        "via",
        "did",
        "does",
        "do",
        "will",
        "would",
        "could",
        "should",
        "may",
        "might",
        "can",
        "so",
        "such",
        "if",
        "while",
        "during",
        "overall",
        "further",
        "well",
        "very",
        "much",
        "more",
        "most",
        "other",
        "same",
        "her",
        "him",
    ]
)
ZH_STOPCHARS = frozenset("的了于与和并及在是予其之也而或等")

_SYNONYMS = {
    "admit": "admit",
    "admitted": "admit",
    "admission": "admit",
    "admitting": "admit",
    "admissions": "admit",
    "discharge": "discharg",
    "discharged": "discharg",
    "discharging": "discharg",
    "discharges": "discharg",
    "increased": "increas",
    "increase": "increas",
    "increasing": "increas",
    "decreased": "decreas",
    "decrease": "decreas",
    "decreasing": "decreas",
    "started": "start",
    "starting": "start",
    "initiated": "start",
    "begun": "start",
    "began": "start",
    "stopped": "stop",
    "discontinued": "stop",
    "discontinue": "stop",
    "held": "stop",
    "hold": "stop",
    "elevated": "high",
    "elevation": "high",
    "high": "high",
    "raised": "high",
    "low": "low",
    "lower": "low",
    "reduced": "low",
    "bilateral": "bilateral",
    "bilaterally": "bilateral",
    "both": "bilateral",
    "lt": "left",
    "rt": "right",
}


def stem(word: str) -> str:
    """A light English stem: folds case, plurals and a few clinical synonyms."""
    word = word.lower().strip("'’")
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    if word in _SYNONYMS:
        return _SYNONYMS[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("sses"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_CJK = re.compile(r"[\u4e00-\u9fff]")
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’][a-z]+)?")
_NUMBER = re.compile(r"(?:(?<=[\s(（:：,，;；=~～<>≥≤])|^)[-−](?=\d)|")
_DIGITS = re.compile(r"(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d+)(?:\.\d+)?")
_ORDINAL = re.compile(r"(?:st|nd|rd|th)(?![A-Za-z])", re.IGNORECASE)
_SEPARATORS = {
    ",": "clause",
    ";": "clause",
    "，": "clause",
    "；": "clause",
    "、": "list",
    ".": "stop",
    "。": "stop",
    "!": "stop",
    "?": "stop",
    "！": "stop",
    "？": "stop",
    ":": "colon",
    "：": "colon",
    "(": "paren",
    ")": "paren",
    "（": "paren",
    "）": "paren",
    "[": "paren",
    "]": "paren",
    "【": "paren",
    "】": "paren",
    "|": "clause",
}
_RANGE_JOIN = re.compile(r"\s*(?:-|–|~|～|to|至|或)\s*$", re.IGNORECASE)
# "1. ", "2) ", "3、", "(4) " at the start of a line: list numbering, not a value.
_ENUMERATOR = re.compile(r"(?:\d{1,2}[.)、．](?!\d)|[（(]\d{1,2}[)）])")
_LIST_MARKER = re.compile(r"[ \t]*(?:\d{1,2}[.)、．]|[-*•·●▪]|[（(]\d{1,2}[)）]|[①-⑳])\s")
_HEADING_START = re.compile(r"[ \t]*[A-Z][A-Z /&-]{2,}:")


def _is_number_word_unit(text: str, end: int) -> bool:
    return parse_unit(text, end) is not None


# Words a sentence does not end with: the line after them goes on ("We did a\nCT scan").
_WRAP_MAX = 100  # a hard-wrapped line is no longer (a paragraph of a .docx or of model text is one long line)
_GOES_ON = frozenset({"a", "an", "the", "of", "to", "with", "and", "or", "for", "in", "on", "at", "by", "from", "his", "her"})


def _soft_newline(text: str, pos: int) -> bool:
    """A hard-wrapped English line continues on the next line ("...white blood cell\ncount 15")."""
    line_start = text.rfind("\n", 0, pos) + 1
    line = text[line_start:pos].rstrip()
    rest = text[pos + 1 : pos + 80]
    if not line or not rest.strip() or rest.startswith("\n") or _CJK.search(line[-1:]):
        return False
    if line[-1] in ".:;!?。；：":
        return False
    if _LIST_MARKER.match(rest) or _HEADING_START.match(rest):
        return False
    first = rest.lstrip()[:1]
    last = line.split()[-1].lower()
    return last in _GOES_ON and len(line) <= _WRAP_MAX or len(line) >= 40 and (first.islower() or first.isdigit())


# Full-width ASCII ("０.４ｇ", "ｍｇ") read as ASCII; one character for one, so offsets hold.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text`` in order (separators included as kind "sep"). A note is read
    by the fact layer and by the checks, and re-checked as the doctor edits: the tokens of
    long texts are kept (Tokens are immutable; each caller gets its own list)."""
    if len(text) >= _CACHED_LENGTH:
        return list(_tokenize_cached(text))
    return _tokenize(text)


_CACHED_LENGTH = 200


@lru_cache(maxsize=128)
def _tokenize_cached(text: str) -> tuple[Token, ...]:
    return tuple(_tokenize(text))


def _tokenize(text: str) -> list[Token]:
    original = text
    text = text.translate(_FULL_WIDTH)
    dates = {m.start: m for m in find_dates(text)}
    drugs = {m.start: m for m in find_drugs(text)}
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            if not _soft_newline(text, i):
                tokens.append(Token("sep", "line", i, i + 1))
            i += 1
            continue
        if ch.isspace():
            i += 1
            continue
        if i in dates:
            mention = dates[i]
            value = mention.value
            kind = "date" if isinstance(value, DateValue) else "time"
            tokens.append(Token(kind, value.key(), mention.start, mention.end, value))
            i = mention.end
            continue
        if i in drugs:
            drug = drugs[i]
            tokens.append(Token("drug", f"g:{drug.name}", drug.start, drug.end, drug.name))
            i = drug.end
            continue
        token = _value_or_word(text, i, tokens)
        if token is not None:
            tokens.append(token)
            i = token.end
            continue
        if ch in _SEPARATORS and not (ch == "." and 0 < i < n - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()):
            tokens.append(Token("sep", _SEPARATORS[ch], i, i + 1))
        i += 1
    _propagate_range_units(text, tokens)
    return [replace(t, text=original[t.start : t.end]) for t in tokens]


def _value_or_word(text: str, i: int, tokens: list[Token]) -> Token | None:
    ch = text[i]
    at_word_start = i == 0 or not (text[i - 1].isascii() and text[i - 1].isalnum())
    if (at_word_start or _CJK.match(ch)) and (ch.isalnum() or ch in "每一日隔睡晨餐饭必需立即"):  # "10mg每日两次" too
        freq = match_frequency(text, i)
        if freq is not None:
            return Token("freq", f"f:{freq[0]}", i, freq[1], freq[0])
    if ch.isdigit() or ch in "(（":
        marker = _ENUMERATOR.match(text, i)
        before = text[text.rfind("\n", 0, i) + 1 : i].strip()
        list_start = (
            before.endswith((":", "：")) and marker.group().startswith("1") and len(marker.group()) == 2 if marker else False
        )
        if marker is not None and (not before or list_start):  # "1. ...", "注意事项：1. ..."
            return Token("sep", "marker", i, marker.end())
    if ch.isdigit() or (ch in "-−" and _NUMBER.match(text, i) and _NUMBER.match(text, i).end() > i):
        return _number_token(text, i)
    if _CJK.match(ch):
        return _cjk_token(text, i)
    if ch.isalpha() and ch.isascii():
        if at_word_start:
            route = match_route(text, i)
            if route is not None and (route[1] >= len(text) or not text[route[1]].isalpha()):
                return Token("route", f"r:{route[0]}", i, route[1], route[0])
        return _word_token(text, i, tokens)
    return None


def _number_token(text: str, i: int) -> Token | None:
    sign = 1.0
    start = i
    if text[i] in "-−":
        sign, i = -1.0, i + 1
    match = _DIGITS.match(text, i)
    if match is None:
        return None
    raw = match.group()
    value = digits_value(raw)
    if value is None:
        return None
    end = match.end()
    ordinal = _ORDINAL.match(text, end)
    if ordinal:
        return Token("qty", Quantity(value).key(), start, ordinal.end(), Quantity(sign * value, None, decimals(raw)))
    unit = _unit_after(text, end)
    if unit is None:
        unit = _unit_cell(text, end)
    if unit is not None:
        quantity = Quantity(sign * value, unit[0], decimals(raw))
        return Token("qty", quantity.key(), start, unit[1], quantity)
    glued = re.match(r"[A-Za-z][A-Za-z0-9]*", text[end:])
    if glued and not (len(glued.group()) >= 4 and glued.group()[0].isupper()):  # "3a", "5x": a code
        stop = end + glued.end()
        return Token("code", f"c:{text[start:stop].lower()}", start, stop, text[start:stop].lower())
    quantity = Quantity(sign * value, None, decimals(raw))
    return Token("qty", quantity.key(), start, end, quantity)


_WRAP = re.compile(r"[ \t]*\n[ \t]*")


def _unit_after(text: str, end: int):
    """The unit after a number, also on the next line of hard-wrapped prose ("two to three\nminutes")."""
    unit = parse_unit(text, end)
    if unit is None:
        wrap = _WRAP.match(text, end)
        if wrap is not None and _soft_newline(text, text.index("\n", end)):
            unit = parse_unit(text, wrap.end())
    return unit


_CELL = re.compile(r"[ \t]*\|[ \t]*")
_CELL_END = re.compile(r"[ \t]*(?:\||$)", re.MULTILINE)


def _unit_cell(text: str, end: int):
    """A table row "1840 | pg/mL | ...": the unit in the next cell belongs to the value."""
    cell = _CELL.match(text, end)
    if cell is None:
        return None
    unit = parse_unit(text, cell.end())
    if unit is None or not _CELL_END.match(text, unit[1]):
        return None
    return unit


def _word_token(text: str, i: int, tokens: list[Token]) -> Token:
    match = _EN_WORD.match(text, i)
    assert match is not None
    # multi-word test names ("white blood cell count"), one-letter vitals before a number ("T 38.6")
    lab = _lab_phrase(text, i)
    if lab is not None:
        return lab
    word = match.group()
    if word in VITAL_LETTERS and re.match(r"[ \t]*[:：]?[ \t]*\d", text[match.end() :]):
        return Token("lab", f"l:{VITAL_LETTERS[word]}", i, match.end(), VITAL_LETTERS[word])
    article = re.match(r"(?:a|an|one)[ \t]+(?=(?:day|week|month|year|hour)s?\b)", text[i:], re.IGNORECASE)
    if article is not None:
        unit = parse_unit(text, i + article.end() - 1)
        if unit is not None:
            quantity = Quantity(1.0, unit[0])
            return Token("qty", quantity.key(), i, unit[1], quantity)
    number = EN_NUMBER_WORDS.match(text, i)
    if number is not None:
        value = en_words_value(number.group())
        if value is not None and (
            number.group().lower() not in {"one", "half", "a half"}
            or _is_number_word_unit(text, number.end())
            or _RANGE_ON.match(text, number.end())  # "one to two weeks"
        ):
            unit = _unit_after(text, number.end())
            quantity = Quantity(value, unit[0] if unit else None)
            return Token("qty", quantity.key(), i, unit[1] if unit else number.end(), quantity)
    times = _TIMES.match(word)
    if times is not None and parse_unit(text, match.end()) is not None:
        return Token("sep", "times", i, i + 1)  # "x10 days", "x5 days": the count is read next
    if any(c.isdigit() for c in word):
        return Token("code", f"c:{word.lower()}", i, match.end(), word.lower())
    return Token("word", f"w:{stem(word)}", i, match.end(), stem(word))


_TIMES = re.compile(r"[xX]\d+$")
_RANGE_ON = re.compile(
    r"[ \t]*(?:to|-|–|or)[ \t]*(?:\d|(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b)", re.IGNORECASE
)


_PHRASE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")


def _lab_phrase(text: str, i: int) -> Token | None:
    words: list[re.Match[str]] = []
    pos = i
    while len(words) < MAX_LAB_WORDS:
        match = _PHRASE_WORD.match(text, pos)
        if match is None:
            break
        words.append(match)
        gap = re.match(r"[ \t]+", text[match.end() :])
        pos = match.end() + (gap.end() if gap else 0)
        if not gap:
            break
    for size in range(len(words), 0, -1):
        phrase = " ".join(w.group().lower().replace("-", " ") for w in words[:size])
        key = LAB_LOOKUP.get(phrase)
        if key is None:
            continue
        if (
            size == 1
            and phrase in AMBIGUOUS_LABELS
            and not re.match(r"[ \t]*(?:of|was|is|:|：)?[ \t]*[-−]?\d", text[words[0].end() :])
        ):
            continue
        return Token("lab", f"l:{key}", i, words[size - 1].end(), key)
    return None


def _cjk_token(text: str, i: int) -> Token:
    lab = ZH_LAB_PATTERN.match(text, i)
    if lab is not None and len(lab.group()) == 1 and not re.match(r"[ \t]*[:：]?[ \t]*\d", text[lab.end() :]):
        lab = None  # "钠" of "琥珀酸钠" is no sodium result; "钠134" is
    if lab is not None:
        key = LAB_LOOKUP[re.sub(r"[\s\-]+", " ", lab.group().lower()).strip()]
        return Token("lab", f"l:{key}", i, lab.end(), key)
    numeral = ZH_NUMBER.match(text, i)
    if numeral is not None:
        value = zh_numeral_value(numeral.group())
        unit = parse_unit(text, numeral.end())
        if value is not None and unit is not None and unit[0].dimension not in {"units"}:
            quantity = Quantity(value, unit[0])
            return Token("qty", quantity.key(), i, unit[1], quantity)
    return Token("cjk", f"z:{text[i]}", i, i + 1, text[i])


def _propagate_range_units(text: str, tokens: list[Token]) -> None:
    """ "1.1-1.2 mg/dL", "4～6周", "two to three weeks": the unit after a range belongs to both ends."""
    for index in range(len(tokens) - 1, 0, -1):
        right, left_index = tokens[index], index - 1
        if tokens[left_index].kind == "word" and tokens[left_index].value in {"to", "or"} and left_index > 0:
            left_index -= 1  # "2 to 3 weeks": the word between is a token of its own
        left = tokens[left_index]
        if right.kind != "qty" or left.kind != "qty" or right.value.unit is None or left.value.unit is not None:
            continue
        if _RANGE_JOIN.match(text[left.end : right.start]) is None or right.start - left.end > 5:
            continue
        quantity = Quantity(left.value.value, right.value.unit, left.value.decimals)
        tokens[left_index] = Token("qty", quantity.key(), left.start, left.end, quantity)


# ---------------------------------------------------------------------------
# sentences

_ABBREVIATIONS = re.compile(
    r"(?:\b(?:dr|mr|mrs|ms|st|no|vs|approx|e\.g|i\.e|etc|fig|p\.o|b\.i\.d|t\.i\.d|q\.i\.d|q\.d|a\.m|p\.m|h\.s|p\.r\.n|q\.h\.s|pt|pts|wt|ht|hr|hrs|min|mins|sec|mg|ml|cm|mm|kg|approx|avg|inc|jr|sr|sp|s\.p)|\b[A-Z])$",
    re.IGNORECASE,
)
_EN_STOP = re.compile(r"[.!?](?=[\"')\]]*\s+(?:[A-Z0-9\"'(\[]|$))|[.!?](?=[\"')\]]*\s*$)")
_ZH_STOP = re.compile(r"[。！？；;]")
_CONTENT = re.compile(r"[A-Za-z0-9\u4e00-\u9fff]")


def split_sentences(text: str, semicolons: bool = True) -> list[tuple[int, int]]:
    """Sentence spans of zh and en text: 。！？ (and ；; unless ``semicolons`` is False),
    English full stops (not after abbreviations or initials), and line breaks that
    are not hard wraps."""
    cuts: set[int] = set()
    for match in _ZH_STOP.finditer(text):
        if semicolons or match.group() not in "；;":
            cuts.add(match.end())
    for match in _EN_STOP.finditer(text):
        before = text[max(0, match.start() - 8) : match.start()]
        if text[match.start()] == "." and _ABBREVIATIONS.search(before):
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        if text[match.start()] == "." and re.fullmatch(r"[ \t]*\d{1,2}", text[line_start : match.start()]):
            continue  # "1. Acute kidney injury": list numbering
        cuts.add(match.end())
    for match in re.finditer(r"\n", text):
        if not _soft_newline(text, match.start()):
            cuts.add(match.start())
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in sorted(cuts) + [len(text)]:
        s, e = start, cut
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s and _CONTENT.search(text, s, e):
            spans.append((s, e))
        start = cut
    return spans
