"""The persistent prefix cache: the model's state after reading a prompt prefix
(the shared record), kept on disk so reopening an unchanged case with the same
model and template does not read the record again.

An entry is one file, named by a key that covers everything the state depends
on: the model file's identity, the settings that change the KV layout or
numbers (KV types, flash attention, llama.cpp version) and the exact prefix
tokens. Entries are written to a temporary name and moved into place, checked
(magic, lengths, CRC-32, the tokens themselves) when read, and a damaged one is
deleted and treated as a miss. The folder is bounded in bytes; the least
recently used entries go first. Deleting the folder, or any file in it, is always
safe: it only costs a re-read.

An entry is the model's state after reading a patient's record: patient data. The folder
is owner-only (0700) and every entry 0600 (written through mkstemp, which creates 0600;
entries left wider by an older version are narrowed when the cache is opened). Forgetting
a case deletes the entries its drafts were read from (``forget``).

The file format (little-endian):
    8 bytes   MAGIC
    4 bytes   header length H
    H bytes   header, UTF-8 JSON: format, key, n_tokens, state_bytes, crc32, created, meta
    4*n bytes prefix token ids (int32)
    S bytes   llama.cpp sequence state (llama_state_seq_get_data)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import struct
import tempfile
import time
import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..owner_only import narrow, private_folder

log = logging.getLogger(__name__)

MAGIC = b"EMRWKV01"
FORMAT = 1
SUFFIX = ".kvstate"
DEFAULT_MAX_BYTES = 2 * 1024**3  # the newest entries up to 2 GiB
ENV_DIR = "EMRWRITER_CACHE_DIR"  # a folder, or "off" / "" to switch the cache off
ENV_MAX_MB = "EMRWRITER_CACHE_MAX_MB"
_IDENTITY_BYTES = 1 << 20  # the model file is identified by size and a hash of its first and last MiB


@dataclass
class CacheEntry:
    tokens: list[int]
    state: object  # a uint8 numpy array: what llama_state_seq_set_data takes back
    path: Path
    load_seconds: float


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    corrupt: int = 0
    writes: int = 0
    evicted: int = 0
    events: list[str] = field(default_factory=list)  # "hit", "miss", "corrupt", "write", "evict" in order


def default_cache_dir() -> Path | None:
    """The user's cache folder, or the one EMRWRITER_CACHE_DIR names; None when switched off."""
    value = os.environ.get(ENV_DIR)
    if value is not None:
        return None if value.strip().lower() in ("", "off", "0", "none") else Path(value)
    from ..paths import user_data_dir

    return user_data_dir() / "cache"


def default_cache() -> PrefixCache | None:
    folder = default_cache_dir()
    if folder is None:
        return None
    try:
        max_bytes = int(os.environ.get(ENV_MAX_MB, "")) * 1024**2
    except ValueError:
        max_bytes = DEFAULT_MAX_BYTES
    cache = PrefixCache(folder, max_bytes)
    cache.secure()
    return cache


_identities: dict[tuple[str, int, int], str] = {}


def model_identity(path: Path) -> str:
    """Size plus a hash of the first and last MiB: the same file anywhere, cheap to compute."""
    stat = Path(path).stat()
    memo = (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)
    if memo not in _identities:
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            digest.update(fh.read(_IDENTITY_BYTES))
            if stat.st_size > _IDENTITY_BYTES:
                fh.seek(max(_IDENTITY_BYTES, stat.st_size - _IDENTITY_BYTES))
                digest.update(fh.read(_IDENTITY_BYTES))
        _identities[memo] = f"{stat.st_size}-{digest.hexdigest()[:32]}"
    return _identities[memo]


def _token_bytes(tokens: Sequence[int]) -> bytes:
    data = array("i", tokens)
    if data.itemsize != 4:  # pragma: no cover - every platform we ship has a 4-byte C int
        raise RuntimeError("int32 token ids expected")
    if struct.pack("=i", 1) != struct.pack("<i", 1):  # pragma: no cover - big-endian hosts
        data.byteswap()
    return data.tobytes()


class PrefixCache:
    """A folder of prefix states with a byte bound and least-recently-used eviction."""

    def __init__(self, folder: Path, max_bytes: int = DEFAULT_MAX_BYTES):
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self.stats = CacheStats()

    # -- keys ---------------------------------------------------------------------------

    @staticmethod
    def key(model_id: str, settings: dict, tokens: Sequence[int]) -> str:
        digest = hashlib.sha256()
        digest.update(json.dumps({"format": FORMAT, "model": model_id, "settings": settings}, sort_keys=True).encode())
        digest.update(_token_bytes(tokens))
        return digest.hexdigest()

    def path_for(self, key: str) -> Path:
        return self.folder / f"{key[:40]}{SUFFIX}"

    # -- reading ------------------------------------------------------------------------

    def get(self, key: str, tokens: Sequence[int]) -> CacheEntry | None:
        """The entry for ``key`` if it is whole and holds exactly ``tokens``; None otherwise.
        A damaged entry is deleted."""
        path = self.path_for(key)
        started = time.perf_counter()
        if not path.is_file():
            self._count("miss")
            return None
        try:
            with open(path, "rb") as fh:
                entry = self._read(fh, key, tokens, path)
        except FileNotFoundError:  # evicted by another process just now
            self._count("miss")
            return None
        except (OSError, ValueError, KeyError, TypeError, struct.error) as exc:
            log.warning("prefix cache: ignoring damaged entry %s (%s)", path.name, exc)
            self._count("corrupt")
            self.discard(path)
            return None
        if entry is None:  # a key collision or another prefix: not ours
            self._count("miss")
            return None
        entry.load_seconds = time.perf_counter() - started
        try:
            os.utime(path)  # the mtime is the LRU clock
        except OSError:
            pass
        self._count("hit")
        return entry

    def _read(self, fh, key: str, tokens: Sequence[int], path: Path) -> CacheEntry | None:
        if fh.read(len(MAGIC)) != MAGIC:
            raise ValueError("not a prefix cache file")
        (header_len,) = struct.unpack("<I", fh.read(4))
        if header_len > 1 << 20:
            raise ValueError("header too long")
        header = json.loads(fh.read(header_len).decode("utf-8"))
        if header["format"] != FORMAT:
            raise ValueError(f"format {header['format']}")
        if header["key"] != key:
            return None
        n_tokens, state_bytes = int(header["n_tokens"]), int(header["state_bytes"])
        expected = _token_bytes(tokens)
        if n_tokens != len(tokens):
            return None
        token_data = fh.read(4 * n_tokens)
        if len(token_data) != 4 * n_tokens:
            raise ValueError("truncated")
        state = np.empty(state_bytes, dtype=np.uint8)  # not zero-filled: see llama_engine.state_buffer
        if fh.readinto(state) != state_bytes or fh.read(1):
            raise ValueError("truncated or too long")
        crc = zlib.crc32(state, zlib.crc32(token_data))
        if crc != header["crc32"]:
            raise ValueError("checksum mismatch")
        if token_data != expected:
            return None
        return CacheEntry(list(tokens), state, path, 0.0)

    # -- writing ------------------------------------------------------------------------

    def put(self, key: str, tokens: Sequence[int], state, meta: dict | None = None) -> Path | None:
        """Store an entry atomically, then evict down to the bound. Failing to write is
        logged and otherwise harmless: the cache is an optimisation."""
        token_data = _token_bytes(tokens)
        state_view = memoryview(state).cast("B")
        size = len(MAGIC) + 4 + len(token_data) + state_view.nbytes
        if size > self.max_bytes:
            log.info("prefix cache: entry of %d bytes exceeds the bound of %d; not stored", size, self.max_bytes)
            return None
        header = json.dumps(
            {
                "format": FORMAT,
                "key": key,
                "n_tokens": len(tokens),
                "state_bytes": state_view.nbytes,
                "crc32": zlib.crc32(state_view, zlib.crc32(token_data)),
                "created": time.time(),
                "meta": meta or {},
            }
        ).encode("utf-8")
        path = self.path_for(key)
        tmp = None
        try:
            private_folder(self.folder)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=self.folder)
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC)
                fh.write(struct.pack("<I", len(header)))
                fh.write(header)
                fh.write(token_data)
                fh.write(state_view)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            tmp = None
        except OSError as exc:
            log.warning("prefix cache: could not write %s (%s)", path.name, exc)
            return None
        finally:
            if tmp is not None:
                self.discard(Path(tmp))
        self._count("write")
        self.evict(keep=path)
        return path

    # -- housekeeping -------------------------------------------------------------------

    def entries(self) -> list[Path]:
        """Entry files, least recently used first (stale temporary files included, oldest first)."""
        try:
            files = [p for p in self.folder.iterdir() if p.name.endswith(SUFFIX) and p.is_file()]
        except FileNotFoundError:
            return []
        return sorted(files, key=_mtime)

    def size(self) -> int:
        return sum(_size(p) for p in self.entries())

    def evict(self, keep: Path | None = None) -> list[Path]:
        """Delete least recently used entries until the folder is within the bound.
        Temporary files older than an hour (left by a crash) go too."""
        removed = []
        files = self.entries()
        sizes = {p: _size(p) for p in files}
        total = sum(sizes.values())
        now = time.time()
        for path in files:
            stale_tmp = path.name.startswith(".tmp-") and now - _mtime(path) > 3600
            if total <= self.max_bytes and not stale_tmp:
                continue
            if path == keep or (path.name.startswith(".tmp-") and not stale_tmp):
                continue
            if self.discard(path):
                total -= sizes[path]
                removed.append(path)
                self._count("evict")
        return removed

    def discard(self, path: Path) -> bool:
        try:
            path.unlink()
            return True
        except FileNotFoundError:
            return False
        except OSError as exc:  # another process holds it open (Windows): try again next time
            log.info("prefix cache: could not delete %s (%s)", path.name, exc)
            return False

    def secure(self) -> None:
        """Narrow an existing folder and its entries to the owner (0700/0600)."""
        if not self.folder.is_dir():
            return
        try:
            private_folder(self.folder)
            for path in self.entries():
                narrow(path)
        except OSError as exc:
            log.warning("prefix cache: could not make %s owner-only (%s)", self.folder, exc.strerror)

    def forget(self, files: Sequence[str | Path]) -> list[Path]:
        """Delete the entries named (by file name, in this folder: a path recorded elsewhere
        names no other file); returns those deleted."""
        removed = []
        for name in {Path(f).name for f in files}:
            path = self.folder / name
            if name.endswith(SUFFIX) and not name.startswith(".") and self.discard(path):
                removed.append(path)
        return removed

    def reject(self, path: Path) -> None:
        """An entry that read back whole but that llama.cpp would not load: counted as
        damaged and deleted."""
        self._count("corrupt")
        self.discard(path)

    def clear(self) -> None:
        for path in self.entries():
            self.discard(path)

    def _count(self, event: str) -> None:
        stats = self.stats
        if event == "hit":
            stats.hits += 1
        elif event == "miss":
            stats.misses += 1
        elif event == "corrupt":
            stats.corrupt += 1
        elif event == "write":
            stats.writes += 1
        elif event == "evict":
            stats.evicted += 1
        stats.events.append(event)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
