"""Models that crash (issue 13): the first load of a model file happens in a probe child;
a damaged file (a real copy of the default GGUF, its header sound and its tensors cut off)
or a child that dies of a signal becomes one line, "this model file could not be loaded",
remembered by path, size and modification time, and the model is listed as a problem.
The app and the command line go on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from emrwriter.engine import probe
from emrwriter.engine.base import EngineError
from emrwriter.engine.models import GGUF_MAGIC, default_model_path, read_model_info
from tests.conftest import EN_CASE

CRASH = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"]


def damaged_copy(folder: Path, name: str = "damaged.Q4_1.gguf", keep: int = 8 << 20) -> Path:
    """The default model's first ``keep`` bytes: its header, metadata and tensor table are
    whole, its weights cut off."""
    source = default_model_path()
    if source is None:
        pytest.skip("the default model is not installed")
    path = folder / name
    with open(source, "rb") as src, open(path, "wb") as out:
        out.write(src.read(keep))
    assert path.read_bytes()[:4] == GGUF_MAGIC
    return path


@pytest.fixture
def checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    file = tmp_path / "model-checks.json"
    monkeypatch.setenv(probe.ENV_FILE, str(file))
    return file


def test_a_damaged_model_is_refused_in_one_line_and_remembered(tmp_path: Path, checks: Path, monkeypatch) -> None:
    bad = damaged_copy(tmp_path)
    check = probe.check_model(bad)
    assert not check.good and check.message and check.seconds > 0
    with pytest.raises(EngineError) as refused:
        read_model_info(bad)
    message = str(refused.value)
    assert "this model file could not be loaded" in message and "\n" not in message and str(bad) in message

    # Remembered: no second child for the same file ...
    runs = []
    monkeypatch.setattr(probe.subprocess, "run", lambda *a, **k: runs.append(a) or pytest.fail("probed again"))
    assert probe.check_model(bad) == probe.ModelCheck(False, check.message)
    assert runs == []
    # ... until the file changes.
    monkeypatch.undo()
    monkeypatch.setenv(probe.ENV_FILE, str(checks))
    shutil.copyfile(default_model_path(), bad)
    assert probe.known(bad) is None


def test_a_model_that_crashes_its_loader_is_marked_bad(tmp_path: Path, checks: Path, monkeypatch) -> None:
    """A child that dies of SIGSEGV, as llama.cpp does on some damaged files: a real crash of a
    real process, and the caller goes on."""
    suspect = damaged_copy(tmp_path, "suspect.gguf", keep=4 << 20)
    monkeypatch.setattr(probe, "PROBE_COMMAND", CRASH)
    check = probe.check_model(suspect)
    assert not check.good and "crashed (SIGSEGV)" in check.message
    with pytest.raises(EngineError, match="could not be loaded .*crashed"):
        probe.require_loadable(suspect)
    assert probe.known(suspect) == probe.ModelCheck(False, check.message)


def test_the_engine_loads_only_a_model_that_loaded_in_the_probe(tmp_path: Path, checks: Path, monkeypatch) -> None:
    from emrwriter.engine.llama_engine import LocalEngine

    info = read_model_info(default_model_path(), "default")  # probed (good), so its header is read here
    assert probe.known(info.path).good
    copy = tmp_path / "copy.gguf"
    shutil.copyfile(info.path, copy)
    monkeypatch.setattr(probe, "PROBE_COMMAND", CRASH)
    engine = LocalEngine(info.__class__(**{**info.__dict__, "path": copy}), prefix_cache=None)
    with pytest.raises(EngineError, match="could not be loaded"):
        engine.reserve(64)
    assert engine._llm is None  # never loaded in this process


def run_cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "emrwriter", *args], capture_output=True, text=True, timeout=300, env=env, stdin=subprocess.DEVNULL
    )


def test_the_command_line_says_so_and_lists_the_model_as_bad(tmp_path: Path) -> None:
    home = tmp_path / "home"
    models = home / "EMRWriter" / "models"
    models.mkdir(parents=True)
    bad = damaged_copy(models)
    env = {**os.environ, "XDG_DATA_HOME": str(home), probe.ENV_FILE: str(tmp_path / "checks.json")}
    drafted = run_cli("draft", str(EN_CASE), "--model", str(bad), "--out", str(tmp_path / "x.docx"), env=env)
    assert drafted.returncode == 2, drafted.stderr
    last = drafted.stderr.strip().splitlines()[-1]
    assert "this model file could not be loaded" in last and "Traceback" not in drafted.stderr
    assert not (tmp_path / "x.docx").exists()
    listed = run_cli("models", env=env)
    assert listed.returncode == 0
    assert "SmolLM2" in listed.stdout  # the good default is still offered
    assert any("could not be loaded" in line and bad.name in line for line in listed.stderr.splitlines())


def test_the_default_model_as_its_wheel_shipped_it_needs_no_child(tmp_path: Path, checks: Path, monkeypatch) -> None:
    default = default_model_path()
    assert probe.shipped_intact(default)
    copy = tmp_path / default.name
    shutil.copyfile(default, copy)
    assert not probe.shipped_intact(copy)  # the same bytes elsewhere are not the installed file
    monkeypatch.setattr(probe.subprocess, "run", lambda *a, **k: pytest.fail("a child was started"))
    check = probe.check_model(default)
    assert check.good and check.seconds < 30
    assert probe.known(default) == probe.ModelCheck(True, "")
