"""The drafting pipeline on the samples with the real default model."""

import threading
from datetime import datetime

import pytest

from emrwriter.drafting.evidence import Piece, fit_evidence
from emrwriter.drafting.pipeline import draft_summary
from emrwriter.engine.llama_engine import LocalEngine
from emrwriter.records.case import load_case
from emrwriter.records.stay import select_encounter
from emrwriter.templates import load_template
from tests.conftest import EN_CASE, ZH_CASE

ZH_CONTEXT = 4096  # small enough to force visible omissions, and to keep the suite quick


@pytest.fixture(scope="module")
def zh_draft(default_model):
    stay = select_encounter(load_case(ZH_CASE))
    engine = LocalEngine(default_model, context_cap=ZH_CONTEXT)
    streamed: dict[str, str] = {}
    draft = draft_summary(stay, load_template("discharge_summary_zh"), engine,
                          on_token=lambda key, piece: streamed.__setitem__(key, streamed.get(key, "") + piece))
    return draft, streamed, engine


def test_sections_follow_the_template_with_their_origin(zh_draft):
    draft, _, _ = zh_draft
    template = load_template("discharge_summary_zh")
    assert [s.heading for s in draft.sections] == [s.heading for s in template.sections]
    assert {s.key: s.origin for s in draft.sections} == {s.key: s.kind for s in template.sections}
    assert draft.model.startswith("Smollm2 135M") and draft.template == "discharge_summary_zh"
    assert isinstance(draft.created, datetime)


def test_data_sections_are_exact(zh_draft):
    draft, _, _ = zh_draft
    assert draft.section("admission_date").text == "2026-10-08 10:20"
    assert draft.section("discharge_date").text == "2026-10-16 09:00"
    diagnoses = draft.section("discharge_diagnosis").text.splitlines()
    assert diagnoses[0] == "1. 社区获得性肺炎（右肺下叶，非重症，肺炎链球菌感染）" and len(diagnoses) == 4
    assert draft.section("admission_diagnosis").text.splitlines()[3] == "4. 低钾血症"
    orders = draft.section("discharge_orders")
    assert [row[0] for row in orders.table.rows] == ["莫西沙星片", "噻托溴铵奥达特罗吸入喷雾剂（2.5μg/2.5μg/揿）", "盐酸氨溴索片", "苯磺酸氨氯地平片"]
    assert "2周后" in orders.text and "医师签名" not in orders.text
    assert draft.patient["姓名"] == "孙振海"
    labs = draft.section("hospital_course").table
    assert labs.caption == "异常检验结果：11 项（共 27 项检验）"
    assert labs.rows[0][:5] == ["白细胞计数", "14.6", "×10^9/L", "3.5-9.5", "↑"]


def test_data_sections_cite_their_items(zh_draft):
    draft, _, _ = zh_draft
    sources = draft.section("discharge_diagnosis").sources
    assert len(sources) == 4 and all(s.file.endswith("出院医嘱.txt") and s.start is not None for s in sources)


def test_model_sections_are_written_streamed_and_cite_the_record(zh_draft):
    draft, streamed, _ = zh_draft
    for section in draft.sections:
        if section.origin == "model":
            assert section.text, section.key
            assert streamed[section.key].strip() == section.text
            assert section.sources
            assert section.complete or section.note


def test_what_did_not_fit_is_named_not_cut(zh_draft):
    draft, _, engine = zh_draft
    assert draft.omitted, "the zh sample is larger than 4096 tokens"
    assert all("tokens left out" in note and str(ZH_CONTEXT) in note for note in draft.omitted)
    assert draft.stats.record_tokens < ZH_CONTEXT
    assert engine.n_ctx <= ZH_CONTEXT


def test_the_record_is_read_once_across_sections(zh_draft):
    draft, _, _ = zh_draft
    record = draft.stats.record_tokens
    assert record < draft.stats.prompt_tokens_evaluated < record * 1.5


def test_stopping_keeps_written_text_and_marks_the_rest(engine):
    stay = select_encounter(load_case(EN_CASE))
    template = load_template("discharge_summary_en")
    cancel = threading.Event()

    def token(key, piece):
        if piece.strip():
            cancel.set()

    draft = draft_summary(stay, template, LocalEngine(engine.info, context_cap=2048), on_token=token, cancel=cancel)
    assert draft.cancelled
    model_sections = [s for s in draft.sections if s.origin == "model"]
    first, rest = model_sections[0], model_sections[1:]
    assert first.text and not first.complete and first.note == "generation was stopped"
    assert all(not s.text and not s.complete and "not written" in s.note for s in rest)
    assert draft.section("discharge_medications").table.rows[0][0] == "Sacubitril/valsartan"


def _piece(label, size, priority, order):
    return Piece(label, "x" * size, priority, order)


def test_fit_keeps_by_priority_and_restores_record_order():
    pieces = [_piece("a", 50, 2, 0), _piece("b", 30, 0, 1), _piece("c", 40, 1, 2), _piece("d", 10, 3, 3)]
    render = lambda ps: "".join(p.text for p in ps)  # noqa: E731
    evidence = fit_evidence(pieces, 85, len, render)
    assert [p.label for p in evidence.pieces] == ["b", "c", "d"]
    assert [p.label for p in evidence.omitted] == ["a"]
    assert evidence.omitted_notes(85) == ["a: 50 tokens left out, the record did not fit the model's context of 85 tokens"]


def test_one_section_is_regenerated_from_the_same_record(zh_draft):
    from emrwriter.drafting.pipeline import regenerate_section

    draft, _, engine = zh_draft
    stay = select_encounter(load_case(ZH_CASE))
    pieces = []
    section = regenerate_section(stay, load_template("discharge_summary_zh"), engine, "discharge_condition",
                                 on_token=lambda key, piece: pieces.append((key, piece)))
    assert section.heading == "出院情况" and section.origin == "model" and section.text
    assert {key for key, _ in pieces} == {"discharge_condition"}
    assert section.sources == draft.section("discharge_condition").sources
