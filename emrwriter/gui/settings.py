"""User settings kept in QSettings: the engine the worker builds, and the UI language."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QSettings

ORGANIZATION = APPLICATION = "EMRWriter"
UI_LANGUAGES = ("", "zh_CN", "en")  # "" follows the system


def _store() -> QSettings:
    return QSettings(ORGANIZATION, APPLICATION)


def _int(store: QSettings, key: str, default: int) -> int:
    """QSettings hands ints back as strings from ini files; a damaged value falls back to the default."""
    try:
        return int(store.value(key, default))
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True)
class EngineSettings:
    """How to build the engine. Frozen and comparable, so the worker can tell whether its cached engine still fits."""

    threads: int | None = None  # None: one per CPU core
    context_cap: int | None = None  # None: the model's own context length
    gpu_layers: int = 0
    model_path: str = ""  # "": the bundled default model
    # A shared inference server (used only when use_server and a URL are set). Defaults:
    # the site config's [server]. The API key is never written to the settings file: it
    # comes from the variable the site config names (or EMRWRITER_API_KEY), or is typed
    # in the Models dialog for this session.
    use_server: bool = False
    server_url: str = ""
    server_model: str = ""
    server_key: str = field(default="", repr=False, compare=True)

    @property
    def on_server(self) -> bool:
        return self.use_server and bool(self.server_url)

    @classmethod
    def load(cls) -> EngineSettings:
        store = _store()
        site = _site_server()
        return cls(
            threads=_int(store, "engine/threads", 0) or None,
            context_cap=_int(store, "engine/context_cap", 0) or None,
            gpu_layers=max(0, _int(store, "engine/gpu_layers", 0)),
            model_path=str(store.value("engine/model_path", "") or ""),
            use_server=str(store.value("server/use", "true" if site.url else "false")).lower() == "true",
            server_url=str(store.value("server/url", site.url) or ""),
            server_model=str(store.value("server/model", site.model) or ""),
            server_key=_session_key[0],
        )

    def save(self) -> None:
        store = _store()
        store.setValue("engine/threads", self.threads or 0)
        store.setValue("engine/context_cap", self.context_cap or 0)
        store.setValue("engine/gpu_layers", self.gpu_layers)
        store.setValue("engine/model_path", self.model_path)
        store.setValue("server/use", "true" if self.use_server else "false")
        store.setValue("server/url", self.server_url)
        store.setValue("server/model", self.server_model)
        _session_key[0] = self.server_key
        store.sync()


_session_key = [""]  # an API key typed in the Models dialog: kept for this session only


def _site_server():
    from ..config import config

    return config().server


def load_ui_language() -> str:
    """ "" (follow the system), "zh_CN" or "en"; anything else stored is treated as ""."""
    value = str(_store().value("ui/language", "") or "")
    return value if value in UI_LANGUAGES else ""


def save_ui_language(language: str) -> None:
    if language not in UI_LANGUAGES:
        raise ValueError(f"unknown UI language {language!r}; expected one of {UI_LANGUAGES}")
    store = _store()
    store.setValue("ui/language", language)
    store.sync()
