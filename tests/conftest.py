"""Shared fixtures: the external corpus (read in place), the samples, the real default model,
and a fake engine for the many tests that need an engine but not llama.cpp."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Tests never touch the user's prefix cache: the session gets its own folder (set before
# any engine is built, so CLI subprocesses started by tests inherit it too).
_CACHE = tempfile.mkdtemp(prefix="emrwriter-test-cache-")
os.environ["EMRWRITER_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)
# Nor the user's export log and model verdicts (the default model is probed once a session).
_STATE = tempfile.mkdtemp(prefix="emrwriter-test-state-")
os.environ["EMRWRITER_EXPORT_LOG"] = os.path.join(_STATE, "exports.jsonl")
os.environ["EMRWRITER_MODEL_CHECKS"] = os.path.join(_STATE, "model-checks.json")
os.environ["EMRWRITER_SPEEDS"] = os.path.join(_STATE, "speeds.json")  # the model's speed on this PC, per draft
atexit.register(shutil.rmtree, _STATE, True)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLES = ROOT / "emrwriter" / "bundled" / "samples"
ZH_CASE = SAMPLES / "zh_pneumonia"
EN_CASE = SAMPLES / "en_heart_failure"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def default_model():
    from emrwriter.engine.models import resolve_model

    return resolve_model(None)


@pytest.fixture(scope="session")
def engine(default_model):
    """One real engine for the session: loading once keeps the suite fast."""
    from emrwriter.engine.llama_engine import LocalEngine

    return LocalEngine(default_model)


@pytest.fixture
def fake_engine():
    """A deterministic engine without llama.cpp (tests/fakes.py): for tests that need *an* engine."""
    from tests.fakes import FakeEngine

    return FakeEngine()


def short_template(name: str, folder: Path, max_tokens: int):
    """A copy of template ``name`` in ``folder`` with every model section capped at
    ``max_tokens``: the real model's path in full, at a fraction of the writing time."""
    import re

    from emrwriter.templates import load_template

    shutil.copytree(load_template(name).folder, folder)
    manifest = folder / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(re.sub(r"(?m)^max_tokens = \d+$", f"max_tokens = {max_tokens}", text), encoding="utf-8")
    return load_template(folder)


def draft_by_hand(stay, template_name: str, texts: dict[str, str]):
    """A Draft as the pipeline would make it, without a model: the data sections filled
    from the record, each model section holding ``texts[key]`` (or nothing)."""
    from datetime import datetime

    from emrwriter.drafting.draft import Draft, DraftSection
    from emrwriter.drafting.pipeline import section_table
    from emrwriter.facts.stay import stay_facts
    from emrwriter.templates import load_template
    from emrwriter.words import words

    template = load_template(template_name)
    facts = stay_facts(stay)
    sections = []
    for spec in template.sections:
        text = template.data_section(spec.key, facts=facts) if spec.origin == "data" else texts.get(spec.key, "")
        sections.append(
            DraftSection(spec.key, spec.heading, text, spec.origin, table=section_table(spec, facts, words(template.language)))
        )
    patient = {"Name": stay.record.patient.name or ""}
    return template, Draft(
        template.name, template.title, template.language, "hand-written", datetime(2026, 10, 8), patient, sections
    )
