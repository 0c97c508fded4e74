"""Numbers as clinicians write them: digits with thousands separators, English
number words ("two weeks") and Chinese numerals ("两周", "三天").

A drafted sentence that says "two weeks" states the same fact as a note that
says "2 weeks"; the verifier compares values, so every spelling must reduce to
one float here.
"""

from __future__ import annotations

import re

EN_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
EN_SCALES = {"hundred": 100, "thousand": 1000}
EN_SPECIAL = {
    "half": 0.5,
    "a half": 0.5,
    "one-half": 0.5,
    "one half": 0.5,
    "a dozen": 12,
    "dozen": 12,
    "single": 1,
    "a couple of": 2,
}

_EN_WORD = "|".join(sorted([*EN_UNITS, *EN_TENS], key=len, reverse=True))
# "twenty-one", "one hundred twenty", "two hundred and fifty", "half"
EN_NUMBER_WORDS = re.compile(
    rf"(?<![A-Za-z-])(?:(?:{_EN_WORD})(?:[- ](?:{_EN_WORD}))?(?:\s+(?:hundred|thousand)(?:\s+(?:and\s+)?(?:{_EN_WORD})(?:[- ](?:{_EN_WORD}))?)?)?"
    r"|one-half|one half|a half|half|a dozen)(?![A-Za-z-])",
    re.IGNORECASE,
)

ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ZH_SCALES = {"十": 10, "百": 100, "千": 1000, "万": 10000}
ZH_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万]+|半")

DIGITS = re.compile(r"(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d+)(?:\.\d+)?(?!\.\d)")


def en_words_value(text: str) -> float | None:
    """Value of an English number phrase ("twenty-one", "one hundred and five"), or None."""
    words = text.lower().replace("-", " ").replace(" and ", " ").split()
    phrase = " ".join(words)
    if phrase in EN_SPECIAL:
        return float(EN_SPECIAL[phrase])
    total, current, seen = 0, 0, False
    for word in words:
        if word in EN_UNITS:
            current += EN_UNITS[word]
        elif word in EN_TENS:
            current += EN_TENS[word]
        elif word in EN_SCALES:
            current = max(current, 1) * EN_SCALES[word]
            if EN_SCALES[word] >= 1000:
                total, current = total + current, 0
        else:
            return None
        seen = True
    return float(total + current) if seen else None


def zh_numeral_value(text: str) -> float | None:
    """Value of a Chinese numeral ("十二", "两", "一百二十", "半"), or None."""
    if text == "半":
        return 0.5
    if not text or any(ch not in ZH_DIGITS and ch not in ZH_SCALES for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in ZH_DIGITS:
            digit = ZH_DIGITS[ch]
            continue
        scale = ZH_SCALES[ch]
        if scale == 10000:
            total = (total + section + (digit or 0)) * scale
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * scale
            digit = None
    return float(total + section + (digit or 0))


def digits_value(text: str) -> float | None:
    """Value of a digit string ("1,840", "0.5", "-1.5"); None when it is not one."""
    cleaned = text.replace(",", "").replace("−", "-").strip()
    try:
        return float(cleaned)
    except ValueError:
        return None


def decimals(text: str) -> int:
    """Digits after the decimal point as written: "1.10" -> 2 (precision for rounding checks)."""
    return len(text.split(".", 1)[1]) if "." in text else 0


def same_number(a: float, b: float, tolerance: float = 0.0) -> bool:
    """Equal within a relative tolerance (0 means exact up to float noise)."""
    if a == b:
        return True
    scale = max(abs(a), abs(b), 1e-12)
    return abs(a - b) <= max(tolerance * scale, 1e-9 * scale)
