"""Caps on every input: how big a file of each kind, how deep, how many rows or pages may be.

The defaults are in limits.toml beside this module; the site config's ``[limits]`` table
(emrwriter.config) overrides any of them by the same name. ``limits()`` is the one place that
says which caps are in force. A file over a cap is refused with one line naming the file and
the cap (``too_big``/``too_many`` build it); the case importer lists it and imports the rest.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .model import RecordError

log = logging.getLogger(__name__)

MB = 2**20
_DEFAULTS = Path(__file__).with_name("limits.toml")


@cache
def default_limits() -> Mapping[str, float]:
    """The caps of limits.toml (read once)."""
    return tomllib.loads(_DEFAULTS.read_text(encoding="utf-8"))


def _site_limits() -> Mapping[str, float]:
    from ..config import config

    return config().limits


@dataclass(frozen=True)
class Limits:
    """The caps in force, by their name in limits.toml."""

    caps: Mapping[str, float]

    def bytes(self, key: str) -> int:
        """A cap in MB (``*_mb``) as bytes."""
        return int(self.caps[key] * MB)

    def kilobytes(self, key: str) -> int:
        """A cap in KB (``*_kb``) as bytes."""
        return int(self.caps[key] * 1024)

    def count(self, key: str) -> int:
        return int(self.caps[key])


def limits() -> Limits:
    """The caps in force: limits.toml, each overridden by the site config's [limits] table."""
    caps = dict(default_limits())
    for key, value in _site_limits().items():
        if key in caps:
            caps[key] = value
        else:
            log.warning("emrwriter: site config limits.%s is not a known limit (known: %s); ignored", key, ", ".join(caps))
    return Limits(caps)


def megabytes(size: int) -> str:
    """A size as a person reads it: "145 MB", "1.5 GB", "2.3 MB", "120 KB"."""
    if size >= 1024 * MB:
        return f"{size / (1024 * MB):.1f} GB"
    if size < MB:
        return f"{size / 1024:.0f} KB"
    return f"{size / MB:.0f} MB" if size >= 10 * MB else f"{size / MB:.1f} MB"


def _cap_words(caps: Limits, key: str) -> str:
    cap = caps.caps[key]
    number = str(int(cap)) if float(cap).is_integer() else f"{cap:g}"
    return f"{number} MB" if key.endswith("_mb") else f"{number} KB" if key.endswith("_kb") else number


def too_big(file: object, size: int, key: str, what: str, caps: Limits | None = None) -> RecordError:
    """The refusal of a file (or a part of it) of ``size`` bytes over the cap ``key``:
    "note.txt: the text of a note is 145 MB; the limit is 5 MB (limits.text_mb)"."""
    caps = caps or limits()
    return RecordError(f"{file}: {what} is {megabytes(size)}; the limit is {_cap_words(caps, key)} (limits.{key})")


def too_many(file: object, what: str, key: str, caps: Limits | None = None) -> RecordError:
    """The refusal of a file with too many rows, pages or levels: "labs.csv: 250001 rows; the
    limit is 100000 (limits.csv_rows)"."""
    caps = caps or limits()
    return RecordError(f"{file}: {what}; the limit is {_cap_words(caps, key)} (limits.{key})")


def check_size(file: object, size: int, key: str, what: str, caps: Limits | None = None) -> None:
    caps = caps or limits()
    if size > caps.bytes(key):
        raise too_big(file, size, key, what, caps)


def check_text(file: object, text: str, what: str, caps: Limits | None = None) -> None:
    """Refuse the text of a note or table over limits.text_mb, or with a line over
    limits.text_line_kb (the note readers' time grows with the length of a line)."""
    caps = caps or limits()
    check_size(file, len(text.encode("utf-8", "surrogatepass")), "text_mb", what, caps)
    longest = max((len(line) for line in text.split("\n")), default=0)
    if longest > caps.kilobytes("text_line_kb"):
        raise too_big(file, longest, "text_line_kb", f"a line of {what}", caps)
