"""Started by ``emrwriter doctor`` in a child process (``python -m emrwriter.gui.probe``, in the
bundle ``emrwriter doctor --qt-probe``): start Qt's GUI layer and print, as one JSON line, the
platform plugin it chose, its screens and the Chinese font families it can use. When the
platform plugin cannot load, Qt aborts this child, not the doctor."""

from __future__ import annotations

import json
import sys


def main() -> int:
    from PySide6.QtGui import QFontDatabase, QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0] if sys.argv else "emrwriter"])
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    print(json.dumps({"platform": app.platformName(), "screens": len(app.screens()), "cjk_families": sorted(families)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
