"""Lab flags from the reference range when the source gives none.

An LIS export often has a range column and no flag column; a note writes "HbA1c 9.8%
(4.0-6.0)". A value outside its range is flagged H or L (A for a qualitative result
against a "negative" range), marked as computed, so a draft never claims "no abnormal
flags" over a result above its range.
"""

from __future__ import annotations

import re

from .model import Observation

_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_BETWEEN = re.compile(rf"^\s*(?P<low>{_NUMBER})\s*(?:-|–|—|~|～|〜|to|至)\s*(?P<high>{_NUMBER})")
_BELOW = re.compile(rf"^\s*(?:<|≤|<=|＜|less than|不超过|低于)\s*(?P<high>{_NUMBER})", re.IGNORECASE)
_ABOVE = re.compile(rf"^\s*(?:>|≥|>=|＞|greater than|more than|高于|大于)\s*(?P<low>{_NUMBER})", re.IGNORECASE)
_VALUE = re.compile(rf"^\s*(?P<cmp>[<>≤≥＜＞]=?)?\s*(?P<v>{_NUMBER})")
_NEGATIVE = re.compile(r"^\s*(?:阴性|negative|neg|not detected|未检出|\(-\)|-)\s*$", re.IGNORECASE)
_POSITIVE = re.compile(r"^\s*(?:阳性|弱阳性|positive|pos|detected|检出|\(\+\)|\++)\s*$", re.IGNORECASE)


def flag_from_range(value: str, reference_range: str) -> str:
    """ "H", "L" or "A" when the value lies outside the range, "N" inside it, "" when either
    cannot be read (a flag is never guessed)."""
    value, reference_range = value.strip(), reference_range.strip()
    if not value or not reference_range:
        return ""
    if _NEGATIVE.match(reference_range):
        if _POSITIVE.match(value):
            return "A"
        return "N" if _NEGATIVE.match(value) else ""
    number = _VALUE.match(value.replace(",", ""))
    if number is None:
        return ""
    v = float(number["v"])
    low = high = None
    between = _BETWEEN.match(reference_range)
    if between:
        low, high = float(between["low"]), float(between["high"])
    elif below := _BELOW.match(reference_range):
        high = float(below["high"])
    elif above := _ABOVE.match(reference_range):
        low = float(above["low"])
    else:
        return ""
    comparator = number["cmp"] or ""
    if high is not None and v > high and not comparator.startswith(("<", "≤", "＜")):
        return "H"
    if low is not None and v < low and not comparator.startswith((">", "≥", "＞")):
        return "L"
    return "N"


def complete_flags(observations: list[Observation]) -> None:
    """Set the flag of every observation that has a range but no flag (in place)."""
    for obs in observations:
        if obs.flag.strip():
            obs.flag_source = obs.flag_source or "record"
            continue
        flag = flag_from_range(obs.value, obs.reference_range)
        if flag:
            obs.flag, obs.flag_source = flag, "range"
