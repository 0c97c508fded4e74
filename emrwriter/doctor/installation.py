"""What the app reads and writes: the configuration files, the templates (each one loaded and
its Jinja files compiled), and the store's folder (writable) and file (intact)."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from ..config import config, site_config_path, user_config_file
from ..owner_only import private_folder
from ..paths import BUNDLED_TEMPLATES, template_dirs
from ..templates import DATA_FILE, PROMPT_FILE, TemplateProblem, available_templates, load_template
from ..workflow import default_store_path
from .check import OK, PROBLEM, Check


def check_config() -> Check:
    cfg = config()
    details = [
        f"site file: {site_config_path()}{'' if site_config_path() in cfg.files_read else ' (not there)'}",
        f"user file: {user_config_file()}{'' if user_config_file() in cfg.files_read else ' (not there)'}",
        *cfg.warnings,
    ]
    summary = f"{len(cfg.files_read)} file(s) read" + (f": {', '.join(map(str, cfg.files_read))}" if cfg.files_read else "")
    if cfg.warnings:
        reason = f"{len(cfg.warnings)} setting(s) ignored in the configuration (listed above; see docs/config.example.toml)"
        return Check("Configuration", PROBLEM, summary, tuple(details), reason=reason)
    return Check("Configuration", OK, summary, tuple(details))


def _origin(folder: Path) -> str:
    if folder.is_relative_to(BUNDLED_TEMPLATES):
        return "bundled"
    site = config().templates_dir
    return "site" if site and folder.is_relative_to(site) else "user"


def check_templates() -> Check:
    found = available_templates()
    lines, problems = [], []
    for name, folder in found.items():
        try:
            template = load_template(folder)
            for file in (DATA_FILE, PROMPT_FILE):
                if (folder / file).is_file():
                    template.env.get_template(file)  # compiles it: a syntax error names file and line
            lines.append(f"{name} ({_origin(folder)}, {template.language}, {len(template.sections)} sections): {folder}")
        except TemplateProblem as exc:
            problems.append(str(exc))
        except Exception as exc:  # jinja2's syntax errors and the like: one line each
            problems.append(f"{folder}: {exc.__class__.__name__}: {exc}")
    for language in ("zh", "en"):
        wanted = config().template_for(language)
        if wanted not in found:
            problems.append(f"the default {language} template {wanted!r} is in none of {', '.join(map(str, template_dirs()))}")
    if problems:
        return Check("Templates", PROBLEM, f"{len(lines)} valid", tuple(lines + problems), reason="; ".join(problems))
    return Check("Templates", OK, f"{len(lines)} valid", tuple(lines))


def check_store() -> Check:
    path = default_store_path()
    try:
        private_folder(path.parent)  # as the app makes it: owner-only (patient data)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check("Store", PROBLEM, f"{path.parent} not writable", reason=f"drafts cannot be saved in {path.parent}: {exc}")
    if not path.exists():
        return Check("Store", OK, f"{path} (created at the first start of the app; its folder is writable)")
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            verdict = db.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error as exc:
        return Check("Store", PROBLEM, str(path), reason=f"the store {path} cannot be read: {exc}")
    if verdict != "ok":
        return Check("Store", PROBLEM, str(path), reason=f"the store {path} is damaged: {verdict}")
    return Check("Store", OK, f"{path} ({path.stat().st_size / 2**20:.1f} MiB, intact, folder writable)")
