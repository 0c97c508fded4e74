"""Render packaging/icons/emrwriter.svg to the PNG sizes a Linux desktop uses and to a
Windows .ico (run by build.py in build/venv, which has PySide6)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 32, 48, 64, 128, 256)


def render(svg: Path, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    return image


def main(svg: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        if not render(svg, size).save(str(out / f"emrwriter-{size}.png")):
            raise SystemExit(f"could not write emrwriter-{size}.png")
    if not render(svg, 256).save(str(out / "emrwriter.ico"), "ICO"):
        raise SystemExit("could not write emrwriter.ico (Qt's ico image plugin missing)")


if __name__ == "__main__":
    app = QGuiApplication(["make_icons", "-platform", "offscreen"])
    main(Path(sys.argv[1]), Path(sys.argv[2]))
