"""Numbers, units, dates, frequencies and routes: every spelling of one fact is one value."""

from __future__ import annotations

import pytest

from emrwriter.facts.dates import DateValue, TimeValue, find_dates
from emrwriter.facts.dosing import match_frequency, match_route, normalise_frequency
from emrwriter.facts.numbers import en_words_value, zh_numeral_value
from emrwriter.facts.tokens import tokenize
from emrwriter.facts.units import Quantity, parse_unit


def values(text: str) -> list:
    return [t for t in tokenize(text) if t.is_value]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("2mg", "2 mg"),
        ("0.5 g", "500 mg"),
        ("1,000 mL", "1000 ml"),
        ("1 L", "1000 mL"),
        ("38.6℃", "38.6 °C"),
        ("36.9 C", "98.4 F"),
        ("two weeks", "2 weeks"),
        ("2 weeks", "14 days"),
        ("两周", "2周"),
        ("14.6×10^9/L", "14.6 x10^9/L"),
        ("7.8 K/uL", "7.8 ×10⁹/L"),
        ("０.４ｇ", "0.4 g"),
        ("3,000 mg per day", "3 g/day"),
        ("100 mcg", "100 µg"),
    ],
)
def test_faithful_spellings_are_one_quantity(a: str, b: str) -> None:
    (qa,), (qb,) = values(a), values(b)
    assert qa.value.same_as(qb.value)


@pytest.mark.parametrize(
    ("a", "b"), [("40 mg", "40 g"), ("40 mg", "20 mg"), ("2 L", "2 mL"), ("38.6℃", "39.6℃"), ("5 mmol/L", "5 mg/dL")]
)
def test_changed_quantities_differ(a: str, b: str) -> None:
    (qa,), (qb,) = values(a), values(b)
    assert not qa.value.same_as(qb.value)


def test_bare_numbers_match_only_when_allowed() -> None:
    assert Quantity(40.0).same_as(Quantity(40.0, parse_unit(" mg")[0]))
    assert not Quantity(40.0).same_as(Quantity(40.0, parse_unit(" mg")[0]), bare_matches=False)


def test_number_words() -> None:
    assert en_words_value("twenty-one") == 21
    assert en_words_value("one hundred and five") == 105
    assert zh_numeral_value("十二") == 12
    assert zh_numeral_value("两") == 2
    assert zh_numeral_value("一百二十") == 120


@pytest.mark.parametrize(
    "text",
    ["2026-10-08", "10/08/2026", "Oct 8, 2026", "October 8th, 2026", "8 Oct 2026", "2026年10月8日", "2026/10/08"],
)
def test_full_dates_in_every_form(text: str) -> None:
    (found,) = find_dates(text)
    assert found.value == DateValue(2026, 10, 8)
    assert (found.start, found.end) == (0, len(text))


def test_partial_dates_and_times() -> None:
    text = "10-08至10-11，10月8日 Oct 8 (10/04 05:10) at 7: 15 p.m."
    found = [(text[m.start : m.end], m.value) for m in find_dates(text)]
    assert ("10-08", DateValue(None, 10, 8)) in found
    assert ("10月8日", DateValue(None, 10, 8)) in found
    assert ("05:10", TimeValue(5, 10)) in found
    assert ("7: 15 p.m.", TimeValue(19, 15)) in found
    assert DateValue(None, 10, 8).compatible(DateValue(2026, 10, 8))
    assert not DateValue(2026, 10, 9).compatible(DateValue(2026, 10, 8))


def test_ranges_and_ratios_are_no_dates() -> None:
    assert find_dates("10-15 mL, pain 3/10, BP 120/80, 4～6周") == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("bid", "2/d"),
        ("b.i.d.", "2/d"),
        ("twice daily", "2/d"),
        ("q12h", "2/d"),
        ("每日两次", "2/d"),
        ("每日2次", "2/d"),
        ("once daily", "1/d"),
        ("daily", "1/d"),
        ("qd", "1/d"),
        ("每日一次", "1/d"),
        ("tid", "3/d"),
        ("一日三次", "3/d"),
        ("q6h", "4/d"),
        ("every 6 hours", "4/d"),
        ("nightly", "qhs"),
        ("at bedtime", "qhs"),
        ("睡前", "qhs"),
        ("prn", "prn"),
        ("as needed", "prn"),
        ("必要时", "prn"),
        ("two to three times daily", "2-3/d"),
    ],
)
def test_frequencies(text: str, code: str) -> None:
    assert match_frequency(text, 0) == (code, len(text))
    assert normalise_frequency(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("PO", "po"),
        ("by mouth", "po"),
        ("口服", "po"),
        ("IV", "iv"),
        ("静滴", "iv"),
        ("静脉滴注", "iv"),
        ("subcutaneously", "sc"),
        ("皮下注射", "sc"),
        ("吸入", "inh"),
    ],
)
def test_routes(text: str, code: str) -> None:
    assert match_route(text, 0) == (code, len(text))


def test_list_numbering_is_no_value() -> None:
    tokens = tokenize("1. Furosemide 40 mg\n2. Aspirin 81 mg")
    assert [t.text for t in tokens if t.is_value] == ["40 mg", "81 mg"]


def test_hard_wrapped_prose_keeps_a_number_with_its_unit_and_a_sentence_whole() -> None:
    from emrwriter.facts.tokens import split_sentences, tokenize

    text = "He does report some confusion when he awakens and reports losing consciousness for two to three\nminutes."
    quantities = [t for t in tokenize(text) if t.kind == "qty"]
    assert quantities[-1].value.unit is not None and quantities[-1].text.endswith("minutes")
    text = "Surgically corrected before the fifth grade. We did a\nCT scan of the abdomen.\nPlan: home."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Surgically corrected before the fifth grade.",
        "We did a\nCT scan of the abdomen.",
        "Plan: home.",
    ]
    table = "Sodium 131\nmmol/L is the unit row"  # a short line that ends in a number is no wrap
    assert [t for t in tokenize(table) if t.kind == "qty"][0].value.unit is None


def test_a_long_paragraph_ending_in_an_article_is_no_hard_wrap() -> None:
    from emrwriter.facts.tokens import split_sentences

    paragraph = "She was diuresed with IV furosemide and her breathing improved steadily over the first days of her stay. The"
    text = paragraph + "\nAbnormal results: 17 (of 25 results)"
    assert len(paragraph) > 100 and [text[a:b] for a, b in split_sentences(text)][-1] == "Abnormal results: 17 (of 25 results)"
