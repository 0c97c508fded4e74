"""Fitting a long record: the lists data sections and checks need are kept, the rest is
chosen by relevance to the model-written sections, and what is left out is named."""

import pytest

from emrwriter.drafting.evidence import ALWAYS_KEPT, Piece, bm25_scores, fit_evidence, gather_pieces, required_kinds, terms
from emrwriter.drafting.pipeline import draft_summary
from emrwriter.facts.stay import stay_facts
from emrwriter.records.case import load_case
from emrwriter.records.stay import select_encounter
from emrwriter.templates import load_template
from tests.conftest import EN_CASE, ZH_CASE
from tests.fakes import FakeEngine


def render(pieces):
    return "\n\n".join(f"## {p.label}\n{p.text}" for p in pieces)


def words(text):
    return len(text.split())


def test_terms_are_words_for_english_and_bigrams_for_chinese():
    assert terms("The Hospital Course: furosemide was given") == ["hospital", "course", "furosemide", "given"]
    assert terms("诊疗经过：咳嗽") == ["诊疗", "疗经", "经过", "咳嗽"]
    assert terms("热") == ["热"]
    assert terms("WBC 14.6 ×10^9/L") == ["wbc", "14.6", "10", "9"]


def test_bm25_prefers_the_document_about_the_query():
    docs = [
        terms("diuresis with intravenous furosemide, weight down 3 kg"),
        terms("social history: retired teacher"),
        terms("family history of diabetes"),
    ]
    scores = bm25_scores(docs, terms("furosemide diuresis"))
    assert scores[0] > 0 and scores[1] == scores[2] == 0
    assert bm25_scores(docs, terms("出院情况")) == [0, 0, 0]


def _pieces():
    return [
        Piece("Diagnoses", "admission: heart failure\ndischarge: heart failure", 0, 0, kind="diagnoses"),
        Piece(
            "Note · Social history",
            "retired teacher, lives with her husband, walks the dog daily " * 3,
            3,
            1,
            kind="note",
            topic="social_history",
        ),
        Piece(
            "Note · Hospital course",
            "diuresed with intravenous furosemide, weight down 3 kg, breathing better " * 2,
            1,
            2,
            kind="note",
            topic="hospital_course",
        ),
        Piece(
            "Note · Family history",
            "mother had diabetes, father had a stroke at seventy " * 3,
            3,
            3,
            kind="note",
            topic="family_history",
        ),
        Piece(
            "Note · Discharge condition",
            "stable, walking without oxygen, discharged home with her husband",
            0,
            4,
            kind="note",
            topic="discharge_condition",
        ),
        Piece(
            "Abnormal laboratory results", "NT-proBNP 4820 pg/mL [H]\ncreatinine 1.4 mg/dL [H] " * 4, 4, 5, kind="abnormal_labs"
        ),
    ]


QUERIES = {
    "course": "Hospital Course: the treatment given, furosemide and the response",
    "condition": "Condition at discharge: the patient's condition and where the patient went",
}


def test_required_lists_are_kept_and_the_rest_is_chosen_by_relevance():
    pieces = _pieces()
    budget = words(render([pieces[0], pieces[2], pieces[4], pieces[5]])) + 2
    evidence = fit_evidence(pieces, budget, words, render, queries=QUERIES, required={"diagnoses", "abnormal_labs"})
    assert evidence.method == "relevance"
    assert [p.label for p in evidence.pieces] == [
        "Diagnoses",
        "Note · Hospital course",
        "Note · Discharge condition",
        "Abnormal laboratory results",
    ], "record order, required lists kept"
    assert {p.label for p in evidence.omitted} == {"Note · Social history", "Note · Family history"}
    assert words(render(evidence.pieces)) <= budget
    notes = evidence.omitted_notes(2048)
    assert len(notes) == 2 and all("tokens left out" in n and "2048" in n and "relevance" in n for n in notes)


def test_by_priority_alone_a_required_list_of_low_priority_would_be_lost():
    pieces = _pieces()
    budget = words(render([pieces[0], pieces[2], pieces[4], pieces[5]])) + 2
    legacy = fit_evidence(pieces, budget, words, render)
    assert "Abnormal laboratory results" not in [p.label for p in legacy.pieces]
    assert legacy.method == "priority"


def test_a_record_that_fits_is_kept_whole():
    pieces = _pieces()
    evidence = fit_evidence(pieces, 10_000, words, render, queries=QUERIES, required={"diagnoses"})
    assert evidence.method == "all" and evidence.omitted == [] and len(evidence.pieces) == len(pieces)
    assert evidence.omitted_notes(10_000) == []


def test_the_rendered_record_fits_even_when_piece_counts_do_not_add_up():
    """Token counts of pieces are differences of renders: a join can cost more than their sum says."""
    pieces = _pieces()

    def count(text):  # every join costs 3 extra "tokens" that no single piece shows
        return words(text) + 3 * text.count("\n\n")

    budget = count(render(pieces[:4])) - 1
    for queries in (None, QUERIES):
        evidence = fit_evidence(_pieces(), budget, count, render, queries=queries, required={"diagnoses"})
        assert count(render(evidence.pieces)) <= budget
        assert evidence.omitted


def test_required_kinds_follow_the_template_sources():
    assert required_kinds([]) == set(ALWAYS_KEPT)
    assert "vitals" in required_kinds(["vitals", "unknown_source"])
    assert "diagnoses" in required_kinds(["admission_diagnoses"])


@pytest.fixture(scope="module")
def vocab_engine(default_model):
    """Tokenizing needs only the vocabulary: no weights are loaded."""
    from emrwriter.engine.llama_engine import LocalEngine

    return LocalEngine(default_model, prefix_cache=None)


def test_a_chinese_record_too_long_for_the_budget_keeps_what_the_sections_need(vocab_engine):
    stay = select_encounter(load_case(ZH_CASE))
    template = load_template("discharge_summary_zh")
    facts = stay_facts(stay)
    specs = [s for s in template.sections if s.origin == "model"]
    queries = {s.key: f"{s.heading} {template.prompt(s.key, facts=facts)}" for s in specs}
    required = required_kinds(src for s in template.sections for src in s.sources)

    def record(pieces):
        return template.prompt("record", facts=facts, evidence=pieces)

    pieces = gather_pieces(facts, "zh")
    evidence = fit_evidence(pieces, 3300, vocab_engine.count_tokens, record, queries=queries, required=required)
    kinds = {p.kind for p in evidence.pieces}
    assert {"diagnoses", "discharge_medications", "abnormal_labs"} <= kinds
    topics = {p.topic for p in evidence.pieces}
    assert {"chief_complaint", "hospital_course", "discharge_condition"} <= topics, "each section's own note part"
    assert vocab_engine.count_tokens(record(evidence.pieces)) <= 3300
    assert len(evidence.omitted) + len(evidence.pieces) == len(pieces)
    assert all(p.label in note for p, note in zip(evidence.omitted, evidence.omitted_notes(4096)))


def test_a_record_too_slow_to_read_is_trimmed_and_says_why():
    stay = select_encounter(load_case(EN_CASE))
    template = load_template("discharge_summary_en")
    engine = FakeEngine(context_limit=100_000, read_seconds=30.0, read_rate=20.0)  # could hold it all, reads 600 tokens in 30 s
    assert engine.reading_budget() == 600
    draft = draft_summary(stay, template, engine)
    assert draft.omitted and draft.stats.evidence == "relevance"
    assert draft.stats.record_tokens <= 600
    assert all("longer than 30 s to read" in note for note in draft.omitted)
    assert [label for label, _ in engine.prompts] == [s.heading for s in template.sections if s.origin == "model"]
