"""Site and user configuration: TOML files read once per process.

Lookup order, later wins, key by key (a table such as ``[server]`` merges key by key too):

1. built-in defaults (the values of the dataclasses below);
2. the site file, written by hospital IT for every user of the machine:
   ``/etc/emrwriter/config.toml`` (Windows: ``%PROGRAMDATA%\\EMRWriter\\config.toml``;
   the environment variable ``EMRWRITER_SITE_CONFIG`` names another file);
3. the user's file: ``config.toml`` in the user's config folder (platformdirs; Linux
   ``~/.config/EMRWriter/config.toml``; ``EMRWRITER_USER_CONFIG`` names another file).

A missing file is no problem. A file that is not valid TOML, an unknown key or a value of the
wrong type gives one warning line each (logged on ``emrwriter.config``, kept in
``Config.warnings``) and is skipped; nothing here raises. ``Config.files_read`` says which
files were read (``emrwriter doctor`` shows both). Paths may start with ``~`` and hold
environment variables; a relative path is relative to the file that names it.

Every key, with its meaning: docs/config.example.toml.

The API, stable for the rest of the code::

    from emrwriter.config import config
    cfg = config()               # cached for the process; load_config() reads the files again
    cfg.models_dir               # Path | None: a folder of .gguf files offered beside the default model
    cfg.templates_dir            # Path | None: a folder of template folders, before the user's and ours
    cfg.default_template         # {"zh": name, "en": name}: the template for a record of that language
    cfg.language                 # "" (follow the system) | "zh_CN" | "en": the app's language
    cfg.threads                  # int | None: llama.cpp threads (None: one per physical core)
    cfg.narrative_seconds        # float: the longest the model may take for the narrative before "auto" picks the record
    cfg.store.folder             # Path | None: the folder of emrwriter.sqlite3 (None: the user's data folder)
    cfg.store.encrypt            # bool: encrypt the store at rest (when supported)
    cfg.server.url, .model, .api_key_env, .ca_bundle, .allow_plain_http, .timeout_seconds
    cfg.limits                   # {kind: number}: size caps per kind of input, free-form
    cfg.files_read, cfg.warnings
"""

from __future__ import annotations

import logging
import os
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from platformdirs import user_config_path

log = logging.getLogger(__name__)

SITE_ENV = "EMRWRITER_SITE_CONFIG"
USER_ENV = "EMRWRITER_USER_CONFIG"
FILE_NAME = "config.toml"
UI_LANGUAGES = ("", "zh_CN", "en")
DEFAULT_TEMPLATES = MappingProxyType({"zh": "discharge_summary_zh", "en": "discharge_summary_en"})


@dataclass(frozen=True)
class ServerConfig:
    """A shared inference server (OpenAI-compatible HTTP); used only when ``url`` is set."""

    url: str = ""
    model: str = ""  # the model name the server knows; "" for the server's only model
    api_key_env: str = ""  # the environment variable holding the API key (never the key itself)
    ca_bundle: Path | None = None  # a PEM file of the hospital's CA, for https with an internal CA
    allow_plain_http: bool = False  # plain http to a host other than this machine needs this
    timeout_seconds: float = 0.0  # 0: the engine's own defaults


@dataclass(frozen=True)
class StoreConfig:
    """Where the drafts are kept (one SQLite file per user)."""

    folder: Path | None = None  # None: the user's data folder
    encrypt: bool = False  # encrypt the store at rest where the build supports it


@dataclass(frozen=True)
class Config:
    models_dir: Path | None = None
    templates_dir: Path | None = None
    default_template: Mapping[str, str] = field(default_factory=lambda: DEFAULT_TEMPLATES)
    language: str = ""
    threads: int | None = None
    narrative_seconds: float = 180.0  # longer than this for the model's narrative on this PC: written from the record
    store: StoreConfig = field(default_factory=StoreConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
    limits: Mapping[str, int | float] = field(default_factory=lambda: MappingProxyType({}))
    files_read: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()

    def template_for(self, language: str) -> str:
        """The template name for a record in ``language`` ("zh" or anything else: "en")."""
        key = "zh" if language == "zh" else "en"
        return self.default_template.get(key) or DEFAULT_TEMPLATES[key]


# --- where the files are ---------------------------------------------------------------------


def site_config_path() -> Path:
    if os.environ.get(SITE_ENV):
        return Path(os.environ[SITE_ENV])
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "EMRWriter" / FILE_NAME
    return Path("/etc/emrwriter") / FILE_NAME


def user_config_file() -> Path:
    if os.environ.get(USER_ENV):
        return Path(os.environ[USER_ENV])
    return user_config_path("EMRWriter", appauthor=False) / FILE_NAME


# --- reading and checking -------------------------------------------------------------------

# key -> (kind, ...) for the top level and each table. Kinds: "path", "str", "int+", "bool",
# "number+", "language", "table:templates", "table:limits".
_TOP = {
    "models_dir": "path",
    "templates_dir": "path",
    "default_template": "templates",
    "language": "language",
    "threads": "int+",
    "narrative_seconds": "number+",
    "store": "table",
    "server": "table",
    "limits": "limits",
}
_TABLES = {
    "store": {"folder": "path", "encrypt": "bool"},
    "server": {
        "url": "str",
        "model": "str",
        "api_key_env": "str",
        "ca_bundle": "path",
        "allow_plain_http": "bool",
        "timeout_seconds": "number+",
    },
}
_KIND_WORDS = {
    "path": "a path (text)",
    "str": "text",
    "int+": "a whole number of 1 or more",
    "bool": "true or false",
    "number+": "a number of 0 or more",
    "language": f"one of {', '.join(repr(x) for x in UI_LANGUAGES)}",
    "table": "a table",
    "templates": 'a table of template names by language, e.g. { zh = "...", en = "..." }',
    "limits": "a table of numbers",
}


def _path(value: str, base: Path) -> Path:
    path = Path(os.path.expandvars(os.path.expanduser(value)))
    return path if path.is_absolute() else base / path


def _checked(kind: str, value: Any, base: Path) -> Any:
    """The value converted for ``kind``; ValueError when it is not of that kind."""
    if kind == "path" and isinstance(value, str) and value.strip():
        return _path(value.strip(), base)
    if kind == "str" and isinstance(value, str):
        return value.strip()
    if kind == "int+" and isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "number+" and isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return value
    if kind == "language" and value in UI_LANGUAGES:
        return value
    raise ValueError(_KIND_WORDS[kind])


class _Reader:
    """Reads files one after the other into one dict of checked values."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.tables: dict[str, dict[str, Any]] = {"store": {}, "server": {}}
        self.templates: dict[str, str] = dict(DEFAULT_TEMPLATES)
        self.limits: dict[str, int | float] = {}
        self.files_read: list[Path] = []
        self.warnings: list[str] = []

    def warn(self, path: Path, message: str) -> None:
        line = f"config {path}: {message}"
        self.warnings.append(line)
        log.warning("emrwriter: %s", line)

    def read(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            self.warn(path, f"cannot be read ({exc.__class__.__name__}: {exc}); ignored")
            return
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            self.warn(path, f"is not valid TOML ({exc}); the whole file is ignored")
            return
        self.files_read.append(path)
        base = path.parent
        for key, value in data.items():
            kind = _TOP.get(key)
            if kind is None:
                self.warn(path, f"unknown key {key!r} (ignored; known: {', '.join(_TOP)})")
            elif kind == "table":
                self._table(path, key, value, base)
            elif kind == "templates":
                self._templates(path, value)
            elif kind == "limits":
                self._limits(path, value)
            else:
                self._set(path, key, kind, value, base, self.values)

    def _set(self, path: Path, key: str, kind: str, value: Any, base: Path, into: dict) -> None:
        try:
            into[key.rpartition(".")[2]] = _checked(kind, value, base)
        except ValueError as exc:
            self.warn(path, f"{key} = {value!r} is not {exc} (ignored)")

    def _table(self, path: Path, name: str, value: Any, base: Path) -> None:
        if not isinstance(value, dict):
            self.warn(path, f"{name} = {value!r} is not a table (write [{name}] on a line of its own; ignored)")
            return
        known = _TABLES[name]
        for key, item in value.items():
            if key not in known:
                self.warn(path, f"unknown key {name}.{key} (ignored; known: {', '.join(known)})")
            else:
                self._set(path, f"{name}.{key}", known[key], item, base, self.tables[name])

    def _templates(self, path: Path, value: Any) -> None:
        if not isinstance(value, dict):
            self.warn(path, f"default_template = {value!r} is not {_KIND_WORDS['templates']} (ignored)")
            return
        for language, name in value.items():
            if language not in DEFAULT_TEMPLATES:
                self.warn(path, f"default_template.{language}: unknown language (ignored; known: zh, en)")
            elif not isinstance(name, str) or not name.strip():
                self.warn(path, f"default_template.{language} = {name!r} is not a template name (ignored)")
            else:
                self.templates[language] = name.strip()

    def _limits(self, path: Path, value: Any) -> None:
        if not isinstance(value, dict):
            self.warn(path, f"limits = {value!r} is not {_KIND_WORDS['limits']} (ignored)")
            return
        for kind, cap in value.items():
            try:
                self.limits[kind] = _checked("number+", cap, path.parent)
            except ValueError as exc:
                self.warn(path, f"limits.{kind} = {cap!r} is not {exc} (ignored)")

    def config(self) -> Config:
        return Config(
            **self.values,
            default_template=MappingProxyType(self.templates),
            store=StoreConfig(**self.tables["store"]),
            server=ServerConfig(**self.tables["server"]),
            limits=MappingProxyType(self.limits),
            files_read=tuple(self.files_read),
            warnings=tuple(self.warnings),
        )


def load_config(site: Path | None = None, user: Path | None = None) -> Config:
    """Defaults, then the site file, then the user's file (each read when it exists)."""
    reader = _Reader()
    reader.read(site or site_config_path())
    reader.read(user or user_config_file())
    return reader.config()


@cache
def config() -> Config:
    """The configuration of this process, read once (``config.cache_clear()`` reads again)."""
    return load_config()
