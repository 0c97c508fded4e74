"""Where things live: bundled templates and models beside the package, and the
user's own folders (platformdirs) for added models and templates."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_TEMPLATES = PROJECT_ROOT / "templates"
BUNDLED_MODELS = PROJECT_ROOT / "models"
SAMPLES = PROJECT_ROOT / "samples"


def user_data_dir() -> Path:
    return user_data_path("EMRWriter", appauthor=False)


def template_dirs() -> list[Path]:
    return [BUNDLED_TEMPLATES, user_data_dir() / "templates"]


def model_dirs() -> list[Path]:
    return [BUNDLED_MODELS, user_data_dir() / "models"]
