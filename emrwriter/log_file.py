"""The app's log: messages on stderr as before, and a file in the user's data folder
(``logs/emrwriter.log``, three older files kept beside it, 1 MB each) for when something
went wrong on a ward PC where nobody saw the terminal.

The file must never hold patient text. The code logs counts, kinds and file names of its
own, never record text (the rule, kept by tests/test_data_at_rest.py), and the file keeps
INFO and above only (DEBUG lines may name a record's files). Two guards beside the rule:
an exception's message is left out of the file (its type, and where it was raised, are
kept): messages of parsers and checks may quote the record; and the files are owner-only
(0600 in a 0700 folder), however they are rotated.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import traceback
from pathlib import Path

from .owner_only import FILE_MODE, narrow, private_folder

ENV_DIR = "EMRWRITER_LOG_DIR"  # another folder; "off" for no file
FILE_NAME = "emrwriter.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_dir() -> Path | None:
    value = os.environ.get(ENV_DIR)
    if value is not None:
        return None if value.strip().lower() in ("", "off", "0", "none") else Path(value)
    from .paths import user_data_dir

    return user_data_dir() / "logs"


class WithoutExceptionText(logging.Formatter):
    """Tracebacks without the exception's message: ``ValueError (message left out)``."""

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        kind, value, tb = ei
        frames = "".join(traceback.format_tb(tb)) if tb is not None else ""
        name = kind.__name__ if kind is not None else "Exception"
        return f"Traceback (most recent call last):\n{frames}{name} (message left out of the log file)"

    def format(self, record: logging.LogRecord) -> str:
        record.exc_text = None  # another handler may have cached the full text
        text = super().format(record)
        record.exc_text = None
        return text


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every file it opens (the first, and each after a rotation) is owner-only."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), FILE_MODE)
        narrow(self.baseFilename)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def setup_logging(level: int = logging.INFO, folder: Path | None = None) -> Path | None:
    """stderr and the log file; returns the file's path (None when there is none, or it
    cannot be written: the app runs on, said on stderr)."""
    root = logging.getLogger()
    root.setLevel(level)
    if not any(getattr(h, "_emrwriter", False) for h in root.handlers):
        stderr = logging.StreamHandler(sys.stderr)
        stderr.setFormatter(logging.Formatter(FORMAT))
        stderr._emrwriter = True  # type: ignore[attr-defined]
        root.addHandler(stderr)
    folder = folder or log_dir()
    if folder is None:
        return None
    path = Path(folder) / FILE_NAME
    for handler in root.handlers:
        if isinstance(handler, PrivateRotatingFileHandler) and Path(handler.baseFilename) == path.resolve():
            return path
    try:
        private_folder(folder)
        handler = PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError as exc:
        logging.getLogger(__name__).warning("no log file in %s (%s)", folder, exc.strerror)
        return None
    handler.setLevel(max(level, logging.INFO))
    handler.setFormatter(WithoutExceptionText(FORMAT))
    root.addHandler(handler)
    return path


def close_log_file() -> None:
    """Detach and close the file handlers setup_logging added (tests, and a clean exit)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, PrivateRotatingFileHandler):
            root.removeHandler(handler)
            handler.close()
