"""The interface language: our translation plus Qt's own (for the buttons of
standard dialogs), chosen from the saved choice or else the system locale.

The language is chosen once at start; switching it in the Settings menu is
saved and takes effect at the next start, because rebuilding every label of
a window mid-session costs more than it gives a ward doctor.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from ..config import config

log = logging.getLogger(__name__)

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
SYSTEM, CHINESE, ENGLISH = "", "zh_CN", "en"

_installed: list[QTranslator] = []


def resolve_language(saved: str | None) -> str:
    """The language to use: the saved one, else the site's or user's config file's, else the
    system's (zh_* -> zh_CN, else en)."""
    code = saved or config().language or QLocale.system().name()
    return CHINESE if code.lower().startswith("zh") else ENGLISH


def install_translators(language: str | None = None) -> str:
    """Install the translators for ``language`` (a resolved code or None for the
    saved choice / system locale) on the running application; return the code used."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_translators needs a QApplication")
    if language is None:
        from .settings import load_ui_language

        language = load_ui_language()
    code = resolve_language(language)
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if code == ENGLISH:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    else:
        QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name, folder in ((f"emrwriter_{code}", str(TRANSLATIONS_DIR)), (f"qtbase_{code}", qt_dir)):
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            _installed.append(translator)
        elif code != ENGLISH or name.startswith("emrwriter"):
            log.warning("no translation %s in %s", name, folder)
    return code
