"""Site and user configuration: the lookup order, and one warning line per bad key (never a traceback)."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from emrwriter import config as config_module
from emrwriter.config import DEFAULT_TEMPLATES, load_config
from tests.conftest import ROOT


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_no_file_exists(tmp_path):
    cfg = load_config(site=tmp_path / "none.toml", user=tmp_path / "also-none.toml")
    assert cfg.files_read == () and cfg.warnings == ()
    assert cfg.models_dir is None and cfg.templates_dir is None and cfg.threads is None
    assert dict(cfg.default_template) == dict(DEFAULT_TEMPLATES)
    assert cfg.store.folder is None and cfg.server.url == "" and dict(cfg.limits) == {}


def test_the_user_file_overrides_the_site_file_key_by_key(tmp_path):
    site = _write(
        tmp_path / "site.toml",
        'models_dir = "shared/models"\nthreads = 4\nlanguage = "zh_CN"\n'
        '[server]\nurl = "https://gpu.hospital.local:8080"\nmodel = "qwen"\n'
        '[limits]\ndocx_bytes = 20_000_000\n[default_template]\nzh = "hospital_zh"\n',
    )
    user = _write(tmp_path / "user.toml", 'threads = 2\n[server]\nmodel = "llama"\n[limits]\npdf_pages = 200\n')
    cfg = load_config(site=site, user=user)
    assert cfg.files_read == (site, user) and cfg.warnings == ()
    assert cfg.models_dir == tmp_path / "shared" / "models"  # relative to the file that names it
    assert cfg.threads == 2 and cfg.language == "zh_CN"
    assert (cfg.server.url, cfg.server.model) == ("https://gpu.hospital.local:8080", "llama")
    assert dict(cfg.limits) == {"docx_bytes": 20_000_000, "pdf_pages": 200}
    assert cfg.template_for("zh") == "hospital_zh" and cfg.template_for("en") == "discharge_summary_en"


def test_every_bad_key_is_one_warning_line_and_the_rest_is_used(tmp_path, caplog):
    site = _write(
        tmp_path / "site.toml",
        'threads = "four"\ncolour = "blue"\nlanguage = "fr"\n[server]\nallow_plain_http = "yes"\nport = 8080\n'
        '[limits]\npdf_pages = -3\njson_depth = 64\n[store]\nfolder = "~/emr"\n',
    )
    with caplog.at_level(logging.WARNING, logger="emrwriter.config"):
        cfg = load_config(site=site, user=tmp_path / "none.toml")
    assert len(cfg.warnings) == 6, cfg.warnings
    assert [r.getMessage() for r in caplog.records] == [f"emrwriter: {w}" for w in cfg.warnings]
    assert all("\n" not in w and str(site) in w for w in cfg.warnings)
    for word in ("threads =", "'colour'", "language =", "allow_plain_http =", "server.port", "pdf_pages ="):
        assert sum(word in w for w in cfg.warnings) == 1, word
    assert cfg.threads is None and cfg.language == "" and cfg.server.allow_plain_http is False
    assert dict(cfg.limits) == {"json_depth": 64} and cfg.store.folder == Path.home() / "emr"


def test_a_file_that_is_not_toml_is_one_warning_and_skipped(tmp_path):
    site = _write(tmp_path / "site.toml", "threads = = 3\n")
    user = _write(tmp_path / "user.toml", "threads = 3\n")
    cfg = load_config(site=site, user=user)
    assert cfg.files_read == (user,) and cfg.threads == 3
    assert len(cfg.warnings) == 1 and "not valid TOML" in cfg.warnings[0]


def test_environment_variables_name_the_files(tmp_path, monkeypatch):
    site = _write(tmp_path / "site.toml", 'templates_dir = "/srv/templates"\n')
    monkeypatch.setenv("EMRWRITER_SITE_CONFIG", str(site))
    monkeypatch.setenv("EMRWRITER_USER_CONFIG", str(tmp_path / "user.toml"))
    assert config_module.site_config_path() == site
    assert load_config().templates_dir == Path("/srv/templates")


def test_a_bad_site_file_never_stops_a_command(tmp_path):
    """The CLI with a broken site file: one warning line on stderr, and the command runs."""
    site = _write(tmp_path / "site.toml", "threads = 0\n")
    env = {"EMRWRITER_SITE_CONFIG": str(site), "EMRWRITER_USER_CONFIG": str(tmp_path / "u.toml"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", "from emrwriter.config import config; print(config().threads)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.strip() == "None"
    assert done.stderr.strip().splitlines() == [
        f"emrwriter: config {site}: threads = 0 is not a whole number of 1 or more (ignored)"
    ]


def test_the_example_file_documents_every_key_and_reads_without_a_warning(tmp_path):
    example = ROOT / "docs" / "config.example.toml"
    text = example.read_text(encoding="utf-8")
    # Every key appears commented out; uncommented, the file is valid and every key is known.
    setting = re.compile(r"^# (\[[a-z_]+\]|[a-z_]+ = .*)$")
    uncommented = "\n".join(line[2:] if setting.match(line) else line for line in text.splitlines())
    data = tomllib.loads(uncommented)
    cfg = load_config(site=_write(tmp_path / "site.toml", uncommented), user=tmp_path / "none.toml")
    assert cfg.warnings == ()
    keys = set(data) | {f"{table}.{key}" for table, value in data.items() if isinstance(value, dict) for key in value}
    for table, known in config_module._TABLES.items():
        assert {f"{table}.{key}" for key in known} <= keys
    assert set(config_module._TOP) <= keys


# --- the keys wired today: each read where the app uses it -------------------------------------


@pytest.fixture
def site_file(tmp_path, monkeypatch):
    """Write a site file and make this process read it (the cached config is read again)."""

    def write(text: str) -> Path:
        path = _write(tmp_path / "site.toml", text)
        monkeypatch.setenv("EMRWRITER_SITE_CONFIG", str(path))
        monkeypatch.setenv("EMRWRITER_USER_CONFIG", str(tmp_path / "no-user.toml"))
        config_module.config.cache_clear()
        return path

    yield write
    config_module.config.cache_clear()


def test_site_folders_for_templates_models_and_the_store(site_file, tmp_path):
    from emrwriter.paths import BUNDLED_TEMPLATES, model_dirs, template_dirs, user_data_dir
    from emrwriter.store import default_store_path
    from emrwriter.templates import available_templates

    site_templates = tmp_path / "hospital-templates"
    shutil.copytree(BUNDLED_TEMPLATES / "discharge_summary_zh", site_templates / "discharge_summary_zh")
    site_file(f'templates_dir = "{site_templates}"\nmodels_dir = "models"\n[store]\nfolder = "ward-store"\n')
    dirs = template_dirs()
    assert dirs[0] == user_data_dir() / "templates" and dirs[1:] == [site_templates, BUNDLED_TEMPLATES]
    found = available_templates()
    assert found["discharge_summary_zh"] == site_templates / "discharge_summary_zh"  # the site's replaces ours
    assert found["discharge_summary_en"] == BUNDLED_TEMPLATES / "discharge_summary_en"
    assert model_dirs()[0] == tmp_path / "models"
    assert default_store_path() == tmp_path / "ward-store" / "emrwriter.sqlite3"


def test_default_template_threads_and_language_from_the_site_file(site_file, default_model):
    from emrwriter.engine.llama_engine import LocalEngine
    from emrwriter.gui.i18n import resolve_language
    from emrwriter.workflow import default_template_name

    site_file('threads = 3\nlanguage = "zh_CN"\n[default_template]\nen = "hospital_en"\n')
    assert default_template_name("en") == "hospital_en" and default_template_name("zh") == "discharge_summary_zh"
    assert LocalEngine(default_model, prefix_cache=None).threads == 3
    assert LocalEngine(default_model, threads=1, prefix_cache=None).threads == 1  # an explicit choice wins
    assert resolve_language("") == "zh_CN" and resolve_language("en") == "en"
    site_file('language = "en"\n')
    assert resolve_language("") == "en"
