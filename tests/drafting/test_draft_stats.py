"""A whole draft reads the record once, says so in its stats, and a reopened case loads
the record's state from the persistent cache instead of reading it again."""

import json

import pytest

from emrwriter.bench import _copy_template
from emrwriter.drafting.pipeline import draft_summary, regenerate_section
from emrwriter.drafting.stats import STATS_FIELDS, draft_stats, write_stats_json
from emrwriter.engine.llama_engine import EngineTuning, LocalEngine
from emrwriter.engine.prefix_cache import PrefixCache
from emrwriter.records.case import load_case
from emrwriter.records.stay import select_encounter
from emrwriter.templates import load_template
from tests.conftest import EN_CASE

CONTEXT = 1024  # the record is fitted to it: small and quick
ANSWER = 4


@pytest.fixture(scope="module")
def setup(default_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("template") / "short_en"
    template = _copy_template(load_template("discharge_summary_en").folder, folder, [], ANSWER)
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
    assert [s.key for s in sections] == [s.key for s in template.sections if s.kind == "model"]
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
