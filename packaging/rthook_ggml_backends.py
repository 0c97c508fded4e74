"""PyInstaller runtime hook: load ggml's CPU backend from the bundle's llama_cpp/lib.

A portable llama.cpp (GGML_BACKEND_DL) loads its CPU code at run time, choosing the
best libggml-cpu-<variant> for this CPU, but looks for it only beside the executable and
in the current folder. Pointing it at llama_cpp/lib before llama-cpp-python starts makes
the choice work wherever the bundle is installed and started from."""


def _load_ggml_backends() -> None:
    import ctypes
    import os
    import sys
    from pathlib import Path

    lib_dir = Path(sys._MEIPASS) / "llama_cpp" / "lib"
    name = {"win32": "ggml.dll", "darwin": "libggml.dylib"}.get(sys.platform, "libggml.so")
    if not (lib_dir / name).is_file() or not any(lib_dir.glob("*ggml-cpu-*")):
        return  # a native build: the CPU backend is linked in
    if sys.platform == "win32":
        os.add_dll_directory(str(lib_dir))
    ggml = ctypes.CDLL(str(lib_dir / name))
    # ggml says "loaded CPU backend from ..." on every start; keep its warnings and errors
    # only while loading (`emrwriter doctor` names the variant it chose).
    log_callback = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)

    def warnings_only(level: int, text: bytes, _user) -> None:
        if level in (3, 4) and text:  # GGML_LOG_LEVEL_WARN, GGML_LOG_LEVEL_ERROR
            sys.stderr.write(text.decode("utf-8", "replace"))

    quiet = log_callback(warnings_only)
    ggml.ggml_log_set.argtypes = [log_callback, ctypes.c_void_p]
    ggml.ggml_log_set.restype = None
    ggml.ggml_backend_load_all_from_path.argtypes = [ctypes.c_char_p]
    ggml.ggml_backend_load_all_from_path.restype = None
    ggml.ggml_log_set(quiet, None)
    try:
        ggml.ggml_backend_load_all_from_path(os.fsencode(lib_dir))
    finally:
        ggml.ggml_log_set(log_callback(), None)  # back to ggml's own logger


_load_ggml_backends()
del _load_ggml_backends
