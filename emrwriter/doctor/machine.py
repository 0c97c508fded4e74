"""The machine: EMRWriter's and Python's versions and how they were installed, the operating
system, the CPU and its instruction sets, memory, and Chinese fonts."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import psutil

from .. import __version__
from .check import NOTE, OK, PROBLEM, Check

# The instruction sets llama.cpp's CPU variants are chosen by, as /proc/cpuinfo names them.
CPU_FEATURES = ("sse4_2", "avx", "avx2", "fma", "f16c", "bmi2", "avx512f", "avx512_vnni", "avx_vnni", "amx_tile")
LOW_MEMORY = 1 << 30  # available memory under 1 GiB: a model beyond the default may not fit
# Chinese fonts Windows ships (one is enough for the export's SimSun/SimHei styles to show).
WINDOWS_CJK_FONTS = ("simsun.ttc", "simhei.ttf", "msyh.ttc", "msyh.ttf")


def _installed_as() -> str:
    if getattr(sys, "frozen", False):
        return f"bundle in {Path(sys.executable).parent}"
    if sys.prefix != sys.base_prefix:
        return f"virtual environment {sys.prefix}"
    return f"Python at {sys.prefix}"


def _os_name() -> str:
    try:
        fields = dict(
            line.split("=", 1) for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines() if "=" in line
        )
        return fields.get("PRETTY_NAME", "").strip('"') or platform.platform()
    except OSError:
        return platform.platform()


def check_version() -> Check:
    return Check(
        "EMRWriter",
        OK,
        f"{__version__} ({_installed_as()})",
        (f"Python {platform.python_version()} on {_os_name()} ({platform.machine()})",),
    )


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_features() -> list[str]:
    """The instruction sets of CPU_FEATURES this CPU has (Linux; [] where /proc is not there)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    flags = next((line.partition(":")[2].split() for line in text.splitlines() if line.startswith("flags")), [])
    return [f for f in CPU_FEATURES if f in flags]


def check_cpu() -> Check:
    logical, physical = psutil.cpu_count(logical=True), psutil.cpu_count(logical=False)
    features = cpu_features()
    details = (f"instruction sets: {' '.join(features) or 'not readable here'}",)
    return Check("CPU", OK, f"{cpu_name()}, {physical or '?'} cores ({logical} threads)", details)


def check_memory() -> Check:
    memory = psutil.virtual_memory()
    summary = f"{memory.total / 2**30:.1f} GiB, {memory.available / 2**30:.1f} GiB available"
    if memory.available < LOW_MEMORY:
        return Check("Memory", NOTE, summary, reason="under 1 GiB free: close other programs before drafting with a larger model")
    return Check("Memory", OK, summary)


def chinese_fonts() -> list[str] | None:
    """Font families with Chinese glyphs (fontconfig; Windows: its Chinese font files); None
    where this cannot be told (no fc-list)."""
    if sys.platform == "win32":
        folder = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        return [name for name in WINDOWS_CJK_FONTS if (folder / name).is_file()]
    if sys.platform == "darwin":
        return ["PingFang SC (part of macOS)"]
    if shutil.which("fc-list") is None:
        return None
    try:
        done = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return sorted({line.split(",")[0].strip() for line in done.stdout.splitlines() if line.strip()})


def check_fonts() -> Check:
    fonts = chinese_fonts()
    if fonts is None:
        return Check(
            "Chinese fonts", NOTE, "cannot tell (fontconfig's fc-list is not installed)", reason="install fontconfig to check"
        )
    if not fonts:
        return Check(
            "Chinese fonts",
            PROBLEM,
            "none found",
            reason="no Chinese font: Chinese text shows as boxes in the app; install fonts-noto-cjk (or fonts-wqy-microhei)",
        )
    shown = ", ".join(fonts[:4]) + (f" and {len(fonts) - 4} more" if len(fonts) > 4 else "")
    return Check("Chinese fonts", OK, f"{len(fonts)} font families: {shown}")
