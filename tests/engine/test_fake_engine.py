"""The fake engine keeps the real engine's contract: each test here runs on FakeEngine
and on LocalEngine with the real default model (small prompts, a few tokens: seconds),
so a test that passes on the fake says something about the app on the real model."""

from __future__ import annotations

import threading

import pytest

from emrwriter.engine.base import LOADING, READING, WRITING, Cancel, Engine, EngineError, PrefixStats
from emrwriter.engine.llama_engine import EngineTuning, LocalEngine
from tests.fakes import FakeEngine, tokenize

RECORD = "Patient admitted 2026-10-03 with heart failure; furosemide 40 mg IV twice daily. " * 12


@pytest.fixture(params=["fake", "real"])
def any_engine(request) -> Engine:
    if request.param == "fake":
        return FakeEngine(context_limit=2048)
    model = request.getfixturevalue("default_model")
    return LocalEngine(model, context_cap=2048, prefix_cache=None, tuning=EngineTuning(fixed_chunk=64))


def _prompt(engine: Engine, task: str = "Describe heart failure treatment in detail.") -> str:
    return engine.chat_prompt("You are a doctor.", f"{RECORD}\n\n{task}")


def test_both_engines_subclass_the_protocol(any_engine):
    assert Engine in type(any_engine).__mro__  # explicitly, so the defaults are inherited
    assert any_engine.context_limit == 2048 and any_engine.name
    assert any_engine.reading_budget() is None  # no read_seconds: no time limit
    assert isinstance(any_engine.settings(), dict)


def test_tokens_stream_and_progress_reads_then_writes(any_engine):
    streamed, reports = [], []
    result = any_engine.generate(_prompt(any_engine), 6, label="course", on_token=streamed.append, on_progress=reports.append)
    assert "".join(streamed) == result.text and result.text
    assert result.prompt_tokens == any_engine.count_tokens(_prompt(any_engine)) and result.evaluated_tokens > 0
    phases = [r.phase for r in reports]
    assert phases[0] == LOADING and phases.index(READING) < phases.index(WRITING)
    assert phases[-1] == WRITING and set(phases[phases.index(WRITING) :]) == {WRITING}, "reading ends before writing starts"
    reading = [r for r in reports if r.phase == READING]
    writing = [r for r in reports if r.phase == WRITING]
    assert reading[0].done == 0 and reading[-1].done == reading[-1].total > 0
    assert [r.done for r in writing] == list(range(1, result.generated_tokens + 1)) and writing[-1].total == 6
    assert all(r.label == "course" for r in reading + writing)


def test_max_tokens_stops_with_length(any_engine):
    result = any_engine.generate(_prompt(any_engine), 3)
    assert (result.stop_reason, result.generated_tokens) == ("length", 3)


def test_cancel_while_writing_keeps_the_text_so_far(any_engine):
    cancel = threading.Event()

    def token(piece: str) -> None:
        if piece.strip():
            cancel.set()

    result = any_engine.generate(_prompt(any_engine), 50, on_token=token, cancel=cancel)
    assert result.stop_reason == "cancelled" and result.text.strip()
    assert 1 <= result.generated_tokens < 10


def test_cancel_while_reading_stops_between_chunks(any_engine):
    cancel = threading.Event()
    reports = []

    def progress(report) -> None:
        reports.append(report)
        if report.phase == READING and report.done > 0:
            cancel.set()

    result = any_engine.generate(_prompt(any_engine), 8, on_progress=progress, cancel=cancel)
    assert (result.stop_reason, result.generated_tokens, result.text) == ("cancelled", 0, "")
    reading = [r.done for r in reports if r.phase == READING and r.done > 0]
    assert len(reading) == 1 and reading[0] < reports[-1].total, "no chunk is read after the cancel"
    assert not [r for r in reports if r.phase == WRITING]


def test_a_cancel_set_before_the_call_writes_nothing(any_engine):
    cancel = Cancel()
    cancel.set()
    tokens = []
    result = any_engine.generate(_prompt(any_engine), 8, on_token=tokens.append, cancel=cancel)
    assert (result.stop_reason, result.generated_tokens, tokens) == ("cancelled", 0, [])


def test_a_prompt_beyond_the_context_is_refused(any_engine):
    prompt = any_engine.chat_prompt("You are a doctor.", RECORD * 12)
    with pytest.raises(EngineError, match="holds at most 2048"):
        any_engine.generate(prompt, 16)


def test_a_shared_prefix_is_read_once(any_engine):
    prompts = [_prompt(any_engine, f"Task: {task}.") for task in ("the reason for admission", "the condition at discharge")]
    any_engine.reserve(max(any_engine.count_tokens(p) for p in prompts) + 4)
    report = any_engine.read_shared_prefix(prompts, label="record")
    assert isinstance(report, PrefixStats) and report.source == "read"
    assert report.evaluated_tokens == report.tokens > 100 and any_engine.last_prefix is report
    for prompt in prompts:
        result = any_engine.generate(prompt, 2)
        assert result.evaluated_tokens == result.prompt_tokens - report.tokens, "only the task is read"
    again = any_engine.read_shared_prefix(prompts)
    assert again.source in ("context", "memory") and again.evaluated_tokens == 0


# -- the fake's own promises --------------------------------------------------------------


def test_the_fake_is_deterministic_and_its_tokens_rebuild_the_text():
    text = "BNP 1840 pg/mL；出院带药：呋塞米 20 mg"
    assert "".join(tokenize(text)) == text
    assert tokenize("abcdefgh") == ["abcd", "efgh"] and tokenize("出院") == ["出", "院"]
    runs = []
    for _ in range(2):
        engine = FakeEngine()
        runs.append(engine.generate(_prompt(engine), 40))
    assert runs[0] == runs[1]


def test_the_answer_can_depend_on_the_prompt_and_label():
    engine = FakeEngine(answer=lambda prompt, label: f"{label}: {len(prompt)}")
    assert engine.generate("hello world", 20, label="course").text == "course: 11"
    assert engine.prompts == [("course", "hello world")]


def test_an_engine_without_prefix_reuse_reads_every_prompt_whole():
    engine = FakeEngine(prefix_reuse=False)
    prompts = [_prompt(engine, "Task: a."), _prompt(engine, "Task: b.")]
    assert engine.read_shared_prefix(prompts) is None and engine.last_prefix is None
    results = [engine.generate(p, 2) for p in prompts]
    assert [r.evaluated_tokens for r in results] == [r.prompt_tokens for r in results]


def test_a_reading_time_limit_gives_a_budget():
    assert FakeEngine(read_seconds=30.0, read_rate=20.0).reading_budget() == 600


def test_delays_are_cut_short_by_a_cancel():
    engine = FakeEngine(token_delay=5.0)
    cancel = Cancel()
    threading.Timer(0.05, cancel.set).start()
    result = engine.generate("a prompt", 10, cancel=cancel)
    assert result.stop_reason == "cancelled" and result.generated_tokens == 0
