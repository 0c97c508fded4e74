"""Units of measure in zh and en clinical text, and when two quantities are the same.

"0.5 g" and "500 mg", "38.6℃" and "38.6 °C", "2 weeks" and "14 days" are one fact
written twice; "40 mg" and "40 g" are two. Every unit maps to a dimension and a
factor to that dimension's base unit, so equality is a comparison of base values.
Conversions that writers round (lb/kg, °F/°C, grains) are marked inexact and
compared with a 1% tolerance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers import same_number


@dataclass(frozen=True)
class Unit:
    symbol: str  # canonical spelling, e.g. "mg", "mg/dL", "×10^9/L"
    dimension: str  # "mass", "mass/volume", "temperature", ...
    factor: float = 1.0  # multiply to reach the dimension's base unit
    offset: float = 0.0  # added before the factor (°F -> °C)
    exact: bool = True  # False where writers round a conversion (lb, °F, grains)

    def to_base(self, value: float) -> float:
        return (value + self.offset) * self.factor


# (aliases, symbol, dimension, factor, exact). Aliases are matched case-insensitively
# and must not run on into a letter ("mg" never matches inside "mgmt").
_SIMPLE: tuple[tuple[tuple[str, ...], str, str, float, bool], ...] = (
    (("kg", "kgs", "kilogram", "kilograms", "公斤", "千克"), "kg", "mass", 1000.0, True),
    (("g", "gm", "gms", "gram", "grams", "克"), "g", "mass", 1.0, True),
    (("mg", "mgs", "milligram", "milligrams", "毫克"), "mg", "mass", 1e-3, True),
    (("mcg", "µg", "μg", "ug", "microgram", "micrograms", "微克"), "µg", "mass", 1e-6, True),
    (("ng", "nanogram", "nanograms", "纳克"), "ng", "mass", 1e-9, True),
    (("pg", "picogram", "picograms"), "pg", "mass", 1e-12, True),
    (("lb", "lbs", "pound", "pounds", "磅"), "lb", "mass", 453.59237, False),
    (("oz", "ounce", "ounces"), "oz", "mass", 28.349523, False),
    (("grain", "grains", "gr"), "grain", "mass", 0.06479891, False),
    (("l", "liter", "liters", "litre", "litres", "升"), "L", "volume", 1.0, True),
    (("dl", "deciliter", "deciliters", "decilitre", "分升"), "dL", "volume", 0.1, True),
    (("ml", "cc", "milliliter", "milliliters", "millilitre", "millilitres", "毫升"), "mL", "volume", 1e-3, True),
    (("µl", "μl", "ul", "microliter", "microliters", "微升"), "µL", "volume", 1e-6, True),
    (("s", "sec", "secs", "second", "seconds", "秒", "秒钟"), "s", "time", 1.0, True),
    (("min", "mins", "minute", "minutes", "分钟"), "min", "time", 60.0, True),
    (("h", "hr", "hrs", "hour", "hours", "小时", "个小时", "钟头"), "h", "time", 3600.0, True),
    (("d", "day", "days", "天", "日"), "d", "time", 86400.0, True),
    (("wk", "wks", "week", "weeks", "周", "星期", "个星期", "週"), "wk", "time", 604800.0, True),
    (("mo", "mos", "month", "months", "个月"), "mo", "month", 1.0, True),
    (
        (
            "-year-old",
            "-years-old",
            "-year old",
            "-yr-old",
            "year-old",
            "years old",
            "year old",
            "yo",
            "y/o",
            "y.o.",
            "y",
            "yr",
            "yrs",
            "year",
            "years",
            "年",
            "岁",
            "周岁",
        ),
        "y",
        "year",
        1.0,
        True,
    ),
    (("℃", "°c", "° c", "ºc", "degrees c", "degree c", "degrees celsius", "celsius", "摄氏度"), "°C", "temperature", 1.0, True),
    (("mmhg", "mm hg", "毫米汞柱"), "mmHg", "pressure_mmhg", 1.0, True),
    (("cmh2o", "cm h2o", "cm of water"), "cmH2O", "pressure_cmh2o", 1.0, True),
    (("kpa",), "kPa", "pressure_kpa", 1.0, True),
    (("%", "percent", "per cent", "％"), "%", "percent", 1.0, True),
    (
        (
            "bpm",
            "beats/min",
            "beats per minute",
            "beats/minute",
            "breaths/min",
            "breaths per minute",
            "breaths/minute",
            "/min",
            "次/分",
            "次/分钟",
            "次/min",
            "次／分",
            "/分",
        ),
        "/min",
        "rate",
        1.0,
        True,
    ),
    (("iu", "u", "unit", "units", "international units", "单位", "国际单位"), "U", "units", 1.0, True),
    (("万单位", "万u", "万iu"), "U", "units", 1e4, True),
    (("miu", "mu"), "mU", "units", 1e-3, True),
    (("mol",), "mol", "amount", 1.0, True),
    (("mmol", "毫摩尔"), "mmol", "amount", 1e-3, True),
    (("µmol", "μmol", "umol", "微摩尔"), "µmol", "amount", 1e-6, True),
    (("nmol",), "nmol", "amount", 1e-9, True),
    (("meq", "milliequivalent", "milliequivalents"), "mEq", "equivalent", 1e-3, True),
    (("tablet", "tablets", "tab", "tabs", "pill", "pills", "片"), "tablet", "tablet", 1.0, True),
    (("capsule", "capsules", "cap", "caps", "粒", "胶囊"), "capsule", "capsule", 1.0, True),
    (("puff", "puffs", "inhalation", "inhalations", "揿", "喷", "吸"), "puff", "puff", 1.0, True),
    (("drop", "drops", "gtt", "gtts", "滴"), "drop", "drop", 1.0, True),
    (("spray", "sprays"), "spray", "spray", 1.0, True),
    (("patch", "patches", "贴"), "patch", "patch", 1.0, True),
    (("ampule", "ampules", "ampoule", "ampoules", "vial", "vials", "支"), "ampoule", "ampoule", 1.0, True),
    (("袋",), "bag", "bag", 1.0, True),
    (("times", "次"), "times", "times", 1.0, True),
    (("km", "公里", "千米"), "km", "length", 1000.0, True),
    (("meter", "meters", "metre", "metres", "米"), "m", "length", 1.0, True),
    (("cm", "厘米"), "cm", "length", 0.01, True),
    (("mm", "毫米"), "mm", "length", 0.001, True),
    (("ft", "feet", "foot"), "ft", "length", 0.3048, False),
    (("inch", "inches"), "in", "length", 0.0254, False),
    (("m2", "m²", "平方米"), "m²", "area", 1.0, True),
    (("cm2", "cm²", "平方厘米"), "cm²", "area", 1e-4, True),
    (("cm3",), "mL", "volume", 1e-3, True),
    (("pack-years", "pack-year", "pack years", "pack year", "年支"), "pack-year", "pack_year", 1.0, True),
    (("kcal", "千卡"), "kcal", "energy", 1000.0, True),
    (("层", "层楼"), "floor", "floor", 1.0, True),
    (("块",), "block", "block", 1.0, True),
    (("blocks", "block"), "block", "block", 1.0, True),
    (("pillows", "pillow"), "pillow", "pillow", 1.0, True),
)
_FAHRENHEIT = (("℉", "°f", "° f", "ºf", "degrees f", "degree f", "degrees fahrenheit", "fahrenheit", "华氏度"), "°F")

# Units that may stand below a slash: "mg/dL", "mL/h", "mg/kg/day", "μg/揿".
_DENOMINATOR_DIMENSIONS = {"volume", "time", "mass", "area", "puff", "tablet", "capsule", "drop", "month", "year", "length"}


def _alias_table() -> dict[str, Unit]:
    table: dict[str, Unit] = {}
    for aliases, symbol, dimension, factor, exact in _SIMPLE:
        for alias in aliases:
            table.setdefault(alias.lower(), Unit(symbol, dimension, factor, 0.0, exact))
    for alias in _FAHRENHEIT[0]:
        table[alias.lower()] = Unit("°F", "temperature", 5 / 9, -32.0, False)
    return table


ALIASES = _alias_table()
_FAHRENHEIT_UNIT = Unit("°F", "temperature", 5 / 9, -32.0, False)
_CELSIUS_UNIT = Unit("°C", "temperature")


def _alternation(aliases: list[str]) -> str:
    parts = []
    for alias in sorted(aliases, key=len, reverse=True):
        escaped = re.escape(alias).replace(r"\ ", r"\s?")
        parts.append(escaped + (r"(?![A-Za-z])" if alias[-1:].isascii() and alias[-1:].isalnum() else ""))
    return "|".join(parts)


_SIMPLE_PATTERN = _alternation(list(ALIASES))
_COUNT = (
    r"(?:[x×*]\s*)?10\s*(?:\^|\*\*|e)?\s*(?P<exp>\d{1,2}|[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})\s*/\s*(?P<per>l|µl|μl|ul|mm3|mm³|hpf)(?![A-Za-z])"
)
_PER = r"\s*(?:/|／|\s+per\s+|每)\s*"
UNIT_PATTERN = re.compile(
    rf"(?P<count>{_COUNT})"
    rf"|(?P<kilo>k\s*/\s*(?:µl|μl|ul|mm3))(?![A-Za-z])"
    rf"|(?P<perhpf>/\s*(?:hpf|lpf|µl|μl|ul|mm3))(?![A-Za-z])"
    rf"|(?P<num>{_SIMPLE_PATTERN}|(?-i:[CF])(?![A-Za-z]))(?P<den>(?:{_PER}(?:{_SIMPLE_PATTERN})){{0,2}})",
    re.IGNORECASE,
)
_DEN_SPLIT = re.compile(_PER, re.IGNORECASE)
_ZH_SCHEDULE = re.compile(r"\s*(?:[一二两三四五六七八九十]|\d{1,2})\s*次")


def _lookup(alias: str) -> Unit | None:
    if alias == "C":
        return _CELSIUS_UNIT
    if alias == "F":
        return _FAHRENHEIT_UNIT
    key = re.sub(r"\s+", " ", alias.lower())
    return ALIASES.get(key) or ALIASES.get(key.replace(" ", ""))


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _count_unit(match: re.Match[str]) -> Unit:
    per = match["per"].lower()
    per_litre = {"l": 1.0, "µl": 1e-6, "μl": 1e-6, "ul": 1e-6, "mm3": 1e-6, "mm³": 1e-6}.get(per)
    exp = int(match["exp"].translate(_SUPERSCRIPTS))
    if per_litre is None:
        return Unit(f"×10^{exp}/{per}", f"count/{per}", 10.0**exp)
    return Unit(f"×10^{exp}/L" if per == "l" else f"×10^{exp}/µL", "count/volume", 10.0**exp / per_litre)


def parse_unit(text: str, pos: int = 0) -> tuple[Unit, int] | None:
    """The unit written at ``text[pos:]`` (leading spaces allowed) and where it ends."""
    skip = re.compile(r"[ \t\u3000]?(?:-(?=[A-Za-z]))?")  # "40 mg", "40mg", "10-day"
    start = skip.match(text, pos).end()
    match = UNIT_PATTERN.match(text, start)
    if match is None:
        return None
    if match["count"]:
        return _count_unit(match), match.end()
    if match["kilo"]:
        return Unit("×10^9/L", "count/volume", 1e9), match.end()
    if match["perhpf"]:
        per = re.sub(r"[/\s]", "", match["perhpf"].lower())
        if per in {"µl", "μl", "ul", "mm3"}:
            return Unit("/µL", "count/volume", 1e6), match.end()
        return Unit(f"/{per}", f"count/{per}", 1.0), match.end()
    numerator = _lookup(match["num"])
    if numerator is None:
        return None
    unit, end = numerator, match.end("num")
    if match["den"] and _ZH_SCHEDULE.match(text, match.end("den")) and "每" in match["den"]:
        pass  # "10mg每日两次": 每日 opens a schedule (twice a day), it is no "per day" of the dose
    elif match["den"]:
        pieces = [p for p in _DEN_SPLIT.split(match["den"]) if p.strip()]
        den_factor, den_dims, den_symbols = 1.0, [], []
        for piece in pieces:
            den = _lookup(piece.strip())
            if den is None or den.dimension not in _DENOMINATOR_DIMENSIONS:
                break
            den_factor *= den.factor
            den_dims.append(den.dimension)
            den_symbols.append(den.symbol)
        if den_dims and len(den_dims) == len(pieces) and numerator.dimension not in {"rate", "temperature"}:
            unit = Unit(
                "/".join([numerator.symbol, *den_symbols]),
                "/".join([numerator.dimension, *den_dims]),
                numerator.factor / den_factor,
                0.0,
                numerator.exact,
            )
            end = match.end("den")
    one_letter = unit.symbol in {"s", "d", "h", "y", "U", "L", "°C", "°F", "g"} and len(match["num"]) == 1 and end < len(text)
    if one_letter and (text[end] in "'’" or (text[end] == "." and end + 1 < len(text) and text[end + 1].isalpha())):
        return None  # "5 d's", "3 h.p." are no units
    return unit, end


@dataclass(frozen=True)
class Quantity:
    """A number as written, with its unit when one follows it."""

    value: float
    unit: Unit | None = None
    decimals: int = 0

    @property
    def base(self) -> float:
        return self.unit.to_base(self.value) if self.unit else self.value

    @property
    def dimension(self) -> str:
        return self.unit.dimension if self.unit else ""

    def same_as(self, other: Quantity, *, bare_matches: bool = True) -> bool:
        """The same amount: equal base values in one dimension; a bare number
        matches a quantity with the same number when ``bare_matches``."""
        if self.unit is None or other.unit is None:
            return bare_matches and same_number(self.value, other.value)
        if self.unit.dimension != other.unit.dimension:
            return False
        if self.unit.exact and other.unit.exact:
            return same_number(self.base, other.base, 1e-6)
        return same_number(self.base, other.base, 0.011)

    def key(self) -> str:
        """A hashable spelling of the amount, equal for exact equivalents."""
        if self.unit is None:
            return f"n:{self.value:.6g}"
        return f"q:{self.unit.dimension}:{self.base:.6g}"
