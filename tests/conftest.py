"""Shared fixtures: the external corpus (read in place), the samples, the real default model."""

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

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLES = ROOT / "samples"
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
