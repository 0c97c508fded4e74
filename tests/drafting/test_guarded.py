"""Guarded generation: each sentence the model writes is checked as soon as it is complete;
one that gives a value the record does not is written again with those words banned, then
replaced by the timeline's own sentence, and the draft says which. The fake engine plays the
model; the check is the verifier's, on the English sample's record."""

from __future__ import annotations

import pytest

from emrwriter.checks.sentence_check import sentence_check
from emrwriter.drafting.guarded import write_guarded
from emrwriter.engine.base import Cancel
from emrwriter.records.case import load_case
from emrwriter.records.stay import select_encounter
from emrwriter.templates import load_template
from emrwriter.words import words
from emrwriter.workflow import FROM_MODEL, draft_summary
from tests.conftest import EN_CASE
from tests.fakes import FakeEngine

GOOD = "She was diuresed with IV furosemide. "
WRONG = "Her ejection fraction was 55% on echo. "  # the record gives 30%
STAND_IN = "Echo today shows LVEF 30%, down from 40%."


@pytest.fixture(scope="module")
def en_stay():
    return select_encounter(load_case(EN_CASE))


@pytest.fixture(scope="module")
def check(en_stay):
    return sentence_check(en_stay)


def test_the_check_names_the_value_the_record_does_not_give(check) -> None:
    assert check(GOOD.strip()) == []
    assert "55%" in check(WRONG.strip())


def guarded(engine, check, fallback=()):
    shown: list[str] = []
    written = write_guarded(
        engine,
        "<prompt>",
        200,
        label="Course",
        words=words("en"),
        check=check,
        fallback=list(fallback),
        on_token=shown.append,
        cancel=Cancel(),
    )
    return written, "".join(shown)


def test_a_wrong_sentence_is_written_again_with_its_words_banned(check) -> None:
    answers = iter([GOOD + WRONG + "More.", "Her ejection fraction was 30% on echo. She went home."])
    engine = FakeEngine(answer=lambda prompt, label: next(answers))
    written, shown = guarded(engine, check)
    assert written.text == GOOD + "Her ejection fraction was 30% on echo. She went home."
    assert shown == written.text  # the doctor never saw the wrong sentence
    assert engine.avoided == [[], ["55%"]]
    assert engine.prompts[1][1] == "<prompt>" + GOOD  # asked again from where the wrong sentence began
    assert len(written.notes) == 1 and "55%" in written.notes[0] and "wrote it again" in written.notes[0]


def test_wrong_again_the_timeline_sentence_stands_in(check) -> None:
    def answer(prompt: str, label: str) -> str:
        if prompt.endswith(STAND_IN + " "):
            return "She went home."
        return (GOOD if prompt == "<prompt>" else "") + WRONG + "She went home."

    engine = FakeEngine(answer=answer)
    written, shown = guarded(engine, check, fallback=["Admitted with dyspnea.", STAND_IN])
    assert written.text == GOOD + STAND_IN + " She went home."
    assert engine.avoided == [[], ["55%"], []]
    assert "55%" not in written.text and "55%" not in shown
    assert len(written.notes) == 1 and STAND_IN in written.notes[0] and "wrote it again" not in written.notes[0]


def test_no_sentence_to_stand_in_leaves_it_out_and_says_so(check) -> None:
    engine = FakeEngine(answer=lambda prompt, label: WRONG)
    written, _ = guarded(engine, check, fallback=["Admitted with dyspnea."])
    assert "55%" not in written.text
    assert len(written.notes) == 1 and "left out" in written.notes[0]


def test_unchecked_the_answer_streams_as_it_comes() -> None:
    engine = FakeEngine(answer=GOOD + WRONG)
    written, shown = guarded(engine, None)
    assert written.text == shown == GOOD + WRONG and written.notes == []


def test_a_guarded_draft_carries_the_notes_in_its_language(en_stay) -> None:
    template = load_template("discharge_summary_en")
    engine = FakeEngine(answer=lambda prompt, label: WRONG)
    draft = draft_summary(en_stay, template, engine, narrative=FROM_MODEL)
    model_sections = [s for s in draft.sections if s.origin == "model"]
    assert model_sections and all("55%" not in s.text for s in model_sections)
    assert any(s.guard_notes for s in model_sections)
    assert any(note.startswith(model_sections[0].heading + ":") for note in draft.problems)
    unguarded = draft_summary(en_stay, template, FakeEngine(answer=lambda prompt, label: WRONG), guarded=False)
    assert all("55%" in s.text for s in unguarded.sections if s.origin == "model")


def test_the_text_kept_before_a_loop_is_checked_too(check) -> None:
    loop = "Her ejection fraction was 55% on echo " + "&&&& " * 8  # the loop cuts the sentence before its end
    answers = iter([GOOD + loop, "She went home."])
    engine = FakeEngine(answer=lambda prompt, label: next(answers, ""))
    written, shown = guarded(engine, check)
    assert "55%" not in written.text and "55%" not in shown
    assert written.notes and "55%" in written.notes[0]
