"""The local engine on the real default model."""

import threading
import time

import pytest

from emrwriter.engine.base import READING, WRITING, Cancel, EngineError
from emrwriter.engine.llama_engine import EngineTuning, LocalEngine

RECORD = "Patient admitted 2026-10-03 with heart failure. " * 40


def test_context_is_sized_from_the_prompt_not_the_default(default_model):
    engine = LocalEngine(default_model)
    prompt = engine.chat_prompt("You are a doctor.", RECORD + "Summarise.")
    tokens = engine.count_tokens(prompt)
    engine.generate(prompt, 8)
    assert engine.n_ctx >= tokens + 8
    assert engine.n_ctx != 512 and engine.n_ctx <= default_model.context_length


def test_tokens_stream_and_both_phases_report_progress(engine):
    prompt = engine.chat_prompt("You are a doctor.", RECORD + "Write one sentence about the admission.")
    streamed, reports = [], []
    result = engine.generate(prompt, 24, on_token=streamed.append, on_progress=reports.append, label="course")
    assert "".join(streamed) == result.text
    reading = [r for r in reports if r.phase == READING]
    writing = [r for r in reports if r.phase == WRITING]
    assert reading and writing
    assert reading[-1].done == reading[-1].total
    assert writing[-1].done == result.generated_tokens
    assert all(r.label == "course" for r in reading + writing)
    assert result.stop_reason in {"end", "length"}


def test_a_shared_record_prefix_is_read_once(engine):
    first = engine.chat_prompt("You are a doctor.", RECORD + "\n\nTask: the reason for admission.")
    second = engine.chat_prompt("You are a doctor.", RECORD + "\n\nTask: the condition at discharge.")
    a = engine.generate(first, 4)
    b = engine.generate(second, 4)
    assert a.prompt_tokens > 300
    assert b.evaluated_tokens < 30, "the record prefix should be reused, only the task read"


def test_cancel_while_reading_stops_within_one_chunk(default_model):
    engine = LocalEngine(default_model)
    cancel = threading.Event()
    reports = []

    def progress(report):
        reports.append(report)
        if report.phase == READING and report.done > 0:
            cancel.set()

    prompt = engine.chat_prompt("You are a doctor.", RECORD * 4)
    result = engine.generate(prompt, 50, on_progress=progress, cancel=cancel)
    assert result.stop_reason == "cancelled"
    assert result.generated_tokens == 0
    reading = [r for r in reports if r.phase == READING]
    assert [r.done for r in reading if r.done > 0] == [reading[1].done], "no chunk is read after the cancel"
    assert reading[-1].done < reading[-1].total


def test_a_cancel_interrupts_the_chunk_being_read(default_model):
    """A Cancel set from another thread aborts llama_decode mid-chunk: the 512-token
    chunk under way is not finished, the context is left as it was, and the engine
    reads the same prompt correctly afterwards."""
    engine = LocalEngine(default_model, threads=1, prefix_cache=None, tuning=EngineTuning(fixed_chunk=512))
    prompt = engine.chat_prompt(
        "You are a doctor.", RECORD * 2 + "Summarise in one sentence."
    )  # ~970 tokens: one full chunk and more
    cancel = Cancel()
    asked = []

    def progress(report):
        if report.phase == READING and report.done == 0 and not asked:
            asked.append(time.monotonic())
            threading.Timer(0.05, cancel.set).start()  # another thread, as the GUI's Stop

    result = engine.generate(prompt, 8, on_progress=progress, cancel=cancel)
    returned = time.monotonic()
    assert result.stop_reason == "cancelled" and result.generated_tokens == 0
    assert engine.counters.chunk_seconds == [], "the first chunk was interrupted, not completed"
    assert engine._llm.n_tokens == 0
    print(f"\nreturned {returned - asked[0] - 0.05:.3f} s after the cancel, mid-way through a 512-token chunk")
    again = engine.generate(prompt, 8, temperature=0.0)
    fresh = LocalEngine(default_model, threads=1, prefix_cache=None).generate(prompt, 8, temperature=0.0)
    assert again.stop_reason != "cancelled" and again.text == fresh.text


def test_cancel_while_writing_keeps_the_partial_text(engine):
    cancel = threading.Event()
    prompt = engine.chat_prompt("You are a doctor.", "Describe heart failure treatment in detail.")

    def token(piece):
        if len(piece.strip()):
            cancel.set()

    result = engine.generate(prompt, 200, on_token=token, cancel=cancel)
    assert result.stop_reason == "cancelled"
    assert 1 <= result.generated_tokens < 10
    assert result.text


def test_a_prompt_beyond_the_context_is_refused_not_truncated(default_model):
    engine = LocalEngine(default_model, context_cap=256)
    prompt = engine.chat_prompt("You are a doctor.", RECORD)
    with pytest.raises(EngineError, match="holds at most 256"):
        engine.generate(prompt, 16)
