"""Dosing frequencies and routes, zh and en, reduced to one canonical code each.

"bid", "b.i.d.", "twice daily", "twice a day", "q12h" and "每日两次" all mean
"2/d"; "PO", "by mouth", "orally" and "口服" all mean "po". The verifier compares
these codes, so a faithful rewrite of the abbreviation is never a finding.
"""

from __future__ import annotations

import re

from .numbers import EN_UNITS, ZH_DIGITS

_COUNT_WORDS = {"once": 1, "twice": 2, "thrice": 3, **EN_UNITS}
_EN_COUNT = r"(?:once|twice|thrice|one|two|three|four|five|six|\d)"
_ZH_COUNT = r"[一二两三四五六1-6]"
_DAY = r"(?:daily|a\s+day|per\s+day|each\s+day|every\s+day|/\s*day|/\s*d(?![A-Za-z]))"

# (pattern, canonical). Order matters: longer, more specific phrases first.
_FREQUENCIES: tuple[tuple[str, str], ...] = (
    (rf"(?P<lo>{_EN_COUNT})\s*(?:to|-|or)\s*(?P<hi>{_EN_COUNT})\s+times?\s+{_DAY}", "range/d"),
    (rf"(?P<n>{_EN_COUNT})(?:\s+times?|\s*x)?(?:\s+|(?=/)){_DAY}", "n/d"),
    (r"(?P<n>once|twice|thrice|one|two|three|four)\s+(?:times?\s+)?(?:a|per|each)\s+week|weekly", "n/w"),
    (r"every\s+other\s+day|q\.?\s?o\.?\s?d\.?|alternate\s+days|隔日(?:\s*[一1]\s*次)?", "qod"),
    (
        r"every\s+(?P<lo>\d{1,2})\s*(?:to|-)\s*(?P<hi>\d{1,2})\s*(?:hours?|hrs?|h)\b|q\.?\s?(?P<qlo>\d{1,2})\s*-\s*(?P<qhi>\d{1,2})\s*h(?:ours?|rs?)?\.?",
        "qh-range",
    ),
    (
        r"every\s+(?P<h>\d{1,2}|one|two|three|four|six|eight|twelve|twenty-four)\s*(?:hours?|hrs?|h)\b|q\.?\s?(?P<qh>\d{1,2})\s*h(?:ours?|rs?|r)?\.?(?![A-Za-z])|每\s*(?P<zh>\d{1,2})\s*(?:小时|h)(?:\s*[一1]\s*次)?",
        "qh",
    ),
    (r"every\s+(?:hour|hr)|q\.?\s?h\.?(?![A-Za-z])|hourly", "24/d"),
    (
        r"at\s+bedtime|before\s+bed(?:time)?|bedtime|nightly|every\s+night|at\s+night|each\s+night|q\.?\s?h\.?\s?s\.?(?![A-Za-z])|h\.s\.|每晚(?:\s*[一1]\s*次)?|睡前|qn",
        "qhs",
    ),
    (r"every\s+morning|each\s+morning|in\s+the\s+morning|q\.?\s?a\.?\s?m\.?(?![A-Za-z])|每早|每晨|晨起", "qam"),
    (r"every\s+evening|in\s+the\s+evening|q\.?\s?p\.?\s?m\.?(?![A-Za-z])", "qpm"),
    (r"b\.?\s?i\.?\s?d\.?(?![A-Za-z])|b\.d\.|bd(?![A-Za-z])", "2/d"),
    (r"t\.?\s?i\.?\s?d\.?(?![A-Za-z])", "3/d"),
    (r"q\.?\s?i\.?\s?d\.?(?![A-Za-z])", "4/d"),
    (r"q\.?\s?d\.?(?![A-Za-z])|o\.d\.(?![A-Za-z])|every\s+day|daily|per\s+day|a\s+day", "1/d"),
    (r"p\.?\s?r\.?\s?n\.?(?![A-Za-z])|as\s+needed|as\s+required|when\s+needed|if\s+needed|必要时|需要时", "prn"),
    (r"stat(?![A-Za-z])|立即|即刻", "stat"),
    (rf"(?:每日|每天|一日|1日|一天|1天|日)\s*(?P<zn>{_ZH_COUNT})\s*次", "n/d"),
    (rf"每周\s*(?P<zw>{_ZH_COUNT})\s*次", "n/w"),
    (r"before\s+meals|a\.?c\.(?![A-Za-z])|餐前|饭前", "ac"),
    (r"after\s+meals|p\.?c\.(?![A-Za-z])|餐后|饭后", "pc"),
    (r"with\s+meals|with\s+food|随餐|餐时", "with-meals"),
)
# Latin words do not start inside a word; Chinese ones may follow a unit ("10mg每日两次").
_COMPILED = tuple(
    (re.compile(rf"(?:(?<![A-Za-z])|(?=[\u4e00-\u9fff]))(?:{pattern})", re.IGNORECASE), code) for pattern, code in _FREQUENCIES
)

_WORD_HOURS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "eight": 8, "twelve": 12, "twenty-four": 24}


def _count(token: str) -> int:
    token = token.lower()
    if token.isdigit():
        return int(token)
    if token in ZH_DIGITS:
        return ZH_DIGITS[token]
    return _COUNT_WORDS.get(token, 0)


def _per_day_from_hours(hours: int) -> str:
    if hours and 24 % hours == 0:
        return f"{24 // hours}/d"
    return f"q{hours}h"


def _canonical(match: re.Match[str], code: str) -> str:
    groups = {k: v for k, v in match.groupdict().items() if v}
    if code == "n/d":
        return f"{_count(groups.get('n') or groups.get('zn') or '1')}/d"
    if code == "range/d":
        return f"{_count(groups['lo'])}-{_count(groups['hi'])}/d"
    if code == "n/w":
        word = groups.get("n") or groups.get("zw")
        return f"{_count(word) if word else 1}/w"
    if code == "qh":
        raw = groups.get("h") or groups.get("qh") or groups.get("zh") or "0"
        hours = int(raw) if raw.isdigit() else _WORD_HOURS.get(raw.lower(), 0)
        return _per_day_from_hours(hours)
    if code == "qh-range":
        lo, hi = groups.get("lo") or groups.get("qlo"), groups.get("hi") or groups.get("qhi")
        return f"q{lo}-{hi}h"
    return code


def match_frequency(text: str, pos: int) -> tuple[str, int] | None:
    """The frequency written exactly at ``pos``: (canonical code, end), or None."""
    best: tuple[str, int] | None = None
    for pattern, code in _COMPILED:
        match = pattern.match(text, pos)
        if match and match.end() > pos and (best is None or match.end() > best[1]):
            best = (_canonical(match, code), match.end())
    return best


# ---------------------------------------------------------------------------
# routes

_ROUTES: tuple[tuple[str, str], ...] = (
    (r"p\.?\s?o\.?(?![A-Za-z])|per\s+os|by\s+mouth|orally|oral|口服|po", "po"),
    (
        r"i\.?\s?v\.?\s?p\.?\s?b\.?(?![A-Za-z])|i\.?\s?v\.?(?![A-Za-z])|intravenous(?:ly)?|静脉滴注|静滴|静脉注射|静注|静推|静脉泵入|泵入",
        "iv",
    ),
    (r"i\.?\s?m\.?(?![A-Za-z])|intramuscular(?:ly)?|肌肉注射|肌注", "im"),
    (r"s\.?\s?c\.?(?![A-Za-z])|s\.?\s?q\.?(?![A-Za-z])|subq|subcut|subcutaneous(?:ly)?|皮下注射|皮下", "sc"),
    (r"s\.?\s?l\.?(?![A-Za-z])|sublingual(?:ly)?|舌下含服|舌下", "sl"),
    (r"inhaled|by\s+inhalation|via\s+inhaler|nebuli[sz]ed|雾化吸入|雾化|吸入", "inh"),
    (r"p\.?\s?r\.?(?![A-Za-z])|per\s+rectum|rectally|塞肛|直肠给药", "pr"),
    (r"topical(?:ly)?|外用|外涂", "top"),
    (r"transdermal(?:ly)?|透皮", "td"),
    (r"intranasal(?:ly)?|nasal|鼻喷|滴鼻", "nasal"),
    (r"鼻饲|via\s+(?:ng|peg)\s+tube|per\s+(?:ng|peg)\s+tube", "tube"),
)
_ROUTE_COMPILED = tuple((re.compile(rf"(?<![A-Za-z])(?:{p})(?![A-Za-z])", re.IGNORECASE), code) for p, code in _ROUTES)


def match_route(text: str, pos: int) -> tuple[str, int] | None:
    """The route written exactly at ``pos``: (canonical code, end), or None."""
    for pattern, code in _ROUTE_COMPILED:
        match = pattern.match(text, pos)
        if match and match.end() > pos:
            return code, match.end()
    return None


def normalise_frequency(text: str) -> str:
    """Canonical frequency of a whole field ("b.i.d." -> "2/d"); the text, folded, when unknown."""
    stripped = text.strip()
    found = match_frequency(stripped, 0)
    if found and found[1] >= len(stripped.rstrip(" .")):
        return found[0]
    return re.sub(r"\s+", " ", stripped.lower())


def normalise_route(text: str) -> str:
    stripped = text.strip()
    found = match_route(stripped, 0)
    return found[0] if found else re.sub(r"\s+", " ", stripped.lower())
