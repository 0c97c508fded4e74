"""The words files (emrwriter/words/*.toml): every language has the same keys and no
field English does not fill, every phrase the code names exists with the fields the
code gives it, an unknown language reads English and says so, and a finding is
worded in whichever language the draft is written in."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import emrwriter
from emrwriter.checks.findings import HIGH, Finding, worded
from emrwriter.words import BY_LANGUAGE, languages, phrase, phrase_fields, words

SOURCE = Path(emrwriter.__file__).parent


def leaves(table: dict, prefix: str = "") -> dict[str, object]:
    """Every entry of a words table by its dotted key."""
    found: dict[str, object] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            found.update(leaves(value, f"{prefix}{key}."))
        else:
            found[f"{prefix}{key}"] = value
    return found


def test_every_language_has_the_same_keys_and_no_field_of_its_own() -> None:
    assert {"en", "zh"} <= set(languages())
    english = leaves(words("en"))
    for language in languages():
        own = leaves(words(language))
        assert own.keys() == english.keys(), language
        assert own["language"] == language
        for key, value in own.items():
            if isinstance(value, str):
                assert phrase_fields(value) <= phrase_fields(english[key]), (language, key)  # may leave one out
            elif isinstance(value, list):
                assert len(value) == len(english[key]), (language, key)  # table headers: one word a column


def worded_calls() -> list[tuple[str, set[str], str]]:
    """(code, field names given, where) of every worded(...) call in the package."""
    calls = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "worded" and node.args:
                first = node.args[0]
                codes = (
                    [first]
                    if isinstance(first, ast.Constant)
                    else [first.body, first.orelse]
                    if isinstance(first, ast.IfExp)
                    else []
                )
                assert codes, f"{path.name}:{node.lineno}: worded() with a computed code"
                for code in codes:
                    calls.append((code.value, {k.arg for k in node.keywords}, f"{path.name}:{node.lineno}"))
    return calls


def test_every_message_the_checks_give_is_in_the_words_with_its_fields() -> None:
    calls = worded_calls()
    assert len(calls) >= 20  # grounding, diagnoses, omissions, safety
    for language in languages():
        for code, given, where in calls:
            assert code in words(language)["findings"], f"{where}: no {language} words for {code!r}"
            assert phrase_fields(words(language)["findings"][code]) <= given, where
    for code, given, where in calls:
        assert phrase_fields(words("en")["findings"][code]) == given, where  # English names every field it is given


def test_an_unknown_language_reads_english_and_says_so(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="emrwriter.words"):
        assert words("qq") is words("en")
    assert "'qq'" in caplog.text
    assert words("zh-CN") is words("zh") and words("zh_Hans") is words("zh")
    assert words("../en") is words("en")  # a language is a name, never a path
    assert BY_LANGUAGE["zh"] is words("zh")


def test_a_finding_is_worded_in_the_language_asked_for() -> None:
    finding = Finding(10, 15, "40 mg", "dose", HIGH, **worded("value_changed", said="20 mg", text="40 mg"))
    assert finding.message == "the record says '20 mg' here, not '40 mg'"
    chinese = finding.in_language("zh")
    assert chinese.message == "病历此处为“20 mg”，而非“40 mg”"
    assert (chinese.kind, chinese.code, chinese.start, chinese.end) == ("dose", "value_changed", 10, 15)
    assert chinese.as_dict()["code"] == "value_changed" and chinese.as_dict()["kind"] == "dose"
    side = Finding(0, 1, "右", "side", HIGH, **worded("side_changed", theirs="left", ours="right/bilateral"))
    assert side.in_language("zh").message == "病历此处为左侧，而非右侧/双侧"
    assert side.in_language("en").message == "the record says left here, not right/bilateral"
    assert phrase("zh", "findings.medication_change_no_reason", name="呋塞米", action="stopped") == "呋塞米已停用，草稿未说明原因"
