"""Where things live: the templates and sample cases shipped inside the package
(emrwriter/bundled, package data, found through importlib.resources, so an installed
wheel or a bundle has them wherever it is started from), the site's folders from the
configuration (emrwriter/config.py), and the user's own folders (platformdirs) for added
models and templates."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from platformdirs import user_data_path

from .config import config

BUNDLED = Path(str(resources.files(__package__).joinpath("bundled")))
BUNDLED_TEMPLATES = BUNDLED / "templates"
SAMPLES = BUNDLED / "samples"
# A source checkout (not an installed package) also offers the GGUF files in its models/ folder.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHECKOUT_MODELS = PROJECT_ROOT / "models" if (PROJECT_ROOT / "pyproject.toml").is_file() else None


def user_data_dir() -> Path:
    return user_data_path("EMRWriter", appauthor=False)


def store_dir() -> Path:
    """The folder of the store: the site's or user's configured folder, else the user's data folder."""
    return config().store.folder or user_data_dir()


def template_dirs() -> list[Path]:
    """Folders of template folders, the first with a template of a given name wins: the user's,
    then the site's (config templates_dir), then the bundled ones."""
    site = config().templates_dir
    return [user_data_dir() / "templates", *([site] if site else []), BUNDLED_TEMPLATES]


def model_dirs() -> list[Path]:
    """Folders of .gguf files offered beside the default model: the site's (config models_dir),
    a checkout's models/, the user's."""
    site = config().models_dir
    return [*([site] if site else []), *([CHECKOUT_MODELS] if CHECKOUT_MODELS else []), user_data_dir() / "models"]
