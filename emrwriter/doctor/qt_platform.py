"""Can the desktop app open a window here? Without importing Qt in this process: Qt aborts the
whole process when its platform plugin cannot load ("could not load the Qt platform plugin
xcb"), so the start is tried in a subprocess (emrwriter.gui.probe), and the xcb plugin's
system libraries are listed with the loader's own answer (ldd), each missing one named with
the Debian package that provides it (debian_packages.toml)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .check import NOTE, OK, PROBLEM, SKIPPED, Check

PROBE_TIMEOUT = 60  # seconds; a cold start of Qt on a busy PC takes a few
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$", re.MULTILINE)


@dataclass(frozen=True)
class MissingLibraries:
    plugin: Path
    libraries: tuple[str, ...]  # sonames the loader could not find
    packages: tuple[str, ...]  # Debian packages that provide them (known ones)
    unknown: tuple[str, ...]  # sonames with no package in debian_packages.toml

    def hint(self) -> str:
        """One line: what is missing and the command that installs it."""
        parts = [f"the Qt platform plugin {self.plugin.name} cannot load: missing {', '.join(self.libraries)}"]
        if self.packages:
            parts.append(f"install them with: sudo apt install {' '.join(self.packages)}")
        if self.unknown:
            parts.append(f"find the package of {', '.join(self.unknown)} with: apt-file search NAME")
        return "; ".join(parts)


def debian_packages() -> dict[str, str]:
    text = resources.files(__package__).joinpath("debian_packages.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def qt_folder() -> Path | None:
    """PySide6's Qt folder, found without importing PySide6 (importing it is harmless, but
    this module keeps the core free of Qt)."""
    from importlib.util import find_spec

    spec = find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder / "Qt" if (folder / "Qt").is_dir() else folder


def xcb_plugin() -> Path | None:
    folder = qt_folder()
    if folder is None:
        return None
    found = sorted(folder.rglob("platforms/libqxcb.so"))
    return found[0] if found else None


def missing_libraries(plugin: Path, ldd: list[str] | None = None) -> MissingLibraries:
    """The libraries the loader cannot find for ``plugin`` (its own and those of the libraries
    it needs), from the output of ``ldd`` (or of ``ldd`` given as a command, e.g. the loader
    run in another root)."""
    command = [*(ldd or [shutil.which("ldd") or "ldd"]), str(plugin)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    missing = tuple(dict.fromkeys(_NOT_FOUND.findall(done.stdout)))
    known = debian_packages()
    packages = tuple(dict.fromkeys(known[lib] for lib in missing if lib in known))
    unknown = tuple(lib for lib in missing if lib not in known)
    return MissingLibraries(plugin, missing, packages, unknown)


def has_display() -> bool:
    """Windows and macOS always have one; elsewhere X11 or Wayland must be there (or Qt told otherwise)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def would_use_xcb() -> bool:
    """Whether Qt, started now, would pick the xcb (X11) plugin."""
    if not sys.platform.startswith("linux"):
        return False
    chosen = os.environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    wayland = os.environ.get("WAYLAND_DISPLAY") and os.environ.get("XDG_SESSION_TYPE") == "wayland"
    return bool(os.environ.get("DISPLAY")) and not wayland


def start_problem(ldd: list[str] | None = None) -> str:
    """Before the app creates its QApplication: the one-line hint when Qt would abort because
    the xcb plugin's system libraries are missing ("" when it would not)."""
    if not would_use_xcb():
        return ""
    plugin = xcb_plugin()
    if plugin is None or shutil.which("ldd") is None and ldd is None:
        return ""
    try:
        missing = missing_libraries(plugin, ldd)
    except (OSError, subprocess.SubprocessError):
        return ""
    return missing.hint() if missing.libraries else ""


def probe_command() -> list[str]:
    """The command that starts Qt in a child process and reports what it found (JSON)."""
    if getattr(sys, "frozen", False):  # the bundle: its executable is the emrwriter command
        return [sys.executable, "doctor", "--qt-probe"]
    return [sys.executable, "-m", "emrwriter.gui.probe"]


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    platform: str = ""
    screens: int = 0
    cjk_families: tuple[str, ...] = ()
    error: str = ""  # the last line Qt wrote when it failed


def probe(timeout: float = PROBE_TIMEOUT) -> ProbeResult:
    """Start Qt (QGuiApplication) in a subprocess: the platform it chose, its screens and the
    Chinese font families it sees; or the line Qt aborted with."""
    try:
        done = subprocess.run(probe_command(), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return ProbeResult(False, error=f"Qt did not start within {timeout:.0f} s")
    except OSError as exc:
        return ProbeResult(False, error=str(exc))
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode == 0 and lines:
        data = json.loads(lines[-1])
        return ProbeResult(True, data["platform"], data["screens"], tuple(data["cjk_families"]))
    said = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    relevant = [line for line in said if "plugin" in line.lower() or "display" in line.lower()]
    return ProbeResult(False, error=(relevant or said or [f"exit code {done.returncode}"])[0])


def check_display() -> list[Check]:
    """The window: Qt started in a subprocess where there is a display (skipped, saying so,
    where there is none); on Linux the xcb plugin's system libraries, each missing one with
    its package. Missing libraries are the reason Qt did not start where it did not (one
    problem, with the packages, not Qt's own line), else a note."""
    plugin = xcb_plugin() if sys.platform.startswith("linux") and shutil.which("ldd") else None
    missing = missing_libraries(plugin) if plugin is not None else None
    libraries = Check("Qt X11 libraries", OK, f"all found for {plugin.name}") if plugin is not None else None
    if missing is not None and missing.libraries:
        summary = f"{len(missing.libraries)} missing: {', '.join(missing.libraries)}"
        libraries = Check("Qt X11 libraries", NOTE, summary, (str(plugin),), reason=missing.hint())
    if not has_display():
        display = Check(
            "Display",
            SKIPPED,
            "no display here (DISPLAY and WAYLAND_DISPLAY are not set)",
            reason="the window was not tried; the command line works without one",
        )
    else:
        result = probe()
        if result.ok:
            fonts = f"{len(result.cjk_families)} Chinese font families in Qt"
            display = Check("Display", OK, f"Qt starts: platform {result.platform}, {result.screens} screen(s), {fonts}")
        elif missing is not None and missing.libraries and would_use_xcb():
            display = Check("Display", PROBLEM, "Qt does not start", libraries.details, reason=missing.hint())
            libraries = None  # said once, as the reason
        else:
            display = Check("Display", PROBLEM, "Qt does not start", reason=f"the desktop app cannot start: {result.error}")
    return [display, *([libraries] if libraries else [])]
