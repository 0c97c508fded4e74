"""The drafting pipeline on the samples. Its structure, the exact data sections, streaming,
stopping, token limits and regenerating run on the fake engine (tests/fakes.py); one
whole draft of the Chinese sample with the real default model checks that the real path
gives the same data sections (the English sample's: tests/drafting/test_draft_stats.py)."""

import threading
from datetime import datetime

import pytest

from emrwriter.drafting.evidence import Piece, fit_evidence
from emrwriter.drafting.pipeline import draft_summary, regenerate_section
from emrwriter.engine.base import READING, Engine
from emrwriter.records.case import load_case
from emrwriter.records.stay import select_encounter
from emrwriter.templates import load_template
from emrwriter.words import words
from tests.conftest import EN_CASE, ZH_CASE, short_template
from tests.fakes import FakeEngine, long_answer

ZH_CONTEXT = 4096  # small enough to force visible omissions


def draft_streamed(stay, template, engine, **kwargs):
    """A draft, and the text streamed for each section."""
    streamed: dict[str, str] = {}
    draft = draft_summary(
        stay, template, engine, on_token=lambda key, piece: streamed.__setitem__(key, streamed.get(key, "") + piece), **kwargs
    )
    return draft, streamed


def data_parts(draft):
    """What of a draft comes from the record, not the engine: the header, the data sections,
    and every table (a model section's too)."""
    return (
        draft.patient,
        [(s.key, s.text, s.table, s.sources) for s in draft.sections if s.origin == "data"],
        [(s.key, s.table) for s in draft.sections],
    )


def check_zh_data_sections(draft):
    assert draft.section("admission_date").text == "2026-10-08 10:20"
    assert draft.section("discharge_date").text == "2026-10-16 09:00"
    diagnoses = draft.section("discharge_diagnosis").text.splitlines()
    assert diagnoses[0] == "1. 社区获得性肺炎（右肺下叶，非重症，肺炎链球菌感染）" and len(diagnoses) == 4
    assert draft.section("admission_diagnosis").text.splitlines()[3] == "4. 低钾血症"
    orders = draft.section("discharge_orders")
    assert [row[0] for row in orders.table.rows] == [
        "莫西沙星片",
        "噻托溴铵奥达特罗吸入喷雾剂（2.5μg/2.5μg/揿）",
        "盐酸氨溴索片",
        "苯磺酸氨氯地平片",
    ]
    assert "2周后" in orders.text and "医师签名" not in orders.text
    assert draft.patient["姓名"] == "孙振海"
    labs = draft.section("hospital_course").table
    assert labs.caption == "异常检验结果：11 项（共 27 项检验）"
    assert labs.rows[0][:5] == ["白细胞计数", "14.6", "×10^9/L", "3.5-9.5", "↑"]


@pytest.fixture(scope="module")
def zh_stay():
    return select_encounter(load_case(ZH_CASE))


@pytest.fixture(scope="module")
def en_stay():
    return select_encounter(load_case(EN_CASE))


@pytest.fixture(scope="module")
def zh_draft(zh_stay):
    engine = FakeEngine(context_limit=ZH_CONTEXT)
    draft, streamed = draft_streamed(zh_stay, load_template("discharge_summary_zh"), engine)
    return draft, streamed, engine


def test_sections_follow_the_template_with_their_origin(zh_draft):
    draft, _, engine = zh_draft
    template = load_template("discharge_summary_zh")
    assert [s.heading for s in draft.sections] == [s.heading for s in template.sections]
    assert {s.key: s.origin for s in draft.sections} == {s.key: s.origin for s in template.sections}
    assert draft.model == engine.name and draft.template == "discharge_summary_zh"
    assert isinstance(draft.created, datetime)


def test_data_sections_are_exact(zh_draft):
    check_zh_data_sections(zh_draft[0])


def test_data_sections_cite_their_items(zh_draft):
    draft, _, _ = zh_draft
    sources = draft.section("discharge_diagnosis").sources
    assert len(sources) == 4 and all(s.file.endswith("出院医嘱.txt") and s.start is not None for s in sources)


def test_model_sections_are_written_streamed_and_cite_the_record(zh_draft):
    draft, streamed, engine = zh_draft
    model_sections = [s for s in draft.sections if s.origin == "model"]
    assert [label for label, _ in engine.prompts] == [s.heading for s in model_sections], "one prompt per section, in order"
    for section in model_sections:
        assert section.text and streamed[section.key].strip() == section.text
        assert section.sources and section.complete and not section.note


def test_what_did_not_fit_is_named_not_cut(zh_draft):
    draft, _, engine = zh_draft
    assert draft.omitted, "the zh sample is larger than 4096 tokens"
    assert all(str(ZH_CONTEXT) in note for note in draft.omitted)
    assert draft.stats.record_tokens < ZH_CONTEXT and draft.stats.evidence == "relevance"
    assert engine.n_ctx <= ZH_CONTEXT


def test_the_record_is_read_once_across_sections(zh_draft):
    stats = zh_draft[0].stats
    assert stats.prefix.source == "read" and stats.prefix.tokens > stats.record_tokens
    assert all(s.evaluated_tokens == s.prompt_tokens - stats.prefix.tokens for s in stats.sections), "each its own task only"
    assert stats.prompt_tokens_evaluated == stats.prefix.tokens + sum(s.evaluated_tokens for s in stats.sections)
    assert stats.record_tokens < stats.prompt_tokens_evaluated < stats.record_tokens * 1.5


class PromptsOnly(Engine):
    """An engine with only what every engine must have (a server behind HTTP, say):
    the protocol's defaults stand for prefix reading and the reading budget."""

    name = "prompts only"

    def __init__(self):
        self.inner = FakeEngine(context_limit=ZH_CONTEXT, prefix_reuse=False)

    @property
    def context_limit(self):
        return self.inner.context_limit

    def count_tokens(self, text):
        return self.inner.count_tokens(text)

    def reserve(self, tokens):
        self.inner.reserve(tokens)

    def chat_prompt(self, system, user):
        return self.inner.chat_prompt(system, user)

    def generate(self, prompt, max_tokens, **kwargs):
        return self.inner.generate(prompt, max_tokens, **kwargs)


def test_an_engine_that_cannot_reuse_a_prefix_drafts_the_same(zh_stay, zh_draft):
    engine = PromptsOnly()
    assert engine.read_shared_prefix(["a", "b"]) is None and engine.reading_budget() is None
    draft, _ = draft_streamed(zh_stay, load_template("discharge_summary_zh"), engine)
    assert data_parts(draft) == data_parts(zh_draft[0])
    assert [s.text for s in draft.sections] == [s.text for s in zh_draft[0].sections]
    stats = draft.stats
    assert stats.prefix is None and stats.prompt_tokens_evaluated == stats.prompt_tokens, "every prompt read whole"


def test_stopping_keeps_written_text_and_marks_the_rest(en_stay):
    template = load_template("discharge_summary_en")
    cancel = threading.Event()

    def token(key, piece):
        if piece.strip():
            cancel.set()

    draft = draft_summary(en_stay, template, FakeEngine(context_limit=2048), on_token=token, cancel=cancel)
    assert draft.cancelled
    model_sections = [s for s in draft.sections if s.origin == "model"]
    first, rest = model_sections[0], model_sections[1:]
    assert first.text and not first.complete and first.note == words("en")["drafting"]["stopped"]
    assert all(not s.text and not s.complete and s.note == words("en")["drafting"]["not_written"] for s in rest)
    assert [s.stop_reason for s in draft.stats.sections] == ["cancelled"]
    assert draft.section("discharge_medications").table.rows[0][0] == "Sacubitril/valsartan"


def test_stopping_while_the_record_is_read_writes_nothing(en_stay):
    cancel = threading.Event()

    def progress(report):
        if report.phase == READING and report.done > 0:
            cancel.set()

    engine = FakeEngine()
    draft = draft_summary(en_stay, load_template("discharge_summary_en"), engine, on_progress=progress, cancel=cancel)
    assert draft.cancelled and draft.stats.prefix.source == "cancelled" and not engine.prompts
    assert all(not s.text and not s.complete for s in draft.sections if s.origin == "model")
    assert all(s.text for s in draft.sections if s.origin == "data" and s.sources)


def test_a_looping_section_is_stopped_and_kept_before_the_loop(en_stay):
    template = load_template("discharge_summary_en")
    draft = draft_summary(en_stay, template, FakeEngine(answer="She improved. " + "She was discharged home. " * 40))
    for spec in (s for s in template.sections if s.origin == "model"):
        section = draft.section(spec.key)
        assert section.text == "She improved. She was discharged home."
        assert not section.complete and section.note == words("en")["drafting"]["repetition"]
    assert {s.stop_reason for s in draft.stats.sections} == {"repetition"} and not draft.cancelled


def test_record_mode_drafts_without_a_model_every_sentence_from_the_timeline(en_stay):
    template = load_template("discharge_summary_en")
    draft = draft_summary(en_stay, template, None, narrative="record")
    assert not draft.model and not draft.cancelled
    course = draft.section("procedures_and_treatment")
    assert course.origin == "data" and course.complete and course.sources
    assert "Started Sacubitril/valsartan" in course.text
    for section in draft.sections:
        assert section.text, section.key


def test_a_section_at_its_token_limit_is_marked_incomplete(en_stay):
    template = load_template("discharge_summary_en")
    draft = draft_summary(en_stay, template, FakeEngine(answer=long_answer(1000)))
    for spec in (s for s in template.sections if s.origin == "model"):
        section = draft.section(spec.key)
        assert not section.complete and section.note == words("en")["drafting"]["length"].format(n=spec.max_tokens)
        assert len(section.text.split()) == -(-spec.max_tokens * 4 // 5)  # the fake: "word " is five characters
    assert {s.stop_reason for s in draft.stats.sections} == {"length"} and not draft.cancelled


class JoinsCostMore(FakeEngine):
    """A tokenizer that spends tokens where the record meets the task (real ones merge or
    split differently across a join): the parts, counted apart, undercount the prompt."""

    def chat_prompt(self, system, user):
        return super().chat_prompt(system, user if user.startswith("\n\n") else "¤" * 64 + user)


def test_a_prompt_that_counts_more_than_its_parts_is_fitted_again(en_stay):
    engine = JoinsCostMore(context_limit=1024)
    draft = draft_summary(en_stay, load_template("discharge_summary_en"), engine)
    assert draft.omitted and not draft.cancelled
    assert (
        max(
            s.prompt_tokens + spec.max_tokens
            for s, spec in zip(
                draft.stats.sections, (t for t in load_template("discharge_summary_en").sections if t.origin == "model")
            )
        )
        <= 1024
    )


def _piece(label, size, priority, order):
    return Piece(label, "x" * size, priority, order)


def test_fit_keeps_by_priority_and_restores_record_order():
    pieces = [_piece("a", 50, 2, 0), _piece("b", 30, 0, 1), _piece("c", 40, 1, 2), _piece("d", 10, 3, 3)]
    render = lambda ps: "".join(p.text for p in ps)  # noqa: E731
    evidence = fit_evidence(pieces, 85, len, render)
    assert [p.label for p in evidence.pieces] == ["b", "c", "d"]
    assert [p.label for p in evidence.omitted] == ["a"]
    assert evidence.omitted_notes(85) == ["a: 50 tokens left out, the record did not fit the model's context of 85 tokens"]


def test_one_section_is_regenerated_from_the_same_record(zh_stay, zh_draft):
    draft, _, engine = zh_draft
    pieces = []
    section = regenerate_section(
        zh_stay,
        load_template("discharge_summary_zh"),
        engine,
        "discharge_condition",
        on_token=lambda key, piece: pieces.append((key, piece)),
    )
    assert section.heading == "出院情况" and section.origin == "model" and section.text
    assert {key for key, _ in pieces} == {"discharge_condition"}
    assert section.sources == draft.section("discharge_condition").sources
    assert engine.last_prefix.source == "context", "the engine still holds the record: it is not read again"


# -- the real model --------------------------------------------------------------------------


def test_the_real_model_drafts_the_zh_sample_with_the_same_data_sections(default_model, zh_stay, zh_draft, tmp_path):
    """The real path end to end (a context of 1024 and answers capped at 12 tokens keep it quick)."""
    from emrwriter.engine.llama_engine import LocalEngine

    template = short_template("discharge_summary_zh", tmp_path / "short_zh", 12)
    engine = LocalEngine(default_model, context_cap=1024, prefix_cache=None)
    draft, streamed = draft_streamed(zh_stay, template, engine)
    check_zh_data_sections(draft)
    assert data_parts(draft) == data_parts(zh_draft[0])
    assert draft.model.startswith("Smollm2 135M") and not draft.cancelled and draft.omitted
    for section in (s for s in draft.sections if s.origin == "model"):
        assert section.text and streamed[section.key].strip() == section.text and section.sources
    stats = draft.stats
    assert stats.prefix.source == "read" and engine.n_ctx <= 1024
    assert stats.prompt_tokens_evaluated == stats.prefix.evaluated_tokens + sum(s.evaluated_tokens for s in stats.sections)
    assert stats.prompt_tokens_evaluated < 0.5 * stats.prompt_tokens, "the record was read once"
