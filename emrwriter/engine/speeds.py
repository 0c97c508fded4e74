"""How long a model took to write a draft's narrative on this PC: what the automatic choice
of who writes the narrative (workflow.choose_narrative) is decided by.

Every draft the model writes leaves its figures here (reading and writing speed, and the
seconds the model sections took), one entry per model file (by model_identity, so a copied
file is the same model) in ``speeds.json`` in the user's data folder (the environment
variable EMRWRITER_SPEEDS names another file: the tests use one of their own). Nothing here
is about a patient.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from ..paths import user_data_dir
from .prefix_cache import model_identity

log = logging.getLogger(__name__)

FILE_NAME = "speeds.json"
ENV = "EMRWRITER_SPEEDS"


@dataclass(frozen=True)
class Speed:
    seconds: float  # the model sections of the last draft, reading and writing
    reading: float  # prompt tokens read per second
    writing: float  # tokens written per second
    threads: int
    measured: str  # when (ISO time)


def _file(folder: Path | None) -> Path:
    if folder is None and os.environ.get(ENV):
        return Path(os.environ[ENV])
    return (folder or user_data_dir()) / FILE_NAME


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember_speed(model: Path, speed: Speed, folder: Path | None = None) -> None:
    """Keep the figures of a draft just written (a file that cannot be written is logged, not raised)."""
    path = _file(folder)
    data = _read(path)
    data[model_identity(model)] = asdict(speed)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
        temporary.replace(path)
    except OSError as exc:
        log.warning("could not keep the model's speed in %s: %s", path, exc)


def known_speed(model: Path, folder: Path | None = None) -> Speed | None:
    """The figures of the last draft this model wrote on this PC, or None."""
    entry = _read(_file(folder)).get(model_identity(model))
    try:
        return Speed(**entry) if isinstance(entry, dict) else None
    except TypeError:
        return None


def speed_of(seconds: float, read: int, read_seconds: float, written: int, write_seconds: float, threads: int) -> Speed:
    return Speed(
        round(seconds, 1),
        round(read / read_seconds, 1) if read_seconds else 0.0,
        round(written / write_seconds, 1) if write_seconds else 0.0,
        threads,
        datetime.now().isoformat(timespec="seconds"),
    )
