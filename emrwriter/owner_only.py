"""Files only their owner may read: the store and its lock, WAL and SHM files, the prefix
cache, the export log, the log file and the temporary files of an export hold patient data,
and a ward PC has many users. Folders are made 0700 and files 0600 when created, and
existing ones are narrowed to that when opened (a store made by an older version).

On Windows, POSIX modes mean little: the files live in the user's profile (AppData),
whose default ACL already gives only that user (and administrators) access, and that ACL
is left as it is. ``chmod`` there only sets or clears the read-only flag, so nothing here
changes modes on Windows.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
PRIVATE_UMASK = 0o077
POSIX = sys.platform != "win32"


def private_folder(path: str | Path) -> Path:
    """``path`` made (with its missing parents) and narrowed to the owner (0700)."""
    path = Path(path)
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    if POSIX and (path.stat().st_mode & 0o777) != FOLDER_MODE:
        os.chmod(path, FOLDER_MODE)
    return path


def narrow(path: str | Path) -> None:
    """An existing file narrowed to its owner (0600); a missing one is no error."""
    if not POSIX:
        return
    try:
        if (os.stat(path).st_mode & 0o777) != FILE_MODE:
            os.chmod(path, FILE_MODE)
    except FileNotFoundError:
        pass


def create_private(path: str | Path) -> None:
    """Make sure ``path`` exists as an owner-only file (created 0600, never wider for a moment)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0), FILE_MODE)
    os.close(fd)
    narrow(path)


@contextmanager
def private_umask() -> Iterator[None]:
    """Files and folders created inside come out owner-only, whoever creates them (SQLite,
    Qt's lock file, python-docx). The umask is per process: keep the block short."""
    if not POSIX:
        yield
        return
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)
