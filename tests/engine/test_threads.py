"""The engine's thread choice (engine.threads): one thread per core other programs
leave free, measured from the CPU time they take; a real hog subprocess takes a core."""

import os
import time

import pytest

from emrwriter.engine.threads import Load, LoadMeter, choose_threads, waits_spin
from tests.cpu_hog import cpu_hog


@pytest.mark.parametrize(
    "load, expected",
    [
        (Load(cpus=2, cores=2, others=0.0), 2),  # idle: every core
        (Load(cpus=2, cores=2, others=0.3), 2),  # a little background work: still both
        (Load(cpus=2, cores=2, others=1.0), 1),  # a hog on one core: the other one
        (Load(cpus=2, cores=2, others=0.7), 1),  # a core mostly taken counts as taken
        (Load(cpus=2, cores=2, others=2.0), 1),  # everything busy: still one
        (Load(cpus=8, cores=4, others=2.0), 3),  # hyper-threads: 6 idle CPUs are 3 cores
        (Load(cpus=8, cores=4, others=0.0), 4),  # never more threads than physical cores
        (Load(cpus=1, cores=1, others=0.0), 1),
    ],
)
def test_choice_from_a_measured_load_when_waits_spin(load, expected):
    assert choose_threads(load, spinning=True) == expected


def test_with_passive_waits_every_core_whatever_the_load():
    assert choose_threads(Load(cpus=2, cores=2, others=1.0), spinning=False) == 2
    assert choose_threads(Load(cpus=8, cores=4, others=7.5), spinning=False) == 4


def test_the_engine_package_leaves_llama_cpp_waits_to_the_site():
    """Spinning waits are llama.cpp's (and the measured best on an idle PC); a site's policy is kept."""
    import subprocess
    import sys

    code = "import os, emrwriter.engine.llama_engine; print(os.environ.get('OMP_WAIT_POLICY', '-'))"
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "-"
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "PASSIVE"
    assert waits_spin() == (os.environ.get("OMP_WAIT_POLICY", "").lower() != "passive")


def test_free_cores_fold_hyperthreads():
    assert Load(cpus=8, cores=4, others=4.0).free_cores == pytest.approx(2.0)
    assert Load(cpus=2, cores=2, others=3.0).free_cores == 0.0


def test_own_work_is_not_counted_as_load():
    meter = LoadMeter(physical=2)
    meter.measure()
    started, cpu = time.monotonic(), time.process_time()
    while time.monotonic() - started < 0.5:  # this process busy: not someone else's load
        pass
    own = (time.process_time() - cpu) / (time.monotonic() - started)
    load = meter.measure()
    assert own > 0.05  # it did run (a shared machine may give it little of a core)
    assert load.others <= load.cpus - own + 0.1  # what this process took is left out


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs")
def test_a_hog_on_one_core_takes_one_thread_away():
    cpus = sorted(os.sched_getaffinity(0))
    meter = LoadMeter(physical=len(cpus))
    with cpu_hog(10, cpu=cpus[0]):
        time.sleep(0.3)  # the hog is running
        meter.measure()
        time.sleep(0.5)
        load = meter.measure()
        chosen = choose_threads(load, spinning=True)
    assert load.others >= 0.8  # the hog's core (and perhaps more: the machine is shared)
    assert chosen <= len(cpus) - 1


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs")
def test_the_engine_follows_the_load_without_reloading(default_model, monkeypatch):
    """No fixed setting and spinning waits: the loaded context's threads (as llama.cpp
    reports them) are the engine's choice, and with a hog on one core they drop below the
    cores there are; with passive waits they go back to every core."""
    from llama_cpp import llama_cpp as lib

    from emrwriter.engine.llama_engine import LocalEngine, physical_cores

    monkeypatch.setattr("emrwriter.engine.llama_engine.config", lambda: type("C", (), {"threads": None})())
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")  # the choice only: llama.cpp read its policy when it loaded
    engine = LocalEngine(default_model, prefix_cache=None)
    engine.reserve(64)
    llm = engine._llm
    assert lib.llama_n_threads(llm._ctx.ctx) == engine.threads
    cpus = sorted(os.sched_getaffinity(0))
    with cpu_hog(10, cpu=cpus[0]):
        time.sleep(0.5)
        engine.reserve(64)
        assert engine._llm is llm  # the same context: no reload
        assert engine.threads <= max(1, physical_cores() - 1)
        assert lib.llama_n_threads(llm._ctx.ctx) == engine.threads
        assert engine.generate(engine.chat_prompt("Answer briefly.", "Say yes."), 4, temperature=0.0).generated_tokens > 0
        monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
        engine.reserve(64)
        assert engine.threads == physical_cores() == lib.llama_n_threads(llm._ctx.ctx)


def test_a_fixed_setting_wins(default_model):
    from emrwriter.engine.llama_engine import LocalEngine

    engine = LocalEngine(default_model, threads=2, prefix_cache=None)
    with cpu_hog(5):
        time.sleep(0.3)
        assert engine.adapt_threads() == 2
