"""The record is read once: the KV path, the saved-state path and the persistent cache
give the same text, and read the same (small) number of tokens. Token counts and
cache events are asserted, never times."""

import pytest

from emrwriter.engine.llama_engine import EngineTuning, LocalEngine, physical_cores
from emrwriter.engine.prefix_cache import PrefixCache

RECORD = "Patient admitted 2026-10-03 with heart failure; furosemide 40 mg IV twice daily, weight down 3 kg. " * 6
TASKS = ["Task: the reason for admission.", "Task: the treatment given.", "Task: the condition at discharge."]
ANSWER = 6
FIXED = EngineTuning(fixed_chunk=64)  # the same batching on every path, so the numbers match bit for bit


def _engine(default_model, mode, cache=None, **kwargs):
    return LocalEngine(default_model, context_cap=2048, prefix_mode=mode, prefix_cache=cache, tuning=FIXED, **kwargs)


def _prompts(engine):
    return [engine.chat_prompt("You are a doctor.", f"{RECORD}\n\n{task}") for task in TASKS]


def _draft(engine):
    """A small draft the way the pipeline runs one: announce the prompts, then each section."""
    prompts = _prompts(engine)
    engine.reserve(max(engine.count_tokens(p) for p in prompts) + ANSWER)
    report = engine.read_shared_prefix(prompts)
    results = [engine.generate(p, ANSWER, temperature=0.0) for p in prompts]
    return report, results


@pytest.fixture(scope="module")
def kv_run(default_model):
    engine = _engine(default_model, "kv")
    return engine, *_draft(engine)


def test_the_kv_path_reads_the_prefix_once_and_each_suffix(kv_run):
    engine, report, results = kv_run
    prompts = [r.prompt_tokens for r in results]
    assert report.source == "read" and report.evaluated_tokens == report.tokens > 150
    suffixes = [n - report.tokens for n in prompts]
    assert [r.evaluated_tokens for r in results] == suffixes
    evaluated = report.evaluated_tokens + sum(r.evaluated_tokens for r in results)
    assert evaluated == report.tokens + sum(suffixes) <= 1.1 * max(prompts)
    assert engine.counters.kv_trims == 2 and engine.counters.state_restores == 0 and engine.counters.resets == 0
    assert all(r.text for r in results)


def test_the_state_path_gives_the_same_text_from_a_saved_prefix(kv_run, default_model):
    _, kv_report, kv_results = kv_run
    engine = _engine(default_model, "state")
    report, results = _draft(engine)
    assert [r.text for r in results] == [r.text for r in kv_results]
    assert [r.evaluated_tokens for r in results] == [r.evaluated_tokens for r in kv_results]
    assert report.evaluated_tokens == kv_report.evaluated_tokens
    assert engine.counters.kv_trims == 0
    assert engine.counters.state_saves == 1 and engine.counters.state_restores == 2  # before sections 2 and 3
    assert report.state_bytes > 0


def test_auto_falls_back_to_the_saved_state_when_the_tail_cannot_be_dropped(kv_run, default_model, monkeypatch):
    """What a recurrent, hybrid or sliding-window model does: kv_cache_seq_rm refuses."""
    _, _, kv_results = kv_run
    engine = _engine(default_model, "auto")
    prompts = _prompts(engine)
    engine.reserve(max(engine.count_tokens(p) for p in prompts) + ANSWER)
    monkeypatch.setattr(engine._llm._ctx, "kv_cache_seq_rm", lambda *args: False)
    engine.read_shared_prefix(prompts)
    results = [engine.generate(p, ANSWER, temperature=0.0) for p in prompts]
    assert [r.text for r in results] == [r.text for r in kv_results]
    assert [r.evaluated_tokens for r in results] == [r.evaluated_tokens for r in kv_results]
    assert engine.counters.trim_failures == 1 and engine.counters.state_restores == 2 and engine.counters.resets == 0


def test_without_reuse_every_prompt_is_read_whole(default_model):
    engine = _engine(default_model, "off")
    report, results = _draft(engine)
    assert report.source == "off" and report.evaluated_tokens == 0
    assert [r.evaluated_tokens for r in results] == [r.prompt_tokens for r in results]


def test_a_reopened_case_loads_the_prefix_from_disk(kv_run, default_model, tmp_path):
    _, _, kv_results = kv_run
    cache = PrefixCache(tmp_path)
    cold_report, cold = _draft(_engine(default_model, "auto", cache))
    assert cold_report.source == "read" and cache.stats.events == ["miss", "write"]
    assert len(cache.entries()) == 1 and cache.size() > cold_report.state_bytes

    warm_engine = _engine(default_model, "auto", cache)  # a new engine: as after restarting the app
    warm_report, warm = _draft(warm_engine)
    assert warm_report.source == "disk" and warm_report.evaluated_tokens == 0
    assert cache.stats.events == ["miss", "write", "hit"]
    assert [r.text for r in warm] == [r.text for r in cold] == [r.text for r in kv_results]
    assert [r.evaluated_tokens for r in warm] == [r.evaluated_tokens for r in cold]

    again = warm_engine.read_shared_prefix(_prompts(warm_engine))
    assert again.source in ("context", "memory") and again.evaluated_tokens == 0
    assert cache.stats.events == ["miss", "write", "hit"], "an engine that holds the prefix does not go to disk"


def test_a_corrupt_cache_file_is_ignored_and_replaced(default_model, tmp_path):
    cache = PrefixCache(tmp_path)
    _draft(_engine(default_model, "auto", cache))
    [path] = cache.entries()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    report, results = _draft(_engine(default_model, "auto", cache))
    assert report.source == "read" and report.evaluated_tokens == report.tokens
    assert cache.stats.corrupt == 1 and cache.stats.events[-2:] == ["corrupt", "write"]
    assert all(r.text for r in results)
    assert _draft(_engine(default_model, "auto", cache))[0].source == "disk"


def test_a_state_llama_cpp_refuses_is_deleted(default_model, tmp_path):
    """A whole file (good checksum) holding half a state: llama.cpp refuses it."""
    cache = PrefixCache(tmp_path)
    engine = _engine(default_model, "auto", cache)
    prefix, _ = _draft(engine)
    tokens = engine._llm.input_ids[: prefix.tokens].tolist()
    key = engine._cache_key(tokens)
    entry = cache.get(key, tokens)
    cache.put(key, tokens, entry.state[: len(entry.state) // 2])
    report, results = _draft(_engine(default_model, "auto", cache))
    assert report.source == "read" and report.evaluated_tokens == prefix.tokens
    assert cache.stats.corrupt == 1
    assert all(r.text for r in results)


def test_threads_default_to_physical_cores(default_model):
    import os

    assert 1 <= physical_cores() <= (os.cpu_count() or 1)
    assert LocalEngine(default_model, prefix_cache=None).threads == physical_cores()
    assert LocalEngine(default_model, threads=1, prefix_cache=None).threads == 1


def test_prompt_lookup_decoding_writes_what_plain_decoding_writes(default_model):
    """Greedy verification of drafted tokens changes the speed, never the text."""
    engine = _engine(default_model, "kv")
    prompt = engine.chat_prompt(
        "Copy the list exactly.",
        "Medications: furosemide 40 mg IV twice daily; "
        "metoprolol succinate 25 mg daily; lisinopril 5 mg daily.\nRepeat the medications list.",
    )
    plain = engine.generate(prompt, 24, temperature=0.0, prompt_lookup=False)
    drafted = engine.generate(prompt, 24, temperature=0.0, prompt_lookup=True)
    assert drafted.generated_tokens == plain.generated_tokens
    assert drafted.text == plain.text
    assert engine.counters.speculative_drafted > 0
