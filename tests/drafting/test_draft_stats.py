"""A whole draft reads the record once, says so in its stats, and a reopened case loads
the record's state from the persistent cache instead of reading it again (the real model);
the stats' JSON form, which --stats-json writes, keeps its fields (the fake engine)."""

import json

import pytest

from emrwriter.drafting.pipeline import draft_summary, regenerate_section
from emrwriter.drafting.stats import STATS_FIELDS, DraftStats, draft_stats, write_stats_json
from emrwriter.engine.llama_engine import EngineTuning, LocalEngine
from emrwriter.engine.prefix_cache import PrefixCache
from emrwriter.records.case import load_case
from emrwriter.records.stay import select_encounter
from emrwriter.templates import load_template
from tests.conftest import EN_CASE, short_template
from tests.fakes import FakeEngine

CONTEXT = 1024  # the record is fitted to it: small and quick
ANSWER = 4


@pytest.fixture(scope="module")
def setup(default_model, tmp_path_factory):
    template = short_template("discharge_summary_en", tmp_path_factory.mktemp("template") / "short_en", ANSWER)
    stay = select_encounter(load_case(EN_CASE))
    cache = PrefixCache(tmp_path_factory.mktemp("cache"))

    def engine():
        return LocalEngine(default_model, context_cap=CONTEXT, prefix_cache=cache, tuning=EngineTuning(fixed_chunk=64))

    cold_engine = engine()
    cold = draft_summary(stay, template, cold_engine)
    warm_engine = engine()  # as after reopening the case in a new session
    warm = draft_summary(stay, template, warm_engine)
    return stay, template, cache, cold, warm, warm_engine


def test_stats_say_what_was_read_and_written_per_section(setup):
    _, template, _, cold, _, _ = setup
    stats = cold.stats
    sections = stats.sections
    assert [s.key for s in sections] == [s.key for s in template.sections if s.origin == "model"]
    prefix = stats.prefix
    assert prefix.source == "read" and prefix.evaluated_tokens == prefix.tokens > stats.record_tokens
    assert stats.prompt_tokens_evaluated == prefix.evaluated_tokens + sum(s.evaluated_tokens for s in sections)
    assert all(s.evaluated_tokens == s.prompt_tokens - prefix.tokens for s in sections)
    assert stats.generated_tokens == sum(s.generated_tokens for s in sections) <= ANSWER * len(sections)
    assert stats.prompt_tokens == sum(s.prompt_tokens for s in sections)
    # the record once, plus every section's instructions: within 1.1 of that, far below the naive count
    ideal = stats.record_tokens + sum(s.prompt_tokens - stats.record_tokens for s in sections)
    assert stats.prompt_tokens_evaluated <= 1.1 * ideal
    assert stats.prompt_tokens_evaluated < 0.5 * stats.prompt_tokens


def test_a_reopened_case_does_not_read_the_record_again(setup):
    _, _, cache, cold, warm, _ = setup
    assert warm.stats.prefix.source == "disk" and warm.stats.prefix.evaluated_tokens == 0
    assert cache.stats.events == ["miss", "write", "hit"]
    assert warm.stats.prompt_tokens_evaluated == sum(s.evaluated_tokens for s in warm.stats.sections)
    assert [s.text for s in warm.sections] == [s.text for s in cold.sections]


def test_regenerating_a_section_reuses_the_record_in_the_engine(setup):
    stay, template, cache, warm_draft, _, engine = setup
    before = list(cache.stats.events)
    section = regenerate_section(stay, template, engine, "condition_at_discharge")
    assert section.text and engine.last_prefix.source in ("context", "memory")
    assert cache.stats.events == before


def test_stats_json_holds_the_fields_anyone_can_check(setup, tmp_path):
    _, _, _, cold, _, _ = setup
    path = tmp_path / "stats.json"
    write_stats_json(cold, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(STATS_FIELDS) <= set(data) and data == json.loads(json.dumps(draft_stats(cold), default=str))
    assert data["sections"] and data["prefix"]["source"] == "read"


def test_the_real_model_fills_the_data_sections_as_the_fake_does(setup):
    """The English sample's data sections, header and tables do not depend on the engine."""
    stay, template, _, cold, _, _ = setup
    fake = draft_summary(stay, template, FakeEngine(context_limit=CONTEXT))

    def from_the_record(draft):
        return (
            draft.patient,
            [(s.key, s.text, s.table, s.sources) for s in draft.sections if s.origin == "data"],
            [s.table for s in draft.sections],
        )

    assert from_the_record(cold) == from_the_record(fake)
    assert cold.section("discharge_medications").table.rows[0][:3] == ["Sacubitril/valsartan", "24 mg/26 mg", "PO"]


# -- the JSON form, on the fake engine ----------------------------------------------------------

JSON_FIELDS = [
    "record_tokens",
    "prompt_tokens_evaluated",
    "generated_tokens",
    "prefill_seconds",
    "decode_seconds",
    "wall_seconds",
    "sections",
    "prompt_tokens",
    "prefix",
    "evidence",
    "omitted",
    "model",
    "template",
    "cancelled",
]
SECTION_FIELDS = [
    "key",
    "heading",
    "prompt_tokens",
    "evaluated_tokens",
    "generated_tokens",
    "prefill_seconds",
    "decode_seconds",
    "stop_reason",
]
PREFIX_FIELDS = ["tokens", "source", "evaluated_tokens", "seconds", "load_seconds", "save_seconds", "state_bytes", "cache_file"]


@pytest.fixture(scope="module")
def fake_draft():
    stay = select_encounter(load_case(EN_CASE))
    return draft_summary(stay, load_template("discharge_summary_en"), FakeEngine(context_limit=2048))


def test_the_stats_json_keeps_its_fields_in_order(fake_draft, tmp_path):
    path = tmp_path / "stats.json"
    write_stats_json(fake_draft, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data) == JSON_FIELDS and list(data)[: len(STATS_FIELDS)] == list(STATS_FIELDS)
    assert [list(s) for s in data["sections"]] == [SECTION_FIELDS] * 4 and list(data["prefix"]) == PREFIX_FIELDS
    stats = fake_draft.stats
    assert (
        data["prompt_tokens_evaluated"]
        == stats.prompt_tokens_evaluated
        == (data["prefix"]["evaluated_tokens"] + sum(s["evaluated_tokens"] for s in data["sections"]))
    )
    assert data["generated_tokens"] == sum(s["generated_tokens"] for s in data["sections"]) > 0
    assert data["prompt_tokens"] == sum(s["prompt_tokens"] for s in data["sections"])
    assert (data["model"], data["template"], data["cancelled"]) == ("Fake Engine", "discharge_summary_en", False)
    assert data["omitted"] == fake_draft.omitted and data["evidence"] == stats.evidence


def test_stats_read_back_from_their_json_and_from_an_older_partial_form(fake_draft):
    stats = fake_draft.stats
    assert DraftStats.from_dict(json.loads(json.dumps(stats.as_dict()))) == stats
    older = DraftStats.from_dict({"record_tokens": 1234, "wall_seconds": 12.5, "a_figure_from_later": 1})
    assert older == DraftStats(record_tokens=1234, wall_seconds=12.5) and older.sections == [] and older.prefix is None
