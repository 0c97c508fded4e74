"""Property-based tests (hypothesis): the parsers of numbers, units, doses, dates and
frequencies round-trip what they should and never raise on arbitrary text; the importers,
fed corpus files mutated by byte flips, truncation, key deletion and wrong-typed values,
return a Record or refuse in one line, never anything else (issue 13). Example counts are
bounded so that each test takes seconds."""

from __future__ import annotations

import copy
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from emrwriter.facts.dates import DateValue, find_dates
from emrwriter.facts.dosing import match_frequency, match_route, normalise_frequency
from emrwriter.facts.numbers import decimals, digits_value, en_words_value, same_number, zh_numeral_value
from emrwriter.facts.units import Quantity, parse_unit
from emrwriter.records.case import load_case
from emrwriter.records.dates import find_date, parse_datetime
from emrwriter.records.fhir import parse_fhir_datetime
from emrwriter.records.model import Record, RecordError
from tests.conftest import CORPUS

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Importing is slower: fewer examples, and a failure is reported as found (shrinking a real
# bundle takes minutes).
IMPORTS = settings(
    max_examples=int(os.environ.get("EMRWRITER_IMPORT_EXAMPLES", "20")),
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Text the parsers meet: letters, digits, CJK, punctuation, units and whitespace, mixed.
clinical_text = st.text(
    alphabet=st.sampled_from(
        list("0123456789 .,:/-xX()%μµ°abdghilmnopqstuwyBIDQHSTPRN\t\n") + list("日月年次每两十百千万毫克升时分")
    ),
    max_size=60,
) | st.text(max_size=60)


# --------------------------------------------------------------------------- numbers

_EN_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_EN_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def _english(n: int) -> str:
    """n (0..999,999) in English words, the way notes spell them."""
    if n < 20:
        return _EN_UNITS[n]
    if n < 100:
        return _EN_TENS[n // 10 - 2] + ("-" + _EN_UNITS[n % 10] if n % 10 else "")
    if n < 1000:
        return _EN_UNITS[n // 100] + " hundred" + (" and " + _english(n % 100) if n % 100 else "")
    return _english(n // 1000) + " thousand" + (" " + _english(n % 1000) if n % 1000 else "")


_ZH = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    """n (1..99,999) as a Chinese numeral (一万二千三百零五 style, 十二 for 12)."""
    if n >= 10000:
        rest = n % 10000
        return _chinese(n // 10000) + "万" + (("零" if rest < 1000 else "") + _chinese(rest) if rest else "")
    out, zero = "", False
    for scale, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // scale % 10
        if digit:
            out += ("零" if zero and out else "") + ("" if (name == "十" and digit == 1 and not out) else _ZH[digit]) + name
            zero = False
        elif out:
            zero = True
    return out


@FAST
@given(st.integers(min_value=0, max_value=999_999))
def test_english_number_words_round_trip(n: int) -> None:
    assert en_words_value(_english(n)) == n


@FAST
@given(st.integers(min_value=1, max_value=99_999))
def test_chinese_numerals_round_trip(n: int) -> None:
    assert zh_numeral_value(_chinese(n)) == n


@FAST
@given(st.integers(min_value=-(10**9), max_value=10**9), st.integers(min_value=0, max_value=4))
def test_digit_strings_round_trip_with_separators_and_decimals(n: int, places: int) -> None:
    value = n / 10**places
    written = f"{value:,.{places}f}"
    assert digits_value(written) == pytest.approx(value)
    assert decimals(written) == places
    assert same_number(value, digits_value(written))


@FAST
@given(clinical_text)
def test_number_readers_never_raise(text: str) -> None:
    for reader in (en_words_value, zh_numeral_value, digits_value):
        value = reader(text)
        assert value is None or isinstance(value, float)
    assert decimals(text) >= 0


@FAST
@given(st.floats(allow_nan=False, allow_infinity=False, width=32), st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_same_number_is_reflexive_and_symmetric(a: float, b: float) -> None:
    assert same_number(a, a)
    assert same_number(a, b) == same_number(b, a)


# --------------------------------------------------------------------------- units


@FAST
@given(clinical_text, st.integers(min_value=0, max_value=70))
def test_parse_unit_never_raises_and_ends_inside_the_text(text: str, pos: int) -> None:
    pos = min(pos, len(text))
    found = parse_unit(text, pos)
    if found is not None:
        unit, end = found
        assert pos < end <= len(text)
        assert unit.symbol and unit.dimension


@FAST
@given(
    st.sampled_from([("mg", "g", 1e-3), ("g", "kg", 1e-3), ("mcg", "mg", 1e-3), ("mL", "L", 1e-3), ("毫克", "g", 1e-3)]),
    st.integers(min_value=1, max_value=100_000),
)
def test_a_dose_written_in_another_unit_is_the_same_amount(units: tuple[str, str, float], amount: int) -> None:
    small, big, factor = units
    small_unit, _ = parse_unit(f"{amount} {small}", len(str(amount)))  # type: ignore[misc]
    big_unit, _ = parse_unit(f"1 {big}", 1)  # type: ignore[misc]
    one = Quantity(float(amount), small_unit)
    other = Quantity(amount * factor, big_unit)
    assert one.same_as(other) and other.same_as(one)
    assert one.key() == other.key()
    assert not one.same_as(Quantity(amount * factor * 2, big_unit))


# --------------------------------------------------------------------------- doses and frequencies

_TWICE_A_DAY = [
    "bid",
    "b.i.d.",
    "BID",
    "b.d.",
    "twice daily",
    "twice a day",
    "2 times daily",
    "two times a day",
    "q12h",
    "every 12 hours",
    "每日两次",
    "每日2次",
]


@FAST
@given(st.sampled_from(_TWICE_A_DAY), st.sampled_from(["", " ", "  "]), st.booleans())
def test_every_way_of_writing_twice_a_day_is_one_code(written: str, pad: str, upper: bool) -> None:
    assert normalise_frequency(pad + (written.upper() if upper else written) + pad) == "2/d"


@FAST
@given(st.sampled_from([1, 2, 3, 4, 6, 8, 12, 24]))
def test_every_n_hours_is_the_same_as_qnh(hours: int) -> None:
    assert normalise_frequency(f"every {hours} hours") == normalise_frequency(f"q{hours}h")


@FAST
@given(clinical_text, st.integers(min_value=0, max_value=70))
def test_frequency_and_route_readers_never_raise(text: str, pos: int) -> None:
    pos = min(pos, len(text))
    for reader in (match_frequency, match_route):
        found = reader(text, pos)
        if found is not None:
            code, end = found
            assert code and pos < end <= len(text)
    assert isinstance(normalise_frequency(text), str)


@FAST
@given(st.sampled_from(["bid", "tid", "qid", "qhs", "prn", "q6h", "daily", "每日三次", "every other day"]))
def test_normalising_a_frequency_twice_changes_nothing(written: str) -> None:
    code = normalise_frequency(written)
    assert normalise_frequency(code) in (code, code.lower())


# --------------------------------------------------------------------------- dates

dates = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
_FORMATS = [
    lambda d: d.strftime("%Y-%m-%d"),
    lambda d: d.strftime("%Y/%m/%d"),
    lambda d: d.strftime("%m/%d/%Y"),
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: d.strftime("%d %b %Y"),
    lambda d: d.strftime("%B %d, %Y"),
    lambda d: d.strftime("%d-%b-%Y"),
]


@FAST
@given(dates, st.sampled_from(range(len(_FORMATS))))
def test_a_date_written_in_any_supported_way_reads_back(when: datetime, form: int) -> None:
    written = _FORMATS[form](when)
    assert parse_datetime(written) == datetime(when.year, when.month, when.day)
    [mention] = [m for m in find_dates(f"seen on {written}.") if isinstance(m.value, DateValue)]
    assert (mention.value.year, mention.value.month, mention.value.day) == (when.year, when.month, when.day)


@FAST
@given(dates)
def test_a_date_and_time_reads_back(when: datetime) -> None:
    assert parse_datetime(when.strftime("%Y-%m-%d %H:%M")) == when


@FAST
@given(dates)
def test_fhir_datetimes_round_trip(when: datetime) -> None:
    assert parse_fhir_datetime(when.isoformat()) == when
    assert parse_fhir_datetime(when.strftime("%Y-%m-%dT%H:%M:%S+08:00")) == when  # the wall-clock time is kept
    assert parse_fhir_datetime(when.strftime("%Y-%m")) == datetime(when.year, when.month, 1)


@FAST
@given(clinical_text | st.integers() | st.none() | st.lists(st.integers(), max_size=2))
def test_fhir_datetime_refuses_anything_else_with_value_error_only(value) -> None:
    try:
        result = parse_fhir_datetime(value)  # type: ignore[arg-type]
    except ValueError:
        return
    assert isinstance(result, datetime)


@FAST
@given(clinical_text)
def test_date_finders_never_raise_and_keep_their_spans_in_order(text: str) -> None:
    mentions = find_dates(text)
    ends = [0]
    for mention in mentions:
        assert ends[-1] <= mention.start < mention.end <= len(text)
        ends.append(mention.end)
    found = find_date(text)
    assert found is None or 0 <= found.start < found.end <= len(text)
    parse_datetime(text)


# --------------------------------------------------------------------------- importers on mutated corpus files


def _corpus_samples() -> dict[str, bytes]:
    """Small real files from the corpus, read in place (a large bundle cut to its first entries)."""
    if not CORPUS.is_dir():
        return {}
    samples: dict[str, bytes] = {}
    bundle_path = sorted((CORPUS / "synthea-fhir-r4").glob("*.json"))[0]
    bundle = json.loads(bundle_path.read_bytes())
    bundle["entry"] = bundle["entry"][:60]
    samples["bundle.json"] = json.dumps(bundle).encode()
    ccdas = sorted((CORPUS / "hl7-ccda-examples").glob("*.xml"), key=lambda p: p.stat().st_size)
    samples["document.xml"] = ccdas[len(ccdas) // 3].read_bytes()
    notes = sorted((CORPUS / "discharge-notes").glob("*.txt"), key=lambda p: p.stat().st_size)
    samples["discharge_summary.txt"] = next(p for p in notes if p.stat().st_size > 3000).read_bytes()
    ndjson = CORPUS / "synthea-bulk-ndjson" / "ndjson"
    lines = b"".join(
        b"".join((ndjson / name).read_bytes().splitlines(keepends=True)[:8])
        for name in ("Patient.000.ndjson", "Encounter.000.ndjson")
    )
    samples["export.ndjson"] = lines
    return samples


SAMPLES = _corpus_samples()
needs_corpus = pytest.mark.skipif(not SAMPLES, reason=f"the shared corpus is not at {CORPUS}")


def _import(name: str, data: bytes) -> None:
    """Import ``data`` as a file called ``name``: a Record, or a one-line RecordError naming it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            record = load_case(path)
        except RecordError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc), str(exc)
            return
        assert isinstance(record, Record)
        assert all(isinstance(p.message, str) and "\n" not in p.message for p in record.problems)


@needs_corpus
@IMPORTS
@given(st.sampled_from(sorted(SAMPLES) or ["-"]), st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=12))
def test_importers_survive_byte_flips(name: str, flips: list[tuple[int, int]]) -> None:
    data = bytearray(SAMPLES[name])
    for where, byte in flips:
        data[where % len(data)] = byte
    _import(name, bytes(data))


@needs_corpus
@IMPORTS
@given(st.sampled_from(sorted(SAMPLES) or ["-"]), st.floats(min_value=0.0, max_value=1.0))
def test_importers_survive_truncation(name: str, fraction: float) -> None:
    data = SAMPLES[name]
    _import(name, data[: int(len(data) * fraction)])


def _paths(value, prefix=()):
    """Every (path, value) inside a JSON value."""
    yield prefix, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


_WRONG = st.sampled_from([None, 0, -1, 19520302, 1.5, True, "", "not a date", [], {}, ["x"], {"x": 1}, "9" * 50])


@needs_corpus
@IMPORTS
@given(st.data())
def test_fhir_import_survives_deleted_keys_and_wrong_types(data) -> None:
    """Delete keys and give values of the wrong type anywhere in a real bundle: every mapped
    resource is imported or named in a problem, and nothing raises."""
    bundle = json.loads(SAMPLES["bundle.json"])
    every = [path for path, _ in _paths(bundle) if path]
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        path = data.draw(st.sampled_from(every))
        parent = bundle
        try:
            for step in path[:-1]:
                parent = parent[step]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
        if not isinstance(parent, dict | list):
            continue
        last = path[-1]
        if isinstance(parent, dict) and last in parent and data.draw(st.booleans()):
            del parent[last]
        elif isinstance(parent, dict) or (isinstance(last, int) and last < len(parent)):
            parent[last] = copy.deepcopy(data.draw(_WRONG))
    _import("bundle.json", json.dumps(bundle).encode())


@needs_corpus
def test_a_wrong_typed_birth_date_and_period_are_named_with_their_place() -> None:
    """The issue's own example, on a real bundle: the values are listed, not dropped silently."""
    bundle = json.loads(SAMPLES["bundle.json"])
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    encounter = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Encounter")
    patient["birthDate"] = 19520302
    encounter["period"]["start"] = "not a date"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bundle.json"
        path.write_text(json.dumps(bundle))
        messages = [p.message for p in load_case(path).problems]
    assert f"Patient/{patient['id']}: birthDate 19520302 is not a FHIR date; left empty" in messages
    assert f"Encounter/{encounter['id']}: period.start 'not a date' is not a FHIR date; left empty" in messages


def test_the_date_strategies_cover_leap_days() -> None:

    assert parse_datetime("2024-02-29") == datetime(2024, 2, 29) and parse_datetime("2023-02-29") is None
