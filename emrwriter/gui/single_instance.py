"""One running app per database. A second instance would begin its own session
while the first is still writing, and the next start would take the first one's
live session for a crash; so the app holds a lock file next to the database for
as long as it runs. QLockFile notices a lock left by a process that has died
(crash, SIGKILL) and takes it over."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QLockFile

log = logging.getLogger(__name__)


def lock_path(store_path: str | Path) -> Path:
    """The lock file beside the database (``emrwriter.sqlite3.lock``)."""
    store_path = Path(store_path)
    return store_path.with_name(store_path.name + ".lock")


class InstanceLock:
    """Held from start to exit; never stale by age, only when its holder has died."""

    def __init__(self, store_path: str | Path) -> None:
        self.path = lock_path(store_path)
        self._lock = QLockFile(str(self.path))
        self._lock.setStaleLockTime(0)  # a doctor may keep the app open for days

    def acquire(self) -> bool:
        """True when this process now holds the lock. False only when another running
        EMRWriter holds it; a lock that cannot be written at all (read-only folder) is
        logged and not enforced, and the store then says what is wrong with the folder."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning("no single-instance lock: %s", exc)
            return True
        if self._lock.tryLock(0):
            return True
        if self._lock.error() == QLockFile.LockError.LockFailedError:
            return False
        log.warning("no single-instance lock at %s (%s)", self.path, self._lock.error().name)
        return True

    def holder(self) -> int | None:
        """The process id of the running instance holding the lock, if it can be read."""
        pid, _host, _app = self._lock.getLockInfo()
        return pid or None

    def release(self) -> None:
        if self._lock.isLocked():
            self._lock.unlock()
