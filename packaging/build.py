"""Build the self-contained EMRWriter bundle (and, with --deb, a Debian package).

    python packaging/build.py           # dist/EMRWriter/  (PyInstaller one-folder)
    python packaging/build.py --deb     # ... and dist/emrwriter_<version>_<arch>.deb

Everything happens under build/ (gitignored) and never touches the developers'
virtual environment or pip cache:

1. llama-cpp-python is compiled from its source distribution into build/wheels/
   with a portable CPU build (no -march=native; every x86-64 / ARM CPU variant of
   ggml's CPU backend as a loadable module, the best one chosen at run time).
2. build/venv gets that wheel, EMRWriter itself (not editable) and PyInstaller;
   pip there uses build/pip-cache, so the portable wheel never lands in ~/.cache/pip
   under the same name and version as a developer's native build.
3. PyInstaller runs packaging/emrwriter.spec in build/venv.

See packaging/README.md for what this produces and how it was measured.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
BUILD = ROOT / "build"
DIST = ROOT / "dist"
WHEELS = BUILD / "wheels"
SDIST = BUILD / "sdist"
SRC = BUILD / "src"
BUILD_VENV = BUILD / "venv"
PIP_CACHE = BUILD / "pip-cache"

# The llama-cpp-python release the bundle is built and tested with (the one the
# development venv runs). Change it here, or pass --llama-version.
LLAMA_CPP_PYTHON = "0.3.36"

# Portable llama.cpp: no -march=native; ggml's backends as loadable modules with one
# CPU module per instruction-set level (x64, sse42, sandybridge, haswell, skylakex,
# icelake, alderlake, ... on x86-64; armv8.0 ... armv9.2 on ARM Linux); ggml scores
# them on the running CPU and loads the best. The modules install into llama_cpp/lib
# (ggml would put them in bin/ of the wheel otherwise).
PORTABLE_CMAKE_ARGS = [
    "-DGGML_NATIVE=OFF",
    "-DGGML_BACKEND_DL=ON",
    "-DGGML_CPU_ALL_VARIANTS=ON",
    "-DCMAKE_INSTALL_BINDIR=llama_cpp/lib",
    # Only what the Python bindings load: not the multimodal library (libmtmd, for image
    # chat handlers EMRWriter does not use) nor llama.cpp's common/tools code (see
    # without_common below); together they were more than half of the compile.
    "-DLLAVA_BUILD=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_BUILD_TOOLS=OFF",
    "-DLLAMA_BUILD_SERVER=OFF",
]


def log(message: str) -> None:
    print(f"[build {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> None:
    log(" ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, env=env, cwd=cwd)


def venv_python(venv_dir: Path) -> Path:
    if os.name == "nt":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def pip_env() -> dict:
    """pip for the build: its own cache, no user config that could point elsewhere."""
    env = dict(os.environ)
    env["PIP_CACHE_DIR"] = str(PIP_CACHE)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.pop("PIP_REQUIRE_VIRTUALENV", None)
    return env


COMMON_ON = 'set(LLAMA_BUILD_COMMON ON CACHE BOOL "Build llama.cpp common library" FORCE)'


def without_common(cmakelists: Path) -> None:
    """llama-cpp-python forces llama.cpp's common library on (for its own tools); the
    bindings never load it. Switched off in the unpacked source when the line is there."""
    text = cmakelists.read_text(encoding="utf-8")
    if COMMON_ON in text:
        cmakelists.write_text(text.replace(COMMON_ON, COMMON_ON.replace(" ON ", " OFF ")), encoding="utf-8")
    else:
        log(f"{cmakelists}: LLAMA_BUILD_COMMON is not forced on here; left as it is")


def portable_llama_wheel(version: str, jobs: int) -> Path:
    """Compile llama-cpp-python `version` portably into build/wheels (once)."""
    found = sorted(WHEELS.glob(f"llama_cpp_python-{version}-*.whl"))
    if found:
        log(f"portable llama-cpp-python wheel already built: {found[-1].name}")
        return found[-1]
    WHEELS.mkdir(parents=True, exist_ok=True)
    SDIST.mkdir(parents=True, exist_ok=True)
    env = pip_env()
    sdists = sorted(SDIST.glob(f"llama_cpp_python-{version}.tar.gz"))
    if not sdists:
        run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             f"llama-cpp-python=={version}", "-d", SDIST],
            env=env,
        )  # fmt: skip
        sdists = sorted(SDIST.glob(f"llama_cpp_python-{version}.tar.gz"))
    source = SRC / f"llama_cpp_python-{version}"
    if not source.is_dir():
        SRC.mkdir(parents=True, exist_ok=True)
        with tarfile.open(sdists[-1]) as tar:
            tar.extractall(SRC, filter="data")
        without_common(source / "CMakeLists.txt")
    env["CMAKE_ARGS"] = " ".join(PORTABLE_CMAKE_ARGS)
    env["CMAKE_BUILD_PARALLEL_LEVEL"] = str(jobs)
    env["FORCE_CMAKE"] = "1"
    started = time.monotonic()
    # Built from a local folder, so pip never puts the wheel in its wheel cache; CMake's
    # build folder is kept (build/llama-cmake), so an interrupted compile resumes where it
    # stopped instead of starting over.
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", WHEELS, source,
         "--config-settings", f"build-dir={BUILD / 'llama-cmake'}"],
        env=env,
    )  # fmt: skip
    log(f"llama-cpp-python compiled in {time.monotonic() - started:.0f} s")
    return sorted(WHEELS.glob(f"llama_cpp_python-{version}-*.whl"))[-1]


def build_venv(llama_wheel: Path, pyside6: str | None = None) -> Path:
    """build/venv with the portable llama-cpp-python, EMRWriter from this tree and PyInstaller."""
    python = venv_python(BUILD_VENV)
    if not python.exists():
        log(f"creating {BUILD_VENV}")
        venv.EnvBuilder(with_pip=True, clear=True).create(BUILD_VENV)
    env = pip_env()
    pip = [python, "-m", "pip", "install", "--quiet"]
    # setuptools builds this tree's wheel in build/lib and build/bdist.*, and would carry
    # along files a previous build left there that the tree no longer has.
    for stale in [BUILD / "lib", *BUILD.glob("bdist.*")]:
        shutil.rmtree(stale, ignore_errors=True)
    # Dependencies, the first time; with the encryption extra, so a site that sets
    # [store] encrypt = true (SQLCipher, the key in the OS keyring) works from the bundle.
    run([*pip, llama_wheel, f"{ROOT}[bundle,encryption]"], env=env)
    # This tree as it is now, and the portable wheel even if a native one of the same
    # version got in; nothing else changes.
    run([*pip, "--no-deps", "--force-reinstall", llama_wheel, ROOT], env=env)
    if pyside6:  # an older Qt for older PCs (the wheels' glibc floor: packaging/README.md)
        run([*pip, f"PySide6-Essentials=={pyside6}"], env=env)
    return python


def icons(python: Path) -> Path:
    out = BUILD / "icons"
    run([python, PACKAGING / "make_icons.py", PACKAGING / "icons" / "emrwriter.svg", out])
    return out


def pyinstaller(python: Path) -> Path:
    bundle = DIST / "EMRWriter"
    run(
        [python, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", DIST, "--workpath", BUILD / "pyinstaller", PACKAGING / "emrwriter.spec"],
    )  # fmt: skip
    return bundle


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def smoke_test(bundle: Path) -> None:
    """In an empty environment with a fresh HOME: the English sample drafted from the record
    alone (seconds: imports, templates, checks and the .docx export), then the demo with the
    default model (minutes: llama.cpp and its CPU module)."""
    import tempfile

    exe = bundle / ("emrwriter.exe" if os.name == "nt" else "emrwriter")
    sample = bundle / "_internal" / "emrwriter" / "bundled" / "samples" / "en_heart_failure"
    with tempfile.TemporaryDirectory() as home:
        env = {"HOME": home} if os.name != "nt" else {**os.environ, "USERPROFILE": home, "APPDATA": home, "LOCALAPPDATA": home}
        for name, args in (
            ("record.docx", ["draft", sample, "--narrative", "record"]),
            ("demo.docx", ["demo", "--headless"]),
        ):
            out = Path(home) / name
            started = time.monotonic()
            run([exe, *args, "--out", out], env=env, cwd=Path(home))
            if not out.is_file() or out.stat().st_size == 0:
                raise SystemExit(f"the bundle wrote no {out}")
            log(
                f"smoke test: {' '.join(map(str, args[:1]))} wrote {out.stat().st_size} bytes in {time.monotonic() - started:.1f} s"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deb", action="store_true", help="also build a .deb of the bundle (Linux)")
    parser.add_argument("--llama-version", default=LLAMA_CPP_PYTHON, help="llama-cpp-python release to compile")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel compile jobs")
    parser.add_argument("--wheel-only", action="store_true", help="only compile the portable llama-cpp-python wheel")
    parser.add_argument("--deb-only", action="store_true", help="package the existing dist/EMRWriter as a .deb")
    parser.add_argument("--no-check", action="store_true", help="skip the demo run of the finished bundle")
    parser.add_argument(
        "--pyside6",
        metavar="VERSION",
        help="bundle this PySide6-Essentials release (6.9.3: runs on glibc 2.28, for older UOS/Kylin)",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    bundle = DIST / "EMRWriter"
    if not args.deb_only:
        wheel = portable_llama_wheel(args.llama_version, args.jobs)
        if args.wheel_only:
            return 0
        python = build_venv(wheel, args.pyside6)
        icons(python)
        bundle = pyinstaller(python)
        log(f"bundle: {bundle} ({folder_size(bundle) / 1e6:.0f} MB)")
        if not args.no_check:
            smoke_test(bundle)
    if args.deb or args.deb_only:
        sys.path.insert(0, str(PACKAGING))
        from debian_package import build_deb

        deb = build_deb(bundle, BUILD / "icons", DIST)
        log(f"package: {deb} ({deb.stat().st_size / 1e6:.0f} MB)")
    log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
